package flows

import (
	"slices"
	"strings"
	"testing"
)

// TestPlacesPeopleType steps the places of the issue report at the
// académie prompt: each is recorded with its académie, or asked about with
// buttons when several places share the name.
func TestPlacesPeopleType(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	for _, tt := range []struct {
		in, academie string
		ask          []string // button labels, when the name is ambiguous
		says         string
	}{
		{in: "Montreuil", academie: "Créteil", says: "Montreuil (93), académie de Créteil"},
		{in: "Saint-Denis", ask: []string{"Saint-Denis (974)", "Saint-Denis (93)", "Passer"}},
		{in: "Seine-St-Denis", academie: "Créteil"},
		{in: "Bordeau", academie: "Bordeaux", says: "académie de Bordeaux"},
		{in: "Paris 15e", academie: "Paris"},
		{in: "St Etienne", academie: "Lyon", says: "Saint-Étienne (42), académie de Lyon"},
		{in: "académie de Aix-Marseille", academie: "Aix-Marseille", says: "académie d'Aix-Marseille"},
		{in: "2A", academie: "Corse"},
		{in: "Orléans", academie: "Orléans-Tours", says: "d'Orléans-Tours"},
	} {
		got, replies := m.Step(prompts["academie"], Event{Kind: EventText, Text: tt.in}, baseTime)
		if tt.ask != nil {
			var labels []string
			for _, o := range replies[len(replies)-1].Options {
				labels = append(labels, o.Label)
			}
			if got.Pending == nil || got.Pending.Kind != PendingPlace || strings.Join(labels, "|") != strings.Join(tt.ask, "|") {
				t.Errorf("%q: asked %q (pending %+v), want buttons %q", tt.in, labels, got.Pending, tt.ask)
			}
			continue
		}
		if got.Academie != tt.academie {
			t.Errorf("%q: académie %q, want %q", tt.in, got.Academie, tt.academie)
		}
		if len(replies) == 0 || !strings.Contains(replies[0].Lead, tt.says) {
			t.Errorf("%q: says %+v, want it to say %q", tt.in, replies, tt.says)
		}
	}
}

// TestUnknownPlaceHintSaysAbroad: the hint after a place the bot does not
// know (« Atlantis ») and the académie help say how to answer from outside
// France, in words the bot then understands.
func TestUnknownPlaceHintSaysAbroad(t *testing.T) {
	m := NewMachine(nil, Config{})
	for lang, abroad := range map[string]string{LangFR: "à l'étranger", LangEN: "abroad"} {
		s := corpusPrompts(t, m)["academie"]
		s.Lang = lang
		for _, ev := range []Event{{Kind: EventText, Text: "Atlantis"}, {Kind: EventCommand, Command: CmdHelp}} {
			got, replies := m.Step(s, ev, baseTime)
			var all strings.Builder
			for _, r := range replies {
				all.WriteString(r.Lead + "\n" + r.Text + "\n")
			}
			if got.Stage != StageAcademie || !strings.Contains(all.String(), abroad) {
				t.Errorf("%s %s %q: stage %q, the replies do not say %q:\n%s", lang, ev.Kind, ev.Text+ev.Command, got.Stage, abroad, all.String())
			}
			after, replies := m.Step(got, Event{Kind: EventText, Text: abroad}, baseTime)
			if after.Stage != StageMenu || len(replies) == 0 || !strings.Contains(replies[0].Lead+replies[0].Text, catalogFor(lang, false, "").Flow.AcademieAbroad) {
				t.Errorf("%s: %q typed as the hint says is not read as abroad: %+v", lang, abroad, replies)
			}
		}
	}
}

// TestAcademieTakesALongSentence: the académie prompt lets a client send
// as long a text as an answer, and a long sentence about the subject typed
// there is kept for the first question, not refused for its length.
func TestAcademieTakesALongSentence(t *testing.T) {
	m := NewMachine(nil, Config{})
	s := corpusPrompts(t, m)["academie"]
	r, _ := (&step{m: m, s: s}).academiePrompt()
	long := "Mes enfants n'ont pas d'ordinateur à la maison, ils font leurs devoirs sur mon téléphone et c'est vraiment compliqué pour tout le monde."
	if r.MaxLen < len([]rune(long)) {
		t.Fatalf("the académie prompt takes at most %d characters: a %d-character sentence is refused", r.MaxLen, len([]rune(long)))
	}
	got, _ := m.Step(s, Event{Kind: EventText, Text: long}, baseTime)
	if got.Held != long {
		t.Errorf("a long sentence at the académie is not kept: held %q", got.Held)
	}
}

