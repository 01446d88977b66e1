package voice_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/voice"
)

// recorder is a Sender that keeps what the participant would read.
type recorder struct {
	mu   sync.Mutex
	outs []bot.Outgoing
}

func (r *recorder) Send(_ context.Context, out bot.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outs = append(r.outs, out)
	return nil
}

func (r *recorder) all() []bot.Outgoing {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Outgoing(nil), r.outs...)
}

// fakeSource serves voice notes from memory, failing as told.
type fakeSource struct {
	mu    sync.Mutex
	files map[string][]byte
	// fails is how many more opens of a file fail with a transient error.
	fails map[string]int
	// refuse makes every open of a file fail for good.
	refuse map[string]bool
	opens  int
}

func newSource() *fakeSource {
	return &fakeSource{files: map[string][]byte{}, fails: map[string]int{}, refuse: map[string]bool{}}
}

type sourceErr struct {
	msg  string
	perm bool
}

func (e *sourceErr) Error() string   { return e.msg }
func (e *sourceErr) Permanent() bool { return e.perm }

func (s *fakeSource) OpenVoice(ctx context.Context, ref voice.Ref) (io.ReadCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opens++
	switch {
	case s.refuse[ref.FileID]:
		return nil, &sourceErr{msg: "telegram getFile: http 400: Bad Request: file is too big", perm: true}
	case s.fails[ref.FileID] > 0:
		s.fails[ref.FileID]--
		return nil, &sourceErr{msg: "telegram file: http 502"}
	}
	data, ok := s.files[ref.FileID]
	if !ok {
		return nil, &sourceErr{msg: "unknown file", perm: true}
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (s *fakeSource) openCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opens
}

// harness is one participant on a real engine, store and machine, with
// the voice service running.
type harness struct {
	t      *testing.T
	db     *storage.DB
	eng    *bot.Engine
	rec    *recorder
	src    *fakeSource
	svc    *voice.Service
	dir    string
	opts   voice.Options
	cancel context.CancelFunc
	done   chan error
	n      int
	last   []flows.Option
}

type setup struct {
	transcriber string // script in testdata; "" for none
	timeout     time.Duration
	deleteOnce  bool
	maxBytes    int64
	maxSeconds  int
	budget      time.Duration
}

func newHarness(t *testing.T, cfg setup) *harness {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "consult.db"), storage.Options{Voice: storage.VoiceOptions{
		Keep: true, Transcribe: cfg.transcriber != "", DeleteTranscribed: cfg.deleteOnce,
	}})
	if err != nil {
		t.Fatal(err)
	}
	m := flows.NewMachine(nil, flows.Config{Voice: flows.VoiceSettings{Kept: true, Transcribed: cfg.transcriber != ""}})
	eng := bot.New(db, m, nil)
	rec := &recorder{}
	eng.AddSender(bot.ChannelTelegram, rec)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: db, eng: eng, rec: rec, src: newSource(), dir: filepath.Join(dir, "consult-voice")}
	h.opts = voice.Options{Dir: h.dir, MaxBytes: 1 << 20, MaxSeconds: 300, RetryMin: time.Millisecond, RetryMax: 4 * time.Millisecond, Budget: time.Hour}
	if cfg.maxBytes > 0 {
		h.opts.MaxBytes = cfg.maxBytes
	}
	if cfg.maxSeconds > 0 {
		h.opts.MaxSeconds = cfg.maxSeconds
	}
	if cfg.budget > 0 {
		h.opts.Budget = cfg.budget
	}
	if cfg.transcriber != "" {
		script, _ := filepath.Abs(filepath.Join("testdata", cfg.transcriber))
		tr, err := voice.NewTranscriber([]string{script}, cfg.timeout, 2)
		if err != nil {
			t.Fatal(err)
		}
		h.opts.Transcriber = tr
	}
	t.Cleanup(func() {
		h.stop()
		eng.Close(context.Background())
		if err := db.Check(); err != nil {
			t.Errorf("consistency check: %v", err)
		}
		db.Close()
	})
	return h
}

// start runs the voice service.
func (h *harness) start() {
	h.t.Helper()
	svc, err := voice.New(h.db, h.eng, h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	svc.AddSource(bot.ChannelTelegram, h.src)
	ctx, cancel := context.WithCancel(context.Background())
	h.svc, h.cancel, h.done = svc, cancel, make(chan error, 1)
	go func() { h.done <- svc.Run(ctx) }()
}

// stop stops the voice service and waits for it.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	if err := <-h.done; err != nil {
		h.t.Errorf("Run: %v", err)
	}
	h.cancel = nil
}

