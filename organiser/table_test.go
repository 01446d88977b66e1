package organiser

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"consultbot/text"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Command
	}{
		{"/synthese", Command{Name: CmdDigest}},
		{"/synthèse 2", Command{Name: CmdDigest, Theme: "2"}},
		{"/digest@consultbot acces", Command{Name: CmdDigest, Theme: "acces"}},
		{"/stats", Command{Name: CmdStats}},
		{"  /Statistiques ", Command{Name: CmdStats}},
		{"/masquer 123", Command{Name: CmdHide, AnswerID: 123}},
		{"/hide n°7", Command{Name: CmdHide, AnswerID: 7}},
		{"/afficher #8", Command{Name: CmdUnhide, AnswerID: 8}},
		{"/unhide 8", Command{Name: CmdUnhide, AnswerID: 8}},
		{"/bannir 9", Command{Name: CmdBan, AnswerID: 9}},
		{"/ban 9", Command{Name: CmdBan, AnswerID: 9}},
		{"/débannir 10", Command{Name: CmdUnban, AnswerID: 10}},
		{"/unban 10", Command{Name: CmdUnban, AnswerID: 10}},
	} {
		got, err := ParseCommand(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "bonjour", "/", "/aide", "/menu", "synthese"} {
		if _, err := ParseCommand(in); !errors.Is(err, ErrNotCommand) {
			t.Errorf("ParseCommand(%q) error = %v, want ErrNotCommand", in, err)
		}
	}
	// Malformed organiser commands get an explanation, in English when
	// the command's name is English, whatever the person's language.
	for _, tc := range []struct{ in, mention string }{
		{"/masquer", "par exemple /masquer 123"},
		{"/masquer abc", "« abc » n'est pas un numéro de réponse. Écrivez par exemple /masquer 123."},
		{"/bannir 0", "n'est pas un numéro"},
		{"/ban 1 2", "Give the number of one answer, for example /ban 123."},
		{"/hide x", "“x” is not an answer number."},
		{"/synthese 1 2", "Indiquez un seul thème."},
		{"/digest 1 2", "Give one theme only."},
		{"/stats tout", "Écrivez /stats seul"},
	} {
		_, err := ParseCommand(tc.in)
		var u *UsageError
		if !errors.As(err, &u) {
			t.Errorf("ParseCommand(%q) error = %v, want a usage error", tc.in, err)
			continue
		}
		if msg := Message(err, "fr"); !strings.Contains(msg, tc.mention) {
			t.Errorf("ParseCommand(%q): the organiser reads %q, want it to mention %q", tc.in, msg, tc.mention)
		}
	}
}

// A failure that is no mistake of the organiser's reads as an apology in
// their language, never as the error's words (which go to the logs).
func TestMessageNeverShowsAGoError(t *testing.T) {
	err := fmt.Errorf("execute stats: %w", errors.New("bbolt: database not open at /srv/consultbot.db"))
	for lang, want := range map[string]string{"fr": text.For("fr").Organiser.Failed, "en-GB": text.For("en").Organiser.Failed} {
		if got := Message(err, lang); got != want || strings.Contains(got, "bbolt") {
			t.Errorf("Message(store failure, %s) = %q, want %q", lang, got, want)
		}
	}
}

// The command table is the only list: every command has its texts in
// both languages, names fit both platforms, and Lookup finds each by
// either name.
func TestCommandTable(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	ids := map[string]bool{}
	for _, c := range Commands() {
		if ids[c.ID] {
			t.Errorf("command %s twice in the table", c.ID)
		}
		ids[c.ID] = true
		for _, lang := range []string{"fr", "en"} {
			ct := c.Text(lang)
			if ct.Menu == "" || ct.Help == "" || len([]rune(ct.Menu)) > 100 {
				t.Errorf("%s in %s: texts %+v, want a menu text of 1 to 100 characters and a help line", c.ID, lang, ct)
			}
			if (c.Arg == ArgNone) != (ct.Args == "") {
				t.Errorf("%s in %s: argument %q for kind %d", c.ID, lang, ct.Args, c.Arg)
			}
			if !valid.MatchString(c.Name(lang)) {
				t.Errorf("%s: name %q is not a valid command name", c.ID, c.Name(lang))
			}
			if got, ok := Lookup(c.Name(lang)); !ok || got.ID != c.ID {
				t.Errorf("Lookup(%q) = %s, %v", c.Name(lang), got.ID, ok)
			}
		}
		if c.Who != Organiser {
			t.Errorf("%s may be run by role %d; every organiser command is the team's", c.ID, c.Who)
		}
	}
	if len(text.For("fr").Organiser.Commands) != len(ids) {
		t.Errorf("the catalogue describes %d commands, the table has %d", len(text.For("fr").Organiser.Commands), len(ids))
	}
}
