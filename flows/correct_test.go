package flows

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"consultbot/text"
)

// TestCorrectionSaysItReachesEarlierAnswers: a person who corrects their
// profile or académie after answering is told that the correction counts
// for their earlier answers too, in their language, whichever way they
// corrected it (typed with the new value, asked for then tapped or typed,
// outside France); not when they had no answer yet, nor when nothing
// changed.
func TestCorrectionSaysItReachesEarlierAnswers(t *testing.T) {
	m := NewMachine(nil, Config{})
	answered := map[string]Answer{AnswerKey("acces", "equipement"): {Theme: "acces", Question: "equipement",
		Text: "des tablettes", CreatedAt: baseTime, UpdatedAt: baseTime}}
	at := func(lang string, answers map[string]Answer) Session {
		return Session{Participant: "p", Lang: lang, Stage: StageQuestion, ConsentAt: baseTime, Profile: "parent",
			Academie: "Créteil", Theme: "acces", Question: "besoins", Prompt: 5, Answers: answers}
	}
	typed := func(s string) Event { return Event{Kind: EventText, Text: s} }
	profileTap := func(id string) func(Session, []Reply) Event {
		return func(_ Session, r []Reply) Event {
			for _, o := range r[len(r)-1].Options {
				if tok, ok := parseToken(o.Token); ok && tok.action == actProfile && tok.arg == id {
					return Event{Kind: EventChoice, Token: o.Token}
				}
			}
			t.Fatalf("no button for profile %q in %+v", id, r)
			return Event{}
		}
	}
	then := func(s string) func(Session, []Reply) Event { return func(Session, []Reply) Event { return typed(s) } }
	for _, tt := range []struct {
		name     string
		s        Session
		first    Event
		next     func(Session, []Reply) Event // a second event, when set
		profile  string
		academie string
		told     bool
	}{
		{"profile typed", at(LangFR, answered), typed("je me suis trompé, je suis enseignant"), nil, "enseignant", "Créteil", true},
		{"profile typed, a pupil", at(LangFR, answered), typed("en fait je suis élève"), nil, "eleve", "Créteil", true},
		{"profile typed in English", at(LangEN, answered), typed("actually I'm a teacher"), nil, "enseignant", "Créteil", true},
		{"profile asked then tapped", at(LangFR, answered), typed("changer de profil"), profileTap("enseignant"), "enseignant", "Créteil", true},
		{"profile asked then typed", at(LangEN, answered), typed("change my profile"), then("teacher"), "enseignant", "Créteil", true},
		{"académie typed", at(LangFR, answered), typed("en fait j'habite à Bordeaux"), nil, "parent", "Bordeaux", true},
		{"académie asked then typed", at(LangFR, answered), typed("changer d'académie"), then("33"), "parent", "Bordeaux", true},
		{"académie in English", at(LangEN, answered), typed("change my academy"), then("Lyon"), "parent", "Lyon", true},
		{"outside France", at(LangFR, answered), typed("changer d'académie"), then("Belgique"), "parent", "", true},
		{"no answer yet", at(LangFR, nil), typed("en fait je suis enseignant"), nil, "enseignant", "Créteil", false},
		{"the same profile", at(LangFR, answered), typed("en fait je suis parent"), nil, "parent", "Créteil", false},
		{"the same profile tapped", at(LangFR, answered), typed("changer de profil"), profileTap("parent"), "parent", "Créteil", false},
		{"académie skipped", at(LangFR, answered), typed("changer d'académie"), then("passer"), "parent", "Créteil", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now := baseTime.Add(time.Hour)
			s, r := checkStep(t, m, tt.s, tt.first, now)
			if tt.next != nil {
				s, r = checkStep(t, m, s, tt.next(s, r), now.Add(time.Minute))
			}
			if s.Profile != tt.profile || s.Academie != tt.academie {
				t.Errorf("profile %q, académie %q; want %q, %q", s.Profile, s.Academie, tt.profile, tt.academie)
			}
			if s.Stage != StageQuestion || s.Question != "besoins" {
				t.Errorf("at %s %s/%s; want back at the question", s.Stage, s.Theme, s.Question)
			}
			line := text.For(tt.s.Lang).Flow.EarlierToo
			var all strings.Builder
			for _, x := range r {
				all.WriteString(x.Lead + "\n" + x.Text + "\n")
			}
			if told := strings.Contains(all.String(), line); told != tt.told {
				t.Errorf("told %q: %v, want %v; replies:\n%s", line, told, tt.told, all.String())
			}
		})
	}
}

