package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"consultbot/bot"
	"consultbot/storage/kv"
)

var _ bot.Claims = (*DB)(nil)

// Claim is asked just before out, a reminder or an announcement, leaves
// for its platform. It reports false, and deletes out's outbox entry, when
// the entry is gone (delivered, given up, erased with its person), the
// person no longer accepts reminders and announcements (their contact,
// bucketReminderContacts, exists only while they do) or, for a reminder,
// the person wrote or tapped since it entered the outbox (cameBackTx): a
// reminder sent then would come below the reply to them, a stale prompt
// as the last message of the chat. Otherwise it marks
// the entry claimed, with out.ClaimNote, in the same commit, so that
// Pending reports it Claimed: a reminder is then not sent again, an
// announcement is settled by its Sender (bot.Settler). A reminder it
// drops was never sent: in the same commit it no longer counts toward
// the person's allowance (refundTx).
func (db *DB) Claim(ctx context.Context, out bot.Outgoing) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("claim outbox entry %d: %w", out.Seq, err)
	}
	keep := false
	var refund *refunded
	err := db.write(func(tx kv.Tx) error {
		keep, refund = false, nil
		ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel))
		if ch == nil {
			return nil
		}
		if !wantedTx(tx, out) {
			var err error
			if refund, err = refundTx(tx, out.Participant, ch.Get(u64(out.Seq))); err != nil {
				return err
			}
			return ch.Delete(u64(out.Seq))
		}
		keep = true
		return setClaimedTx(ch, out.Seq, true, out.ClaimNote)
	})
	if err != nil {
		return false, fmt.Errorf("claim outbox entry %d: %w", out.Seq, err)
	}
	if refund != nil {
		db.sessions.refunded(out.Participant, refund.from, refund.to)
	}
	return keep, nil
}

// refunded is a session record rewritten by refundTx: from the bytes
// stored before to those stored after.
type refunded struct{ from, to []byte }

// refundTx takes back, in participant's session, the count of the
// reminder entry, an outbox record being dropped unsent (Claim): it
// counted toward Reminders.Sent when its step queued it. The record
// keeps its stamp: the person did nothing. Nothing is done for an
// announcement, an entry already gone or a person erased.
func refundTx(tx kv.Tx, participant string, entry []byte) (*refunded, error) {
	var e struct {
		Once bool `json:"once"`
	}
	if entry == nil || json.Unmarshal(entry, &e) != nil || !e.Once || participant == "" {
		return nil, nil
	}
	sessions := tx.Bucket(bucketSessions)
	raw := sessions.Get([]byte(participant))
	if raw == nil {
		return nil, nil
	}
	r, err := decodeSession(raw)
	if err != nil || r.V < 2 || r.Session.Reminders.Sent <= 0 {
		// A record that cannot be read is left to the next step, which
		// reports it; a version 1 record is migrated at Open.
		return nil, nil
	}
	r.Session.Reminders.Sent--
	b, err := encodeSession(r.Session, r.Stamp)
	if err != nil {
		return nil, err
	}
	if err := sessions.Put([]byte(participant), b); err != nil {
		return nil, fmt.Errorf("put session: %w", err)
	}
	return &refunded{from: bytes.Clone(raw), to: b}, nil
}

// Unclaim lifts the claim on out, which its platform did not take, so
// that a restart sends it; an entry no longer there stays gone.
func (db *DB) Unclaim(ctx context.Context, out bot.Outgoing) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("unclaim outbox entry %d: %w", out.Seq, err)
	}
	err := db.write(func(tx kv.Tx) error {
		ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel))
		if ch == nil {
			return nil
		}
		return setClaimedTx(ch, out.Seq, false, "")
	})
	if err != nil {
		return fmt.Errorf("unclaim outbox entry %d: %w", out.Seq, err)
	}
	return nil
}

// wantedTx reports whether out is still in the outbox, its person still
// accepts reminders and announcements and, for a reminder, has not come
// back since it entered the outbox.
func wantedTx(tx kv.Tx, out bot.Outgoing) bool {
	ch := tx.Bucket(bucketOutbox).Bucket([]byte(out.Channel))
	if ch == nil {
		return false
	}
	v := ch.Get(u64(out.Seq))
	if v == nil || out.Participant == "" || tx.Bucket(bucketReminderContacts).Get([]byte(out.Participant)) == nil {
		return false
	}
	return !cameBackTx(tx, out.Participant, v)
}

// cameBackTx reports whether the person of entry, an outbox record, acted
// after it entered the outbox, when it is a reminder: their session was
// written again since the reminder's step (any message, tap or command of
// theirs writes it), or an event of theirs waits in the backlog, held by
// flood control. An entry that cannot be read is left to the sending
// path, which reports it; a session that cannot be read counts as
// written since: a reminder goes at most once, and may be dropped.
func cameBackTx(tx kv.Tx, participant string, entry []byte) bool {
	var r struct {
		Once  bool   `json:"once"`
		After uint64 `json:"after"`
	}
	if json.Unmarshal(entry, &r) != nil || !r.Once {
		return false
	}
	prefix := []byte(participant + sep)
	if k, _ := tx.Bucket(bucketBacklog).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
		return true
	}
	if r.After == 0 {
		return false
	}
	var s struct {
		Stamp uint64 `json:"stamp"`
	}
	raw := tx.Bucket(bucketSessions).Get([]byte(participant))
	return raw == nil || json.Unmarshal(raw, &s) != nil || s.Stamp != r.After
}

// setClaimedTx sets the claim of the outbox entry seq of ch, and its
// note, if it is there and they differ.
func setClaimedTx(ch kv.Bucket, seq uint64, claimed bool, note string) error {
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
	if r.Claimed == claimed && r.ClaimNote == note {
		return nil
	}
	r.Claimed, r.ClaimNote = claimed, note
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode outbox entry %d: %w", seq, err)
	}
	return ch.Put(u64(seq), b)
}
