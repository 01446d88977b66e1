package text

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// walk calls f with every text of v (a catalogue or a part of one) and
// its path, map keys in order.
func walk(v reflect.Value, path string, f func(path, s string)) {
	switch v.Kind() {
	case reflect.Pointer:
		walk(v.Elem(), path, f)
	case reflect.String:
		f(path, v.String())
	case reflect.Struct:
		for i := range v.NumField() {
			walk(v.Field(i), path+"."+v.Type().Field(i).Name, f)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			walk(v.MapIndex(k), path+"["+k.String()+"]", f)
		}
	}
}

// WalkTexts lets the package's external tests read every text of a
// catalogue.
var WalkTexts = func(c *Catalog, f func(path, s string)) { walk(reflect.ValueOf(c), "Catalog", f) }

// braces finds anything written in braces, a command's name or a typo.
var braces = regexp.MustCompile(`\{[^{}\s]*\}`)

// TestCommandsNamed: every name in braces in the catalogues is a
// command's (or a typo this test points at), and the catalogues the
// channels get have every one written out.
func TestCommandsNamed(t *testing.T) {
	for _, raw := range []*Catalog{&french, &english} {
		named := 0
		walk(reflect.ValueOf(raw), "Catalog", func(path, s string) {
			for _, m := range braces.FindAllString(s, -1) {
				sub := placeholder.FindStringSubmatch(m)
				if sub == nil || sub[0] != m {
					t.Errorf("%s %s: %q is no command name: write {erase} or {erase:bare}", raw.Lang, path, m)
					continue
				}
				if _, ok := raw.Flow.CommandNames[sub[1]]; !ok {
					t.Errorf("%s %s: %q names no command of Flow.CommandNames", raw.Lang, path, m)
				}
				named++
			}
		})
		if named < 30 {
			t.Errorf("%s: only %d commands named in braces: the walk misses texts", raw.Lang, named)
		}
		for cmd := range raw.Web.Buttons {
			if _, ok := raw.Flow.CommandNames[cmd]; !ok {
				t.Errorf("%s: the page's button %q is for no command of Flow.CommandNames", raw.Lang, cmd)
			}
		}
	}
	for _, n := range []Naming{Slash, Buttons} {
		for _, lang := range []string{FR, EN} {
			c := ForNaming(lang, n)
			if c.Naming != n || c.Lang != lang {
				t.Errorf("ForNaming(%s, %d) is the %s catalogue for naming %d", lang, n, c.Lang, c.Naming)
			}
			walk(reflect.ValueOf(c), "Catalog", func(path, s string) {
				if m := braces.FindString(s); m != "" {
					t.Errorf("%s, naming %d, %s: %q left as written: %q", lang, n, path, m, s)
				}
			})
		}
	}
}

// slashCommand finds a slash command in a text: a slash that starts a
// word and is followed by a letter ("/effacer", not "/%s" nor "et/ou").
var slashCommand = regexp.MustCompile(`(?:^|[^\p{L}\p{N}/_.<:])/[a-z][a-z_]*`)

// onThePage are the parts of the catalogue a person on the web page may
// read. The organisers' replies and the digest go to organisers on
// Telegram, Discord or the terminal; the Telegram, Discord and terminal
// sections are those channels' own.
var onThePage = []string{"Catalog.Flow", "Catalog.Privacy", "Catalog.Reminders", "Catalog.Web", "Catalog.Channel.FloodNotice"}

// TestPageNamesNoSlashCommand renders every text a person on the web
// page may read as the page gets it, and fails where one names a slash
// command: the page offers its commands as buttons, so a text that tells
// the person what to type or tap names the button (or a word the
// conversation understands), never "/effacer".
func TestPageNamesNoSlashCommand(t *testing.T) {
	for _, lang := range []string{FR, EN} {
		raw, page := &french, ForNaming(lang, Buttons)
		if lang == EN {
			raw = &english
		}
		rendered := map[string]string{}
		walk(reflect.ValueOf(page), "Catalog", func(path, s string) { rendered[path] = s })
		mentions := 0
		walk(reflect.ValueOf(raw), "Catalog", func(path, s string) {
			if !slices.ContainsFunc(onThePage, func(p string) bool { return strings.HasPrefix(path, p) }) {
				return
			}
			got := rendered[path]
			if m := slashCommand.FindString(got); m != "" {
				t.Errorf("%s %s names %q on the page:\n%s", lang, path, strings.TrimSpace(m), got)
			}
			if !placeholder.MatchString(s) {
				return
			}
			mentions++
			for _, sub := range placeholder.FindAllStringSubmatch(s, -1) {
				want := page.Web.Buttons[sub[1]]
				if want == "" {
					want = page.Flow.CommandNames[sub[1]] // a word typed: « reprendre »
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s %s: the page's name %q of %s is missing:\n%s", lang, path, want, sub[1], got)
				}
			}
		})
		if mentions < 20 {
			t.Errorf("%s: only %d texts on the page mention a command: the walk misses texts", lang, mentions)
		}
	}
	if got, want := ForNaming(FR, Buttons).Privacy.ConsentLeave, "«\u00a0Effacer mes données\u00a0» efface tout"; !strings.Contains(got, want) {
		t.Errorf("the consent names erasure on the page as %q, want %q", got, want)
	}
	if got, want := For(FR).Privacy.ConsentLeave, "/effacer efface tout"; !strings.Contains(got, want) {
		t.Errorf("the consent names erasure on Telegram as %q, want %q", got, want)
	}
}

// TestDiscordNamingFollowsThePicker: on Discord the texts name the
// commands as the person's command picker shows them, by their app's
// locale, whatever the language of the text.
func TestDiscordNamingFollowsThePicker(t *testing.T) {
	for _, tt := range []struct {
		lang, locale string
		cmd, want    string
	}{
		{EN, "fr", "resume", "/reprendre"},
		{EN, "fr", "answers", "/mes_reponses"},
		{EN, "de", "start", "/contribuer"},
		{FR, "en-GB", "resume", "/resume"},
		{FR, "en-US", "start", "/contribute"},
		{FR, "fr", "erase", "/effacer"},
	} {
		if got := ForNaming(tt.lang, DiscordNaming(tt.locale)).Command(tt.cmd); got != tt.want {
			t.Errorf("%s text, %s app: %s named %q, want %q", tt.lang, tt.locale, tt.cmd, got, tt.want)
		}
	}
	if help := ForNaming(EN, DiscordFR).Flow.Commands; !strings.Contains(help, "/reprendre") || strings.Contains(help, "/resume") {
		t.Errorf("English help for a French app names the English commands:\n%s", help)
	}
}
