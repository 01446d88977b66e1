package flows

import (
	"strings"
	"testing"
)

// TestThemeExplainedWhenAsked checks that a question about what a theme
// is about (« c quoi la gouvernance », « what is theme 4 about? ») is
// answered with that theme's explanation from the catalogue, in the
// conversation's language: at the menu with the theme buttons still
// there, the menu staying the prompt; at a question (« c'est quoi ce
// thème ? ») with the question again. Nothing is opened or stored.
func TestThemeExplainedWhenAsked(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	for _, tt := range []struct{ lang, in, theme string }{
		{LangFR, "c quoi la gouvernance", "gouvernance"},
		{LangFR, "ça parle de quoi le thème 3 ?", "collaborer"},
		{LangFR, "le thème 2 c'est quoi", "enseigner"},
		{LangFR, "explique le thème sobriété", "responsable"},
		{LangFR, "c'est quoi le thème 1 exactement ?", "acces"},
		{LangEN, "what is theme 4 about?", "responsable"},
		{LangEN, "what's the governance theme about?", "gouvernance"},
	} {
		s := p["menu"]
		s.Lang = tt.lang
		msg := messagesFor(tt.lang)
		about := msg.ThemeAbout[tt.theme]
		if about == "" {
			t.Fatalf("no explanation of theme %s in %s", tt.theme, tt.lang)
		}
		got, replies := m.Step(s, Event{Kind: EventText, Text: tt.in}, baseTime)
		if got.Stage != StageMenu || len(got.Answers) != 0 || got.Held != "" {
			t.Errorf("@menu %s %q: at %s, held %q; want the menu still", tt.lang, tt.in, got.Stage, got.Held)
		}
		if !strings.Contains(texts(replies), about) {
			t.Errorf("@menu %s %q: said %q; want theme %s explained", tt.lang, tt.in, texts(replies), tt.theme)
			continue
		}
		last := replies[len(replies)-1]
		var open bool
		for _, o := range last.Options {
			if tk, _ := parseToken(o.Token); tk.action == actTheme && tk.arg == tt.theme {
				open = true
			}
		}
		if !open || len(last.Options) != len(m.Questionnaire().Themes) {
			t.Errorf("@menu %s %q: options %+v; want the menu's buttons, the theme's among them", tt.lang, tt.in, last.Options)
		}
		// Its button opens it.
		opened, _ := m.Step(got, Event{Kind: EventText, Text: "1"}, baseTime)
		if opened.Stage != StageQuestion || opened.Theme != "acces" {
			t.Errorf("@menu %s %q then « 1 »: at %s %s; want theme 1 opened", tt.lang, tt.in, opened.Stage, opened.Theme)
		}
	}
	// At a question: the current theme, then the question again.
	for _, tt := range []struct{ lang, in, theme string }{
		{LangFR, "c'est quoi ce thème ?", "acces"},
		{LangFR, "ce thème parle de quoi ?", "acces"},
		{LangFR, "c quoi le thème 5 ?", "gouvernance"},
		{LangEN, "what is this theme about?", "acces"},
		{LangEN, "what is theme 4 about?", "responsable"},
	} {
		s := p["question"]
		s.Lang = tt.lang
		msg := messagesFor(tt.lang)
		got, replies := m.Step(s, Event{Kind: EventText, Text: tt.in}, baseTime)
		if len(got.Answers) != 0 || got.Pending != nil || got.Stage != StageQuestion || got.Question != s.Question || got.Theme != s.Theme {
			t.Errorf("@question %s %q: at %s %s/%s, answers %v, pending %+v; want the question again, nothing stored",
				tt.lang, tt.in, got.Stage, got.Theme, got.Question, got.Answers, got.Pending)
		}
		if !strings.Contains(texts(replies), msg.ThemeAbout[tt.theme]) || len(replies) == 0 || replies[len(replies)-1].Expect != ExpectText {
			t.Errorf("@question %s %q: said %q; want theme %s explained above the question", tt.lang, tt.in, texts(replies), tt.theme)
		}
	}
	// « c'est quoi un thème ? » still explains the word.
	_, replies := m.Step(p["question"], Event{Kind: EventText, Text: "c'est quoi un thème ?"}, baseTime)
	if !strings.Contains(texts(replies), messagesFor(LangFR).Words["theme"]) {
		t.Errorf("« c'est quoi un thème ? »: said %q, want the word explained", texts(replies))
	}
}

