package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"consultbot/storage"
)

// TestChatInATerminal runs the real Main on a pseudo-terminal, as a person
// in a terminal window: numbers pick options, a two-line paste is one
// answer, and Ctrl-D says goodbye.
func TestChatInATerminal(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var screen bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	shown := func() string {
		mu.Lock()
		defer mu.Unlock()
		return screen.String()
	}
	seen := 0
	// answer waits for want, then for the editor's prompt after it, and
	// types keys.
	answer := func(want, keys string) {
		t.Helper()
		deadline := time.Now().Add(screenTimeout)
		for {
			s := shown()
			if i := bytes.Index([]byte(s[seen:]), []byte(want)); i >= 0 {
				if j := bytes.Index([]byte(s[seen+i:]), []byte("\r\n> ")); j >= 0 {
					seen += i + j + 4
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q never asked; screen:\n%s", want, s)
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := io.WriteString(master, keys); err != nil {
			t.Fatal(err)
		}
	}

	dbPath := filepath.Join(dir, "tty.db")
	m, stderr := newTestMain(t, tty, tty)
	if err := m.ParseFlags(context.Background(), []string{"chat", "-db", dbPath}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := m.Run(context.Background())
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	answer("  2) Je refuse", "1\r")
	answer("  1) Parent", "1\r")
	answer("→ passer", "69\r") // a département number, not an option
	answer("académie de Lyon", "1\r")
	answer("== Thème 1 · Question 1/5 ==", "\x1b[200~Première ligne\nDeuxième ligne\x1b[201~\r")
	answer("== Thème 1 · Question 2/5 ==", "\x04") // Ctrl-D
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chat: %v\nstderr:\n%s", err, stderr)
		}
	case <-time.After(screenTimeout):
		t.Fatalf("chat did not end on Ctrl-D; screen:\n%s", shown())
	}
	// The screen is read apart: the goodbye may reach it after Run returned.
	for deadline := time.Now().Add(screenTimeout); !bytes.Contains([]byte(shown()[seen:]), []byte("À bientôt ! Vos réponses sont enregistrées")); {
		if time.Now().After(deadline) {
			t.Fatalf("no goodbye after Ctrl-D:\n%s", shown()[seen:])
		}
		time.Sleep(time.Millisecond)
	}
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	answers, err := db.AnswersByParticipant("terminal:local")
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].Text != "Première ligne\nDeuxième ligne" {
		t.Errorf("stored answers = %+v, want the paste as one answer", answers)
	}
}
