package flows

import (
	"strings"
	"testing"
)

// TestFirstMessageChoosesTheLanguage: a first message that comes with
// no language hint (a Discord direct message) opens the conversation in
// the language it is clearly written in; French stays the default, and a
// hint, when there is one, decides.
func TestFirstMessageChoosesTheLanguage(t *testing.T) {
	m := NewMachine(nil, Config{})
	for _, tc := range []struct {
		text, hint, discord, want string
	}{
		{"hello", "", "", LangEN},
		{"Hello!", "", "", LangEN},
		{"hi, I'd like to take part", "", "", LangEN},
		{"Hi! How can I take part in the survey?", "", "", LangEN},
		{"Good morning", "", "", LangEN},
		{"bonjour", "", "", LangFR},
		{"Bonjour, je voudrais participer", "", "", LangFR},
		{"hello, je voudrais participer", "", "", LangFR},
		{"ok", "", "", LangFR},
		{"Lyon", "", "", LangFR},
		{"hello", "fr", "", LangFR},      // the app says French
		{"hello", "", "fr", LangFR},      // the Discord app seen before says French
		{"bonjour", "en-GB", "", LangEN}, // the hint decides
	} {
		s, out := m.Step(Session{Participant: "p"}, Event{Kind: EventText, Text: tc.text, Lang: tc.hint, DiscordLocale: tc.discord}, baseTime)
		if s.Lang != tc.want {
			t.Errorf("first message %q (hint %q, Discord %q): language %q, want %q", tc.text, tc.hint, tc.discord, s.Lang, tc.want)
		}
		welcome := map[string]string{LangFR: "Bienvenue", LangEN: "Welcome"}[tc.want]
		if len(out) == 0 || !strings.Contains(out[0].Title+out[0].Text, welcome) {
			t.Errorf("first message %q: replies %+v, want a welcome in %s", tc.text, out, tc.want)
		}
	}
	// A later message never changes the language chosen.
	s, _ := m.Step(Session{Participant: "p"}, Event{Kind: EventText, Text: "bonjour"}, baseTime)
	s, _ = m.Step(s, Event{Kind: EventText, Text: "hello"}, baseTime)
	if s.Lang != LangFR {
		t.Errorf("after « bonjour » then « hello »: language %q, want fr", s.Lang)
	}
}
