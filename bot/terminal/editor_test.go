package terminal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"

	"consultbot/bot"
	"consultbot/flows"
)

const ttyTimeout = 10 * time.Second

// ttyRun is a conversation run on a pseudo-terminal, as in a terminal
// window: the test types into the master side and reads the screen from it.
type ttyRun struct {
	t      *testing.T
	f      *fakeEngine
	master *os.File
	fd     int // of the terminal side
	before *term.State
	cancel context.CancelFunc
	errc   chan error

	mu     sync.Mutex
	screen bytes.Buffer
	moved  chan struct{} // closed and replaced when screen grows
}

func startTTY(t *testing.T, f *fakeEngine, o Options) *ttyRun {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	fd, ok := ttyFd(tty)
	if !ok {
		t.Fatal("the pseudo-terminal is not seen as a terminal")
	}
	before, err := term.GetState(fd)
	if err != nil {
		t.Fatal(err)
	}
	r := &ttyRun{t: t, f: f, master: master, fd: fd, before: before, errc: make(chan error, 1), moved: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			r.mu.Lock()
			r.screen.Write(buf[:n])
			close(r.moved)
			r.moved = make(chan struct{})
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	a := New(f, tty, tty, o)
	f.sender = a
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		r.errc <- a.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-ran // before wg.Wait: a running Run may still hand the engine an event
		// Before closing the terminal: a reply still being printed
		// would fail on a closed file (the reader drains the master
		// meanwhile).
		f.wg.Wait()
		master.Close()
		tty.Close()
	})
	return r
}

// waitFor waits until want is on screen after from, and returns the
// position after it.
func (r *ttyRun) waitFor(from int, want string) int {
	r.t.Helper()
	deadline := time.After(ttyTimeout)
	for {
		r.mu.Lock()
		i := bytes.Index(r.screen.Bytes()[from:], []byte(want))
		moved := r.moved
		r.mu.Unlock()
		if i >= 0 {
			return from + i + len(want)
		}
		select {
		case <-moved:
		case <-deadline:
			r.t.Fatalf("%q never shown; screen:\n%s", want, r.String())
		}
	}
}

func (r *ttyRun) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.screen.String()
}

func (r *ttyRun) typ(keys string) {
	r.t.Helper()
	if _, err := io.WriteString(r.master, keys); err != nil {
		r.t.Fatal(err)
	}
}

