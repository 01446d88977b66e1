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

// erased reports whether a step asked for the participant's erasure.
func erased(s flows.Session) bool { return s.Stage == flows.StageErased }

// eraseParticipantTx deletes everything stored about participant, in tx:
//
//   - the session and its progress record (the digest index);
//   - every answer, in both indexes (theme/question/participant and
//     participant/theme/question), with the moderation entries of those
//     answers (answer id index, hidden flag), their entries in the time
//     index (the digest index) and the voice records of
//     those answers, their audio files going to the voice trash, deleted
//     from disk once this transaction commits;
//   - every outbox entry addressed to them, on every channel: pending
//     replies quote their answers and carry their address;
//   - the events flood control held back for them (they carry their text)
//     and the records of replies that could not be delivered to them;
//   - their consent to reminders: the address kept to write to them
//     later and the reminder due (reminders.go);
//   - the ids of applied events that contain the participant id (the
//     terminal's "terminal:NAME:…" ids). Telegram ("telegram:update:N") and
//     Discord ("discord:interaction:N", "discord:message:N",
//     "discord:edit:N:TIME") event ids
//     name the platform's event, not the person, and carry none of their
//     data: they are kept so that a redelivered event is still dropped.
//
// Copies of digests already sent (the digest log) are not rewritten: what
// was sent cannot be recalled, and later digests are computed from the
// answers, which are gone. Deleted bytes stay in bbolt's free pages until
// they are reused; compacting the file (bbolt compact) drops them.
func eraseParticipantTx(tx kv.Tx, vs *voiceState, participant string) error {
	// Before the session goes: it names the reminder due.
	if err := eraseRemindersTx(tx, participant); err != nil {
		return err
	}
	if err := tx.Bucket(bucketSessions).Delete([]byte(participant)); err != nil {
		return fmt.Errorf("erase session: %w", err)
	}
	if err := tx.Bucket(bucketProgress).Delete([]byte(participant)); err != nil {
		return fmt.Errorf("erase progress: %w", err)
	}
	if err := eraseAnswersTx(tx, vs, participant); err != nil {
		return err
	}
	if err := eraseOutboxTx(tx, participant); err != nil {
		return err
	}
	if err := eraseBacklogTx(tx, participant); err != nil {
		return err
	}
	if err := deletePrefix(tx.Bucket(bucketUndeliverable), []byte(participant+sep)); err != nil {
		return fmt.Errorf("erase undeliverable replies: %w", err)
	}
	if err := eraseAppliedTx(tx, participant); err != nil {
		return err
	}
	return nil
}

func eraseAnswersTx(tx kv.Tx, vs *voiceState, participant string) error {
	answers := tx.Bucket(bucketAnswers)
	ids := tx.Bucket(bucketAnswerIDs)
	hidden := tx.Bucket(bucketHidden)
	prefix := []byte(participant + sep)
	c := tx.Bucket(bucketAnswersByParticipant).Cursor()
	// Deleting through the cursor moves it to the next entry, so the loop
	// seeks again rather than calling Next.
	for k, iv := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, iv = c.Seek(prefix) {
		if len(iv) >= 8 {
			id := iv[:8]
			key := iv[8:]
			if v := answers.Get(key); v != nil {
				if err := unindexAnswerTx(tx, v); err != nil {
					return fmt.Errorf("erase answer: %w", err)
				}
			}
			if err := answers.Delete(key); err != nil {
				return fmt.Errorf("erase answer: %w", err)
			}
			// The id index and the hidden flag refer to this answer only
			// when the index still points at its key.
			if bytes.Equal(ids.Get(id), key) {
				if err := ids.Delete(id); err != nil {
					return fmt.Errorf("erase answer id: %w", err)
				}
			}
			if err := hidden.Delete(id); err != nil {
				return fmt.Errorf("erase hidden flag: %w", err)
			}
			if err := dropVoiceTx(tx, vs, binary.BigEndian.Uint64(id)); err != nil {
				return fmt.Errorf("erase voice record: %w", err)
			}
		}
		if err := c.Delete(); err != nil {
			return fmt.Errorf("erase answer index: %w", err)
		}
	}
	return nil
}

// bucketNames copies out the names of b's nested buckets (the outbox has
// one per channel), so that the caller may change them while walking.
func bucketNames(b kv.Bucket) ([][]byte, error) {
	var names [][]byte
	err := b.ForEachBucket(func(name []byte) error {
		names = append(names, bytes.Clone(name))
		return nil
	})
	return names, err
}

// eraseOutboxTx deletes the outbox entries of participant on every
// channel. The outbox holds only what is not delivered yet, so the scan
// stays short.
func eraseOutboxTx(tx kv.Tx, participant string) error {
	outbox := tx.Bucket(bucketOutbox)
	names, err := bucketNames(outbox)
	if err != nil {
		return fmt.Errorf("erase outbox: %w", err)
	}
	for _, name := range names {
		ch := outbox.Bucket(name)
		var del [][]byte
		err := ch.ForEach(func(k, v []byte) error {
			var r struct {
				Participant string `json:"participant"`
			}
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("outbox entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if r.Participant == participant {
				del = append(del, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("erase outbox: %w", err)
		}
		for _, k := range del {
			if err := ch.Delete(k); err != nil {
				return fmt.Errorf("erase outbox entry: %w", err)
			}
		}
	}
	return nil
}

func eraseBacklogTx(tx kv.Tx, participant string) error {
	backlog := tx.Bucket(bucketBacklog)
	ids := tx.Bucket(bucketBacklogIDs)
	prefix := []byte(participant + sep)
	c := backlog.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Seek(prefix) {
		var r struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(v, &r) == nil && r.ID != "" {
			if err := ids.Delete([]byte(r.ID)); err != nil {
				return fmt.Errorf("erase held event id: %w", err)
			}
		}
		if err := c.Delete(); err != nil {
			return fmt.Errorf("erase held event: %w", err)
		}
	}
	return nil
}

// eraseAppliedTx forgets the applied event ids that start with the
// participant id, in both dedupe buckets.
func eraseAppliedTx(tx kv.Tx, participant string) error {
	applied := tx.Bucket(bucketApplied)
	byTime := tx.Bucket(bucketAppliedByTime)
	prefix := []byte(participant + ":")
	c := applied.Cursor()
	for k, at := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, at = c.Seek(prefix) {
		if err := byTime.Delete(append(bytes.Clone(at), k...)); err != nil {
			return fmt.Errorf("erase applied event time: %w", err)
		}
		if err := c.Delete(); err != nil {
			return fmt.Errorf("erase applied event: %w", err)
		}
	}
	return nil
}

// keepEventID reports whether Apply records in.ID after the step: not
// when the event erased a participant whose id it contains, since the id
// itself would then be a trace of them. Such ids come from the terminal,
// which never delivers an event twice.
func keepEventID(in bot.Inbound, next flows.Session) bool {
	return !erased(next) || !strings.HasPrefix(in.ID, in.Participant+":")
}

// deletePrefix deletes every key of b that starts with prefix.
func deletePrefix(b kv.Bucket, prefix []byte) error {
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}
