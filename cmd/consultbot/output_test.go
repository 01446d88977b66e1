package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"consultbot/organiser"
)

// TestEveryOutputEndsWithOneLineBreak runs every command, as it succeeds
// and as it fails, in French and in English: what it prints on standard
// output and on standard error ends with one line break, never none and
// never a blank line (CSV's line break is \r\n).
func TestEveryOutputEndsWithOneLineBreak(t *testing.T) {
	dir := t.TempDir()
	dbPath := seedDB(t)
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[consultation]\nmax_answer_length = 9000\nfoo = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	cases := []struct {
		args []string
		env  map[string]string
		code int
	}{
		{args: []string{"version"}},
		{args: []string{"version", "-h"}},
		{args: []string{"help"}},
		{args: []string{"-h"}},
		{args: []string{"help", "export"}},
		{args: []string{"digest", "-h"}},
		{args: nil, code: 2},
		{args: []string{"nimporte"}, code: 2},
		{args: []string{"exprot"}, code: 2},
		{args: []string{"help", "nimporte"}, code: 2},
		{args: []string{"version", "-x"}, code: 2},
		{args: []string{"export", "--out"}, code: 2},
		{args: []string{"check-config"}},
		{args: []string{"check-config", "-config", bad}, code: 1},
		{args: []string{"check-config", "-config", filepath.Join(dir, "none.toml")}, code: 1},
		{args: []string{"digest", "-db", dbPath, "--print"}},
		{args: []string{"digest", "-db", dbPath, "--print", "--theme", "5"}},
		{args: []string{"digest", "-db", dbPath, "--print", "--theme", "9"}, code: 1},
		{args: []string{"digest", "-db", dbPath}, code: 1},
		{args: []string{"stats", "-db", dbPath}},
		{args: []string{"export", "-db", dbPath, "--out", "-"}, env: key},
		{args: []string{"export", "-db", dbPath, "--format", "jsonl", "--out", "-"}, env: key},
		{args: []string{"export", "-db", dbPath, "--out", filepath.Join(dir, "a.csv")}, env: key},
		{args: []string{"export", "-db", dbPath, "--out", "-"}, code: 1},
		{args: []string{"export", "-db", filepath.Join(dir, "none.db"), "--out", "-"}, env: key, code: 1},
		{args: []string{"backup", "-db", dbPath}, code: 1},
		{args: []string{"migrate"}, code: 1},
	}
	for _, c := range cases {
		for _, env := range []map[string]string{nil, english} {
			all := map[string]string{}
			for k, v := range env {
				all[k] = v
			}
			for k, v := range c.env {
				all[k] = v
			}
			os.Remove(filepath.Join(dir, "a.csv"))
			stdout, stderr, code := execute(t, all, c.args...)
			if code != c.code {
				t.Errorf("%v %q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", env, c.args, code, c.code, stdout, stderr)
			}
			if stdout == "" && stderr == "" {
				t.Errorf("%v %q said nothing", env, c.args)
			}
			for _, out := range []struct{ name, s string }{{"stdout", stdout}, {"stderr", stderr}} {
				if out.s == "" {
					continue
				}
				rest, ok := strings.CutSuffix(out.s, "\n")
				rest = strings.TrimSuffix(rest, "\r")
				if !ok || strings.HasSuffix(rest, "\n") || strings.HasSuffix(rest, "\r") {
					t.Errorf("%v %q: %s ends with %q, want one line break", env, c.args, out.name, out.s[max(0, len(out.s)-40):])
				}
			}
		}
	}
}
