package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
		return stdout.String(), stderr.String(), err
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
	if recs[1][slices.Index(organiser.ExportColumns, "answer")] != "Des PC; et du \"vrai\" réseau\nsvp" || recs[1][1] == "telegram:p1" {
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
// cannot open the file beside a writer; when that writer answers on no
// admin socket (here a bare storage.Open; TestOperationsWhileTheBotRuns
// has a real bot), they say so clearly instead of hanging, and work once
// it stopped.
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
		if err == nil || !strings.Contains(err.Error(), "arrêtez-le d'abord") {
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
}

// TestCommandLineSpeaksTheOrganisersLanguage: a theme that does not exist
// is answered with every valid theme (number, id, title) and what to
// type, in French by default and in English when LANG says so, as is the
// rest of what the command line says.
func TestCommandLineSpeaksTheOrganisersLanguage(t *testing.T) {
	dbPath := seedDB(t)
	q := flows.DefaultQuestionnaire()
	for _, tc := range []struct {
		env   map[string]string
		lang  string
		first string
		typed string
	}{
		{nil, "fr", "le thème « 9 » n'existe pas", "Par exemple : consultbot digest --print --theme 2"},
		{map[string]string{"LANG": "C.UTF-8"}, "fr", "le thème « 9 » n'existe pas", "Par exemple : consultbot digest --print --theme 2"},
		{map[string]string{"LANG": "en_GB.UTF-8"}, "en", `unknown theme "9"`, "For example: consultbot digest --print --theme 2"},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en", `unknown theme "9"`, "For example: consultbot digest --print --theme 2"},
	} {
		_, _, err := runCommand(t, tc.env, "digest", "-db", dbPath, "--print", "--theme", "9")
		if err == nil {
			t.Fatalf("%v: digest --theme 9 succeeded", tc.env)
		}
		msg := err.Error()
		for _, want := range []string{tc.first, tc.typed} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: digest --theme 9 said:\n%s\nwant %q", tc.env, msg, want)
			}
		}
		for i, th := range q.Themes {
			if line := fmt.Sprintf("%d  %-12s %s", i+1, th.ID, th.Title.In(tc.lang)); !strings.Contains(msg, line) {
				t.Errorf("%v: digest --theme 9 does not list %q:\n%s", tc.env, line, msg)
			}
		}
	}
	// The same themes, by number and by id, are taken.
	for _, theme := range []string{"2", q.Themes[1].ID} {
		if out, _, err := runCommand(t, nil, "digest", "-db", dbPath, "--print", "--theme", theme); err != nil || !strings.Contains(out, q.Themes[1].Title.In("fr")) {
			t.Errorf("digest --theme %s: %v\n%s", theme, err, out)
		}
	}
	// Usage and flag mistakes say what is valid, in the same language.
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"serve"}, "Commandes : chat, run, check-config, export, digest"},
		{map[string]string{"LANG": "en_US.UTF-8"}, []string{"serve"}, "Commands: chat, run, check-config, export, digest"},
		{nil, []string{"digest", "--print", "2"}, "« 2 » en trop. Les options s'écrivent avant tout le reste, avec leur valeur (par exemple --theme 2)"},
		{nil, []string{"digest", "-db", dbPath, "--print", "--lang", "de"}, "--lang vaut fr ou en, pas « de »"},
		{nil, []string{"export", "-db", dbPath}, "indiquez où écrire avec --out FICHIER"},
		{nil, []string{"export", "-db", dbPath, "--out", "-"}, "la variable CONSULTBOT_PSEUDONYM_KEY n'est pas définie"},
		{map[string]string{"LANG": "en"}, []string{"export", "-db", dbPath, "--out", "-"}, "CONSULTBOT_PSEUDONYM_KEY is not set"},
		{nil, []string{"export", "-db", dbPath, "--out", "-", "--format", "xlsx"}, "--format vaut csv ou jsonl, pas « xlsx »"},
		{nil, []string{"stats", "-db", filepath.Join(t.TempDir(), "none.db")}, "n'existe pas : indiquez-la avec -db FICHIER"},
		{nil, []string{"chat", "--theme", "2"}, "consultbot chat : l'option -theme n'existe pas. consultbot chat -h liste les options."},
		{nil, []string{"digest", "--them", "2"}, "consultbot digest : l'option -them n'existe pas. Vouliez-vous dire -theme ?"},
		{nil, []string{"export", "--out"}, "consultbot export : l'option -out attend une valeur, écrite après elle : -out FICHIER."},
		{map[string]string{"LANG": "en"}, []string{"export", "--out"}, "consultbot export: the flag -out takes a value, written after it: -out FILE."},
		{nil, []string{"export", "-raw=peut-être"}, "consultbot export : « peut-être » ne convient pas à l'option -raw."},
		{nil, []string{"-x", "export"}, "consultbot : l'option -x n'existe pas. consultbot -h liste les options."},
	} {
		if _, _, err := runCommand(t, tc.env, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %q: %v, want %q", tc.env, tc.args, err, tc.want)
		}
	}
	// A mistyped flag is said once, by the error above, not also by the
	// flag package in English.
	if _, stderr, _ := runCommand(t, nil, "chat", "--theme", "2"); stderr != "" {
		t.Errorf("a mistyped flag also printed %q", stderr)
	}
	_, stderr, err := runCommand(t, map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}, "export", "-db", dbPath, "--out", filepath.Join(t.TempDir(), "a.csv"))
	if err != nil || !strings.Contains(stderr, "2 réponses exportées dans ") {
		t.Errorf("export: %v, said %q", err, stderr)
	}
}

