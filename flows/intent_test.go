package flows

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	catalog "consultbot/text"
)

// TestTypedCorpus replays testdata/typed/corpus.txt: messages people type, each
// at a prompt, with the reading a careful person would give them. Each
// message is stepped through the machine, and what the machine did is
// compared with what the expected reading does when tapped or sent as a
// command. It prints the precision and recall of "this is an answer",
// fails if any non-answer is stored or fewer than 99 % of real answers are
// stored at once, and lists every other misreading.
func TestTypedCorpus(t *testing.T) {
	f, err := os.Open("testdata/typed/corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	var (
		prompt                               string
		total, wrong                         int
		storedRight, storedWrong, answerWant int
	)
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		switch {
		case strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#"):
			continue
		case strings.HasPrefix(text, "@"):
			prompt = strings.TrimPrefix(text, "@")
			if _, ok := prompts[prompt]; !ok {
				t.Fatalf("line %d: unknown prompt %q", line, prompt)
			}
			continue
		}
		in, want, ok := strings.Cut(text, " => ")
		if !ok || prompt == "" {
			t.Fatalf("line %d: want \"@prompt\" then \"text => reading\", got %q", line, text)
		}
		total++
		got, stored := readingOf(m, prompts[prompt], prompt, in, want)
		if want == "answer" {
			answerWant++
		}
		switch {
		case stored && want == "answer":
			storedRight++
		case stored:
			storedWrong++
		}
		if got != want {
			wrong++
			t.Logf("line %d @%s %q: read as %s, want %s", line, prompt, in, got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if total < 200 {
		t.Fatalf("only %d cases in the corpus", total)
	}
	precision := 100 * float64(storedRight) / float64(max(1, storedRight+storedWrong))
	recall := 100 * float64(storedRight) / float64(max(1, answerWant))
	t.Logf("%d cases, %d read as expected (%.1f %%); answers stored: precision %.1f %% (%d non-answers stored), recall %.1f %% (%d of %d)",
		total, total-wrong, 100*float64(total-wrong)/float64(total), precision, storedWrong, recall, storedRight, answerWant)
	if storedWrong > 0 {
		t.Errorf("%d non-answers were stored as answers", storedWrong)
	}
	if recall < 99 {
		t.Errorf("only %.1f %% of real answers were stored at once, want at least 99 %%", recall)
	}
	if wrong > 0 {
		t.Errorf("%d of %d messages misread (listed above)", wrong, total)
	}
}

// corpusPrompts builds, for each prompt of the corpus, the session of
// someone standing there, by stepping through the conversation.
func corpusPrompts(t testing.TB, m *Machine) map[string]Session {
	now := baseTime
	s, r := m.Step(Session{Participant: "corpus"}, Event{Kind: EventCommand, Command: CmdStart}, now)
	p := map[string]Session{"consent": s}
	tap := func(s Session, r []Reply, action, arg string) (Session, []Reply) {
		t.Helper()
		for i := len(r) - 1; i >= 0; i-- {
			for _, o := range r[i].Options {
				if tk, _ := parseToken(o.Token); tk.action == action && tk.arg == arg {
					return m.Step(s, Event{Kind: EventChoice, Token: o.Token}, now)
				}
			}
		}
		t.Fatalf("no button %s.%s in %+v", action, arg, r)
		return s, nil
	}
	s, r = tap(s, r, actYes, "")
	p["profile"] = s
	s, r = tap(s, r, actProfile, "parent")
	p["academie"] = s
	s, r = tap(s, r, actSkip, "")
	p["menu"] = s
	s, r = tap(s, r, actTheme, "acces")
	p["question"] = s
	// The second question, the first answered.
	p["question2"], _ = m.Step(s, Event{Kind: EventText, Text: "Un seul ordinateur pour toute la famille."}, now)
	// Removing that first answer, asked.
	p["removeprev"], _ = m.Step(p["question2"], Event{Kind: EventText, Text: "efface ma dernière réponse"}, now)
	paused, _ := tap(s, r, actPause, "")
	p["paused"] = paused
	// Where the person accepted reminders and announcements.
	for _, name := range []string{"menu", "question", "paused"} {
		on := p[name]
		on.Reminders.OfferedAt, on.Reminders.ConsentAt = now, now
		p[name+"-reminders"] = on
	}
	// The profile and the académie asked again from the menu (/profil,
	// « changer d'académie »), an académie given.
	p["profile-again"], _ = m.Step(p["menu"], Event{Kind: EventText, Text: "changer de profil"}, now)
	lyon := p["menu"]
	lyon.Academie = "Lyon"
	p["academie-again"], _ = m.Step(lyon, Event{Kind: EventText, Text: "changer d'académie"}, now)
	erase, _ := m.Step(s, Event{Kind: EventCommand, Command: CmdErase}, now)
	p["erase"] = erase
	check := s
	check.Pending = &Pending{Kind: PendingCheck, Prompt: s.Prompt, Text: "oui"}
	p["check"] = check
	// /effacer typed there: the text in question waits behind the
	// erasure, asked again if it is cancelled.
	p["check-erase"], _ = m.Step(check, Event{Kind: EventCommand, Command: CmdErase}, now)
	for range m.Questionnaire().Theme("acces").Questions {
		s, r = m.Step(s, Event{Kind: EventText, Text: "Une réponse assez longue pour être une vraie réponse."}, now)
	}
	p["recap"] = s
	s, r = tap(s, r, actReview, "acces")
	p["review"] = s
	// A sentence typed at the review, waiting for the question it goes
	// with.
	p["review-held"], _ = m.Step(s, Event{Kind: EventText, Text: "j'ajouterais aussi que les tablettes sont trop chères"}, now)
	s, _ = tap(s, r, actEdit, "equipement")
	p["edit"] = s
	// An opinion typed at the menu, theme 1 chosen with nothing left to
	// answer: where to offer it?
	held, _ := m.Step(p["review"], Event{Kind: EventCommand, Command: CmdMenu}, now)
	held, _ = m.Step(held, Event{Kind: EventText, Text: "Les écrans prennent trop de place à l'école, mes enfants sont fatigués"}, now)
	p["held"], _ = m.Step(held, Event{Kind: EventText, Text: "1"}, now)
	return p
}

// readingOf steps text at prompt and tells what the machine did, in the
// words of the corpus, and whether it stored the text as an answer. When
// want does exactly what the machine did (« menu » and « retour » both
// lead to the menu from a first question), want is the reading.
func readingOf(m *Machine, s Session, prompt, text, want string) (string, bool) {
	// With reminders accepted or not, the same buttons.
	prompt = strings.TrimSuffix(prompt, "-reminders")
	now := baseTime.Add(time.Hour)
	ev := Event{Kind: EventText, Text: text}
	if c, ok := ParseCommand(text); ok {
		ev = c
	}
	got, replies := m.Step(s, ev, now)
	if p := s.Pending; p != nil && p.Kind == PendingCheck && !p.Held && len(replies) > 0 {
		// The question's own ways on (« passer ») go on as at the
		// question, the text in question said not kept: read as there.
		note := "\n" + fmt.Sprintf(messagesFor(s.Lang).CheckDropped, p.Text)
		if lead, ok := strings.CutSuffix(replies[0].Lead, note); ok {
			bare := s
			bare.Pending = nil
			there, thereReplies := m.Step(bare, ev, now)
			said := slices.Clone(replies)
			said[0].Lead = lead
			if reflect.DeepEqual(there, got) && reflect.DeepEqual(thereReplies, said) {
				return readingOf(m, bare, "question", text, want)
			}
		}
	}
	same := func(e Event) bool {
		want, wantReplies := m.Step(s, e, now)
		// Typing at a question starts its theme, a command does not
		// (actedAt): the reading is the same.
		want.Started = got.Started
		return reflect.DeepEqual(want, got) && reflect.DeepEqual(wantReplies, replies)
	}
	tapped := func(action, arg string) bool {
		// A tap also takes the tapped prompt's place (markTap); typing
		// does the same thing, the choice shown alike, in a new message.
		if action == actReview {
			arg = s.Reviewed
		}
		want, wantReplies := m.Step(s, Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: action, arg: arg}.String()}, now)
		// Only a tap is remembered, for its repeats (Session.Tap).
		want.Tap, want.TapAt = got.Tap, got.TapAt
		if len(wantReplies) > 0 {
			wantReplies[0].Replaces = false
			// Where the words are read before the buttons (a pending
			// confirmation, a pause), the reply says what was done.
			if l, rest, _ := strings.Cut(wantReplies[0].Lead, "\n"); strings.HasPrefix(l, "✓ ") &&
				(len(replies) == 0 || !strings.HasPrefix(replies[0].Lead, "✓ ")) {
				wantReplies[0].Lead = rest
			}
		}
		return reflect.DeepEqual(want, got) && reflect.DeepEqual(wantReplies, replies)
	}
	labels := map[string][]string{
		"consent":     {"accept:" + actYes, "refuse:" + actNo, "more:" + actMore},
		"academie":    {"skip:" + actSkip},
		"question":    {"skip:" + actSkip, "back:" + actBack, "pause:" + actPause},
		"question2":   {"skip:" + actSkip, "back:" + actBack, "pause:" + actPause},
		"recap":       {"skip:" + actSkip, "back:" + actBack, "pause:" + actPause, "review:" + actReview},
		"edit":        {"cancel:" + actBack, "remove:" + actRemove},
		"review":      {"confirm:" + actConfirm, "menu:" + actMenu},
		"review-held": {"drop:" + actAddNo},
		"erase":       {"no:" + actKeep},
		"check-erase": {"no:" + actKeep},
		"removeprev":  {"yes:" + actRmPrev, "no:" + actKeepPrev},
		"check":       {"yes:" + actStore, "no:" + actRetype},
		"paused":      {"resume:" + actResume},
		"held":        {"yes:" + actHeldYes, "no:" + actHeldNo},
	}
	// The expected reading first, when it does exactly what was done.
	if c, ok := strings.CutPrefix(want, "command:"); ok && c != CmdLanguage && same(Event{Kind: EventCommand, Command: c}) {
		return want, false
	}
	if want == "help" && same(Event{Kind: EventCommand, Command: CmdHelp}) {
		return want, false
	}
	for _, l := range labels[prompt] {
		if name, action, _ := strings.Cut(l, ":"); name == want && tapped(action, "") {
			return name, false
		}
	}
	stored := false
	for k, a := range got.Answers {
		if old, ok := s.Answers[k]; (!ok || old != a) && a.Text == sanitizeText(text) {
			stored = true
		}
	}
	msg := messagesFor(s.Lang)
	first := ""
	if len(replies) > 0 {
		first = replies[0].Text
		if replies[0].Lead != "" {
			first = replies[0].Lead
		}
	}
	prefix := func(format string) string { return strings.Split(format, "%")[0] }
	switch {
	case stored:
		return "answer", true
	case got.Pending != nil && got.Prompt != s.Prompt && len(replies) > 0 &&
		(got.Pending.Kind == PendingErase && strings.HasSuffix(replies[len(replies)-1].Text, fmt.Sprintf(catalogFor(s.Lang, false, "").Privacy.EraseNod, catalogFor(s.Lang, false, "").Privacy.EraseNo)) ||
			got.Pending.Kind == PendingRemovePrev && strings.HasSuffix(replies[len(replies)-1].Text, fmt.Sprintf(msg.RemovePrevNod, msg.RemovePrevNo))):
		// A nod to what cannot be undone: asked once more, plainly.
		return "again", false
	case got.Pending != nil && got.Pending.Kind == PendingRemovePrev:
		return "removeprev", false
	case got.Stage == StageEdit && got.From != "" && got.Pending != nil && got.Pending.Text != "" &&
		(got.Pending.Kind == PendingRevise || got.Pending.Kind == PendingCheck):
		// Another question of the theme, with the text typed for it.
		return fmt.Sprintf("revisit:%d", m.Questionnaire().Theme(got.Theme).questionIndex(got.Question)+1), false
	case s.Reminders.On() && !got.Reminders.On() && got.Stage == StagePaused && s.Stage != StagePaused:
		return "stop+pause", false
	case s.Reminders.On() && !got.Reminders.On():
		return "stop", false
	case first == catalog.For(s.Lang).Reminders.NotOn:
		return "noreminders", false
	case prompt == "academie" && got.Pending != nil && got.Pending.Kind == PendingCheck && got.Pending.Text == sanitizeText(text):
		// The place, and the sentence around it offered as the first
		// question's answer.
		if got.Academie == "" {
			return "abroad+held", false
		}
		return "place+held", false
	case got.Pending != nil && got.Pending.Kind == PendingCheck && got.Prompt != s.Prompt &&
		(s.Pending == nil || got.Pending.Text != s.Pending.Text):
		// A new text in question; the same one asked again is no check.
		return "check", false
	case s.Stage == StageReview && got.Pending != nil && got.Pending.Kind == PendingAdd && strings.HasSuffix(got.Pending.Text, sanitizeText(text)):
		// More to say, kept; asked which question it goes with.
		return "held", false
	case s.Pending != nil && s.Pending.Kind == PendingAdd && got.Stage == StageReview && !reflect.DeepEqual(got.Answers, s.Answers):
		th := m.Questionnaire().Theme(got.Theme)
		for i, q := range th.Questions {
			k := AnswerKey(th.ID, q.ID)
			if a := got.Answers[k]; a != s.Answers[k] && strings.HasSuffix(a.Text, s.Pending.Text) {
				return fmt.Sprintf("add:%d", i+1), false
			}
		}
	case first == msg.AddDropped:
		return "drop", false
	case first == msg.Greeting || first == msg.Hello:
		return "greeting", false
	case s.Stage == StageReview && got.Stage == StagePaused:
		return "pause", false
	case first == msg.Bye:
		return "leave", false
	case first == msg.NotYet:
		return "notyet", false
	case s.Back != "" && got.Back == "" && got.Stage == s.Back && got.Profile == s.Profile && got.Academie == s.Academie:
		// Asked again, left as it was: back where the person was.
		return "keep", false
	case strings.HasPrefix(first, prefix(msg.NotUnderstood)),
		prompt == "academie" && strings.HasPrefix(first, prefix(msg.AcademieNo)):
		return "unclear", false
	case same(Event{Kind: EventCommand, Command: CmdHelp}):
		return "help", false
	case prompt == "consent" && got.LangSaid && !s.LangSaid && got.Lang != s.Lang:
		// The first words after a welcome shown before any (see
		// justWelcomed), in the other language: the welcome again in
		// it, or the consent's details for a question.
		if len(replies) > 0 && replies[0].Title == "" {
			return "more:" + got.Lang, false
		}
		return "welcome:" + got.Lang, false
	case got.Pending != nil && got.Pending.Kind == PendingLanguage || got.Lang != s.Lang || first == msg.LanguageAlready:
		return "command:language", false
	case strings.HasPrefix(first, prefix(msg.AboutAnonymous)):
		return "about:anonymous", false
	case strings.HasPrefix(first, prefix(msg.AboutPurpose)):
		return "about:purpose", false
	case strings.HasPrefix(first, prefix(msg.AboutLength)):
		return "about:length", false
	case strings.HasSuffix(first, msg.AboutLeftTail):
		return "about:left", false
	case strings.HasPrefix(first, prefix(msg.AboutBot)):
		return "about:bot", false
	case first == msg.AboutHere:
		return "about:here", false
	case prompt == "academie" && first == msg.AcademieDeclined && got.Stage == StageMenu && got.Academie == "":
		// Passer, with a kind word.
		return "skip", false
	case strings.Contains(first, msg.ProfileHeld) && got.Held == text && got.Profile != "":
		// Who one is and an opinion: the profile, the opinion kept.
		return "profile:" + got.Profile + "+held", false
	case (first == msg.AcademieHeld || first == msg.MenuHeld) && strings.HasSuffix(got.Held, text):
		return "held", false
	case (strings.HasPrefix(first, prefix(msg.ProfileSet)) || strings.HasPrefix(first, prefix(msg.ProfileSame))) && got.Stage == s.Stage:
		return "setprofile:" + got.Profile, false
	case got.Stage == StageProfile && (got.Back != "" || s.Stage == StageAcademie):
		return "changeprofile", false
	case got.Stage == StageAcademie && got.Back != "":
		return "changeacademie", false
	case got.Academie != s.Academie && s.Stage != StageAcademie && got.Stage == s.Stage:
		return "setacademie", false
	case prompt == "recap" && strings.HasPrefix(first, prefix(msg.Validated)) && got.Reviewed == "" && got.Question == s.Question:
		return "validated", false
	case prompt == "consent" && !got.ConsentAt.IsZero() && got.Profile != "":
		return "accept+profile:" + got.Profile, false
	case prompt == "profile" && got.Profile != "" && (got.Academie != "" || got.Pending != nil && got.Pending.Kind == PendingPlace):
		return withAcademie("profile:"+got.Profile+"+place", want, got), false
	}
	for id, about := range msg.ThemeAbout {
		if strings.Contains(first, about) {
			return "themeabout:" + id, false
		}
	}
	for topic, w := range msg.Words {
		if first == w {
			return "word:" + topic, false
		}
	}
	for topic, h := range msg.HowTo {
		if first == h {
			return "howto:" + topic, false
		}
	}
	switch first {
	case msg.AnswersNext:
		return "howto:" + howToChange, false
	case catalogFor(s.Lang, false, "").Privacy.DataCorrect:
		return "howto:" + howToCorrect, false
	}
	switch {
	case first == msg.NoBack:
		return "noback", false
	case strings.HasPrefix(first, msg.ThanksBack):
		return "thanks", false
	case strings.HasPrefix(first, prefix(msg.NoSuchOption)):
		return "nooption", false
	case strings.HasPrefix(first, prefix(msg.OneAtATime)):
		return "oneatatime", false
	case first == msg.SeveralProfilesAny, strings.HasPrefix(first, prefix(msg.SeveralProfiles)):
		return "several", false
	case strings.HasPrefix(first, prefix(msg.ProfileKin)) && got.Stage == StageProfile && got.Profile == "":
		// Family who are not the parents: asked which profile fits.
		return "kin", false
	}
	for _, l := range labels[prompt] {
		if name, action, _ := strings.Cut(l, ":"); tapped(action, "") {
			return name, false
		}
	}
	switch strings.TrimSuffix(prompt, "-again") {
	case "profile":
		if got.Profile != "" {
			return "profile:" + got.Profile, false
		}
	case "menu":
		if got.Theme != "" && got.Stage != StageMenu {
			return "theme:" + got.Theme, false
		}
	case "academie":
		if got.Pending != nil && got.Pending.Kind == PendingPlace && slices.Contains(got.Pending.Places, placeAbroad) {
			// French communes named after a place abroad, offered
			// beside « À l'étranger ».
			return "place-or-abroad", false
		}
		if got.Academie != "" || got.Pending != nil && got.Pending.Kind == PendingPlace {
			return withAcademie("place", want, got), false
		}
		if got.Stage == StageMenu && strings.HasPrefix(first, msg.AcademieAbroad) {
			return "abroad", false
		}
		if _, tail, _ := strings.Cut(msg.AcademieVice, "%s"); got.Stage == StageMenu && strings.HasSuffix(first, tail) {
			return "vice-rectorat", false
		}
	case "review", "review-held", "recap", "question", "edit", "paused":
		// A sentence kept at the review, still kept after the change.
		held := ""
		if s.Pending != nil && s.Pending.Kind == PendingAdd && got.Pending != nil && got.Pending.Text == s.Pending.Text {
			held = "+held"
		}
		if got.Stage == StageReview && len(got.Answers) < len(s.Answers) {
			th := m.Questionnaire().Theme(got.Theme)
			for i, q := range th.Questions {
				if _, ok := got.Answers[AnswerKey(th.ID, q.ID)]; !ok {
					if _, had := s.Answers[AnswerKey(th.ID, q.ID)]; had {
						return fmt.Sprintf("remove%s:%d", held, i+1), false
					}
				}
			}
		}
		if got.Stage == StageEdit {
			th := m.Questionnaire().Theme(got.Theme)
			return fmt.Sprintf("edit%s:%d", held, th.questionIndex(got.Question)+1), false
		}
		if got.Theme != s.Theme && (got.Stage == StageQuestion || got.Stage == StageReview) {
			// Another theme asked for by its number.
			return "theme:" + got.Theme, false
		}
	case "erase", "check-erase":
		if got.Stage == StageErased {
			return "yes", false
		}
	}
	for _, c := range CommandList() {
		if c.Name != CmdHelp && c.Name != CmdLanguage && same(Event{Kind: EventCommand, Command: c.Name}) {
			return "command:" + c.Name, false
		}
	}
	return fmt.Sprintf("other (%q)", first), false
}

