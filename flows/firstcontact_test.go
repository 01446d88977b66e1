package flows

import (
	"strings"
	"testing"
	"time"
)

// TestFirstMessageChoosesTheLanguage: a first message opens the
// conversation in the language it is clearly written in, whatever the
// app's language (a French parent's phone set to English, an English
// speaker's set to French); a message in no clear language follows the
// hint, and French stays the default.
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
		{"hello", "fr", "", LangEN},     // the words say English, not the app
		{"hey there", "fr", "", LangEN}, // …
		{"good evening", "fr", "", LangEN},
		{"hi", "", "fr", LangEN},         // the Discord app seen before says French
		{"bonjour", "en-GB", "", LangFR}, // the words say French
		{"ok", "en-GB", "", LangEN},      // no clear language: the hint decides
		{"Lyon", "", "en-US", LangEN},
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

// TestFirstWordsAfterAnUnaskedWelcome: where the welcome comes before the
// person says anything (the terminal shows it at once, Telegram after a
// bare /start), their first words are their first message: an English
// greeting gets the English welcome and consent, a question in English
// the consent's details in English; a greeting in the language already
// spoken asks for the consent in one line, its details being just above,
// rather than repeating them.
func TestFirstWordsAfterAnUnaskedWelcome(t *testing.T) {
	m := NewMachine(nil, Config{})
	welcome := func(hint string) Session {
		s, _ := m.Step(Session{Participant: "p"}, Event{Kind: EventCommand, Command: CmdResume, Lang: hint}, baseTime)
		return s
	}
	for _, text := range []string{"hello", "Hi!", "hey there", "good evening"} {
		s, out := m.Step(welcome("fr"), Event{Kind: EventText, Text: text, Lang: "fr"}, baseTime.Add(time.Minute))
		if s.Lang != LangEN || s.Stage != StageConsent || len(out) == 0 || out[0].Title != "Welcome!" || len(out[len(out)-1].Options) != 3 {
			t.Errorf("« %s » after the welcome: language %q, stage %s, replies %+v; want the English welcome and consent", text, s.Lang, s.Stage, out)
		}
		// Said once, the language stays.
		if s, _ = m.Step(s, Event{Kind: EventText, Text: "bonjour"}, baseTime.Add(2*time.Minute)); s.Lang != LangEN {
			t.Errorf("« %s » then « bonjour »: language %q, want en", text, s.Lang)
		}
	}
	s, out := m.Step(welcome("fr"), Event{Kind: EventText, Text: "what am I agreeing to?"}, baseTime.Add(time.Minute))
	if s.Lang != LangEN || len(out) != 1 || !strings.Contains(out[0].Text, "What we keep") {
		t.Errorf("« what am I agreeing to? » after the welcome: language %q, replies %+v; want the details in English", s.Lang, out)
	}
	for _, text := range []string{"bonjour", "coucou", "ok", "Lyon"} {
		s, out := m.Step(welcome(""), Event{Kind: EventText, Text: text}, baseTime.Add(time.Minute))
		if s.Lang != LangFR {
			t.Errorf("« %s » after the welcome: language %q, want fr", text, s.Lang)
		}
		var all strings.Builder
		for _, r := range out {
			all.WriteString(r.Lead + r.Text)
		}
		if strings.Count(all.String(), "Nous ne gardons ni votre nom") > 0 && text == "bonjour" {
			t.Errorf("« bonjour » after the welcome repeats the consent's details: %+v", out)
		}
	}
}
