package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
)

var _ bot.Store = (*DB)(nil)

// sep separates the parts of index keys. Ids that contain it are refused,
// since they would make one prefix scan see another's entries.
const sep = "/"

// Apply commits one inbound event in one transaction: it drops an event
// whose id was already applied, loads the participant's session, runs step,
// and saves the session, the answers that changed and the replies as outbox
// entries. The step runs first outside the transaction, on the session as
// last stored, and its result is encoded there too, so that concurrent
// calls do that work in parallel; the transaction keeps that result only
// if the stored session is still the one it started from, and runs step
// again otherwise. Concurrent calls share commits (see groupCommit), so step
// may run more than once; only the last run is kept. A step that panics
// rolls back everything and comes back as an error.
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

	pre := db.prepare(in, now, step)
	// Locals written by fn are reset on every run: bbolt re-runs the
	// functions of a failed batch one at a time.
	var res bot.Applied
	var done *stepped
	fn := func(tx kv.Tx) error {
		var err error
		if db.opts.HoldBehindBacklog {
			var held bool
			if res, held, err = holdBehindTx(tx, in, now); held || err != nil {
				done = nil
				return err
			}
		}
		res, done, err = applyTx(tx, db, in, now, step, pre)
		return err
	}

	if err := db.write(fn); err != nil {
		return bot.Applied{}, fmt.Errorf("apply %q: %w", in.ID, err)
	}
	db.sessions.committed(done)
	return res, nil
}

// stepped is one run of the step on a participant's session, with what it
// gave already encoded.
type stepped struct {
	// base is the stored session record the run started from (nil: none),
	// when the run was prepared outside the transaction.
	base []byte
	// old is that session as loaded; it may be the cache's: never changed.
	old     flows.Session
	next    flows.Session
	replies []flows.Reply
	// raw is next's record, stamped stamp; nil when next is erased.
	raw   []byte
	stamp uint64
	// outbox holds one record per reply; its sequence is its key.
	outbox [][]byte
}

// prepare runs step outside any write transaction, on the session as last
// stored: the one Apply cached, or else read in a short read transaction,
// which also tells whether the event was already applied (the step never
// runs for a duplicate). It returns nil when there is nothing to prepare
// or that fails; the transaction then does it all.
func (db *DB) prepare(in bot.Inbound, now time.Time, step bot.StepFunc) *stepped {
	base, old, cached := db.sessions.latest(in.Participant)
	duplicate := false
	err := db.view(func(tx kv.Tx) error {
		if duplicate = tx.Bucket(bucketApplied).Get([]byte(in.ID)) != nil; duplicate || cached {
			return nil
		}
		base, old = nil, flows.Session{Participant: in.Participant}
		raw := tx.Bucket(bucketSessions).Get([]byte(in.Participant))
		if raw == nil {
			return nil
		}
		r, err := loadSessionTx(tx, in.Participant, raw)
		base, old = bytes.Clone(raw), r.Session
		return err
	})
	if err != nil || duplicate {
		return nil
	}
	s, err := db.stepSession(in, now, step, old)
	if err != nil {
		return nil
	}
	s.base = base
	return s
}

// stepSession runs step on a copy of old and encodes what it gives.
func (db *DB) stepSession(in bot.Inbound, now time.Time, step bot.StepFunc, old flows.Session) (*stepped, error) {
	// The step gets its own copy: if it edited an answer in place, the
	// diff of writeAnswers would see no change, and old may be the cache's.
	next, replies, err := runStep(step, cloneSession(old))
	if err != nil {
		return nil, err
	}
	if next.Participant != in.Participant {
		return nil, fmt.Errorf("step changed participant %q to %q", in.Participant, next.Participant)
	}
	s := &stepped{old: old, next: next, replies: replies}
	if !erased(next) {
		s.stamp = db.stamps.Add(1)
		if s.raw, err = encodeSession(next, s.stamp); err != nil {
			return nil, err
		}
	}
	for i, r := range replies {
		rec := newOutgoingRecord(outgoing(in, i, r, now, 0))
		if rec.Once {
			// A reminder follows this very record of its person's
			// session: Claim drops it once they acted since.
			rec.After = s.stamp
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("encode outbox entry: %w", err)
		}
		s.outbox = append(s.outbox, b)
	}
	return s, nil
}

// outgoing is the outbox entry of reply r, the i-th of in's, committed at
// now.
func outgoing(in bot.Inbound, i int, r flows.Reply, now time.Time, seq uint64) bot.Outgoing {
	return bot.Outgoing{
		Seq:         seq,
		Channel:     in.Channel,
		Address:     in.Address,
		Participant: in.Participant,
		EventID:     in.ID,
		Index:       i,
		Reply:       r,
		CreatedAt:   now,
		Low:         in.Low,
		Once:        in.Low,
	}
}

