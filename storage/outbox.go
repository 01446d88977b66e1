package storage

import (
	"context"
	"encoding/binary"
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
// participant) stays gone, and a claimed one stays claimed (Claim), a
// reminder tied to its person's session as it was (outgoingRecord.After).
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
		if old.Claimed && !rec.Claimed {
			rec.Claimed, rec.ClaimNote = true, old.ClaimNote
		}
		rec.After = old.After
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

var _ bot.OutboxFeed = (*DB)(nil)

// ErrNotShared is returned by FollowOutbox on a backend only this process
// writes (a bbolt file): there is no one else's outbox entry to follow.
var ErrNotShared = errors.New("the store is not shared between processes: nothing to follow")

// FollowOutbox calls fn with the replies in the outbox of channels, oldest
// first, then, until ctx ends, with every reply committed to them later,
// by this process or another sharing the store, in commit order. It
// returns once the first call is done; the channel carries what ended the
// following early and is closed when it ends. Only a backend shared
// between processes (etcd) can be followed; replicas sharing one use it
// so that the leader delivers what the others commit.
func (db *DB) FollowOutbox(ctx context.Context, channels []string, fn func([]bot.Outgoing)) (<-chan error, error) {
	f, ok := db.kv.(kv.Follower)
	if !ok {
		return nil, fmt.Errorf("follow the outbox: %w", ErrNotShared)
	}
	wanted := make(map[string]bool, len(channels))
	for _, ch := range channels {
		wanted[ch] = true
	}
	var bad error
	ctx, cancel := context.WithCancel(ctx)
	errc, err := f.Follow(ctx, bucketOutbox, func(keys []kv.Created) {
		if bad != nil {
			return
		}
		outs := make([]bot.Outgoing, 0, len(keys))
		for _, k := range keys {
			if !wanted[string(k.Bucket)] || len(k.Key) != 8 {
				continue
			}
			out, err := decodeOutgoing(binary.BigEndian.Uint64(k.Key), k.Value)
			if err != nil {
				// Nothing after it may go first: stop here.
				bad = err
				cancel()
				return
			}
			outs = append(outs, out)
		}
		if len(outs) > 0 {
			fn(outs)
		}
	})
	if err == nil && bad != nil {
		err = bad
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("follow the outbox: %w", err)
	}
	out := make(chan error, 1)
	go func() {
		defer close(out)
		defer cancel()
		err, ok := <-errc
		if !ok && bad != nil {
			err, ok = bad, true
		}
		if ok {
			out <- fmt.Errorf("follow the outbox: %w", err)
		}
	}()
	return out, nil
}
