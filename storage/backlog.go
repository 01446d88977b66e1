package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
)

var (
	_ bot.Backlog       = (*DB)(nil)
	_ bot.Undeliverable = (*DB)(nil)
)

// Flood-control and delivery-failure buckets, created by Open with the
// others (allBuckets).
var (
	// bucketBacklog maps participant/big-endian sequence to a heldRecord:
	// the events flood control held back, applied later in key order. Its
	// own sequence orders them.
	bucketBacklog = []byte("backlog")
	// bucketBacklogIDs maps a held event's id to its key in bucketBacklog,
	// so that a redelivery of a held event is dropped like an applied one.
	bucketBacklogIDs = []byte("backlog_ids")
	// bucketUndeliverable maps participant/big-endian outbox sequence to
	// an undeliverableRecord: replies the platform refused for good.
	bucketUndeliverable = []byte("undeliverable")
)

const (
	heldRecordV          = 1
	undeliverableRecordV = 1
)

// heldRecord is an inbound event waiting in a participant's backlog. It
// carries the person's text until it is applied, like the event itself.
type heldRecord struct {
	V           int         `json:"v"`
	ID          string      `json:"id"`
	Channel     string      `json:"channel"`
	Participant string      `json:"participant"`
	Address     string      `json:"address"`
	Event       flows.Event `json:"event"`
	At          time.Time   `json:"at"`
	HeldAt      time.Time   `json:"held_at"`
}

