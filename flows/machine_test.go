package flows

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func loadSmall(tb testing.TB) *Questionnaire {
	tb.Helper()
	f, err := os.Open("testdata/small.json")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	q, err := LoadQuestionnaire(f)
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

// checkStep steps s with ev twice and checks what must hold after any
// event: the same output both times, the input left untouched, prompt
// numbers never going back, valid tokens and valid stored answers.
func checkStep(t *testing.T, m *Machine, s Session, ev Event, now time.Time) (Session, []Reply) {
	t.Helper()
	before := cloneSession(s)
	got, replies := m.Step(s, ev, now)
	if !reflect.DeepEqual(s, before) {
		t.Fatalf("Step modified its input session")
	}
	again, replies2 := m.Step(s, ev, now)
	if !reflect.DeepEqual(got, again) || !reflect.DeepEqual(replies, replies2) {
		t.Fatalf("Step is not deterministic for %+v", ev)
	}
	if got.Prompt < s.Prompt && s.Prompt >= 0 {
		t.Fatalf("prompt went back from %d to %d", s.Prompt, got.Prompt)
	}
	withOptions := 0
	for _, r := range replies {
		if !utf8.ValidString(r.Lead) || !utf8.ValidString(r.Title) || !utf8.ValidString(r.Text) {
			t.Fatalf("reply is not valid UTF-8: %q", r.Text)
		}
		if len(r.Options) > 0 {
			withOptions++
		}
		for _, o := range r.Options {
			tok, ok := parseToken(o.Token)
			if len(o.Token) > MaxTokenLen || !tokenPattern.MatchString(o.Token) || !ok || tok.prompt != got.Prompt || o.Label == "" {
				t.Fatalf("bad option %+v (prompt %d)", o, got.Prompt)
			}
		}
	}
	if withOptions > 1 {
		t.Fatalf("%d replies offer options in one step; only the last may", withOptions)
	}
	for i, r := range replies {
		// Only the first reply to a tap on the current prompt may take
		// the tapped message's place: anything else must come below.
		tok, ok := parseToken(ev.Token)
		current := ev.Kind == EventChoice && ok && tok.prompt == s.Prompt
		if r.Replaces && (i > 0 || !current) {
			t.Fatalf("reply %d to %+v (prompt %d) replaces the tapped message", i, ev, s.Prompt)
		}
	}
	if got.Stage == StageDeclined && (len(got.Answers) > 0 || got.Profile != "" || got.Academie != "" || got.Source != "") {
		t.Fatalf("a declined session keeps data: %+v", got)
	}
	for key, a := range got.Answers {
		if key != AnswerKey(a.Theme, a.Question) || m.q.Question(a.Theme, a.Question) == nil {
			t.Fatalf("answer %q for an unknown question %s/%s", key, a.Theme, a.Question)
		}
		if !utf8.ValidString(a.Text) || utf8.RuneCountInString(a.Text) > m.cfg.MaxText {
			t.Fatalf("answer %q is invalid or too long", key)
		}
		set := 0
		// A confirmed transcript comes with its voice note.
		for _, b := range []bool{a.Text != "" && a.Voice == nil, a.Choice != "", a.Voice != nil} {
			if b {
				set++
			}
		}
		if set != 1 {
			t.Fatalf("answer %q has %d of text, choice and voice", key, set)
		}
		if a.Voice != nil && !utf8.ValidString(a.Voice.FileID) {
			t.Fatalf("voice file id of %q is not valid UTF-8", key)
		}
		if a.CreatedAt.IsZero() || a.UpdatedAt.Before(a.CreatedAt) {
			t.Fatalf("answer %q has bad timestamps", key)
		}
	}
	return got, replies
}

func TestStepRepairsUnknownState(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	now := baseTime
	for _, s := range []Session{
		{Stage: StageQuestion, Theme: "gone", Question: "temps", ConsentAt: now, Prompt: 4},
		{Stage: StageEdit, Theme: "ecole", Question: "gone", ConsentAt: now},
		{Stage: StageReview, Theme: "gone", ConsentAt: now},
		{Stage: "weird", ConsentAt: now, Lang: "de"},
		{Stage: StagePaused, Theme: "maison", Question: "gone", ConsentAt: now, Prompt: -3},
	} {
		got, replies := checkStep(t, m, s, Event{Kind: EventText, Text: "bonjour"}, now)
		if got.Stage != StageMenu || len(replies) == 0 {
			t.Errorf("from %+v: stage %q, %d replies; want the menu", s, got.Stage, len(replies))
		}
	}
}

func TestNewcomerLanguage(t *testing.T) {
	for _, tt := range []struct{ hint, def, want string }{
		{"", "", LangFR}, {"en-GB", "", LangEN}, {"EN", "", LangEN}, {"fr-FR", LangEN, LangEN}, {"de", "", LangFR},
	} {
		m := NewMachine(loadSmall(t), Config{DefaultLang: tt.def})
		s, _ := checkStep(t, m, Session{}, Event{Kind: EventCommand, Command: CmdStart, Lang: tt.hint}, baseTime)
		if s.Lang != tt.want {
			t.Errorf("hint %q default %q: lang %q, want %q", tt.hint, tt.def, s.Lang, tt.want)
		}
	}
}

func TestDeepLinkSource(t *testing.T) {
	m := NewMachine(nil, Config{})
	for _, tt := range []struct{ args, source, theme string }{
		{"theme-2", "theme-2", "enseigner"},
		{"t5", "t5", "gouvernance"},
		{"acces", "acces", "acces"},
		{"THEME_3", "THEME_3", "collaborer"},
		{"campagne<script>", "campagnescript", ""},
		{"t9", "t9", ""},
		{strings.Repeat("ab", 50), strings.Repeat("ab", 32), ""},
	} {
		s, _ := checkStep(t, m, Session{}, Event{Kind: EventCommand, Command: CmdStart, Args: tt.args}, baseTime)
		if s.Source != tt.source || s.Theme != tt.theme {
			t.Errorf("/start %s: source %q theme %q; want %q %q", tt.args, s.Source, s.Theme, tt.source, tt.theme)
		}
	}
}

func TestLongAnswerQuotedBackShortened(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	s := Session{Stage: StageQuestion, Theme: "ecole", Question: "temps", ConsentAt: baseTime, Prompt: 7, Lang: LangFR}
	long := strings.Repeat("mot ", 400)
	got, replies := checkStep(t, m, s, Event{Kind: EventText, Text: long, Token: "6.skip"}, baseTime)
	if len(got.Answers) != 0 {
		t.Fatal("text from a stale form was stored")
	}
	quote := replies[0].Text
	if n := utf8.RuneCountInString(quote); n > maxQuoteLen+200 || !strings.HasSuffix(strings.TrimSuffix(quote, " »"), "mot…") {
		t.Errorf("quote of %d characters not cut cleanly: …%q", n, quote[len(quote)-20:])
	}
}

// BenchmarkStepAnswer measures one typed answer on the real questionnaire,
// the most frequent event, from a session that already holds 20 answers.
func BenchmarkStepAnswer(b *testing.B) {
	m := NewMachine(nil, Config{})
	s := Session{Stage: StageQuestion, Theme: "enseigner", Question: "distance", ConsentAt: baseTime, Prompt: 40, Lang: LangFR, Answers: map[string]Answer{}}
	for i, th := range m.q.Themes {
		for j, q := range th.Questions {
			if i*10+j < 20 {
				s.Answers[AnswerKey(th.ID, q.ID)] = Answer{Theme: th.ID, Question: q.ID, Text: "une réponse", CreatedAt: baseTime, UpdatedAt: baseTime}
			}
		}
	}
	ev := Event{Kind: EventText, Text: "Garder du présentiel et utiliser la distance pour les révisions."}
	b.ReportAllocs()
	for b.Loop() {
		m.Step(s, ev, baseTime)
	}
}

// TestTapTakesThePromptsPlace: a tap on the current prompt is answered in
// the tapped message's place, the choice shown first; a stale or forged
// button gets a new message, and the same choice typed a new message
// that shows the choice as the tap does (« CPE » is understood as a
// teacher, and said so).
func TestTapTakesThePromptsPlace(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	now := baseTime
	s, r := checkStep(t, m, Session{Participant: "p"}, Event{Kind: EventCommand, Command: CmdStart}, now)
	consent := r[len(r)-1].Options
	s, r = checkStep(t, m, s, Event{Kind: EventChoice, Token: consent[0].Token}, now)
	profiles := r[len(r)-1].Options
	for _, tt := range []struct {
		name     string
		ev       Event
		replaces bool
		lead     string
	}{
		{"tap", Event{Kind: EventChoice, Token: profiles[0].Token}, true, "✓ Parent"},
		// A minute later the consent's button is an old one (at once, it
		// is the tap just applied again: TestRepeatedTap).
		{"stale", Event{Kind: EventChoice, Token: consent[0].Token}, false, ""},
		{"forged", Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: actProfile, arg: "astronaute"}.String()}, false, ""},
		{"typed", Event{Kind: EventText, Text: "parent"}, false, "✓ Parent"},
		{"typed words", Event{Kind: EventText, Text: "prof des écoles"}, false, "✓ Enseignant"},
		{"typed number", Event{Kind: EventText, Text: "je suis le 2"}, false, "✓ Enseignant"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, r := checkStep(t, m, s, tt.ev, now.Add(time.Minute))
			if len(r) == 0 || r[0].Replaces != tt.replaces || !strings.HasPrefix(r[0].Lead, tt.lead) || (tt.lead == "" && strings.HasPrefix(r[0].Lead, "✓")) {
				t.Errorf("first reply %+v; want Replaces %v, Lead starting %q", r, tt.replaces, tt.lead)
			}
		})
	}
}

