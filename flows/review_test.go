package flows

import (
	"fmt"
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
	if strings.Contains(text, "pas encore") {
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

// A sentence typed at the review waits for the question it goes with;
// « modifier 2 » (or « je reviens à la question 2 ») then opens answer 2
// with the sentence offered there: to replace the answer or complete it,
// or, with no answer yet, as its answer. Nothing typed is dropped unsaid.
func TestEditAtTheReviewOffersTheHeldSentence(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	now := baseTime.Add(time.Hour)
	held := p["review-held"]
	sentence := held.Pending.Text
	th := m.Questionnaire().Theme(held.Theme)
	second := AnswerKey(th.ID, th.Questions[1].ID)
	for _, typed := range []string{"modifier 2", "Modifier 2", "changer la réponse 2", "corriger 2"} {
		t.Run(typed, func(t *testing.T) {
			got, out := checkStep(t, m, held, Event{Kind: EventText, Text: typed}, now)
			if got.Stage != StageEdit || got.Question != th.Questions[1].ID {
				t.Fatalf("%q: stage %s at %s, want answer 2 opened", typed, got.Stage, got.Question)
			}
			if pd := got.Pending; pd == nil || pd.Kind != PendingRevise || pd.Text != sentence {
				t.Fatalf("%q: the sentence is not offered at answer 2: pending %+v", typed, got.Pending)
			}
			if !strings.Contains(texts(out), sentence) {
				t.Errorf("%q: the sentence is not shown:\n%s", typed, texts(out))
			}
			// « Compléter ma réponse »: after the answer, which stays whole.
			done, _ := checkStep(t, m, got, Event{Kind: EventText, Text: "compléter"}, now)
			if a := done.Answers[second].Text; !strings.HasPrefix(a, held.Answers[second].Text) || !strings.HasSuffix(a, sentence) {
				t.Errorf("%q then « compléter » stored %q", typed, a)
			}
		})
	}
	t.Run("unanswered", func(t *testing.T) {
		s := cloneSession(held)
		delete(s.Answers, second)
		got, _ := checkStep(t, m, s, Event{Kind: EventText, Text: "modifier 2"}, now)
		if pd := got.Pending; got.Stage != StageEdit || pd == nil || pd.Kind != PendingCheck || pd.Text != sentence {
			t.Fatalf("stage %s, pending %+v: want answer 2 opened with the sentence as its answer", got.Stage, got.Pending)
		}
		done, _ := checkStep(t, m, got, Event{Kind: EventText, Text: "oui"}, now)
		if a := done.Answers[second].Text; a != sentence {
			t.Errorf("« oui » stored %q", a)
		}
	})
	// « supprimer 2 » removes answer 2, and the sentence still waits.
	got, _ := checkStep(t, m, held, Event{Kind: EventText, Text: "supprimer 2"}, now)
	if _, ok := got.Answers[second]; ok {
		t.Error("« supprimer 2 » did not remove answer 2")
	}
	if pd := got.Pending; pd == nil || pd.Kind != PendingAdd || pd.Text != sentence {
		t.Errorf("after « supprimer 2 » the sentence is lost: pending %+v", got.Pending)
	}
}

// At a question that cannot take the sentence (a choice), « modifier N »
// opens it and gives the sentence back, to reuse.
func TestEditAChoiceGivesTheHeldSentenceBack(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	q := m.Questionnaire()
	for i, th := range q.Themes {
		for j, qu := range th.Questions {
			if !qu.IsChoice() {
				continue
			}
			s := Session{Participant: "p", Lang: LangFR, Stage: StageReview, Theme: th.ID, Question: th.Questions[0].ID, Prompt: 3,
				ConsentAt: baseTime, CreatedAt: baseTime, UpdatedAt: baseTime, Asked: map[string]bool{}}
			for _, o := range th.Questions {
				s.Asked[AnswerKey(th.ID, o.ID)] = true
			}
			const sentence = "les tablettes sont trop chères pour les familles"
			s.Pending = &Pending{Kind: PendingAdd, Prompt: 3, Text: sentence}
			got, out := checkStep(t, m, s, Event{Kind: EventText, Text: "modifier " + string(rune('1'+j))}, baseTime)
			if got.Stage != StageEdit || got.Question != qu.ID {
				t.Fatalf("theme %d: stage %s at %s, want question %d opened", i+1, got.Stage, got.Question, j+1)
			}
			if !strings.Contains(texts(out), sentence) {
				t.Errorf("the sentence is dropped unsaid:\n%s", texts(out))
			}
			return
		}
	}
	t.Skip("no choice question")
}

// At the review, asking for the menu in a sentence opens it, as its
// « Menu » button does; with a sentence waiting for its question, the
// menu opens too and the sentence is kept for the theme chosen next,
// which the reply says.
func TestMenuAskedAtTheReview(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	msg := messagesFor(LangFR)
	for _, typed := range []string{"je veux retourner au menu", "retour au menu", "back to the menu", "je voudrais revenir au menu",
		"je veux revenir au menu svp", "I want to go back to the menu", "on retourne au menu", "revenir au menu principal"} {
		t.Run(typed, func(t *testing.T) {
			got, _ := checkStep(t, m, p["review"], Event{Kind: EventText, Text: typed}, baseTime)
			if got.Stage != StageMenu {
				t.Errorf("at the review %q: stage %s, want the menu", typed, got.Stage)
			}
			held := p["review-held"]
			got, out := checkStep(t, m, held, Event{Kind: EventText, Text: typed}, baseTime)
			if got.Stage != StageMenu || got.Held != held.Pending.Text || !strings.Contains(texts(out), msg.MenuHeld) {
				t.Errorf("with a sentence waiting, %q: stage %s, held %q:\n%s", typed, got.Stage, got.Held, texts(out))
			}
		})
	}
	// /menu does the same.
	held := p["review-held"]
	got, _ := checkStep(t, m, held, Event{Kind: EventCommand, Command: CmdMenu}, baseTime)
	if got.Stage != StageMenu || got.Held != held.Pending.Text {
		t.Errorf("/menu with a sentence waiting: stage %s, held %q", got.Stage, got.Held)
	}
}

// At the menu, a yes of any kind (« ouais », « oui oui », « oui ») does
// what « ok » does: the first theme not validated.
func TestYesAtTheMenuStartsAsOK(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	ok, okOut := m.Step(p["menu"], Event{Kind: EventText, Text: "ok"}, baseTime)
	for _, yes := range []string{"ouais", "oui oui", "oui", "ouai", "Ouais !", "yes", "yeah", "ouais ouais"} {
		got, out := checkStep(t, m, p["menu"], Event{Kind: EventText, Text: yes}, baseTime)
		if got.Stage != ok.Stage || got.Theme != ok.Theme || got.Question != ok.Question || texts(out) != texts(okOut) {
			t.Errorf("%q at the menu: stage %s at %s/%s, want what « ok » does (%s at %s/%s)", yes, got.Stage, got.Theme, got.Question, ok.Stage, ok.Theme, ok.Question)
		}
	}
}

// A question opened from the review to answer it (« Répondre 3 », never
// put to the person) is titled as answering, not changing, and stays so
// when shown again; one with an answer is titled as changing.
func TestAnswerFromTheReviewIsTitledAnswer(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	for _, lang := range []string{LangFR, LangEN} {
		s := smallReview(lang)
		m3 := catalogFor(lang, false, "").Flow
		answer, change := strings.Split(m3.AnswerTitle, " ·")[0], strings.Split(m3.EditTitle, " ·")[0]
		got, out := checkStep(t, m, s, Event{Kind: EventText, Text: strings.Split(m3.AnswerButton, " ")[0] + " 3"}, baseTime)
		if got.Stage != StageEdit || got.Question != "idee" {
			t.Fatalf("%s: stage %s at %s, want question 3 opened", lang, got.Stage, got.Question)
		}
		if title := out[len(out)-1].Title; !strings.HasPrefix(title, answer+" · ") {
			t.Errorf("%s: question 3, never asked, titled %q, want %q…", lang, title, answer)
		}
		_, out = checkStep(t, m, got, Event{Kind: EventText, Text: "bonjour"}, baseTime)
		if title := out[len(out)-1].Title; !strings.HasPrefix(title, answer+" · ") {
			t.Errorf("%s: question 3 shown again titled %q, want %q…", lang, title, answer)
		}
		_, out = checkStep(t, m, s, Event{Kind: EventText, Text: "modifier 1"}, baseTime)
		if title := out[len(out)-1].Title; !strings.HasPrefix(title, change+" · ") {
			t.Errorf("%s: question 1, answered, titled %q, want %q…", lang, title, change)
		}
	}
}

// A sentence typed at the review and offered at an answer (« modifier
// 2 »): « Annuler » leaves the answer as it is and says what became of
// the sentence: still kept, asked again which question it goes with,
// where « Ne pas l'ajouter » drops it, saying so.
func TestCancelAtTheAnswerKeepsTheReviewSentence(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	now := baseTime.Add(time.Hour)
	for _, lang := range []string{LangFR, LangEN} {
		t.Run(lang, func(t *testing.T) {
			held := p["review-held"]
			held.Lang = lang
			msg := messagesFor(lang)
			sentence := held.Pending.Text
			th := m.Questionnaire().Theme(held.Theme)
			second := AnswerKey(th.ID, th.Questions[1].ID)
			at, _ := checkStep(t, m, held, Event{Kind: EventText, Text: "modifier 2"}, now)
			if pd := at.Pending; pd == nil || pd.Kind != PendingRevise {
				t.Fatalf("answer 2 not offered the sentence: pending %+v", at.Pending)
			}
			got, out := checkStep(t, m, at, Event{Kind: EventChoice, Token: token{prompt: at.Prompt, action: actRetype}.String()}, now)
			if got.Answers[second] != held.Answers[second] {
				t.Errorf("« Annuler » changed answer 2: %q", got.Answers[second].Text)
			}
			said := texts(out)
			if !strings.Contains(said, msg.AnswerKept) {
				t.Errorf("« Annuler » does not say the answer stays:\n%s", said)
			}
			if got.Stage != StageReview || got.Pending == nil || got.Pending.Kind != PendingAdd || got.Pending.Text != sentence {
				t.Fatalf("after « Annuler » the sentence is not kept at the review: stage %s, pending %+v", got.Stage, got.Pending)
			}
			if !strings.Contains(said, sentence) || !strings.Contains(said, msg.AddNo) {
				t.Errorf("« Annuler » does not say the sentence is still kept, and how to drop it:\n%s", said)
			}
			_, out = checkStep(t, m, got, Event{Kind: EventText, Text: msg.AddNo}, now)
			if !strings.Contains(texts(out), msg.AddDropped) {
				t.Errorf("dropping the sentence does not say so:\n%s", texts(out))
			}
		})
	}
}

// Offered at a question with no answer, the sentence typed at the review
// is dropped by « Non, je réécris », which says so plainly.
func TestRetypeAtTheAnswerDropsTheReviewSentenceSaid(t *testing.T) {
	m := NewMachine(nil, Config{})
	held := cloneSession(corpusPrompts(t, m)["review-held"])
	th := m.Questionnaire().Theme(held.Theme)
	delete(held.Answers, AnswerKey(th.ID, th.Questions[1].ID))
	at, _ := checkStep(t, m, held, Event{Kind: EventText, Text: "modifier 2"}, baseTime)
	if pd := at.Pending; pd == nil || pd.Kind != PendingCheck {
		t.Fatalf("answer 2 not offered the sentence: pending %+v", at.Pending)
	}
	got, out := checkStep(t, m, at, Event{Kind: EventText, Text: "non"}, baseTime)
	if got.Pending != nil || !strings.Contains(texts(out), messagesFor(LangFR).HeldDropped) {
		t.Errorf("« non » does not say the sentence is not kept (pending %+v):\n%s", got.Pending, texts(out))
	}
}

// At the review, a question with no answer, skipped or never asked, is
// offered as « Répondre N », as the question it opens is titled; one with
// an answer as « Modifier N ».
func TestReviewButtonsAgreeWithTheQuestionTitles(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	for _, lang := range []string{LangFR, LangEN} {
		s := smallReview(lang)
		msg := messagesFor(lang)
		shown, out := checkStep(t, m, s, Event{Kind: EventText, Text: "bonjour"}, baseTime)
		review := out[len(out)-1]
		for i, want := range []string{fmt.Sprintf(msg.EditButton, 1), fmt.Sprintf(msg.AnswerButton, 2), fmt.Sprintf(msg.AnswerButton, 3)} {
			if i >= len(review.Options) || review.Options[i].Label != want {
				t.Fatalf("%s: review buttons %+v, want button %d %q", lang, review.Options, i+1, want)
			}
			_, opened := checkStep(t, m, shown, Event{Kind: EventChoice, Token: review.Options[i].Token}, baseTime)
			verb := strings.Split(want, " ")[0]
			if title := opened[len(opened)-1].Title; !strings.HasPrefix(title, verb+" · ") {
				t.Errorf("%s: %q opens a question titled %q", lang, want, title)
			}
		}
	}
}

// /menu while the sentence typed at the review is offered at an answer
// keeps it for the theme chosen next, as /menu at the review does, and
// says so.
func TestMenuAtTheAnswerKeepsTheReviewSentence(t *testing.T) {
	m := NewMachine(nil, Config{})
	held := corpusPrompts(t, m)["review-held"]
	at, _ := checkStep(t, m, held, Event{Kind: EventText, Text: "modifier 2"}, baseTime)
	got, out := checkStep(t, m, at, Event{Kind: EventCommand, Command: CmdMenu}, baseTime)
	if got.Stage != StageMenu || got.Held != held.Pending.Text || !strings.Contains(texts(out), messagesFor(LangFR).MenuHeld) {
		t.Errorf("/menu: stage %s, held %q:\n%s", got.Stage, got.Held, texts(out))
	}
}

// smallReview is a session at the review of the small questionnaire's
// theme « ecole » in lang: question 1 answered, question 2 asked and
// skipped, question 3 never asked.
func smallReview(lang string) Session {
	return Session{
		Participant: "p", Lang: lang, Stage: StageReview, Theme: "ecole", Question: "temps", Prompt: 3,
		ConsentAt: baseTime, CreatedAt: baseTime, UpdatedAt: baseTime,
		Answers: map[string]Answer{"ecole/temps": {Theme: "ecole", Question: "temps", Text: "Une heure.", CreatedAt: baseTime, UpdatedAt: baseTime}},
		Asked:   map[string]bool{"ecole/temps": true, "ecole/cantine": true},
	}
}
