package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
	"consultbot/voice"
)

var _ voice.Store = (*DB)(nil)

// Voice buckets (schema 3).
var (
	// bucketVoice maps an answer id (big-endian) to the audioRecord of
	// its voice note's audio, for as long as the answer is a voice note.
	bucketVoice = []byte("voice")
	// bucketVoiceDue maps a big-endian due time (Unix nanoseconds) and
	// answer id to nothing: the fetches and transcripts waiting, oldest
	// first, so that VoiceJobs reads only what is due.
	bucketVoiceDue = []byte("voice_due")
	// bucketVoiceTrash maps the name of a file in the voice directory
	// to nothing: files to delete once the commit that let them go is
	// done (an erasure, a change of answer, a confirmed transcript).
	bucketVoiceTrash = []byte("voice_trash")
)

// States of a voice note's audio.
const (
	VoiceFetching = "fetching" // to be fetched from the platform
	VoiceKept     = "kept"     // in the voice directory
	VoiceFailed   = "failed"   // could not be fetched: see Reason
	VoiceDeleted  = "deleted"  // deleted after its transcript was confirmed
	VoiceExpired  = "expired"  // deleted when the retention period ended
)

// Transcript states of a voice note.
const (
	transcriptTodo      = "todo"
	transcriptOffered   = "offered"
	transcriptFailed    = "failed"
	transcriptConfirmed = "confirmed"
)

const audioRecordV = 1

// audioRecord is the audio of one voice answer: where it comes from,
// whether it is kept, and what is left to do with it.
type audioRecord struct {
	V           int    `json:"v"`
	ID          uint64 `json:"id"`
	Gen         int    `json:"gen"`
	Participant string `json:"participant"`
	Channel     string `json:"channel"`
	// Address is where the transcript is offered; kept only until then.
	Address  string `json:"address,omitempty"`
	Theme    string `json:"theme"`
	Question string `json:"question"`
	FileID   string `json:"file_id"`
	// URL is the platform's download address (Discord), until fetched.
	URL      string `json:"url,omitempty"`
	Size     int64  `json:"size,omitempty"`
	Duration int    `json:"duration"`

	State        string    `json:"state"`
	Attempts     int       `json:"attempts,omitempty"`
	FirstFailure time.Time `json:"first_failure,omitzero"`
	// Due is the key time in bucketVoiceDue, zero when not waiting.
	Due    time.Time `json:"due,omitzero"`
	Reason string    `json:"reason,omitempty"`
	// At is when State was reached.
	At    time.Time `json:"at,omitzero"`
	File  string    `json:"file,omitempty"`
	Bytes int64     `json:"bytes,omitempty"`

	Transcript     string    `json:"transcript,omitempty"`
	TranscriptNote string    `json:"transcript_note,omitempty"`
	TranscriptAt   time.Time `json:"transcript_at,omitzero"`
}

// VoiceOptions say what Apply records about voice answers.
type VoiceOptions struct {
	// Keep records, with each new voice answer, a job to fetch its audio.
	Keep bool
	// Transcribe also has the kept audio transcribed: the chat address is
	// kept in the job until the transcript is offered.
	Transcribe bool
	// DeleteTranscribed deletes the audio once its transcript is
	// confirmed.
	DeleteTranscribed bool
}

// voiceState is what the transactions writing voice records need: the
// options, and the signal VoiceChanged gives after their commit.
type voiceState struct {
	opts    VoiceOptions
	changed chan struct{}
}

// touch signals VoiceChanged once tx commits.
func (vs *voiceState) touch(tx kv.Tx) {
	tx.OnCommit(func() {
		select {
		case vs.changed <- struct{}{}:
		default:
		}
	})
}

// VoiceChanged is signalled after a commit that added voice jobs or
// files to delete.
func (db *DB) VoiceChanged() <-chan struct{} { return db.voice.changed }

func decodeVoice(b []byte) (*audioRecord, error) {
	var r audioRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode voice record: %w", err)
	}
	if r.V > audioRecordV {
		return nil, fmt.Errorf("decode voice record: record version %d is newer than %d", r.V, audioRecordV)
	}
	return &r, nil
}

func getVoiceTx(tx kv.Tx, id uint64) (*audioRecord, error) {
	b := tx.Bucket(bucketVoice)
	if b == nil {
		return nil, nil
	}
	v := b.Get(u64(id))
	if v == nil {
		return nil, nil
	}
	r, err := decodeVoice(v)
	if err != nil {
		return nil, fmt.Errorf("answer %d: %w", id, err)
	}
	return r, nil
}

