package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"consultbot/bot"
	"consultbot/storage/kv"
)

// Digest buckets (schema version 2). They work like the outbox: one
// transaction moves the cursor, records the digest and one pending delivery
// per destination; each delivery is then posted and deleted.
var (
	// bucketDigest holds keyDigestCursor.
	bucketDigest = []byte("digest")
	// bucketDigestLog maps a big-endian sequence to a digestLogRecord: the
	// periodic digests recorded so far, kept as history.
	bucketDigestLog = []byte("digest_log")
	// bucketDigestOutbox maps a big-endian sequence to a
	// digestDeliveryRecord not yet posted.
	bucketDigestOutbox = []byte("digest_outbox")

	// keyDigestCursor is the end of the last periodic digest's period
	// (big-endian Unix nanoseconds); absent before the first one.
	keyDigestCursor = []byte("cursor")
)

const (
	digestLogRecordV      = 1
	digestDeliveryRecordV = 1
)

// ErrCursorMoved is returned by RecordDigest when the cursor is no longer
// where the digest's period starts: another digest for that period was
// recorded meanwhile, and this one must not be sent.
var ErrCursorMoved = errors.New("digest cursor moved")

type digestLogRecord struct {
	V          int       `json:"v"`
	Since      time.Time `json:"since,omitzero"`
	Until      time.Time `json:"until"`
	Content    []byte    `json:"content"`
	RecordedAt time.Time `json:"recorded_at"`
}

type digestDeliveryRecord struct {
	V         int    `json:"v"`
	DigestSeq uint64 `json:"digest_seq"`
	Channel   string `json:"channel"`
	Address   string `json:"address"`
}

// DigestDestination is one organiser chat or channel a periodic digest goes
// to.
type DigestDestination struct {
	// Channel is a bot.Channel* name; Address a chat or channel id.
	Channel, Address string
}

// DigestRecord is one recorded periodic digest.
type DigestRecord struct {
	Seq          uint64
	Since, Until time.Time
	// Content is what the caller recorded (the digest, encoded).
	Content    []byte
	RecordedAt time.Time
}

// DigestDelivery is one periodic digest still to post to one destination.
type DigestDelivery struct {
	Seq uint64
	DigestDestination
	Digest DigestRecord
}

