package flows

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDefaultQuestionnaire(t *testing.T) {
	q := DefaultQuestionnaire()
	wantThemes := []struct {
		id        string
		questions int
	}{{"acces", 5}, {"enseigner", 9}, {"collaborer", 5}, {"responsable", 5}, {"gouvernance", 4}}
	if len(q.Themes) != len(wantThemes) {
		t.Fatalf("got %d themes, want %d", len(q.Themes), len(wantThemes))
	}
	for i, w := range wantThemes {
		if th := q.Themes[i]; th.ID != w.id || len(th.Questions) != w.questions {
			t.Errorf("theme %d = %s with %d questions, want %s with %d", i+1, th.ID, len(th.Questions), w.id, w.questions)
		}
	}
	if got := q.QuestionCount(); got != 28 {
		t.Errorf("QuestionCount() = %d, want 28", got)
	}
	for _, th := range q.Themes {
		for _, qu := range th.Questions {
			if qu.IsChoice() {
				t.Errorf("%s/%s: the seed's questions are all open", th.ID, qu.ID)
			}
			for _, lang := range []string{LangFR, LangEN} {
				for name, text := range map[string]Text{"original": qu.Original, "explain": qu.Explain, "example": qu.Example} {
					if strings.TrimSpace(text[lang]) == "" {
						t.Errorf("%s/%s: no %s %s text: a request for help would find nothing", th.ID, qu.ID, lang, name)
					}
				}
			}
		}
	}
	var profiles []string
	for _, p := range q.Profiles {
		profiles = append(profiles, p.ID)
	}
	if got, want := strings.Join(profiles, ","), "parent,eleve,enseignant,direction,personnel,collectivite,partenaire,autre"; got != want {
		t.Errorf("profiles = %s, want %s", got, want)
	}
	if q.Question("enseigner", "pro") == nil || q.Question("enseigner", "nope") != nil || q.Theme("nope") != nil {
		t.Error("lookups do not find what they should")
	}
}

func TestTextFallsBackToFrench(t *testing.T) {
	tx := Text{"fr": "Bonjour", "en": "Hello"}
	for lang, want := range map[string]string{"fr": "Bonjour", "en": "Hello", "de": "Bonjour", "": "Bonjour"} {
		if got := tx.In(lang); got != want {
			t.Errorf("In(%q) = %q, want %q", lang, got, want)
		}
	}
	if got := (Text{"fr": "Seul"}).In("en"); got != "Seul" {
		t.Errorf("missing English gives %q, want the French text", got)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	broken := `{
  "id": "Bad ID",
  "title": {"fr": "Titre"},
  "intro": {"fr": "x", "en": "x"},
  "profiles": [{"id": "parent", "label": {"fr": "Parent", "en": "Parent"}},
               {"id": "parent", "label": {"fr": "Encore", "en": ""}}],
  "themes": [
    {"id": "un", "title": {"fr": "Un", "en": "One"}, "questions": [
      {"id": "q1", "title": {"fr": "Une question au titre bien trop long pour un bouton", "en": "Q"}, "prompt": {"fr": "?", "en": "?"}},
      {"id": "q1", "title": {"fr": "Q", "en": "Q"}, "prompt": {"fr": "?", "en": ""}},
      {"id": "q3", "title": {"fr": "Q", "en": "Q"}, "prompt": {"fr": "?", "en": "?"}, "kind": "scale"},
      {"id": "q4", "title": {"fr": "Q", "en": "Q"}, "prompt": {"fr": "?", "en": "?"}, "kind": "choice"},
      {"id": "q5.x", "title": {"fr": "Q", "en": "Q"}, "prompt": {"fr": "?", "en": "?"}, "choices": [{"id": "a", "label": {"fr": "A", "en": "A"}}]}
    ]},
    {"id": "un", "title": {"fr": "Un", "en": "One"}, "questions": []}
  ]
}`
	_, err := LoadQuestionnaire(strings.NewReader(broken))
	if err == nil {
		t.Fatal("a broken questionnaire loaded")
	}
	for _, want := range []string{
		`questionnaire: id "Bad ID" must match`,
		`questionnaire: title: missing "en" text`,
		`profiles[1] "parent": duplicate id "parent"`,
		`profiles[1] "parent": label: missing "en" text`,
		`themes[0] "un": questions[0] "q1": title: "fr" text has 51 characters, more than 45`,
		`themes[0] "un": questions[1] "q1": duplicate question id "q1"`,
		`themes[0] "un": questions[1] "q1": prompt: missing "en" text`,
		`themes[0] "un": questions[2] "q3": unknown kind "scale"`,
		`themes[0] "un": questions[3] "q4": a choice question has no choices`,
		`themes[0] "un": questions[4] "q5.x": id "q5.x" must match`,
		`themes[0] "un": questions[4] "q5.x": a text question has choices`,
		`themes[1] "un": duplicate theme id "un"`,
		`themes[1] "un": no questions`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q", want)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 13 {
		t.Errorf("got %d problems, want 13:\n%v", n, err)
	}
}

func TestLoadQuestionnaireRejectsUnknownFields(t *testing.T) {
	_, err := LoadQuestionnaire(strings.NewReader(`{"id": "x", "tehmes": []}`))
	if err == nil || !strings.Contains(err.Error(), "tehmes") {
		t.Fatalf("err = %v, want one naming the unknown field", err)
	}
}

func TestQuestionTitlesFitButtons(t *testing.T) {
	for _, th := range DefaultQuestionnaire().Themes {
		for _, q := range th.Questions {
			for _, lang := range []string{LangFR, LangEN} {
				if n := utf8.RuneCountInString(q.Title.In(lang)); n > MaxTitleLen {
					t.Errorf("%s/%s %s title has %d characters", th.ID, q.ID, lang, n)
				}
			}
		}
	}
}

// TestQuestionTitlesArePlain checks that the short titles people read
// (buttons, the review, « Est-ce votre réponse à la question … ? ») keep
// none of the official wording's jargon that the questions were reworded
// to avoid.
func TestQuestionTitlesArePlain(t *testing.T) {
	jargon := []string{"illectronisme", "souveraineté", "filière", "équité", "co-éducation", "agents", "développement durable",
		"piloter", "illiteracy", "sovereignty", "industry", "sustainable development", "managing"}
	for _, th := range DefaultQuestionnaire().Themes {
		for _, q := range th.Questions {
			for _, lang := range []string{LangFR, LangEN} {
				title := strings.ToLower(q.Title.In(lang))
				for _, w := range jargon {
					if strings.Contains(title, w) {
						t.Errorf("%s/%s %s title %q says %q", th.ID, q.ID, lang, q.Title.In(lang), w)
					}
				}
			}
		}
	}
}
