package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot/telegram/telegramtest"
)

// TestRunOrganiserCommandsFromConfig runs the real Main's `run` with
// organisers listed in the config: an organiser user gets the figures,
// anyone else a polite refusal.
func TestRunOrganiserCommandsFromConfig(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	dir := t.TempDir()
	t.Chdir(dir)
	body := "[storage]\npath = \"run.db\"\n[telegram]\napi_endpoint = \"" + srv.URL() + "\"\norganiser_users = [900]\norganiser_chats = [-500]\n"
	if err := os.WriteFile(filepath.Join(dir, "consultbot.toml"), []byte(body), 0o600); err != nil {
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

	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	organiser := telegramtest.User{ID: 900, LanguageCode: "fr"}
	other := telegramtest.User{ID: 77, LanguageCode: "fr"}
	srv.SendText(organiser, "/stats")
	srv.SendText(other, "/stats")
	for id, refused := range map[int64]bool{900: false, 77: true} {
		msgs, err := srv.WaitMessages(wait, id, 1)
		if err != nil {
			t.Fatalf("%v\nstderr:\n%s", err, stderr)
		}
		got := msgs[0].Text == "Cette commande est réservée à l'équipe d'organisation."
		if got != refused {
			t.Errorf("user %d got %q; refused = %v, want %v", id, msgs[0].Text, got, refused)
		}
	}
	cancel()
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
		t.Error("the token appears in the logs")
	}
}