// undeliverableRecord keeps why a reply could not be delivered. Its text
// and address are not kept: the person cannot be reached, and the reply
// may quote their answers.
type undeliverableRecord struct {
	V           int       `json:"v"`
	Seq         uint64    `json:"seq"`
	Channel     string    `json:"channel"`
	Participant string    `json:"participant"`
	EventID     string    `json:"event_id"`
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"created_at"`
	At          time.Time `json:"at"`
}

// Hold commits an event to its participant's backlog instead of applying
// it, with its id recorded so that a redelivery is a duplicate, and the
// replies notice returns (if notice is not nil; it gets the language of
// the participant's session) in the outbox, all in one transaction. Once
// it returns the adapter may confirm the event to its platform.
func (db *DB) Hold(ctx context.Context, in bot.Inbound, now time.Time, notice func(lang string) []flows.Reply) (bot.Applied, error) {
	if err := ctx.Err(); err != nil {
		return bot.Applied{}, fmt.Errorf("hold %q: %w", in.ID, err)
	}
	if in.ID == "" || in.Channel == "" {
		return bot.Applied{}, fmt.Errorf("hold %q: event has no id or channel", in.ID)
	}
	if err := checkID("participant", in.Participant); err != nil {
		return bot.Applied{}, fmt.Errorf("hold %q: %w", in.ID, err)
	}
	var res bot.Applied
	err := db.write(func(tx kv.Tx) (err error) {
		res, err = holdTx(tx, in, now, notice)
		return err
	})
	if err != nil {
		return bot.Applied{}, fmt.Errorf("hold %q: %w", in.ID, err)
	}
	return res, nil
}

// holdTx puts in at the end of its participant's backlog, with notice's
// replies in the outbox, unless it was applied or held already
// (Duplicate).
func holdTx(tx kv.Tx, in bot.Inbound, now time.Time, notice func(lang string) []flows.Reply) (bot.Applied, error) {
	id := []byte(in.ID)
	ids := tx.Bucket(bucketBacklogIDs)
	if tx.Bucket(bucketApplied).Get(id) != nil || ids.Get(id) != nil {
		return bot.Applied{Duplicate: true}, nil
	}
	backlog := tx.Bucket(bucketBacklog)
	seq, err := backlog.NextSequence()
	if err != nil {
		return bot.Applied{}, fmt.Errorf("backlog sequence: %w", err)
	}
	b, err := json.Marshal(heldRecord{
		V: heldRecordV, ID: in.ID, Channel: in.Channel, Participant: in.Participant,
		Address: in.Address, Event: in.Event, At: in.At, HeldAt: now,
	})
	if err != nil {
		return bot.Applied{}, fmt.Errorf("encode held event: %w", err)
	}
	key := append([]byte(in.Participant+sep), u64(seq)...)
	if err := backlog.Put(key, b); err != nil {
		return bot.Applied{}, fmt.Errorf("put held event: %w", err)
	}
	if err := ids.Put(id, key); err != nil {
		return bot.Applied{}, fmt.Errorf("put held event id: %w", err)
	}
	if notice == nil {
		return bot.Applied{}, nil
	}
	lang := ""
	if raw := tx.Bucket(bucketSessions).Get([]byte(in.Participant)); raw != nil {
		r, err := decodeSession(raw)
		if err != nil {
			return bot.Applied{}, err
		}
		lang = r.Session.Lang
	}
	var res bot.Applied
	res.Outbox, err = putOutbox(tx, in, now, notice(lang))
	return res, err
}

// holdBehindTx holds in back when its participant has events in the
// backlog, so that it does not overtake them: with replicas, flood control
// on one of them may hold a person's events while the next arrives at
// another, which does not know. held reports that it did (Held), or that
// in is there already (Duplicate).
func holdBehindTx(tx kv.Tx, in bot.Inbound, now time.Time) (res bot.Applied, held bool, err error) {
	if tx.Bucket(bucketBacklogIDs).Get([]byte(in.ID)) != nil {
		return bot.Applied{Duplicate: true}, true, nil
	}
	prefix := []byte(in.Participant + sep)
	k, _ := tx.Bucket(bucketBacklog).Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return bot.Applied{}, false, nil
	}
	res, err = holdTx(tx, in, now, nil)
	res.Held = err == nil && !res.Duplicate
	return res, true, err
}

// putOutbox adds replies to in's channel outbox, as Apply does.
func putOutbox(tx kv.Tx, in bot.Inbound, now time.Time, replies []flows.Reply) ([]bot.Outgoing, error) {
	if len(replies) == 0 {
		return nil, nil
	}
	outbox := tx.Bucket(bucketOutbox)
	ch, err := outbox.CreateBucketIfNotExists([]byte(in.Channel))
	if err != nil {
		return nil, fmt.Errorf("outbox bucket %q: %w", in.Channel, err)
	}
	outs := make([]bot.Outgoing, 0, len(replies))
	for _, r := range replies {
		seq, err := outbox.NextSequence()
		if err != nil {
			return nil, fmt.Errorf("outbox sequence: %w", err)
		}
		out := bot.Outgoing{Seq: seq, Channel: in.Channel, Address: in.Address, Participant: in.Participant, EventID: in.ID, Reply: r, CreatedAt: now}
		b, err := json.Marshal(newOutgoingRecord(out))
		if err != nil {
			return nil, fmt.Errorf("encode outbox entry: %w", err)
		}
		if err := ch.Put(u64(seq), b); err != nil {
			return nil, fmt.Errorf("put outbox entry: %w", err)
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// ApplyHeld applies the oldest event of a participant's backlog exactly as
// Apply would (step(in) advances the session) and removes it from the
// backlog, in one transaction; applied.Held says that more remain. ok is
// false when the backlog is empty.
func (db *DB) ApplyHeld(ctx context.Context, participant string, now time.Time, step func(bot.Inbound) bot.StepFunc) (in bot.Inbound, applied bot.Applied, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return bot.Inbound{}, bot.Applied{}, false, fmt.Errorf("apply held event of %q: %w", participant, err)
	}
	var done *stepped
	err = db.write(func(tx kv.Tx) error {
		in, applied, ok, done = bot.Inbound{}, bot.Applied{}, false, nil
		prefix := []byte(participant + sep)
		c := tx.Bucket(bucketBacklog).Cursor()
		k, v := c.Seek(prefix)
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return nil
		}
		key := bytes.Clone(k)
		var r heldRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode held event: %w", err)
		}
		next, _ := c.Next()
		more := next != nil && bytes.HasPrefix(next, prefix)
		if r.V > heldRecordV {
			return fmt.Errorf("decode held event: record version %d is newer than %d", r.V, heldRecordV)
		}
		in = bot.Inbound{ID: r.ID, Channel: r.Channel, Participant: r.Participant, Address: r.Address, Event: r.Event, At: r.At}
		var err error
		if applied, done, err = applyTx(tx, db, in, now, step(in), nil); err != nil {
			return err
		}
		applied.Held = more
		if err := tx.Bucket(bucketBacklog).Delete(key); err != nil {
			return fmt.Errorf("delete held event: %w", err)
		}
		if err := tx.Bucket(bucketBacklogIDs).Delete([]byte(r.ID)); err != nil {
			return fmt.Errorf("delete held event id: %w", err)
		}
		ok = true
		return nil
	})
	if err != nil {
		return bot.Inbound{}, bot.Applied{}, false, fmt.Errorf("apply held event of %q: %w", participant, err)
	}
	db.sessions.committed(done)
	return in, applied, ok, nil
}

// Held counts the events waiting in each participant's backlog, for the
// engine to resume applying them after a restart.
func (db *DB) Held(ctx context.Context) (map[string]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("held events: %w", err)
	}
	held := map[string]int{}
	err := db.view(func(tx kv.Tx) error {
		clear(held)
		return tx.Bucket(bucketBacklog).ForEach(func(k, _ []byte) error {
			if len(k) > 8+len(sep) {
				held[string(k[:len(k)-8-len(sep)])]++
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("held events: %w", err)
	}
	return held, nil
}

// MarkUndeliverable moves a reply that the platform refused for good out
// of the outbox into the undeliverable records, with the reason, in one
// transaction.
func (db *DB) MarkUndeliverable(ctx context.Context, out bot.Outgoing, reason string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mark undeliverable %d: %w", out.Seq, err)
	}
	err := db.update(func(tx kv.Tx) error {
		if ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel)); ch != nil {
			if err := ch.Delete(u64(out.Seq)); err != nil {
				return err
			}
		}
		b, err := json.Marshal(undeliverableRecord{
			V: undeliverableRecordV, Seq: out.Seq, Channel: out.Channel, Participant: out.Participant,
			EventID: out.EventID, Reason: reason, CreatedAt: out.CreatedAt, At: at,
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketUndeliverable).Put(append([]byte(out.Participant+sep), u64(out.Seq)...), b)
	})
	if err != nil {
		return fmt.Errorf("mark undeliverable %d: %w", out.Seq, err)
	}
	return nil
}

// UndeliverableReply is a read view of a reply the platform refused.
type UndeliverableReply struct {
	Seq         uint64
	Channel     string
	Participant string
	EventID     string
	Reason      string
	CreatedAt   time.Time
	At          time.Time
}

// Undeliverable lists the replies refused for good, by participant then
// sequence.
func (db *DB) Undeliverable() ([]UndeliverableReply, error) {
	var list []UndeliverableReply
	err := db.view(func(tx kv.Tx) error {
		list = nil
		return tx.Bucket(bucketUndeliverable).ForEach(func(k, v []byte) error {
			var r undeliverableRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode undeliverable record: %w", err)
			}
			list = append(list, UndeliverableReply{Seq: r.Seq, Channel: r.Channel, Participant: r.Participant, EventID: r.EventID, Reason: r.Reason, CreatedAt: r.CreatedAt, At: r.At})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("undeliverable replies: %w", err)
	}
	return list, nil
}
