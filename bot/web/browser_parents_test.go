package web

import (
	"strings"
	"testing"
)

// TestBrowserTapShowsOnce: on a phone, a tapped choice shows once in the
// conversation, as the person's own message; help describes the page's
// buttons, not slash commands; a question about the consultation is
// answered and the question comes back.
func TestBrowserTapShowsOnce(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(390, 844)
	p.consent()
	p.tap("Enseignant ou enseignante")
	p.waitLog("Dans quelle académie")
	log := eval[string](p, `document.getElementById('log').innerText`)
	if n := strings.Count(log, "Enseignant ou enseignante"); n != 1 {
		t.Errorf("the tapped choice shows %d times in the conversation, want once:\n%s", n, log)
	}
	if n := strings.Count(log, "J'accepte"); n != 1 {
		t.Errorf("the consent shows %d times in the conversation, want once:\n%s", n, log)
	}
	p.tap("Aide")
	p.waitLog("Mes données — tout ce que nous gardons sur vous")
	log = eval[string](p, `document.getElementById('log').innerText`)
	for _, slash := range []string{"/menu", "/reprendre", "/mes_reponses", "/aide", "/mes_donnees"} {
		if strings.Contains(log, slash+" —") {
			t.Errorf("the page's help lists %s:\n%s", slash, log)
		}
	}
	// Before the menu, help names only what already works there.
	for _, early := range []string{"Thèmes —", "Mes réponses —"} {
		if strings.Contains(log, early) {
			t.Errorf("the help at the académie lists %q, which does nothing yet:\n%s", early, log)
		}
	}
	p.tap("Passer")
	p.waitLog("Choisissez un thème")
	p.tap("1. Égal accès au numérique — 0/5")
	p.waitLog("Question 1/5")
	p.answer("c'est anonyme ?")
	p.waitLog("pseudonyme technique")
	p.waitFor("the question's text box again", `!!document.getElementById('text') && document.getElementById('answer').innerText.includes('Équipement')`)
	p.checkConsole()
	if got := h.answers(h.participantOf(p.cookie())); len(got) != 0 {
		t.Errorf("a question about the consultation was stored as an answer: %+v", got)
	}
}
