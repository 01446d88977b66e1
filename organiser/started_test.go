package organiser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

// converse steps a real conversation through storage.Apply, as the
// engine does, and keeps the last replies to tap their buttons.
type converse struct {
	t           *testing.T
	db          *storage.DB
	m           *flows.Machine
	participant string
	later       bool
	at          time.Time
	last        []flows.Reply
}

func (c *converse) send(ev flows.Event) {
	c.t.Helper()
	ev.Later = c.later
	eventSeq++
	c.at = c.at.Add(time.Minute)
	in := bot.Inbound{ID: fmt.Sprintf("ev-%d", eventSeq), Channel: bot.ChannelTelegram, Participant: c.participant, Address: "chat", Event: ev}
	_, err := c.db.Apply(context.Background(), in, c.at, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Participant = c.participant
		next, out := c.m.Step(s, ev, c.at)
		c.last = out
		return next, out
	})
	if err != nil {
		c.t.Fatal(err)
	}
}

func (c *converse) say(text string) { c.send(flows.Event{Kind: flows.EventText, Text: text}) }

// tap taps the first button of the last replies whose label starts
// with label.
func (c *converse) tap(label string) {
	c.t.Helper()
	for _, r := range c.last {
		for _, o := range r.Options {
			if strings.HasPrefix(o.Label, label) {
				c.send(flows.Event{Kind: flows.EventChoice, Token: o.Token})
				return
			}
		}
	}
	c.t.Fatalf("no button %q in %+v", label, c.last)
}

// answerFirstTheme joins as a parent, chooses the first theme and
// answers each of its questions: its review in short then sits above
// theme 2's first question.
func (c *converse) answerFirstTheme(q *flows.Questionnaire) {
	c.t.Helper()
	c.chooseFirstTheme(q)
	for range q.Themes[0].Questions {
		r := c.last[len(c.last)-1]
		if r.Expect == flows.ExpectText {
			c.say("Une réponse assez longue pour ne pas être vérifiée.")
			continue
		}
		c.tap(r.Options[0].Label)
	}
}

// validateFirstTheme answers the first theme, goes back to its full
// review from below its recap and validates it there.
func (c *converse) validateFirstTheme(q *flows.Questionnaire) {
	c.t.Helper()
	c.answerFirstTheme(q)
	c.tap("Modifier mes réponses au thème 1")
	c.tap("Valider")
}

// A parent who validates theme 1 with « Valider » is shown theme 2's first question
// straight away; leaving there is not starting theme 2, nor dropping out
// of it: /stats, /synthese and the periodic digest (one computation)
// count theme 1 only.
func TestValidatingAThemeAndLeavingStartsNoOther(t *testing.T) {
	db := openDB(t, "")
	q := flows.DefaultQuestionnaire()
	c := &converse{t: t, db: db, m: flows.NewMachine(q, flows.Config{}), participant: "telegram:parent", at: t0}
	c.validateFirstTheme(q)
	shown := c.last[len(c.last)-1]
	if !strings.Contains(shown.Title+shown.Text, q.Themes[1].Questions[0].Prompt.In("fr")) {
		t.Fatalf("after Valider, want theme 2's first question, got %+v", c.last)
	}

	s := New(db, q, Options{Now: func() time.Time { return c.at.Add(time.Hour) }})
	wantStats(t, s, "validated and left",
		fmt.Sprintf("1. %s : %d réponses", q.Themes[0].Title.In("fr"), len(q.Themes[0].Questions)),
		"Commencé par 1 participant, terminé par 1",
		fmt.Sprintf("2. %s : 0 réponse. Personne ne l'a commencé.", q.Themes[1].Title.In("fr")))
	res := synthese(t, s)
	for _, th := range res.Digest.Themes[1:] {
		if th.Started != 0 || th.DropOff != nil {
			t.Errorf("/synthese: theme %q started by %d, drop-off %+v; want not started", th.Title, th.Started, th.DropOff)
		}
	}
	if text := strings.Join(digest.RenderTelegram(*res.Digest), "\n"); strings.Contains(text, "abandon") {
		t.Errorf("/synthese tells of a drop-off:\n%s", text)
	}

	// Words that leave the person at theme 2's first question (a word
	// not taken for an answer yet, help, a question about the bot) do
	// not start it either; skipping the question does, and leaving then
	// is dropping out at its second question.
	for _, typed := range []string{"ok", "aide", "c'est anonyme ?"} {
		c.say(typed)
		res = synthese(t, s)
		if th := res.Digest.Themes[1]; th.Started != 0 || th.DropOff != nil {
			t.Errorf("after %q at theme 2's first question: started by %d, drop-off %+v; want not started", typed, th.Started, th.DropOff)
		}
	}
	c.say("passer")
	res = synthese(t, s)
	if th := res.Digest.Themes[1]; th.Started != 1 || th.InProgress != 1 || th.DropOff != nil {
		t.Errorf("an hour after skipping theme 2's first question: started by %d, in progress for %d, drop-off %+v; want 1, 1, none", th.Started, th.InProgress, th.DropOff)
	}
	if text := strings.Join(digest.RenderTelegram(*res.Digest), "\n"); strings.Contains(text, "abandon") || !strings.Contains(text, "en cours pour 1 participant") {
		t.Errorf("an hour after, the digest does not say theme 2 is in progress:\n%s", text)
	}
	res = synthese(t, weekLater(db, q, c))
	if th := res.Digest.Themes[1]; th.Started != 1 || th.InProgress != 0 || th.DropOff == nil || th.DropOff.Question != q.Themes[1].Questions[1].ID {
		t.Errorf("a week after skipping theme 2's first question: started by %d, in progress for %d, drop-off %+v; want 1, 0, at its second question", th.Started, th.InProgress, th.DropOff)
	}
}

