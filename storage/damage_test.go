package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadingAFileCutShortWhileOpenIsAnError: bbolt reads pages through a
// memory map, and a file truncated under a reader faults (SIGBUS), which
// killed the process with a stack trace. The read now fails with the
// damaged-file error, and the process goes on.
func TestReadingAFileCutShortWhileOpenIsAnError(t *testing.T) {
	needBolt(t)
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("une réponse assez longue pour remplir des pages ", 40)
	for i := range 200 {
		apply(t, db, inbound(fmt.Sprint("e", i), fmt.Sprintf("telegram:%03d", i)), t0, answerStep("ecole", "q1", long, t0))
	}
	db.Close()
	ro, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := os.Truncate(path, 8192); err != nil {
		t.Fatal(err)
	}
	n := 0
	err = ro.ForEachAnswer(context.Background(), func(Answer) error { n++; return nil })
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "restore the last backup") {
		t.Fatalf("reading a truncated file: %v after %d answers, want the damaged-file error", err, n)
	}
	if err := ro.Check(); !errors.Is(err, ErrDamaged) {
		t.Errorf("Check of a truncated file: %v", err)
	}
}

// TestOpenRefusesADamagedFileWithoutWritingIt: Open (run, chat) opened a
// truncated file and grew it, and built a new database over an emptied
// one. It now checks the meta pages and the size first, reading only.
func TestOpenRefusesADamagedFileWithoutWritingIt(t *testing.T) {
	needBolt(t)
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		apply(t, db, inbound(fmt.Sprint("e", i), fmt.Sprintf("telegram:%03d", i)), t0, answerStep("ecole", "q1", strings.Repeat("x", 2000), t0))
	}
	db.Close()
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"truncated to half": full[:len(full)/2],
		"empty":             {},
		"one page":          full[:4096],
	} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, open := range []func(string, Options) (*DB, error){Open, OpenReadOnly} {
			db, err := open(path, Options{})
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("%s: open: %v, want the damaged-file error", name, err)
			}
			if after, _ := os.ReadFile(path); len(after) != len(b) {
				t.Errorf("%s: the file went from %d to %d bytes", name, len(b), len(after))
			}
		}
	}
}
