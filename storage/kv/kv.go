package kv

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// Backend is a transactional, ordered key-value store: buckets of keys in
// byte order, nested buckets, a sequence per bucket, and serializable
// read-write transactions. A bbolt file (Bolt) and an etcd cluster
// (package storage/etcdkv) implement it.
//
// The method set follows bbolt's, so that the logic reads as bbolt code.
type Backend interface {
	// View runs fn in a read-only transaction that sees one commit.
	View(fn func(Tx) error) error
	// Update runs fn in a read-write transaction and commits it if fn
	// returns nil. fn may run more than once (an optimistic backend
	// re-runs it when another writer got in first), so it must be
	// idempotent, like a Batch function.
	Update(fn func(Tx) error) error
	// Batch is Update, possibly sharing its commit with concurrent calls;
	// fn may run more than once.
	Batch(fn func(Tx) error) error
	// Close releases the backend.
	Close() error
}

// Tx is one transaction of a Backend.
type Tx interface {
	// Bucket returns the top-level bucket name, or nil when it does not
	// exist.
	Bucket(name []byte) Bucket
	// CreateBucketIfNotExists returns the top-level bucket name, created
	// if needed (read-write transactions only).
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	// OnCommit registers fn to run after the transaction commits.
	OnCommit(fn func())
}

// Bucket is a set of keys in byte order, with a sequence and nested
// buckets. Slices it returns may only be used during the transaction
// unless copied (bbolt's rule; the etcd backend returns copies).
type Bucket interface {
	// Get returns the value of key, or nil when absent (or a nested
	// bucket).
	Get(key []byte) []byte
	// Put sets key to value.
	Put(key, value []byte) error
	// Delete removes key; absent keys are ignored.
	Delete(key []byte) error
	// Cursor walks the bucket's keys in order.
	Cursor() Cursor
	// NextSequence returns the bucket's next sequence number, from 1.
	NextSequence() (uint64, error)
	// Sequence returns the bucket's last sequence number, 0 at first.
	Sequence() uint64
	// SetSequence sets it (when copying a bucket).
	SetSequence(v uint64) error
	// Bucket returns the nested bucket name, or nil.
	Bucket(name []byte) Bucket
	// CreateBucketIfNotExists returns the nested bucket name, created if
	// needed.
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	// ForEach calls fn for each key and value in order; fn must not
	// change the bucket.
	ForEach(fn func(k, v []byte) error) error
	// ForEachBucket calls fn with the name of each nested bucket, in
	// order.
	ForEachBucket(fn func(name []byte) error) error
}

// Cursor walks a bucket's keys in byte order. Every method returns a nil
// key past the end. Keep keys and nested buckets in different buckets: a
// bbolt cursor lists nested buckets among the keys (with a nil value), an
// etcd one does not.
type Cursor interface {
	// First moves to the first key.
	First() (key, value []byte)
	// Next moves to the next key.
	Next() (key, value []byte)
	// Seek moves to the first key at or after seek.
	Seek(seek []byte) (key, value []byte)
	// Delete removes the key the cursor is on; the cursor stays there,
	// and Seek finds what follows.
	Delete() error
}

// Bolt returns the Backend of an open bbolt file; Close closes the file.
func Bolt(db *bolt.DB) Backend { return boltBackend{db} }

type boltBackend struct{ db *bolt.DB }

func (b boltBackend) View(fn func(Tx) error) error {
	return b.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (b boltBackend) Update(fn func(Tx) error) error {
	return b.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (b boltBackend) Batch(fn func(Tx) error) error {
	return b.db.Batch(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (b boltBackend) Close() error { return b.db.Close() }

type boltTx struct{ tx *bolt.Tx }

func (t boltTx) Bucket(name []byte) Bucket { return wrapBucket(t.tx.Bucket(name)) }

func (t boltTx) CreateBucketIfNotExists(name []byte) (Bucket, error) {
	b, err := t.tx.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	return boltBucket{b}, nil
}

func (t boltTx) OnCommit(fn func()) { t.tx.OnCommit(fn) }

// wrapBucket keeps a missing bucket a nil interface, as callers test it.
func wrapBucket(b *bolt.Bucket) Bucket {
	if b == nil {
		return nil
	}
	return boltBucket{b}
}

type boltBucket struct{ b *bolt.Bucket }

func (b boltBucket) Get(key []byte) []byte         { return b.b.Get(key) }
func (b boltBucket) Put(key, value []byte) error   { return b.b.Put(key, value) }
func (b boltBucket) Delete(key []byte) error       { return b.b.Delete(key) }
func (b boltBucket) Cursor() Cursor                { return b.b.Cursor() }
func (b boltBucket) NextSequence() (uint64, error) { return b.b.NextSequence() }
func (b boltBucket) Sequence() uint64              { return b.b.Sequence() }
func (b boltBucket) SetSequence(v uint64) error    { return b.b.SetSequence(v) }
func (b boltBucket) Bucket(name []byte) Bucket     { return wrapBucket(b.b.Bucket(name)) }
func (b boltBucket) ForEach(fn func(k, v []byte) error) error {
	return b.b.ForEach(fn)
}
func (b boltBucket) ForEachBucket(fn func(name []byte) error) error {
	return b.b.ForEachBucket(fn)
}
func (b boltBucket) CreateBucketIfNotExists(name []byte) (Bucket, error) {
	nb, err := b.b.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	return boltBucket{nb}, nil
}

// Follower is a Backend that several processes write at once (an etcd
// cluster shared by replicas): one of them can follow the keys the others
// create.
type Follower interface {
	// Follow lists the keys of the buckets nested in the top-level bucket
	// name as of one commit and calls fn with them, in key order; then,
	// until ctx ends, it calls fn with the keys any process creates in
	// those buckets later, in commit order. Changes to existing keys and
	// deletions are not reported. It returns once the listing is done;
	// the channel carries what ended the following early, and is closed
	// when it ends.
	Follow(ctx context.Context, name []byte, fn func([]Created)) (<-chan error, error)
}

// Created is a key created in a nested bucket.
type Created struct {
	Bucket, Key, Value []byte
}
