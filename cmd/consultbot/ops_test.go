package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"consultbot/admin"
	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/storage"
)

// seedAt writes two answers of two participants active an hour ago (so
// that run's retention keeps them) to a new database at path.
func seedAt(t *testing.T, path string) {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, text := range []string{"Des PC; et du \"vrai\" réseau\nsvp", "Former les enseignants"} {
		in := bot.Inbound{ID: "e" + strconv.Itoa(i), Channel: bot.ChannelTelegram, Participant: "telegram:p" + strconv.Itoa(i), Address: "c"}
		_, err := db.Apply(context.Background(), in, at, func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Profile, s.ConsentAt, s.CreatedAt, s.UpdatedAt = "parent", at, at, at
			s.Answers = map[string]flows.Answer{flows.AnswerKey("acces", "equipement"): {Theme: "acces", Question: "equipement", Text: text, CreatedAt: at, UpdatedAt: at}}
			return s, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// scrapeMetrics reads the metrics page; samples are keyed by name and
// labels as the page writes them.
func scrapeMetrics(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	samples := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.LastIndexByte(line, ' '); i > 0 && !strings.HasPrefix(line, "#") {
			v, _ := strconv.ParseFloat(line[i+1:], 64)
			samples[line[:i]] = v
		}
	}
	return samples
}

// waitFor polls cond until it holds or 30 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOperationsWhileTheBotRuns: with `run` holding the database, export,
// digest --print, stats and backup work as when it is stopped, through
// the admin socket; the metrics listener serves figures that move with
// real Telegram traffic and says when the bot is ready; a scheduled
// backup is taken; and the backup restores: `run` on the copy finds the
// answers and the participant's place in the conversation.
func TestOperationsWhileTheBotRuns(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	dir := t.TempDir()
	t.Chdir(dir)
	seedAt(t, "run.db")
	// The same commands with the bot stopped, to compare.
	env := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	offDigest, _, err := runCommand(t, env, "digest", "-db", "run.db", "--print")
	if err != nil {
		t.Fatal(err)
	}
	offExport, _, err := runCommand(t, env, "export", "-db", "run.db", "--format", "jsonl", "--out", "-")
	if err != nil {
		t.Fatal(err)
	}

	r := startRun(t, srv, "[metrics]\nlisten = \"127.0.0.1:0\"\n[backup]\nevery_hours = 1\nkeep = 2\n")
	wait, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()
	waitFor(t, "the metrics listener", func() bool { return r.m.MetricsAddr() != "" })
	addr := r.m.MetricsAddr()
	waitFor(t, "readiness", func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	fi, err := os.Lstat(admin.SocketPath("run.db"))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("admin socket: %v, %v", fi, err)
	}

	parent := telegramtest.User{ID: 4242, FirstName: "Ana", LanguageCode: "fr"}
	srv.SendCommand(parent, "/start")
	consent := waitLabel(t, wait, srv, parent, "J'accepte")
	if _, _, err := srv.TapButton(parent, consent, "J'accepte"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(wait, func() bool {
		last, ok := srv.LastMessage(parent.ID)
		return ok && slices.Contains(last.Labels(), "Parent")
	}); err != nil {
		t.Fatalf("no profile question: %v", err)
	}
	waitFor(t, "the metrics to count the parent's events", func() bool {
		s := scrapeMetrics(t, addr)
		return s[`consultbot_events_applied_total{channel="telegram"}`] >= 2 &&
			s[`consultbot_platform_request_duration_seconds_count{method="sendMessage",platform="telegram"}`] >= 2 &&
			s[`consultbot_replies_delivered_total{channel="telegram"}`] >= 2 &&
			s[`consultbot_channel_connected{channel="telegram"}`] == 1
	})

	// The read-only commands, while the bot holds the file.
	if out, stderr, err := runCommand(t, env, "export", "-db", "run.db", "--format", "jsonl", "--out", "answers.jsonl"); err != nil {
		t.Fatalf("export while running: %v\n%s%s", err, out, stderr)
	}
	got, _ := os.ReadFile("answers.jsonl")
	if string(got) != offExport {
		t.Errorf("export while running:\n%s\nwant, as with the bot stopped:\n%s", got, offExport)
	}
	if fi, _ := os.Stat("answers.jsonl"); fi.Mode().Perm() != 0o600 {
		t.Errorf("export mode %04o", fi.Mode().Perm())
	}
	onDigest, _, err := runCommand(t, env, "digest", "-db", "run.db", "--print")
	if err != nil {
		t.Fatalf("digest while running: %v", err)
	}
	// The parent who just consented counts as a participant now.
	if !strings.Contains(onDigest, "Former les enseignants") || !strings.HasPrefix(onDigest, "# ") {
		t.Errorf("digest while running:\n%s\nwith the bot stopped:\n%s", onDigest, offDigest)
	}
	if _, _, err := runCommand(t, env, "digest", "-db", "run.db", "--print", "--theme", "nope"); err == nil || !strings.Contains(err.Error(), "le thème « nope » n'existe pas") {
		t.Errorf("digest with an unknown theme while running: %v", err)
	}
	stats, _, err := runCommand(t, env, "stats", "-db", "run.db")
	if err != nil || !strings.Contains(stats, "2 réponses au total.") {
		t.Errorf("stats while running: %v\n%s", err, stats)
	}
	if _, _, err := runCommand(t, env, "backup", "-db", "run.db", "--out", "run.db"); err == nil || !strings.Contains(err.Error(), "est la base elle-même") {
		t.Errorf("backup over the database: %v", err)
	}
	_, stderr, err := runCommand(t, env, "backup", "-db", "run.db", "--out", "copy.db")
	if err != nil || !strings.Contains(stderr, "vérifiée") {
		t.Fatalf("backup while running: %v\n%s", err, stderr)
	}
	if fi, err := os.Stat("copy.db"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	waitFor(t, "the scheduled backup", func() bool {
		names, _ := listBackups("backups")
		return len(names) == 1
	})
	if s := scrapeMetrics(t, addr); s["consultbot_backup_last_success_timestamp_seconds"] == 0 || s[`consultbot_digest_duration_seconds_count{source="admin"}`] < 2 {
		t.Errorf("backup and digest metrics: last backup %v, admin digests %v", s["consultbot_backup_last_success_timestamp_seconds"], s[`consultbot_digest_duration_seconds_count{source="admin"}`])
	}
	r.stop(t, wait)
	if _, err := os.Lstat(admin.SocketPath("run.db")); !os.IsNotExist(err) {
		t.Errorf("the admin socket is left after a clean stop: %v", err)
	}
	names, _ := listBackups("backups")
	if err := storage.VerifyFile(filepath.Join("backups", names[0])); err != nil {
		t.Errorf("scheduled backup: %v", err)
	}

	// Restore: run on the copy. The parent goes on where they were.
	os.Remove("run.db")
	if err := os.Rename("copy.db", "run.db"); err != nil {
		t.Fatal(err)
	}
	r = startRun(t, srv, "")
	before := len(srv.Messages(parent.ID))
	srv.SendText(parent, "1")
	if err := srv.Wait(wait, func() bool {
		msgs := srv.Messages(parent.ID)
		return len(msgs) > before && strings.Contains(msgs[len(msgs)-1].Text, "académie")
	}); err != nil {
		msgs := srv.Messages(parent.ID)
		t.Fatalf("after the restore, the parent's profile answer did not lead to the académie question: %v\nlast: %q", err, msgs[len(msgs)-1].Text)
	}
	r.stop(t, wait)
	db, err := storage.OpenReadOnly("run.db", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	db.ForEachAnswer(context.Background(), func(storage.Answer) error { n++; return nil })
	if n != 2 {
		t.Errorf("restored database holds %d answers, want 2", n)
	}
	if s, ok, _ := db.Session(bot.ParticipantID(bot.ChannelTelegram, "4242", []byte(testIDKey))); !ok || s.Stage == flows.StageConsent {
		t.Errorf("restored session: %v, stage %q", ok, s.Stage)
	}
}

// TestBackupWithTheBotStopped copies a database no bot holds, and
// refuses what export refuses.
func TestBackupWithTheBotStopped(t *testing.T) {
	dbPath := seedDB(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	if _, _, err := runCommand(t, nil, "backup", "-db", dbPath, "--out", out); err != nil {
		t.Fatal(err)
	}
	if err := storage.VerifyFile(out); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "-"} {
		if _, _, err := runCommand(t, nil, "backup", "-db", dbPath, "--out", bad); err == nil || !strings.Contains(err.Error(), "indiquez la copie avec --out FICHIER") {
			t.Errorf("backup --out %q: %v", bad, err)
		}
	}
	link := filepath.Join(t.TempDir(), "link.db")
	os.Symlink(out, link)
	if _, _, err := runCommand(t, nil, "backup", "-db", dbPath, "--out", link); err == nil || !strings.Contains(err.Error(), "lien symbolique") {
		t.Errorf("backup to a symbolic link: %v", err)
	}
	stats, _, err := runCommand(t, nil, "stats", "-db", dbPath, "--lang", "en")
	if err != nil || !strings.Contains(stats, "2 answers in total.") {
		t.Errorf("stats: %v\n%s", err, stats)
	}
}

// TestScheduledBackupsRotate keeps the newest backups and removes the
// oldest.
func TestScheduledBackupsRotate(t *testing.T) {
	dbPath := seedDB(t)
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := filepath.Join(t.TempDir(), "backups")
	if err := prepareBackupDir(dir); err != nil {
		t.Fatal(err)
	}
	// Older backups, and a file of someone else's that stays.
	for _, name := range []string{"consultbot-20260101T000000Z.db", "consultbot-20260102T000000Z.db", "notes.txt"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600)
	}
	m, _ := newTestMain(t, nil, io.Discard)
	m.logger = slog.New(slog.DiscardHandler)
	if err := m.takeBackup(context.Background(), dir, 2, db); err != nil {
		t.Fatal(err)
	}
	names, _ := listBackups(dir)
	if len(names) != 2 || names[0] != "consultbot-20260102T000000Z.db" {
		t.Errorf("after rotation: %v", names)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Error("rotation removed a file that is not a backup")
	}
	if err := storage.VerifyFile(filepath.Join(dir, names[1])); err != nil {
		t.Errorf("new backup: %v", err)
	}
	os.Chmod(dir, 0o755)
	if err := prepareBackupDir(dir); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("a readable backup directory: %v", err)
	}
}

// TestOperationsSettingsAreChecked: out-of-range backup settings and a
// malformed metrics address are reported together, with their keys.
func TestOperationsSettingsAreChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte("[backup]\nevery_hours = -1\nkeep = 0\n[metrics]\nlisten = \"9090\"\n"), 0o600)
	cfg, err := LoadConfig(path, fakeEnv(nil))
	if err == nil {
		err = cfg.Validate()
	}
	for _, want := range []string{"backup.every_hours: -1 must be a number between 0 and 744", "backup.keep: 0 must be a number between 1 and 1000", `metrics.listen: "9090" is not host:port`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validation: %v\nwant %q", err, want)
		}
	}
	os.WriteFile(path, []byte("[backup]\nevery_hours = 24\nkeep = 14\ndir = \"/srv/backups\"\n[metrics]\nlisten = \"127.0.0.1:9090\"\n"), 0o600)
	if cfg, err := LoadConfig(path, fakeEnv(nil)); err != nil || cfg.Validate() != nil {
		t.Errorf("valid settings refused: %v %v", err, cfg.Validate())
	}
}

// TestDockerConfigIsValid: the configuration baked into the container
// image passes check-config's validation.
func TestDockerConfigIsValid(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("..", "..", "deploy", "docker.toml"), fakeEnv(nil))
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Backup.EveryHours == 0 || cfg.Metrics.Listen == "" {
		t.Errorf("docker.toml: backups every %d h, metrics on %q", cfg.Backup.EveryHours, cfg.Metrics.Listen)
	}
}
