package discord_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
	"consultbot/storage"
)

// typist is an educator who writes to the bot in direct messages, where
// people type plain text.
type typist struct {
	t    *testing.T
	h    *harness
	u    discordtest.User
	seen int // messages already looked at
	off  int // how far into the last message found expect has read
}

func (p *typist) say(text string) {
	p.t.Helper()
	if _, err := p.h.srv.DirectMessage(p.u, text); err != nil {
		p.t.Fatal(err)
	}
}

// expect waits for a new message containing want and returns it.
func (p *typist) expect(want string) discordtest.Message {
	p.t.Helper()
	var found discordtest.Message
	msgs, err := p.h.srv.WaitUser(p.u.ID, wait, func(msgs []discordtest.Message) bool {
		// Read on in the last message found first: an acknowledgement and
		// the next question travel together.
		if p.seen > 0 && p.off < len(msgs[p.seen-1].Content) {
			if j := strings.Index(msgs[p.seen-1].Content[p.off:], want); j >= 0 {
				found, p.off = msgs[p.seen-1], p.off+j+len(want)
				return true
			}
		}
		for i := p.seen; i < len(msgs); i++ {
			if j := strings.Index(msgs[i].Content, want); j >= 0 {
				found, p.seen, p.off = msgs[i], i+1, j+len(want)
				return true
			}
		}
		return false
	})
	if err != nil {
		p.t.Fatalf("no new message containing %q: %v; new messages:%s", want, err, dump(msgs[min(p.seen, len(msgs)):]))
	}
	return found
}

// An educator who never clicks a button: every prompt, from the consent
// to the erasure, is answered by typing in a direct message, through the
// real adapter and the fake gateway. Only what reads as an answer reaches
// the store.
func TestTypedWordsOnlyInDirectMessages(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("ines", "fr")
	p := &typist{t: t, h: h, u: u}
	who := pid(u)
	const q1 = "Thème 1 · Question 1/5"
	want := map[string]string{}

	// Each step is a subtest that goes on from where the last one left
	// the conversation; the educator reports to it while it runs.
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{{"onboarding", func(t *testing.T) {
		p.say("Bonjour")
		p.expect("Avant de commencer")
		p.say("oui")
		p.expect("Vous répondez en tant que")
		p.say("enseignant")
		p.expect("académie")
		p.say("passer")
		p.expect("Choisissez un thème")
		p.say("thème 1")
		p.expect(q1)
		s := typedSession(t, h.db, who)
		if s.ConsentAt.IsZero() || s.Profile != "enseignant" || s.Academie != "" || s.Theme != "acces" || s.Question != "equipement" {
			t.Errorf("after typing oui, enseignant, passer, thème 1: consent %v, profile %q, académie %q, at %s/%s; want consent given, enseignant, none, acces/equipement",
				s.ConsentAt, s.Profile, s.Academie, s.Theme, s.Question)
		}
	}}, {"help stores nothing", func(t *testing.T) {
		for _, text := range []string{"aide", "je comprends pas la question"} {
			p.say(text)
			help := p.expect("Aide · Équipement et accès gratuit")
			for _, part := range []string{"En d'autres mots", "Par exemple", "Question d'origine"} {
				if !strings.Contains(help.Content, part) {
					t.Errorf("%q: help lacks %q:\n%s", text, part, help.Content)
				}
			}
			checkTypedAnswers(t, h.db, who, want)
		}
	}}, {"greeting shows the question again", func(t *testing.T) {
		p.say("bonjour, je reviens")
		p.expect("Bonjour ! Voici où nous en étions.")
		p.expect(q1)
		checkTypedAnswers(t, h.db, who, want)
	}}, {"a bare yes is checked, then stored", func(t *testing.T) {
		p.say("oui")
		p.expect("Vous avez écrit « oui ». Est-ce votre réponse à la question « Équipement et accès gratuit » ?")
		checkTypedAnswers(t, h.db, who, want)
		p.say("oui")
		p.expect("Merci, c'est noté.")
		p.expect("Question 2/5")
		want["acces/equipement"] = "oui"
		checkTypedAnswers(t, h.db, who, want)
	}}, {"a real answer is stored at once", func(t *testing.T) {
		p.say("Bonjour, je pense qu'il faut plus d'ordinateurs au collège")
		p.expect("Question 3/5")
		want["acces/besoins"] = "Bonjour, je pense qu'il faut plus d'ordinateurs au collège"
		checkTypedAnswers(t, h.db, who, want)
	}}, {"continue later, then any message resumes", func(t *testing.T) {
		p.say("continuer plus tard")
		p.expect("Revenez quand vous voulez")
		if s := typedSession(t, h.db, who); s.Stage != flows.StagePaused {
			t.Errorf("stage after « continuer plus tard » = %q, want paused", s.Stage)
		}
		checkTypedAnswers(t, h.db, who, want)
		p.say("coucou")
		p.expect("Reprenons là où vous en étiez.")
		p.expect("Question 3/5")
		checkTypedAnswers(t, h.db, who, want)
	}}, {"erase: no keeps everything, yes erases everything", func(t *testing.T) {
		p.say("effacer mes données")
		p.expect("Effacer vos données ?")
		p.say("non")
		p.expect("Rien n'a été effacé.")
		p.expect("Question 3/5")
		checkTypedAnswers(t, h.db, who, want)
		p.say("effacer")
		p.expect("Effacer vos données ?")
		p.say("oui")
		p.expect("toutes vos données sont effacées")
		waitNothingLeft(t, h.db, bot.ChannelDiscord, who)
	}}}
	for _, st := range steps {
		passed := t.Run(st.name, func(t *testing.T) {
			p.t = t
			defer func() { p.t = h.t }()
			st.run(t)
		})
		if !passed {
			return
		}
	}
	if acks := h.srv.Acks(); len(acks) != 0 {
		t.Errorf("%d interactions acknowledged; the educator only typed", len(acks))
	}
	dm := h.srv.DM(u)
	for _, m := range h.srv.Messages(u.ID) {
		if m.ChannelID != dm.ChannelID || m.GuildID != "" {
			t.Errorf("message %q went to channel %s, want the DM %s", m.Content, m.ChannelID, dm.ChannelID)
		}
	}
	h.checkWire()
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
	var last []string
	defer func() {
		if len(last) > 0 {
			t.Logf("the store still holds %q", last)
		}
	}()
	eventually(t, "the store to hold nothing of the participant", func() bool { last = left(); return len(last) == 0 })
}