func putVoiceTx(tx kv.Tx, r *audioRecord) error {
	r.V = audioRecordV
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode voice record: %w", err)
	}
	return tx.Bucket(bucketVoice).Put(u64(r.ID), b)
}

func dueKey(at time.Time, id uint64) []byte {
	return append(u64(uint64(at.UnixNano())), u64(id)...)
}

// setDue moves r in the due index to at (zero: out of it).
func setDue(tx kv.Tx, vs *voiceState, r *audioRecord, at time.Time) error {
	due := tx.Bucket(bucketVoiceDue)
	if !r.Due.IsZero() {
		if err := due.Delete(dueKey(r.Due, r.ID)); err != nil {
			return fmt.Errorf("voice due index: %w", err)
		}
	}
	r.Due = at
	if at.IsZero() {
		return nil
	}
	if vs != nil {
		vs.touch(tx)
	}
	return due.Put(dueKey(at, r.ID), nil)
}

// trashFileTx puts r's file in the trash, for Run to delete after the
// commit.
func trashFileTx(tx kv.Tx, vs *voiceState, r *audioRecord) error {
	if r.File == "" {
		return nil
	}
	if err := tx.Bucket(bucketVoiceTrash).Put([]byte(r.File), nil); err != nil {
		return fmt.Errorf("voice trash: %w", err)
	}
	r.File, r.Bytes = "", 0
	if vs != nil {
		vs.touch(tx)
	}
	return nil
}

// dropVoiceTx forgets the voice record of answer id, its audio going to
// the trash: the answer was erased, removed or is no longer a voice note.
func dropVoiceTx(tx kv.Tx, vs *voiceState, id uint64) error {
	r, err := getVoiceTx(tx, id)
	if err != nil || r == nil {
		return err
	}
	if err := trashFileTx(tx, vs, r); err != nil {
		return err
	}
	if err := setDue(tx, vs, r, time.Time{}); err != nil {
		return err
	}
	return tx.Bucket(bucketVoice).Delete(u64(id))
}

// noteVoiceTx keeps the voice record of answer id in step with a, the
// answer Apply is writing: a new voice note gets a fetch job (the
// previous one's audio going to the trash), a confirmed transcript is
// recorded (and its audio deleted with DeleteTranscribed), and an answer
// that is no longer a voice note drops its record.
func noteVoiceTx(tx kv.Tx, vs *voiceState, in bot.Inbound, now time.Time, id uint64, a flows.Answer) error {
	r, err := getVoiceTx(tx, id)
	if err != nil {
		return err
	}
	switch {
	case a.Voice == nil:
		if r != nil {
			return dropVoiceTx(tx, vs, id)
		}
		return nil
	case r != nil && r.FileID == a.Voice.FileID:
		if !a.Transcribed() || r.Transcript == transcriptConfirmed {
			return nil
		}
		r.Transcript, r.TranscriptAt, r.Address = transcriptConfirmed, now, ""
		if err := setDue(tx, vs, r, time.Time{}); err != nil {
			return err
		}
		if vs.opts.DeleteTranscribed && r.State == VoiceKept {
			if err := trashFileTx(tx, vs, r); err != nil {
				return err
			}
			r.State, r.At, r.Reason = VoiceDeleted, now, "transcript confirmed"
		}
		return putVoiceTx(tx, r)
	case !vs.opts.Keep:
		if r != nil {
			return dropVoiceTx(tx, vs, id)
		}
		return nil
	}
	gen := 1
	if r != nil {
		gen = r.Gen + 1
		if err := dropVoiceTx(tx, vs, id); err != nil {
			return err
		}
	}
	n := &audioRecord{
		ID: id, Gen: gen, Participant: in.Participant, Channel: in.Channel,
		Theme: a.Theme, Question: a.Question, FileID: a.Voice.FileID, Duration: a.Voice.Duration,
		State: VoiceFetching, At: now,
	}
	if ev := in.Event; ev.Kind == flows.EventVoice && ev.Voice != nil && ev.Voice.FileID == a.Voice.FileID {
		n.URL, n.Size = ev.Voice.URL, ev.Voice.Size
	}
	if vs.opts.Transcribe {
		n.Transcript, n.Address = transcriptTodo, in.Address
	}
	if err := setDue(tx, vs, n, now); err != nil {
		return err
	}
	return putVoiceTx(tx, n)
}

