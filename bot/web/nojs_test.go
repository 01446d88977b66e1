package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestNoScriptConsultation walks onboarding and two questions with plain
// form posts, as a browser without JavaScript does: each post redirects to
// the page, which shows the conversation and the current buttons.
func TestNoScriptConsultation(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.get("/")
	if b.status != http.StatusOK || !strings.Contains(b.text(), "Commencer") {
		t.Fatalf("landing: %d\n%s", b.status, b.text())
	}
	if b.token() != "" {
		t.Errorf("the landing page set a cookie before anything was asked")
	}
	b.click("Commencer")
	if b.token() == "" {
		t.Fatalf("no session cookie after Commencer")
	}
	if !slices.Contains(b.buttons(), "J'accepte") {
		t.Fatalf("no consent buttons:\n%s", b.text())
	}
	b.click("J'accepte")
	b.click("Parent")
	b.click("Passer")
	if !strings.Contains(b.text(), "Choisissez un thème") {
		t.Fatalf("no theme menu:\n%s", b.text())
	}
	b.click(b.buttons()[0])
	if !strings.Contains(b.text(), "Question 1/5") {
		t.Fatalf("no first question:\n%s", b.text())
	}
	f := b.typeText("Un ordinateur prêté par l'école, comme les manuels.")
	if !strings.Contains(b.text(), "Question 2/5") {
		t.Fatalf("no second question:\n%s", b.text())
	}
	// The same form posted again (back button, double submit): one answer.
	b.post(f.action, f.values)
	p := h.participantOf(b.token())
	got := h.answers(p)
	if len(got) != 1 || got["equipement"].Text != "Un ordinateur prêté par l'école, comme les manuels." {
		t.Errorf("answers after a repeated post: %+v", got)
	}
	if !strings.Contains(b.text(), "Question 2/5") {
		t.Errorf("after the repeated post the page is not at question 2:\n%s", b.text())
	}
}
