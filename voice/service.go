package voice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// Fetch policy defaults. Telegram serves a voice note's file for as long
// as its file id lives and Discord for about a day, so the bound is
// generous next to the replies' minute: a platform down for half an hour
// costs no audio.
const (
	// DefaultRetryMin is the first wait after a failed fetch.
	DefaultRetryMin = 2 * time.Second
	// DefaultRetryMax caps the doubling wait between fetches.
	DefaultRetryMax = 5 * time.Minute
	// DefaultBudget is how long fetches of one file may keep failing
	// before it is recorded as not fetched.
	DefaultBudget = time.Hour
	// DefaultFetchers is how many files are fetched at once.
	DefaultFetchers = 4
)

// Handler applies an event and returns once it is committed;
// *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error)
}

// Options configure a Service.
type Options struct {
	// Dir is the private directory the audio files are kept in; New
	// creates it with mode 0700 and refuses one that group or others
	// may read.
	Dir string
	// MaxBytes and MaxSeconds bound what is kept: a longer or larger
	// voice note is recorded as not fetched, with the reason.
	MaxBytes   int64
	MaxSeconds int
	// Transcriber, when set, transcribes every kept file; nil keeps the
	// audio only.
	Transcriber *Transcriber
	// RetryMin, RetryMax and Budget shape the retries of a failed fetch
	// (defaults DefaultRetryMin, DefaultRetryMax, DefaultBudget).
	RetryMin, RetryMax, Budget time.Duration
	// Fetchers is how many fetches run at once (default DefaultFetchers).
	Fetchers int
	// Logger receives the service's logs; nil discards them.
	Logger *slog.Logger
	// TrashOnly deletes the files storage lets go of, and fetches and
	// transcribes nothing: the audio of voice answers is no longer kept,
	// but what was kept earlier still leaves with erasures.
	TrashOnly bool
}

// Service fetches, keeps, transcribes and deletes the audio of voice
// answers; see the package documentation.
type Service struct {
	store   Store
	h       Handler
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	sources map[string]Source
	fetch   chan struct{} // fetch slots

	mu       sync.Mutex
	inflight map[uint64]bool
	// hold keeps a job whose outcome could not be recorded from being
	// taken again at once (a store failing on every write).
	hold map[uint64]time.Time
	done chan struct{} // a worker finished
	wg   sync.WaitGroup
}

// New checks the options, creates the directory and returns a service
// that records outcomes in store and hands transcripts to h.
func New(store Store, h Handler, opts Options) (*Service, error) {
	if opts.Dir == "" {
		return nil, errors.New("voice: no directory for the audio")
	}
	if !opts.TrashOnly && (opts.MaxBytes <= 0 || opts.MaxSeconds <= 0) {
		return nil, errors.New("voice: the size and duration limits must be positive")
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = DefaultRetryMin
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(DefaultRetryMax, opts.RetryMin)
	}
	if opts.Budget <= 0 {
		opts.Budget = DefaultBudget
	}
	if opts.Fetchers <= 0 {
		opts.Fetchers = DefaultFetchers
	}
	// Absolute: the transcriber runs in a directory of its own.
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("voice directory %q: %w", opts.Dir, err)
	}
	opts.Dir = dir
	if err := privateDir(opts.Dir); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		store: store, h: h, opts: opts, log: logger, now: time.Now,
		sources:  map[string]Source{},
		fetch:    make(chan struct{}, opts.Fetchers),
		inflight: map[uint64]bool{},
		hold:     map[uint64]time.Time{},
		done:     make(chan struct{}, 1),
	}, nil
}

// privateDir creates dir readable by its owner only, or checks that it
// is.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("voice directory %q: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("voice directory %q: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("voice directory %q is not a directory", dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("voice directory %q: mode %04o lets group or others in; run chmod 700 %q", dir, perm, dir)
	}
	return nil
}

// AddSource registers the Source of a channel; call it before Run.
func (s *Service) AddSource(channel string, src Source) { s.sources[channel] = src }