func (h *harness) send(ev flows.Event) {
	h.t.Helper()
	h.n++
	applied, err := h.eng.Handle(context.Background(), bot.Inbound{
		ID: "telegram:update:" + strconv.Itoa(h.n), Channel: bot.ChannelTelegram,
		Participant: "telegram:1", Address: "4242", Event: ev,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, out := range applied.Outbox {
		if len(out.Reply.Options) > 0 {
			h.last = out.Reply.Options
		}
	}
}

func (h *harness) tap(label string, opts []flows.Option) {
	h.t.Helper()
	for _, o := range opts {
		if o.Label == label {
			h.send(flows.Event{Kind: flows.EventChoice, Token: o.Token})
			return
		}
	}
	h.t.Fatalf("no button %q in %+v", label, opts)
}

// toFirstQuestion consents and opens theme 1.
func (h *harness) toFirstQuestion() {
	h.t.Helper()
	h.send(flows.Event{Kind: flows.EventCommand, Command: flows.CmdStart})
	h.tap("J'accepte", h.last)
	h.tap("Parent", h.last)
	h.tap("Passer", h.last)
	h.tap(h.last[0].Label, h.last)
}

// voiceNote answers the current question with a voice note the source
// serves.
func (h *harness) voiceNote(fileID string, seconds int, data []byte) {
	h.t.Helper()
	h.src.mu.Lock()
	h.src.files[fileID] = data
	h.src.mu.Unlock()
	h.send(flows.Event{Kind: flows.EventVoice, Voice: &flows.Voice{FileID: fileID, Duration: seconds, Size: int64(len(data))}})
}

// eventually waits for cond, checking it every few milliseconds, until a
// deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) onlyState() (uint64, storage.VoiceState) {
	h.t.Helper()
	states, err := h.db.VoiceStates(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	if len(states) != 1 {
		h.t.Fatalf("voice states = %+v, want one", states)
	}
	for id, s := range states {
		return id, s
	}
	panic("unreachable")
}

// offer returns the transcript offer the participant received, if any.
func (h *harness) offer() (bot.Outgoing, bool) {
	for _, out := range h.rec.all() {
		if strings.Contains(out.Reply.Text, "voici ce que j'ai compris") {
			return out, true
		}
	}
	return bot.Outgoing{}, false
}

func (h *harness) answer() flows.Answer {
	h.t.Helper()
	s, _, err := h.db.Session("telegram:1")
	if err != nil {
		h.t.Fatal(err)
	}
	return s.Answers[flows.AnswerKey("acces", "equipement")]
}

var audio = []byte("OggS\x00\x02 a French voice note, as Telegram sends it")

// TestVoiceKeptTranscribedAndConfirmed is the whole road: the audio of a
// voice answer is fetched into the private directory under the answer's
// id, the transcriber is run on that file, the participant is shown what
// it understood and confirms it, and only then is it the answer's text.
func TestVoiceKeptTranscribedAndConfirmed(t *testing.T) {
	h := newHarness(t, setup{transcriber: "transcribe-ok.sh"})
	h.start()
	h.toFirstQuestion()
	h.voiceNote("tg-voice-1", 12, audio)

	var offer bot.Outgoing
	eventually(t, "the transcript offer", func() (ok bool) { offer, ok = h.offer(); return ok })
	id, st := h.onlyState()
	if st.State != storage.VoiceKept || st.File != fmt.Sprintf("%d-1.ogg", id) {
		t.Fatalf("voice state = %+v", st)
	}
	path := filepath.Join(h.dir, st.File)
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, audio) {
		t.Fatalf("kept file = %q, %v", got, err)
	}
	for p, want := range map[string]os.FileMode{h.dir: 0o700, path: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, fi.Mode().Perm(), want, err)
		}
	}
	want := fmt.Sprintf("« Il faudrait des ordinateurs pour tous les élèves (%d octets) »", len(audio))
	if !strings.Contains(offer.Reply.Text, want) || offer.Address != "4242" {
		t.Errorf("offer to %q:\n%s\nwant it to quote %s", offer.Address, offer.Reply.Text, want)
	}
	if a := h.answer(); a.Text != "" || a.Voice == nil {
		t.Fatalf("answer before the confirmation = %+v", a)
	}
	h.tap("C'est bien ça", offer.Reply.Options)
	a := h.answer()
	if !a.Transcribed() || !strings.HasPrefix(a.Text, "Il faudrait des ordinateurs pour tous les élèves") {
		t.Errorf("answer after the confirmation = %+v", a)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the audio went with the confirmation, without the option: %v", err)
	}
}