func (r *audioRecord) job() voice.Job {
	return voice.Job{
		AnswerID: r.ID, Gen: r.Gen,
		Channel: r.Channel, Participant: r.Participant, Address: r.Address,
		Theme: r.Theme, Question: r.Question,
		Ref:      voice.Ref{FileID: r.FileID, URL: r.URL, Size: r.Size},
		Duration: r.Duration, Attempts: r.Attempts, FirstFailure: r.FirstFailure,
		Fetch: r.State == VoiceFetching, File: r.File,
	}
}

// VoiceJobs lists up to limit fetches and transcripts due at now, oldest
// first, and when the next one not yet due is (zero: none).
func (db *DB) VoiceJobs(ctx context.Context, now time.Time, limit int) ([]voice.Job, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, err
	}
	var jobs []voice.Job
	var next time.Time
	err := db.view(func(tx kv.Tx) error {
		jobs, next = nil, time.Time{}
		due := tx.Bucket(bucketVoiceDue)
		if due == nil {
			return nil
		}
		c := due.Cursor()
		limitKey := u64(uint64(now.UnixNano()))
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) != 16 {
				continue
			}
			if bytes.Compare(k[:8], limitKey) > 0 || len(jobs) >= limit {
				next = time.Unix(0, int64(binary.BigEndian.Uint64(k[:8])))
				if len(jobs) >= limit {
					next = now
				}
				return nil
			}
			r, err := getVoiceTx(tx, binary.BigEndian.Uint64(k[8:]))
			if err != nil {
				return err
			}
			if r != nil {
				jobs = append(jobs, r.job())
			}
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("voice jobs: %w", err)
	}
	return jobs, next, nil
}

// updateVoice runs fn on the record of answer id if it still holds
// generation gen; it reports whether it did.
func (db *DB) updateVoice(ctx context.Context, what string, id uint64, gen int, fn func(tx kv.Tx, r *audioRecord) error) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	current := false
	err := db.write(func(tx kv.Tx) error {
		current = false
		r, err := getVoiceTx(tx, id)
		if err != nil || r == nil || r.Gen != gen {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		current = true
		return putVoiceTx(tx, r)
	})
	if err != nil {
		return false, fmt.Errorf("%s %d: %w", what, id, err)
	}
	return current, nil
}

// VoiceKept records the fetched audio of answer id; false when the
// answer no longer holds that voice note, or it was fetched already.
func (db *DB) VoiceKept(ctx context.Context, id uint64, gen int, file string, size int64, at time.Time) (bool, error) {
	fetched := false
	_, err := db.updateVoice(ctx, "record kept voice", id, gen, func(tx kv.Tx, r *audioRecord) error {
		fetched = false
		if r.State != VoiceFetching {
			return nil
		}
		fetched = true
		r.State, r.At, r.File, r.Bytes, r.URL, r.Reason = VoiceKept, at, file, size, "", ""
		due := time.Time{}
		if r.Transcript == transcriptTodo {
			due = at
		} else {
			r.Address = ""
		}
		return setDue(tx, &db.voice, r, due)
	})
	return fetched, err
}

// VoiceRetry schedules the fetch of answer id again at next.
func (db *DB) VoiceRetry(ctx context.Context, id uint64, gen int, attempts int, firstFailure, next time.Time, reason string) error {
	_, err := db.updateVoice(ctx, "retry voice", id, gen, func(tx kv.Tx, r *audioRecord) error {
		if r.State != VoiceFetching {
			return nil
		}
		r.Attempts, r.FirstFailure, r.Reason = attempts, firstFailure, reason
		return setDue(tx, &db.voice, r, next)
	})
	return err
}

// VoiceFailed records that the audio of answer id cannot be fetched.
func (db *DB) VoiceFailed(ctx context.Context, id uint64, gen int, reason string, at time.Time) error {
	_, err := db.updateVoice(ctx, "record failed voice", id, gen, func(tx kv.Tx, r *audioRecord) error {
		if r.State != VoiceFetching {
			return nil
		}
		r.State, r.At, r.Reason, r.URL, r.Address = VoiceFailed, at, reason, "", ""
		if r.Transcript == transcriptTodo {
			r.Transcript = ""
		}
		return setDue(tx, &db.voice, r, time.Time{})
	})
	return err
}

