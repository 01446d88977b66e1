package terminal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/flows/flowstest"
	"consultbot/storage"
)

// fakeEngine answers every event with the replies its script returns and,
// like the real engine, delivers them to the Sender in the background after
// Handle has returned.
type fakeEngine struct {
	t      *testing.T
	sender bot.Sender
	script func(n int, in bot.Inbound) []flows.Reply
	fail   func(in bot.Inbound) error

	mu  sync.Mutex
	got []bot.Inbound
	seq uint64
	wg  sync.WaitGroup
}

func (f *fakeEngine) Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error) {
	if f.fail != nil {
		if err := f.fail(in); err != nil {
			return bot.Applied{}, err
		}
	}
	f.mu.Lock()
	n := len(f.got)
	f.got = append(f.got, in)
	var outs []bot.Outgoing
	for _, r := range f.script(n, in) {
		f.seq++
		outs = append(outs, bot.Outgoing{Seq: f.seq, Channel: in.Channel, Address: in.Address, Participant: in.Participant, EventID: in.ID, Reply: r})
	}
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for _, o := range outs {
			if err := f.sender.Send(context.Background(), o); err != nil {
				f.t.Errorf("send: %v", err)
			}
		}
	}()
	return bot.Applied{Outbox: outs}, nil
}

func (f *fakeEngine) inbounds() []bot.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Inbound(nil), f.got...)
}

func opts(prefix string, labels ...string) []flows.Option {
	var o []flows.Option
	for _, l := range labels {
		o = append(o, flows.Option{Token: prefix + "." + strings.ToLower(l), Label: l})
	}
	return o
}

func run(t *testing.T, f *fakeEngine, input string, o Options) string {
	t.Helper()
	var out bytes.Buffer
	a := New(f, strings.NewReader(input), &syncWriter{w: &out}, o)
	f.sender = a
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	f.wg.Wait()
	return out.String()
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestLinesBecomeEvents(t *testing.T) {
	f := &fakeEngine{t: t, script: func(n int, in bot.Inbound) []flows.Reply {
		if n == 0 {
			return []flows.Reply{{Title: "Bienvenue", Text: "Acceptez-vous ?", Options: opts("1", "J'accepte", "Je refuse")}}
		}
		return []flows.Reply{{Text: "ok"}}
	}}
	out := run(t, f, "2\n\n   \n3\n01\n/aide\n/mesreponses@consultbot\nMa réponse  \r\n", Options{Name: "alice"})

	want := []flows.Event{
		{Kind: flows.EventCommand, Command: flows.CmdResume},
		{Kind: flows.EventChoice, Token: "1.je refuse"},
		{Kind: flows.EventText, Text: "3"},  // no third option: a text answer
		{Kind: flows.EventText, Text: "01"}, // a département, not option 1
		{Kind: flows.EventCommand, Command: flows.CmdHelp},
		{Kind: flows.EventCommand, Command: flows.CmdAnswers},
		{Kind: flows.EventText, Text: "Ma réponse  "},
	}
	got := f.inbounds()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	ids := map[string]bool{}
	for i, in := range got {
		ev := in.Event
		if ev.Kind != want[i].Kind || ev.Token != want[i].Token || ev.Text != want[i].Text || ev.Command != want[i].Command {
			t.Errorf("event %d = %+v, want %+v", i, ev, want[i])
		}
		if in.Channel != bot.ChannelTerminal || in.Participant != "terminal:alice" || in.Address != "alice" {
			t.Errorf("event %d routed as %q %q %q", i, in.Channel, in.Participant, in.Address)
		}
		if ids[in.ID] || !strings.HasPrefix(in.ID, "terminal:alice:") {
			t.Errorf("event id %q repeated or malformed", in.ID)
		}
		ids[in.ID] = true
	}
	for _, s := range []string{textsFor("fr").PipedHint, "== Bienvenue ==\nAcceptez-vous ?\n  1) J'accepte\n  2) Je refuse\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("output misses %q:\n%s", s, out)
		}
	}
}

// A pipe is read much faster than replies are delivered; a number must still
// pick from the options printed just before it, not from older ones.
func TestNumberRefersToOptionsOnScreen(t *testing.T) {
	f := &fakeEngine{t: t, script: func(n int, in bot.Inbound) []flows.Reply {
		return []flows.Reply{
			{Text: "ack"},
			{Text: "question", Options: opts(strings.Repeat("p", n+1), "Passer", "Retour")},
		}
	}}
	run(t, f, "1\n2\n1\n", Options{})
	got := f.inbounds()
	want := []string{"", "p.passer", "pp.retour", "ppp.passer"}
	for i, in := range got {
		if in.Event.Token != want[i] {
			t.Errorf("event %d token = %q, want %q", i, in.Event.Token, want[i])
		}
	}
}

