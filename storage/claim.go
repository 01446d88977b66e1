package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"consultbot/bot"
	"consultbot/storage/kv"
)

var _ bot.Claims = (*DB)(nil)

// Claim is asked just before out, a reminder or an announcement, leaves
// for its platform. It reports false, and deletes out's outbox entry, when
// the entry is gone (delivered, given up, erased with its person) or the
// person no longer accepts reminders and announcements: their contact
// (bucketReminderContacts) exists only while they do. For a reminder
// (out.Once) it marks the entry claimed in the same commit, so that
// Pending reports it Claimed and it is not sent again. An announcement
// costs a read only, unless it is dropped.
func (db *DB) Claim(ctx context.Context, out bot.Outgoing) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("claim outbox entry %d: %w", out.Seq, err)
	}
	if !out.Once {
		keep := false
		err := db.view(func(tx kv.Tx) error {
			keep = wantedTx(tx, out)
			return nil
		})
		if err != nil {
			return false, fmt.Errorf("claim outbox entry %d: %w", out.Seq, err)
		}
		if keep {
			return true, nil
		}
	}
	keep := false
	err := db.write(func(tx kv.Tx) error {
		keep = false
		ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel))
		if ch == nil {
			return nil
		}
		if !wantedTx(tx, out) {
			return ch.Delete(u64(out.Seq))
		}
		keep = true
		if !out.Once {
			return nil
		}
		return setClaimedTx(ch, out.Seq, true)
	})
	if err != nil {
		return false, fmt.Errorf("claim outbox entry %d: %w", out.Seq, err)
	}
	return keep, nil
}

// Unclaim lifts the claim on the reminder out, which its platform did not
// take, so that a restart sends it; an entry no longer there stays gone.
func (db *DB) Unclaim(ctx context.Context, out bot.Outgoing) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("unclaim outbox entry %d: %w", out.Seq, err)
	}
	err := db.write(func(tx kv.Tx) error {
		ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel))
		if ch == nil {
			return nil
		}
		return setClaimedTx(ch, out.Seq, false)
	})
	if err != nil {
		return fmt.Errorf("unclaim outbox entry %d: %w", out.Seq, err)
	}
	return nil
}

// wantedTx reports whether out is still in the outbox and its person
// still accepts reminders and announcements.
func wantedTx(tx kv.Tx, out bot.Outgoing) bool {
	ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel))
	if ch == nil || ch.Get(u64(out.Seq)) == nil {
		return false
	}
	return out.Participant != "" && tx.Bucket(bucketReminderContacts).Get([]byte(out.Participant)) != nil
}

// setClaimedTx sets the claim of the outbox entry seq of ch, if it is
// there and differs.
func setClaimedTx(ch kv.Bucket, seq uint64, claimed bool) error {
	v := ch.Get(u64(seq))
	if v == nil {
		return nil
	}
	var r outgoingRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return fmt.Errorf("decode outbox entry %d: %w", seq, err)
	}
	if r.V > outgoingRecordV {
		return fmt.Errorf("decode outbox entry %d: record version %d is newer than %d", seq, r.V, outgoingRecordV)
	}
	if r.Claimed == claimed {
		return nil
	}
	r.Claimed = claimed
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode outbox entry %d: %w", seq, err)
	}
	return ch.Put(u64(seq), b)
}
