package digest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"consultbot/flows"
	"consultbot/text"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// joinMessages lays messages out one after the other with a visible
// separator, so that a golden file shows where each message ends.
func joinMessages(msgs []string) string {
	var b strings.Builder
	for i, m := range msgs {
		fmt.Fprintf(&b, "───── message %d/%d (%d characters) ─────\n%s\n", i+1, len(msgs), msgLen(m), m)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; run go test ./digest -update and review the diff.\ngot:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		d := Compute(fixture(lang)).In(paris)
		t.Run(lang, func(t *testing.T) {
			golden(t, "telegram_"+lang+".golden", joinMessages(RenderTelegram(d)))
			golden(t, "discord_"+lang+".golden", joinMessages(RenderDiscord(d)))
			golden(t, "markdown_"+lang+".golden", RenderMarkdown(d))
		})
	}
}

// bigDigest has every question of the questionnaire with long quotes full
// of characters that grow when escaped.
func bigDigest(lang string) Digest {
	q := flows.DefaultQuestionnaire()
	in := Input{Questionnaire: q, Lang: lang, Since: fixSince, Until: fixUntil}
	id := uint64(1)
	for _, th := range q.Themes {
		for _, qu := range th.Questions {
			for i := range 12 {
				in.Answers = append(in.Answers, Answer{
					ID: id, Participant: fmt.Sprint("discord:", i), Channel: "discord", Profile: "enseignant",
					Academie: flows.Academies()[i], Theme: th.ID, Question: qu.ID,
					Text:      synthText(int(id)) + " <b>&</b> **gras** @everyone <@123> " + synthText(int(id)+7),
					CreatedAt: fixSince.Add(time.Hour),
				})
				id++
			}
		}
	}
	return Compute(in)
}

var tagRE = regexp.MustCompile(`<(/?)([a-z]+)>`)