// TestConfirmedTranscriptDeletesAudio: with the option on, the audio
// leaves the disk once the transcript is confirmed.
func TestConfirmedTranscriptDeletesAudio(t *testing.T) {
	h := newHarness(t, setup{transcriber: "transcribe-ok.sh", deleteOnce: true})
	h.start()
	h.toFirstQuestion()
	h.voiceNote("tg-voice-1", 12, audio)
	var offer bot.Outgoing
	eventually(t, "the transcript offer", func() (ok bool) { offer, ok = h.offer(); return ok })
	_, st := h.onlyState()
	path := filepath.Join(h.dir, st.File)
	h.tap("C'est bien ça", offer.Reply.Options)
	eventually(t, "the audio deleted", func() bool { _, err := os.Stat(path); return errors.Is(err, os.ErrNotExist) })
	if _, st := h.onlyState(); st.State != storage.VoiceDeleted {
		t.Errorf("state = %+v", st)
	}
}

// TestErasureDeletesTheAudio: /effacer confirmed, the audio leaves the
// disk once the erasure is committed, and nothing is left in the
// directory.
func TestErasureDeletesTheAudio(t *testing.T) {
	h := newHarness(t, setup{})
	h.start()
	h.toFirstQuestion()
	h.voiceNote("tg-voice-1", 12, audio)
	var path string
	eventually(t, "the audio kept", func() bool {
		states, _ := h.db.VoiceStates(context.Background())
		for _, s := range states {
			if s.File != "" {
				path = filepath.Join(h.dir, s.File)
			}
		}
		return path != ""
	})
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	h.send(flows.Event{Kind: flows.EventCommand, Command: flows.CmdErase})
	h.tap("Oui, tout effacer", h.last)
	eventually(t, "the audio deleted", func() bool { _, err := os.Stat(path); return errors.Is(err, os.ErrNotExist) })
	eventually(t, "an empty directory and trash", func() bool {
		entries, _ := os.ReadDir(h.dir)
		trash, _ := h.db.VoiceTrash(context.Background(), 10)
		return len(entries) == 0 && len(trash) == 0
	})
}

