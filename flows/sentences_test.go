package flows

import (
	"fmt"
	"strings"
	"testing"
)

// replyText joins what replies say, leads included.
func replyText(r []Reply) string {
	var b strings.Builder
	for _, x := range r {
		b.WriteString(x.Lead + "\n" + x.Text + "\n")
		for _, o := range x.Options {
			b.WriteString("(" + o.Label + ")\n")
		}
	}
	return b.String()
}

// TestHowManyLeft checks that « combien il reste de questions ? » says how
// many are left in the theme in progress and in all, rather than the
// total, then shows the question again; nothing is stored.
func TestHowManyLeft(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	s, _ := m.Step(prompts["question"], Event{Kind: EventText, Text: "Un seul ordinateur pour toute la famille."}, baseTime)
	total := m.Questionnaire().QuestionCount()
	fr, en := messagesFor(LangFR), messagesFor(LangEN)
	for _, c := range []struct{ lang, text, want string }{
		{LangFR, "combien il reste de questions ?", fmt.Sprintf(fr.AboutLeftTheme, "4 questions", fmt.Sprintf("%d questions", total-1), total)},
		{LangFR, "c'est encore long ?", fmt.Sprintf(fr.AboutLeftTheme, "4 questions", fmt.Sprintf("%d questions", total-1), total)},
		{LangEN, "how many questions left?", fmt.Sprintf(en.AboutLeftTheme, "4 questions", fmt.Sprintf("%d questions", total-1), total)},
	} {
		at := s
		at.Lang = c.lang
		got, r := m.Step(at, Event{Kind: EventText, Text: c.text}, baseTime)
		said := replyText(r)
		if !strings.Contains(said, c.want) {
			t.Errorf("%q: said %q, want %q", c.text, said, c.want)
		}
		if len(got.Answers) != len(s.Answers) || got.Stage != StageQuestion || got.Question != s.Question {
			t.Errorf("%q: at %s %s with %d answers; want the same question, nothing stored", c.text, got.Stage, got.Question, len(got.Answers))
		}
		if q := m.Questionnaire().Question(s.Theme, s.Question); !strings.Contains(said, q.Prompt.In(c.lang)) {
			t.Errorf("%q: the question is not shown again: %q", c.text, said)
		}
	}
	// At the menu, the count in all.
	_, r := m.Step(prompts["menu"], Event{Kind: EventText, Text: "il reste combien de questions ?"}, baseTime)
	if want := fmt.Sprintf(fr.AboutLeftAll, fmt.Sprintf("%d questions", total), total, len(m.Questionnaire().Themes)); !strings.Contains(replyText(r), want) {
		t.Errorf("at the menu: said %q, want %q", replyText(r), want)
	}
	// The last question of a theme: one left there.
	last := prompts["question"]
	th := m.Questionnaire().Theme(last.Theme)
	for range th.Questions[:len(th.Questions)-1] {
		last, _ = m.Step(last, Event{Kind: EventText, Text: "Une réponse assez longue pour être une vraie réponse."}, baseTime)
	}
	_, r = m.Step(last, Event{Kind: EventText, Text: "combien il reste de questions ?"}, baseTime)
	if want := fmt.Sprintf(fr.AboutLeftTheme, "1 question", fmt.Sprintf("%d questions", total-len(th.Questions)+1), total); !strings.Contains(replyText(r), want) {
		t.Errorf("at a theme's last question: said %q, want %q", replyText(r), want)
	}
}

// TestLongSelfDescriptionGivesProfile checks that a self-description
// longer than a few words still gives the profile at the profile prompt,
// and that « l'autre » (the other child) names no profile « Autre ».
func TestLongSelfDescriptionGivesProfile(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	for _, text := range []string{
		"je suis la maman de 2 enfants un en cm1 et lautre au college",
		"Je suis la maman de 2 enfants, un en CM1 et l'autre au collège",
		"I'm the mum of two kids, one in primary school and the other in secondary",
	} {
		got, r := m.Step(prompts["profile"], Event{Kind: EventText, Text: text}, baseTime)
		if got.Profile != "parent" || got.Stage != StageAcademie {
			t.Errorf("%q: profile %q at %s, said %q; want parent, then the académie", text, got.Profile, got.Stage, replyText(r))
		}
	}
}

// TestGoodbyeAfterThanksPauses checks that a goodbye after thanks at an
// open question (« ok merci, au revoir », « merci bonne soirée ») pauses,
// the answers kept, rather than being stored as the answer.
func TestGoodbyeAfterThanksPauses(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	s, _ := m.Step(prompts["question"], Event{Kind: EventText, Text: "Un seul ordinateur pour toute la famille."}, baseTime)
	for _, text := range []string{"ok merci, au revoir", "merci bonne soirée", "ok bye", "thanks, have a nice evening"} {
		got, r := m.Step(s, Event{Kind: EventText, Text: text}, baseTime)
		if got.Stage != StagePaused || got.Question != s.Question || len(got.Answers) != len(s.Answers) {
			t.Errorf("%q: at %s %s with %d answers, said %q; want a pause at the same question, the answers kept", text, got.Stage, got.Question, len(got.Answers), replyText(r))
		}
		if !strings.Contains(replyText(r), messagesFor(LangFR).Pause) && !strings.Contains(replyText(r), "enregistrées") {
			t.Errorf("%q: said %q; want the pause said", text, replyText(r))
		}
	}
}
