package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"consultbot/text"
)

// execute runs args as the consultbot program does, with env, and
// returns what it printed and its exit status.
func execute(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out bytes.Buffer
	m, errb := newTestMain(t, strings.NewReader(""), &out)
	m.Getenv = fakeEnv(env)
	code = m.Execute(context.Background(), args, nil)
	return out.String(), errb.String(), code
}

// commandFlags are the flags each command takes, by name.
var commandFlags = map[string][]string{
	"chat":         {"as", "config", "db", "organiser"},
	"run":          {"config", "db"},
	"check-config": {"config"},
	"export":       {"config", "db", "format", "out", "raw", "separator", "voice-dir"},
	"digest":       {"config", "db", "lang", "print", "theme"},
	"stats":        {"config", "db", "lang"},
	"backup":       {"config", "db", "out"},
	"compact":      {"config", "db"},
	"migrate":      {"config", "from", "to"},
	"version":      nil,
}

var flagLine = regexp.MustCompile(`(?m)^  -(\S+)`)

// TestCommandHelpSaysWhatItDoes: « consultbot <commande> -h » and
// « consultbot help <commande> » print the same help, on standard
// output: first what the command does, in one line of the command
// line's language, then only the flags that command takes (version none,
// not even -config).
func TestCommandHelpSaysWhatItDoes(t *testing.T) {
	for _, c := range commands {
		if _, ok := commandFlags[c]; !ok {
			t.Errorf("no flags listed here for %s", c)
		}
	}
	for _, lang := range []struct {
		env  map[string]string
		name string
	}{{nil, text.FR}, {english, text.EN}} {
		cli := &text.For(lang.name).CLI
		for _, c := range commands {
			what := cli.Commands[c]
			if what == "" || strings.Contains(what, "\n") {
				t.Errorf("%s: %s is described as %q, want one line", lang.name, c, what)
				continue
			}
			var first string
			for _, args := range [][]string{{c, "-h"}, {c, "--help"}, {"help", c}} {
				stdout, stderr, code := execute(t, lang.env, args...)
				if code != 0 || stderr != "" {
					t.Errorf("%s %q: exit %d, stderr %q; want the help and 0", lang.name, args, code, stderr)
				}
				if first == "" {
					first = stdout
				} else if stdout != first {
					t.Errorf("%s %q printed:\n%s\nwhile %s -h printed:\n%s", lang.name, args, stdout, c, first)
				}
				line, _, _ := strings.Cut(stdout, "\n")
				r := []rune(what)
				if want := strings.ToUpper(string(r[0])) + string(r[1:]) + "."; line != want {
					t.Errorf("%s %q starts with %q, want %q", lang.name, args, line, want)
				}
				var flags []string
				for _, m := range flagLine.FindAllStringSubmatch(stdout, -1) {
					flags = append(flags, m[1])
				}
				if !slices.Equal(flags, commandFlags[c]) {
					t.Errorf("%s %q lists the flags %q, want %q:\n%s", lang.name, args, flags, commandFlags[c], stdout)
				}
			}
		}
	}
	// version takes no -config after its name.
	if _, stderr, code := execute(t, nil, "version", "-config", "consultbot.toml"); code != 2 || !strings.Contains(stderr, "l'option -config n'existe pas") {
		t.Errorf("version -config: exit %d, said %q; want the flag refused", code, stderr)
	}
}

// TestHelpListsEveryCommand: « consultbot help » alone, like -h, lists
// every command with what it does, on standard output; help with what is
// no command says so.
func TestHelpListsEveryCommand(t *testing.T) {
	for _, lang := range []struct {
		env  map[string]string
		name string
	}{{nil, text.FR}, {english, text.EN}} {
		cli := &text.For(lang.name).CLI
		help, stderr, code := execute(t, lang.env, "help")
		if code != 0 || stderr != "" {
			t.Errorf("%s help: exit %d, stderr %q", lang.name, code, stderr)
		}
		for _, c := range commands {
			if line := "\n  " + c + strings.Repeat(" ", 14-len(c)) + cli.Commands[c] + "\n"; !strings.Contains(help, line) {
				t.Errorf("%s help has no line %q:\n%s", lang.name, line, help)
			}
		}
		if dashH, _, code := execute(t, lang.env, "-h"); code != 0 || dashH != help {
			t.Errorf("%s -h: exit %d, printed:\n%s\nwant what help prints", lang.name, code, dashH)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "exprot"}, "vouliez-vous dire consultbot export ?"},
		{[]string{"help", "bonjour"}, "« bonjour » n'est pas une commande"},
		{[]string{"help", "export", "digest"}, "« digest » en trop"},
	} {
		if stdout, stderr, code := execute(t, nil, tc.args...); code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}
