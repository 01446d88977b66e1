package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"consultbot/storage"
)

// chatTTY is consultbot chat run by the real Main on a pseudo-terminal,
// as a person in a terminal window.
type chatTTY struct {
	t      *testing.T
	master *os.File
	dbPath string
	stderr fmt.Stringer
	done   chan error

	mu     sync.Mutex
	screen bytes.Buffer
	seen   int
}

func startChatTTY(t *testing.T) *chatTTY {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { master.Close(); tty.Close() })
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	c := &chatTTY{t: t, master: master, dbPath: filepath.Join(dir, "tty.db"), done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			c.mu.Lock()
			c.screen.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	m, stderr := newTestMain(t, tty, tty)
	c.stderr = stderr
	if err := m.ParseFlags(context.Background(), []string{"chat", "-db", c.dbPath}); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := m.Run(context.Background())
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		c.done <- err
	}()
	return c
}

func (c *chatTTY) shown() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.screen.String()
}

// answer waits for want, then for the editor's prompt after it, and
// types keys.
func (c *chatTTY) answer(want, keys string) {
	c.t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		s := c.shown()
		if i := bytes.Index([]byte(s[c.seen:]), []byte(want)); i >= 0 {
			if j := bytes.Index([]byte(s[c.seen+i:]), []byte("\r\n> ")); j >= 0 {
				c.seen += i + j + 4
				break
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%q never asked; screen:\n%s", want, s)
		}
		time.Sleep(time.Millisecond)
	}
	c.typ(keys)
}

func (c *chatTTY) typ(keys string) {
	c.t.Helper()
	if _, err := io.WriteString(c.master, keys); err != nil {
		c.t.Fatal(err)
	}
}

// end waits for chat to end after Ctrl-D and for its goodbye.
func (c *chatTTY) end() {
	c.t.Helper()
	select {
	case err := <-c.done:
		if err != nil {
			c.t.Fatalf("chat: %v\nstderr:\n%s", err, c.stderr)
		}
	case <-time.After(screenTimeout):
		c.t.Fatalf("chat did not end on Ctrl-D; screen:\n%s", c.shown())
	}
	// The screen is read apart: the goodbye may reach it after Run returned.
	for deadline := time.Now().Add(screenTimeout); !bytes.Contains([]byte(c.shown()[c.seen:]), []byte("À bientôt ! Vos réponses sont enregistrées")); {
		if time.Now().After(deadline) {
			c.t.Fatalf("no goodbye after Ctrl-D:\n%s", c.shown()[c.seen:])
		}
		time.Sleep(time.Millisecond)
	}
}

// answers returns what the database holds of the terminal participant.
func (c *chatTTY) answers() []storage.Answer {
	c.t.Helper()
	db, err := storage.Open(c.dbPath, storage.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	answers, err := db.AnswersByParticipant("terminal:local")
	if err != nil {
		c.t.Fatal(err)
	}
	return answers
}

// TestChatInATerminal runs the real Main on a pseudo-terminal, as a person
// in a terminal window: numbers pick options, a two-line paste is one
// answer, and Ctrl-D says goodbye.
func TestChatInATerminal(t *testing.T) {
	c := startChatTTY(t)
	c.answer("  2) Je refuse", "1\r")
	c.answer("  1) Parent", "1\r")
	c.answer("→ passer", "69\r") // a département number, not an option
	c.answer("académie de Lyon", "1\r")
	c.answer("== Thème 1 · Question 1/5 ==", "\x1b[200~Première ligne\nDeuxième ligne\x1b[201~\r")
	c.answer("== Thème 1 · Question 2/5 ==", "\x04") // Ctrl-D
	c.end()
	if answers := c.answers(); len(answers) != 1 || answers[0].Text != "Première ligne\nDeuxième ligne" {
		t.Errorf("stored answers = %+v, want the paste as one answer", answers)
	}
}

// TestChatKeepsALongTypedLine: an answer of 5,000 characters typed key by
// key, past the 4,096 of a terminal's line, is not cut: over the
// question's limit of 4,000, it comes back whole into the edit line, and
// once shortened by 1,000 backspaces it is stored as the first 4,000
// characters typed.
func TestChatKeepsALongTypedLine(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 6*5000; i++ {
		fmt.Fprintf(&b, "ordinateur %d ; ", i)
	}
	typed := []rune(b.String())[:5000]
	typed[len(typed)-1] = '.'
	c := startChatTTY(t)
	c.answer("  2) Je refuse", "1\r")
	c.answer("  1) Parent", "1\r")
	c.answer("→ passer", "69\r")
	c.answer("académie de Lyon", "1\r")
	c.answer("== Thème 1 · Question 1/5 ==", "")
	for rest := typed; len(rest) > 0; rest = rest[min(len(rest), 16):] {
		c.typ(string(rest[:min(len(rest), 16)]))
	}
	c.typ("\r")
	c.answer("Votre réponse fait 5000 caractères ; la limite est de 4000.", strings.Repeat("\x7f", 1000)+"\r")
	c.answer("== Thème 1 · Question 2/5 ==", "\x04")
	c.end()
	answers := c.answers()
	if len(answers) != 1 || answers[0].Text != string(typed[:4000]) {
		var got []int
		for _, a := range answers {
			got = append(got, len([]rune(a.Text)))
		}
		t.Errorf("stored answers of %v characters, want one of the first 4000 typed", got)
	}
}
