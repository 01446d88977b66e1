package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"consultbot/storage/kv"
)

// Moderation buckets (schema version 2).
var (
	// bucketAnswerIDs maps a big-endian answer id to the answer's key in
	// bucketAnswers, so that organisers can name an answer by its id. An
	// entry whose answer was deleted (or whose key now holds another id)
	// is stale and reads as "no such answer".
	bucketAnswerIDs = []byte("answer_ids")
	// bucketHidden maps the big-endian id of a hidden answer to when it
	// was hidden (big-endian Unix nanoseconds). Hiding never touches the
	// answer itself, so unhiding restores it exactly.
	bucketHidden = []byte("hidden")
)

// ErrNoAnswer is returned by the moderation methods for an answer id that
// does not exist (or no longer does).
var ErrNoAnswer = errors.New("no such answer")

// migrateV2 builds the answer id index of a file written by schema 1, in
// Open's transaction. Later versions find it done.
func migrateV2(tx kv.Tx) error {
	if v := tx.Bucket(bucketMeta).Get(keySchema); len(v) == 8 && binary.BigEndian.Uint64(v) >= 2 {
		return nil
	}
	ids := tx.Bucket(bucketAnswerIDs)
	return tx.Bucket(bucketAnswers).ForEach(func(k, v []byte) error {
		r, err := decodeAnswer(v)
		if err != nil {
			return fmt.Errorf("migrate answer %s: %w", k, err)
		}
		if err := ids.Put(u64(r.ID), k); err != nil {
			return fmt.Errorf("migrate answer %s: %w", k, err)
		}
		return nil
	})
}

// answerByID finds an answer by its id through the index, checking that
// the record still carries that id.
func answerByID(tx kv.Tx, id uint64) (answerRecord, []byte, error) {
	key := tx.Bucket(bucketAnswerIDs).Get(u64(id))
	if key == nil {
		return answerRecord{}, nil, fmt.Errorf("answer %d: %w", id, ErrNoAnswer)
	}
	v := tx.Bucket(bucketAnswers).Get(key)
	if v == nil {
		return answerRecord{}, nil, fmt.Errorf("answer %d: %w", id, ErrNoAnswer)
	}
	r, err := decodeAnswer(v)
	if err != nil {
		return answerRecord{}, nil, fmt.Errorf("answer %d: %w", id, err)
	}
	if r.ID != id {
		return answerRecord{}, nil, fmt.Errorf("answer %d: %w", id, ErrNoAnswer)
	}
	return r, key, nil
}

// AnswerByID returns the answer with that id, with its hidden flag, or an
// error wrapping ErrNoAnswer.
func (db *DB) AnswerByID(id uint64) (Answer, bool, error) {
	var a Answer
	var hidden bool
	err := db.view(func(tx kv.Tx) error {
		r, _, err := answerByID(tx, id)
		if err != nil {
			return err
		}
		a = r.view()
		hidden = tx.Bucket(bucketHidden).Get(u64(id)) != nil
		return nil
	})
	if err != nil {
		return Answer{}, false, err
	}
	return a, hidden, nil
}

// SetHidden hides or unhides an answer: hidden answers are left out of
// digests and flagged in exports; nothing is deleted. It returns the answer
// and whether its state changed (hiding twice is harmless), or an error
// wrapping ErrNoAnswer.
func (db *DB) SetHidden(id uint64, hidden bool, now time.Time) (Answer, bool, error) {
	var a Answer
	var changed bool
	err := db.update(func(tx kv.Tx) error {
		r, _, err := answerByID(tx, id)
		if err != nil {
			return err
		}
		a = r.view()
		b := tx.Bucket(bucketHidden)
		was := b.Get(u64(id)) != nil
		changed = was != hidden
		if !changed {
			return nil
		}
		if err := dropDigestPartTx(tx, r.CreatedAt); err != nil {
			return err
		}
		if hidden {
			return b.Put(u64(id), u64(uint64(now.UnixNano())))
		}
		return b.Delete(u64(id))
	})
	if err != nil {
		return Answer{}, false, fmt.Errorf("set hidden: %w", err)
	}
	return a, changed, nil
}

// SetBanned bans or unbans the author of an answer: it sets Banned in the
// participant's session, in one transaction, so that the conversation
// politely ignores them (flows) and digests leave their answers out.
// Nothing of theirs is deleted. It returns the participant and whether the
// state changed, or an error wrapping ErrNoAnswer.
func (db *DB) SetBanned(id uint64, banned bool) (string, bool, error) {
	var participant string
	var changed bool
	err := db.update(func(tx kv.Tx) error {
		r, _, err := answerByID(tx, id)
		if err != nil {
			return err
		}
		participant = r.Participant
		sessions := tx.Bucket(bucketSessions)
		v := sessions.Get([]byte(participant))
		if v == nil {
			return fmt.Errorf("participant of answer %d has no session", id)
		}
		// The progress record counts the answers; the session record
		// does not hold them.
		rec, err := loadSessionTx(tx, participant, v)
		if err != nil {
			return err
		}
		s := rec.Session
		changed = s.Banned != banned
		if !changed {
			return nil
		}
		s.Banned = banned
		b, err := encodeSession(s, db.stamps.Add(1))
		if err != nil {
			return err
		}
		if err := sessions.Put([]byte(participant), b); err != nil {
			return err
		}
		return putProgressTx(tx, rec.Session, s)
	})
	if err != nil {
		return "", false, fmt.Errorf("set banned: %w", err)
	}
	return participant, changed, nil
}

// HiddenAnswers returns the ids of the hidden answers. It reads one small
// bucket in one short transaction: organisers hide a handful of answers,
// not a sizeable share of the store.
func (db *DB) HiddenAnswers() (map[uint64]bool, error) {
	ids := map[uint64]bool{}
	err := db.view(func(tx kv.Tx) error {
		clear(ids)
		b := tx.Bucket(bucketHidden)
		if b == nil {
			return nil // a schema 1 file opened read-only: nothing hidden
		}
		return b.ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				ids[binary.BigEndian.Uint64(k)] = true
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("hidden answers: %w", err)
	}
	return ids, nil
}