// checkHTML reports unbalanced or unknown tags and stray angle brackets or
// ampersands in a Telegram message.
func checkHTML(msg string) error {
	var stack []string
	for _, m := range tagRE.FindAllStringSubmatch(msg, -1) {
		name := m[2]
		if name != "b" && name != "i" {
			return fmt.Errorf("unexpected tag <%s%s>", m[1], name)
		}
		if m[1] == "" {
			stack = append(stack, name)
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != name {
			return fmt.Errorf("closing </%s> does not match the open tags %v", name, stack)
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		return fmt.Errorf("tags left open: %v", stack)
	}
	rest := tagRE.ReplaceAllString(msg, "")
	if strings.ContainsAny(rest, "<>") {
		return fmt.Errorf("unescaped angle bracket")
	}
	rest = regexp.MustCompile(`&(amp|lt|gt|quot);`).ReplaceAllString(rest, "")
	if strings.Contains(rest, "&") {
		return fmt.Errorf("unescaped ampersand")
	}
	return nil
}

func TestSplittingRespectsLimitsAndNeverCutsAQuote(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		d := bigDigest(lang)
		for _, pf := range []struct {
			name   string
			msgs   []string
			limit  int
			markup markup
		}{
			{"telegram", RenderTelegram(d), TelegramLimit, telegramMarkup},
			{"discord", RenderDiscord(d), DiscordLimit, discordMarkup},
		} {
			if len(pf.msgs) < 3 {
				t.Fatalf("%s %s: %d messages; the test wants a digest that needs splitting", pf.name, lang, len(pf.msgs))
			}
			for i, m := range pf.msgs {
				if n := msgLen(m); n > pf.limit || n == 0 {
					t.Errorf("%s %s message %d has %d characters, limit %d", pf.name, lang, i, n, pf.limit)
				}
				if pf.name == "telegram" {
					if err := checkHTML(m); err != nil {
						t.Errorf("telegram %s message %d: %v\n%s", lang, i, err, m)
					}
				}
				if pf.name == "discord" && strings.Count(m, "**")%2 != 0 {
					t.Errorf("discord %s message %d has an unbalanced **", lang, i)
				}
			}
			r := renderer{m: pf.markup, lang: lang}
			all := strings.Join(pf.msgs, "\n")
			quotes := 0
			for _, th := range d.Themes {
				for _, q := range th.Questions {
					for _, qt := range q.Quotes {
						quotes++
						item := r.quote(qt)
						n := 0
						for _, m := range pf.msgs {
							n += strings.Count(m, item)
						}
						if n != 1 {
							t.Errorf("%s %s: quote #%d appears whole in %d messages, want 1", pf.name, lang, qt.AnswerID, n)
						}
					}
				}
			}
			if quotes == 0 || !strings.Contains(all, "#1") {
				t.Errorf("%s %s: no quotes rendered", pf.name, lang)
			}
		}
	}
}

func TestOversizeSectionIsSplitBetweenQuotes(t *testing.T) {
	var quotes []Quote
	for i := range 20 {
		quotes = append(quotes, Quote{AnswerID: uint64(i + 1), Text: strings.Repeat("a&b<c ", 45)[:270] + "…", Profile: "Parent"})
	}
	d := Digest{Lang: "fr", Themes: []ThemeDigest{{ID: "acces", Title: "Égal accès au numérique",
		Questions: []QuestionDigest{{ID: "equipement", Title: "Équipement", NewAnswers: 20, TotalAnswers: 20, Quotes: quotes}}}}}
	msgs := RenderTelegram(d)
	if len(msgs) < 3 {
		t.Fatalf("got %d messages, want the question split over several", len(msgs))
	}
	for i, m := range msgs {
		if msgLen(m) > TelegramLimit {
			t.Errorf("message %d: %d characters", i, msgLen(m))
		}
		if err := checkHTML(m); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	// Every part after the first starts with the question's heading, so an
	// organiser knows what the quotes answer.
	cont := 0
	for _, m := range msgs {
		if strings.Contains(m, "Équipement (suite)") {
			cont++
		}
	}
	if cont == 0 {
		t.Errorf("no continuation heading in %d messages", len(msgs))
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	in := input(`Attention <script>alert("x")</script> & **gras** @everyone <@123> https://exemple.fr _souligné_ et ordinateur portable pour élève`)
	d := Compute(in)
	tg := strings.Join(RenderTelegram(d), "\n")
	if strings.Contains(tg, "<script>") || !strings.Contains(tg, "&lt;script&gt;") || !strings.Contains(tg, "&amp;") {
		t.Errorf("telegram: user HTML not escaped:\n%s", tg)
	}
	dc := strings.Join(RenderDiscord(d), "\n")
	for _, live := range []string{"@everyone", "<@123>", "**gras**", "https://", " _souligné_"} {
		if strings.Contains(dc, live) {
			t.Errorf("discord: %q is live in:\n%s", live, dc)
		}
	}
	md := RenderMarkdown(d)
	if strings.Contains(md, "**gras**") || strings.Contains(md, "<script>") {
		t.Errorf("markdown: user markup is live:\n%s", md)
	}
}

func TestChartIsAPNGOfTheExpectedSize(t *testing.T) {
	for _, d := range []Digest{Compute(fixture("fr")), Compute(fixture("en")), bigDigest("fr"), {Lang: "fr"}} {
		b, err := Chart(d)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("chart does not decode as PNG: %v", err)
		}
		if got := img.Bounds().Size(); got.X != ChartWidth || got.Y != ChartHeight {
			t.Errorf("chart is %v, want %dx%d", got, ChartWidth, ChartHeight)
		}
	}
	if out := os.Getenv("DIGEST_CHART_OUT"); out != "" {
		// Lets a person look at the chart: DIGEST_CHART_OUT=/tmp/chart.png.
		b, _ := Chart(Compute(fixture("fr")))
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// synthVocab is the vocabulary of synthetic answers.
var synthVocab = strings.Fields(`école élève élèves parents enseignant enseignants tablette tablettes
ordinateur ordinateurs connexion internet gratuite gratuit famille familles numérique formation former
outils ressources données protection vie privée classe collège lycée primaire devoirs distance cours
confinement village campagne ville réseau fibre accès égalité inclusion handicap accompagnement
ateliers médiathèque mairie collectivité région département académie ministère logiciel libre
souveraineté écrans temps santé sommeil réseaux sociaux harcèlement sécurité mot passe compte ENT
Pronote messagerie notes bulletin orientation métier avenir compétences code programmation robot
les des pour avec dans sur une qui que est sont pas plus très aussi mais donc car 2024 35`)

// synthText returns a deterministic pseudo-French answer of 8 to 60 words.
func synthText(seed int) string {
	x := uint64(seed)*6364136223846793005 + 1442695040888963407
	next := func() uint64 {
		x ^= x >> 33
		x *= 0xff51afd7ed558ccd
		x ^= x >> 29
		return x
	}
	n := 8 + int(next()%53)
	words := make([]string, n)
	for i := range words {
		words[i] = synthVocab[next()%uint64(len(synthVocab))]
	}
	return strings.Join(words, " ") + "."
}

// BenchmarkDigest100k digests 100,000 answers from 20,000 participants fed
// through the accumulator, as the store would in chunks.
func BenchmarkDigest100k(b *testing.B) {
	q := flows.DefaultQuestionnaire()
	type qref struct{ theme, q string }
	var qs []qref
	for _, th := range q.Themes {
		for _, qu := range th.Questions {
			qs = append(qs, qref{th.ID, qu.ID})
		}
	}
	channels := []string{"telegram", "discord", "terminal"}
	academies := flows.Academies()
	answers := make([]Answer, 100_000)
	for i := range answers {
		r := qs[i%len(qs)]
		answers[i] = Answer{
			ID: uint64(i + 1), Participant: fmt.Sprint("p", i%20_000), Channel: channels[i%3],
			Profile: q.Profiles[i%len(q.Profiles)].ID, Academie: academies[i%len(academies)],
			Theme: r.theme, Question: r.q, Text: synthText(i), Voice: i%50 == 0, Hidden: i%500 == 0,
			CreatedAt: fixSince.Add(time.Duration(i-50_000) * time.Second),
		}
	}
	parts := make([]Participant, 20_000)
	for i := range parts {
		parts[i] = Participant{ID: fmt.Sprint("p", i), Banned: i%1000 == 0,
			Themes: map[string]Progress{"acces": {Answered: []string{"equipement"}}}}
	}
	b.ReportAllocs()
	for b.Loop() {
		acc := NewAccumulator(Input{Questionnaire: q, Since: fixSince, Until: fixUntil})
		for _, p := range parts {
			acc.AddParticipant(p)
		}
		for _, a := range answers {
			acc.Add(a)
		}
		d := acc.Finish()
		if d.Total.Contributions == 0 {
			b.Fatal("empty digest")
		}
		_ = RenderTelegram(d)
	}
}

func TestPluralAgreesWithTheNumber(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"fr", 0, "0 nouvelle réponse"},
		{"fr", 1, "1 nouvelle réponse"},
		{"fr", 2, "2 nouvelles réponses"},
		{"fr", 1500, "1\u202f500 nouvelles réponses"},
		{"en", 0, "0 new answers"},
		{"en", 1, "1 new answer"},
		{"en", 2, "2 new answers"},
		{"en", 1500, "1,500 new answers"},
	} {
		r := renderer{m: markdownMarkup, lang: tc.lang}
		if got := r.count(tc.n, r.tx().NewAnswer, false); got != tc.want {
			t.Errorf("%s count(%d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"fr", 0, "contribution"}, {"fr", 1, "contribution"}, {"fr", 2, "contributions"},
		{"en", 0, "answers"}, {"en", 1, "answer"}, {"en", 2, "answers"}, {"en", -1, "answers"},
	} {
		one, many := "contribution", "contributions"
		if tc.lang == "en" {
			one, many = "answer", "answers"
		}
		if got := plural(tc.lang, tc.n, one, many); got != tc.want {
			t.Errorf("plural(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

// TestEveryCountAgrees renders digests with 0, 1 and 2 of everything and
// checks the nouns after each number.
func TestEveryCountAgrees(t *testing.T) {
	one := Digest{Lang: "fr",
		Period:    Figures{Participants: 1, Contributions: 1},
		Total:     Figures{Participants: 1, Contributions: 2},
		ByChannel: []Breakdown{{Label: "Telegram", Period: Figures{Participants: 1, Contributions: 1}, Total: Figures{Participants: 1, Contributions: 2}}},
		Themes: []ThemeDigest{{Title: "Égal accès", NewAnswers: 1, TotalAnswers: 2, Started: 1, Confirmed: 0,
			DropOff:   &DropOff{Title: "Équipement", Count: 1, Unfinished: 1},
			Questions: []QuestionDigest{{Title: "Équipement", NewAnswers: 1, TotalAnswers: 1}}}},
	}
	fr := RenderMarkdown(one)
	for _, want := range []string{
		"👥 **1** participant ayant répondu sur la période",
		"💬 **1** contribution sur la période · 2 au total",
		"Telegram : **1** contribution (1 participant) sur la période · 2 contributions (1 participant) au total",
		"**1** nouvelle réponse · 2 au total",
		"terminé par 0 participant sur 1 (0\u00a0%)",
		"(1 abandon sur 1)",
		"Équipement — 1 nouvelle réponse · 1 au total",
	} {
		if !strings.Contains(fr, want) {
			t.Errorf("French digest lacks %q:\n%s", want, fr)
		}
	}
	one.Lang = "en"
	en := RenderMarkdown(one)
	for _, want := range []string{
		"👥 **1** participant who answered in the period",
		"Telegram: **1** contribution (1 participant) in the period · 2 contributions (1 participant) in total",
		"**1** new answer · 2 in total",
		"completed by 0 of 1 participant (0%)",
		"(1 of 1 drop-off)",
	} {
		if !strings.Contains(en, want) {
			t.Errorf("English digest lacks %q:\n%s", want, en)
		}
	}
	for _, bad := range []string{"1 participants", "1 contributions", "1 nouvelles", "0 nouvelles", "1 new answers", "1 drop-offs", "1 abandons"} {
		if strings.Contains(fr+en, bad) {
			t.Errorf("digest says %q", bad)
		}
	}
}

func TestTimesAreShownInTheConsultationsTimeZone(t *testing.T) {
	summer := Digest{Lang: "fr",
		Since: time.Date(2026, 6, 30, 16, 0, 0, 0, time.UTC),
		Until: time.Date(2026, 7, 1, 16, 0, 0, 0, time.UTC)}
	cayenne, err := time.LoadLocation("America/Cayenne")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    Digest
		want string
	}{
		{"paris in winter", Compute(fixture("fr")).In(paris),
			"📊 Synthèse du 27 novembre à 18:00 au 28 novembre 2026 à 18:00 (heure de Paris)"},
		{"paris in summer", summer.In(paris),
			"📊 Synthèse du 30 juin à 18:00 au 1er juillet 2026 à 18:00 (heure de Paris)"},
		{"english", func() Digest { d := summer.In(paris); d.Lang = "en"; return d }(),
			"📊 Digest from 30 June at 18:00 to 1 July 2026 at 18:00 (Paris time)"},
		{"another zone", summer.In(cayenne),
			"📊 Synthèse du 30 juin à 13:00 au 1er juillet 2026 à 13:00 (heure de Cayenne)"},
		{"no zone given: UTC, labelled", summer,
			"📊 Synthèse du 30 juin à 16:00 au 1er juillet 2026 à 16:00 (UTC)"},
		{"over the new year: both years", Digest{Lang: "fr", Since: time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), Until: time.Date(2027, 1, 1, 17, 0, 0, 0, time.UTC)}.In(paris),
			"📊 Synthèse du 31 décembre 2026 à 18:00 au 1er janvier 2027 à 18:00 (heure de Paris)"},
		{"first periodic digest: no start", Digest{Lang: "fr", Until: summer.Until}.In(paris),
			"📊 Synthèse jusqu’au 1er juillet 2026 à 18:00 (heure de Paris)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := renderer{m: markdownMarkup, lang: tc.d.Lang}
			if got := r.title(tc.d); got != tc.want {
				t.Errorf("title = %q\nwant    %q", got, tc.want)
			}
		})
	}
}

func TestTimeZoneSurvivesTheStoredDigest(t *testing.T) {
	// Periodic digests are stored as JSON and posted later, maybe after a
	// restart: the times must still read as Paris time.
	d := Compute(fixture("fr")).In(paris)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Digest
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	r := renderer{m: markdownMarkup, lang: "fr"}
	if got, want := r.title(back), r.title(d); got != want {
		t.Errorf("title after a JSON round trip = %q, want %q", got, want)
	}
	// A digest stored before digests named their zone still says which
	// one its times are in.
	// (Decoding gives a zone with no name, or the host's own zone when
	// the offsets match.)
	back.TimeZone = ""
	got := r.title(back)
	if !strings.HasSuffix(got, "18:00 (UTC+01:00)") && !strings.HasSuffix(got, "18:00 (CET)") && !strings.HasSuffix(got, "18:00 (heure de Paris)") {
		t.Errorf("title without a zone name = %q, want 18:00 and its offset", got)
	}
}

// TestEveryThemeIsListedInOrder: an organiser reads the five themes in the
// questionnaire's order in every rendering, one nobody answered in the
// period included, saying so, so that « nobody answered theme 4 » cannot
// be mistaken for « theme 4 is missing »; every message stays within its
// platform's limit.
func TestEveryThemeIsListedInOrder(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	for _, lang := range []string{"fr", "en"} {
		// Answers in themes 1 and 3 only, one of theme 4 before the period.
		in := Input{Questionnaire: q, Lang: lang, Since: fixSince, Until: fixUntil}
		for i, a := range []struct {
			theme int
			hours float64
		}{{0, 1}, {0, 2}, {2, 3}, {3, -5}} {
			th := q.Themes[a.theme]
			in.Answers = append(in.Answers, Answer{ID: uint64(i + 1), Participant: fmt.Sprint("telegram:", i), Channel: "telegram",
				Theme: th.ID, Question: th.Questions[0].ID, Text: "Des ordinateurs pour chaque famille, vraiment.",
				CreatedAt: fixSince.Add(time.Duration(a.hours * float64(time.Hour)))})
		}
		d := Compute(in).In(paris)
		none := text.For(lang).Digest.NoNewAnswer
		for _, pf := range []struct {
			name  string
			msgs  []string
			limit int
		}{
			{"telegram", RenderTelegram(d), TelegramLimit},
			{"discord", RenderDiscord(d), DiscordLimit},
			{"markdown", []string{RenderMarkdown(d)}, 1 << 30},
		} {
			all := strings.Join(pf.msgs, "\n")
			for i, m := range pf.msgs {
				if msgLen(m) > pf.limit {
					t.Errorf("%s %s message %d: %d characters, limit %d", pf.name, lang, i, msgLen(m), pf.limit)
				}
			}
			// The themes' own headings, after the « by theme » figures.
			at := 0
			for i, th := range q.Themes {
				title := th.Title.In(lang)
				if pf.name == "discord" {
					title = escapeDiscord(title)
				}
				j := strings.Index(all[at:], "🗂 "+title)
				if j < 0 {
					t.Errorf("%s %s: theme %d « %s » missing or out of order:\n%s", pf.name, lang, i+1, title, all)
					continue
				}
				at += j
				body := all[at:]
				if k := strings.Index(body[1:], "🗂 "); k >= 0 {
					body = body[:k+1]
				}
				quiet := i == 1 || i == 3 || i == 4
				if got := strings.Contains(body, escapeDiscord(none)) || strings.Contains(body, none); got != quiet {
					t.Errorf("%s %s: theme %d says it has no new answer: %v, want %v:\n%s", pf.name, lang, i+1, got, quiet, body)
				}
			}
		}
	}
}

// TestHeadingNamesThePeriodEverywhere: a digest is told apart from the
// others by the period it covers, the same words on Telegram, Discord,
// digest --print and its chart, and by no number (an internal sequence
// would mean nothing to an organiser, with gaps and the same number on
// two channels).
func TestHeadingNamesThePeriodEverywhere(t *testing.T) {
	plain := strings.NewReplacer(`\`, "", "<b>", "", "</b>", "", "**", "", "# ", "")
	number := regexp.MustCompile(`#\s*\d|n°\s*\d|No\.\s*\d`)
	for _, lang := range []string{"fr", "en"} {
		d := Compute(fixture(lang)).In(paris)
		want := renderer{lang: lang}.title(d)
		for name, msg := range map[string]string{
			"telegram": RenderTelegram(d)[0], "discord": RenderDiscord(d)[0], "markdown": RenderMarkdown(d),
		} {
			heading, _, _ := strings.Cut(msg, "\n")
			if got := plain.Replace(heading); got != want {
				t.Errorf("%s %s heading %q, want %q", lang, name, got, want)
			}
			if number.MatchString(heading) {
				t.Errorf("%s %s heading %q carries a number", lang, name, heading)
			}
		}
		period := map[string]string{"fr": "27 novembre à 18:00 au 28 novembre 2026 à 18:00", "en": "27 November at 18:00 to 28 November 2026 at 18:00"}[lang]
		if !strings.Contains(want, period) {
			t.Errorf("%s heading %q does not name the period as %q", lang, want, period)
		}
	}
}