// TestTranscriberThatHangsIsStopped: past its timeout the transcriber is
// killed with its children, the failure is recorded, the participant is
// asked nothing, and the audio stays.
func TestTranscriberThatHangsIsStopped(t *testing.T) {
	h := newHarness(t, setup{transcriber: "transcribe-hang.sh", timeout: 300 * time.Millisecond})
	h.start()
	h.toFirstQuestion()
	h.voiceNote("tg-voice-1", 12, audio)
	id, _ := h.onlyState()
	eventually(t, "the transcript given up", func() bool { return transcriptDone(t, h, id) })
	if _, ok := h.offer(); ok {
		t.Error("a transcript was offered")
	}
	_, st := h.onlyState()
	raw, err := os.ReadFile(filepath.Join(h.dir, st.File+".pid"))
	if err != nil {
		t.Fatalf("the hanging transcriber did not start: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	eventually(t, "the transcriber's child killed", func() bool { return !alive(pid) })
	if _, err := os.Stat(filepath.Join(h.dir, st.File)); err != nil {
		t.Errorf("audio lost: %v", err)
	}
}

// alive reports whether process pid runs (a zombie does not).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// transcriptDone reports whether no transcript job is left for id.
func transcriptDone(t *testing.T, h *harness, id uint64) bool {
	jobs, _, err := h.db.VoiceJobs(context.Background(), time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.AnswerID == id {
			return false
		}
	}
	return true
}

// TestTranscriberThatFails: its failure is recorded, nothing is asked.
func TestTranscriberThatFails(t *testing.T) {
	h := newHarness(t, setup{transcriber: "transcribe-fail.sh"})
	h.start()
	h.toFirstQuestion()
	h.voiceNote("tg-voice-1", 12, audio)
	id, _ := h.onlyState()
	eventually(t, "the transcript given up", func() bool { return transcriptDone(t, h, id) })
	if _, ok := h.offer(); ok {
		t.Error("a transcript was offered")
	}
	if a := h.answer(); a.Text != "" || a.Voice == nil {
		t.Errorf("answer = %+v", a)
	}
}

// TestTranscriberGetsNoSecret: the program runs with an environment of
// its own, without the bot's tokens.
func TestTranscriberGetsNoSecret(t *testing.T) {
	t.Setenv("TELEGRAM_TOKEN", "123:secret-token")
	script, _ := filepath.Abs("testdata/transcribe-env.sh")
	tr, err := voice.NewTranscriber([]string{script, "{file}"}, time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tr.Transcribe(context.Background(), "/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "secret-token") || !strings.Contains(out, "PATH=") {
		t.Errorf("transcriber environment: %s", out)
	}
}

// TestFetchRetriesThenKeeps: transient failures are retried; the audio is
// kept in the end.
func TestFetchRetriesThenKeeps(t *testing.T) {
	h := newHarness(t, setup{})
	h.src.fails["tg-voice-1"] = 3
	h.start()
	h.toFirstQuestion()
	h.voiceNote("tg-voice-1", 12, audio)
	eventually(t, "the audio kept", func() bool { _, st := h.onlyState(); return st.State == storage.VoiceKept })
	if n := h.src.openCount(); n != 4 {
		t.Errorf("%d fetches, want 4", n)
	}
}

// TestWhatCannotBeFetchedIsRecorded: a refusal, a note over the limits
// and a platform failing past the bound end as "failed", with a reason,
// and are not tried again.
func TestWhatCannotBeFetchedIsRecorded(t *testing.T) {
	cases := map[string]struct {
		setup   setup
		prepare func(h *harness)
		seconds int
		data    []byte
		reason  string
		opens   int
	}{
		"refused":   {prepare: func(h *harness) { h.src.refuse["tg-voice-1"] = true }, seconds: 12, data: audio, reason: "file is too big", opens: 1},
		"too long":  {setup: setup{maxSeconds: 60}, seconds: 61, data: audio, reason: "lasts 61 s, more than the 60 s kept (voice.max_seconds)"},
		"too large": {setup: setup{maxBytes: 10}, seconds: 12, data: audio, reason: "more than the 10 kept (voice.max_bytes)"},
		"bound": {setup: setup{budget: 30 * time.Millisecond}, prepare: func(h *harness) { h.src.fails["tg-voice-1"] = 1 << 30 },
			seconds: 12, data: audio, reason: "gave up after"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, c.setup)
			if c.prepare != nil {
				c.prepare(h)
			}
			h.start()
			h.toFirstQuestion()
			h.voiceNote("tg-voice-1", c.seconds, c.data)
			var st storage.VoiceState
			eventually(t, "the failure recorded", func() bool { _, st = h.onlyState(); return st.State == storage.VoiceFailed })
			if !strings.Contains(st.Reason, c.reason) || st.At.IsZero() {
				t.Errorf("failure = %+v, want the reason to hold %q", st, c.reason)
			}
			if c.opens > 0 && h.src.openCount() != c.opens {
				t.Errorf("%d fetches, want %d", h.src.openCount(), c.opens)
			}
			entries, _ := os.ReadDir(h.dir)
			if len(entries) != 0 {
				t.Errorf("files left: %v", entries)
			}
		})
	}
}

// TestFetchResumesAtStart: a voice answer committed while the service is
// not running (a crash right after the commit) is fetched when it starts;
// files a crash left behind are swept, and nothing else is touched.
func TestFetchResumesAtStart(t *testing.T) {
	h := newHarness(t, setup{})
	h.toFirstQuestion()
	h.voiceNote("tg-voice-1", 12, audio)
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	left := map[string]bool{"77-1.ogg": false, ".78-1.ogg.123.tmp": false, "README": true}
	for name := range left {
		if err := os.WriteFile(filepath.Join(h.dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h.start()
	eventually(t, "the audio kept", func() bool { _, st := h.onlyState(); return st.State == storage.VoiceKept })
	for name, stays := range left {
		_, err := os.Stat(filepath.Join(h.dir, name))
		if stays != (err == nil) {
			t.Errorf("%s: stat %v, want it kept %v", name, err, stays)
		}
	}
}

// TestDirectoryMustBePrivate: a voice directory others may read is
// refused.
func TestDirectoryMustBePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "voice")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	_, err := voice.New(nil, nil, voice.Options{Dir: dir, MaxBytes: 1, MaxSeconds: 1})
	if err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("New = %v, want a refusal", err)
	}
}