// DigestCursor returns the end of the last periodic digest's period, or the
// zero time before the first one.
func (db *DB) DigestCursor() (time.Time, error) {
	var at time.Time
	err := db.view(func(tx kv.Tx) error {
		at = cursorTx(tx)
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("digest cursor: %w", err)
	}
	return at, nil
}

func cursorTx(tx kv.Tx) time.Time {
	b := tx.Bucket(bucketDigest)
	if b == nil {
		return time.Time{} // a schema 1 file opened read-only
	}
	v := b.Get(keyDigestCursor)
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
}

// RecordDigest records the periodic digest of [since, until), in one
// transaction: it moves the cursor from since to until, stores content and
// one pending delivery per destination. Each contribution thus belongs to
// exactly one recorded period. It fails with ErrCursorMoved when the cursor
// is not at since (compare-and-swap), and returns the digest's sequence.
func (db *DB) RecordDigest(since, until time.Time, content []byte, dests []DigestDestination, now time.Time) (uint64, error) {
	if !until.After(since) {
		return 0, fmt.Errorf("record digest: empty period [%s, %s)", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	var seq uint64
	err := db.update(func(tx kv.Tx) error {
		if cur := cursorTx(tx); !cur.Equal(since) {
			return fmt.Errorf("at %s, not %s: %w", cur.Format(time.RFC3339Nano), since.Format(time.RFC3339Nano), ErrCursorMoved)
		}
		if err := tx.Bucket(bucketDigest).Put(keyDigestCursor, u64(uint64(until.UnixNano()))); err != nil {
			return err
		}
		log := tx.Bucket(bucketDigestLog)
		var err error
		if seq, err = log.NextSequence(); err != nil {
			return err
		}
		b, err := json.Marshal(digestLogRecord{V: digestLogRecordV, Since: since, Until: until, Content: content, RecordedAt: now})
		if err != nil {
			return fmt.Errorf("encode digest: %w", err)
		}
		if err := log.Put(u64(seq), b); err != nil {
			return err
		}
		outbox := tx.Bucket(bucketDigestOutbox)
		for _, d := range dests {
			dseq, err := outbox.NextSequence()
			if err != nil {
				return err
			}
			b, err := json.Marshal(digestDeliveryRecord{V: digestDeliveryRecordV, DigestSeq: seq, Channel: d.Channel, Address: d.Address})
			if err != nil {
				return fmt.Errorf("encode digest delivery: %w", err)
			}
			if err := outbox.Put(u64(dseq), b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record digest: %w", err)
	}
	return seq, nil
}

// PendingDigests lists the periodic digest deliveries not yet marked sent,
// oldest first, each with its digest.
func (db *DB) PendingDigests() ([]DigestDelivery, error) {
	var list []DigestDelivery
	err := db.view(func(tx kv.Tx) error {
		list = nil
		log := tx.Bucket(bucketDigestLog)
		return tx.Bucket(bucketDigestOutbox).ForEach(func(k, v []byte) error {
			var r digestDeliveryRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode digest delivery %x: %w", k, err)
			}
			if r.V > digestDeliveryRecordV {
				return fmt.Errorf("decode digest delivery %x: record version %d is newer than %d", k, r.V, digestDeliveryRecordV)
			}
			rec, err := decodeDigestLog(r.DigestSeq, log.Get(u64(r.DigestSeq)))
			if err != nil {
				return err
			}
			list = append(list, DigestDelivery{
				Seq:               binary.BigEndian.Uint64(k),
				DigestDestination: DigestDestination{Channel: r.Channel, Address: r.Address},
				Digest:            rec,
			})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("pending digests: %w", err)
	}
	return list, nil
}

func decodeDigestLog(seq uint64, v []byte) (DigestRecord, error) {
	if v == nil {
		return DigestRecord{}, fmt.Errorf("digest %d is missing", seq)
	}
	var r digestLogRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return DigestRecord{}, fmt.Errorf("decode digest %d: %w", seq, err)
	}
	if r.V > digestLogRecordV {
		return DigestRecord{}, fmt.Errorf("decode digest %d: record version %d is newer than %d", seq, r.V, digestLogRecordV)
	}
	return DigestRecord{Seq: seq, Since: r.Since, Until: r.Until, Content: r.Content, RecordedAt: r.RecordedAt}, nil
}

// PostDigest moves a pending periodic digest delivery into the outbox, as
// out (the digest rendered for its destination), in one transaction: from
// then on it is delivered like any reply, under the engine's policy. It
// returns out with its sequence, or nothing when the delivery is no longer
// pending (moved already).
func (db *DB) PostDigest(ctx context.Context, delivery uint64, out bot.Outgoing) ([]bot.Outgoing, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("post digest delivery %d: %w", delivery, err)
	}
	var res []bot.Outgoing
	err := db.update(func(tx kv.Tx) error {
		res = nil
		pending := tx.Bucket(bucketDigestOutbox)
		if pending.Get(u64(delivery)) == nil {
			return nil
		}
		if err := pending.Delete(u64(delivery)); err != nil {
			return err
		}
		out, err := putOutgoing(tx, out)
		if err != nil {
			return err
		}
		res = []bot.Outgoing{out}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("post digest delivery %d: %w", delivery, err)
	}
	return res, nil
}

// MarkDigestSent removes a delivered digest from the pending ones; marking
// twice is harmless.
func (db *DB) MarkDigestSent(seq uint64) error {
	err := db.update(func(tx kv.Tx) error {
		return tx.Bucket(bucketDigestOutbox).Delete(u64(seq))
	})
	if err != nil {
		return fmt.Errorf("mark digest %d sent: %w", seq, err)
	}
	return nil
}

// DigestLog lists the recorded periodic digests, oldest first.
func (db *DB) DigestLog() ([]DigestRecord, error) {
	var list []DigestRecord
	err := db.view(func(tx kv.Tx) error {
		list = nil
		return tx.Bucket(bucketDigestLog).ForEach(func(k, v []byte) error {
			r, err := decodeDigestLog(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			list = append(list, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("digest log: %w", err)
	}
	return list, nil
}