// TestValidatingOpensTheNextTheme: « Valider » goes on to the first theme
// not validated yet, in order and going round, with a note saying how to
// choose another; once all are validated, the menu.
func TestValidatingOpensTheNextTheme(t *testing.T) {
	m := NewMachine(nil, Config{})
	q := m.Questionnaire()
	s := Session{Participant: "p", Lang: LangFR, Stage: StageReview, Theme: q.Themes[2].ID, Prompt: 7,
		ConsentAt: baseTime, Confirmed: map[string]time.Time{q.Themes[0].ID: baseTime, q.Themes[3].ID: baseTime}}
	confirm := Event{Kind: EventChoice, Token: token{prompt: 7, action: actConfirm}.String()}
	got, r := checkStep(t, m, s, confirm, baseTime)
	if got.Stage != StageQuestion || got.Theme != q.Themes[4].ID || len(r) != 1 || !r[0].Replaces || !strings.Contains(r[0].Lead, "/menu") {
		t.Fatalf("after validating theme 3: stage %s theme %s, replies %+v; want theme 5's first question, with /menu in the lead", got.Stage, got.Theme, r)
	}
	s.Theme = q.Themes[4].ID
	if got, _ = checkStep(t, m, s, confirm, baseTime); got.Theme != q.Themes[1].ID {
		t.Errorf("after validating theme 5: theme %s; want theme 2 (going round)", got.Theme)
	}
	s.Confirmed = map[string]time.Time{}
	for _, th := range q.Themes {
		s.Confirmed[th.ID] = baseTime
	}
	delete(s.Confirmed, s.Theme)
	if got, _ = checkStep(t, m, s, confirm, baseTime); got.Stage != StageMenu {
		t.Errorf("after validating the last theme: stage %s; want the menu", got.Stage)
	}
}