// applyTx applies in within tx, with the run pre prepared outside when it
// started from the session stored now, else with a run of its own; it
// returns the run it kept, for the session cache once committed (nil for
// a duplicate).
func applyTx(tx kv.Tx, db *DB, in bot.Inbound, now time.Time, step bot.StepFunc, pre *stepped) (bot.Applied, *stepped, error) {
	applied := tx.Bucket(bucketApplied)
	id := []byte(in.ID)
	if applied.Get(id) != nil {
		return bot.Applied{Duplicate: true}, nil, nil
	}

	sessions := tx.Bucket(bucketSessions)
	pkey := []byte(in.Participant)
	s := pre
	if raw := sessions.Get(pkey); s == nil || !bytes.Equal(raw, s.base) {
		old := flows.Session{Participant: in.Participant}
		if raw != nil {
			var ok bool
			if old, ok = db.sessions.get(in.Participant, raw); !ok {
				r, err := loadSessionTx(tx, in.Participant, raw)
				if err != nil {
					return bot.Applied{}, nil, fmt.Errorf("participant %q: %w", in.Participant, err)
				}
				old = r.Session
			}
		}
		var err error
		if s, err = db.stepSession(in, now, step, old); err != nil {
			return bot.Applied{}, nil, err
		}
	}

	if erased(s.next) {
		// Everything about them goes in this transaction; only the
		// replies of this step (the confirmation) reach the outbox.
		db.sessions.drop(in.Participant)
		if err := eraseParticipantTx(tx, &db.voice, in.Participant); err != nil {
			return bot.Applied{}, nil, err
		}
	} else {
		if err := sessions.Put(pkey, s.raw); err != nil {
			return bot.Applied{}, nil, fmt.Errorf("put session: %w", err)
		}
		if err := putProgressTx(tx, s.old, s.next); err != nil {
			return bot.Applied{}, nil, err
		}
		if err := writeAnswers(tx, &db.voice, in, now, s.old, s.next); err != nil {
			return bot.Applied{}, nil, err
		}
		if err := noteRemindersTx(tx, in, s.old, s.next); err != nil {
			return bot.Applied{}, nil, err
		}
	}

	outbox := tx.Bucket(bucketOutbox)
	var res bot.Applied
	if len(s.replies) > 0 {
		ch, err := outbox.CreateBucketIfNotExists([]byte(in.Channel))
		if err != nil {
			return bot.Applied{}, nil, fmt.Errorf("outbox bucket %q: %w", in.Channel, err)
		}
		res.Outbox = make([]bot.Outgoing, 0, len(s.replies))
		for i, r := range s.replies {
			seq, err := outbox.NextSequence()
			if err != nil {
				return bot.Applied{}, nil, fmt.Errorf("outbox sequence: %w", err)
			}
			if err := ch.Put(u64(seq), s.outbox[i]); err != nil {
				return bot.Applied{}, nil, fmt.Errorf("put outbox entry: %w", err)
			}
			res.Outbox = append(res.Outbox, outgoing(in, i, r, now, seq))
		}
	}

	if !keepEventID(in, s.next) {
		return res, s, nil
	}
	at := u64(uint64(now.UnixNano()))
	if err := applied.Put(id, at); err != nil {
		return bot.Applied{}, nil, fmt.Errorf("record event: %w", err)
	}
	if err := tx.Bucket(bucketAppliedByTime).Put(append(at, id...), nil); err != nil {
		return bot.Applied{}, nil, fmt.Errorf("record event time: %w", err)
	}
	return res, s, nil
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
// voice records follow (see noteVoiceTx). The profile and the académie
// describe the person, not one answer: when next corrects either, the
// answers left unchanged take the new values too (see relabelAnswerTx).
func writeAnswers(tx kv.Tx, vs *voiceState, in bot.Inbound, now time.Time, old, next flows.Session) error {
	answers := tx.Bucket(bucketAnswers)
	byParticipant := tx.Bucket(bucketAnswersByParticipant)
	relabel := old.Profile != next.Profile || old.Academie != next.Academie
	for k, a := range next.Answers {
		if k != flows.AnswerKey(a.Theme, a.Question) {
			return fmt.Errorf("answer %q is stored under key %q", flows.AnswerKey(a.Theme, a.Question), k)
		}
		if prev, ok := old.Answers[k]; ok && equalAnswer(prev, a) {
			if relabel {
				if err := relabelAnswerTx(tx, answerKey(a.Theme, a.Question, in.Participant), next.Profile, next.Academie); err != nil {
					return err
				}
			}
			continue
		}
		if err := checkID("theme", a.Theme); err != nil {
			return err
		}
		if err := checkID("question", a.Question); err != nil {
			return err
		}
		key := answerKey(a.Theme, a.Question, in.Participant)
		r := newAnswerRecord(in, next, a)
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
		if err := putAnswerTx(tx, key, answers.Get(key), r); err != nil {
			return err
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

// relabelAnswerTx gives the stored answer under key the profile and the
// académie its author corrected, leaving the rest of it as it is (text,
// times, language, id): its digest row follows, and the digest part of
// its creation time goes (see indexAnswerTx).
func relabelAnswerTx(tx kv.Tx, key []byte, profile, academie string) error {
	answers := tx.Bucket(bucketAnswers)
	v := answers.Get(key)
	if v == nil {
		return nil
	}
	r, err := decodeAnswer(v)
	if err != nil {
		return fmt.Errorf("answer %s: %w", key, err)
	}
	if r.Profile == profile && r.Academie == academie {
		return nil
	}
	r.Profile, r.Academie = profile, academie
	return putAnswerTx(tx, key, v, r)
}

// putAnswerTx stores r under key in place of prev, the stored record (nil:
// none), with its digest row (see indexAnswerTx).
func putAnswerTx(tx kv.Tx, key, prev []byte, r answerRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	if err := indexAnswerTx(tx, prev, r); err != nil {
		return err
	}
	if err := tx.Bucket(bucketAnswers).Put(key, b); err != nil {
		return fmt.Errorf("put answer: %w", err)
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
		err := db.update(func(tx kv.Tx) error {
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
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketApplied).Get([]byte(id))
		if len(b) == 8 {
			at, ok = time.Unix(0, int64(binary.BigEndian.Uint64(b))), true
		}
		return nil
	})
	return at, ok, err
}
