package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
)

// loadSessionTx returns the record stored as raw under participant, its
// session with its answers: those of a version 2 record are read from
// bucketAnswers through the participant index, a version 1 record
// carries them.
func loadSessionTx(tx kv.Tx, participant string, raw []byte) (sessionRecord, error) {
	r, err := decodeSession(raw)
	if err != nil {
		return sessionRecord{}, err
	}
	if r.V >= 2 {
		if r.Session.Answers, err = participantAnswersTx(tx, participant); err != nil {
			return sessionRecord{}, err
		}
	}
	return r, nil
}

// participantAnswersTx reads a participant's answers as their session
// holds them, keyed by flows.AnswerKey; nil when there are none.
func participantAnswersTx(tx kv.Tx, participant string) (map[string]flows.Answer, error) {
	var m map[string]flows.Answer
	err := eachParticipantAnswerTx(tx, participant, func(r answerRecord) {
		if m == nil {
			m = make(map[string]flows.Answer)
		}
		m[flows.AnswerKey(r.Theme, r.Question)] = r.answer()
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// eachParticipantAnswerTx calls fn with each answer of participant, by
// theme then question, through the participant index. An index entry
// that is corrupt or points to no answer is an error.
func eachParticipantAnswerTx(tx kv.Tx, participant string, fn func(answerRecord)) error {
	answers := tx.Bucket(bucketAnswers)
	prefix := []byte(participant + sep)
	c := tx.Bucket(bucketAnswersByParticipant).Cursor()
	for k, iv := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, iv = c.Next() {
		if len(iv) < 8 {
			return fmt.Errorf("index entry %s is corrupt", k)
		}
		v := answers.Get(iv[8:])
		if v == nil {
			return fmt.Errorf("index entry %s points to missing answer %s", k, iv[8:])
		}
		r, err := decodeAnswer(v)
		if err != nil {
			return fmt.Errorf("answer %s: %w", iv[8:], err)
		}
		fn(r)
	}
	return nil
}

// migrateChunk is how many sessions one migration transaction rewrites:
// a file of many participants is migrated without one huge transaction.
const migrateChunk = 1000

// keySessionsMigration, in bucketMeta, marks a file whose session records
// are being rewritten without their answers (schema 6, migrateSessions);
// its value is 'p' followed by the last participant done.
var keySessionsMigration = []byte("sessions_migration")

// startSessionsMigration, in Open's schema transaction, marks a file
// written before schema 6 that holds sessions for migrateSessions.
func startSessionsMigration(tx kv.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keySchema); len(v) == 8 && binary.BigEndian.Uint64(v) >= 6 {
		return nil // done, or being done (the marker says which)
	}
	if k, _ := tx.Bucket(bucketSessions).Cursor().First(); k == nil {
		return nil
	}
	return meta.Put(keySessionsMigration, []byte{'p'})
}

// migrateSessions rewrites the version 1 session records of a file
// written before schema 6 as version 2 records, without their answers, a
// chunk per transaction. The schema version is already 6, so that an
// older program refuses the half-migrated file; the marker says where to
// resume after a kill and goes in the last transaction. Records of both
// versions read the same meanwhile (see loadSessionTx). Earlier schemas
// wrote every answer to bucketAnswers in the transaction that wrote it
// into the session; an answer found only in the session is written to
// bucketAnswers all the same, so that none is lost.
func migrateSessions(store kv.Backend) error {
	for {
		done := false
		err := store.Update(func(tx kv.Tx) error {
			meta := tx.Bucket(bucketMeta)
			mark := meta.Get(keySessionsMigration)
			if len(mark) == 0 {
				done = true
				return nil
			}
			var last []byte
			var err error
			if done, last, err = migrateSessionsChunk(tx, bytes.Clone(mark[1:])); err != nil {
				return err
			}
			if done {
				return meta.Delete(keySessionsMigration)
			}
			return meta.Put(keySessionsMigration, append([]byte{'p'}, last...))
		})
		if err != nil {
			return fmt.Errorf("migrate sessions to schema 6: %w", err)
		}
		if done {
			return nil
		}
	}
}

// migrateSessionsChunk migrates the sessions after the key after (from
// the first when empty), at most migrateChunk of them; done reports that
// none is left, last is the last key read.
func migrateSessionsChunk(tx kv.Tx, after []byte) (done bool, last []byte, err error) {
	type old struct {
		key []byte
		s   flows.Session
	}
	var todo []old
	sessions := tx.Bucket(bucketSessions)
	c := sessions.Cursor()
	k, v := firstAfter(c, after)
	n := 0
	for ; k != nil && n < migrateChunk; k, v = c.Next() {
		n++
		last = bytes.Clone(k)
		r, err := decodeSession(v)
		if err != nil {
			return false, nil, fmt.Errorf("participant %q: %w", k, err)
		}
		if r.V < 2 {
			todo = append(todo, old{key: last, s: r.Session})
		}
	}
	for _, o := range todo {
		if err := keepSessionAnswersTx(tx, string(o.key), o.s); err != nil {
			return false, nil, fmt.Errorf("participant %q: %w", o.key, err)
		}
		b, err := encodeSession(o.s, 0)
		if err != nil {
			return false, nil, fmt.Errorf("participant %q: %w", o.key, err)
		}
		if err := sessions.Put(o.key, b); err != nil {
			return false, nil, fmt.Errorf("participant %q: %w", o.key, err)
		}
	}
	return n < migrateChunk, last, nil
}

// keepSessionAnswersTx writes the answers of a version 1 session that
// bucketAnswers lacks, as Apply would have, with a new id.
func keepSessionAnswersTx(tx kv.Tx, participant string, s flows.Session) error {
	answers := tx.Bucket(bucketAnswers)
	byParticipant := tx.Bucket(bucketAnswersByParticipant)
	channel, _, _ := strings.Cut(participant, ":")
	for k, a := range s.Answers {
		if k != flows.AnswerKey(a.Theme, a.Question) || checkID("theme", a.Theme) != nil || checkID("question", a.Question) != nil {
			return fmt.Errorf("answer %q: not an answer Apply would have stored", k)
		}
		ikey := participantKey(participant, a.Theme, a.Question)
		if byParticipant.Get(ikey) != nil {
			continue
		}
		id, err := answers.NextSequence()
		if err != nil {
			return fmt.Errorf("answer id: %w", err)
		}
		r := newAnswerRecord(bot.Inbound{Participant: participant, Channel: channel}, s, a)
		r.ID = id
		key := answerKey(a.Theme, a.Question, participant)
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode answer: %w", err)
		}
		if err := answers.Put(key, b); err != nil {
			return fmt.Errorf("put answer: %w", err)
		}
		if err := indexAnswerTx(tx, nil, r); err != nil {
			return err
		}
		if err := byParticipant.Put(ikey, append(u64(id), key...)); err != nil {
			return fmt.Errorf("put answer index: %w", err)
		}
		if err := tx.Bucket(bucketAnswerIDs).Put(u64(id), key); err != nil {
			return fmt.Errorf("put answer id index: %w", err)
		}
	}
	return nil
}
