package telegram_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// A parent who never taps a button: every prompt, from the consent to the
// erasure, is answered by typing, through the real adapter and the fake
// Bot API. Only what reads as an answer reaches the store.
func TestTypedWordsOnlyFromConsentToErasure(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)
	who := pid(42)
	const q1 = "Thème 1 · Question 1/5"
	want := map[string]string{}

	// Each step is a subtest that goes on from where the last one left
	// the conversation; the parent reports to it while it runs.
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{{"onboarding", func(t *testing.T) {
		p.say("/start")
		p.expect("Avant de commencer")
		p.say("oui")
		p.expect("Vous répondez en tant que")
		p.say("Parent")
		p.expect("académie")
		p.say("passer")
		p.expect("Choisissez un thème")
		p.say("thème 1")
		p.expect(q1)
		s := typedSession(t, a.db, who)
		if s.ConsentAt.IsZero() || s.Profile != "parent" || s.Academie != "" || s.Theme != "acces" || s.Question != "equipement" {
			t.Errorf("after typing oui, Parent, passer, thème 1: consent %v, profile %q, académie %q, at %s/%s; want consent given, parent, none, acces/equipement",
				s.ConsentAt, s.Profile, s.Academie, s.Theme, s.Question)
		}
	}}, {"help stores nothing", func(t *testing.T) {
		for _, text := range []string{"aide", "je comprends pas la question"} {
			p.say(text)
			help := p.expect("Aide · Équipement et accès gratuit")
			for _, part := range []string{"En d'autres mots", "Par exemple", "Question d'origine"} {
				if !strings.Contains(help.Text, part) {
					t.Errorf("%q: help lacks %q:\n%s", text, part, help.Text)
				}
			}
			checkTypedAnswers(t, a.db, who, want)
		}
	}}, {"greeting shows the question again", func(t *testing.T) {
		p.say("bonjour, je reviens")
		p.expect("Bonjour ! Voici où nous en étions.")
		p.expect(q1)
		checkTypedAnswers(t, a.db, who, want)
	}}, {"a bare yes is checked, then stored", func(t *testing.T) {
		p.say("oui")
		p.expect("Vous avez écrit « oui ». Est-ce votre réponse à la question « Équipement et accès gratuit » ?")
		checkTypedAnswers(t, a.db, who, want)
		p.say("oui")
		p.expect("Merci, c'est noté.")
		p.expect("Question 2/5")
		want["acces/equipement"] = "oui"
		checkTypedAnswers(t, a.db, who, want)
	}}, {"a real answer is stored at once", func(t *testing.T) {
		p.say("Bonjour, je pense qu'il faut plus d'ordinateurs au collège")
		p.expect("Question 3/5")
		want["acces/besoins"] = "Bonjour, je pense qu'il faut plus d'ordinateurs au collège"
		checkTypedAnswers(t, a.db, who, want)
	}}, {"continue later, then any message resumes", func(t *testing.T) {
		p.say("continuer plus tard")
		p.expect("Revenez quand vous voulez")
		if s := typedSession(t, a.db, who); s.Stage != flows.StagePaused {
			t.Errorf("stage after « continuer plus tard » = %q, want paused", s.Stage)
		}
		checkTypedAnswers(t, a.db, who, want)
		p.say("coucou")
		p.expect("Reprenons là où vous en étiez.")
		p.expect("Question 3/5")
		checkTypedAnswers(t, a.db, who, want)
	}}, {"erase: no keeps everything, yes erases everything", func(t *testing.T) {
		p.say("effacer mes données")
		p.expect("Effacer vos données ?")
		p.say("non")
		p.expect("Rien n'a été effacé.")
		p.expect("Question 3/5")
		checkTypedAnswers(t, a.db, who, want)
		p.say("effacer")
		p.expect("Effacer vos données ?")
		p.say("oui")
		p.expect("toutes vos données sont effacées")
		waitNothingLeft(t, a.db, bot.ChannelTelegram, who)
	}}}
	for _, st := range steps {
		passed := t.Run(st.name, func(t *testing.T) {
			p.t = t
			defer func() { p.t = a.t }()
			st.run(t)
		})
		if !passed {
			return
		}
	}
	if n := fake.Requests("answerCallbackQuery"); n != 0 {
		t.Errorf("%d callbacks answered; the parent only typed", n)
	}
}

// typedSession reads who's session, which must exist.
func typedSession(t *testing.T, db *storage.DB, who string) flows.Session {
	t.Helper()
	s, ok, err := db.Session(who)
	if err != nil || !ok {
		t.Fatalf("session: found %v, %v", ok, err)
	}
	return s
}

// checkTypedAnswers compares who's stored answers, in the answers the
// organisers read and in the session, with want (theme/question → text).
func checkTypedAnswers(t *testing.T, db *storage.DB, who string, want map[string]string) {
	t.Helper()
	list, err := db.AnswersByParticipant(who)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, an := range list {
		got[an.Theme+"/"+an.Question] = an.Text
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored answers = %q, want %q", got, want)
	}
	inSession := map[string]string{}
	for k, an := range typedSession(t, db, who).Answers {
		inSession[k] = an.Text
	}
	if fmt.Sprint(inSession) != fmt.Sprint(want) {
		t.Errorf("session answers = %q, want %q", inSession, want)
	}
}

// waitNothingLeft waits until the store holds nothing of who: no session,
// no answer, and no reply left in the outbox once the last one is sent.
func waitNothingLeft(t *testing.T, db *storage.DB, channel, who string) {
	t.Helper()
	left := func() []string {
		var out []string
		if _, ok, err := db.Session(who); err != nil || ok {
			out = append(out, fmt.Sprintf("session (%v)", err))
		}
		ctx := context.Background()
		err := db.ForEachAnswer(ctx, func(an storage.Answer) error {
			if an.Participant == who {
				out = append(out, "answer "+an.Theme+"/"+an.Question)
			}
			return nil
		})
		if err != nil {
			out = append(out, err.Error())
		}
		pending, err := db.Pending(ctx, channel, 0)
		if err != nil {
			out = append(out, err.Error())
		}
		for _, o := range pending {
			if o.Participant == who {
				out = append(out, "outbox reply "+o.Reply.Text)
			}
		}
		return out
	}
	if err := eventually(waitCtx(t), func() bool { return len(left()) == 0 }); err != nil {
		t.Errorf("after erasure the store still holds %q", left())
	}
}
