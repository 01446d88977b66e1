package etcdkv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"consultbot/storage/kv"
)

// Key layout under Options.Prefix:
//
//	c                          the commit key, written by every commit
//	b/<bucket path>            a bucket's marker: its sequence (8 bytes)
//	d/<bucket path>\x00<key>   a key of that bucket
//
// A bucket path is the bucket's name, or its parent's path, "/" and its
// name; names hold neither "/" nor a zero byte, so each bucket's keys are
// one prefix of their own, in the bucket's order.

// write is one change a transaction will commit.
type write struct {
	val []byte
	del bool
}

// tx is a transaction: reads at rev, writes buffered until commit.
type tx struct {
	b         *Backend
	rev       int64
	commitMod int64
	writable  bool
	// writes and sorted (their keys, in order) are what the transaction
	// changed; reads see them first.
	writes map[string]write
	sorted []string
	// reads caches the point reads (nil: absent).
	reads    map[string][]byte
	err      error
	onCommit []func()
	created  []string // bucket paths created here, known once committed
}

func (t *tx) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

// get reads key as of the transaction, its own writes first.
func (t *tx) get(key string) ([]byte, bool) {
	if w, ok := t.writes[key]; ok {
		return w.val, !w.del
	}
	if v, ok := t.reads[key]; ok {
		return v, v != nil
	}
	if t.err != nil {
		return nil, false
	}
	ctx, cancel := t.b.rctx()
	defer cancel()
	resp, err := t.b.cli.Get(ctx, key, clientv3.WithRev(t.rev), clientv3.WithSerializable())
	if errors.Is(err, rpctypes.ErrFutureRev) {
		// A member behind the revision: ask the leader.
		resp, err = t.b.cli.Get(ctx, key, clientv3.WithRev(t.rev))
	}
	if err != nil {
		t.fail(fmt.Errorf("etcd: get: %w", err))
		return nil, false
	}
	var v []byte
	if len(resp.Kvs) > 0 {
		v = resp.Kvs[0].Value
		if v == nil {
			v = []byte{}
		}
	}
	if t.reads == nil {
		t.reads = make(map[string][]byte)
	}
	t.reads[key] = v
	return v, v != nil
}

// set records a change.
func (t *tx) set(key string, w write) error {
	if !t.writable {
		return errors.New("etcd: write in a read-only transaction")
	}
	if t.writes == nil {
		t.writes = make(map[string]write)
	}
	if _, ok := t.writes[key]; !ok {
		i, _ := slices.BinarySearch(t.sorted, key)
		t.sorted = slices.Insert(t.sorted, i, key)
	}
	t.writes[key] = w
	return nil
}

// rangePage reads up to pageSize keys of [from, end) as of the
// transaction; more tells whether keys remain after the last one.
func (t *tx) rangePage(from, end string) (kvs []kvPair, more bool) {
	if t.err != nil {
		return nil, false
	}
	ctx, cancel := t.b.rctx()
	defer cancel()
	opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithRev(t.rev), clientv3.WithLimit(pageSize)}
	resp, err := t.b.cli.Get(ctx, from, append(opts, clientv3.WithSerializable())...)
	if errors.Is(err, rpctypes.ErrFutureRev) {
		resp, err = t.b.cli.Get(ctx, from, opts...)
	}
	if err != nil {
		t.fail(fmt.Errorf("etcd: range: %w", err))
		return nil, false
	}
	kvs = make([]kvPair, len(resp.Kvs))
	for i, p := range resp.Kvs {
		v := p.Value
		if v == nil {
			v = []byte{}
		}
		kvs[i] = kvPair{string(p.Key), v}
	}
	return kvs, resp.More
}

