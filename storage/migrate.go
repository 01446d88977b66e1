package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"consultbot/storage/kv"
)

// Copy limits per transaction: within etcd's limits as docs/OPERATIONS.md
// sets them (4096 operations, 8 MiB), with room to spare.
const (
	copyChunkKeys  = 512
	copyChunkBytes = 2 << 20
)

// BucketSum describes one bucket for a migration's check: its path
// (nested buckets as "outbox/telegram"), how many keys it holds, its
// sequence, and a SHA-256 of its keys and values in order.
type BucketSum struct {
	Bucket   string
	Keys     int
	Sequence uint64
	SHA256   string
}

// Sums describes every bucket of the database, read in chunks of short
// read transactions. Two databases holding the same consultation have the
// same sums, whatever their backends.
func (db *DB) Sums(ctx context.Context) ([]BucketSum, error) {
	paths, err := db.bucketPaths()
	if err != nil {
		return nil, fmt.Errorf("sums: %w", err)
	}
	var sums []BucketSum
	for _, p := range paths {
		h := sha256.New()
		s := BucketSum{Bucket: pathName(p)}
		err := db.walk(ctx, p, func(k, v []byte) error {
			var n [8]byte
			binary.BigEndian.PutUint64(n[:], uint64(len(k)))
			h.Write(n[:])
			h.Write(k)
			binary.BigEndian.PutUint64(n[:], uint64(len(v)))
			h.Write(n[:])
			h.Write(v)
			s.Keys++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sums: %w", err)
		}
		err = db.view(func(tx kv.Tx) error {
			if b := bucketAt(tx, p); b != nil {
				s.Sequence = b.Sequence()
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sums: %w", err)
		}
		s.SHA256 = hex.EncodeToString(h.Sum(nil))
		sums = append(sums, s)
	}
	return sums, nil
}

// Migrate copies the consultation of src into dst, bucket by bucket in
// chunks: every key of src is put in dst, every key of dst that src does
// not hold is deleted, and sequences are copied; then both are summed
// (Sums) and must match. Running it again changes nothing, so an
// interrupted migration is finished by running it again. Nobody may write
// to src meanwhile: stop the bots first. It returns the sums of dst.
func Migrate(ctx context.Context, dst, src *DB) ([]BucketSum, error) {
	paths, err := src.bucketPaths()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	dpaths, err := dst.bucketPaths()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, p := range dpaths {
		if !slices.ContainsFunc(paths, func(q [][]byte) bool { return pathName(q) == pathName(p) }) {
			paths = append(paths, p) // emptied below: src has no such bucket
		}
	}
	for _, p := range paths {
		if err := copyBucket(ctx, dst, src, p); err != nil {
			return nil, fmt.Errorf("migrate bucket %s: %w", pathName(p), err)
		}
	}
	want, err := src.Sums(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	got, err := dst.Sums(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if !sameSums(want, got) {
		return got, fmt.Errorf("migrate: the copy does not match its source (counts or checksums differ); was the source written meanwhile?")
	}
	return got, nil
}

// sameSums compares sums, where an empty bucket with sequence 0 counts as
// absent.
func sameSums(a, b []BucketSum) bool {
	m := map[string]BucketSum{}
	for _, s := range a {
		if s.Keys > 0 || s.Sequence > 0 {
			m[s.Bucket] = s
		}
	}
	n := 0
	for _, s := range b {
		if s.Keys == 0 && s.Sequence == 0 {
			continue
		}
		if m[s.Bucket] != s {
			return false
		}
		n++
	}
	return n == len(m)
}

func copyBucket(ctx context.Context, dst, src *DB, p [][]byte) error {
	var chunk [][2][]byte
	size := 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		err := dst.update(func(tx kv.Tx) error {
			b, err := createAt(tx, p)
			if err != nil {
				return err
			}
			for _, e := range chunk {
				if err := b.Put(e[0], e[1]); err != nil {
					return err
				}
			}
			return nil
		})
		chunk, size = chunk[:0], 0
		return err
	}
	err := src.walk(ctx, p, func(k, v []byte) error {
		chunk = append(chunk, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		size += len(k) + len(v)
		if len(chunk) >= copyChunkKeys || size >= copyChunkBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	// What dst holds beyond src goes.
	var extra [][]byte
	err = dst.walk(ctx, p, func(k, _ []byte) error {
		extra = append(extra, bytes.Clone(k))
		if len(extra) < copyChunkKeys {
			return nil
		}
		err := deleteMissing(dst, src, p, extra)
		extra = extra[:0]
		return err
	})
	if err == nil {
		err = deleteMissing(dst, src, p, extra)
	}
	if err != nil {
		return err
	}
	var seq uint64
	if err := src.view(func(tx kv.Tx) error {
		if b := bucketAt(tx, p); b != nil {
			seq = b.Sequence()
		}
		return nil
	}); err != nil {
		return err
	}
	return dst.update(func(tx kv.Tx) error {
		b, err := createAt(tx, p)
		if err != nil {
			return err
		}
		if b.Sequence() == seq {
			return nil
		}
		return b.SetSequence(seq)
	})
}

// deleteMissing deletes from dst those of keys that src does not hold.
func deleteMissing(dst, src *DB, p [][]byte, keys [][]byte) error {
	var gone [][]byte
	err := src.view(func(tx kv.Tx) error {
		gone = gone[:0]
		b := bucketAt(tx, p)
		for _, k := range keys {
			if b == nil || b.Get(k) == nil {
				gone = append(gone, k)
			}
		}
		return nil
	})
	if err != nil || len(gone) == 0 {
		return err
	}
	return dst.update(func(tx kv.Tx) error {
		b := bucketAt(tx, p)
		for _, k := range gone {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// walk calls fn with every key and value of the bucket at p, in order,
// reading ExportChunk keys per read transaction. Nested buckets are
// skipped. fn may write to another database.
func (db *DB) walk(ctx context.Context, p [][]byte, fn func(k, v []byte) error) error {
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var chunk [][2][]byte
		err := db.view(func(tx kv.Tx) error {
			chunk = chunk[:0]
			b := bucketAt(tx, p)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			k, v := firstAfter(c, after)
			for ; k != nil && len(chunk) < db.opts.ExportChunk; k, v = c.Next() {
				if v == nil && b.Bucket(k) != nil {
					continue // a nested bucket (bbolt lists them with the keys)
				}
				chunk = append(chunk, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range chunk {
			if err := fn(e[0], e[1]); err != nil {
				return err
			}
		}
		if len(chunk) < db.opts.ExportChunk {
			return nil
		}
		after = chunk[len(chunk)-1][0]
	}
}

// bucketPaths lists every bucket: the top-level ones, then those nested
// in them (the outbox's channels).
func (db *DB) bucketPaths() ([][][]byte, error) {
	var paths [][][]byte
	err := db.view(func(tx kv.Tx) error {
		paths = paths[:0]
		var add func(b kv.Bucket, p [][]byte) error
		add = func(b kv.Bucket, p [][]byte) error {
			paths = append(paths, p)
			return b.ForEachBucket(func(name []byte) error {
				return add(b.Bucket(name), append(slices.Clip(p), bytes.Clone(name)))
			})
		}
		for _, name := range allBuckets {
			if b := tx.Bucket(name); b != nil {
				if err := add(b, [][]byte{name}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return paths, err
}

func bucketAt(tx kv.Tx, p [][]byte) kv.Bucket {
	b := tx.Bucket(p[0])
	for _, name := range p[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}

func createAt(tx kv.Tx, p [][]byte) (kv.Bucket, error) {
	b, err := tx.CreateBucketIfNotExists(p[0])
	for _, name := range p[1:] {
		if err != nil {
			return nil, err
		}
		b, err = b.CreateBucketIfNotExists(name)
	}
	return b, err
}

func pathName(p [][]byte) string {
	parts := make([]string, len(p))
	for i, n := range p {
		parts[i] = string(n)
	}
	return strings.Join(parts, "/")
}
