package storage

import (
	"context"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// putSession stores a session as a step would.
func putSession(t *testing.T, db *DB, id string, s flows.Session, at time.Time) {
	t.Helper()
	s.Participant = id
	apply(t, db, inbound("telegram:update:"+id+at.String(), id), at, func(flows.Session) (flows.Session, []flows.Reply) {
		return s, []flows.Reply{{Text: "ok"}}
	})
}

func TestPurgeInactiveErasesOnlyInactiveDrafts(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	old, recent := t0, t0.AddDate(0, 3, 0)
	answer := func(at time.Time) map[string]flows.Answer {
		return map[string]flows.Answer{"acces/q1": {Theme: "acces", Question: "q1", Text: "brouillon", CreatedAt: at, UpdatedAt: at}}
	}
	// An abandoned draft with an answer, someone stuck at consent, a
	// refusal: all inactive, none confirmed a theme.
	putSession(t, db, "telegram:1", flows.Session{Stage: flows.StageQuestion, Answers: answer(old), CreatedAt: old, UpdatedAt: old}, old)
	putSession(t, db, "telegram:2", flows.Session{Stage: flows.StageConsent, CreatedAt: old, UpdatedAt: old}, old)
	putSession(t, db, "telegram:3", flows.Session{Stage: flows.StageDeclined, CreatedAt: old, UpdatedAt: old}, old)
	// Inactive as long, but a theme was confirmed: a contribution, kept.
	putSession(t, db, "telegram:4", flows.Session{Stage: flows.StageMenu, Answers: answer(old), Confirmed: map[string]time.Time{"acces": old}, CreatedAt: old, UpdatedAt: old}, old)
	// A draft still in progress.
	putSession(t, db, "telegram:5", flows.Session{Stage: flows.StageQuestion, Answers: answer(recent), CreatedAt: old, UpdatedAt: recent}, recent)

	n, err := db.PurgeInactive(ctx, recent.AddDate(0, 0, -30))
	if err != nil || n != 3 {
		t.Fatalf("PurgeInactive = %d, %v; want 3", n, err)
	}
	for id, want := range map[string]bool{"telegram:1": false, "telegram:2": false, "telegram:3": false, "telegram:4": true, "telegram:5": true} {
		if _, ok, err := db.Session(id); err != nil || ok != want {
			t.Errorf("session %s kept = %v (%v), want %v", id, ok, err, want)
		}
	}
	var left []string
	if err := db.ForEachAnswer(ctx, func(a Answer) error { left = append(left, a.Participant); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0] != "telegram:4" || left[1] != "telegram:5" {
		t.Errorf("answers left = %v", left)
	}
	pending, _ := db.Pending(ctx, bot.ChannelTelegram, 0)
	for _, out := range pending {
		if out.Participant == "telegram:1" {
			t.Errorf("a purged participant's reply is still in the outbox: %+v", out)
		}
	}
	// A second pass finds nothing more.
	if n, err := db.PurgeInactive(ctx, recent.AddDate(0, 0, -30)); err != nil || n != 0 {
		t.Errorf("second pass = %d, %v", n, err)
	}
}

func TestPurgeInactiveWorksInChunks(t *testing.T) {
	db := openTest(t, Options{})
	total := retentionChunk*2 + 7
	for i := range total {
		id := "discord:" + time.Duration(i).String()
		putSession(t, db, id, flows.Session{Stage: flows.StageMenu, CreatedAt: t0, UpdatedAt: t0}, t0)
	}
	putSession(t, db, "discord:active", flows.Session{Stage: flows.StageMenu, CreatedAt: t0, UpdatedAt: t0.AddDate(1, 0, 0)}, t0)
	n, err := db.PurgeInactive(context.Background(), t0.AddDate(0, 1, 0))
	if err != nil || n != total {
		t.Fatalf("PurgeInactive = %d, %v; want %d", n, err, total)
	}
	if _, ok, _ := db.Session("discord:active"); !ok {
		t.Error("an active participant was purged")
	}
}

func TestPurgeAddressesDropsOldOutboxEntriesAndEventIDs(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	closedAt := t0.AddDate(0, 1, 0)
	putSession(t, db, "telegram:1", flows.Session{Stage: flows.StageMenu, Answers: map[string]flows.Answer{
		"acces/q1": {Theme: "acces", Question: "q1", Text: "gardée", CreatedAt: t0, UpdatedAt: t0},
	}, CreatedAt: t0, UpdatedAt: t0}, t0)
	putSession(t, db, "telegram:2", flows.Session{Stage: flows.StageMenu, CreatedAt: t0, UpdatedAt: t0}, closedAt.Add(time.Hour))

	n, err := db.PurgeAddresses(ctx, closedAt)
	if err != nil || n != 2 { // one outbox entry, one event id
		t.Fatalf("PurgeAddresses = %d, %v; want 2", n, err)
	}
	pending, _ := db.Pending(ctx, bot.ChannelTelegram, 0)
	if len(pending) != 1 || pending[0].Participant != "telegram:2" {
		t.Errorf("outbox after purge = %+v; want only the entry written after the cutoff", pending)
	}
	if list, _ := db.AnswersByParticipant("telegram:1"); len(list) != 1 {
		t.Errorf("answers were purged with the addresses: %+v", list)
	}
}
