package main

import (
	"context"
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
	t.Chdir(t.TempDir())
	r := startRun(t, srv, "organiser_users = [900]\norganiser_chats = [-500]\n")

	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	organiser := telegramtest.User{ID: 900, LanguageCode: "fr"}
	other := telegramtest.User{ID: 77, LanguageCode: "fr"}
	srv.SendText(organiser, "/stats")
	srv.SendText(other, "/stats")
	for id, refused := range map[int64]bool{900: false, 77: true} {
		msgs, err := srv.WaitMessages(wait, id, 1)
		if err != nil {
			t.Fatalf("%v\nstderr:\n%s", err, r.stderr)
		}
		got := msgs[0].Text == "Cette commande est réservée à l'équipe d'organisation."
		if got != refused {
			t.Errorf("user %d got %q; refused = %v, want %v", id, msgs[0].Text, got, refused)
		}
	}
	r.stop(t, wait)
	if strings.Contains(r.stderr.String(), srv.Token()) {
		t.Error("the token appears in the logs")
	}
}
