package flows

import (
	"fmt"
	"strings"
	"testing"
)

// A sentence typed at the académie is kept and offered below the first
// question (« Est-ce votre réponse ? »). Whatever way the person says
// yes, that sentence is stored, and what says neither yes nor a new
// answer leaves it in question: it is never replaced by the reply.
func TestCheckKeepsTheTextInQuestion(t *testing.T) {
	m := NewMachine(nil, Config{})
	const sentence = "mes enfants n'ont pas d'ordinateur à la maison et c'est dur pour les devoirs"
	offered := func(t *testing.T) Session {
		t.Helper()
		s, _ := m.Step(Session{Participant: "p"}, Event{Kind: EventCommand, Command: CmdStart}, baseTime)
		for _, in := range []string{"1", "1", sentence, "Toulouse"} {
			s, _ = m.Step(s, Event{Kind: EventText, Text: in}, baseTime)
		}
		if p := s.Pending; p == nil || p.Kind != PendingCheck || p.Text != sentence {
			t.Fatalf("the kept sentence is not offered below the first question: pending %+v", s.Pending)
		}
		return s
	}
	first := m.Questionnaire().Themes[0]
	key := AnswerKey(first.ID, first.Questions[0].ID)
	for _, yes := range []string{"c'est bon", "c bon", "cest bon", "C'est bon pour moi", "ça me va", "nickel", "yes", "1", "Oui, c'est ma réponse"} {
		t.Run(yes, func(t *testing.T) {
			s, _ := m.Step(offered(t), Event{Kind: EventText, Text: yes}, baseTime)
			if got := s.Answers[key].Text; got != sentence {
				t.Errorf("%q stored %q, want the kept sentence", yes, got)
			}
		})
	}
	for _, neither := range []string{"bof", "attends", "3", "merci"} {
		t.Run(neither, func(t *testing.T) {
			s, _ := m.Step(offered(t), Event{Kind: EventText, Text: neither}, baseTime)
			if a, ok := s.Answers[key]; ok {
				t.Errorf("%q stored %q", neither, a.Text)
			}
			if p := s.Pending; p == nil || p.Kind != PendingCheck || p.Text != sentence {
				t.Errorf("%q: the kept sentence is no longer in question: pending %+v", neither, s.Pending)
			}
		})
	}
}

// Questions about how the consultation goes, typed at an open question,
// are answered and stored nowhere: the person's real answer, typed next,
// is the answer to the question they were asked, and a question about
// going back or changing theme does neither.
func TestProcessQuestionsKeepTheQuestion(t *testing.T) {
	m := NewMachine(nil, Config{})
	s, _ := m.Step(Session{Participant: "p"}, Event{Kind: EventCommand, Command: CmdStart}, baseTime)
	for _, in := range []string{"1", "1", "Lyon", "1", "Une première réponse sur l'équipement des élèves"} {
		s, _ = m.Step(s, Event{Kind: EventText, Text: in}, baseTime)
	}
	th := m.Questionnaire().Themes[0]
	second := AnswerKey(th.ID, th.Questions[1].ID)
	if s.Theme != th.ID || s.Question != th.Questions[1].ID {
		t.Fatalf("not at theme 1's second question: %s/%s", s.Theme, s.Question)
	}
	for _, q := range []string{
		"Est-ce que mes réponses seront lues par quelqu'un du ministère ?", "tu es chatgpt ?", "il y a un humain ?",
		"c'est vraiment anonyme ou pas ?", "combien de questions il reste ?", "je peux répondre plus tard ?",
		"comment on efface ?", "je veux effacer ma réponse", "est-ce que je peux changer ma réponse ?",
		"si j'efface, tout est perdu ?", "comment arrêter ?", "je peux arrêter quand je veux ?",
		"c'est possible de changer de profil ?", "je peux changer d'académie ?", "comment je change mon profil ?",
		"Je ne comprends pas bien ce que veut dire « à distance », vous pouvez m'expliquer ?",
		"on peut revenir en arrière ?", "je peux changer de thème ?",
	} {
		got, out := m.Step(s, Event{Kind: EventText, Text: q}, baseTime)
		if len(got.Answers) != len(s.Answers) || got.Stage != StageQuestion || got.Question != s.Question || got.Theme != s.Theme {
			t.Errorf("%q: stored or moved: %d answers, at %s %s/%s", q, len(got.Answers), got.Stage, got.Theme, got.Question)
		}
		if len(out) == 0 {
			t.Errorf("%q: no reply", q)
		}
		s = got
	}
	const answer = "Prévoir des cours à distance adaptés aux élèves en situation de handicap"
	s, _ = m.Step(s, Event{Kind: EventText, Text: answer}, baseTime)
	if got := s.Answers[second].Text; got != answer {
		t.Errorf("the real answer went elsewhere: question 2 holds %q", got)
	}
}

// « c'est tout » after a short text in question (« Est-ce votre réponse
// ? ») says « yes, that's my answer »: the text is stored, and the reply
// says so; it is never dropped unsaid by a pause.
func TestDoneAtTheCheckKeepsTheText(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	at := p["check"]
	key := AnswerKey(at.Theme, at.Question)
	msg := messagesFor(LangFR)
	for _, done := range []string{"c tout", "c'est tout", "C'est tout.", "cest tout", "j'ai fini", "voilà c'est tout", "ok c'est tout", "that's all", "I'm done"} {
		t.Run(done, func(t *testing.T) {
			got, out := checkStep(t, m, at, Event{Kind: EventText, Text: done}, baseTime)
			if a := got.Answers[key]; a.Text != at.Pending.Text {
				t.Fatalf("%q stored %q at the question, want the text in question %q (stage %s)", done, a.Text, at.Pending.Text, got.Stage)
			}
			if len(out) == 0 || !strings.Contains(out[0].Lead, msg.Saved) {
				t.Errorf("%q: the reply does not say it is stored: %+v", done, out)
			}
		})
	}
}

// « passer », « retour » or « plus tard » typed at « Est-ce votre réponse
// ? » go on as at the question, and the same message says the short text
// in question is not stored; so do the commands that leave it (/menu).
func TestWayOnAtTheCheckSaysTheTextIsNotKept(t *testing.T) {
	m := NewMachine(nil, Config{})
	at := corpusPrompts(t, m)["check"]
	for _, lang := range []string{LangFR, LangEN} {
		s := at
		s.Lang = lang
		want := fmt.Sprintf(messagesFor(lang).CheckDropped, s.Pending.Text)
		for _, in := range []string{"passer", "retour", "plus tard", "skip", "/menu", "/reprendre"} {
			t.Run(lang+" "+in, func(t *testing.T) {
				ev := Event{Kind: EventText, Text: in}
				if c, ok := ParseCommand(in); ok {
					ev = c
				}
				got, out := checkStep(t, m, s, ev, baseTime)
				if len(got.Answers) != len(s.Answers) {
					t.Fatalf("%q stored an answer", in)
				}
				if got.Pending != nil {
					t.Fatalf("%q left the text in question: %+v", in, got.Pending)
				}
				if len(out) == 0 || !strings.Contains(out[0].Lead+"\n"+out[0].Text, want) {
					t.Errorf("%q: the first message does not say %q: %+v", in, want, out)
				}
			})
		}
	}
}