// fileName is the shape of the files the service writes; nothing else in
// the directory is ever deleted.
var fileName = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,9}\.ogg$`)

// tmpName is the shape of a file being fetched.
var tmpName = regexp.MustCompile(`^\.[0-9]{1,20}-[0-9]{1,9}\.ogg\.[0-9]+\.tmp$`)

// Run deletes what a crash left behind (files no record names, fetches
// cut short), then does the jobs as they fall due, and deletes the files
// storage put in its trash, until ctx ends. Work cut short by the end of
// ctx is done again at the next Run.
func (s *Service) Run(ctx context.Context) error {
	if err := s.sweep(ctx); err != nil {
		return err
	}
	defer s.wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		s.emptyTrash(ctx)
		var next time.Time
		if !s.opts.TrashOnly {
			next = s.dispatch(ctx)
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(s.now()), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-s.store.VoiceChanged():
		case <-s.done:
		case <-timer.C:
		}
	}
}

// dispatch starts a worker for every due job not already in hand, and
// returns when to look again (zero: when told).
func (s *Service) dispatch(ctx context.Context) time.Time {
	now := s.now()
	jobs, next, err := s.store.VoiceJobs(ctx, now, 64)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("list voice jobs", "err", err)
		}
		return now.Add(s.opts.RetryMin)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range jobs {
		if s.inflight[j.AnswerID] {
			continue
		}
		if until, ok := s.hold[j.AnswerID]; ok && now.Before(until) {
			if next.IsZero() || until.Before(next) {
				next = until
			}
			continue
		}
		delete(s.hold, j.AnswerID)
		s.inflight[j.AnswerID] = true
		s.wg.Add(1)
		go s.work(ctx, j)
	}
	return next
}

// work does one job and says so.
func (s *Service) work(ctx context.Context, j Job) {
	defer s.wg.Done()
	recorded := false
	if j.Fetch {
		recorded = s.fetchJob(ctx, j)
	} else {
		recorded = s.transcribeJob(ctx, j)
	}
	s.mu.Lock()
	delete(s.inflight, j.AnswerID)
	if !recorded && ctx.Err() == nil {
		s.hold[j.AnswerID] = s.now().Add(s.opts.RetryMin)
	}
	s.mu.Unlock()
	select {
	case s.done <- struct{}{}:
	default:
	}
}

// attrs names a job in a log line: never the participant, never the
// address.
func attrs(j Job) []any {
	return []any{"platform", j.Channel, "answer", j.AnswerID, "theme", j.Theme, "question", j.Question}
}

// fetchJob fetches a job's audio and records the outcome; it reports
// whether one was recorded.
func (s *Service) fetchJob(ctx context.Context, j Job) bool {
	select {
	case s.fetch <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	defer func() { <-s.fetch }()
	err := s.download(ctx, j)
	now := s.now()
	if ctx.Err() != nil {
		return false // stopped: fetched again at the next start
	}
	if err == nil {
		return true
	}
	var perm interface{ Permanent() bool }
	var wait interface{ RetryAfter() time.Duration }
	reason := err.Error()
	switch {
	case errors.As(err, &perm) && perm.Permanent():
		s.log.Warn("voice note not kept", append(attrs(j), "err", reason)...)
		return s.record(s.store.VoiceFailed(ctx, j.AnswerID, j.Gen, reason, now))
	case errors.As(err, &wait) && wait.RetryAfter() > 0:
		return s.record(s.store.VoiceRetry(ctx, j.AnswerID, j.Gen, j.Attempts, j.FirstFailure, now.Add(wait.RetryAfter()), reason))
	}
	first := j.FirstFailure
	if first.IsZero() {
		first = now
	}
	attempts := j.Attempts + 1
	if now.Sub(first) >= s.opts.Budget {
		reason = fmt.Sprintf("gave up after %d attempts in %s: %s", attempts, now.Sub(first).Round(time.Second), reason)
		s.log.Warn("voice note not kept", append(attrs(j), "err", reason)...)
		return s.record(s.store.VoiceFailed(ctx, j.AnswerID, j.Gen, reason, now))
	}
	delay := s.opts.RetryMin
	for i := 1; i < attempts && delay < s.opts.RetryMax; i++ {
		delay *= 2
	}
	delay = min(delay, s.opts.RetryMax)
	s.log.Info("voice fetch failed; trying again", append(attrs(j), "attempt", attempts, "wait", delay, "err", reason)...)
	return s.record(s.store.VoiceRetry(ctx, j.AnswerID, j.Gen, attempts, first, now.Add(delay), reason))
}

// record logs a store failure; it reports whether the outcome was
// recorded.
func (s *Service) record(err error) bool {
	if err != nil {
		s.log.Error("record voice outcome", "err", err)
		return false
	}
	return true
}

// download fetches j's audio into the directory, checks the limits and
// records it; a nil error means it is recorded (or was stale and is
// gone again).
func (s *Service) download(ctx context.Context, j Job) error {
	if j.Duration > s.opts.MaxSeconds {
		return permanent("lasts %d s, more than the %d s kept (voice.max_seconds)", j.Duration, s.opts.MaxSeconds)
	}
	if j.Ref.Size > s.opts.MaxBytes {
		return permanent("is %d bytes, more than the %d kept (voice.max_bytes)", j.Ref.Size, s.opts.MaxBytes)
	}
	src := s.sources[j.Channel]
	if src == nil {
		return fmt.Errorf("the %s channel is not running", j.Channel)
	}
	rc, err := src.OpenVoice(ctx, j.Ref)
	if err != nil {
		return err
	}
	defer rc.Close()
	name := j.FileName()
	tmp, err := os.CreateTemp(s.opts.Dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone already once renamed
	n, err := io.Copy(tmp, io.LimitReader(rc, s.opts.MaxBytes+1))
	if err == nil && n > s.opts.MaxBytes {
		err = permanent("is more than the %d bytes kept (voice.max_bytes)", s.opts.MaxBytes)
	}
	if err == nil && n == 0 {
		err = errors.New("the platform sent an empty file")
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	final := filepath.Join(s.opts.Dir, name)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	syncDir(s.opts.Dir)
	current, err := s.store.VoiceKept(ctx, j.AnswerID, j.Gen, name, n, s.now())
	if err != nil {
		// The record did not change: the file is fetched again, under
		// the same name, or swept at the next start.
		return err
	}
	if !current {
		// Erased or answered again meanwhile: the audio must not stay.
		if err := os.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Error("delete stale voice file", append(attrs(j), "err", err)...)
		}
		return nil
	}
	s.log.Info("voice note kept", append(attrs(j), "bytes", n, "seconds", j.Duration)...)
	return nil
}

// syncDir makes a rename in dir durable; failing to is not fatal (the
// file is fetched again after a crash that loses it).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// transcribeJob transcribes a kept file and offers the transcript to the
// participant through the engine; it reports whether the outcome was
// recorded.
func (s *Service) transcribeJob(ctx context.Context, j Job) bool {
	fail := func(reason string) bool {
		s.log.Warn("voice note not transcribed", append(attrs(j), "err", reason)...)
		return s.record(s.store.VoiceTranscribed(ctx, j.AnswerID, j.Gen, reason, s.now()))
	}
	switch {
	case s.opts.Transcriber == nil:
		return s.record(s.store.VoiceTranscribed(ctx, j.AnswerID, j.Gen, "transcription is off", s.now()))
	case j.File == "":
		return fail("no audio kept")
	case j.Address == "":
		return fail("no address left to offer the transcript")
	}
	text, err := s.opts.Transcriber.Transcribe(ctx, filepath.Join(s.opts.Dir, j.File))
	if ctx.Err() != nil {
		return false // stopped: transcribed again at the next start
	}
	if err != nil {
		return fail(err.Error())
	}
	in := bot.Inbound{
		ID:          "voice:transcript:" + strconv.FormatUint(j.AnswerID, 10) + ":" + strconv.Itoa(j.Gen),
		Channel:     j.Channel,
		Participant: j.Participant,
		Address:     j.Address,
		At:          s.now(),
		Event: flows.Event{
			Kind: flows.EventTranscript, Text: text, Theme: j.Theme, Question: j.Question,
			Voice: &flows.Voice{FileID: j.Ref.FileID, Duration: j.Duration},
		},
	}
	if _, err := s.h.Handle(ctx, in); err != nil {
		if ctx.Err() != nil || errors.Is(err, bot.ErrClosed) {
			return false
		}
		return fail("could not be offered: " + err.Error())
	}
	s.log.Info("voice transcript offered", attrs(j)...)
	return s.record(s.store.VoiceTranscribed(ctx, j.AnswerID, j.Gen, "", s.now()))
}

// emptyTrash deletes the files storage let go of, then forgets them.
func (s *Service) emptyTrash(ctx context.Context) {
	for ctx.Err() == nil {
		names, err := s.store.VoiceTrash(ctx, 256)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("list voice files to delete", "err", err)
			}
			return
		}
		if len(names) == 0 {
			return
		}
		done := names[:0:0]
		for _, n := range names {
			if fileName.MatchString(n) {
				err := os.Remove(filepath.Join(s.opts.Dir, n))
				if err != nil && !errors.Is(err, fs.ErrNotExist) {
					s.log.Error("delete voice file", "file", n, "err", err)
					continue
				}
			}
			done = append(done, n)
		}
		if len(done) > 0 {
			syncDir(s.opts.Dir)
			if err := s.store.VoiceTrashed(ctx, done); err != nil {
				s.log.Error("forget deleted voice files", "err", err)
				return
			}
			s.log.Info("voice files deleted", "count", len(done))
		}
		if len(done) < len(names) {
			return // retried at the next pass
		}
	}
}

// sweep deletes the files of the directory that no record names (a crash
// between a file's rename and its record, or between an erasure and the
// deletion) and the fetches a crash cut short.
func (s *Service) sweep(ctx context.Context) error {
	kept, err := s.store.VoiceFiles(ctx)
	if err != nil {
		return fmt.Errorf("voice sweep: %w", err)
	}
	named := make(map[string]bool, len(kept))
	for _, f := range kept {
		named[f] = true
	}
	entries, err := os.ReadDir(s.opts.Dir)
	if err != nil {
		return fmt.Errorf("voice sweep: %w", err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(tmpName.MatchString(name) || fileName.MatchString(name) && !named[name]) {
			continue
		}
		if err := os.Remove(filepath.Join(s.opts.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("voice sweep: %w", err)
		}
		n++
	}
	if n > 0 {
		syncDir(s.opts.Dir)
		s.log.Info("voice files left by a stop deleted", "count", n)
	}
	return nil
}