// withAcademie adds to reading the académie recorded (« place:Créteil »),
// or « ? » when the person is asked which place, where the corpus names
// the académie it expects.
func withAcademie(reading, want string, got Session) string {
	if !strings.HasPrefix(want, reading+":") {
		return reading
	}
	if got.Academie == "" {
		return reading + ":?"
	}
	return reading + ":" + got.Academie
}

// TestStartWordsAtTheMenu checks that « start », « commencer » or
// « reprendre » typed at the menu go on as a person means there: the
// question left in progress, else the first theme not validated; nothing
// of the onboarding is asked again.
func TestStartWordsAtTheMenu(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	// The second question of theme 1 in progress, the menu opened.
	s, _ := m.Step(prompts["question"], Event{Kind: EventText, Text: "Des ordinateurs prêtés par le collège."}, baseTime)
	inProgress, _ := m.Step(s, Event{Kind: EventCommand, Command: CmdMenu}, baseTime)
	if inProgress.Stage != StageMenu {
		t.Fatalf("menu: at %s", inProgress.Stage)
	}
	for _, word := range []string{"start", "commencer", "reprendre", "Démarrer !", "continue"} {
		got, _ := m.Step(prompts["menu"], Event{Kind: EventText, Text: word}, baseTime)
		if got.Stage != StageQuestion || got.Theme != "acces" || got.Question != "equipement" || got.ConsentAt != prompts["menu"].ConsentAt {
			t.Errorf("fresh menu, %q: at %s %s/%s, want theme 1's first question", word, got.Stage, got.Theme, got.Question)
		}
		got, _ = m.Step(inProgress, Event{Kind: EventText, Text: word}, baseTime)
		if got.Stage != StageQuestion || got.Question != s.Question {
			t.Errorf("menu with %s in progress, %q: at %s %s, want it again", s.Question, word, got.Stage, got.Question)
		}
	}
	for _, word := range []string{"recommencer", "/start"} {
		ev := Event{Kind: EventText, Text: word}
		if c, ok := ParseCommand(word); ok {
			ev = c
		}
		if got, _ := m.Step(prompts["menu"], ev, baseTime); got.Stage != StageMenu {
			t.Errorf("%q at the menu: at %s, want the menu shown again", word, got.Stage)
		}
	}
}

