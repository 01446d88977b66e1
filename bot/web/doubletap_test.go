package web

import (
	"strings"
	"testing"
)

// TestSameChoiceSentTwiceSaysNothing: the same option button sent again
// right after it was applied, under a new event id (a second click once
// the page renewed its ids), changes nothing and adds nothing to the
// conversation; the page still shows the question it led to.
func TestSameChoiceSentTwiceSaysNothing(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.toMenu()
	f := b.press("1. Égal accès au numérique — 0/5")
	b.post(f.action, f.values)
	before := b.session()
	f.values.Set("id", "0f8fad5b-d9cb-469f-a165-70867728950e")
	b.post(f.action, f.values)
	if strings.Contains(b.text(), "question précédente") {
		t.Errorf("the second click was answered as an old button:\n%s", b.text())
	}
	if !strings.Contains(b.text(), "Question 1/5") {
		t.Errorf("the page no longer shows question 1:\n%s", b.text())
	}
	if after := b.session(); after.Prompt != before.Prompt || after.Question != before.Question {
		t.Errorf("the second click moved the conversation: prompt %d → %d, question %q → %q", before.Prompt, after.Prompt, before.Question, after.Question)
	}
}
