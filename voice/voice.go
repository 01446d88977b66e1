package voice

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Ref names the audio of one voice note on its platform.
type Ref struct {
	// FileID is the platform's reference (Telegram's file_id, Discord's
	// attachment id).
	FileID string
	// URL is where the platform serves the file, when it said so with
	// the message (Discord); empty when it must be asked (Telegram).
	URL string
	// Size is the size in bytes the platform announced; 0 when unknown.
	Size int64
}

// Job is one voice answer whose audio is to be fetched, or whose kept
// audio is to be transcribed.
type Job struct {
	// AnswerID is the answer's id; Gen counts the voice notes it has
	// held, so that the work done for an earlier one is recognised.
	AnswerID uint64
	Gen      int
	// Channel, Participant and Address say where the transcript is
	// offered (Address is kept only until then).
	Channel, Participant, Address string
	// Theme and Question name the answer.
	Theme, Question string
	Ref             Ref
	Duration        int // seconds, as the platform announced
	// Attempts counts the failed fetches so far, the first of them at
	// FirstFailure.
	Attempts     int
	FirstFailure time.Time
	// Fetch: the audio is to be fetched. Otherwise File, in the voice
	// directory, is to be transcribed.
	Fetch bool
	File  string
}

// FileName is the name of a job's audio in the voice directory: the
// answer id, then the generation, so that the file of a voice note that
// replaced another is never mistaken for it.
func (j Job) FileName() string {
	return strconv.FormatUint(j.AnswerID, 10) + "-" + strconv.Itoa(j.Gen) + ".ogg"
}

// Store is what the service needs from storage; storage.DB implements it.
// Every method that records an outcome takes the job's id and generation
// and changes nothing when the answer no longer holds that voice note.
type Store interface {
	// VoiceJobs lists up to limit jobs due at now, and when the next one
	// not yet due is (zero: none).
	VoiceJobs(ctx context.Context, now time.Time, limit int) (jobs []Job, next time.Time, err error)
	// VoiceKept records the fetched file; false when the job is stale
	// (the answer changed or was erased meanwhile): the file must go.
	VoiceKept(ctx context.Context, id uint64, gen int, file string, size int64, at time.Time) (bool, error)
	// VoiceRetry schedules the fetch again at next.
	VoiceRetry(ctx context.Context, id uint64, gen int, attempts int, firstFailure, next time.Time, reason string) error
	// VoiceFailed records that the audio cannot be fetched, and why.
	VoiceFailed(ctx context.Context, id uint64, gen int, reason string, at time.Time) error
	// VoiceTranscribed records that the transcript was offered (failure
	// empty) or could not be made.
	VoiceTranscribed(ctx context.Context, id uint64, gen int, failure string, at time.Time) error
	// VoiceTrash lists up to limit files to delete from the directory;
	// VoiceTrashed forgets them once deleted.
	VoiceTrash(ctx context.Context, limit int) ([]string, error)
	VoiceTrashed(ctx context.Context, names []string) error
	// VoiceFiles maps the answers whose audio is kept to their file.
	VoiceFiles(ctx context.Context) (map[uint64]string, error)
	// VoiceChanged is signalled after a commit that added jobs or trash.
	VoiceChanged() <-chan struct{}
}

// Source fetches the audio of voice notes from one platform; the
// Telegram and Discord adapters implement it. Its errors never hold a
// token, and say what the platform meant through the methods the
// engine's delivery policy also reads (see bot.Sender): Permanent() bool
// (no retry will change it) and RetryAfter() time.Duration.
type Source interface {
	OpenVoice(ctx context.Context, ref Ref) (io.ReadCloser, error)
}

// failure is an outcome of the service's own, with its reason.
type failure struct {
	reason    string
	permanent bool
}

func (f *failure) Error() string   { return f.reason }
func (f *failure) Permanent() bool { return f.permanent }

func permanent(format string, args ...any) error {
	return &failure{reason: fmt.Sprintf(format, args...), permanent: true}
}
