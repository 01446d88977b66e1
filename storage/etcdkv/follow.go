package etcdkv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"consultbot/storage/kv"
)

var _ kv.Follower = (*Backend)(nil)

// followRetry is the wait before watching again after the watch broke
// (the member lost its leader, the connection dropped).
const followRetry = 100 * time.Millisecond

// Follow lists the keys of the buckets nested in the top-level bucket name
// as of one revision, and calls fn with them, in key order; then, until
// ctx ends or the Backend closes, it calls fn with each key created later
// in those buckets, by any process sharing the cluster, one call per
// revision that created some, in revision order (an etcd Watch from the
// next revision, resumed where it stopped when it breaks). Changes to
// existing keys and deletions are not reported. It returns once the
// listing is done; the channel carries what ended the following early
// (the history it needed was compacted) and is closed when it ends.
func (b *Backend) Follow(ctx context.Context, name []byte, fn func([]kv.Created)) (<-chan error, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(b.ctx, cancel)
	pfx := b.opts.Prefix + "d/" + string(name) + "/"
	rev, err := b.list(ctx, pfx, fn)
	if err != nil {
		stop()
		cancel()
		return nil, fmt.Errorf("etcd: follow %q: %w", name, err)
	}
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		defer stop()
		defer cancel()
		if err := b.watch(ctx, pfx, rev+1, fn); err != nil {
			errc <- fmt.Errorf("etcd: follow %q: %w", name, err)
		}
	}()
	return errc, nil
}

// list calls fn with the keys under pfx, a page at a time, as of one
// revision, which it returns.
func (b *Backend) list(ctx context.Context, pfx string, fn func([]kv.Created)) (int64, error) {
	end := clientv3.GetPrefixRangeEnd(pfx)
	from := pfx
	var rev int64
	for {
		rctx, cancel := context.WithTimeout(ctx, b.opts.RequestTimeout)
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(pageSize)}
		if rev != 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		resp, err := b.cli.Get(rctx, from, opts...)
		cancel()
		if err != nil {
			return 0, err
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		var page []kv.Created
		for _, p := range resp.Kvs {
			if c, ok := created(pfx, p.Key, p.Value); ok {
				page = append(page, c)
			}
		}
		if len(page) > 0 {
			fn(page)
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return rev, nil
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}

// watch reports the keys created under pfx from revision rev on, until
// ctx ends; it fails only when that history is compacted.
func (b *Backend) watch(ctx context.Context, pfx string, rev int64, fn func([]kv.Created)) error {
	for ctx.Err() == nil {
		// WithRequireLeader: a member cut off from the others ends the
		// watch rather than keep it silent; it resumes on another.
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		for resp := range b.cli.Watch(wctx, pfx, clientv3.WithPrefix(), clientv3.WithRev(rev), clientv3.WithFilterDelete()) {
			if resp.CompactRevision != 0 || errors.Is(resp.Err(), rpctypes.ErrCompacted) {
				cancel()
				return fmt.Errorf("revision %d was compacted before it was read (compacted up to %d)", rev, resp.CompactRevision)
			}
			if resp.Err() != nil {
				break
			}
			var batch []kv.Created
			for _, ev := range resp.Events {
				rev = ev.Kv.ModRevision + 1
				if !ev.IsCreate() {
					continue
				}
				if c, ok := created(pfx, ev.Kv.Key, ev.Kv.Value); ok {
					batch = append(batch, c)
				}
			}
			if len(batch) > 0 {
				fn(batch)
			}
		}
		cancel()
		select {
		case <-ctx.Done():
		case <-time.After(followRetry):
		}
	}
	return nil
}

// created splits a data key under pfx (a nested bucket's name, a zero
// byte, the key); keys of buckets nested deeper are left out.
func created(pfx string, key, value []byte) (kv.Created, bool) {
	rest, ok := strings.CutPrefix(string(key), pfx)
	if !ok {
		return kv.Created{}, false
	}
	bucket, k, ok := strings.Cut(rest, "\x00")
	if !ok || strings.Contains(bucket, "/") {
		return kv.Created{}, false
	}
	if value == nil {
		value = []byte{}
	}
	return kv.Created{Bucket: []byte(bucket), Key: []byte(k), Value: value}, true
}
