// Package flowstest gives the adapters' tests replies as the conversation
// makes them, so that they render what people really get, and a check of
// what a rendering shows, in order.
package flowstest

import (
	"fmt"
	"strings"
	"time"

	"consultbot/flows"
)

// Recap returns the reply that brings the review in short of the default
// questionnaire's longest theme (theme 2, nine questions) above theme 3's
// first question, in lang, every answer of theme 2 as long as allowed and
// made of answer repeated: the longest such reply the conversation makes.
func Recap(lang, answer string) flows.Reply {
	m := flows.NewMachine(nil, flows.Config{})
	th := m.Questionnaire().Themes[1]
	long := strings.Repeat(answer+" ", flows.DefaultMaxText/(len(answer)+1))
	s := flows.Session{
		Participant: "flowstest", Lang: lang, Stage: flows.StageQuestion, ConsentAt: time.Unix(0, 0),
		Theme: th.ID, Question: th.Questions[len(th.Questions)-1].ID, Prompt: 1, Answers: map[string]flows.Answer{},
	}
	for _, q := range th.Questions[:len(th.Questions)-1] {
		s.Answers[flows.AnswerKey(th.ID, q.ID)] = flows.Answer{Theme: th.ID, Question: q.ID, Text: long}
	}
	_, out := m.Step(s, flows.Event{Kind: flows.EventText, Text: long}, time.Unix(60, 0))
	if len(out) != 1 || out[0].Recap == nil {
		panic(fmt.Sprintf("flowstest: the last answer of theme 2 gave %d replies, not its recap above theme 3", len(out)))
	}
	return out[0]
}

// InOrder returns an error naming the first of parts that s lacks after
// the one before it, or nil when s shows them all in that order.
func InOrder(s string, parts ...string) error {
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			return fmt.Errorf("lacks %q after byte %d of:\n%s", p, at, s)
		}
		at += i + len(p)
	}
	return nil
}