// TestCorrectionToTheSameSaysNothingChanged: a person who « corrects »
// their profile or académie to the one already given is told that
// nothing changes, not that it was corrected, whichever way they said
// it, and is back at their question.
func TestCorrectionToTheSameSaysNothingChanged(t *testing.T) {
	m := NewMachine(nil, Config{})
	answered := map[string]Answer{AnswerKey("acces", "equipement"): {Theme: "acces", Question: "equipement",
		Text: "des tablettes", CreatedAt: baseTime, UpdatedAt: baseTime}}
	for _, tt := range []struct {
		lang     string
		typed    []string
		academie bool   // the académie's note, else the profile's
		arg      string // what the note names
	}{
		{LangFR, []string{"/profil", "1"}, false, "Parent"},
		{LangFR, []string{"mauvais profil", "parent"}, false, "Parent"},
		{LangFR, []string{"en fait je suis maman"}, false, "Parent"},
		{LangEN, []string{"change my profile", "1"}, false, "Parent"},
		{LangFR, []string{"changer d'académie", "Créteil"}, true, "académie de Créteil"},
		{LangFR, []string{"changer d'académie", "94"}, true, "académie de Créteil"},
		{LangFR, []string{"en fait j'habite à Créteil"}, true, "académie de Créteil"},
		{LangEN, []string{"change my academy", "Créteil"}, true, "the Créteil académie"},
	} {
		s := Session{Participant: "p", Lang: tt.lang, Stage: StageQuestion, ConsentAt: baseTime, Profile: "parent",
			Academie: "Créteil", Theme: "acces", Question: "besoins", Prompt: 5, Answers: answered}
		var r []Reply
		for _, line := range tt.typed {
			ev, ok := ParseCommand(line)
			if !ok {
				ev = Event{Kind: EventText, Text: line}
			}
			s, r = checkStep(t, m, s, ev, baseTime.Add(time.Hour))
		}
		msg := text.For(tt.lang).Flow
		want := fmt.Sprintf(msg.ProfileSame, tt.arg)
		if tt.academie {
			want = fmt.Sprintf(msg.AcademieSame, tt.arg)
		}
		if first := r[0].Lead + r[0].Text; !strings.HasPrefix(first, want) || s.Stage != StageQuestion || s.Question != "besoins" {
			t.Errorf("%s %q: at %s %s, first reply %q; want %q, back at the question", tt.lang, tt.typed, s.Stage, s.Question, first, want)
		}
	}
}

// TestHeldSentenceDroppedIsSaid: the sentence typed at the académie and
// offered as the first answer is dropped when the person says it is not
// their answer or goes on without it, and they are told so; kept, it is
// stored and nothing is said of dropping it.
func TestHeldSentenceDroppedIsSaid(t *testing.T) {
	m := NewMachine(nil, Config{})
	held := "mes enfants n'ont pas d'ordinateur à la maison"
	for _, tt := range []struct {
		lang    string
		typed   string
		tap     string // an action tapped instead of typing
		dropped bool
	}{
		{LangFR, "non", "", true},
		{LangFR, "non, je réécris", "", true},
		{LangFR, "", actRetype, true},
		{LangFR, "passer", "", true},
		{LangFR, "plus tard", "", true},
		{LangEN, "no", "", true},
		{LangEN, "skip", "", true},
		{LangFR, "oui", "", false},
		{LangFR, "", actStore, false},
		{LangEN, "yes", "", false},
	} {
		s := Session{Participant: "p", Lang: tt.lang, Stage: StageAcademie, ConsentAt: baseTime, Profile: "parent",
			Held: held, Prompt: 3}
		s, _ = checkStep(t, m, s, Event{Kind: EventText, Text: "Lyon"}, baseTime)
		if p := s.Pending; p == nil || p.Kind != PendingCheck || p.Text != held {
			t.Fatalf("%s: the kept sentence is not offered: pending %+v", tt.lang, p)
		}
		ev := Event{Kind: EventText, Text: tt.typed}
		if tt.tap != "" {
			ev = Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: tt.tap}.String()}
		}
		got, r := checkStep(t, m, s, ev, baseTime)
		var all strings.Builder
		for _, x := range r {
			all.WriteString(x.Lead + "\n" + x.Text + "\n")
		}
		line := text.For(tt.lang).Flow.HeldDropped
		_, stored := got.Answers[AnswerKey(got.Theme, s.Question)]
		if said := strings.Contains(all.String(), line); said != tt.dropped || stored == tt.dropped {
			t.Errorf("%s %q%s: said %q %v, stored %v; want said %v, stored %v; replies:\n%s",
				tt.lang, tt.typed, tt.tap, line, said, stored, tt.dropped, !tt.dropped, all.String())
		}
	}
}
