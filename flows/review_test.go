package flows

import (
	"strings"
	"testing"
	"time"
)

// A session stored before the questions asked were recorded reads as it
// did then: its review shows « passée » for every unanswered question of
// a theme it started, not « pas encore vue », and its first step records
// them as asked, so that it keeps reading so.
func TestReviewOfSessionStoredBeforeAsked(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	s := Session{
		Participant: "p", Lang: LangFR, Stage: StageReview, Theme: "ecole", Question: "temps", Prompt: 3,
		ConsentAt: baseTime, CreatedAt: baseTime, UpdatedAt: baseTime,
		Answers:   map[string]Answer{"ecole/temps": {Theme: "ecole", Question: "temps", Text: "Une heure.", CreatedAt: baseTime, UpdatedAt: baseTime}},
		Confirmed: map[string]time.Time{"ecole": baseTime},
	}
	if !s.WasAsked("ecole", "idee") || s.WasAsked("maison", "devoirs") {
		t.Errorf("stored before Asked: WasAsked(ecole/idee) = %v, WasAsked(maison/devoirs) = %v; want true, false",
			s.WasAsked("ecole", "idee"), s.WasAsked("maison", "devoirs"))
	}
	got, out := m.Step(s, Event{Kind: EventText, Text: "bonjour"}, baseTime.Add(time.Minute))
	text := texts(out)
	for _, want := range []string{"2. Menu de la cantine en ligne : — passée", "3. Une idée : — passée"} {
		if !strings.Contains(text, want) {
			t.Errorf("review does not read %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "pas encore") || strings.Contains(text, "Répondre") {
		t.Errorf("review of a session stored before Asked offers questions as never asked:\n%s", text)
	}
	for _, k := range []string{"ecole/temps", "ecole/cantine", "ecole/idee"} {
		if !got.Asked[k] {
			t.Errorf("after its first step, %s is not recorded as asked: %v", k, got.Asked)
		}
	}
	if got.Asked["maison/devoirs"] {
		t.Errorf("a theme never started is recorded as asked: %v", got.Asked)
	}
}

// A session that records the questions asked tells a question shown and
// skipped (« passée ») from one never shown (« pas encore vue »).
func TestReviewTellsSkippedFromNotAsked(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	s := Session{
		Participant: "p", Lang: LangEN, Stage: StageReview, Theme: "ecole", Question: "temps", Prompt: 3,
		ConsentAt: baseTime, CreatedAt: baseTime, UpdatedAt: baseTime,
		Answers: map[string]Answer{"ecole/temps": {Theme: "ecole", Question: "temps", Text: "One hour.", CreatedAt: baseTime, UpdatedAt: baseTime}},
		Asked:   map[string]bool{"ecole/temps": true, "ecole/cantine": true},
	}
	_, out := m.Step(s, Event{Kind: EventText, Text: "hello"}, baseTime.Add(time.Minute))
	text := texts(out)
	for _, want := range []string{"2. Canteen menu online: — skipped", "3. An idea: — not seen yet", "Question 3 has not been put to you yet", "[Answer 3]"} {
		if !strings.Contains(text, want) {
			t.Errorf("review does not read %q:\n%s", want, text)
		}
	}
}

// texts joins what replies show, buttons as [label].
func texts(out []Reply) string {
	var b strings.Builder
	for _, r := range out {
		b.WriteString(r.Lead + "\n" + r.Title + "\n" + r.Text + "\n")
		for _, o := range r.Options {
			b.WriteString("[" + o.Label + "]\n")
		}
	}
	return b.String()
}