// weekLater is the organisers' service a week and a day after c's last
// message: what c left unfinished is abandoned by then (digest.Idle).
func weekLater(db *storage.DB, q *flows.Questionnaire, c *converse) *Service {
	return New(db, q, Options{Now: func() time.Time { return c.at.Add(digest.Idle + 24*time.Hour) }})
}

// A parent who validates theme 1 by typing « c'est bon » or « valider »
// below its recap stays at theme 2's first question: theme 2 is not
// started, nor dropped out of, until they answer or skip something in
// it.
func TestValidatingBelowTheRecapStartsNoOther(t *testing.T) {
	for _, typed := range []string{"valider", "c'est bon"} {
		db := openDB(t, "")
		q := flows.DefaultQuestionnaire()
		c := &converse{t: t, db: db, m: flows.NewMachine(q, flows.Config{}), participant: "telegram:parent", at: t0}
		c.answerFirstTheme(q)
		c.say(typed)
		s := New(db, q, Options{Now: func() time.Time { return c.at.Add(time.Hour) }})
		res := synthese(t, s)
		if th := res.Digest.Themes[0]; th.Confirmed != 1 {
			t.Errorf("%q below theme 1's recap: theme 1 completed by %d; want 1", typed, th.Confirmed)
		}
		if th := res.Digest.Themes[1]; th.Started != 0 || th.DropOff != nil {
			t.Errorf("%q below theme 1's recap: theme 2 started by %d, drop-off %+v; want not started", typed, th.Started, th.DropOff)
		}
	}
}

// Stopping below theme 1's review leaves it complete but not validated,
// and theme 2 not started; answering theme 2's first question there
// validates theme 1, as « Valider » does, for every figure, and starts
// theme 2.
func TestAnsweringBelowTheReviewValidatesTheTheme(t *testing.T) {
	db := openDB(t, "")
	q := flows.DefaultQuestionnaire()
	c := &converse{t: t, db: db, m: flows.NewMachine(q, flows.Config{}), participant: "telegram:parent", at: t0}
	c.answerFirstTheme(q)
	if r := c.last[len(c.last)-1]; r.Recap == nil || !strings.Contains(r.Text, q.Themes[1].Questions[0].Prompt.In("fr")) {
		t.Fatalf("after theme 1's last answer, want its review above theme 2's first question, got %+v", c.last)
	}
	s := New(db, q, Options{Now: func() time.Time { return c.at.Add(time.Hour) }})
	wantStats(t, s, "stopped below the review",
		"Commencé par 1 participant, terminé par 0",
		fmt.Sprintf("2. %s : 0 réponse. Personne ne l'a commencé.", q.Themes[1].Title.In("fr")))

	c.say("Une réponse au thème 2, assez longue pour être gardée.")
	wantStats(t, s, "after answering below the review",
		"Commencé par 1 participant, terminé par 1",
		fmt.Sprintf("2. %s : 1 réponse", q.Themes[1].Title.In("fr")))
	res := synthese(t, weekLater(db, q, c))
	if th := res.Digest.Themes[0]; th.Confirmed != 1 {
		t.Errorf("/synthese: theme 1 validated by %d, want 1", th.Confirmed)
	}
	if th := res.Digest.Themes[1]; th.Started != 1 || th.DropOff == nil || th.DropOff.Question != q.Themes[1].Questions[1].ID {
		t.Errorf("/synthese: theme 2 started by %d, drop-off %+v; want 1, at its second question", th.Started, th.DropOff)
	}
}

