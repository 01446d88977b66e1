package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
)

// Pending lists the outbox entries of channel not yet marked sent, oldest
// first, at most limit of them (all when limit <= 0).
func (db *DB) Pending(ctx context.Context, channel string, limit int) ([]bot.Outgoing, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pending %s: %w", channel, err)
	}
	var list []bot.Outgoing
	err := db.view(func(tx kv.Tx) error {
		list = nil
		ch := tx.Bucket(bucketOutbox).Bucket([]byte(channel))
		if ch == nil {
			return nil
		}
		c := ch.Cursor()
		for k, v := c.First(); k != nil && (limit <= 0 || len(list) < limit); k, v = c.Next() {
			// decodeOutgoing copies: json.Unmarshal never keeps v.
			out, err := decodeOutgoing(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			list = append(list, out)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pending %s: %w", channel, err)
	}
	return list, nil
}

// MarkSent removes delivered entries from the outbox. Unknown sequences are
// ignored, so marking twice is harmless.
func (db *DB) MarkSent(ctx context.Context, seqs ...uint64) error {
	if len(seqs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	// It shares the commit of the Apply calls in flight (deleting is
	// idempotent), so that under load marking costs no commit of its own.
	// It is not counted as a write in flight: a lone Apply still commits
	// at once rather than wait MaxBatchDelay for it.
	err := db.group.run(func(tx kv.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		return outbox.ForEachBucket(func(name []byte) error {
			ch := outbox.Bucket(name)
			for _, seq := range seqs {
				if err := ch.Delete(u64(seq)); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// Session returns a participant's session, and false when the participant
// never wrote.
func (db *DB) Session(participant string) (flows.Session, bool, error) {
	var s flows.Session
	var ok bool
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketSessions).Get([]byte(participant))
		if b == nil {
			return nil
		}
		r, err := loadSessionTx(tx, participant, b)
		s, ok = r.Session, err == nil
		return err
	})
	if err != nil {
		return flows.Session{}, false, fmt.Errorf("session %q: %w", participant, err)
	}
	return s, ok, nil
}

// AnswersByTheme lists every answer to the questions of theme, ordered by
// question then participant.
func (db *DB) AnswersByTheme(theme string) ([]Answer, error) {
	list, err := db.scanAnswers([]byte(theme + sep))
	if err != nil {
		return nil, fmt.Errorf("answers of theme %q: %w", theme, err)
	}
	return list, nil
}

// AnswersByQuestion lists every answer to one question, ordered by
// participant.
func (db *DB) AnswersByQuestion(theme, question string) ([]Answer, error) {
	list, err := db.scanAnswers([]byte(theme + sep + question + sep))
	if err != nil {
		return nil, fmt.Errorf("answers to %s/%s: %w", theme, question, err)
	}
	return list, nil
}

func (db *DB) scanAnswers(prefix []byte) ([]Answer, error) {
	var list []Answer
	err := db.view(func(tx kv.Tx) error {
		list = nil
		c := tx.Bucket(bucketAnswers).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			r, err := decodeAnswer(v)
			if err != nil {
				return fmt.Errorf("answer %s: %w", k, err)
			}
			list = append(list, r.view())
		}
		return nil
	})
	return list, err
}

// AnswersByParticipant lists one participant's answers, ordered by theme
// then question.
func (db *DB) AnswersByParticipant(participant string) ([]Answer, error) {
	var list []Answer
	err := db.view(func(tx kv.Tx) error {
		list = nil
		return eachParticipantAnswerTx(tx, participant, func(r answerRecord) { list = append(list, r.view()) })
	})
	if err != nil {
		return nil, fmt.Errorf("answers of %q: %w", participant, err)
	}
	return list, nil
}

// ForEachAnswer calls fn for every answer, ordered by theme, question and
// participant. It reads Options.ExportChunk answers per read transaction and
// calls fn outside of it, so that a long export never holds a transaction
// open (which would stall writers when the file grows). Answers written
// during the export may or may not be seen. An error from fn stops the walk
// and is returned as is.
func (db *DB) ForEachAnswer(ctx context.Context, fn func(Answer) error) error {
	return walkChunks(ctx, db, bucketAnswers, "export answers", func(_ kv.Tx, k, v []byte) (Answer, error) {
		r, err := decodeAnswer(v)
		if err != nil {
			return Answer{}, fmt.Errorf("answer %s: %w", k, err)
		}
		return r.view(), nil
	}, fn)
}

// ForEachAnswerByTime calls fn for every answer created before until
// (every answer when until is zero), in the order they were given:
// creation time, then id. Like ForEachAnswer it reads in chunks of short
// read transactions, through the time index, fetching each answer's
// record by its key. Answers written during the walk are not seen when
// until is the walk's start; an answer edited meanwhile is seen once, with
// its latest text. A file whose index is not built (an older file opened
// read-only) is read in key order and sorted in memory.
func (db *DB) ForEachAnswerByTime(ctx context.Context, until time.Time, fn func(Answer) error) error {
	ready, err := db.digestIndexReady()
	if err != nil {
		return err
	}
	if !ready {
		var all []Answer
		err := db.ForEachAnswer(ctx, func(a Answer) error {
			if until.IsZero() || a.CreatedAt.Before(until) {
				all = append(all, a)
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(all, func(a, b Answer) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		for _, a := range all {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}
	var to []byte
	if !until.IsZero() {
		to = timeKey(until, 0)
	}
	d := rowDecoder{shared: map[string]string{}, people: map[string]string{}}
	return walkRange(ctx, db, bucketAnswersByTime, nil, to, "export answers by time", func(tx kv.Tx, k, v []byte) (Answer, bool, error) {
		row, err := d.decode(k, v, false)
		if err != nil {
			return Answer{}, false, err
		}
		rv := tx.Bucket(bucketAnswers).Get(answerKey(row.Theme, row.Question, row.Participant))
		if rv == nil {
			return Answer{}, false, fmt.Errorf("time index entry %x: answer %d is missing", k, row.ID)
		}
		r, err := decodeAnswer(rv)
		if err != nil {
			return Answer{}, false, fmt.Errorf("answer %d: %w", row.ID, err)
		}
		return r.view(), true, nil
	}, fn)
}

// walkChunks calls fn for every record of bucket, in key order, decoding
// Options.ExportChunk records per read transaction and calling fn outside
// of it: no transaction stays open while fn works. decode must copy what
// it keeps of v; it may read more of tx. An error from fn stops the walk
// and is returned as is; the walk's own errors are prefixed with what.
func walkChunks[T any](ctx context.Context, db *DB, bucket []byte, what string, decode func(tx kv.Tx, k, v []byte) (T, error), fn func(T) error) error {
	return walkRange(ctx, db, bucket, nil, nil, what, func(tx kv.Tx, k, v []byte) (T, bool, error) {
		item, err := decode(tx, k, v)
		return item, true, err
	}, fn)
}

// walkRange is walkChunks over the keys in [from, to) (nil: no bound),
// calling fn only for the records decode keeps; the records it skips count
// towards a chunk all the same, so that a transaction stays short.
func walkRange[T any](ctx context.Context, db *DB, bucket, from, to []byte, what string, decode func(tx kv.Tx, k, v []byte) (T, bool, error), fn func(T) error) error {
	return walkRangeBy(ctx, db, db.opts.ExportChunk, bucket, from, to, what, nil, decode, fn)
}

// walkRangeBy is walkRange with size records per read transaction; begin,
// when set, is called at the start of each chunk, before its records are
// decoded (a decoder that reuses its buffers from chunk to chunk resets
// them there).
func walkRangeBy[T any](ctx context.Context, db *DB, size int, bucket, from, to []byte, what string, begin func(), decode func(tx kv.Tx, k, v []byte) (T, bool, error), fn func(T) error) error {
	var after []byte
	chunk := make([]T, 0, size)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var last []byte
		seen := 0
		if begin != nil {
			begin()
		}
		err := db.view(func(tx kv.Tx) error {
			chunk, last, seen = chunk[:0], nil, 0
			c := tx.Bucket(bucket).Cursor()
			var k, v []byte
			if after == nil && from != nil {
				k, v = c.Seek(from)
			} else {
				k, v = firstAfter(c, after)
			}
			for ; k != nil && seen < size; k, v = c.Next() {
				if to != nil && bytes.Compare(k, to) >= 0 {
					break
				}
				seen++
				last = k
				item, keep, err := decode(tx, k, v)
				if err != nil {
					return err
				}
				if keep {
					chunk = append(chunk, item)
				}
			}
			last = bytes.Clone(last)
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		for _, item := range chunk {
			if err := fn(item); err != nil {
				return err
			}
		}
		clear(chunk) // let the strings go before the next chunk
		if seen < size {
			return nil
		}
		after = last
	}
}