// TestOpinionWithTheProfileKept checks that an opinion typed with the
// profile (« je suis maman de 2 enfants et je trouve qu'il y a trop
// d'écrans ») gives the profile and is kept, which the reply says: after
// the académie, the menu, and the theme chosen there offers it below its
// first question, as an opinion typed at the menu is. A longer
// self-description with no opinion keeps nothing.
func TestOpinionWithTheProfileKept(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	for _, tt := range []struct{ lang, in, skip string }{
		{LangFR, "je suis maman de 2 enfants et je trouve qu'il y a trop d'écrans", "passer"},
		{LangFR, "Papa d'une élève de CM2, il faudrait moins de tablettes en classe", "passer"},
		{LangEN, "I'm the mum of two kids and I think there are too many screens at school", "skip"},
	} {
		s := p["profile"]
		s.Lang = tt.lang
		msg := messagesFor(tt.lang)
		got, replies := m.Step(s, Event{Kind: EventText, Text: tt.in}, baseTime)
		if got.Profile != "parent" || got.Stage != StageAcademie || got.Held != tt.in {
			t.Errorf("%s %q: profile %q at %s, held %q; want parent, the académie, the message kept", tt.lang, tt.in, got.Profile, got.Stage, got.Held)
			continue
		}
		if !strings.Contains(texts(replies), msg.ProfileHeld) {
			t.Errorf("%s %q: said %q; want « %s »", tt.lang, tt.in, texts(replies), msg.ProfileHeld)
		}
		menu, _ := m.Step(got, Event{Kind: EventText, Text: tt.skip}, baseTime)
		if menu.Stage != StageMenu || menu.Held != tt.in {
			t.Errorf("%s %q then %q: at %s, held %q; want the menu, the message still kept", tt.lang, tt.in, tt.skip, menu.Stage, menu.Held)
			continue
		}
		at, replies := m.Step(menu, Event{Kind: EventText, Text: "2"}, baseTime)
		if at.Stage != StageQuestion || at.Theme != "enseigner" || at.Pending == nil || at.Pending.Kind != PendingCheck ||
			at.Pending.Text != tt.in || !strings.Contains(texts(replies), tt.in) {
			t.Errorf("%s %q, theme 2 chosen: at %s %s, pending %+v; want its first question, the message offered", tt.lang, tt.in, at.Stage, at.Theme, at.Pending)
		}
	}
	for _, in := range []string{
		"je suis la maman de 2 enfants un en cm1 et lautre au college",
		"je suis parent d'élève",
	} {
		got, _ := m.Step(p["profile"], Event{Kind: EventText, Text: in}, baseTime)
		if got.Profile != "parent" || got.Held != "" {
			t.Errorf("%q: profile %q, held %q; want parent, nothing kept", in, got.Profile, got.Held)
		}
	}
}