// VoiceTranscribed records that the transcript of answer id was offered
// (failure empty) or could not be made.
func (db *DB) VoiceTranscribed(ctx context.Context, id uint64, gen int, failure string, at time.Time) error {
	_, err := db.updateVoice(ctx, "record transcript", id, gen, func(tx kv.Tx, r *audioRecord) error {
		if r.Transcript != transcriptTodo {
			return nil
		}
		r.Transcript, r.TranscriptNote, r.TranscriptAt, r.Address = transcriptOffered, "", at, ""
		if failure != "" {
			r.Transcript, r.TranscriptNote = transcriptFailed, failure
		}
		return setDue(tx, &db.voice, r, time.Time{})
	})
	return err
}

// VoiceTrash lists up to limit files to delete from the voice directory.
func (db *DB) VoiceTrash(ctx context.Context, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var names []string
	err := db.view(func(tx kv.Tx) error {
		names = nil
		b := tx.Bucket(bucketVoiceTrash)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil && len(names) < limit; k, _ = c.Next() {
			names = append(names, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("voice trash: %w", err)
	}
	return names, nil
}

// VoiceTrashed forgets files deleted from the voice directory.
func (db *DB) VoiceTrashed(ctx context.Context, names []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.write(func(tx kv.Tx) error {
		b := tx.Bucket(bucketVoiceTrash)
		for _, n := range names {
			if err := b.Delete([]byte(n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("empty voice trash: %w", err)
	}
	return nil
}

// VoiceState is what became of the audio of one voice answer, for
// exports.
type VoiceState struct {
	// State is one of VoiceFetching, VoiceKept, VoiceFailed,
	// VoiceDeleted and VoiceExpired.
	State string
	// File is the name of the audio in the voice directory, when kept.
	File string
	// Reason says why it failed or was deleted; At is when.
	Reason string
	At     time.Time
}

// VoiceStates maps every voice answer with a voice record to what became
// of its audio. Answers written before the audio was kept have none.
func (db *DB) VoiceStates(ctx context.Context) (map[uint64]VoiceState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[uint64]VoiceState{}
	err := db.view(func(tx kv.Tx) error {
		clear(out)
		b := tx.Bucket(bucketVoice)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			r, err := decodeVoice(v)
			if err != nil {
				return fmt.Errorf("answer %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out[r.ID] = VoiceState{State: r.State, File: r.File, Reason: r.Reason, At: r.At}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("voice states: %w", err)
	}
	return out, nil
}

// VoiceFiles maps the answers whose audio is kept to their file.
func (db *DB) VoiceFiles(ctx context.Context) (map[uint64]string, error) {
	states, err := db.VoiceStates(ctx)
	if err != nil {
		return nil, err
	}
	files := make(map[uint64]string, len(states))
	for id, s := range states {
		if s.File != "" {
			files[id] = s.File
		}
	}
	return files, nil
}

// ExpireVoice ends the keeping of voice audio once the retention period
// is over: every kept file goes to the trash, fetches not done are given
// up, and the chat addresses kept for transcripts are forgotten. It
// returns how many records it changed.
func (db *DB) ExpireVoice(ctx context.Context, now time.Time) (int, error) {
	total := 0
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("expire voice: %w", err)
		}
		n, scanned := 0, 0
		var last []byte
		err := db.update(func(tx kv.Tx) error {
			n, scanned, last = 0, 0, nil
			c := tx.Bucket(bucketVoice).Cursor()
			k, v := firstAfter(c, after)
			var changed []*audioRecord
			for ; k != nil && scanned < retentionChunk; k, v = c.Next() {
				scanned++
				last = bytes.Clone(k)
				r, err := decodeVoice(v)
				if err != nil {
					return fmt.Errorf("answer %d: %w", binary.BigEndian.Uint64(k), err)
				}
				if r.File == "" && r.State != VoiceFetching && r.Address == "" && r.URL == "" && r.Due.IsZero() {
					continue
				}
				changed = append(changed, r)
			}
			for _, r := range changed {
				if err := trashFileTx(tx, &db.voice, r); err != nil {
					return err
				}
				if err := setDue(tx, &db.voice, r, time.Time{}); err != nil {
					return err
				}
				if r.State == VoiceKept || r.State == VoiceFetching {
					r.State, r.At, r.Reason = VoiceExpired, now, "retention period over"
				}
				if r.Transcript == transcriptTodo {
					r.Transcript = ""
				}
				r.Address, r.URL = "", ""
				if err := putVoiceTx(tx, r); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("expire voice: %w", err)
		}
		total += n
		if scanned < retentionChunk {
			return total, nil
		}
		after = last
	}
}

func newVoiceState(opts VoiceOptions) voiceState {
	return voiceState{opts: opts, changed: make(chan struct{}, 1)}
}
