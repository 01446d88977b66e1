package web

import (
	"strings"
	"testing"
)

// TestBrowserHelpNamesThePageButtons: help on the page, at the menu,
// lists the page's own command buttons exactly as the page labels them, in their order and
// under their heading, in French and, after the language button, in
// English; so a label changed in the catalogue changes both at once.
func TestBrowserHelpNamesThePageButtons(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(390, 844)
	p.consent()
	// At the menu, where every button works (before it, help names only
	// those that already do).
	p.tap("Parent")
	p.waitLog("Dans quelle académie")
	p.tap("Passer")
	p.waitLog("Choisissez un thème")
	check := func(help, heading string) {
		t.Helper()
		p.tap(help)
		p.waitFor("help's list of the page's buttons", `[...document.querySelectorAll('#log .msg.bot')].pop().innerText.includes(`+jsString(heading)+`)`)
		shown := eval[string](p, `[...document.querySelectorAll('#log .msg.bot')].pop().innerText`)
		labels := eval[[]string](p, `[...document.querySelectorAll('nav.commands button')].map(b => b.innerText.trim())`)
		if got := eval[string](p, `document.getElementById('cmd-h').innerText`); got != heading {
			t.Errorf("the buttons' heading is %q, want %q", got, heading)
		}
		if len(labels) != len(pageCommands) {
			t.Fatalf("the page shows %d command buttons %q, want %d", len(labels), labels, len(pageCommands))
		}
		at := 0
		for _, l := range labels {
			i := strings.Index(shown[at:], "\n"+l+" — ")
			if i < 0 {
				t.Errorf("help does not list the button %q (after what it listed before):\n%s", l, shown)
				continue
			}
			at += i + 1
		}
	}
	check("Aide", "Autres actions")
	p.tap("English")
	p.waitFor("the page in English", `document.getElementById('cmd-h') && document.getElementById('cmd-h').innerText === 'More actions'`)
	check("Help", "More actions")
	p.checkConsole()
}