// TestHeldAtMenuNeverDropped checks that an opinion typed at the menu is
// never dropped unsaid when the theme chosen has no question left: it is
// offered at another theme's first unanswered question, if the person
// wants, and given back in full when no question is left anywhere.
func TestHeldAtMenuNeverDropped(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	const opinion = "Les écrans prennent trop de place à l'école, mes enfants sont fatigués"
	hold := func(s Session) Session {
		s, _ = m.Step(s, Event{Kind: EventCommand, Command: CmdMenu}, baseTime)
		s, _ = m.Step(s, Event{Kind: EventText, Text: opinion}, baseTime)
		if s.Held != opinion {
			t.Fatalf("not kept at the menu: %+v", s)
		}
		return s
	}
	// Theme 1 answered in full, the opinion typed at the menu, theme 1 chosen.
	s, r := m.Step(hold(prompts["review"]), Event{Kind: EventText, Text: "1"}, baseTime)
	if s.Pending == nil || s.Pending.Kind != PendingHeld || len(r) == 0 || !strings.Contains(r[len(r)-1].Text, opinion) {
		t.Fatalf("theme 1 chosen: pending %+v, replies %+v; want the opinion offered elsewhere", s.Pending, r)
	}
	yes, _ := m.Step(s, Event{Kind: EventText, Text: "oui"}, baseTime)
	if yes.Theme != "enseigner" || yes.Stage != StageQuestion || yes.Pending == nil || yes.Pending.Kind != PendingCheck || yes.Pending.Text != opinion {
		t.Errorf("oui: at %s %s/%s, pending %+v; want theme 2's first question, the opinion in question", yes.Stage, yes.Theme, yes.Question, yes.Pending)
	}
	stored, _ := m.Step(yes, Event{Kind: EventText, Text: "oui"}, baseTime)
	if a := stored.Answers[AnswerKey("enseigner", yes.Question)]; a.Text != opinion {
		t.Errorf("confirmed: answer %q, want the opinion", a.Text)
	}
	no, r := m.Step(s, Event{Kind: EventText, Text: "non"}, baseTime)
	if no.Stage != StageReview || no.Theme != "acces" || no.Pending != nil || len(r) == 0 || !strings.Contains(r[0].Lead, messagesFor(LangFR).HeldDropped) {
		t.Errorf("non: at %s %s, replies %+v; want theme 1's review, the opinion dropped and said", no.Stage, no.Theme, r)
	}

	// Every question answered: the opinion is given back in full.
	full := prompts["review"]
	full.Answers = maps.Clone(full.Answers)
	for _, th := range m.Questionnaire().Themes {
		for _, q := range th.Questions {
			full.Answers[AnswerKey(th.ID, q.ID)] = Answer{Text: "Une réponse."}
		}
	}
	s, r = m.Step(hold(full), Event{Kind: EventText, Text: "1"}, baseTime)
	said := ""
	for _, x := range r {
		said += x.Lead + "\n" + x.Text
	}
	if s.Stage != StageReview || s.Pending != nil || !strings.Contains(said, "« "+opinion+" »") {
		t.Errorf("all answered: at %s, pending %+v, said %q; want the review and the opinion in full", s.Stage, s.Pending, said)
	}
}

