package flows

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

//go:embed questionnaire.json
var defaultQuestionnaireJSON []byte

// Question kinds. A question without a kind expects free text.
const (
	KindText   = "text"
	KindChoice = "choice"
)

// MaxTitleLen bounds a question's short title in characters, so that it fits
// on a button, a modal title and a review line.
const MaxTitleLen = 45

// maxLabelLen bounds a choice or profile label (Discord buttons take 80).
const maxLabelLen = 64

// idPattern keeps ids short and token-safe, so that they fit in button tokens.
var idPattern = regexp.MustCompile(`^[a-z0-9-]{1,16}$`)

// Text is a user-visible text in several languages, keyed by language code.
type Text map[string]string

// In returns the text in lang, falling back to French when lang is missing.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t[LangFR]
}

// Questionnaire is the consultation's content: its themes, their questions
// and the profiles a participant can choose from.
type Questionnaire struct {
	ID       string   `json:"id"`
	Title    Text     `json:"title"`
	Intro    Text     `json:"intro"`
	Themes   []Theme  `json:"themes"`
	Profiles []Choice `json:"profiles"`
}

// Theme is one of the consultation's themes and its questions, in order.
type Theme struct {
	ID        string     `json:"id"`
	Title     Text       `json:"title"`
	Subtitle  Text       `json:"subtitle,omitempty"`
	Questions []Question `json:"questions"`
}

// Question is one question of a theme.
type Question struct {
	ID string `json:"id"`
	// Title is the short label used on buttons, modals and the review.
	Title Text `json:"title"`
	// Prompt is the full question as the participant reads it.
	Prompt Text `json:"prompt"`
	// Original is the question's official wording, shown on request.
	Original Text `json:"original,omitempty"`
	// Explain says the question again in simpler words, and Example gives
	// an answer someone might write: both answer a request for help.
	Explain Text     `json:"explain,omitempty"`
	Example Text     `json:"example,omitempty"`
	Kind    string   `json:"kind,omitempty"`
	Choices []Choice `json:"choices,omitempty"`
}

// IsChoice reports whether the question is answered with a button.
func (q *Question) IsChoice() bool { return q.Kind == KindChoice }

// Choice is one possible answer of a choice question, or one profile.
type Choice struct {
	ID    string `json:"id"`
	Label Text   `json:"label"`
}

// DefaultQuestionnaire returns the embedded questionnaire of the États
// généraux du numérique éducatif. It panics only if the embedded file is
// broken, which the package's tests rule out.
func DefaultQuestionnaire() *Questionnaire {
	q, err := LoadQuestionnaire(bytes.NewReader(defaultQuestionnaireJSON))
	if err != nil {
		panic(fmt.Sprintf("flows: embedded questionnaire: %v", err))
	}
	return q
}

// LoadQuestionnaire parses a questionnaire in JSON and validates it. Unknown
// fields are rejected so that a misspelt key is not silently ignored.
func LoadQuestionnaire(r io.Reader) (*Questionnaire, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var q Questionnaire
	if err := dec.Decode(&q); err != nil {
		return nil, fmt.Errorf("parse questionnaire: %w", err)
	}
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("invalid questionnaire %q: %w", q.ID, err)
	}
	return &q, nil
}