func TestStopsOnCancelWhileWaitingForInput(t *testing.T) {
	f := &fakeEngine{t: t, script: func(int, bot.Inbound) []flows.Reply { return []flows.Reply{{Text: "q"}} }}
	r, w := io.Pipe()
	defer w.Close()
	var out bytes.Buffer
	a := New(f, r, &syncWriter{w: &out}, Options{})
	f.sender = a
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	// Once the first line is handled, Run is waiting for the next one.
	if _, err := io.WriteString(w, "bonjour\n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(f.inbounds()) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("line never handled")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop on cancel")
	}
	f.wg.Wait()
}

func TestFailedLineIsReportedAndNextOneHandled(t *testing.T) {
	f := &fakeEngine{t: t, script: func(int, bot.Inbound) []flows.Reply { return []flows.Reply{{Text: "reçu"}} }}
	f.fail = func(in bot.Inbound) error {
		if in.Event.Text == "perdu" {
			return errors.New("disk full")
		}
		return nil
	}
	out := run(t, f, "perdu\nencore\n", Options{})
	if !strings.Contains(out, "pas été enregistré") {
		t.Errorf("no error notice in output:\n%s", out)
	}
	got := f.inbounds()
	if len(got) != 2 || got[1].Event.Text != "encore" {
		t.Errorf("events after a failure = %+v", got)
	}
}

func TestRepliesForAnotherParticipantAreNotPrinted(t *testing.T) {
	var out bytes.Buffer
	a := New(nil, strings.NewReader(""), &out, Options{Name: "bob"})
	for i, p := range []string{"terminal:alice", "terminal:bob"} {
		err := a.Send(context.Background(), bot.Outgoing{Seq: uint64(i + 1), Participant: p, Reply: flows.Reply{Text: "pour " + p}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := out.String(), "pour terminal:bob\n\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}

// TestMenuNumbersOnce: a validated theme keeps its mark, and a label
// whose number is not its option's keeps it.
func TestMenuNumbersOnce(t *testing.T) {
	r := flows.Reply{Title: "Les thèmes", Options: []flows.Option{
		{Token: "a", Label: "✓ 1. L'école — 3/3"}, {Token: "b", Label: "2. À la maison — 0/1"}, {Token: "c", Label: "7. Ailleurs"},
	}}
	want := "== Les thèmes ==\n  1) ✓ L'école — 3/3\n  2) À la maison — 0/1\n  3) 7. Ailleurs\n\n"
	if got := render(r, "fr"); got != want {
		t.Errorf("render = %q, want %q", got, want)
	}
}

// TestWithRealEngine runs the adapter against the real engine, storage and
// conversation: consent, profile, académie, first answer.
// runReal runs the terminal with input on the real engine over db and
// returns what it printed once the input ends and the engine is closed.
func runReal(t *testing.T, db *storage.DB, input string, o Options) *bytes.Buffer {
	t.Helper()
	engine := bot.New(db, flows.NewMachine(flows.DefaultQuestionnaire(), flows.Config{}), nil)
	var out bytes.Buffer
	a := New(engine, strings.NewReader(input), &syncWriter{w: &out}, o)
	engine.AddSender(bot.ChannelTerminal, a)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := engine.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestWithRealEngine(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "t.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := runReal(t, db, "1\n1\nlyon\n1\nUn ordinateur par élève.\n", Options{Name: "léa"})

	for _, want := range []string{"  1) J'accepte", "académie de Lyon", "  1) Égal accès au numérique — 0/5\n  2) Enseigner", "== Thème 1 · Question 2/5 =="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output misses %q:\n%s", want, out.String())
		}
	}
	// The menu's themes are numbered once, by the option numbers typed
	// to choose them.
	if strings.Contains(out.String(), ") 1. ") {
		t.Errorf("menu numbered twice:\n%s", out.String())
	}
	answers, err := db.AnswersByParticipant("terminal:léa")
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].Text != "Un ordinateur par élève." || answers[0].Channel != bot.ChannelTerminal {
		t.Errorf("stored answers = %+v", answers)
	}
}

// Piped in, at an open question: a number is an answer, the options are
// words, and an answer over the limit is not sent but printed back whole.
func TestPipedOpenQuestion(t *testing.T) {
	f := &fakeEngine{t: t, script: askAgain(10)}
	out := run(t, f, "2\nabcdefghijklmno\nretour\n", Options{})
	want := []string{"", "2", "retour"}
	got := f.inbounds()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	for i, in := range got[1:] {
		if in.Event.Kind != flows.EventText || in.Event.Text != want[i+1] {
			t.Errorf("event %d = %+v, want the text %q", i+1, in.Event, want[i+1])
		}
	}
	for _, s := range []string{
		"Que pensez-vous ?\n  Écrivez votre réponse (10 caractères au plus), ou tapez :\n  → passer · retour · continuer plus tard\n\n",
		"Votre réponse fait 15 caractères ; la limite est de 10. Elle n'a pas été envoyée.\nLa voici, pour la raccourcir :\nabcdefghijklmno\n\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output misses %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "1) Passer") {
		t.Errorf("options of an open question numbered:\n%s", out)
	}
}

func TestGoodbyeSpeaksTheLastLanguage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply flows.Reply
		want  string
	}{
		{"english", flows.Reply{Text: "Type your answer in one message.", Options: opts("e", "Skip", "Back")}, textsFor("en").Goodbye},
		{"french", openQuestion(4000), textsFor("fr").Goodbye},
		{"cannot tell", flows.Reply{Text: "OK"}, textsFor("fr").Goodbye},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEngine{t: t, script: func(int, bot.Inbound) []flows.Reply { return []flows.Reply{tc.reply} }}
			out := run(t, f, "", Options{})
			if !strings.HasSuffix(out, "\n"+tc.want+"\n") {
				t.Errorf("output does not end with %q:\n%s", tc.want, out)
			}
		})
	}
}