// wantStats checks that /stats, at the moment when, shows each of wants.
func wantStats(t *testing.T, s *Service, when string, wants ...string) {
	t.Helper()
	stats := execute(t, s, "/stats").Text
	for _, want := range wants {
		if !strings.Contains(stats, want) {
			t.Errorf("%s: /stats lacks %q:\n%s", when, want, stats)
		}
	}
}

// synthese runs /synthese, which must give a digest.
func synthese(t *testing.T, s *Service) Result {
	t.Helper()
	res := execute(t, s, "/synthese")
	if res.Digest == nil {
		t.Fatalf("/synthese gave no digest: %+v", res)
	}
	return res
}

// chooseFirstTheme joins as a parent, with no académie, and chooses the
// first theme.
func (c *converse) chooseFirstTheme(q *flows.Questionnaire) {
	c.t.Helper()
	c.say("/start")
	c.tap("J'accepte")
	c.tap("Parent")
	c.tap("Passer")
	c.tap("1. " + q.Themes[0].Title.In("fr"))
}

// skipFirstTheme joins as a parent, chooses the first theme and skips
// its first n questions (all of them when n is their number).
func (c *converse) skipFirstTheme(q *flows.Questionnaire, n int) {
	c.t.Helper()
	c.chooseFirstTheme(q)
	for range n {
		c.tap("Passer")
	}
}

// A parent who skips every question of a theme has seen it, not
// abandoned it at its first question: /stats and the digest count the
// theme as gone through without an answer, with no drop-off, whether
// they stop below its recap or go on (which validates it). Someone who
// skips two questions and leaves is counted as leaving at the third.
func TestSkippingEveryQuestionIsNoDropOff(t *testing.T) {
	db := openDB(t, "")
	q := flows.DefaultQuestionnaire()
	m := flows.NewMachine(q, flows.Config{})
	first := q.Themes[0]
	a := &converse{t: t, db: db, m: m, participant: "telegram:skipper", at: t0}
	a.skipFirstTheme(q, len(first.Questions))
	if r := a.last[len(a.last)-1]; !strings.Contains(r.Title+r.Text, q.Themes[1].Questions[0].Prompt.In("fr")) {
		t.Fatalf("after skipping theme 1, want theme 2's first question, got %+v", a.last)
	}
	s := New(db, q, Options{Now: func() time.Time { return a.at.Add(time.Hour) }})
	check := func(when string) {
		t.Helper()
		wantStats(t, s, when, "Commencé par 1 participant, terminé par 0 (0\u00a0%). Parcouru sans rien répondre par 1 participant.")
		res := synthese(t, s)
		if th := res.Digest.Themes[0]; th.Started != 1 || th.Skipped != 1 || th.Confirmed != 0 || th.DropOff != nil {
			t.Errorf("%s: theme 1 started %d, skipped %d, completed %d, drop-off %+v; want 1, 1, 0, none", when, th.Started, th.Skipped, th.Confirmed, th.DropOff)
		}
		text := strings.Join(digest.RenderTelegram(*res.Digest), "\n")
		var line string
		for l := range strings.Lines(text) {
			// The theme's line among the figures by theme (its heading
			// follows, over its questions).
			if strings.HasPrefix(l, "• ") && strings.Contains(l, first.Title.In("fr")) {
				line = l
			}
		}
		if strings.Contains(line, "abandon") || !strings.Contains(line, "parcouru sans rien répondre par 1 participant") {
			t.Errorf("%s: the digest says of theme 1: %q", when, line)
		}
	}
	check("stopped below the recap")
	a.tap("Passer") // theme 2's first question: validates theme 1
	check("went on to theme 2")

	b := &converse{t: t, db: db, m: m, participant: "telegram:leaver", at: a.at}
	b.skipFirstTheme(q, 2)
	res := synthese(t, weekLater(db, q, b))
	if th := res.Digest.Themes[0]; th.Started != 2 || th.Skipped != 1 || th.DropOff == nil || th.DropOff.Question != first.Questions[2].ID {
		t.Errorf("after a second parent left at question 3: started %d, skipped %d, drop-off %+v; want 2, 1, at %s", th.Started, th.Skipped, th.DropOff, first.Questions[2].ID)
	}
}

