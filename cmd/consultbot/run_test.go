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
	cfgPath := filepath.Join(dir, "consultbot.toml")
	body := "[storage]\npath = \"run.db\"\n[telegram]\napi_endpoint = \"" + srv.URL() + "\"\n"
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	m, stderr := newTestMain(t, nil, io.Discard)
	m.Getenv = fakeEnv(map[string]string{"TELEGRAM_TOKEN": srv.Token()})
	if err := m.ParseFlags(context.Background(), []string{"run"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

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
		t.Fatalf("no consent question: %v\nstderr:\n%s", err, stderr)
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

	cancel() // as SIGTERM does
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-wait.Done():
		t.Fatal("Run did not return after cancellation")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if strings.Contains(stderr.String(), srv.Token()) {
		t.Errorf("the token appears in the logs:\n%s", stderr)
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