// TestNoSessionTapStoresNothing: a button or form of a conversation the
// bot no longer keeps (erased) is not asking to take part: whatever the
// button, the person is told how to start again and nothing is stored,
// not even once the consultation is closed.
func TestNoSessionTapStoresNothing(t *testing.T) {
	closes := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	m := NewMachine(loadSmall(t), Config{ClosesAt: closes})
	open, closed := closes.Add(-time.Hour), closes.Add(time.Hour)
	var events []Event
	for _, a := range []string{actErase, actKeep, actYes, actNo, actMore, actProfile, actSkip, actBack, actPause,
		actResume, actTheme, actPick, actEdit, actConfirm, actMenu, actReview, actRemove, actStore, actRetype,
		actLangYes, actLangNo, actPlace, actRemindYes, actRemindNo, actRemindStop} {
		tok := token{prompt: 3, action: a, arg: "x"}.String()
		events = append(events, Event{Kind: EventChoice, Token: tok})
		if a == actSkip {
			events = append(events, Event{Kind: EventText, Token: tok, Text: "Une réponse tapée dans un vieux formulaire."})
		}
	}
	for _, ev := range events {
		for _, now := range []time.Time{open, closed} {
			got, replies := checkStep(t, m, Session{Participant: "p"}, ev, now)
			if got.Stage != StageErased {
				t.Errorf("%s %q at %s: stage %q, want nothing stored (%q)", ev.Kind, ev.Token, now.Format(time.Kitchen), got.Stage, StageErased)
			}
			if len(replies) != 1 || len(replies[0].Options) > 0 {
				t.Fatalf("%s %q: want one short note, got %+v", ev.Kind, ev.Token, replies)
			}
			if now.Equal(open) && !strings.Contains(replies[0].Text, "/start") {
				t.Errorf("%s %q: %q does not say how to start again", ev.Kind, ev.Token, replies[0].Text)
			}
		}
	}
}

