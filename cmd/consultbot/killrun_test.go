package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"consultbot/bot/telegram/telegramtest"
)

// killRun starts, kills and stops the `consultbot run` processes of a
// kill test, one after the other on one configuration and one database,
// against the Telegram fake, and shows their logs if the test fails.
type killRun struct {
	t        *testing.T
	bin, dir string
	cfg      string
	srv      *telegramtest.Server
	env      []string // more environment, such as a Discord token
	logs     []*bytes.Buffer
}

// killedBot is one `consultbot run` process of a killRun, a process of
// its own (the binary), to be killed.
type killedBot struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

// newKillRun builds the binary and writes its configuration: the
// database dbName in a temporary directory, the Telegram fake, then extra
// (more [telegram] keys first, then other sections). It returns the
// database's path too.
func newKillRun(t *testing.T, srv *telegramtest.Server, dbName, extra string) (r *killRun, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	dbPath = filepath.Join(dir, dbName)
	cfg := filepath.Join(dir, "consultbot.toml")
	body := fmt.Sprintf("[storage]\npath = %q\n[telegram]\napi_endpoint = %q\n%s", dbPath, srv.URL(), extra)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r = &killRun{t: t, bin: buildBinary(t), dir: dir, cfg: cfg, srv: srv}
	t.Cleanup(func() {
		if t.Failed() {
			for i, l := range r.logs {
				t.Logf("logs of process %d:\n%s", i+1, l)
			}
		}
	})
	return r, dbPath
}

// start starts one process.
func (r *killRun) start() *killedBot {
	t := r.t
	t.Helper()
	cmd := exec.Command(r.bin, "-config", r.cfg, "run")
	cmd.Dir = r.dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.dir, "TELEGRAM_TOKEN=" + r.srv.Token(), "CONSULTBOT_ID_KEY=" + testIDKey}, r.env...)
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
	r.logs = append(r.logs, &stderr)
	return &killedBot{cmd: cmd, stderr: &stderr}
}

// kill kills b with SIGKILL and waits for it.
func (b *killedBot) kill(t *testing.T) {
	t.Helper()
	if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	b.cmd.Wait()
}

// stop stops b with SIGTERM and checks it exits 0.
func (b *killedBot) stop(t *testing.T) {
	t.Helper()
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
}

// tokenLeaked reports whether a process logged the Telegram token.
func (r *killRun) tokenLeaked() bool {
	for _, l := range r.logs {
		if strings.Contains(l.String(), r.srv.Token()) {
			return true
		}
	}
	return false
}
