package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	"consultbot/storage/kv"
)

// bucketPaidBroadcast maps a day ("2026-12-01", UTC) to the number of
// Telegram paid broadcast messages reserved that day (big-endian), so that
// a restart, or another replica sharing the store, does not spend the
// day's budget a second time. It holds no personal data.
var bucketPaidBroadcast = []byte("paid_broadcast")

// ReservePaid adds up to n messages to day's paid broadcast count without
// taking it above limit, in one transaction, and returns how many it added
// and the day's count after it. Reserving before sending errs on the safe
// side: what a process reserved and had not sent when it stopped stays
// counted.
func (db *DB) ReservePaid(ctx context.Context, day string, n, limit int64) (granted, total int64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("reserve paid messages: %w", err)
	}
	err = db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketPaidBroadcast)
		cur := paidCount(b.Get([]byte(day)))
		granted = max(0, min(n, limit-cur))
		total = cur + granted
		if granted == 0 {
			return nil
		}
		return b.Put([]byte(day), u64(uint64(total)))
	})
	if err != nil {
		return 0, 0, fmt.Errorf("reserve paid messages for %s: %w", day, err)
	}
	return granted, total, nil
}

// PaidReserved returns day's paid broadcast count (see ReservePaid).
func (db *DB) PaidReserved(ctx context.Context, day string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("paid messages: %w", err)
	}
	var n int64
	err := db.view(func(tx kv.Tx) error {
		n = paidCount(tx.Bucket(bucketPaidBroadcast).Get([]byte(day)))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("paid messages for %s: %w", day, err)
	}
	return n, nil
}

func paidCount(v []byte) int64 {
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}
