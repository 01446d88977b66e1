package flows

import "testing"

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
