package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/storage/kv"
)

// OutboxStat describes one channel's outbox: how many replies wait in it
// and when the oldest was committed.
type OutboxStat struct {
	Depth  int
	Oldest time.Time // zero when Depth is 0
}

// OutboxStats returns the state of every channel's outbox, in one short
// read transaction: it counts the entries and decodes only the oldest of
// each channel (sequences increase with time).
func (db *DB) OutboxStats(ctx context.Context) (map[string]OutboxStat, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	stats := map[string]OutboxStat{}
	err := db.view(func(tx kv.Tx) error {
		clear(stats)
		return tx.Bucket(bucketOutbox).ForEachBucket(func(name []byte) error {
			ch := tx.Bucket(bucketOutbox).Bucket(name)
			var st OutboxStat
			c := ch.Cursor()
			k, v := c.First()
			if k != nil {
				var r struct {
					CreatedAt time.Time `json:"created_at"`
				}
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("outbox %s: decode entry: %w", name, err)
				}
				st.Oldest = r.CreatedAt
			}
			for ; k != nil; k, _ = c.Next() {
				st.Depth++
			}
			stats[string(name)] = st
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	return stats, nil
}

// BoltStats returns bbolt's counters: transactions, pages, free pages and
// the cumulated statistics of every committed transaction.
// They are zero when the database is not a bbolt file.
func (db *DB) BoltStats() bolt.Stats {
	if db.bolt == nil {
		return bolt.Stats{}
	}
	return db.bolt.Stats()
}

// Ping reads the database in a read transaction: an error says it is
// closed or cannot be read.
func (db *DB) Ping() error {
	return db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return fmt.Errorf("ping db %q: no meta bucket", db.path)
		}
		return nil
	})
}
