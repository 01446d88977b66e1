package flows

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// recapLimit bounds the text of a reply carrying a theme's recap above
// the next question: Discord's 2,000 characters (Telegram allows 4,096),
// less room for the markup an adapter adds (bold, the rule, escapes).
const recapLimit = 1800

// The one message that shows a theme's review above the next theme's
// first question stays one message on every channel, in the worst case:
// every answer of the real questionnaire as long as allowed, for each
// theme followed by another, in French and English.
func TestRecapFitsOneMessage(t *testing.T) {
	m := NewMachine(nil, Config{})
	q := m.Questionnaire()
	long := strings.Repeat("Réponse très longue et détaillée sur l'école numérique. ", 100)[:DefaultMaxText]
	for _, lang := range []string{LangFR, LangEN} {
		worst := 0
		for ti, th := range q.Themes[:len(q.Themes)-1] {
			s := Session{Participant: "p", Lang: lang, Stage: StageQuestion, Theme: th.ID, Question: th.Questions[len(th.Questions)-1].ID, Prompt: 1, Answers: map[string]Answer{}}
			s.ConsentAt = baseTime
			for _, qu := range th.Questions[:len(th.Questions)-1] {
				a := Answer{Theme: th.ID, Question: qu.ID, Text: long}
				if qu.IsChoice() {
					a = Answer{Theme: th.ID, Question: qu.ID, Choice: qu.Choices[0].ID}
				}
				s.Answers[AnswerKey(th.ID, qu.ID)] = a
			}
			got, out := m.Step(s, Event{Kind: EventText, Text: strings.Repeat("x ", DefaultMaxText/2)}, baseTime)
			if len(out) != 1 || out[0].Recap == nil || got.Reviewed != th.ID {
				t.Fatalf("%s theme %d: want one reply with the recap, got %d replies, reviewed %q", lang, ti+1, len(out), got.Reviewed)
			}
			r := out[0]
			n := utf8.RuneCountInString(r.Lead + r.Recap.Title + r.Recap.Text + r.Title + r.Text)
			worst = max(worst, n)
			if n > recapLimit {
				t.Errorf("%s theme %d: %d characters above the next question, want at most %d", lang, ti+1, n, recapLimit)
			}
		}
		t.Logf("%s: longest recap with its question: %d characters", lang, worst)
	}
}

// A correction of the profile or the académie, or a language switch,
// made below a theme's recap comes back below it: the recap is shown
// again, and the next answer still validates the theme and says so.
func TestCorrectionBelowRecapKeepsValidation(t *testing.T) {
	m := NewMachine(nil, Config{})
	q := m.Questionnaire()
	done, next := q.Themes[4], q.Themes[0]
	for _, typed := range [][]string{
		{"changer d'académie", "Lille"},
		{"en fait je suis à Bordeaux"},
		{"/profil", "1"},
		{"/profil", "3"},
		{"mauvais profil", "3"},
		{"en fait je suis enseignant"},
		{"/langue"},
		{"langue", "1"},
	} {
		s := Session{Participant: "p", Lang: LangFR, Stage: StageQuestion, Theme: next.ID, Question: next.Questions[0].ID,
			Reviewed: done.ID, Profile: q.Profiles[0].ID, Academie: "Lyon", Prompt: 3, Answers: map[string]Answer{}}
		s.ConsentAt = baseTime
		for _, qu := range done.Questions {
			s.Answers[AnswerKey(done.ID, qu.ID)] = Answer{Theme: done.ID, Question: qu.ID, Text: "Une réponse assez longue.", CreatedAt: baseTime, UpdatedAt: baseTime}
		}
		var out []Reply
		for _, line := range typed {
			ev, ok := ParseCommand(line)
			if !ok {
				ev = Event{Kind: EventText, Text: line}
			}
			s, out = checkStep(t, m, s, ev, baseTime)
		}
		last := out[len(out)-1]
		if s.Stage != StageQuestion || s.Theme != next.ID || s.Reviewed != done.ID || last.Recap == nil {
			t.Errorf("%q: stage %s theme %s reviewed %q, recap shown %v; want back below theme 5's recap",
				typed, s.Stage, s.Theme, s.Reviewed, last.Recap != nil)
			continue
		}
		got, out := checkStep(t, m, s, Event{Kind: EventText, Text: "Un ordinateur prêté à chaque élève."}, baseTime)
		validated := fmt.Sprintf(messagesFor(got.Lang).Validated, 5)
		if _, ok := got.Confirmed[done.ID]; !ok || len(out) == 0 || !strings.Contains(out[0].Lead+out[0].Text, validated) {
			t.Errorf("%q then an answer: theme 5 confirmed %v, replies %+v; want it validated, saying %q",
				typed, ok, out, validated)
		}
	}
}