// TestPlaceInASentence: a place said inside a sentence is recorded, and
// the rest of the sentence offered as the first question's answer.
func TestPlaceInASentence(t *testing.T) {
	m := NewMachine(nil, Config{})
	s := corpusPrompts(t, m)["academie"]
	s.Theme = "acces"
	text := "j'habite à Lyon et mes enfants n'ont pas d'ordinateur"
	got, replies := m.Step(s, Event{Kind: EventText, Text: text}, baseTime)
	if got.Academie != "Lyon" {
		t.Errorf("%q: académie %q, want Lyon", text, got.Academie)
	}
	if got.Stage != StageQuestion || got.Pending == nil || got.Pending.Kind != PendingCheck || got.Pending.Text != text {
		t.Errorf("%q: the sentence is not offered as the first answer: stage %s, pending %+v, replies %+v", text, got.Stage, got.Pending, replies)
	}
}

// TestAbroadAtHomonyms: below the French communes named Montréal,
// « Canada » or « au Québec » says the person is abroad.
func TestAbroadAtHomonyms(t *testing.T) {
	m := NewMachine(nil, Config{})
	s, _ := m.Step(corpusPrompts(t, m)["academie"], Event{Kind: EventText, Text: "Montréal"}, baseTime)
	if s.Pending == nil || s.Pending.Kind != PendingPlace {
		t.Fatalf("Montréal: no question about its homonyms: %+v", s.Pending)
	}
	for _, in := range []string{"Canada", "au Québec", "c'est au Canada", "à l'étranger"} {
		got, replies := m.Step(s, Event{Kind: EventText, Text: in}, baseTime)
		if got.Stage != StageMenu || got.Academie != "" || len(replies) == 0 || !strings.Contains(replies[0].Lead+replies[0].Text, messagesFor(LangFR).AcademieAbroad) {
			t.Errorf("%q below Montréal's homonyms: stage %s, académie %q, replies %+v", in, got.Stage, got.Academie, replies)
		}
	}
}

// TestUnknownPlaceAsksAgain: after a place the bot does not know, the
// prompt to show again is the question, the note about what was typed
// set apart above it (a client showing the prompt again shows no error).
func TestUnknownPlaceAsksAgain(t *testing.T) {
	m := NewMachine(nil, Config{})
	_, replies := m.Step(corpusPrompts(t, m)["academie"], Event{Kind: EventText, Text: "abcxyz"}, baseTime)
	last := replies[len(replies)-1]
	if strings.Contains(last.Text, "abcxyz") || !strings.Contains(last.Lead, "abcxyz") || !strings.Contains(last.Text, "académie") {
		t.Errorf("the prompt after an unknown place: lead %q, text %q; want the note in the lead, the question in the text", last.Lead, last.Text)
	}
}

