package etcdkv

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"consultbot/storage/kv"
)

var _ kv.Backend = (*Backend)(nil)

// Defaults for Options.
const (
	// DefaultPrefix is where the consultation's keys live in the cluster.
	DefaultPrefix = "consultbot/"
	// DefaultMaxTxnOps is the most operations one commit may carry; the
	// cluster's --max-txn-ops must be at least this (etcd's own default,
	// 128, is too small for a batch of events or a retention chunk; see
	// docs/OPERATIONS.md).
	DefaultMaxTxnOps = 4096
	// DefaultMaxRequestBytes bounds one commit's size; the cluster's
	// --max-request-bytes must be at least this (etcd's default is 1.5
	// MiB; a digest with its chart for many organisers' chats is larger).
	DefaultMaxRequestBytes = 8 << 20
	// DefaultRequestTimeout bounds each request to the cluster.
	DefaultRequestTimeout = 5 * time.Second
	// DefaultMaxBatchSize and DefaultMaxBatchDelay shape Batch like
	// bbolt's: concurrent events share one commit.
	DefaultMaxBatchSize  = 64
	DefaultMaxBatchDelay = 2 * time.Millisecond
	// pageSize is how many keys a cursor reads per range request.
	pageSize = 128
	// maxAttempts bounds how often a transaction is re-run after another
	// writer committed first.
	maxAttempts = 200
)

// ErrTxnTooLarge is returned when a transaction holds more operations or
// bytes than Options allow; raise --max-txn-ops or --max-request-bytes on
// the cluster and the options with them.
var ErrTxnTooLarge = errors.New("transaction too large for the etcd cluster's limits (--max-txn-ops, --max-request-bytes)")

// ErrClosed is returned by the transactions of a closed Backend.
var ErrClosed = errors.New("etcd backend closed")

// errConflict marks a commit that lost to another writer.
var errConflict = errors.New("etcd transaction conflict")

// Options tune a Backend. The zero value gives the defaults above.
type Options struct {
	Prefix          string
	MaxTxnOps       int
	MaxRequestBytes int
	RequestTimeout  time.Duration
	MaxBatchSize    int
	MaxBatchDelay   time.Duration
}

func (o Options) withDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.MaxTxnOps <= 0 {
		o.MaxTxnOps = DefaultMaxTxnOps
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxBatchSize <= 0 {
		o.MaxBatchSize = DefaultMaxBatchSize
	}
	if o.MaxBatchDelay <= 0 {
		o.MaxBatchDelay = DefaultMaxBatchDelay
	}
	return o
}

// Backend keeps storage's buckets in an etcd cluster. Its methods are safe
// for concurrent use, also from several processes sharing the cluster.
type Backend struct {
	cli    *clientv3.Client
	own    bool // Close closes cli
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	// commitKey is written by every commit; each transaction compares its
	// revision with the one it read, so that commits are serializable.
	commitKey string
	// known holds the paths of buckets seen committed: buckets are never
	// deleted, so their markers need not be read again.
	known sync.Map

	// writing lets one write transaction of this process run at a time,
	// as bbolt does: concurrent ones would only make each other retry.
	// Conflicts are then between processes only.
	writing sync.Mutex

	mu    sync.Mutex
	batch *batch
}

// New returns a Backend over cli; Close leaves cli open.
func New(cli *clientv3.Client, opts Options) *Backend {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Backend{cli: cli, opts: opts, ctx: ctx, cancel: cancel, commitKey: opts.Prefix + "c"}
}

// Dial connects to the cluster described by cfg and returns a Backend
// that closes the connection with Close.
func Dial(cfg clientv3.Config, opts Options) (*Backend, error) {
	cli, err := clientv3.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to etcd %v: %w", cfg.Endpoints, err)
	}
	b := New(cli, opts)
	b.own = true
	return b, nil
}

// Client is the connection to the cluster, for leader election.
func (b *Backend) Client() *clientv3.Client { return b.cli }

// Close stops the Backend, and closes its connection when Dial opened it.
func (b *Backend) Close() error {
	b.cancel()
	if b.own {
		return b.cli.Close()
	}
	return nil
}

// View runs fn in a read-only transaction that sees the cluster as of one
// revision.
func (b *Backend) View(fn func(kv.Tx) error) error {
	for attempt := 0; ; attempt++ {
		t, err := b.begin(false)
		if err == nil {
			err = fn(t)
			if t.err != nil {
				err = t.err
			}
		}
		if err == nil || !retryable(err) || attempt >= 3 {
			return err
		}
	}
}