// commit writes the changes in one etcd transaction guarded by the commit
// key's revision.
func (t *tx) commit() error {
	if len(t.writes) == 0 {
		return nil
	}
	ops := make([]clientv3.Op, 0, len(t.writes)+1)
	size := 0
	for _, k := range t.sorted {
		w := t.writes[k]
		if w.del {
			if _, known := t.reads[k]; known && t.reads[k] == nil {
				continue // read absent here: nothing to delete
			}
			ops = append(ops, clientv3.OpDelete(k))
		} else {
			ops = append(ops, clientv3.OpPut(k, string(w.val)))
		}
		size += len(k) + len(w.val) + 16
	}
	if len(ops) == 0 {
		return nil
	}
	ops = append(ops, clientv3.OpPut(t.b.commitKey, ""))
	if len(ops) > t.b.opts.MaxTxnOps || size > t.b.opts.MaxRequestBytes {
		return fmt.Errorf("%w: %d operations, %d bytes (limits %d, %d)", ErrTxnTooLarge, len(ops), size, t.b.opts.MaxTxnOps, t.b.opts.MaxRequestBytes)
	}
	ctx, cancel := t.b.rctx()
	defer cancel()
	resp, err := t.b.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(t.b.commitKey), "=", t.commitMod)).
		Then(ops...).
		Commit()
	if err != nil {
		return fmt.Errorf("etcd: commit: %w", err)
	}
	if !resp.Succeeded {
		return errConflict
	}
	for _, p := range t.created {
		t.b.known.Store(p, true)
	}
	return nil
}

func (t *tx) markerKey(path string) string { return t.b.opts.Prefix + "b/" + path }
func (t *tx) dataPrefix(path string) string {
	return t.b.opts.Prefix + "d/" + path + "\x00"
}

func checkName(name []byte) error {
	if len(name) == 0 || strings.ContainsAny(string(name), "/\x00") {
		return fmt.Errorf("etcd: bucket name %q is empty or holds '/' or a zero byte", name)
	}
	return nil
}

func (t *tx) bucket(path string) kv.Bucket {
	if _, ok := t.b.known.Load(path); ok {
		return &bucket{t: t, path: path}
	}
	if _, ok := t.get(t.markerKey(path)); !ok {
		return nil
	}
	if _, ok := t.writes[t.markerKey(path)]; !ok {
		t.b.known.Store(path, true)
	}
	return &bucket{t: t, path: path}
}

func (t *tx) createBucket(path string) (kv.Bucket, error) {
	if b := t.bucket(path); b != nil {
		return b, nil
	}
	if t.err != nil {
		return nil, t.err
	}
	if err := t.set(t.markerKey(path), write{val: u64(0)}); err != nil {
		return nil, err
	}
	t.created = append(t.created, path)
	return &bucket{t: t, path: path}, nil
}

func (t *tx) Bucket(name []byte) kv.Bucket {
	if checkName(name) != nil {
		return nil
	}
	return t.bucket(string(name))
}

func (t *tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return t.createBucket(string(name))
}

func (t *tx) OnCommit(fn func()) { t.onCommit = append(t.onCommit, fn) }

type bucket struct {
	t    *tx
	path string
}

func (b *bucket) Get(key []byte) []byte {
	v, _ := b.t.get(b.t.dataPrefix(b.path) + string(key))
	return v
}

func (b *bucket) Put(key, value []byte) error {
	if len(key) == 0 {
		return errors.New("etcd: empty key")
	}
	return b.t.set(b.t.dataPrefix(b.path)+string(key), write{val: append([]byte{}, value...)})
}

func (b *bucket) Delete(key []byte) error {
	return b.t.set(b.t.dataPrefix(b.path)+string(key), write{del: true})
}

func (b *bucket) Sequence() uint64 {
	v, _ := b.t.get(b.t.markerKey(b.path))
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func (b *bucket) SetSequence(v uint64) error {
	return b.t.set(b.t.markerKey(b.path), write{val: u64(v)})
}

func (b *bucket) NextSequence() (uint64, error) {
	seq := b.Sequence() + 1
	if b.t.err != nil {
		return 0, b.t.err
	}
	return seq, b.SetSequence(seq)
}

func (b *bucket) Bucket(name []byte) kv.Bucket {
	if checkName(name) != nil {
		return nil
	}
	return b.t.bucket(b.path + "/" + string(name))
}

func (b *bucket) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return b.t.createBucket(b.path + "/" + string(name))
}