// TestPlaceAbroadNamedLikeAVillage: « Argentine », a country and a
// village of the Savoie, records neither on a guess: the village and
// « À l'étranger » are offered, one tap each; the name typed again gets
// the help, not the village.
func TestPlaceAbroadNamedLikeAVillage(t *testing.T) {
	m := NewMachine(nil, Config{})
	for _, lang := range []string{LangFR, LangEN} {
		s := corpusPrompts(t, m)["academie"]
		s.Lang = lang
		msg := messagesFor(lang)
		asked, replies := m.Step(s, Event{Kind: EventText, Text: "Argentine"}, baseTime)
		last := replies[len(replies)-1]
		var labels []string
		for _, o := range last.Options {
			labels = append(labels, o.Label)
		}
		if want := []string{"Argentine (73)", msg.PlaceAbroad, msg.Skip}; asked.Academie != "" || last.Text != msg.PlaceOrAbroad || !slices.Equal(labels, want) {
			t.Fatalf("%s Argentine: académie %q, asked %q %q, want %q %q", lang, asked.Academie, last.Text, labels, msg.PlaceOrAbroad, want)
		}
		tap := func(label string) (Session, []Reply) {
			for _, o := range last.Options {
				if o.Label == label {
					return m.Step(asked, Event{Kind: EventChoice, Token: o.Token}, baseTime)
				}
			}
			t.Fatalf("no button %q", label)
			return Session{}, nil
		}
		if got, replies := tap(msg.PlaceAbroad); got.Stage != StageMenu || got.Academie != "" || got.Pending != nil || !strings.Contains(replies[0].Lead, msg.AcademieAbroad) {
			t.Errorf("%s: abroad tapped: stage %s, académie %q, pending %+v, replies %+v", lang, got.Stage, got.Academie, got.Pending, replies)
		}
		if got, _ := tap("Argentine (73)"); got.Stage != StageMenu || got.Academie != "Grenoble" {
			t.Errorf("%s: the village tapped: stage %s, académie %q", lang, got.Stage, got.Academie)
		}
		for _, in := range []string{"Argentine", "argentine"} {
			got, replies := m.Step(asked, Event{Kind: EventText, Text: in}, baseTime)
			if got.Academie != "" || got.Pending == nil || len(replies) == 0 || replies[0].Lead != msg.PlaceAbroadHelp {
				t.Errorf("%s %q typed below the question: académie %q, pending %+v, replies %+v", lang, in, got.Academie, got.Pending, replies)
			}
		}
		if got, _ := m.Step(asked, Event{Kind: EventText, Text: "Argentine 73"}, baseTime); got.Academie != "Grenoble" {
			t.Errorf("%s: « Argentine 73 » below the question: académie %q, want Grenoble", lang, got.Academie)
		}
	}
}

// TestPlacesAbroadShadowOnlyVillages keeps the list of places abroad to
// names whose French namesakes are villages or small towns: a town
// people know as French (Vienne, Valence, Bruges) is recorded at once and
// must not be in it.
func TestPlacesAbroadShadowOnlyVillages(t *testing.T) {
	const maxPop = 5000
	var names []string
	for n := range foreign {
		names = append(names, n)
	}
	for n := range foreignPhrases {
		names = append(names, n)
	}
	asked := 0
	for _, n := range names {
		pr := readPlaceWhole(n, n)
		if !pr.abroad && !pr.alsoAbroad {
			t.Errorf("%q: neither abroad nor asked about", n)
		}
		if pr.alsoAbroad {
			asked++
		}
		for _, p := range pr.matches {
			if p.Pop >= maxPop || !p.Town {
				t.Errorf("%q is in the list of places abroad, but %s (%d inhabitants) bears the name", n, p.Label, p.Pop)
			}
		}
	}
	if asked < 4 {
		t.Errorf("only %d places abroad are named like French villages; Argentine, Berne, Le Caire, Montréal at least", asked)
	}
}

// TestTownThatIsAWord checks that a small town whose name is a common
// word (Ligné, « en ligne ») is read as a place only where it is one:
// alone or after « à » at the académie, and after a profile when written
// as a name; « prof en ligne » gives the profile and asks the académie.
func TestTownThatIsAWord(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	for _, tt := range []struct {
		prompt, in string
		academie   string
		stage      Stage
	}{
		{"profile", "prof en ligne", "", StageAcademie},
		{"profile", "je suis enseignante en ligne", "", StageAcademie},
		{"profile", "prof en mer", "", StageAcademie},
		{"profile", "prof à Ligné", "Nantes", StageMenu},
		{"profile", "prof a ligné", "Nantes", StageMenu},
		{"academie", "Ligné", "Nantes", StageMenu},
		{"academie", "à Ligné", "Nantes", StageMenu},
		{"academie", "je suis en ligne", "", StageAcademie},
	} {
		got, replies := m.Step(prompts[tt.prompt], Event{Kind: EventText, Text: tt.in}, baseTime)
		if got.Academie != tt.academie || got.Stage != tt.stage {
			t.Errorf("@%s %q: académie %q at %s, want %q at %s (%+v)", tt.prompt, tt.in, got.Academie, got.Stage, tt.academie, tt.stage, replies)
		}
		if tt.academie == "" && slices.ContainsFunc(replies, func(r Reply) bool { return strings.Contains(r.Lead+r.Text, "Ligné") }) {
			t.Errorf("@%s %q: Ligné named in %+v", tt.prompt, tt.in, replies)
		}
	}
}

