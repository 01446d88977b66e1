package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"consultbot/bot"
	"consultbot/storage/kv"
)

var _ bot.Outbox = (*DB)(nil)

// Post commits replies that no inbound event produced (organiser results)
// to the outbox, in one transaction, and returns them with their
// sequences.
func (db *DB) Post(ctx context.Context, outs []bot.Outgoing) ([]bot.Outgoing, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("post replies: %w", err)
	}
	for _, out := range outs {
		if out.Channel == "" || out.Address == "" {
			return nil, errors.New("post replies: a reply has no channel or address")
		}
	}
	var res []bot.Outgoing
	err := db.write(func(tx kv.Tx) error {
		res = make([]bot.Outgoing, 0, len(outs))
		for _, out := range outs {
			out, err := putOutgoing(tx, out)
			if err != nil {
				return err
			}
			res = append(res, out)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("post replies: %w", err)
	}
	return res, nil
}

// putOutgoing stores out under a new outbox sequence and returns it with
// that sequence.
func putOutgoing(tx kv.Tx, out bot.Outgoing) (bot.Outgoing, error) {
	outbox := tx.Bucket(bucketOutbox)
	ch, err := outbox.CreateBucketIfNotExists([]byte(out.Channel))
	if err != nil {
		return out, fmt.Errorf("outbox bucket %q: %w", out.Channel, err)
	}
	if out.Seq, err = outbox.NextSequence(); err != nil {
		return out, fmt.Errorf("outbox sequence: %w", err)
	}
	b, err := json.Marshal(newOutgoingRecord(out))
	if err != nil {
		return out, fmt.Errorf("encode outbox entry: %w", err)
	}
	if err := ch.Put(u64(out.Seq), b); err != nil {
		return out, fmt.Errorf("put outbox entry: %w", err)
	}
	return out, nil
}

// Rewrite replaces the outbox entry out.Seq with out, so that a reply the
// delivery policy degraded is resumed in that form after a restart. An
// entry no longer there (delivered, given up, or erased with its
// participant) stays gone, and a claimed one stays claimed (Claim).
func (db *DB) Rewrite(ctx context.Context, out bot.Outgoing) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rewrite outbox entry %d: %w", out.Seq, err)
	}
	err := db.update(func(tx kv.Tx) error {
		ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel))
		if ch == nil {
			return nil
		}
		v := ch.Get(u64(out.Seq))
		if v == nil {
			return nil
		}
		var old outgoingRecord
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		rec := newOutgoingRecord(out)
		rec.Claimed = rec.Claimed || old.Claimed
		b, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		return ch.Put(u64(out.Seq), b)
	})
	if err != nil {
		return fmt.Errorf("rewrite outbox entry %d: %w", out.Seq, err)
	}
	return nil
}