func (b *bucket) Cursor() kv.Cursor {
	p := b.t.dataPrefix(b.path)
	return &cursor{t: b.t, prefix: p, end: clientv3.GetPrefixRangeEnd(p)}
}

func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.t.err
}

func (b *bucket) ForEachBucket(fn func(name []byte) error) error {
	p := b.t.markerKey(b.path) + "/"
	c := &cursor{t: b.t, prefix: p, end: clientv3.GetPrefixRangeEnd(p)}
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if strings.Contains(string(k), "/") {
			continue // a bucket nested deeper
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return b.t.err
}

type kvPair struct {
	k string
	v []byte
}

// cursor merges the cluster's keys of a prefix, read a page at a time, with
// the transaction's own changes.
type cursor struct {
	t           *tx
	prefix, end string
	cur         string
	// win holds every key of the cluster in [lo, hi]; hi is end when done.
	win    []kvPair
	lo, hi string
	done   bool
	valid  bool
}

// fromCluster returns the first key of the cluster at or after k
// (strictly after when !incl), as of the transaction.
func (c *cursor) fromCluster(k string, incl bool) (kvPair, bool) {
	for {
		if c.valid && c.lo <= k {
			i := sort.Search(len(c.win), func(i int) bool {
				if incl {
					return c.win[i].k >= k
				}
				return c.win[i].k > k
			})
			if i < len(c.win) {
				return c.win[i], true
			}
			if c.done {
				return kvPair{}, false
			}
			if k < c.hi {
				k, incl = c.hi, false
			}
		}
		from := k
		if !incl {
			from = k + "\x00"
		}
		page, more := c.t.rangePage(from, c.end)
		if c.t.err != nil {
			return kvPair{}, false
		}
		c.win, c.lo, c.valid, c.done = page, from, true, !more
		if len(page) > 0 {
			c.hi = page[len(page)-1].k
		} else {
			c.hi, c.done = c.end, true
		}
		incl = true
		k = from
	}
}

// next returns the first key at or after k (strictly after when !incl) in
// the transaction's view.
func (c *cursor) next(k string, incl bool) ([]byte, []byte) {
	// The cluster's candidate, skipping keys this transaction changed.
	var ck kvPair
	var cok bool
	for from, fincl := k, incl; ; from, fincl = ck.k, false {
		ck, cok = c.fromCluster(from, fincl)
		if !cok {
			break
		}
		if _, changed := c.t.writes[ck.k]; !changed {
			break
		}
	}
	// The transaction's own candidate.
	var ok string
	var oval []byte
	var ofound bool
	i, _ := slices.BinarySearch(c.t.sorted, k)
	for ; i < len(c.t.sorted); i++ {
		s := c.t.sorted[i]
		if s >= c.end {
			break
		}
		if (!incl && s == k) || s < c.prefix {
			continue
		}
		if w := c.t.writes[s]; !w.del {
			ok, oval, ofound = s, w.val, true
			break
		}
	}
	switch {
	case cok && (!ofound || ck.k < ok):
		c.cur = ck.k
		return []byte(ck.k[len(c.prefix):]), ck.v
	case ofound:
		c.cur = ok
		return []byte(ok[len(c.prefix):]), oval
	}
	c.cur = c.end
	return nil, nil
}

func (c *cursor) First() ([]byte, []byte) { return c.next(c.prefix, true) }
func (c *cursor) Next() ([]byte, []byte) {
	if c.cur == "" {
		return c.First()
	}
	if c.cur >= c.end {
		return nil, nil
	}
	return c.next(c.cur, false)
}
func (c *cursor) Seek(seek []byte) ([]byte, []byte) { return c.next(c.prefix+string(seek), true) }
func (c *cursor) Delete() error {
	if c.cur == "" || c.cur >= c.end {
		return errors.New("etcd: cursor delete past the end")
	}
	return c.t.set(c.cur, write{del: true})
}
