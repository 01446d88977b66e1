package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"consultbot/bot/telegram/telegramtest"
	"consultbot/internal/fault"
	"consultbot/storage"
)

// TestSIGTERMStopsWithinTheDeadline sends SIGTERM to the real `run` while
// an organiser's digest is in flight and Telegram holds its chart without
// answering: the process exits 0 within [delivery] shutdown_timeout (plus
// the time to start and to exit), every goroutine having stopped, and
// the file passes bbolt's check, the digest still in the outbox for the
// next start.
func TestSIGTERMStopsWithinTheDeadline(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "run.db")
	seed := seedDB(t)
	data, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dbPath, data, 0o600); err != nil {
		t.Fatal(err)
	}

	// The fake takes every chart and never answers: the reply stays in
	// flight until the bot gives up on it.
	srv := telegramtest.NewServer(telegramtest.Options{Faults: fault.Options{Hang: time.Hour}})
	// Closed after the process is gone (cleanups run last first): the fake
	// waits for its hanging requests, so closing it first would hang on a
	// bot that failed to stop.
	t.Cleanup(srv.Close)
	srv.Faults().Always("sendPhoto", fault.Timeout)
	const deadline = 3 * time.Second
	cfg := fmt.Sprintf("[storage]\npath = %q\n[telegram]\napi_endpoint = %q\norganiser_users = [900]\n[delivery]\nshutdown_timeout = %q\n",
		dbPath, srv.URL(), deadline.String())
	cfgPath := filepath.Join(dir, "consultbot.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", cfgPath, "run")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TELEGRAM_TOKEN=" + srv.Token(), "CONSULTBOT_ID_KEY=" + testIDKey}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})

	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	srv.SendText(telegramtest.User{ID: 900, LanguageCode: "fr"}, "/synthese")
	if err := srv.Wait(wait, func() bool { return srv.Requests("sendPhoto") > 0 }); err != nil {
		t.Fatalf("the digest's chart never left: %v\n%s", err, stderr.String())
	}

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		took := time.Since(sent)
		t.Logf("exited %v after SIGTERM (shutdown_timeout %v)", took.Round(time.Millisecond), deadline)
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(deadline + 3*time.Second):
		// The deadline, and a margin for the process to exit.
		t.Fatalf("still running %v after SIGTERM, with a shutdown timeout of %v\n%s", deadline+3*time.Second, deadline, stderr.String())
	}
	if !strings.Contains(stderr.String(), "left in the outbox") {
		t.Errorf("the log does not say what is left for the next start:\n%s", stderr.String())
	}

	checkFile(t, dbPath)
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, err := db.Pending(context.Background(), "telegram", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Image == nil {
		t.Errorf("outbox after the stop: %d replies, want the digest, chart first, for the next start", len(pending))
	}
}
