package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
)

// Reminder and announcement buckets (schema version 4).
var (
	// bucketReminderDue maps big-endian Unix nanoseconds of a reminder's
	// due time + participant to nothing: the reminders in due order. It
	// follows Session.Reminders.Due, in the transaction that changes it.
	bucketReminderDue = []byte("reminder_due")
	// bucketReminderContacts maps a participant who accepted reminders to
	// a contactRecord: where to write to them later. It exists only while
	// they accept.
	bucketReminderContacts = []byte("reminder_contacts")
	// bucketAnnouncements maps a big-endian announcement number to an
	// announcementRecord.
	bucketAnnouncements = []byte("announcements")
)

var (
	_ bot.Campaigns = (*DB)(nil)
)

const (
	contactRecordV      = 1
	announcementRecordV = 1
)

// contactRecord is where a participant who accepted reminders can be
// reached later.
type contactRecord struct {
	V       int    `json:"v"`
	Channel string `json:"channel"`
	Address string `json:"address"`
	Lang    string `json:"lang"`
}

// Announcement states.
const (
	AnnouncementDraft   = "draft"   // written, waiting for its confirmation
	AnnouncementSending = "sending" // confirmed: moving into the outbox
	AnnouncementDone    = "done"    // in the outbox for every recipient
)

// announcementRecord is one organisers' announcement and the progress of
// its campaign: Cursor is the last participant whose delivery is in the
// outbox, moved in the same transaction as the deliveries, so that each
// person who accepted reminders gets it once, whatever is killed when.
type announcementRecord struct {
	V         int       `json:"v"`
	Text      string    `json:"text"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	// Cursor is the last person reached by a campaign begun when there
	// was one cursor for all channels; Cursors, the last reached on each
	// channel.
	Cursor  string            `json:"cursor,omitempty"`
	Cursors map[string]string `json:"cursors,omitempty"`
	Queued  int               `json:"queued"`
}

func reminderDueKey(due time.Time, participant string) []byte {
	return append(u64(uint64(due.UnixNano())), participant...)
}

// noteRemindersTx keeps the reminder index and the contact in step with
// the session a step saved: the contact exists only while the person
// accepts reminders, the index holds the reminder due, if any.
func noteRemindersTx(tx kv.Tx, in bot.Inbound, old, next flows.Session) error {
	due := tx.Bucket(bucketReminderDue)
	contacts := tx.Bucket(bucketReminderContacts)
	pkey := []byte(in.Participant)
	o, n := old.Reminders, next.Reminders
	if !o.Due.IsZero() && !o.Due.Equal(n.Due) {
		if err := due.Delete(reminderDueKey(o.Due, in.Participant)); err != nil {
			return fmt.Errorf("delete reminder due: %w", err)
		}
	}
	if !n.On() {
		if err := contacts.Delete(pkey); err != nil {
			return fmt.Errorf("delete reminder contact: %w", err)
		}
		if !n.Due.IsZero() {
			return due.Delete(reminderDueKey(n.Due, in.Participant))
		}
		return nil
	}
	if in.Later != "" {
		b, err := json.Marshal(contactRecord{V: contactRecordV, Channel: in.Channel, Address: in.Later, Lang: next.Lang})
		if err != nil {
			return fmt.Errorf("encode reminder contact: %w", err)
		}
		if !bytes.Equal(contacts.Get(pkey), b) {
			if err := contacts.Put(pkey, b); err != nil {
				return fmt.Errorf("put reminder contact: %w", err)
			}
		}
	}
	if !n.Due.IsZero() && contacts.Get(pkey) != nil {
		if err := due.Put(reminderDueKey(n.Due, in.Participant), nil); err != nil {
			return fmt.Errorf("put reminder due: %w", err)
		}
	}
	return nil
}

// eraseRemindersTx deletes the participant's contact and the reminder
// due that their stored session names.
func eraseRemindersTx(tx kv.Tx, participant string) error {
	if b := tx.Bucket(bucketSessions).Get([]byte(participant)); b != nil {
		if r, err := decodeSession(b); err == nil && !r.Session.Reminders.Due.IsZero() {
			if err := tx.Bucket(bucketReminderDue).Delete(reminderDueKey(r.Session.Reminders.Due, participant)); err != nil {
				return fmt.Errorf("erase reminder due: %w", err)
			}
		}
	}
	if err := tx.Bucket(bucketReminderContacts).Delete([]byte(participant)); err != nil {
		return fmt.Errorf("erase reminder contact: %w", err)
	}
	return nil
}

// dueScanMax bounds how many due reminders one DueReminders call looks
// at: beyond it, reminders of a channel with room wait behind those of
// channels whose share is full until these leave.
const dueScanMax = 4096

// DueReminders lists reminders due at now, the oldest first, with where
// to send them: at most room[ch] of each channel ch, none of a channel
// room leaves out. A participant id starts with its channel
// (bot.ParticipantID).
func (db *DB) DueReminders(ctx context.Context, now time.Time, room bot.Room) ([]bot.DueReminder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var list []bot.DueReminder
	err := db.view(func(tx kv.Tx) error {
		list = nil
		want := 0
		left := maps.Clone(room)
		for _, n := range left {
			want += max(n, 0)
		}
		contacts := tx.Bucket(bucketReminderContacts)
		end := uint64(now.UnixNano())
		c := tx.Bucket(bucketReminderDue).Cursor()
		scanned := 0
		for k, _ := c.First(); k != nil && len(list) < want && scanned < dueScanMax; k, _ = c.Next() {
			scanned++
			if len(k) <= 8 || binary.BigEndian.Uint64(k[:8]) > end {
				break
			}
			p := string(k[8:])
			ch, _, _ := strings.Cut(p, ":")
			if left[ch] <= 0 {
				continue
			}
			var r contactRecord
			if b := contacts.Get(k[8:]); b == nil || json.Unmarshal(b, &r) != nil {
				continue
			}
			left[ch]--
			list = append(list, bot.DueReminder{
				Participant: p, Channel: r.Channel, Address: r.Address,
				Due: time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))),
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due reminders: %w", err)
	}
	return list, nil
}

// ReminderContacts counts the people who accepted reminders and can be
// written to: the recipients of an announcement.
func (db *DB) ReminderContacts(ctx context.Context) (int, error) {
	n := 0
	err := db.view(func(tx kv.Tx) error {
		n = countKeys(tx.Bucket(bucketReminderContacts))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count reminder contacts: %w", err)
	}
	return n, nil
}

// ErrNoAnnouncement is returned for an announcement number that names
// no draft.
var ErrNoAnnouncement = errors.New("no such announcement")

// ErrAnnouncementSent is returned when confirming an announcement that
// was confirmed already.
var ErrAnnouncementSent = errors.New("announcement already sent")

// DraftAnnouncement records an organisers' announcement, to be sent once
// confirmed, and returns its number and how many people would get it now.
func (db *DB) DraftAnnouncement(ctx context.Context, text string, now time.Time) (id uint64, recipients int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	err = db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketAnnouncements)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		rec, err := json.Marshal(announcementRecord{V: announcementRecordV, Text: text, State: AnnouncementDraft, CreatedAt: now})
		if err != nil {
			return err
		}
		id, recipients = seq, countKeys(tx.Bucket(bucketReminderContacts))
		return b.Put(u64(seq), rec)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("draft announcement: %w", err)
	}
	return id, recipients, nil
}

// SendAnnouncement confirms draft id: from now on NextAnnouncements moves
// it into the outbox for everyone who accepts reminders. It returns how
// many they are now, ErrNoAnnouncement or ErrAnnouncementSent.
func (db *DB) SendAnnouncement(ctx context.Context, id uint64, now time.Time) (recipients int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	err = db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketAnnouncements)
		v := b.Get(u64(id))
		if v == nil {
			return ErrNoAnnouncement
		}
		var r announcementRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode announcement %d: %w", id, err)
		}
		if r.State != AnnouncementDraft {
			return ErrAnnouncementSent
		}
		r.State, r.SentAt = AnnouncementSending, now
		recipients = countKeys(tx.Bucket(bucketReminderContacts))
		rec, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(u64(id), rec)
	})
	if err != nil {
		return 0, fmt.Errorf("send announcement %d: %w", id, err)
	}
	return recipients, nil
}

// NextAnnouncements moves the deliveries of the announcement being sent
// to more people into the outbox, in the low-priority lane, at most
// room[ch] on each channel ch, and the campaign's cursor on each channel
// past them, in one transaction; render writes each delivery in the
// person's language. It returns the deliveries (none when no campaign
// runs). The people of each channel are those whose participant id
// starts with it (bot.ParticipantID), taken in key order; the campaign is
// done once every channel of room is through.
func (db *DB) NextAnnouncements(ctx context.Context, now time.Time, room bot.Room, render func(lang, text string) flows.Reply) ([]bot.Outgoing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var outs []bot.Outgoing
	err := db.update(func(tx kv.Tx) error {
		outs = nil
		b := tx.Bucket(bucketAnnouncements)
		var (
			key []byte
			r   announcementRecord
		)
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r = announcementRecord{}
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode announcement: %w", err)
			}
			if r.State == AnnouncementSending {
				key = bytes.Clone(k)
				break
			}
		}
		if key == nil {
			return nil
		}
		id := binary.BigEndian.Uint64(key)
		outbox := tx.Bucket(bucketOutbox)
		contacts := tx.Bucket(bucketReminderContacts)
		through := true
		for _, channel := range slices.Sorted(maps.Keys(room)) {
			prefix := channel + ":"
			// Past the channel's own cursor, and past the one cursor of
			// a campaign begun before there was one per channel.
			from := max(prefix, r.Cursor, r.Cursors[channel])
			cc := contacts.Cursor()
			k, v := cc.Seek([]byte(from))
			if k != nil && (string(k) == r.Cursor || string(k) == r.Cursors[channel]) {
				k, v = cc.Next()
			}
			for n := 0; k != nil && strings.HasPrefix(string(k), prefix) && n < room[channel]; k, v = cc.Next() {
				var ct contactRecord
				if err := json.Unmarshal(v, &ct); err != nil {
					return fmt.Errorf("decode reminder contact: %w", err)
				}
				ch, err := outbox.CreateBucketIfNotExists([]byte(ct.Channel))
				if err != nil {
					return err
				}
				seq, err := outbox.NextSequence()
				if err != nil {
					return err
				}
				out := bot.Outgoing{
					Seq: seq, Channel: ct.Channel, Address: ct.Address, Participant: string(k),
					EventID: fmt.Sprintf("announcement:%d", id), Reply: render(ct.Lang, r.Text), CreatedAt: now, Low: true,
				}
				rec, err := json.Marshal(newOutgoingRecord(out))
				if err != nil {
					return err
				}
				if err := ch.Put(u64(seq), rec); err != nil {
					return err
				}
				outs = append(outs, out)
				n++
				if r.Cursors == nil {
					r.Cursors = map[string]string{}
				}
				r.Cursors[channel] = string(k)
			}
			if k != nil && strings.HasPrefix(string(k), prefix) {
				through = false
			}
		}
		r.Queued += len(outs)
		if through {
			r.State, r.Cursor, r.Cursors = AnnouncementDone, "", nil
		}
		rec, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(key, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("next announcements: %w", err)
	}
	return outs, nil
}
