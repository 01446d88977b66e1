package flows

import (
	"fmt"
	"strings"
	"testing"
)

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
		said := texts(r)
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
	if want := fmt.Sprintf(fr.AboutLeftAll, fmt.Sprintf("%d questions", total), total, len(m.Questionnaire().Themes)); !strings.Contains(texts(r), want) {
		t.Errorf("at the menu: said %q, want %q", texts(r), want)
	}
	// The last question of a theme: one left there.
	last := prompts["question"]
	th := m.Questionnaire().Theme(last.Theme)
	for range th.Questions[:len(th.Questions)-1] {
		last, _ = m.Step(last, Event{Kind: EventText, Text: "Une réponse assez longue pour être une vraie réponse."}, baseTime)
	}
	_, r = m.Step(last, Event{Kind: EventText, Text: "combien il reste de questions ?"}, baseTime)
	if want := fmt.Sprintf(fr.AboutLeftTheme, "1 question", fmt.Sprintf("%d questions", total-len(th.Questions)+1), total); !strings.Contains(texts(r), want) {
		t.Errorf("at a theme's last question: said %q, want %q", texts(r), want)
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
			t.Errorf("%q: profile %q at %s, said %q; want parent, then the académie", text, got.Profile, got.Stage, texts(r))
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
			t.Errorf("%q: at %s %s with %d answers, said %q; want a pause at the same question, the answers kept", text, got.Stage, got.Question, len(got.Answers), texts(r))
		}
		if !strings.Contains(texts(r), messagesFor(LangFR).Pause) && !strings.Contains(texts(r), "enregistrées") {
			t.Errorf("%q: said %q; want the pause said", text, texts(r))
		}
	}
}

// tapLabel taps the button labelled label in replies r.
func tapLabel(t *testing.T, m *Machine, s Session, r []Reply, label string) (Session, []Reply) {
	t.Helper()
	for i := len(r) - 1; i >= 0; i-- {
		for _, o := range r[i].Options {
			if o.Label == label {
				return m.Step(s, Event{Kind: EventChoice, Token: o.Token}, baseTime)
			}
		}
	}
	t.Fatalf("no button %q in %q", label, texts(r))
	return s, nil
}

// TestRemovePreviousAnswerAsksFirst checks that « efface ma dernière
// réponse » at a question asks to remove the answer before, storing
// nothing; yes removes it, no keeps it, and the question stays.
func TestRemovePreviousAnswerAsksFirst(t *testing.T) {
	m := NewMachine(nil, Config{})
	s := corpusPrompts(t, m)["question2"]
	fr := messagesFor(LangFR)
	for _, text := range []string{"efface ma derniere reponse", "supprime ma réponse précédente", "delete my last answer"} {
		asked, r := m.Step(s, Event{Kind: EventText, Text: text}, baseTime)
		if len(asked.Answers) != 1 || asked.Question != s.Question || !strings.Contains(texts(r), "Un seul ordinateur pour toute la famille.") {
			t.Fatalf("%q: %d answers at %s, said %q; want the answer before quoted, nothing stored", text, len(asked.Answers), asked.Question, texts(r))
		}
		yes, r2 := tapLabel(t, m, asked, r, fr.RemovePrevYes)
		if len(yes.Answers) != 0 || yes.Question != s.Question || !strings.Contains(texts(r2), fr.Removed) {
			t.Errorf("%q, yes: %d answers at %s, said %q; want it removed and the same question", text, len(yes.Answers), yes.Question, texts(r2))
		}
		no, r3 := m.Step(asked, Event{Kind: EventText, Text: "non"}, baseTime)
		if len(no.Answers) != 1 || no.Question != s.Question || !strings.Contains(texts(r3), fr.AnswerKept) {
			t.Errorf("%q, non: %d answers at %s, said %q; want it kept", text, len(no.Answers), no.Question, texts(r3))
		}
	}
}

// TestAppendToAnswer checks « Compléter ma réponse » at an answered
// question: the next text is added after the answer, not in its place;
// and that « je voudrais changer ma réponse d'avant » goes back there.
func TestAppendToAnswer(t *testing.T) {
	m := NewMachine(nil, Config{})
	s := corpusPrompts(t, m)["question2"]
	fr := messagesFor(LangFR)
	back, r := m.Step(s, Event{Kind: EventText, Text: "je voudrais changer ma réponse d'avant"}, baseTime)
	if back.Question != "equipement" || len(back.Answers) != 1 {
		t.Fatalf("« je voudrais changer ma réponse d'avant »: at %s, %d answers; want question 1, nothing stored", back.Question, len(back.Answers))
	}
	for _, how := range []string{"tap", "compléter"} {
		var ask Session
		var r2 []Reply
		if how == "tap" {
			ask, r2 = tapLabel(t, m, back, r, fr.Append)
		} else {
			ask, r2 = m.Step(back, Event{Kind: EventText, Text: how}, baseTime)
		}
		if ask.Pending == nil || ask.Pending.Kind != PendingAppend || !strings.Contains(texts(r2), fr.AppendAsk) {
			t.Fatalf("%s: pending %+v, said %q; want the text to add asked", how, ask.Pending, texts(r2))
		}
		done, r3 := m.Step(ask, Event{Kind: EventText, Text: "Et pas de connexion le week-end."}, baseTime)
		want := "Un seul ordinateur pour toute la famille.\nEt pas de connexion le week-end."
		if got := done.Answers[AnswerKey("acces", "equipement")].Text; got != want || !strings.Contains(texts(r3), fr.Appended) {
			t.Errorf("%s: answer %q, said %q; want %q", how, got, texts(r3), want)
		}
	}
}