// Validate reports every problem of the questionnaire at once, each naming
// the offending id or path.
func (q *Questionnaire) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	checkID := func(path, id string) {
		if !idPattern.MatchString(id) {
			bad("%s: id %q must match %s", path, id, idPattern)
		}
	}
	checkText := func(path string, t Text, required bool, maxLen int) {
		if len(t) == 0 && !required {
			return
		}
		for _, lang := range []string{LangFR, LangEN} {
			s := strings.TrimSpace(t[lang])
			switch {
			case s == "":
				bad("%s: missing %q text", path, lang)
			case !utf8.ValidString(s):
				bad("%s: %q text is not valid UTF-8", path, lang)
			case maxLen > 0 && utf8.RuneCountInString(s) > maxLen:
				bad("%s: %q text has %d characters, more than %d", path, lang, utf8.RuneCountInString(s), maxLen)
			}
		}
	}
	checkChoices := func(path string, cs []Choice) {
		seen := map[string]bool{}
		for i, c := range cs {
			p := fmt.Sprintf("%s[%d] %q", path, i, c.ID)
			checkID(p, c.ID)
			if seen[c.ID] {
				bad("%s: duplicate id %q", p, c.ID)
			}
			seen[c.ID] = true
			checkText(p+": label", c.Label, true, maxLabelLen)
		}
	}

	checkID("questionnaire", q.ID)
	checkText("questionnaire: title", q.Title, true, 0)
	checkText("questionnaire: intro", q.Intro, true, 0)
	if len(q.Profiles) == 0 {
		bad("questionnaire: no profiles")
	}
	checkChoices("profiles", q.Profiles)
	if len(q.Themes) == 0 {
		bad("questionnaire: no themes")
	}
	themes := map[string]bool{}
	for i, th := range q.Themes {
		tp := fmt.Sprintf("themes[%d] %q", i, th.ID)
		checkID(tp, th.ID)
		if themes[th.ID] {
			bad("%s: duplicate theme id %q", tp, th.ID)
		}
		themes[th.ID] = true
		checkText(tp+": title", th.Title, true, maxLabelLen-16)
		checkText(tp+": subtitle", th.Subtitle, false, 0)
		if len(th.Questions) == 0 {
			bad("%s: no questions", tp)
		}
		questions := map[string]bool{}
		for j, qu := range th.Questions {
			qp := fmt.Sprintf("%s: questions[%d] %q", tp, j, qu.ID)
			checkID(qp, qu.ID)
			if questions[qu.ID] {
				bad("%s: duplicate question id %q", qp, qu.ID)
			}
			questions[qu.ID] = true
			checkText(qp+": title", qu.Title, true, MaxTitleLen)
			checkText(qp+": prompt", qu.Prompt, true, 0)
			checkText(qp+": original", qu.Original, false, 0)
			checkText(qp+": explain", qu.Explain, false, 0)
			checkText(qp+": example", qu.Example, false, 0)
			switch qu.Kind {
			case "", KindText:
				if len(qu.Choices) > 0 {
					bad("%s: a text question has choices", qp)
				}
			case KindChoice:
				if len(qu.Choices) == 0 {
					bad("%s: a choice question has no choices", qp)
				}
				checkChoices(qp+": choices", qu.Choices)
			default:
				bad("%s: unknown kind %q (want %q or %q)", qp, qu.Kind, KindText, KindChoice)
			}
		}
	}
	return errors.Join(errs...)
}

// Theme returns the theme with the given id, or nil.
func (q *Questionnaire) Theme(id string) *Theme {
	if i := q.themeIndex(id); i >= 0 {
		return &q.Themes[i]
	}
	return nil
}

// Question returns the question qID of theme themeID, or nil.
func (q *Questionnaire) Question(themeID, qID string) *Question {
	th := q.Theme(themeID)
	if th == nil {
		return nil
	}
	if j := th.questionIndex(qID); j >= 0 {
		return &th.Questions[j]
	}
	return nil
}

// QuestionCount returns the number of questions across all themes.
func (q *Questionnaire) QuestionCount() int {
	n := 0
	for _, th := range q.Themes {
		n += len(th.Questions)
	}
	return n
}

// Profile returns the profile with the given id, or nil.
func (q *Questionnaire) Profile(id string) *Choice {
	for i := range q.Profiles {
		if q.Profiles[i].ID == id {
			return &q.Profiles[i]
		}
	}
	return nil
}

func (q *Questionnaire) themeIndex(id string) int {
	for i := range q.Themes {
		if q.Themes[i].ID == id {
			return i
		}
	}
	return -1
}

func (th *Theme) questionIndex(id string) int {
	for j := range th.Questions {
		if th.Questions[j].ID == id {
			return j
		}
	}
	return -1
}

// Choice returns the choice with the given id, or nil.
func (qu *Question) Choice(id string) *Choice {
	for i := range qu.Choices {
		if qu.Choices[i].ID == id {
			return &qu.Choices[i]
		}
	}
	return nil
}
