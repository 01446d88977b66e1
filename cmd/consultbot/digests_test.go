package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
)

// TestRunPostsMissedDigestAtStartup: the last periodic digest is two days
// old and one answer came after it; `run` (hourly digests) posts the digest
// that fell due while it was stopped to the organisers' chat at start-up,
// chart first, and records it so that it is not posted again.
func TestRunPostsMissedDigestAtStartup(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	dir := t.TempDir()
	t.Chdir(dir)

	now := time.Now()
	db, err := storage.Open(filepath.Join(dir, "run.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordDigest(time.Time{}, now.Add(-48*time.Hour), nil, nil, now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	at := now.Add(-30 * time.Hour)
	in := bot.Inbound{ID: "seed", Channel: bot.ChannelTelegram, Participant: "telegram:seed", Address: "1"}
	_, err = db.Apply(context.Background(), in, at, func(s flows.Session) (flows.Session, []flows.Reply) {
		// A recent participant: retention erases drafts left for months.
		s.Stage, s.Profile, s.ConsentAt, s.CreatedAt, s.UpdatedAt = flows.StageMenu, "parent", at, at, now
		s.Answers = map[string]flows.Answer{flows.AnswerKey("acces", "equipement"): {Theme: "acces", Question: "equipement",
			Text: "Des ordinateurs portables pour chaque élève", CreatedAt: at, UpdatedAt: at}}
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	// The bot is in the organisers' group: Telegram knows the chat.
	srv.GroupMessage(telegramtest.Group{ID: -500, Title: "Organisation"}, telegramtest.User{ID: 900, LanguageCode: "fr"}, "Bonjour à tous")
	r := startRun(t, srv, "organiser_chats = [-500]\n[digest]\nevery_hours = 1\n")
	m := r.m

	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	var msgs []telegramtest.Message
	waitErr := srv.Wait(wait, func() bool {
		msgs = srv.Messages(-500)
		return len(msgs) >= 2 && strings.Contains(msgs[len(msgs)-1].Text, "Synthèse")
	})
	// Posted, then marked sent: nothing left to post at the next start.
	for waitErr == nil {
		if pending, err := m.db.PendingDigests(); err == nil && len(pending) == 0 {
			break
		}
		select {
		case <-wait.Done():
			waitErr = errors.New("the digest posted is still pending")
		case <-time.After(10 * time.Millisecond):
		}
	}
	r.cancel()
	if err := <-r.done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if waitErr != nil {
		t.Fatalf("no digest in the organisers' chat: %v (%d messages)\nstderr:\n%s", waitErr, len(msgs), r.stderr)
	}
	chart, text := msgs[len(msgs)-2], msgs[len(msgs)-1]
	if chart.Kind != "photo" || len(chart.File) == 0 {
		t.Errorf("message before the digest is a %s, want the chart", chart.Kind)
	}
	if !strings.Contains(text.Text, "Des ordinateurs portables") {
		t.Errorf("digest text:\n%s", text.Text)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = storage.Open(filepath.Join(dir, "run.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log, _ := db.DigestLog()
	pending, _ := db.PendingDigests()
	if len(log) != 2 || len(pending) != 0 || !log[1].Since.Equal(log[0].Until) || log[1].Until.Before(now.Add(-time.Hour)) {
		t.Errorf("after start-up: %d digests recorded, %d pending; want 2 and 0, the second from the first's end to the last hour", len(log), len(pending))
	}
}

// TestNoPeriodicDigestWithNowhereToPostIt: with no organisers' chat or
// channel, run records no periodic digest, so the period that digest
// --print and /synthese show still starts at the last digest posted: an
// organiser who reads them in the terminal misses no answer.
func TestNoPeriodicDigestWithNowhereToPostIt(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	dir := t.TempDir()
	t.Chdir(dir)
	last := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	db, err := storage.Open(filepath.Join(dir, "run.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordDigest(time.Time{}, last, nil, nil, last); err != nil {
		t.Fatal(err)
	}
	db.Close()

	r := startRun(t, srv, "[digest]\nevery_hours = 1\n")
	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := srv.Wait(wait, func() bool { return strings.Contains(r.stderr.String(), "periodic digests off") }); err != nil {
		t.Fatalf("run did not say periodic digests are off: %v\nstderr:\n%s", err, r.stderr)
	}
	r.stop(t, wait)
	db, err = storage.Open(filepath.Join(dir, "run.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if cursor, err := db.DigestCursor(); err != nil || !cursor.Equal(last) {
		t.Errorf("digest period starts at %v (%v), want %v: a digest was recorded with nowhere to go", cursor, err, last)
	}
}