// A theme's review in short comes above the next question, set apart by
// a rule, its button among the words to type.
func TestRecapAboveTheQuestion(t *testing.T) {
	got := render(flowstest.Recap(flows.LangFR, "Une heure."), "fr")
	if err := flowstest.InOrder(got, "Merci, c'est noté.\n== Thème 2 terminé · Enseigner et apprendre avec le numérique ==\n1. Compétences numériques utiles : Une heure.",
		"valide ce thème.\n"+recapRule+"\n== Thème 3 : Travailler ensemble, collaborer · Question 1/5 ==\n",
		"passer · retour · continuer plus tard · modifier mes réponses au thème 2\n\n"); err != nil {
		t.Error(err)
	}
}

// Someone who switched to English and quit reads the terminal's own hint
// in English when they come back, before the question shown again, and
// nothing of it in French; a newcomer reads it in French.
func TestHintInTheLanguageOfTheConversationFoundAgain(t *testing.T) {
	for _, c := range []struct {
		reply       string
		want, wrong string
	}{
		{"Which digital skills are needed? Type your answer, or skip.", textsFor("en").PipedHint, textsFor("fr").PipedHint},
		{"Avant de commencer, votre accord : vous pouvez passer.", textsFor("fr").PipedHint, textsFor("en").PipedHint},
	} {
		f := &fakeEngine{t: t, script: func(n int, in bot.Inbound) []flows.Reply {
			return []flows.Reply{{Text: c.reply, Expect: flows.ExpectText}}
		}}
		out := run(t, f, "", Options{})
		if !strings.HasPrefix(out, c.want+"\n") || strings.Contains(out, c.wrong) {
			t.Errorf("output does not start with the hint in the conversation's language (%q):\n%s", c.want, out)
		}
		if i := strings.Index(out, c.reply); i < len(c.want) {
			t.Errorf("the hint does not come before the reply:\n%s", out)
		}
	}
}

// TestFirstWordsAfterTheWelcome: the terminal shows the welcome before
// anything is typed, so the first line is the person's first words: an
// English greeting gets the welcome and consent in English, a French one
// the consent in one line, its details not printed a second time.
func TestFirstWordsAfterTheWelcome(t *testing.T) {
	for _, tc := range []struct {
		input, want, details string
		times                int
	}{
		{"hello\n", "Before we start, your consent:", "They are kept under a pseudonym", 1},
		{"good evening\n1\n", "You are answering as:", "They are kept under a pseudonym", 1},
		{"bonjour\n", "Pour commencer, il me faut votre accord", "Elles sont gardées sous un pseudonyme", 1},
	} {
		db, err := storage.Open(filepath.Join(t.TempDir(), "t.db"), storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := runReal(t, db, tc.input, Options{Name: "zoé"}).String()
		db.Close()
		if !strings.Contains(out, tc.want) {
			t.Errorf("%q typed first: output misses %q:\n%s", tc.input, tc.want, out)
		}
		if n := strings.Count(out, tc.details); n != tc.times {
			t.Errorf("%q typed first: the consent's details printed %d times, want %d:\n%s", tc.input, n, tc.times, out)
		}
	}
}

// TestAcademieHintSaysWhatToWrite: at the académie the line under the
// prompt says what to write there (a town, a postcode), not an answer's
// length; a question keeps its length.
func TestAcademieHintSaysWhatToWrite(t *testing.T) {
	m := flows.NewMachine(nil, flows.Config{})
	s, _ := m.Step(flows.Session{Participant: "terminal:x"}, flows.Event{Kind: flows.EventCommand, Command: flows.CmdStart}, time.Now())
	s, _ = m.Step(s, flows.Event{Kind: flows.EventText, Text: "oui"}, time.Now())
	_, replies := m.Step(s, flows.Event{Kind: flows.EventText, Text: "parent"}, time.Now())
	out := render(replies[len(replies)-1], "fr")
	if !strings.Contains(out, "  Écrivez une commune, un code postal ou un département, ou tapez :\n  → passer") || strings.Contains(out, "caractères au plus") {
		t.Errorf("the académie prompt:\n%s", out)
	}
	q := render(flows.Reply{Text: "Question ?", Expect: flows.ExpectText, MaxLen: 4000, Options: []flows.Option{{Label: "Passer"}}}, "fr")
	if !strings.Contains(q, "Écrivez votre réponse (4000 caractères au plus), ou tapez :") {
		t.Errorf("a question prompt:\n%s", q)
	}
}
