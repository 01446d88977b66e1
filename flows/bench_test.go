package flows

import (
	"strings"
	"testing"
)

// BenchmarkStepTyped measures one typed message at an open question: a
// short answer, a request for help, and a 3,600-character answer, which
// is read as an answer without trying options, commands or help.
func BenchmarkStepTyped(b *testing.B) {
	m := NewMachine(nil, Config{})
	s := corpusPrompts(b, m)["question"]
	long := strings.Repeat("Il faut plus d'ordinateurs au collège, et former les parents. ", 60)
	for _, tc := range []struct{ name, text string }{
		{"short", "Former les profs d'abord"},
		{"help", "je comprends pas la question"},
		{"long", long},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				m.Step(s, Event{Kind: EventText, Text: tc.text}, baseTime)
			}
		})
	}
}
