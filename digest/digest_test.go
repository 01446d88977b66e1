package digest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"consultbot/flows"
)

func TestTokenizeDropsStopWordsShortWordsAndNumbers(t *testing.T) {
	var got []string
	tokenize("Les ÉLÈVES ont besoin d'ordinateurs en 2024 et de la 4G, aujourd'hui ; très vite !", func(tk token) {
		got = append(got, tk.key+"/"+tk.form)
	})
	tokenize("e\u0301le\u0300ve", func(tk token) { got = append(got, tk.key) })
	want := []string{"eleves/élèves", "besoin/besoin", "ordinateurs/ordinateurs", "eleve"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
}

func TestStopWordListIsAProperList(t *testing.T) {
	if n := len(stopSet); n < 300 {
		t.Errorf("stop word list has %d distinct words, want at least 300", n)
	}
	for _, w := range []string{"les", "des", "pour", "avec", "très", "tres", "être", "aussi", "faut", "cela", "notre"} {
		if !isStopWord(foldAccents(w)) {
			t.Errorf("%q is not a stop word", w)
		}
	}
	for _, w := range []string{"école", "élève", "parents", "tablette", "connexion", "numérique"} {
		if isStopWord(foldAccents(w)) {
			t.Errorf("%q is a stop word; it carries meaning", w)
		}
	}
}

func TestPluralStem(t *testing.T) {
	vocab := map[string]bool{"eleve": true, "eleves": true, "jeu": true, "jeux": true, "fois": true, "tablettes": true}
	known := func(k string) bool { return vocab[k] }
	for in, want := range map[string]string{
		"eleves":    "eleve",
		"jeux":      "jeu",
		"fois":      "fois",      // "foi" does not occur: nothing is invented
		"tablettes": "tablettes", // nor "tablette"
		"eleve":     "eleve",
	} {
		if got := pluralStem(in, known); got != want {
			t.Errorf("pluralStem(%q) = %q, want %q", in, got, want)
		}
	}
}

// input returns a one-question input over the default questionnaire, every
// answer new.
func input(texts ...string) Input {
	in := Input{Questionnaire: flows.DefaultQuestionnaire(), Lang: "fr"}
	for i, s := range texts {
		in.Answers = append(in.Answers, Answer{
			ID: uint64(100 + i), Participant: fmt.Sprintf("telegram:%d", i), Channel: "telegram",
			Profile: "parent", Theme: "acces", Question: "equipement", Text: s,
			CreatedAt: fixSince.Add(time.Duration(i) * time.Minute),
		})
	}
	return in
}

func question(t *testing.T, d Digest, theme, q string) QuestionDigest {
	t.Helper()
	for _, th := range d.Themes {
		for _, qd := range th.Questions {
			if th.ID == theme && qd.ID == q {
				return qd
			}
		}
	}
	t.Fatalf("no question %s/%s in the digest", theme, q)
	return QuestionDigest{}
}

func TestWordsFoldCasePluralsAndAccents(t *testing.T) {
	d := Compute(input(
		"Les élèves ont besoin de tablettes.",
		"Une tablette par ÉLÈVE, c'est un besoin.",
		"Chaque eleve devrait avoir sa tablette et une connexion.",
		"Des tablettes, des tablettes, des tablettes !",
	))
	q := question(t, d, "acces", "equipement")
	want := []Word{{"tablette", 4}, {"élève", 3}, {"besoin", 2}}
	// "tablettes" (2 answers) and "tablette" (2) fold into one word shown
	// in its singular spelling; "élèves", "ÉLÈVE" and "eleve" into "élève".
	// A word used by one answer only ("connexion") is not frequent.
	if diff := cmp.Diff(want, q.Words); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
}

func TestCentralAnswerIsQuotedFirst(t *testing.T) {
	d := Compute(input(
		"Mon chat s'appelle Minou.",
		"Il faut une connexion internet gratuite pour les familles.",
		"Un ordinateur portable pour chaque élève de sixième.",
		// This one shares its words with each of the others: it is the
		// most central.
		"Un ordinateur portable et une connexion internet gratuite pour chaque élève et sa famille.",
		"Les familles modestes n'ont pas d'ordinateur portable.",
		"La connexion internet gratuite au collège aiderait chaque élève.",
	))
	q := question(t, d, "acces", "equipement")
	if len(q.Quotes) != 3 {
		t.Fatalf("got %d quotes, want 3: %+v", len(q.Quotes), q.Quotes)
	}
	if q.Quotes[0].AnswerID != 103 {
		t.Errorf("first quote is #%d %q, want the central #103", q.Quotes[0].AnswerID, q.Quotes[0].Text)
	}
	for _, qt := range q.Quotes {
		if qt.AnswerID == 100 {
			t.Errorf("the off-topic answer #100 was quoted")
		}
	}
	for i := 1; i < len(q.Quotes); i++ {
		if q.Quotes[i].Score > q.Quotes[i-1].Score {
			t.Errorf("quotes not in decreasing score: %+v", q.Quotes)
		}
	}
}

func TestQuotesAreDeterministicAndSkipNearDuplicates(t *testing.T) {
	texts := []string{
		"Un ordinateur portable pour chaque élève.",
		"Un ordinateur portable pour chaque élève !",
		"Un ordinateur portable pour chaque élève.",
		"Une connexion internet gratuite pour chaque famille.",
		"Former les parents aux outils numériques de l'école.",
	}
	in := input(texts...)
	want := Compute(in)
	q := question(t, want, "acces", "equipement")
	// The three copies are the most central answers, but only the one
	// with the lowest id is quoted; the other two quotes say other things.
	var copies []uint64
	for _, qt := range q.Quotes {
		if qt.AnswerID <= 102 {
			copies = append(copies, qt.AnswerID)
		}
	}
	if !slices.Equal(copies, []uint64{100}) || len(q.Quotes) != 3 {
		t.Errorf("quotes %+v; want #100 once and two other answers", q.Quotes)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		shuffled := slices.Clone(in.Answers)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		in2 := in
		in2.Answers = shuffled
		if diff := cmp.Diff(want, Compute(in2)); diff != "" {
			t.Fatalf("digest depends on answer order (-first +shuffled):\n%s", diff)
		}
	}
}

func TestShortenEndsAtASentenceOrAWord(t *testing.T) {
	first := "Il faudrait des ateliers pour les parents, le samedi matin, à l'école du quartier."
	long := strings.Repeat("numérique éducatif ", 30)
	for _, tc := range []struct {
		name, in string
		max      int
		want     string
	}{
		{"fits", "Court et clair.", 40, "Court et clair."},
		{"exactly the limit", "abcde fghij", 11, "abcde fghij"},
		{"whole sentences", first + " Beaucoup de parents n'osent pas le dire.", 100, first + " …"},
		{"sentence closed by a bracket", "Des ateliers (le samedi, à l'école). Ensuite des permanences chaque mois au collège.", 50, "Des ateliers (le samedi, à l'école). …"},
		{"French quotation closed after a space", "Elle a dit « on verra. » Rien n'a changé depuis deux ans dans notre collège.", 44, "Elle a dit « on verra. » …"},
		{"question and exclamation", "Qui paie ? Personne ! Il faut un budget national pour les tablettes.", 30, "Qui paie ? Personne ! …"},
		{"first sentence too short: a word boundary", "Oui. Il faudrait prêter un ordinateur portable à chaque élève dès la sixième.", 40, "Oui. Il faudrait prêter un ordinateur…"},
		{"no sentence end: a word boundary", long, 40, "numérique éducatif numérique éducatif…"},
		{"limit right after a word", "abc def ghi jkl", 8, "abc def…"},
		{"punctuation before the cut is dropped", "un deux, trois quatre cinq six", 15, "un deux, trois…"},
		{"comma before the cut", "un deux, troisième quatre", 12, "un deux…"},
		{"one long word is the only mid-word cut", strings.Repeat("x", 50), 10, strings.Repeat("x", 9) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, cut := shorten(tc.in, tc.max)
			if got != tc.want || cut != (tc.want != tc.in) {
				t.Errorf("shorten(%q, %d) = %q, %v; want %q", tc.in, tc.max, got, cut, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > tc.max {
				t.Errorf("%d characters, limit %d", n, tc.max)
			}
		})
	}
}

// TestShortenNeverCutsAWord shortens a long answer to every limit and
// checks that what is kept ends with a whole word of the answer.
func TestShortenNeverCutsAWord(t *testing.T) {
	text := normalizeSpace(synthText(7) + " " + synthText(8) + " " + synthText(9))
	words := map[string]bool{}
	for _, w := range strings.Fields(text) {
		words[strings.TrimRight(w, ".")] = true
	}
	for max := 12; max < utf8.RuneCountInString(text); max++ {
		got, cut := shorten(text, max)
		if !cut || !strings.HasSuffix(got, "…") || utf8.RuneCountInString(got) > max {
			t.Fatalf("shorten(%d) = %q, %v; want at most %d characters ending in …", max, got, cut, max)
		}
		if !strings.HasPrefix(text, strings.TrimSuffix(strings.TrimSuffix(got, "…"), " ")) {
			t.Fatalf("shorten(%d) = %q is not a head of the text", max, got)
		}
		body := strings.TrimRight(strings.TrimSuffix(got, "…"), " .")
		last := body[strings.LastIndexByte(body, ' ')+1:]
		if !words[last] {
			t.Fatalf("shorten(%d) = %q ends inside a word (%q)", max, got, last)
		}
	}
}

func TestQuotesThatFitComeBeforeLongOnes(t *testing.T) {
	long := "Un ordinateur portable et une connexion internet gratuite pour chaque élève et sa famille, dès la sixième. " +
		strings.Repeat("Les familles modestes n'ont pas toujours d'ordinateur portable ni de connexion à la maison. ", 4)
	texts := []string{
		long, // the most central, and too long to quote whole
		"Un ordinateur portable pour chaque élève de sixième.",
		"Il faut une connexion internet gratuite pour les familles.",
		"La connexion internet gratuite au collège aiderait chaque élève.",
	}
	q := question(t, Compute(input(texts...)), "acces", "equipement")
	for _, qt := range q.Quotes {
		if qt.AnswerID == 100 || qt.Shortened {
			t.Errorf("quoted #%d %q although three answers fit whole", qt.AnswerID, qt.Text)
		}
	}
	// With fewer answers that fit, the long one is quoted, cut after a
	// sentence.
	q = question(t, Compute(input(texts[:2]...)), "acces", "equipement")
	if len(q.Quotes) != 2 || q.Quotes[1].AnswerID != 100 || !q.Quotes[1].Shortened {
		t.Fatalf("quotes = %+v, want #101 then the long #100, shortened", q.Quotes)
	}
	if got := q.Quotes[1].Text; !strings.HasSuffix(got, ". …") || !strings.HasPrefix(long, strings.TrimSuffix(got, " …")) {
		t.Errorf("long quote = %q, want whole sentences of the answer and « … »", got)
	}
}

func TestHiddenAndBannedAnswersAreLeftOut(t *testing.T) {
	d := Compute(fixture("fr"))
	for _, th := range d.Themes {
		for _, q := range th.Questions {
			for _, qt := range q.Quotes {
				if qt.AnswerID == 17 || qt.AnswerID == 18 {
					t.Errorf("quote #%d is hidden or from a banned participant", qt.AnswerID)
				}
			}
			for _, w := range q.Words {
				if w.Text == "achetez" || w.Text == "insultant" {
					t.Errorf("word %q comes from a hidden or banned answer", w.Text)
				}
			}
		}
	}
	q := question(t, d, "acces", "equipement")
	// 11–16 are new; 17 is hidden, 18 banned.
	if q.NewAnswers != 6 || q.TotalAnswers != 7 {
		t.Errorf("equipement: %d new, %d total; want 6 and 7", q.NewAnswers, q.TotalAnswers)
	}
	for _, b := range d.ByAcademie {
		if b.Key == "Paris" {
			t.Errorf("the banned participant's académie is counted: %+v", b)
		}
	}
	th := d.Themes[0]
	if th.Started != 9 {
		t.Errorf("acces started by %d, want 9 (the banned participant left out)", th.Started)
	}
}

func TestPeriodAgainstTotal(t *testing.T) {
	d := Compute(fixture("fr"))
	want := struct{ Period, Total Figures }{
		// 15 answers in the period; 3 more before it (#1, #31, #41); #51
		// after Until is in neither.
		Period: Figures{Participants: 10, Contributions: 15},
		Total:  Figures{Participants: 10, Contributions: 18},
	}
	if diff := cmp.Diff(want, struct{ Period, Total Figures }{d.Period, d.Total}); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
	tg := d.ByChannel[0]
	if tg.Key != "telegram" || tg.Period.Contributions != 9 || tg.Total.Contributions != 11 || tg.Total.Participants != 5 {
		t.Errorf("telegram breakdown = %+v", tg)
	}

	// An answer before the period counts in the total only, and a
	// participant who only answered before it is not active in it.
	in := input("Avant la période.", "Pendant la période.")
	in.Since = fixSince.Add(time.Minute)
	d = Compute(in)
	if d.Period != (Figures{1, 1}) || d.Total != (Figures{2, 2}) {
		t.Errorf("period %+v, total %+v; want {1 1} and {2 2}", d.Period, d.Total)
	}
}

func TestDropOffQuestion(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	p := func(id string, prog Progress) Participant {
		return Participant{ID: id, Themes: map[string]Progress{"gouvernance": prog}}
	}
	in := Input{Questionnaire: q, Theme: "gouvernance", Participants: []Participant{
		p("a", Progress{Answered: []string{"modele"}}),                                      // stops at partenariats
		p("b", Progress{Answered: []string{"modele", "partenariats"}}),                      // stops at parents
		p("c", Progress{Answered: []string{"modele", "parents"}}),                           // skipped partenariats, stops at crises
		p("d", Progress{Answered: []string{"modele", "partenariats", "parents"}}),           // stops at crises
		p("e", Progress{Answered: []string{"modele", "partenariats", "parents", "crises"}}), // the review
		p("f", Progress{Answered: []string{"modele", "partenariats", "parents", "crises"}, Confirmed: true}),
		p("g", Progress{Current: "modele"}), // started without answering: stops at modele
		{ID: "h"},                           // never started
	}}
	d := Compute(in)
	if len(d.Themes) != 1 {
		t.Fatalf("got %d themes, want gouvernance only", len(d.Themes))
	}
	th := d.Themes[0]
	want := &DropOff{Question: "crises", Title: "Anticiper les crises", Count: 2, Unfinished: 6}
	if diff := cmp.Diff(want, th.DropOff); diff != "" {
		t.Errorf("drop-off (-want +got):\n%s", diff)
	}
	if th.Started != 7 || th.Confirmed != 1 {
		t.Errorf("started %d, confirmed %d; want 7 and 1", th.Started, th.Confirmed)
	}
	if got, want := th.CompletionRate, 1.0/7; got != want {
		t.Errorf("completion rate %v, want %v", got, want)
	}
}

func TestThemeFilter(t *testing.T) {
	in := fixture("fr")
	in.Theme = "enseigner"
	d := Compute(in)
	if len(d.Themes) != 1 || d.Themes[0].ID != "enseigner" || d.ThemeTitle == "" {
		t.Fatalf("themes %+v, title %q; want enseigner only", d.Themes, d.ThemeTitle)
	}
	if d.Total.Contributions != 5 || d.Period.Contributions != 4 {
		t.Errorf("enseigner: %+v total, %+v period; want 5 and 4 contributions", d.Total, d.Period)
	}
}

func TestAccumulatorInChunksEqualsCompute(t *testing.T) {
	in := fixture("fr")
	want := Compute(in)
	acc := NewAccumulator(Input{Questionnaire: in.Questionnaire, Since: in.Since, Until: in.Until, Lang: in.Lang})
	for _, p := range in.Participants {
		acc.AddParticipant(p)
	}
	for chunk := range slices.Chunk(in.Answers, 4) {
		for _, a := range chunk {
			acc.Add(a)
		}
	}
	if diff := cmp.Diff(want, acc.Finish()); diff != "" {
		t.Errorf("chunked digest differs (-compute +chunks):\n%s", diff)
	}
}

// TestCandidatesStayBounded feeds a question many answers and checks that
// the candidates kept for quotes stay bounded while the counts are exact.
func TestCandidatesStayBounded(t *testing.T) {
	acc := NewAccumulator(Input{Questionnaire: flows.DefaultQuestionnaire()})
	longest := 0
	for i := range 5000 {
		acc.Add(Answer{ID: uint64(i + 1), Participant: fmt.Sprint(i), Theme: "acces", Question: "equipement",
			Text: synthText(i), CreatedAt: fixSince})
		longest = max(longest, len(synthText(i)))
	}
	qa := acc.questions[questionKey{"acces", "equipement"}]
	if n := len(qa.arena.cands); n >= 2*keepCandidates {
		t.Errorf("%d candidates kept, want fewer than %d", n, 2*keepCandidates)
	}
	// The arenas are reused, not grown, from one pruning to the next.
	if n, limit := cap(qa.arena.text)+cap(qa.spare.text), 2*(2*keepCandidates)*longest; n > limit {
		t.Errorf("the candidates' texts take %d bytes, want at most %d", n, limit)
	}
	d := acc.Finish()
	q := question(t, d, "acces", "equipement")
	if q.NewAnswers != 5000 || len(q.Quotes) != maxQuotes || len(q.Words) != maxWords {
		t.Errorf("got %d answers, %d quotes, %d words", q.NewAnswers, len(q.Quotes), len(q.Words))
	}
}

// TestNormalizeSpaceIsFieldsJoined checks the fast path of normalizeSpace
// against its definition, on the spaces French text and keyboards bring.
func TestNormalizeSpaceIsFieldsJoined(t *testing.T) {
	for _, s := range []string{
		"", " ", "a", "élève", " élève ", "a  b", "a\tb", "a\nb", "a \u00a0b", "« oui\u202f»", "a\u0085b",
		"fin ", "  début", "é\u2028è", "\u3000x", "Ça va ? Très bien.", "x\u00a0", "\u1680", "ÿ é à",
	} {
		if got, want := normalizeSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("normalizeSpace(%q) = %q, want %q", s, got, want)
		}
	}
}