// exportRefused runs export --out out and checks it fails with a one-line
// message containing want and leaves no temporary file beside out.
func exportRefused(t *testing.T, dbPath, out, want string) {
	t.Helper()
	env := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	_, _, err := runCommand(t, env, "export", "-db", dbPath, "--out", out)
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("export --out %s: %v, want a one-line refusal saying %q", out, err, want)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*.tmp")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestExportRefusesTheDatabaseItReads: --out naming the database, by its
// path, another spelling of it or a hard link, replaced the database with
// the export, which then no longer opened.
func TestExportRefusesTheDatabaseItReads(t *testing.T) {
	dbPath := seedDB(t)
	before, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(filepath.Dir(dbPath), "hardlink.db")
	if err := os.Link(dbPath, link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(dbPath), ".", "..", filepath.Base(filepath.Dir(dbPath)), filepath.Base(dbPath))
	for _, out := range []string{dbPath, other, link} {
		exportRefused(t, dbPath, out, "est la base elle-même")
	}
	after, err := os.ReadFile(dbPath)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the database changed (%v)", err)
	}
	db, err := storage.OpenReadOnly(dbPath, storage.Options{})
	if err != nil {
		t.Fatalf("the database no longer opens: %v", err)
	}
	db.Close()
}

// TestExportRefusesSymlink: the rename replaced a symbolic link with the
// export instead of writing where it pointed, or refusing.
func TestExportRefusesSymlink(t *testing.T) {
	dbPath := seedDB(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "real.csv")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "export.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	exportRefused(t, dbPath, link, "est un lien symbolique")
	if got, err := os.Readlink(link); err != nil || got != target {
		t.Errorf("the link was replaced: %q %v", got, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target changed: %q", b)
	}
}

// TestExportRefusesFIFOAndDevices: a named pipe, or a device node (as
// root, /dev/null itself), was replaced by a regular file. The device
// case makes its own node in a temporary directory, so that the test
// cannot harm the machine's /dev/null even against the old code.
func TestExportRefusesFIFOAndDevices(t *testing.T) {
	dbPath := seedDB(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	exportRefused(t, dbPath, fifo, "est un tube nommé (FIFO)")
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
	exportRefused(t, dbPath, dir, "est un dossier")

	if os.Geteuid() != 0 {
		t.Log("not root: no device node to make")
		return
	}
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	exportRefused(t, dbPath, null, "est un périphérique")
	if fi, err := os.Lstat(null); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Errorf("the device node was replaced: %v %v", fi.Mode(), err)
	}
}

// mkdev is the Linux device number of major, minor.
func mkdev(major, minor uint32) uint64 {
	return uint64(major)<<8 | uint64(minor)
}

// TestCompactCommand: erased answers stayed in the file's free pages and
// no command could compact it. `consultbot compact` rewrites the file
// without them, refuses while the bot holds it, and says what it did.
func TestCompactCommand(t *testing.T) {
	dbPath := seedDB(t)
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The participant confirms /effacer: the step says so with StageErased.
	erase := bot.Inbound{ID: "e-erase", Channel: bot.ChannelTelegram, Participant: "telegram:p1", Address: "c"}
	_, err = db.Apply(context.Background(), erase, time.Now(), func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage = flows.StageErased
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := db.AnswersByParticipant("telegram:p1"); len(list) != 0 {
		t.Fatalf("not erased: %+v", list)
	}
	_, _, err = runCommand(t, nil, "compact", "-db", dbPath)
	if err == nil || !strings.Contains(err.Error(), "ouverte par un consultbot en cours (run ou chat) : arrêtez-le d'abord") {
		t.Errorf("compact while the bot runs: %v, want a refusal saying to stop it", err)
	}
	db.Close()
	before, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(before, []byte("vrai\\\" réseau")) {
		t.Fatal("the erased answer is not in the free pages before compacting: the test proves nothing")
	}

	stdout, _, err := runCommand(t, nil, "compact", "-db", dbPath)
	if err != nil || !strings.HasPrefix(stdout, "base "+dbPath+" compactée : ") {
		t.Fatalf("compact: %v, printed %q", err, stdout)
	}
	after, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(after, []byte("vrai\\\" réseau")) || bytes.Contains(after, []byte("telegram:p1")) {
		t.Error("the compacted file still holds the erased answer or its participant")
	}
	if !bytes.Contains(after, []byte("Former les enseignants")) {
		t.Error("the other answer is gone")
	}
	if fi, err := os.Stat(dbPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after compacting: %v %v", fi.Mode(), err)
	}
}

// TestExportTimesCarryTheConsultationsZone: the export writes its times
// as the digests show them, in the consultation's time zone ([digest]
// time_zone), RFC 3339 with the offset, in one format on every row, in
// CSV and JSONL alike: an analyst reads the same clock as the organisers
// and a tool reads the same instant as stored.
func TestExportTimesCarryTheConsultationsZone(t *testing.T) {
	dbPath := seedDB(t)
	env := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	for _, tc := range []struct {
		zone, offset string
	}{
		{"", ""}, // the default, Europe/Paris: +01:00 or +02:00
		{"America/Cayenne", "-03:00"},
		{"Indian/Reunion", "+04:00"},
	} {
		args := []string{"export", "-db", dbPath, "--out", "-"}
		loc, _ := time.LoadLocation("Europe/Paris")
		if tc.zone != "" {
			cfg := filepath.Join(t.TempDir(), "zone.toml")
			if err := os.WriteFile(cfg, []byte("[digest]\ntime_zone = \""+tc.zone+"\"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			args = append([]string{"-config", cfg}, args...)
			loc, _ = time.LoadLocation(tc.zone)
		}
		for _, format := range []string{"csv", "jsonl"} {
			out, _, err := runCommand(t, env, append(args, "--format", format)...)
			if err != nil {
				t.Fatalf("%s export in %q: %v", format, tc.zone, err)
			}
			var times []string
			switch format {
			case "csv":
				r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
				r.Comma = ';'
				recs, err := r.ReadAll()
				if err != nil || len(recs) != 3 {
					t.Fatalf("parse export: %d records, %v", len(recs), err)
				}
				for _, rec := range recs[1:] {
					times = append(times, rec[slices.Index(organiser.ExportColumns, "created_at")], rec[slices.Index(organiser.ExportColumns, "updated_at")])
				}
			case "jsonl":
				for l := range strings.Lines(out) {
					var row organiser.Row
					if err := json.Unmarshal([]byte(l), &row); err != nil {
						t.Fatal(err)
					}
					times = append(times, row.CreatedAt, row.UpdatedAt)
				}
			}
			for _, s := range times {
				at, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Errorf("%s in %q: %q is not RFC 3339: %v", format, tc.zone, s, err)
					continue
				}
				want := at.In(loc).Format(time.RFC3339)
				if s != want || strings.HasSuffix(s, "Z") || (tc.offset != "" && !strings.HasSuffix(s, tc.offset)) {
					t.Errorf("%s in %q: time %q, want %q, the consultation's zone with its offset", format, tc.zone, s, want)
				}
				if d := time.Since(at); d < 50*time.Minute || d > 2*time.Hour {
					t.Errorf("%s in %q: time %q is not the stored instant (an hour ago)", format, tc.zone, s)
				}
			}
		}
	}
}

// TestExportCommandGivesTheQuestionAsSeen: consultbot export ends each
// row with the question as the participant read it, in English for an
// answer given in English, in CSV and in JSONL.
func TestExportCommandGivesTheQuestionAsSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, lang := range []string{flows.LangEN, flows.LangFR} {
		in := bot.Inbound{ID: fmt.Sprintf("e%d", i), Channel: bot.ChannelDiscord, Participant: fmt.Sprintf("discord:%d", i), Address: "c"}
		if _, err := db.Apply(context.Background(), in, at.Add(time.Duration(i)*time.Second), func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Lang, s.Profile = lang, "enseignant"
			s.Answers = map[string]flows.Answer{flows.AnswerKey("acces", "equipement"): {Theme: "acces", Question: "equipement", Text: "Des tablettes", CreatedAt: at, UpdatedAt: at}}
			return s, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	prompt := flows.DefaultQuestionnaire().Question("acces", "equipement").Prompt
	want := []string{prompt.In(flows.LangEN), prompt.In(flows.LangFR)}
	if want[0] == want[1] {
		t.Fatal("the question has no English wording")
	}
	env := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	out, _, err := runCommand(t, env, "export", "-db", path, "--out", "-")
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("parse export: %d records, %v", len(recs), err)
	}
	seen := slices.Index(recs[0], "question_text_seen")
	if seen < 0 {
		t.Fatalf("header %q: no question_text_seen", recs[0])
	}
	for i, rec := range recs[1:] {
		if got := rec[seen]; got != want[i] {
			t.Errorf("CSV line %d: question_text_seen %q, want %q", i+1, got, want[i])
		}
	}
	out, _, err = runCommand(t, env, "export", "-db", path, "--format", "jsonl", "--out", "-")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var row organiser.Row
		if err := json.Unmarshal([]byte(line), &row); err != nil || row.QuestionTextSeen != want[i] || row.QuestionText != want[1] {
			t.Errorf("JSONL line %d: %v, question_text_seen %q, question_text %q; want %q and the French", i+1, err, row.QuestionTextSeen, row.QuestionText, want[i])
		}
	}
}
