package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/storage"
)

const testPseudonymKey = "a test key of at least sixteen bytes"

// seedDB writes two answers, one with a separator, quotes and a line break,
// and closes the file.
func seedDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, text := range []string{"Des PC; et du \"vrai\" réseau\nsvp", "Former les enseignants"} {
		in := bot.Inbound{ID: "e" + string(rune('1'+i)), Channel: bot.ChannelTelegram, Participant: "telegram:p" + string(rune('1'+i)), Address: "c"}
		_, err := db.Apply(context.Background(), in, at, func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Profile = "parent"
			s.Answers = map[string]flows.Answer{flows.AnswerKey("acces", "equipement"): {Theme: "acces", Question: "equipement", Text: text, CreatedAt: at, UpdatedAt: at}}
			return s, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func runCommand(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout bytes.Buffer
	m, stderr := newTestMain(t, strings.NewReader(""), &stdout)
	m.Getenv = fakeEnv(env)
	if err := m.ParseFlags(context.Background(), args); err != nil {
		return "", stderr.String(), err
	}
	err := m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return stdout.String(), stderr.String(), err
}

func TestExportCommandWritesAPrivateCSV(t *testing.T) {
	dbPath := seedDB(t)
	out := filepath.Join(t.TempDir(), "export.csv")
	env := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	if _, _, err := runCommand(t, env, "export", "-db", dbPath, "--format", "csv", "--out", out); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("export file mode %04o, want 0600", perm)
	}
	b, _ := os.ReadFile(out)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("parse export: %d records, %v", len(recs), err)
	}
	if recs[1][11] != "Des PC; et du \"vrai\" réseau\nsvp" || recs[1][1] == "telegram:p1" {
		t.Errorf("first row %q", recs[1])
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*.tmp")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestExportRefusesWithoutPseudonymKey(t *testing.T) {
	dbPath := seedDB(t)
	out := filepath.Join(t.TempDir(), "export.csv")
	_, _, err := runCommand(t, nil, "export", "-db", dbPath, "--out", out)
	if err == nil || !strings.Contains(err.Error(), organiser.PseudonymKeyEnv) {
		t.Fatalf("export without key: %v, want an error naming %s", err, organiser.PseudonymKeyEnv)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("export without key left a file behind (%v)", err)
	}
}

// TestReadOnlyCommandsWhileTheBotRuns: bbolt's writer holds an exclusive
// flock and a read-only open asks for a shared one, so export and digest
// cannot run beside the bot; they say so clearly instead of hanging, and
// work once it stopped.
func TestReadOnlyCommandsWhileTheBotRuns(t *testing.T) {
	dbPath := seedDB(t)
	env := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export", "-db", dbPath, "--out", "-"},
		{"digest", "-db", dbPath, "--print"},
	} {
		_, _, err := runCommand(t, env, args...)
		if err == nil || !strings.Contains(err.Error(), "stop it first") {
			t.Errorf("%s while the bot holds the file: %v, want an error saying to stop it", args[0], err)
		}
	}
	db.Close()

	stdout, _, err := runCommand(t, env, "digest", "-db", dbPath, "--print")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, "# ") || !strings.Contains(stdout, "Former les enseignants") {
		t.Errorf("digest --print output:\n%s", stdout)
	}
	stdout, _, err = runCommand(t, env, "export", "-db", dbPath, "--format", "jsonl", "--out", "-")
	if err != nil || strings.Count(stdout, "\n") != 2 {
		t.Errorf("export to stdout: %v\n%s", err, stdout)
	}
	// The read-only commands changed nothing: the bot opens the file again.
	db, err = storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestDigestCommandNeedsPrint(t *testing.T) {
	dbPath := seedDB(t)
	if _, _, err := runCommand(t, nil, "digest", "-db", dbPath); err == nil || !strings.Contains(err.Error(), "--print") {
		t.Errorf("digest without --print: %v", err)
	}
	if _, _, err := runCommand(t, nil, "digest", "-db", dbPath, "--print", "--theme", "nope"); err == nil || !strings.Contains(err.Error(), "unknown theme") {
		t.Errorf("digest with an unknown theme: %v", err)
	}
}
