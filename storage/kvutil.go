package storage

import "consultbot/storage/kv"

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