// TestAnyoneThereAfterAPause checks that « y a quelqu'un ? » after a pause
// gets one message: the bot is here, « Voici où nous en étions. », and the
// question where the person stopped, with no « Reprenons là où vous en
// étiez. » saying the same again.
func TestAnyoneThereAfterAPause(t *testing.T) {
	m := NewMachine(nil, Config{})
	paused := corpusPrompts(t, m)["paused"]
	for _, tt := range []struct{ lang, in string }{
		{LangFR, "y a quelqu'un ?"},
		{LangFR, "vous etes la ?"},
		{LangFR, "Y A QUELQU UN"},
		{LangEN, "is anyone there?"},
	} {
		s := paused
		s.Lang = tt.lang
		msg := messagesFor(tt.lang)
		got, replies := m.Step(s, Event{Kind: EventText, Text: tt.in}, baseTime)
		if got.Stage != StageQuestion || len(replies) != 1 || replies[0].Lead != msg.AboutHere || len(replies[0].Options) == 0 {
			t.Errorf("%s %q: at %s, replies %+v; want one message, « %s » above the question", tt.lang, tt.in, got.Stage, replies, msg.AboutHere)
		}
		for _, r := range replies {
			if strings.Contains(r.Lead+r.Text, msg.Resuming) {
				t.Errorf("%s %q: « %s » said below « %s »", tt.lang, tt.in, msg.Resuming, msg.AboutHere)
			}
		}
	}
	// Coming back otherwise still says it.
	_, replies := m.Step(paused, Event{Kind: EventText, Text: "bonjour"}, baseTime)
	if len(replies) == 0 || replies[0].Lead != messagesFor(LangFR).Resuming {
		t.Errorf("« bonjour » after a pause: %+v, want « %s » above the question", replies, messagesFor(LangFR).Resuming)
	}
}

