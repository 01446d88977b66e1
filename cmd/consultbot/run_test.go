package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/internal/logbuf"
	"consultbot/storage"
)

// TestRunTelegramEndToEnd runs the real Main's `run` against the in-repo
// Telegram fake: a parent starts and consents, then SIGTERM-like
// cancellation shuts everything down cleanly and the answer is on disk.
func TestRunTelegramEndToEnd(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	dir := t.TempDir()
	t.Chdir(dir)
	r := startRun(t, srv, "")

	parent := telegramtest.User{ID: 4242, FirstName: "Ana", LanguageCode: "fr"}
	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	srv.SendCommand(parent, "/start")
	var consent telegramtest.Message
	err := srv.Wait(wait, func() bool {
		for _, msg := range srv.Messages(parent.ID) {
			if slices.Contains(msg.Labels(), "J'accepte") {
				consent = msg
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no consent question: %v\nstderr:\n%s", err, r.stderr)
	}
	if _, _, err := srv.TapButton(parent, consent, "J'accepte"); err != nil {
		t.Fatal(err)
	}
	err = srv.Wait(wait, func() bool {
		last, ok := srv.LastMessage(parent.ID)
		return ok && slices.Contains(last.Labels(), "Parent")
	})
	if err != nil {
		t.Fatalf("no profile question: %v", err)
	}

	r.stop(t, wait)
	if strings.Contains(r.stderr.String(), srv.Token()) {
		t.Errorf("the token appears in the logs:\n%s", r.stderr)
	}

	db, err := storage.Open(filepath.Join(dir, "run.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, ok, err := db.Session(bot.ParticipantID(bot.ChannelTelegram, "4242", []byte(testIDKey)))
	if err != nil || !ok {
		t.Fatalf("session: %v %v", ok, err)
	}
	if s.Stage != flows.StageProfile || s.ConsentAt.IsZero() {
		t.Errorf("session after consent: stage %q, consent at %v", s.Stage, s.ConsentAt)
	}
}

// runningBot is `consultbot run` started in-process by startRun.
type runningBot struct {
	m      *Main
	stderr *logbuf.Buffer
	cancel context.CancelFunc
	done   chan error
}

// startRun writes consultbot.toml in the current directory (storage in
// run.db, Telegram pointed at srv, then extra lines of the [telegram]
// section and any later section) and starts `run` on it with srv's token.
func startRun(t *testing.T, srv *telegramtest.Server, extra string) *runningBot {
	t.Helper()
	body := "[storage]\npath = \"run.db\"\n[telegram]\napi_endpoint = \"" + srv.URL() + "\"\n" + extra
	if err := os.WriteFile("consultbot.toml", []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	m, stderr := newTestMain(t, nil, io.Discard)
	m.Getenv = fakeEnv(map[string]string{"TELEGRAM_TOKEN": srv.Token()})
	if err := m.ParseFlags(context.Background(), []string{"run"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := &runningBot{m: m, stderr: stderr, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- m.Run(ctx) }()
	return r
}

// stop cancels the run as SIGTERM does, waits for Run to return until
// wait ends, and closes Main.
func (r *runningBot) stop(t *testing.T, wait context.Context) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-wait.Done():
		t.Fatal("Run did not return after cancellation")
	}
	if err := r.m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