// A parent who validates a theme while some of its questions were never
// put to them (they went to its review before them) has not completed
// it: /stats and the digest count them apart, neither completed nor
// abandoned. Once they answer those questions from the review, the theme
// is complete.
func TestValidatedWithUnaskedQuestionsIsNotComplete(t *testing.T) {
	db := openDB(t, "")
	q := flows.DefaultQuestionnaire()
	m := flows.NewMachine(q, flows.Config{})
	first := q.Themes[0]
	c := &converse{t: t, db: db, m: m, participant: "telegram:hasty", at: t0}
	c.chooseFirstTheme(q)
	c.say("Une réponse assez longue pour ne pas être vérifiée.")
	c.say("Une deuxième réponse, assez longue elle aussi.")
	c.say("supprimer 2") // typed at question 3: the review, questions 4 and on never asked
	if r := c.last[len(c.last)-1]; !strings.Contains(r.Text, "4. "+first.Questions[3].Title.In("fr")+" : — pas encore vue") {
		t.Fatalf("want the review with question 4 not asked yet, got %+v", c.last)
	}
	c.tap("Valider")
	s := New(db, q, Options{Now: func() time.Time { return c.at.Add(time.Hour) }})
	check := func(when string, complete, unasked int) {
		t.Helper()
		if unasked > 0 {
			wantStats(t, s, when, fmt.Sprintf("terminé par %d (", complete), "Validé sans en avoir vu toutes les questions par 1 participant.")
		} else {
			wantStats(t, s, when, fmt.Sprintf("terminé par %d (", complete))
			if stats := execute(t, s, "/stats").Text; strings.Contains(stats, "Validé sans") {
				t.Errorf("%s: /stats still counts a theme validated without all its questions:\n%s", when, stats)
			}
		}
		res := synthese(t, s)
		if th := res.Digest.Themes[0]; th.Started != 1 || th.Confirmed != complete || th.Unasked != unasked || th.DropOff != nil {
			t.Errorf("%s: theme 1 started %d, completed %d, validated without all questions %d, drop-off %+v; want 1, %d, %d, none",
				when, th.Started, th.Confirmed, th.Unasked, th.DropOff, complete, unasked)
		}
		text := strings.Join(digest.RenderTelegram(*res.Digest), "\n")
		if got := strings.Contains(text, "validé sans en avoir vu toutes les questions par 1 participant"); got != (unasked > 0) {
			t.Errorf("%s: the digest says of a theme validated without all its questions (%v):\n%s", when, got, text)
		}
	}
	check("validated with questions never asked", 0, 1)

	// Back to the review, the questions never asked answered there.
	c.say("/menu")
	c.tap("✓ 1. ")
	for n := 0; ; n++ {
		found := false
		for _, r := range c.last {
			for _, o := range r.Options {
				if strings.HasPrefix(o.Label, "Répondre ") {
					found = true
				}
			}
		}
		if !found {
			break
		}
		if n > len(first.Questions) {
			t.Fatalf("the review keeps offering questions: %+v", c.last)
		}
		c.tap("Répondre ")
		c.say("Une réponse donnée depuis la relecture.")
	}
	check("every question answered since", 1, 0)
}
