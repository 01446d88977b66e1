package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/flows"
	"consultbot/internal/logbuf"
	"consultbot/storage"
)

const screenTimeout = 20 * time.Second

// newTestMain returns a Main that reads no real environment and writes its
// logs to the test's own buffer, which the test may read while it runs.
func newTestMain(t *testing.T, stdin io.Reader, stdout io.Writer) (*Main, *logbuf.Buffer) {
	t.Helper()
	stderr := &logbuf.Buffer{}
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = stdin, stdout, stderr
	m.Getenv = fakeEnv(nil)
	m.ShutdownTimeout = 10 * time.Second
	return m, stderr
}

// answered is one answer the bot acknowledged by showing the next screen.
type answered struct {
	q    qref
	text string
}

// checkStored shows every acknowledged answer stored exactly once, under
// its question, and no answer text stored twice.
func checkStored(t *testing.T, dbPath, participant string, acked []answered) int {
	t.Helper()
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, err := db.AnswersByParticipant(participant)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	where := map[string]qref{}
	for _, a := range stored {
		count[a.Text]++
		where[a.Text] = qref{a.Theme, a.Question}
	}
	for text, n := range count {
		if n > 1 {
			t.Errorf("answer %q stored %d times", text, n)
		}
	}
	for _, a := range acked {
		if count[a.text] != 1 {
			t.Errorf("acknowledged answer %q to %v stored %d times", a.text, a.q, count[a.text])
		} else if where[a.text] != a.q {
			t.Errorf("answer %q stored under %v, was given to %v", a.text, where[a.text], a.q)
		}
	}
	return len(count)
}

// hasOption reports whether s offers an option labelled label (or the
// word label to type), whatever its case.
func hasOption(s screen, label string) bool {
	_, ok := s.option(func(l string) bool { return strings.EqualFold(l, label) })
	return ok
}

// TestChatOneThemeEndToEnd runs the real Main in-process on a temp DB: a
// person consents, chooses a profile and an académie, answers every question
// of the first theme, then the first of the second below the first theme's
// review, which validates it, then closes stdin.
func TestChatOneThemeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // no consultbot.toml here: built-in defaults
	dbPath := filepath.Join(dir, "e2e.db")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	m, stderr := newTestMain(t, inR, outW)
	if err := m.ParseFlags(context.Background(), []string{"chat", "-db", dbPath, "-as", "camille"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := m.Run(context.Background())
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		outW.Close()
		done <- err
	}()

	q := flows.DefaultQuestionnaire()
	cls := newClassifier(q)
	c := newConsole(t, outR)
	say := func(s string) {
		t.Helper()
		if _, err := io.WriteString(inW, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	var acked []answered
	var pending *answered
	for below := false; !below; {
		sc, ok := c.next(screenTimeout)
		if !ok {
			t.Fatalf("output ended early:\n%s", c)
		}
		st, err := cls.classify(sc)
		if err != nil {
			t.Fatal(err)
		}
		if pending != nil {
			if st.kind == "question" && st.q == pending.q {
				t.Fatalf("answer to %v not accepted:\n%s", pending.q, c)
			}
			acked = append(acked, *pending)
			pending = nil
		}
		switch st.kind {
		case "consent", "profile", "menu":
			say(fmt.Sprint(st.pick))
		case "academie":
			say("Rhône")
		case "question":
			if st.q.theme == q.Themes[1].ID {
				// The last answer of theme 1 brings its review above
				// theme 2's first question.
				if !strings.Contains(sc.text, "Thème 1 terminé") || !hasOption(sc, "modifier mes réponses au thème 1") {
					t.Fatalf("theme 2's first question without theme 1's review above it:\n%s", c)
				}
				below = true
			}
			a := answered{st.q, fmt.Sprintf("Réponse de Camille à %s/%s", st.q.theme, st.q.question)}
			pending = &a
			say(a.text)
		default:
			t.Fatalf("unexpected %s screen:\n%s", st.kind, c)
		}
	}
	// Answering there validates theme 1 and goes on to theme 2's second
	// question; the menu, asked for, shows theme 1 ticked.
	sc, _ := c.next(screenTimeout)
	if st, err := cls.classify(sc); err != nil || st.kind != "question" || st.q != (qref{q.Themes[1].ID, q.Themes[1].Questions[1].ID}) || !strings.Contains(sc.text, "Le thème 1 est validé.") {
		t.Fatalf("after answering below the review: %v %v; want theme 1 validated and theme 2's second question\n%s", st, err, c)
	}
	acked = append(acked, *pending)
	say("/menu")
	sc, _ = c.next(screenTimeout)
	if st, err := cls.classify(sc); err != nil || st.kind != "menu" {
		t.Fatalf("after /menu: %v %v\n%s", st, err, c)
	}
	if !strings.Contains(sc.options[0], "✓") {
		t.Errorf("first theme not ticked in the menu: %q", sc.options)
	}
	inW.Close() // like Ctrl-D
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run/Close: %v\nstderr:\n%s", err, stderr)
		}
	case <-time.After(screenTimeout):
		t.Fatal("chat did not stop at end of input")
	}
	if n := len(q.Themes[0].Questions) + 1; len(acked) != n {
		t.Fatalf("acknowledged %d answers, want %d", len(acked), n)
	}
	if !strings.HasPrefix(c.String(), "consultbot dans le terminal") {
		t.Errorf("no start-up hint:\n%s", c)
	}
	checkStored(t, dbPath, "terminal:camille", acked)

	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, ok, err := db.Session("terminal:camille")
	if err != nil || !ok {
		t.Fatalf("session: %v %v", ok, err)
	}
	if s.Profile != "parent" || s.Academie != "Lyon" || s.Confirmed[q.Themes[0].ID].IsZero() {
		t.Errorf("session = profile %q, académie %q, confirmed %v", s.Profile, s.Academie, s.Confirmed)
	}
}