// TestShortRepliesFromAPhone checks the short replies a parent types on a
// phone (a nod, a shrug, a laugh, a hesitation, « d'acc », « re »): never
// stored as an answer at once, never read as a place the bot failed to
// recognise, never taken for English.
func TestShortRepliesFromAPhone(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	fr := messagesFor(LangFR)
	for _, in := range []string{"euh", "hmm", "ah", "bah", "ah bon", "ok d'accord", "ouep", "tkt", "osef", "jpp", "mdrr"} {
		for _, prompt := range []string{"question", "paused", "recap"} {
			got, replies := m.Step(p[prompt], Event{Kind: EventText, Text: in}, baseTime)
			if len(got.Answers) != len(p[prompt].Answers) {
				t.Errorf("@%s %q: stored as an answer (%+v)", prompt, in, replies)
			}
			// Below the recap, a yes validates the theme just done.
			if prompt == "question" && (got.Pending == nil || got.Pending.Kind != PendingCheck) {
				t.Errorf("@%s %q: pending %+v, want « Est-ce votre réponse ? »", prompt, in, got.Pending)
			}
		}
	}
	notPlace := strings.Split(fr.AcademieNo, "%")[0]
	for _, in := range []string{"ok", "oui oui", "👍", "mdr", "bof", "euh", "...", "😂", "merci", "ok merci"} {
		got, replies := m.Step(p["academie"], Event{Kind: EventText, Text: in}, baseTime)
		var said strings.Builder
		for _, r := range replies {
			said.WriteString(r.Lead + "\n" + r.Text + "\n")
		}
		if got.Stage != StageAcademie || strings.Contains(said.String(), notPlace) || len(replies[len(replies)-1].Options) == 0 {
			t.Errorf("@academie %q: at %s, said %q; want the help or thanks, and the question again", in, got.Stage, said.String())
		}
	}
	for in, want := range map[string]Stage{"d'acc": StageProfile, "ouep": StageProfile, "re": StageConsent} {
		got, replies := m.Step(p["consent"], Event{Kind: EventText, Text: in}, baseTime)
		if got.Lang != LangFR || got.Stage != want {
			t.Errorf("@consent %q: %s at %s (%+v), want French at %s", in, got.Lang, got.Stage, replies, want)
		}
	}
}
