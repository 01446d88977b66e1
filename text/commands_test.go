package text_test

import (
	"regexp"
	"testing"

	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/text"
)

// slashCommand finds the name of a slash command in a text ("/effacer",
// not "/%s" nor "et/ou").
var slashCommand = regexp.MustCompile(`(?:^|[^\p{L}\p{N}/_.<:])/([a-z][a-z_]*)`)

// TestSlashCommandsExist renders every text as Telegram, Discord and the
// terminal get it and fails where one names a slash command that does
// not exist in the text's language: neither the conversation's (package
// flows) nor the organisers' (package organiser).
func TestSlashCommandsExist(t *testing.T) {
	for _, lang := range []string{text.FR, text.EN} {
		exists := map[string]bool{}
		for _, c := range flows.CommandList() {
			name := c.NameFR
			if lang == text.EN {
				name = c.NameEN
			}
			if ev, ok := flows.ParseCommand("/" + name); !ok || ev.Command != c.Name {
				t.Errorf("%s: /%s is not understood as %s", lang, name, c.Name)
			}
			exists[name] = true
		}
		for _, c := range organiser.Commands() {
			exists[c.Name(lang)] = true
		}
		named := 0
		text.WalkTexts(text.For(lang), func(path, s string) {
			for _, m := range slashCommand.FindAllStringSubmatch(s, -1) {
				named++
				if !exists[m[1]] {
					t.Errorf("%s %s names /%s, which is no command in this language:\n%s", lang, path, m[1], s)
				}
			}
		})
		if named < 40 {
			t.Errorf("%s: only %d slash commands named: the walk misses texts", lang, named)
		}
	}
}