// TestNothingToSayAtTheAcademie checks that the words for « nothing to
// say » at the first académie prompt skip it as « Passer » does, saying
// that it is optional: the menu follows, no académie recorded.
func TestNothingToSayAtTheAcademie(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	for _, in := range []string{"rien", "c bon", "aucune", "pas envie de dire", "je préfère ne pas dire", "c'est bon", "nothing"} {
		got, replies := m.Step(prompts["academie"], Event{Kind: EventText, Text: in}, baseTime)
		if got.Stage != StageMenu || got.Academie != "" || len(replies) == 0 || replies[0].Lead != messagesFor(LangFR).AcademieDeclined {
			t.Errorf("%q: at %s, académie %q, replies %+v; want the menu after « %s »", in, got.Stage, got.Academie, replies, messagesFor(LangFR).AcademieDeclined)
		}
	}
}

// TestDepartementHoldingATown checks that a département whose name holds
// a town's or another département's (Seine-Saint-Denis and Saint-Denis,
// Val-de-Marne and Marne, Bouches-du-Rhône and Rhône), typed in lowercase
// without hyphens, with a typo or « st », is that département: after a
// profile in the same message and at the académie prompt.
func TestDepartementHoldingATown(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	for _, tt := range []struct {
		prompt, in, academie, says string
	}{
		{"profile", "prof en seine saint denis", "Créteil", "Seine-Saint-Denis (93)"},
		{"profile", "je suis prof en seine st denis", "Créteil", "Seine-Saint-Denis (93)"},
		{"profile", "teacher in seine saint denis", "Créteil", "Seine-Saint-Denis (93)"},
		{"profile", "maman val de marne", "Créteil", "Val-de-Marne (94)"},
		{"profile", "parent seine et marne", "Créteil", "Seine-et-Marne (77)"},
		{"profile", "papa bouche du rhone", "Aix-Marseille", "Bouches-du-Rhône (13)"},
		{"profile", "parent cote d armor", "Rennes", "Côtes-d'Armor (22)"},
		{"profile", "prof en haute garonne", "Toulouse", "Haute-Garonne (31)"},
		{"profile", "parent pyrenees atlantiques", "Bordeaux", "Pyrénées-Atlantiques (64)"},
		{"profile", "parent val d oise", "Versailles", "Val-d'Oise (95)"},
		{"academie", "seine saint denis", "Créteil", "Seine-Saint-Denis (93)"},
		{"academie", "prof en seine saint denis", "Créteil", "Seine-Saint-Denis (93)"},
		{"academie", "bouches du rhone", "Aix-Marseille", "Bouches-du-Rhône (13)"},
		{"academie-again", "val de marne", "Créteil", "Val-de-Marne (94)"},
	} {
		got, replies := m.Step(prompts[tt.prompt], Event{Kind: EventText, Text: tt.in}, baseTime)
		if got.Academie != tt.academie || got.Stage != StageMenu || len(replies) == 0 || !strings.Contains(replies[0].Lead, tt.says) {
			t.Errorf("@%s %q: académie %q at %s, replies %+v; want %s, académie de %s, and the menu", tt.prompt, tt.in, got.Academie, got.Stage, replies, tt.says, tt.academie)
		}
	}
	// A town alone still asks which one.
	got, _ := m.Step(prompts["profile"], Event{Kind: EventText, Text: "prof à saint denis"}, baseTime)
	if got.Pending == nil || got.Pending.Kind != PendingPlace || len(got.Pending.Places) != 2 {
		t.Errorf("« prof à saint denis »: pending %+v, want the two Saint-Denis offered", got.Pending)
	}
}
