package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
)

// TestHotBackupWhileWritingIsAConsistentDatabase copies the database while
// participants keep writing: the copy opens, passes bbolt's Check, is
// private, and holds every answer committed before the copy began.
func TestHotBackupWhileWritingIsAConsistentDatabase(t *testing.T) {
	needBolt(t)
	dir := t.TempDir()
	db := openAt(t, filepath.Join(dir, "consult.db"), Options{NoSync: true})
	for i := range 50 {
		p := fmt.Sprintf("telegram:p%d", i)
		apply(t, db, inbound(fmt.Sprintf("e%d", i), p), t0, answerStep("t1", "q1", "before the backup", t0))
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				in := inbound(fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("telegram:w%d-%d", w, i))
				if _, err := db.Apply(context.Background(), in, t0, answerStep("t1", "q2", "during the backup", t0)); err != nil {
					t.Errorf("Apply: %v", err)
					return
				}
				written.Add(1)
			}
		})
	}
	// Wait until the writers are under way, then copy.
	deadline := time.Now().Add(10 * time.Second)
	for written.Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	out := filepath.Join(dir, "backup.db")
	n, err := SaveBackup(out, db.Backup)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("SaveBackup: %v", err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != n {
		t.Errorf("backup is %d bytes, SaveBackup said %d", fi.Size(), n)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup mode %04o, want 0600", perm)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".backup.db.*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	copyDB := openAt(t, out, Options{})
	got, err := copyDB.AnswersByQuestion("t1", "q1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Errorf("backup holds %d answers written before it, want 50", len(got))
	}
}

// TestSaveBackupKeepsTheOldFileWhenTheCopyIsDamaged: a copy that does not
// pass the check never replaces the previous backup.
func TestSaveBackupKeepsTheOldFileWhenTheCopyIsDamaged(t *testing.T) {
	needBolt(t)
	dir := t.TempDir()
	db := openAt(t, filepath.Join(dir, "consult.db"), Options{NoSync: true})
	apply(t, db, inbound("e1", "telegram:p1"), t0, answerStep("t1", "q1", "x", t0))
	out := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(out, []byte("previous backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A copy cut short, as a broken connection to the bot would leave it.
	_, err := SaveBackup(out, func(w io.Writer) (int64, error) {
		pr, pw := io.Pipe()
		go func() { _, err := db.Backup(pw); pw.CloseWithError(err) }()
		n, err := io.CopyN(w, pr, 3*4096)
		pr.Close()
		return n, err
	})
	var damagedErr *DamagedError
	if !errors.As(err, &damagedErr) {
		t.Fatalf("SaveBackup of a truncated copy: %v, want a *DamagedError", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "previous backup" {
		t.Errorf("the previous backup was replaced: %q", b)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".backup.db.*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestOutboxStatsCountsAndAgesEachChannel(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	// Each event puts two replies in the outbox.
	apply(t, db, inbound("e1", "telegram:p1"), t0, answerStep("t1", "q1", "x", t0))
	apply(t, db, inbound("e2", "telegram:p2"), t0.Add(time.Minute), answerStep("t1", "q1", "y", t0))
	st, err := db.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tg := st[bot.ChannelTelegram]
	if tg.Depth != 4 || !tg.Oldest.Equal(t0) {
		t.Errorf("telegram outbox = %+v, want depth 4, oldest %v", tg, t0)
	}
	pending, err := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(context.Background(), pending[0].Seq, pending[1].Seq); err != nil {
		t.Fatal(err)
	}
	st, _ = db.OutboxStats(context.Background())
	if tg := st[bot.ChannelTelegram]; tg.Depth != 2 || !tg.Oldest.Equal(t0.Add(time.Minute)) {
		t.Errorf("after the first event's replies were sent: %+v, want depth 2, oldest %v", tg, t0.Add(time.Minute))
	}
	if err := db.Ping(); err != nil {
		t.Errorf("Ping an open database: %v", err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestWritersAreNotHeldByABackupWhileTheFileGrows: a backup is one long
// read transaction, and bbolt cannot map a grown file again while one is
// open. With MmapHeadroom, participants keep writing while a backup is
// held in the middle of its copy (without it, this test times out).
func TestWritersAreNotHeldByABackupWhileTheFileGrows(t *testing.T) {
	needBolt(t)
	path := filepath.Join(t.TempDir(), "consult.db")
	db := openAt(t, path, Options{NoSync: true, InitialMmapSize: MmapHeadroom(path)})
	apply(t, db, inbound("e0", "telegram:p0"), t0, answerStep("t1", "q1", "x", t0))

	started, release := make(chan struct{}), make(chan struct{})
	backupDone := make(chan error, 1)
	go func() {
		first := true
		_, err := db.Backup(writerFunc(func(p []byte) (int, error) {
			if first {
				first = false
				close(started)
				<-release
			}
			return len(p), nil
		}))
		backupDone <- err
	}()
	<-started

	// About 1 MiB of answers: far beyond a new file's first mapping
	// (bbolt maps 32 KiB, then doubles).
	text := strings.Repeat("Des ordinateurs pour chaque élève. ", 100)
	wrote := make(chan error, 1)
	go func() {
		for i := range 300 {
			in := inbound(fmt.Sprintf("g%d", i), fmt.Sprintf("telegram:g%d", i))
			if _, err := db.Apply(context.Background(), in, t0, answerStep("t1", "q1", text, t0)); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		close(release)
		<-wrote
		t.Fatal("writers were held by the backup's read transaction")
	}
	close(release)
	if err := <-backupDone; err != nil {
		t.Fatal(err)
	}
}
