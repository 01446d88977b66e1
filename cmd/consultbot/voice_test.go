package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"consultbot/bot/telegram/telegramtest"
	"consultbot/internal/fault"
)

// voiceAudio stands for a voice note's Ogg Opus bytes.
var voiceAudio = []byte("OggS\x00\x02\x00\x00 une note vocale en français, 12 secondes")

// transcriberScript is the fake transcriber of package voice's tests: it
// prints a known French text with the size of the file it was given.
func transcriberScript(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "voice", "testdata", "transcribe-ok.sh"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitLabel waits for a message to the user offering a button with label
// and returns it.
func waitLabel(t *testing.T, ctx context.Context, srv *telegramtest.Server, u telegramtest.User, label string) telegramtest.Message {
	t.Helper()
	var found telegramtest.Message
	err := srv.Wait(ctx, func() bool {
		msgs := srv.Messages(u.ID)
		for i := len(msgs) - 1; i >= 0; i-- {
			if slices.Contains(msgs[i].Labels(), label) {
				found = msgs[i]
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no button %q: %v", label, err)
	}
	return found
}

// waitText waits for a message to the user holding text.
func waitText(t *testing.T, ctx context.Context, srv *telegramtest.Server, u telegramtest.User, text string) telegramtest.Message {
	t.Helper()
	var found telegramtest.Message
	err := srv.Wait(ctx, func() bool {
		for _, m := range srv.Messages(u.ID) {
			if strings.Contains(m.Text, text) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no message with %q: %v", text, err)
	}
	return found
}

func tap(t *testing.T, srv *telegramtest.Server, u telegramtest.User, m telegramtest.Message, label string) {
	t.Helper()
	if _, _, err := srv.TapButton(u, m, label); err != nil {
		t.Fatal(err)
	}
}

// toFirstQuestion takes a parent from /start to theme 1's first question.
func toFirstQuestion(t *testing.T, ctx context.Context, srv *telegramtest.Server, u telegramtest.User) {
	t.Helper()
	srv.SendCommand(u, "/start")
	tap(t, srv, u, waitLabel(t, ctx, srv, u, "J'accepte"), "J'accepte")
	tap(t, srv, u, waitLabel(t, ctx, srv, u, "Parent"), "Parent")
	m := waitLabel(t, ctx, srv, u, "Passer")
	tap(t, srv, u, m, "Passer")
	m = waitLabel(t, ctx, srv, u, "1. Égal accès au numérique — 0/5")
	tap(t, srv, u, m, "1. Égal accès au numérique — 0/5")
	waitText(t, ctx, srv, u, "Question 1/5")
}

// eventually polls cond until a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func voiceFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestVoiceEndToEnd runs the real `run` against the Telegram fake with
// [voice] on: a parent's voice note is fetched into the private directory
// next to the database, transcribed by the local program, confirmed by
// the parent; the export copies the recording named by answer id and its
// row carries both the transcript and the file; /effacer deletes the
// recording from the disk.
func TestVoiceEndToEnd(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	script := transcriberScript(t)
	dir := t.TempDir()
	t.Chdir(dir)
	voiceSection := fmt.Sprintf("[voice]\nenabled = true\ntranscribe_command = [%q, \"{file}\"]\n", script)
	r := startRun(t, srv, voiceSection)
	defer func() {
		if t.Failed() {
			select {
			case err := <-r.done:
				t.Logf("run: %v", err)
			default:
			}
			t.Logf("logs:\n%s", r.stderr)
		}
	}()
	ctx, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()
	parent := telegramtest.User{ID: 4242, FirstName: "Ana", LanguageCode: "fr"}
	toFirstQuestion(t, ctx, srv, parent)
	srv.SendVoiceData(parent, 12, voiceAudio)

	offer := waitLabel(t, ctx, srv, parent, "C'est bien ça")
	want := fmt.Sprintf("« Il faudrait des ordinateurs pour tous les élèves (%d octets) »", len(voiceAudio))
	if !strings.Contains(offer.Text, "voici ce que j'ai compris") || !strings.Contains(offer.Text, want) {
		t.Fatalf("offer:\n%s\nwant it to quote %s", offer.Text, want)
	}
	voiceDir := filepath.Join(dir, "run-voice")
	files := voiceFiles(t, voiceDir)
	if len(files) != 1 || !strings.HasSuffix(files[0], "-1.ogg") {
		t.Fatalf("voice directory holds %v", files)
	}
	kept := filepath.Join(voiceDir, files[0])
	for p, mode := range map[string]fs.FileMode{voiceDir: 0o700, kept: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", p, fi.Mode().Perm(), mode, err)
		}
	}
	tap(t, srv, parent, offer, "C'est bien ça")
	waitText(t, ctx, srv, parent, "votre réponse est enregistrée par écrit")
	r.stop(t, ctx)
	if strings.Contains(r.stderr.String(), srv.Token()) {
		t.Errorf("the token appears in the logs:\n%s", r.stderr)
	}

	out := filepath.Join(dir, "export.csv")
	exportDir := filepath.Join(dir, "ecoute")
	_, stderr, err := runCommand(t, map[string]string{"CONSULTBOT_PSEUDONYM_KEY": testPseudonymKey},
		"export", "--format", "csv", "--out", out, "--voice-dir", exportDir)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "1 enregistrement vocal copié") {
		t.Errorf("export said %q", stderr)
	}
	rows := readCSV(t, out)
	row := rows[1]
	col := func(name string) string { return row[slices.Index(rows[0], name)] }
	if col("answer_kind") != "voice" || col("transcribed") != "true" || !strings.HasPrefix(col("answer"), "Il faudrait des ordinateurs") {
		t.Errorf("row = %v", row)
	}
	if col("audio_file") != col("answer_id")+".ogg" || col("audio_status") != "kept" {
		t.Errorf("audio_file %q, status %q, answer id %q", col("audio_file"), col("audio_status"), col("answer_id"))
	}
	got, err := os.ReadFile(filepath.Join(exportDir, col("audio_file")))
	if err != nil || !bytes.Equal(got, voiceAudio) {
		t.Errorf("exported recording = %q, %v", got, err)
	}

	// Erasure: the recording leaves the disk.
	r = startRun(t, srv, voiceSection)
	srv.SendCommand(parent, "/effacer")
	tap(t, srv, parent, waitLabel(t, ctx, srv, parent, "Oui, tout effacer"), "Oui, tout effacer")
	waitText(t, ctx, srv, parent, "toutes vos données sont effacées")
	eventually(t, "the recording deleted", func() bool { return len(voiceFiles(t, voiceDir)) == 0 })
	r.stop(t, ctx)
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("csv: %d rows, %v", len(rows), err)
	}
	return rows
}

// TestKillNineBetweenCommitAndFetch kills the real binary with SIGKILL
// after a voice answer is committed and before its recording could be
// fetched (every download fails until then); the next start fetches it.
func TestKillNineBetweenCommitAndFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	run, dbPath := newKillRun(t, srv, "kill.db", "[voice]\nenabled = true\n")
	ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()

	srv.Faults().Always(telegramtest.MethodFile, fault.Status500)
	b := run.start()
	parent := telegramtest.User{ID: 777, FirstName: "Awa", LanguageCode: "fr"}
	toFirstQuestion(t, ctx, srv, parent)
	srv.SendVoiceData(parent, 12, voiceAudio)
	waitText(t, ctx, srv, parent, "Question 2/5") // committed
	if err := srv.Wait(ctx, func() bool { return srv.Requests(telegramtest.MethodFile) >= 1 }); err != nil {
		t.Fatalf("no fetch attempted: %v", err)
	}
	b.kill(t)
	voiceDir := filepath.Join(run.dir, "kill-voice")
	if files := voiceFiles(t, voiceDir); slices.ContainsFunc(files, func(n string) bool { return strings.HasSuffix(n, ".ogg") }) {
		t.Fatalf("a recording was kept while downloads failed: %v", files)
	}
	checkFile(t, dbPath)

	srv.Faults().Clear(telegramtest.MethodFile)
	b = run.start()
	var files []string
	eventually(t, "the recording fetched after the restart", func() bool {
		files = voiceFiles(t, voiceDir)
		return len(files) == 1 && strings.HasSuffix(files[0], "-1.ogg")
	})
	got, err := os.ReadFile(filepath.Join(voiceDir, files[0]))
	if err != nil || !bytes.Equal(got, voiceAudio) {
		t.Errorf("kept %q, %v", got, err)
	}
	b.stop(t)
	if run.tokenLeaked() {
		t.Error("the token appears in the logs")
	}
}

// TestVoiceConfigValidated: bad [voice] settings are reported with the
// key, all at once.
func TestVoiceConfigValidated(t *testing.T) {
	path := writeConfig(t, `[voice]
enabled = true
max_bytes = 100
max_seconds = 0
transcribe_command = ["/no/such/transcriber"]
transcribe_timeout = "forever"
transcribe_concurrency = 0
`)
	cfg, err := LoadConfig(path, fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, want := range []string{"voice.max_bytes", "voice.max_seconds", "voice.transcribe_command: program \"/no/such/transcriber\" not found",
		"voice.transcribe_timeout", "voice.transcribe_concurrency"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want %q", err, want)
		}
	}
	cfg = DefaultConfig()
	cfg.Voice.DeleteAfterTranscript = true
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "voice.delete_after_transcript") {
		t.Errorf("delete without transcription: %v", err)
	}
	cfg = DefaultConfig()
	if cfg.Voice.dir("data/consultbot.db") != "data/consultbot-voice" {
		t.Errorf("default voice dir = %q", cfg.Voice.dir("data/consultbot.db"))
	}
}