// TestReviseAskedInOneMessage checks that text offered for an answered
// question (« Je reviens sur la question 1 : … ») is asked about in one
// clear message: the question, the current answer once, the text typed
// and « remplace-t-il… ou vient-il la compléter ? », without the line
// that says to type a new text or choose « Compléter ma réponse ».
func TestReviseAskedInOneMessage(t *testing.T) {
	m := NewMachine(nil, Config{})
	for _, tt := range []struct{ lang, in, typed string }{
		{LangFR, "Je reviens sur la question 1 : en fait on a deux ordis", "en fait on a deux ordis"},
		{LangEN, "back to question 1: actually we have two computers", "actually we have two computers"},
	} {
		s := corpusPrompts(t, m)["question2"]
		s.Lang = tt.lang
		msg := messagesFor(tt.lang)
		_, instead, _ := strings.Cut(msg.Current, "\n")
		at, replies := m.Step(s, Event{Kind: EventText, Text: tt.in}, baseTime)
		if at.Pending == nil || at.Pending.Kind != PendingRevise || len(replies) != 1 {
			t.Fatalf("%s %q: pending %+v, %d replies; want one message asking", tt.lang, tt.in, at.Pending, len(replies))
		}
		text := texts(replies)
		answer := s.Answers[AnswerKey("acces", "equipement")].Text
		if strings.Count(text, answer) != 1 || !strings.Contains(text, tt.typed) || strings.Contains(text, instead) ||
			!strings.Contains(text, strings.Split(msg.ReviseAsk, "%s")[1]) {
			t.Errorf("%s %q: said %q; want the answer once, the text typed, and only the question of what to do with it", tt.lang, tt.in, text)
		}
		// Another text typed there: asked about the same way.
		_, replies = m.Step(at, Event{Kind: EventText, Text: "non, trois ordinateurs en tout"}, baseTime)
		if text := texts(replies); len(replies) != 1 || strings.Contains(text, instead) || strings.Count(text, answer) != 1 {
			t.Errorf("%s, another text: said %q; want one message asking again", tt.lang, text)
		}
	}
}

// TestUnsureAtAQuestion checks what people type at an open question when
// they do not know what to say, in English as in French: « no idea »,
// « dunno, not my field », « not sure what to say » get the help, as
// « je sais pas » does; « pass » skips; a question about the question
// (« what does furniture have to do with it? ») gets the help too; « not
// my field » alone is asked about first, as « pas concerné » is. None is
// stored at once.
func TestUnsureAtAQuestion(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	for _, tt := range []struct{ lang, in, want string }{
		{LangEN, "dunno, not my field", "help"},
		{LangEN, "no idea", "help"},
		{LangEN, "dunno", "help"},
		{LangEN, "not sure what to say", "help"},
		{LangEN, "I'm not sure what to write", "help"},
		{LangEN, "no idea, not really my area", "help"},
		{LangEN, "pass", "skip"},
		{LangEN, "what does furniture have to do with it?", "help"},
		{LangEN, "what has furniture got to do with this", "help"},
		{LangEN, "not my field", "check"},
		{LangFR, "je sais pas, pas mon domaine", "help"},
		{LangFR, "aucune idée", "help"},
		{LangFR, "jsp", "help"},
		{LangFR, "je sais pas quoi dire", "help"},
		{LangFR, "pas sûr de quoi dire", "help"},
		{LangFR, "je suis pas sûre de quoi répondre", "help"},
		{LangFR, "aucune idée, c'est pas mon domaine", "help"},
		{LangFR, "je passe", "skip"},
		{LangFR, "qu'est-ce que les meubles ont à voir avec ça ?", "help"},
		{LangFR, "quel rapport avec les meubles ?", "help"},
		{LangFR, "pas mon domaine", "check"},
	} {
		s := p["question"]
		s.Lang = tt.lang
		got, stored := readingOf(m, s, "question", tt.in, tt.want)
		if got != tt.want || stored {
			t.Errorf("%s %q: read as %s (stored %v), want %s", tt.lang, tt.in, got, stored, tt.want)
		}
	}
	// Something said about the subject stays an answer.
	for _, in := range []string{
		"what does the school do with the data?",
		"Not my field, but schools need more computers",
		"je ne vois pas le rapport avec la réussite des élèves",
	} {
		if got, stored := readingOf(m, p["question"], "question", in, "answer"); !stored {
			t.Errorf("%q: read as %s, want an answer", in, got)
		}
	}
}
