package discord_test

import (
	"strings"
	"testing"
	"time"

	"consultbot/bot/discord/discordtest"
)

// TestGuildsOutsideGuildIDsGetNothingApplied: a command left registered
// globally can be run in a guild the bot is not configured for; it gets a
// short ephemeral note and nothing is stored, while the configured guild
// works as before.
func TestGuildsOutsideGuildIDsGetNothingApplied(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	h.srv.RegisterGlobalCommand("contribuer")
	u := h.srv.NewUser("Eve", "fr")
	id, err := h.srv.SlashCommand(u, h.srv.NewGuild(), "contribuer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.WaitAck(id, wait); err != nil {
		t.Fatalf("the interaction from another guild was left unanswered: %v", err)
	}
	m := h.next(u, 1)
	if !strings.Contains(m.Content, "pas disponible") || !m.Ephemeral {
		t.Errorf("answer in another guild: %+v, want an ephemeral note", m)
	}
	if _, ok, err := h.db.Session(pid(u)); err != nil || ok {
		t.Fatalf("session stored for an interaction from another guild (ok=%v, err=%v)", ok, err)
	}
	if _, err := h.srv.SlashCommand(u, h.srv.Guild(), "contribuer"); err != nil {
		t.Fatal(err)
	}
	h.next(u, 2)
	if _, ok, err := h.db.Session(pid(u)); err != nil || !ok {
		t.Fatalf("no session after /contribuer in the configured guild (ok=%v, err=%v)", ok, err)
	}
}

// TestClosedDMsMakeRepliesUndeliverable: once a person refuses direct
// messages, Discord answers 50007; the reply leaves the outbox for the
// undeliverable records instead of being retried forever.
func TestClosedDMsMakeRepliesUndeliverable(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("Sam", "fr")
	if _, err := h.srv.DirectMessage(u, "bonjour"); err != nil {
		t.Fatal(err)
	}
	h.next(u, 1)
	outboxEmpty := func() bool {
		pending, err := h.db.Pending(t.Context(), "discord", 0)
		return err == nil && len(pending) == 0
	}
	poll(t, "first replies delivered", outboxEmpty)
	h.srv.CloseDMs(u)
	msgID, err := h.srv.DirectMessage(u, "/aide")
	if err != nil {
		t.Fatal(err)
	}
	poll(t, "the refused reply out of the outbox", func() bool {
		list, err := h.db.Undeliverable()
		return err == nil && len(list) > 0 && outboxEmpty()
	})
	list, _ := h.db.Undeliverable()
	for _, r := range list {
		if r.Participant != pid(u) || r.EventID != "discord:message:"+msgID || !strings.Contains(r.Reason, "50007") {
			t.Errorf("undeliverable record %+v", r)
		}
	}
}

// poll waits for cond, which reads the database, to hold.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