// TestPauseSaysOnlyWhatHolds: pausing with no answer given does not say
// answers are saved, with one it does; and a message that does not
// resume a pause (help, thanks, goodbye) is never answered with a
// promise that any message resumes it.
func TestPauseSaysOnlyWhatHolds(t *testing.T) {
	m := NewMachine(nil, Config{})
	q := m.Questionnaire()
	th := q.Themes[0]
	saved := []string{"enregistrées", "gardées", "saved", "kept"}
	anyMessage := []string{"n'importe quel message", "any message"}
	says := func(r []Reply, words []string) bool {
		for _, x := range r {
			for _, w := range words {
				if strings.Contains(x.Lead+x.Text, w) {
					return true
				}
			}
		}
		return false
	}
	for _, answered := range []bool{false, true} {
		for _, tt := range []struct{ lang, pause string }{
			{LangFR, "stop"}, {LangFR, "plus tard"}, {LangFR, "continuer plus tard"}, {LangEN, "later"}, {LangEN, "stop"},
		} {
			s := Session{Participant: "p", Lang: tt.lang, Stage: StageQuestion, ConsentAt: baseTime, Profile: "parent",
				Theme: th.ID, Question: th.Questions[1].ID, Prompt: 4}
			if answered {
				s.Answers = map[string]Answer{AnswerKey(th.ID, th.Questions[0].ID): {Theme: th.ID, Question: th.Questions[0].ID,
					Text: "des tablettes pour tous", CreatedAt: baseTime, UpdatedAt: baseTime}}
			}
			s, r := checkStep(t, m, s, Event{Kind: EventText, Text: tt.pause}, baseTime)
			if s.Stage != StagePaused {
				t.Fatalf("%s %q: stage %s, want paused", tt.lang, tt.pause, s.Stage)
			}
			if says(r, saved) != answered {
				t.Errorf("%s %q with answers %v: says they are saved %v; replies %+v", tt.lang, tt.pause, answered, !answered, r)
			}
			for _, typed := range []string{"jsp", "aide", "?", "merci", "au revoir", "help", "thanks"} {
				got, r := checkStep(t, m, s, Event{Kind: EventText, Text: typed}, baseTime)
				if got.Stage != StagePaused {
					continue // it resumed: the promise held
				}
				if says(r, anyMessage) {
					t.Errorf("%s %q during a pause: still paused, yet told any message resumes: %+v", tt.lang, typed, r)
				}
				if says(r, saved) && !answered {
					t.Errorf("%s %q during a pause with no answer: says answers are saved: %+v", tt.lang, typed, r)
				}
			}
		}
	}
}

// TestDeclinedJoinsInTheirWords checks that someone who refused the
// consent takes part again in their own words, and that a refusal said
// again, or a word about something else, does not start anything.
func TestDeclinedJoinsInTheirWords(t *testing.T) {
	for text, want := range map[string]bool{
		"je participe":                       true,
		"je veux bien participer finalement": true,
		"j'ai changé d'avis":                 true,
		"finalement j'ai changé d'avis, ok":  true,
		"ok j'accepte":                       true,
		"Oui j'accepte finalement":           true,
		"I changed my mind":                  true,
		"count me in":                        true,
		"je ne veux pas participer":          false,
		"je refuse toujours":                 false,
		"je ne participe plus":               false,
		"I don't want to take part":          false,
		"Bonjour ?":                          false,
		"stop":                               false,
		"c'est quoi cette consultation":      false,
	} {
		if got := wantsToJoin(text); got != want {
			t.Errorf("wantsToJoin(%q) = %v, want %v", text, got, want)
		}
	}
}

// Another theme asked for by its number at a question is that theme, as
// at the menu: its first question, with the choice said; nothing is
// stored, and a sentence about a theme is still an answer.
func TestThemeAskedAtAQuestion(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	now := baseTime.Add(time.Hour)
	for _, stage := range []string{"question", "paused", "edit"} {
		got, replies := checkStep(t, m, p[stage], Event{Kind: EventText, Text: "je veux aller au thème 4"}, now)
		if got.Theme != "responsable" || got.Stage != StageQuestion || len(got.Answers) != len(p[stage].Answers) {
			t.Fatalf("@%s: at %s/%s stage %v with %d answers, want theme 4's first question and nothing stored",
				stage, got.Theme, got.Question, got.Stage, len(got.Answers))
		}
		if _, ok := got.Started["responsable"]; !ok {
			t.Errorf("@%s: theme 4 not marked as started", stage)
		}
		all := ""
		for _, r := range replies {
			all += r.Lead + "\n" + r.Title + "\n" + r.Text + "\n"
		}
		if !strings.Contains(all, "✓ Un numérique responsable et souverain") || !strings.Contains(all, "Thème 4 · Question 1/5") {
			t.Errorf("@%s: replies do not show theme 4 chosen and its first question:\n%s", stage, all)
		}
	}
	got, _ := m.Step(p["question"], Event{Kind: EventText, Text: "le thème 4 est le plus important pour moi"}, now)
	if got.Theme != "acces" || len(got.Answers) != 1 {
		t.Errorf("a sentence about theme 4 was not stored as theme 1's answer: %+v", got.Answers)
	}
}
