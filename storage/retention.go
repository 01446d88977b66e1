package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"consultbot/flows"
	"consultbot/storage/kv"
)

// retentionChunk is how many records one retention transaction looks at:
// small enough that a write transaction stays short next to live traffic.
const retentionChunk = 256

// IsDraft reports whether a session is an unfinished draft that retention
// may erase once inactive: a participation in which no theme was ever
// confirmed (it may hold answers to unconfirmed themes, or none at all, or
// only the onboarding state, or a refusal of consent). A participant who
// confirmed at least one theme has made a contribution: their session and
// all their answers are kept, however long they stay away, until the
// consultation's retention ends or they erase it themselves.
func IsDraft(s flows.Session) bool { return len(s.Confirmed) == 0 }

// lastActive is when the participant last did something.
func lastActive(s flows.Session) time.Time {
	if s.UpdatedAt.After(s.CreatedAt) {
		return s.UpdatedAt
	}
	return s.CreatedAt
}

// PurgeInactive erases, exactly as "erase my data" does, every draft (see
// IsDraft) whose participant has done nothing since before cutoff. It
// reads the sessions a chunk at a time and erases each chunk in its own
// short write transaction, checking each session again there so that a
// participant who came back in between keeps everything. It returns how
// many participants it erased.
func (db *DB) PurgeInactive(ctx context.Context, cutoff time.Time) (int, error) {
	var after []byte
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("purge inactive drafts: %w", err)
		}
		var candidates [][]byte
		var last []byte
		scanned := 0
		err := db.view(func(tx kv.Tx) error {
			candidates, last, scanned = nil, nil, 0
			c := tx.Bucket(bucketSessions).Cursor()
			k, v := firstAfter(c, after)
			for ; k != nil && scanned < retentionChunk; k, v = c.Next() {
				scanned++
				last = bytes.Clone(k)
				r, err := decodeSession(v)
				if err != nil {
					return fmt.Errorf("session %q: %w", k, err)
				}
				if s := r.Session; IsDraft(s) && lastActive(s).Before(cutoff) {
					candidates = append(candidates, bytes.Clone(k))
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("purge inactive drafts: %w", err)
		}
		if len(candidates) > 0 {
			n := 0
			err := db.update(func(tx kv.Tx) error {
				n = 0
				sessions := tx.Bucket(bucketSessions)
				for _, k := range candidates {
					v := sessions.Get(k)
					if v == nil {
						continue
					}
					r, err := decodeSession(v)
					if err != nil {
						return fmt.Errorf("session %q: %w", k, err)
					}
					if s := r.Session; !IsDraft(s) || !lastActive(s).Before(cutoff) {
						continue // came back meanwhile
					}
					db.sessions.drop(string(k))
					if err := eraseParticipantTx(tx, &db.voice, string(k)); err != nil {
						return err
					}
					n++
				}
				return nil
			})
			if err != nil {
				return total, fmt.Errorf("purge inactive drafts: %w", err)
			}
			total += n
		}
		if scanned < retentionChunk {
			return total, nil
		}
		after = last
	}
}

// PurgeAddresses deletes the raw platform ids that remain once the
// consultation's retention period is over: outbox entries created before
// cutoff (their Address is a chat, channel or interaction address, and
// they quote the person's answers) and the ids of events applied before
// cutoff (the terminal's carry the participant's name). Answers and
// sessions are keyed by pseudonymous participant ids and stay for the
// synthesis. It returns how many entries it deleted.
func (db *DB) PurgeAddresses(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("purge addresses: %w", err)
		}
		n := 0
		err := db.update(func(tx kv.Tx) error {
			n = 0
			outbox := tx.Bucket(bucketOutbox)
			names, err := bucketNames(outbox)
			if err != nil {
				return err
			}
			for _, name := range names {
				c := outbox.Bucket(name).Cursor()
				for k, v := c.First(); k != nil && n < retentionChunk; {
					var r struct {
						CreatedAt time.Time `json:"created_at"`
					}
					if err := json.Unmarshal(v, &r); err != nil {
						return fmt.Errorf("outbox entry %d: %w", binary.BigEndian.Uint64(k), err)
					}
					if !r.CreatedAt.Before(cutoff) {
						k, v = c.Next()
						continue
					}
					deleted := bytes.Clone(k)
					if err := c.Delete(); err != nil {
						return err
					}
					n++
					// After a cursor Delete, Next would skip an entry.
					k, v = c.Seek(deleted)
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("purge addresses: %w", err)
		}
		total += n
		if n < retentionChunk {
			break
		}
	}
	pruned, err := db.PruneApplied(cutoff)
	if err != nil {
		return total, fmt.Errorf("purge addresses: %w", err)
	}
	return total + pruned, nil
}