// TestRevisitQuestionWithText checks « Je reviens sur la question 1 : en
// fait on a deux ordis »: question 1 with the text offered to replace or
// complete its answer, nothing stored at the question left, and back
// there once done.
func TestRevisitQuestionWithText(t *testing.T) {
	m := NewMachine(nil, Config{})
	s := corpusPrompts(t, m)["question2"]
	fr := messagesFor(LangFR)
	at, r := m.Step(s, Event{Kind: EventText, Text: "Je reviens sur la question 1 : en fait on a deux ordis"}, baseTime)
	if at.Question != "equipement" || len(at.Answers) != 1 || at.Pending == nil || at.Pending.Kind != PendingRevise {
		t.Fatalf("at %s, %d answers, pending %+v; want question 1, the text in question", at.Question, len(at.Answers), at.Pending)
	}
	replaced, _ := tapLabel(t, m, at, r, fr.Replace)
	if got := replaced.Answers[AnswerKey("acces", "equipement")].Text; got != "en fait on a deux ordis" || replaced.Question != s.Question || replaced.Stage != StageQuestion {
		t.Errorf("Remplacer: answer %q, at %s %s; want the text, back at question 2", got, replaced.Stage, replaced.Question)
	}
	added, _ := tapLabel(t, m, at, r, fr.Append)
	if got := added.Answers[AnswerKey("acces", "equipement")].Text; got != "Un seul ordinateur pour toute la famille.\nen fait on a deux ordis" || added.Question != s.Question {
		t.Errorf("Compléter: answer %q, at %s; want both, back at question 2", got, added.Question)
	}
	kept, _ := tapLabel(t, m, at, r, fr.Cancel)
	if got := kept.Answers[AnswerKey("acces", "equipement")].Text; got != "Un seul ordinateur pour toute la famille." || len(kept.Answers) != 1 {
		t.Errorf("Annuler: answer %q; want it as it was", got)
	}
}

// TestLastThemeAtTheMenu checks that « le dernier thème » at the menu
// opens the last theme.
func TestLastThemeAtTheMenu(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	last := m.Questionnaire().Themes[len(m.Questionnaire().Themes)-1].ID
	for _, text := range []string{"le dernier", "le dernier thème", "the last one"} {
		if got, _ := m.Step(prompts["menu"], Event{Kind: EventText, Text: text}, baseTime); got.Stage != StageQuestion || got.Theme != last {
			t.Errorf("%q: at %s %s; want the last theme", text, got.Stage, got.Theme)
		}
	}
}

// TestOfferedTextTakenByItsWords: text written for a question not
// answered yet (« je reviens sur la question 3 : … ») is offered there;
// « remplacer » or « ajouter », the words of the offer for an answered
// question, take it, rather than being stored as the answer; « non »
// drops it, saying so.
func TestOfferedTextTakenByItsWords(t *testing.T) {
	m := NewMachine(nil, Config{})
	s := corpusPrompts(t, m)["question2"]
	fr := messagesFor(LangFR)
	at, _ := m.Step(s, Event{Kind: EventText, Text: "je reviens sur la question 3 : on a la fibre"}, baseTime)
	if at.Pending == nil || at.Pending.Kind != PendingCheck {
		t.Fatalf("pending %+v; want the text offered at question 3", at.Pending)
	}
	q3 := m.Questionnaire().Themes[0].Questions[2].ID
	for _, word := range []string{"remplacer", "ajouter", "Remplacer !", "add it"} {
		got, _ := m.Step(at, Event{Kind: EventText, Text: word}, baseTime)
		if a := got.Answers[AnswerKey("acces", q3)].Text; a != "on a la fibre" {
			t.Errorf("%q: question 3's answer %q; want the text offered", word, a)
		}
	}
	got, replies := m.Step(at, Event{Kind: EventText, Text: "non"}, baseTime)
	if _, ok := got.Answers[AnswerKey("acces", q3)]; ok || !strings.Contains(texts(replies), fr.HeldDropped) {
		t.Errorf("non: answers %v, replies %q; want nothing stored and the text said dropped", got.Answers, texts(replies))
	}
}