// TestChatPipedScriptResumes pipes a fixed script twice into the same file:
// the second run starts at the question where the first stopped.
func TestChatPipedScriptResumes(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	q := flows.DefaultQuestionnaire()
	run := func(script string) string {
		t.Helper()
		var out bytes.Buffer
		m, stderr := newTestMain(t, strings.NewReader(script), &out)
		if err := m.ParseFlags(context.Background(), []string{"chat"}); err != nil {
			t.Fatal(err)
		}
		err := m.Run(context.Background())
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatalf("chat: %v\n%s", err, stderr)
		}
		return out.String()
	}
	// Consent, profile, académie, theme 1, one answer.
	first := run("1\n1\nLyon\n1\nPremière réponse\n")
	second := run("")
	if _, err := os.Stat(filepath.Join(dir, "consultbot.db")); err != nil {
		t.Fatalf("default database not created in the current directory: %v", err)
	}
	q2 := q.Themes[0].Questions[1].Prompt.In(flows.LangFR)
	if !strings.Contains(first, q2) {
		t.Fatalf("first run did not reach question 2:\n%s", first)
	}
	if !strings.Contains(second, q2) || strings.Contains(second, "J'accepte") {
		t.Errorf("second run does not resume at question 2:\n%s", second)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var out bytes.Buffer
	m, _ := newTestMain(t, nil, &out)
	if err := m.ParseFlags(context.Background(), []string{"check-config"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := flows.DefaultQuestionnaire()
	want := fmt.Sprintf("configuration valide : %d thèmes, %d questions, canaux : terminal, web\n", len(q.Themes), q.QuestionCount())
	if out.String() != want {
		t.Errorf("check-config printed %q, want %q", out.String(), want)
	}

	bad := filepath.Join(dir, "bad.toml")
	body := "[log]\nlevel = \"loud\"\n[consultation]\nquestionnaire = \"missing.json\"\nmax_answer_length = -1\n"
	if err := os.WriteFile(bad, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ = newTestMain(t, nil, &out)
	if err := m.ParseFlags(context.Background(), []string{"check-config", "-config", bad}); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, w := range []string{"log.level", "max_answer_length", "missing.json"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("report misses %q:\n%v", w, err)
		}
	}
}

func TestParseFlagsRejectsUnknownCommand(t *testing.T) {
	m, _ := newTestMain(t, nil, io.Discard)
	if err := m.ParseFlags(context.Background(), []string{"serve"}); err == nil || !strings.Contains(err.Error(), "« serve »") {
		t.Errorf("ParseFlags(serve) = %v", err)
	}
	if err := m.ParseFlags(context.Background(), nil); err == nil {
		t.Error("ParseFlags with no command succeeded")
	}
}

func TestHelpPrintsUsage(t *testing.T) {
	var stdout bytes.Buffer
	m, _ := newTestMain(t, nil, &stdout)
	if err := m.ParseFlags(context.Background(), []string{"help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("ParseFlags(help) = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(stdout.String(), "check-config") {
		t.Errorf("help printed %q, want the list of commands", stdout.String())
	}
}

// buildBinary compiles consultbot into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "consultbot")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is one `consultbot chat` process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	con   *console
}

func startChat(t *testing.T, bin, dir, dbPath string) *child {
	t.Helper()
	cmd := exec.Command(bin, "chat", "-db", dbPath)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return &child{cmd: cmd, stdin: stdin, con: newConsole(t, stdout)}
}

// checkFile opens the database file directly and runs bbolt's consistency
// check.
func checkFile(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		var errs []error
		for e := range tx.Check() {
			errs = append(errs, e)
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatalf("tx.Check after kill: %v", err)
	}
}

// pendingScreens counts the replies with options left in the outbox: each
// ends a screen when it is sent again at the next start.
func pendingScreens(t *testing.T, path string) int {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, err := db.Pending(context.Background(), "terminal", 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pending {
		if len(p.Reply.Options) > 0 {
			n++
		}
	}
	return n
}

// TestKillNineLosesNoAcknowledgedAnswer is the kill test: the real
// binary takes the whole consultation through a pipe and is killed with
// SIGKILL at random points; after each kill the file passes tx.Check and a
// restart resumes; at the end every answer the bot acknowledged is stored
// exactly once.
func TestKillNineLosesNoAcknowledgedAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	const kills = 5
	seed := killSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0))

	q := flows.DefaultQuestionnaire()
	total := q.QuestionCount()
	// answer number → when to kill: right after writing it, a few
	// milliseconds later (both race its commit), or once the bot
	// acknowledged it.
	const beforeAck, midway, afterAck = 1, 2, 3
	killAt := map[int]int{}
	for len(killAt) < kills {
		killAt[1+rng.IntN(total-1)] = beforeAck + rng.IntN(3)
	}

	bin := buildBinary(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "kill.db")
	cls := newClassifier(q)

	var acked []answered
	var pending *answered
	n, restarts := 0, 0
	c := startChat(t, bin, dir, dbPath)
	say := func(s string) {
		t.Helper()
		if _, err := io.WriteString(c.stdin, s+"\n"); err != nil {
			t.Fatalf("write to chat: %v", err)
		}
	}
	kill := func() {
		t.Helper()
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		c.cmd.Wait()
		pending = nil // not acknowledged: it may or may not be stored
		checkFile(t, dbPath)
		resent := pendingScreens(t, dbPath)
		restarts++
		c = startChat(t, bin, dir, dbPath)
		// The replies the killed process had not printed come first, then
		// the current question again (the start-up resume); answer that one.
		for range resent {
			if _, ok := c.con.next(screenTimeout); !ok {
				t.Fatalf("chat ended early:\n%s", c.con)
			}
		}
	}
	for {
		sc, ok := c.con.next(screenTimeout)
		if !ok {
			t.Fatalf("chat ended early:\n%s", c.con)
		}
		st, err := cls.classify(sc)
		if err != nil {
			t.Fatal(err)
		}
		if pending != nil {
			if st.kind == "question" && st.q == pending.q {
				t.Fatalf("answer to %v not accepted:\n%s", pending.q, c.con)
			}
			acked = append(acked, *pending)
			pending = nil
			if killAt[n] == afterAck {
				delete(killAt, n)
				kill()
				continue
			}
		}
		if st.kind == "done" {
			break
		}
		switch st.kind {
		case "consent", "profile", "menu", "review":
			say(fmt.Sprint(st.pick))
		case "academie":
			say("974")
		case "question":
			n++
			a := answered{st.q, fmt.Sprintf("réponse n°%d à %s/%s", n, st.q.theme, st.q.question)}
			pending = &a
			say(a.text)
			switch killAt[n] {
			case midway:
				// Not a wait for anything: it moves the kill into the
				// read-apply-commit-print window, at a seeded random point.
				time.Sleep(time.Duration(rng.IntN(4000)) * time.Microsecond)
				fallthrough
			case beforeAck:
				delete(killAt, n)
				kill()
			}
		}
	}
	// Close stdin: the process must print what is left and exit cleanly.
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("chat did not exit cleanly at end of input: %v", err)
	}
	checkFile(t, dbPath)
	if len(killAt) > 0 {
		t.Errorf("kills not done: %v", killAt)
	}
	// An answer killed before its acknowledgement may be stored without
	// having been acknowledged; every other question was acknowledged.
	if len(acked) < total-kills {
		t.Errorf("acknowledged %d answers, want at least %d", len(acked), total-kills)
	}
	stored := checkStored(t, dbPath, "terminal:local", acked)
	t.Logf("%d answers acknowledged, %d stored, over %d restarts", len(acked), stored, restarts)
}

func TestVersionPrintsSomething(t *testing.T) {
	var out bytes.Buffer
	m, _ := newTestMain(t, nil, &out)
	if err := m.ParseFlags(context.Background(), []string{"version"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := strings.TrimPrefix(strings.TrimSpace(out.String()), "consultbot "); v == "" || v == out.String() {
		t.Errorf("version printed %q", out.String())
	}
}

// killSeed is the seed of a kill test's random points: KILL_SEED when set,
// to replay a run, else the clock; logged either way.
func killSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("KILL_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (set KILL_SEED to replay)", seed)
	return seed
}
