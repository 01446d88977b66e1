package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/organiser"
)

// TestDamagedDatabaseStopsEveryCommandCleanly: a truncated or damaged
// database made export, digest and chat die with SIGBUS or a bbolt
// assertion and a stack trace, and chat grew the damaged file. Every
// command that opens the file now stops with "the database file is
// damaged: <reason>; restore the last backup", exits 1 with no panic, and
// leaves the file's bytes as they were. The real binary runs, as an
// operator would run it.
func TestDamagedDatabaseStopsEveryCommandCleanly(t *testing.T) {
	bin := buildBinary(t)
	seed, err := os.ReadFile(seedDB(t))
	if err != nil {
		t.Fatal(err)
	}
	// The page size, from the first meta page (after the 16-byte page
	// header: magic, version, then the page size).
	pageSize := int(binary.NativeEndian.Uint32(seed[24:]))
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
	}
	damages := []struct {
		name string
		do   func([]byte) []byte
	}{
		{name: "truncated to half its size", do: func(b []byte) []byte { return b[:len(b)/2] }},
		{name: "first meta page zeroed", do: func(b []byte) []byte { clear(b[:pageSize]); return b }},
		{name: "second meta page zeroed", do: func(b []byte) []byte { clear(b[pageSize : 2*pageSize]); return b }},
		{name: "random garbage", do: func(b []byte) []byte { garbage(b); return b }},
		{name: "empty", do: func(b []byte) []byte { return b[:0] }},
		// Sound meta pages: the pages bbolt reads first give it away.
		{name: "garbage over the data pages", do: func(b []byte) []byte { garbage(b[2*pageSize:]); return b }},
	}
	commands := [][]string{
		{"export", "--out", "-"},
		{"digest", "--print"},
		{"chat"},
		{"run"},
	}
	for _, d := range damages {
		for _, args := range commands {
			t.Run(d.name+"/"+args[0], func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "consult.db")
				damagedBytes := d.do(bytes.Clone(seed))
				if err := os.WriteFile(path, damagedBytes, 0o600); err != nil {
					t.Fatal(err)
				}
				// run would reach Telegram only if it got past the file:
				// point it at a port where nothing listens.
				cfg := "[telegram]\napi_endpoint = \"http://" + freeAddr(t) + "\"\n"
				if err := os.WriteFile(filepath.Join(dir, "consultbot.toml"), []byte(cfg), 0o600); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, append(args, "-db", path)...)
				cmd.Dir = dir
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
					organiser.PseudonymKeyEnv + "=" + testPseudonymKey, "CONSULTBOT_ID_KEY=" + testIDKey,
					"TELEGRAM_TOKEN=123456:TEST", "LANG=en_GB.UTF-8"}
				cmd.Stdin = strings.NewReader("")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				err := cmd.Run()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 1 {
					t.Errorf("exit: %v, want status 1", err)
				}
				msg := stderr.String()
				if !strings.Contains(msg, "the database file is damaged: ") || !strings.Contains(msg, "; restore the last backup") {
					t.Errorf("stderr lacks the damaged-file message:\n%s", msg)
				}
				for _, crash := range []string{"panic", "goroutine ", "SIGBUS", "SIGSEGV", "fatal error"} {
					if strings.Contains(msg, crash) {
						t.Errorf("stderr shows a crash (%q):\n%s", crash, msg)
						break
					}
				}
				after, err := os.ReadFile(path)
				if err != nil || !bytes.Equal(after, damagedBytes) {
					t.Errorf("the damaged file changed: %d bytes before, %d after (%v)", len(damagedBytes), len(after), err)
				}
			})
		}
	}
}