// Update runs fn in a read-write transaction: reads at one revision, then
// a commit guarded by that revision; when another writer committed
// meanwhile, fn runs again on the new state.
func (b *Backend) Update(fn func(kv.Tx) error) error {
	for attempt := 0; ; attempt++ {
		b.writing.Lock()
		t, err := b.begin(true)
		if err == nil {
			err = fn(t)
			if t.err != nil {
				err = t.err
			}
			if err == nil {
				err = t.commit()
			}
		}
		b.writing.Unlock()
		if err == nil {
			for _, f := range t.onCommit {
				f()
			}
			return nil
		}
		if !retryable(err) || attempt >= maxAttempts {
			return err
		}
		// Back off a little, at random, so that two replicas that keep
		// colliding stop doing it in step.
		d := time.Duration(rand.Int64N(int64(time.Millisecond)<<min(attempt, 5))) + 100*time.Microsecond
		select {
		case <-time.After(d):
		case <-b.ctx.Done():
			return fmt.Errorf("etcd: %w", b.ctx.Err())
		}
	}
}

func retryable(err error) bool {
	return errors.Is(err, errConflict) || errors.Is(err, rpctypes.ErrCompacted) || errors.Is(err, rpctypes.ErrFutureRev)
}

func (b *Backend) rctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.opts.RequestTimeout)
}

// begin reads the commit key, linearizably: the transaction reads as of
// that response's revision.
func (b *Backend) begin(writable bool) (*tx, error) {
	if b.ctx.Err() != nil {
		return nil, ErrClosed
	}
	ctx, cancel := b.rctx()
	defer cancel()
	resp, err := b.cli.Get(ctx, b.commitKey)
	if err != nil {
		return nil, fmt.Errorf("etcd: begin: %w", err)
	}
	t := &tx{b: b, rev: resp.Header.Revision, writable: writable}
	if len(resp.Kvs) > 0 {
		t.commitMod = resp.Kvs[0].ModRevision
	}
	return t, nil
}

// Batch runs fn in a commit shared with concurrent calls of this process,
// as bbolt's Batch does: a function that fails is run again alone, so that
// it fails only its own caller.
func (b *Backend) Batch(fn func(kv.Tx) error) error {
	errc := make(chan error, 1)
	b.mu.Lock()
	if b.batch == nil || len(b.batch.calls) >= b.opts.MaxBatchSize {
		bt := &batch{b: b}
		bt.timer = time.AfterFunc(b.opts.MaxBatchDelay, bt.trigger)
		b.batch = bt
	}
	bt := b.batch
	bt.calls = append(bt.calls, call{fn: fn, err: errc})
	if len(bt.calls) >= b.opts.MaxBatchSize {
		go bt.trigger()
	}
	b.mu.Unlock()
	err := <-errc
	if errors.Is(err, errTrySolo) {
		err = b.Update(fn)
	}
	return err
}

var errTrySolo = errors.New("batch function returned an error and should be re-run solo")

type call struct {
	fn  func(kv.Tx) error
	err chan<- error
}

type batch struct {
	b     *Backend
	timer *time.Timer
	start sync.Once
	calls []call
}

func (bt *batch) trigger() { bt.start.Do(bt.run) }

func (bt *batch) run() {
	bt.b.mu.Lock()
	bt.timer.Stop()
	if bt.b.batch == bt {
		bt.b.batch = nil
	}
	bt.b.mu.Unlock()
	for len(bt.calls) > 0 {
		failed := -1
		err := bt.b.Update(func(t kv.Tx) error {
			failed = -1
			for i, c := range bt.calls {
				if err := safely(c.fn, t); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			c := bt.calls[failed]
			bt.calls[failed], bt.calls = bt.calls[len(bt.calls)-1], bt.calls[:len(bt.calls)-1]
			c.err <- errTrySolo
			continue
		}
		if errors.Is(err, ErrTxnTooLarge) && len(bt.calls) > 1 {
			err = errTrySolo
		}
		for _, c := range bt.calls {
			c.err <- err
		}
		return
	}
}

func safely(fn func(kv.Tx) error, t kv.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	return fn(t)
}

// u64 encodes a bucket's sequence.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
