package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// TestRunRefusesDatabaseReadableByOthers: `run` stops before touching
// anything when the database file is readable by group or others, and
// says how to fix it.
func TestRunRefusesDatabaseReadableByOthers(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		dir := t.TempDir()
		path := filepath.Join(dir, "open.db")
		db, err := storage.Open(path, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		m, _ := newTestMain(t, nil, io.Discard)
		m.Getenv = fakeEnv(map[string]string{"TELEGRAM_TOKEN": "123:abc"})
		if err := m.ParseFlags(context.Background(), []string{"run", "-db", path}); err != nil {
			t.Fatal(err)
		}
		err = m.Run(context.Background())
		if cerr := m.Close(); cerr != nil {
			t.Errorf("close: %v", cerr)
		}
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: run returned %v; want a refusal naming chmod 600", mode, err)
		}
	}
}

func TestPrivacyConfigReachesTheConsentAndIsValidated(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("..", "..", "config.example.toml"), fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Privacy.Controller == "" || cfg.Privacy.Contact == "" || cfg.Privacy.InactiveDays != 90 || cfg.Privacy.RetentionDaysAfterClose != 30 {
		t.Errorf("example [privacy] = %+v", cfg.Privacy)
	}
	bad := cfg
	bad.Privacy = PrivacyConfig{Controller: "a\nb", InactiveDays: -1, RetentionDaysAfterClose: 5000}
	err = bad.Validate()
	for _, want := range []string{"privacy.controller", "privacy.inactive_days", "privacy.retention_days_after_close"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want a problem with %s", err, want)
		}
	}

	// chat shows the configured controller and contact in the consent.
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.toml")
	body := "[privacy]\ncontroller = \"Académie de Nantes\"\ncontact = \"dpd@ac-nantes.example\"\ninactive_days = 45\n"
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	m, _ := newTestMain(t, strings.NewReader("/start\nen savoir plus\n"), &out)
	if err := m.ParseFlags(context.Background(), []string{"-config", cfgPath, "chat", "-db", filepath.Join(dir, "c.db")}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Qui est responsable de vos données : Académie de Nantes. Contact : dpd@ac-nantes.example.", "tout est effacé après 45 jours sans activité"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("consent lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRetentionPass: inactive drafts go, contributions stay, and the
// addresses go only once the retention period after closing is over.
func TestRetentionPass(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "r.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	put := func(id string, s flows.Session, at time.Time) {
		s.Participant, s.CreatedAt, s.UpdatedAt = id, at, at
		in := bot.Inbound{ID: "telegram:update:" + id, Channel: bot.ChannelTelegram, Participant: id, Address: "55501"}
		if _, err := db.Apply(ctx, in, at, func(flows.Session) (flows.Session, []flows.Reply) { return s, []flows.Reply{{Text: "ok"}} }); err != nil {
			t.Fatal(err)
		}
	}
	put("telegram:draft", flows.Session{Stage: flows.StageMenu}, t0)
	put("telegram:contrib", flows.Session{Stage: flows.StageMenu, Confirmed: map[string]time.Time{"acces": t0}}, t0)
	log := slog.New(slog.DiscardHandler)
	p := PrivacyConfig{InactiveDays: 90, RetentionDaysAfterClose: 30}
	closes := t0.AddDate(0, 4, 0)

	retentionPass(ctx, db, log, p, closes, t0.AddDate(0, 0, 89))
	if _, ok, _ := db.Session("telegram:draft"); !ok {
		t.Fatal("a draft was erased before inactive_days")
	}
	if pending, _ := db.Pending(ctx, bot.ChannelTelegram, 0); len(pending) != 2 {
		t.Fatalf("addresses purged before the retention period: %d left", len(pending))
	}
	retentionPass(ctx, db, log, p, closes, t0.AddDate(0, 0, 91))
	if _, ok, _ := db.Session("telegram:draft"); ok {
		t.Error("an inactive draft was kept")
	}
	if _, ok, _ := db.Session("telegram:contrib"); !ok {
		t.Error("a contribution was erased for inactivity")
	}
	retentionPass(ctx, db, log, p, closes, closes.AddDate(0, 0, 30))
	if pending, _ := db.Pending(ctx, bot.ChannelTelegram, 0); len(pending) != 0 {
		t.Errorf("addresses kept after the retention period: %+v", pending)
	}
}

func TestRetentionForgetsOldEventIDs(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "r.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	in := bot.Inbound{ID: "telegram:update:77", Channel: bot.ChannelTelegram, Participant: "telegram:p", Address: "55501"}
	step := func(s flows.Session) (flows.Session, []flows.Reply) { return s, nil }
	redelivered := func(at time.Time) bool {
		t.Helper()
		got, err := db.Apply(ctx, in, at, step)
		if err != nil {
			t.Fatal(err)
		}
		return got.Duplicate
	}
	redelivered(t0)
	log := slog.New(slog.DiscardHandler)
	p := PrivacyConfig{InactiveDays: 90, RetentionDaysAfterClose: 30}
	closes := t0.AddDate(1, 0, 0)

	retentionPass(ctx, db, log, p, closes, t0.AddDate(0, 0, 29))
	if !redelivered(t0.AddDate(0, 0, 29)) {
		t.Fatal("an update redelivered within 29 days was applied again")
	}
	retentionPass(ctx, db, log, p, closes, t0.AddDate(0, 0, 31))
	if redelivered(t0.AddDate(0, 0, 31)) {
		t.Fatal("the id of a 31-day-old event is still kept")
	}
}

// TestChatStartsAgainInTheTerminalsLanguage: someone who spoke English and
// erased everything, then runs chat again, is welcomed in the language
// the terminal reports (LANG), their erased choice being gone.
func TestChatStartsAgainInTheTerminalsLanguage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	run := func(input string, env map[string]string) string {
		t.Helper()
		var out strings.Builder
		m, _ := newTestMain(t, strings.NewReader(input), &out)
		m.Getenv = fakeEnv(env)
		if err := m.ParseFlags(context.Background(), []string{"chat", "-db", db}); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if out := run("/start\n/langue en\n/erase\n1\n", map[string]string{"LANG": "C.UTF-8"}); !strings.Contains(out, "Welcome!") || !strings.Contains(out, "all your data is erased") {
		t.Fatalf("English chosen at the consent, then erased:\n%s", out)
	}
	if out := run("/start\n/erase\n1\n", english); !strings.Contains(out, "Welcome!") || strings.Contains(out, "Bienvenue") {
		t.Errorf("chat run again with LANG=en_GB.UTF-8 after erasure:\n%s", out)
	}
	// With no language to go by, French, the consultation's.
	if out := run("/start\n", nil); !strings.Contains(out, "Bienvenue") {
		t.Errorf("chat run again with no LANG after erasure:\n%s", out)
	}
}
