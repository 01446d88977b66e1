package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/bot"
	"consultbot/flows"
)

var _ bot.Store = (*DB)(nil)

// sep separates the parts of index keys. Ids that contain it are refused,
// since they would make one prefix scan see another's entries.
const sep = "/"

// Apply commits one inbound event in one transaction: it drops an event
// whose id was already applied, loads the participant's session, runs step,
// and saves the session, the answers that changed and the replies as outbox
// entries. Concurrent calls share commits (bbolt's Batch), so step may run
// more than once; only the last run is kept. A step that panics rolls back
// everything and comes back as an error.
func (db *DB) Apply(ctx context.Context, in bot.Inbound, now time.Time, step bot.StepFunc) (bot.Applied, error) {
	if err := ctx.Err(); err != nil {
		return bot.Applied{}, fmt.Errorf("apply %q: %w", in.ID, err)
	}
	if in.ID == "" {
		return bot.Applied{}, errors.New("apply: event has no id")
	}
	if in.Channel == "" {
		return bot.Applied{}, fmt.Errorf("apply %q: event has no channel", in.ID)
	}
	if err := checkID("participant", in.Participant); err != nil {
		return bot.Applied{}, fmt.Errorf("apply %q: %w", in.ID, err)
	}

	// Locals written by fn are reset on every run: bbolt re-runs the
	// functions of a failed batch one at a time.
	var res bot.Applied
	fn := func(tx *bolt.Tx) error {
		var err error
		res, err = applyTx(tx, db, in, now, step)
		return err
	}

	if err := db.write(fn); err != nil {
		return bot.Applied{}, fmt.Errorf("apply %q: %w", in.ID, err)
	}
	return res, nil
}

func applyTx(tx *bolt.Tx, db *DB, in bot.Inbound, now time.Time, step bot.StepFunc) (bot.Applied, error) {
	cache := &db.sessions
	applied := tx.Bucket(bucketApplied)
	id := []byte(in.ID)
	if applied.Get(id) != nil {
		return bot.Applied{Duplicate: true}, nil
	}

	sessions := tx.Bucket(bucketSessions)
	pkey := []byte(in.Participant)
	old := flows.Session{Participant: in.Participant}
	cur := old
	if b := sessions.Get(pkey); b != nil {
		if s, ok := cache.get(in.Participant, b); ok {
			old = s
		} else {
			var err error
			if old, err = decodeSession(b); err != nil {
				return bot.Applied{}, fmt.Errorf("participant %q: %w", in.Participant, err)
			}
		}
		// The step gets its own copy of the answers: if it edited the map
		// in place, the diff below would see no change.
		cur = old
		cur.Answers = maps.Clone(old.Answers)
		cur.Confirmed = maps.Clone(old.Confirmed)
	}

	next, replies, err := runStep(step, cur)
	if err != nil {
		return bot.Applied{}, err
	}
	if next.Participant != in.Participant {
		return bot.Applied{}, fmt.Errorf("step changed participant %q to %q", in.Participant, next.Participant)
	}

	if erased(next) {
		// Everything about them goes in this transaction; only the
		// replies of this step (the confirmation) reach the outbox.
		cache.drop(in.Participant)
		if err := eraseParticipantTx(tx, &db.voice, in.Participant); err != nil {
			return bot.Applied{}, err
		}
	} else {
		b, err := json.Marshal(sessionRecord{V: sessionRecordV, Session: next})
		if err != nil {
			return bot.Applied{}, fmt.Errorf("encode session: %w", err)
		}
		if err := sessions.Put(pkey, b); err != nil {
			return bot.Applied{}, fmt.Errorf("put session: %w", err)
		}
		cache.put(b, next)
		if err := putProgressTx(tx, old, next); err != nil {
			return bot.Applied{}, err
		}
		if err := writeAnswers(tx, &db.voice, in, now, old, next); err != nil {
			return bot.Applied{}, err
		}
		if err := noteRemindersTx(tx, in, old, next); err != nil {
			return bot.Applied{}, err
		}
	}

	outbox := tx.Bucket(bucketOutbox)
	var res bot.Applied
	if len(replies) > 0 {
		ch, err := outbox.CreateBucketIfNotExists([]byte(in.Channel))
		if err != nil {
			return bot.Applied{}, fmt.Errorf("outbox bucket %q: %w", in.Channel, err)
		}
		res.Outbox = make([]bot.Outgoing, 0, len(replies))
		for _, r := range replies {
			seq, err := outbox.NextSequence()
			if err != nil {
				return bot.Applied{}, fmt.Errorf("outbox sequence: %w", err)
			}
			out := bot.Outgoing{
				Seq:         seq,
				Channel:     in.Channel,
				Address:     in.Address,
				Participant: in.Participant,
				EventID:     in.ID,
				Reply:       r,
				CreatedAt:   now,
				Low:         in.Low,
			}
			b, err := json.Marshal(newOutgoingRecord(out))
			if err != nil {
				return bot.Applied{}, fmt.Errorf("encode outbox entry: %w", err)
			}
			if err := ch.Put(u64(seq), b); err != nil {
				return bot.Applied{}, fmt.Errorf("put outbox entry: %w", err)
			}
			res.Outbox = append(res.Outbox, out)
		}
	}

	if !keepEventID(in, next) {
		return res, nil
	}
	at := u64(uint64(now.UnixNano()))
	if err := applied.Put(id, at); err != nil {
		return bot.Applied{}, fmt.Errorf("record event: %w", err)
	}
	if err := tx.Bucket(bucketAppliedByTime).Put(append(at, id...), nil); err != nil {
		return bot.Applied{}, fmt.Errorf("record event time: %w", err)
	}
	return res, nil
}

