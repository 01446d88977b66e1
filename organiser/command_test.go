package organiser

import (
	"errors"
	"strings"
	"testing"
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
	// the command's name is English.
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
		if err == nil || errors.Is(err, ErrNotCommand) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseCommand(%q) error = %v, want one mentioning %q", tc.in, err, tc.mention)
		}
	}
}
