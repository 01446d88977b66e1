package storage

import (
	"bytes"

	"consultbot/storage/kv"
)

// firstAfter moves c to the first key after after, or to the first key
// when after is empty: where a walk in chunks resumes, after the last key
// of the chunk before.
func firstAfter(c kv.Cursor, after []byte) (key, value []byte) {
	if len(after) == 0 {
		return c.First()
	}
	k, v := c.Seek(after)
	if k != nil && bytes.Equal(k, after) {
		return c.Next()
	}
	return k, v
}

// countKeys counts the keys of b (nested buckets excluded on etcd,
// included on bbolt, as bbolt's KeyN does; none of the counted buckets
// has any).
func countKeys(b kv.Bucket) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}