// runStep turns a panicking step into an error so that the transaction
// rolls back instead of taking the process down.
func runStep(step bot.StepFunc, s flows.Session) (next flows.Session, replies []flows.Reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("step panicked: %v", p)
		}
	}()
	next, replies = step(s)
	return next, replies, nil
}

// writeAnswers writes the answers created or changed between old and next
// and deletes the removed ones, keeping each answer's id across edits; the
// voice records follow (see noteVoiceTx).
func writeAnswers(tx *bolt.Tx, vs *voiceState, in bot.Inbound, now time.Time, old, next flows.Session) error {
	answers := tx.Bucket(bucketAnswers)
	byParticipant := tx.Bucket(bucketAnswersByParticipant)
	for k, a := range next.Answers {
		if k != flows.AnswerKey(a.Theme, a.Question) {
			return fmt.Errorf("answer %q is stored under key %q", flows.AnswerKey(a.Theme, a.Question), k)
		}
		if prev, ok := old.Answers[k]; ok && equalAnswer(prev, a) {
			continue
		}
		if err := checkID("theme", a.Theme); err != nil {
			return err
		}
		if err := checkID("question", a.Question); err != nil {
			return err
		}
		key := answerKey(a.Theme, a.Question, in.Participant)
		r := answerRecord{
			V:           answerRecordV,
			Participant: in.Participant,
			Channel:     in.Channel,
			Profile:     next.Profile,
			Academie:    next.Academie,
			Source:      next.Source,
			Theme:       a.Theme,
			Question:    a.Question,
			Text:        a.Text,
			Choice:      a.Choice,
			CreatedAt:   a.CreatedAt,
			UpdatedAt:   a.UpdatedAt,
		}
		if a.Voice != nil {
			r.Voice = &voiceRecord{FileID: a.Voice.FileID, Duration: a.Voice.Duration}
		}
		ikey := participantKey(in.Participant, a.Theme, a.Question)
		// The index entry carries the id, so an edit keeps it without
		// decoding the previous record.
		if v := byParticipant.Get(ikey); len(v) >= 8 {
			r.ID = binary.BigEndian.Uint64(v)
		} else {
			id, err := answers.NextSequence()
			if err != nil {
				return fmt.Errorf("answer id: %w", err)
			}
			r.ID = id
			if err := tx.Bucket(bucketAnswerIDs).Put(u64(id), key); err != nil {
				return fmt.Errorf("put answer id index: %w", err)
			}
		}
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode answer: %w", err)
		}
		if err := indexAnswerTx(tx, answers.Get(key), r); err != nil {
			return err
		}
		if err := answers.Put(key, b); err != nil {
			return fmt.Errorf("put answer: %w", err)
		}
		if err := byParticipant.Put(ikey, append(u64(r.ID), key...)); err != nil {
			return fmt.Errorf("put answer index: %w", err)
		}
		if err := noteVoiceTx(tx, vs, in, now, r.ID, a); err != nil {
			return err
		}
	}
	for k, a := range old.Answers {
		if _, ok := next.Answers[k]; ok {
			continue
		}
		key := answerKey(a.Theme, a.Question, in.Participant)
		if v := answers.Get(key); v != nil {
			if err := unindexAnswerTx(tx, v); err != nil {
				return err
			}
		}
		if err := answers.Delete(key); err != nil {
			return fmt.Errorf("delete answer: %w", err)
		}
		// The id index entry names the participant: it goes too.
		if iv := byParticipant.Get(participantKey(in.Participant, a.Theme, a.Question)); len(iv) >= 8 {
			id := binary.BigEndian.Uint64(iv)
			if err := tx.Bucket(bucketAnswerIDs).Delete(u64(id)); err != nil {
				return fmt.Errorf("delete answer id index: %w", err)
			}
			if err := dropVoiceTx(tx, vs, id); err != nil {
				return err
			}
		}
		if err := byParticipant.Delete(participantKey(in.Participant, a.Theme, a.Question)); err != nil {
			return fmt.Errorf("delete answer index: %w", err)
		}
	}
	return nil
}

func checkID(what, id string) error {
	if id == "" {
		return fmt.Errorf("empty %s", what)
	}
	if strings.Contains(id, sep) {
		return fmt.Errorf("%s %q contains %q", what, id, sep)
	}
	return nil
}

func answerKey(theme, question, participant string) []byte {
	return []byte(theme + sep + question + sep + participant)
}

func participantKey(participant, theme, question string) []byte {
	return []byte(participant + sep + theme + sep + question)
}

// PruneApplied forgets the ids of events applied before cutoff, so that the
// dedupe set does not grow forever. Keep them well past the platforms'
// redelivery window (Telegram keeps an update up to 24 hours). It returns
// how many it removed.
func (db *DB) PruneApplied(cutoff time.Time) (int, error) {
	limit := u64(uint64(cutoff.UnixNano()))
	total := 0
	// Deleting in chunks keeps each write transaction short.
	for {
		n := 0
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			n = 0
			applied := tx.Bucket(bucketApplied)
			c := tx.Bucket(bucketAppliedByTime).Cursor()
			for k, _ := c.First(); k != nil && n < 1000; k, _ = c.First() {
				if len(k) < 8 || string(k[:8]) >= string(limit) {
					break
				}
				if err := applied.Delete(k[8:]); err != nil {
					return err
				}
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("prune applied events: %w", err)
		}
		total += n
		if n < 1000 {
			return total, nil
		}
	}
}

// appliedAt tells when an event id was applied; for tests and diagnostics.
func (db *DB) appliedAt(id string) (time.Time, bool, error) {
	var at time.Time
	var ok bool
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketApplied).Get([]byte(id))
		if len(b) == 8 {
			at, ok = time.Unix(0, int64(binary.BigEndian.Uint64(b))), true
		}
		return nil
	})
	return at, ok, err
}