// events waits until the engine got n events and returns them.
func (r *ttyRun) events(n int) []bot.Inbound {
	r.t.Helper()
	deadline := time.Now().Add(ttyTimeout)
	for {
		got := r.f.inbounds()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("got %d events, want %d; screen:\n%s", len(got), n, r.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// end waits for Run to return and checks that the terminal is as it was.
func (r *ttyRun) end() error {
	r.t.Helper()
	var err error
	select {
	case err = <-r.errc:
	case <-time.After(ttyTimeout):
		r.t.Fatalf("Run did not return; screen:\n%s", r.String())
	}
	after, gerr := term.GetState(r.fd)
	if gerr != nil {
		r.t.Fatal(gerr)
	}
	if !reflect.DeepEqual(after, r.before) {
		r.t.Error("terminal left in raw mode")
	}
	return err
}

func openQuestion(max int) flows.Reply {
	return flows.Reply{Title: "Question 1/5", Text: "Que pensez-vous ?", Expect: flows.ExpectText, MaxLen: max,
		Options: opts("q", "Passer", "Retour", "Continuer plus tard")}
}

// askAgain shows the same open question after every event.
func askAgain(max int) func(int, bot.Inbound) []flows.Reply {
	return func(int, bot.Inbound) []flows.Reply { return []flows.Reply{openQuestion(max)} }
}

func TestTerminalPasteIsOneAnswer(t *testing.T) {
	r := startTTY(t, &fakeEngine{t: t, script: askAgain(4000)}, Options{})
	at := r.waitFor(0, "Que pensez-vous ?\r\n") // \r\n: the terminal is raw, the editor adds \r
	r.waitFor(at, prompt)
	r.typ("\x1b[200~Première ligne\r\nDeuxième\tligne\nTroisième ligne\x1b[201~")
	r.waitFor(at, "Troisième ligne")
	if got := r.f.inbounds(); len(got) != 1 {
		t.Fatalf("the paste was sent before Enter: %+v", got)
	}
	r.typ("\r")
	got := r.events(2)
	if want := "Première ligne\nDeuxième\tligne\nTroisième ligne"; got[1].Event.Kind != flows.EventText || got[1].Event.Text != want {
		t.Errorf("sent %+v, want the text %q", got[1].Event, want)
	}
	r.waitFor(r.waitFor(at, "Que pensez-vous ?"), prompt) // asked again
	r.typ("\x04")                                         // Ctrl-D
	if err := r.end(); err != nil {
		t.Errorf("Run = %v", err)
	}
	if n := len(r.f.inbounds()); n != 2 {
		t.Errorf("%d events, want 2: one paste is one answer", n)
	}
	end := r.waitFor(at, textsFor("fr").Goodbye)
	if rest := r.String()[end:]; strings.Contains(rest, prompt) {
		t.Errorf("prompt left after the goodbye: %q", rest)
	}
}

func TestTerminalArrowsEditTheLine(t *testing.T) {
	r := startTTY(t, &fakeEngine{t: t, script: askAgain(4000)}, Options{})
	r.waitFor(r.waitFor(0, "Que pensez-vous ?"), prompt)
	// ←← then X; Home as tmux sends it, then ¡; Ctrl-E then !.
	r.typ("bonjour\x1b[D\x1b[DX\x1b[1~¡\x05!\r")
	got := r.events(2)
	if want := "¡bonjoXur!"; got[1].Event.Text != want {
		t.Errorf("sent %q, want %q", got[1].Event.Text, want)
	}
	r.waitFor(r.waitFor(r.waitFor(0, "Que pensez-vous ?"), "Que pensez-vous ?"), prompt)
	r.typ("\x1b[A\r") // ↑ brings the last message back
	if got := r.events(3); got[2].Event.Text != "¡bonjoXur!" {
		t.Errorf("↑ then Enter sent %q", got[2].Event.Text)
	}
	// The editor moves the cursor with escape sequences; an arrow typed
	// into the line would show as "[D" without its escape.
	if s := r.String(); regexp.MustCompile(`[^\x1b]\[[ABCD]`).MatchString(s) {
		t.Errorf("arrow keys shown as text:\n%q", s)
	}
	r.typ("\x03") // Ctrl-C quits too
	if err := r.end(); err != nil {
		t.Errorf("Run = %v", err)
	}
	r.waitFor(0, textsFor("fr").Goodbye)
}

func TestTerminalNumbers(t *testing.T) {
	f := &fakeEngine{t: t, script: func(n int, _ bot.Inbound) []flows.Reply {
		if n == 0 {
			return []flows.Reply{openQuestion(4000)}
		}
		return []flows.Reply{{Text: "Combien ?", Options: opts("c", "Un", "Deux", "Passer")}}
	}}
	r := startTTY(t, f, Options{})
	at := r.waitFor(0, "Que pensez-vous ?")
	r.waitFor(at, "→ passer · retour · continuer plus tard")
	r.waitFor(at, prompt)
	r.typ("2\r")
	at = r.waitFor(at, "  2) Deux")
	r.waitFor(at, prompt)
	r.typ("2\r")
	got := r.events(3)
	if ev := got[1].Event; ev.Kind != flows.EventText || ev.Text != "2" {
		t.Errorf("2 at an open question sent %+v, want the text 2", ev)
	}
	if ev := got[2].Event; ev.Kind != flows.EventChoice || ev.Token != "c.deux" {
		t.Errorf("2 at a choice sent %+v, want option 2", ev)
	}
}

func TestTerminalTooLongAnswerIsGivenBack(t *testing.T) {
	r := startTTY(t, &fakeEngine{t: t, script: askAgain(10)}, Options{})
	at := r.waitFor(0, "(10 caractères au plus)")
	r.waitFor(at, prompt)
	r.typ("\x1b[200~abcdefghij\nklmnopqrstuvwx\x1b[201~\r") // 25 characters
	at = r.waitFor(at, "Votre réponse fait 25 caractères ; la limite est de 10.")
	// Back in the edit line: 15 backspaces leave the first ten.
	r.waitFor(at, "abcdefghij↵klmnopqrstuvwx")
	r.typ(strings.Repeat("\x7f", 15) + "\r")
	got := r.events(2)
	if got[1].Event.Text != "abcdefghij" {
		t.Errorf("sent %q, want the shortened text", got[1].Event.Text)
	}
	if n := len(r.f.inbounds()); n != 2 {
		t.Errorf("%d events: the long answer was sent", n)
	}
}

func TestTerminalRestoredOnCancel(t *testing.T) {
	r := startTTY(t, &fakeEngine{t: t, script: askAgain(4000)}, Options{Lang: "en"})
	r.waitFor(r.waitFor(0, "Que pensez-vous ?"), prompt)
	r.typ("half an ans")
	r.waitFor(0, "half an ans")
	r.cancel()
	if err := r.end(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	// The replies are French, whatever the hint said.
	r.waitFor(0, textsFor("fr").Goodbye)
}

// TestTerminalUnreadableAndBlankLines: bytes that are no UTF-8, typed or
// pasted, neither block the editor nor reach the conversation; the rest
// of the line comes back to be sent. A blank line sends nothing and shows
// the question again.
func TestTerminalUnreadableAndBlankLines(t *testing.T) {
	r := startTTY(t, &fakeEngine{t: t, script: askAgain(4000)}, Options{})
	at := r.waitFor(r.waitFor(0, "Que pensez-vous ?"), prompt)
	r.typ("caf\xff\xfe bien\r")
	at = r.waitFor(at, textsFor("fr").Unreadable)
	at = r.waitFor(at, "Que pensez-vous ?")  // the question again
	r.waitFor(at, "caf bien")                // given back in the edit line
	r.typ("\x1b[200~et \xc3 collé\x1b[201~") // a paste with a cut character
	r.waitFor(at, "caf bienet \ufffc collé")
	r.typ("\r")
	at = r.waitFor(at, textsFor("fr").Unreadable)
	r.waitFor(at, "caf bienet  collé")
	r.typ("\x15ça va\r") // Ctrl-U clears the line
	got := r.events(2)
	if got[1].Event.Text != "ça va" {
		t.Errorf("sent %q, want the corrected text", got[1].Event.Text)
	}
	at = r.waitFor(r.waitFor(at, "Que pensez-vous ?"), prompt)
	r.typ("\r")
	r.typ("   \r")
	r.waitFor(r.waitFor(r.waitFor(at, "Que pensez-vous ?"), "Que pensez-vous ?"), prompt)
	if n := len(r.f.inbounds()); n != 2 {
		t.Errorf("%d events: an unreadable or blank line reached the conversation", n)
	}
	r.typ("\x04")
	if err := r.end(); err != nil {
		t.Errorf("Run = %v", err)
	}
}

// TestTerminalLongTypedLineIsOneAnswer: a line typed key by key (no
// paste) longer than the editor's 4,096-character line stays whole: sent
// as one answer when the question takes it, or given back whole, to be
// shortened, when it is over the limit.
func TestTerminalLongTypedLineIsOneAnswer(t *testing.T) {
	typed := longTyped(5000)
	r := startTTY(t, &fakeEngine{t: t, script: askAgain(6000)}, Options{})
	r.waitFor(r.waitFor(0, "Que pensez-vous ?"), prompt)
	typeSlowly(r, typed)
	r.typ("\r")
	got := r.events(2)
	if ev := got[1].Event; ev.Kind != flows.EventText || ev.Text != typed {
		t.Errorf("sent %d characters, want the %d typed", len([]rune(ev.Text)), len([]rune(typed)))
	}

	r = startTTY(t, &fakeEngine{t: t, script: askAgain(4000)}, Options{})
	at := r.waitFor(r.waitFor(0, "Que pensez-vous ?"), prompt)
	typeSlowly(r, typed)
	r.typ("\r")
	at = r.waitFor(at, "Votre réponse fait 5000 caractères ; la limite est de 4000.")
	r.waitFor(at, prompt) // back in the edit line
	r.typ(strings.Repeat("\x7f", 1000) + "\r")
	got = r.events(2)
	if want := string([]rune(typed)[:4000]); got[1].Event.Text != want {
		t.Errorf("sent %d characters after shortening, want the first 4000 typed", len([]rune(got[1].Event.Text)))
	}
	if n := len(r.f.inbounds()); n != 2 {
		t.Errorf("%d events: the over-long line was sent", n)
	}
}

// longTyped returns n characters of prose, accents included, ending with
// a full stop (a space at the end would not count).
func longTyped(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < 8*n; i++ {
		fmt.Fprintf(&b, "élève %d, ", i)
	}
	return string([]rune(b.String())[:n-1]) + "."
}

// typeSlowly types s in short bursts, as keys come from a keyboard.
func typeSlowly(r *ttyRun, s string) {
	r.t.Helper()
	runes := []rune(s)
	for len(runes) > 0 {
		n := min(len(runes), 16)
		r.typ(string(runes[:n]))
		runes = runes[n:]
	}
}
