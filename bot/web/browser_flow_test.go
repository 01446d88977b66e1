package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCompletesTheme: a parent on a phone, in a real browser,
// starts, consents, answers the five questions of theme 1 by typing,
// reviews and confirms. Focus follows each new prompt, the page passes
// axe-core at every kind of step, and the answers are stored once each.
func TestBrowserCompletesTheme(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(390, 844)
	p.open("/")
	p.waitFor("the start button", `!!document.querySelector('form.start button')`)
	p.checkAccessibility("landing")
	p.screenshot("phone-landing")
	p.tap("Commencer")
	p.waitLog("Avant de commencer")
	p.checkAccessibility("consent")
	p.screenshot("phone-consent")
	p.tap("J'accepte")
	p.waitLog("Vous répondez en tant que")
	p.tap("Parent")
	p.waitLog("Dans quelle académie")
	p.tap("Passer")
	p.waitLog("Choisissez un thème")
	p.tap("1. Égal accès au numérique — 0/5")
	p.waitLog("Question 1/5")
	p.waitFor("focus on the text box", `document.activeElement && document.activeElement.id === 'text'`)
	p.checkAccessibility("question")
	p.screenshot("phone-question")
	for i, text := range []string{
		"Un ordinateur prêté par l'école pour l'année.",
		"Des cours enregistrés et un référent joignable.",
		"Une connexion aidée dans les zones blanches.",
		"Un espace numérique de travail simple.",
		"Des ateliers pour les familles le samedi.",
	} {
		p.answer(text)
		if i < 4 {
			p.waitLog("Question " + string(rune('2'+i)) + "/5")
		}
	}
	// Theme 1's review in short, above theme 2's first question:
	// answering it validates theme 1.
	p.waitLog("Thème 1 terminé")
	p.waitLog("Enseigner et apprendre avec le numérique · Question 1/9")
	p.waitFor("focus on the text box", `document.activeElement && document.activeElement.id === 'text'`)
	p.checkAccessibility("recap")
	p.screenshot("phone-recap")
	p.answer("Savoir vérifier une information.")
	p.waitLog("Le thème 1 est validé.")
	p.checkConsole()
	s, ok, err := h.db.Session(h.participantOf(p.cookie()))
	if err != nil || !ok {
		t.Fatalf("session: %v %v", ok, err)
	}
	if len(s.Answers) != 6 || s.Confirmed["acces"].IsZero() {
		t.Errorf("stored: %d answers, confirmed %v", len(s.Answers), s.Confirmed)
	}
}

// startTheme1 takes a new visitor from the landing page to the first
// question of theme 1.
func (p *page) startTheme1() {
	p.t.Helper()
	p.consent()
	p.tap("Parent")
	p.waitLog("Dans quelle académie")
	p.tap("Passer")
	p.waitLog("Choisissez un thème")
	p.tap("1. Égal accès au numérique — 0/5")
	p.waitLog("Question 1/5")
}

// TestBrowserReloadMidway: reloading in the middle of a theme brings back
// the conversation and the current question; nothing is stored twice.
func TestBrowserReloadMidway(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(1280, 800)
	p.startTheme1()
	p.answer("Première réponse.")
	p.waitLog("Question 2/5")
	p.answer("Deuxième réponse.")
	p.waitLog("Question 3/5")
	p.do(chromedp.Reload())
	p.waitFor("the third question's text box", `!!document.getElementById('text') && document.getElementById('answer').innerText.includes('Les mêmes chances partout')`)
	for _, s := range []string{"Première réponse.", "Deuxième réponse.", "Question 3/5", "Bienvenue"} {
		p.waitLog(s)
	}
	p.checkAccessibility("reloaded question, desktop")
	p.screenshot("desktop-reloaded")
	p.answer("Troisième réponse.")
	p.waitLog("Question 4/5")
	p.checkConsole()
	got := h.answers(h.participantOf(p.cookie()))
	want := map[string]string{"equipement": "Première réponse.", "besoins": "Deuxième réponse.", "territoires": "Troisième réponse."}
	if len(got) != len(want) {
		t.Errorf("stored %d answers, want %d: %+v", len(got), len(want), got)
	}
	for q, text := range want {
		if got[q].Text != text {
			t.Errorf("answer to %s = %q, want %q", q, got[q].Text, text)
		}
	}
	if n := eval[int](p, `document.querySelectorAll("#log .you").length`); n != 7 {
		t.Errorf("the page shows %d messages of the person, want 7 (4 taps, 3 answers)", n)
	}
}

// TestBrowserSubmitTwice: a double click on Envoyer, and the same message
// posted twice with one event id, store one answer and move on one
// question.
func TestBrowserSubmitTwice(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(390, 844)
	p.startTheme1()
	p.do(
		chromedp.SendKeys(chromedp.CSS("#text"), "Une seule fois.", chromedp.NodeVisible),
		chromedp.DoubleClick(chromedp.CSS("form.message button[type=submit]"), chromedp.NodeVisible),
	)
	p.waitLog("Question 2/5")
	// The page's own retry path: one id, two posts at once.
	statuses := eval[[]int](p, `(function(){
		var f = document.querySelector('form.message');
		var body = new URLSearchParams(new FormData(f));
		body.set('text', 'Deux envois, une réponse.');
		body.set('id', crypto.randomUUID());
		var post = function(){ return fetch('/send', {method: 'POST', body: body, headers: {'Accept': 'application/json', 'X-CSRF-Token': document.body.dataset.csrf}}).then(function(r){ return r.status; }); };
		return Promise.all([post(), post()]);
	})()`)
	if len(statuses) != 2 || statuses[0] != 200 || statuses[1] != 200 {
		t.Errorf("the two posts answered %v, want 200 twice (the second acknowledged as already stored)", statuses)
	}
	p.waitLog("Question 3/5")
	got := h.answers(h.participantOf(p.cookie()))
	if len(got) != 2 || got["equipement"].Text != "Une seule fois." || got["besoins"].Text != "Deux envois, une réponse." {
		t.Errorf("stored %+v, want one answer to each of the first two questions", got)
	}
	s, _, _ := h.db.Session(h.participantOf(p.cookie()))
	if s.Question != "territoires" {
		t.Errorf("the session stands at %q, want the third question", s.Question)
	}
	p.checkConsole()
}

// TestBrowserErase: "Effacer mes données", confirmed, erases everything
// and the browser forgets its session cookie.
func TestBrowserErase(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(390, 844)
	p.startTheme1()
	p.answer("Réponse très personnelle à effacer.")
	p.waitLog("Question 2/5")
	participant := h.participantOf(p.cookie())
	p.tap("Effacer mes données")
	p.waitLog("Effacer vos données")
	p.tap("Oui, tout effacer")
	p.waitLog("toutes vos données sont effacées")
	p.waitFor("the erased notice", `!!document.querySelector('.notice')`)
	p.checkAccessibility("after erasure")
	p.screenshot("phone-erased")
	if c := p.cookie(); c != "" {
		t.Errorf("the session cookie is still there after erasure")
	}
	if _, ok, err := h.db.Session(participant); ok || err != nil {
		t.Errorf("the session is still stored after erasure (%v)", err)
	}
	if got := h.answers(participant); len(got) != 0 {
		t.Errorf("answers left after erasure: %+v", got)
	}
	// Coming back starts afresh.
	p.open("/")
	p.waitFor("the start button", `!!document.querySelector('form.start button')`)
	p.checkConsole()
}

// TestBrowserLinkFromAnotherSite: a link in a newsletter (another site)
// reaches the page without the SameSite=Strict cookie; the page reloads
// itself once so that a returning parent finds their conversation, not a
// new one.
func TestBrowserLinkFromAnotherSite(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(390, 844)
	p.startTheme1()
	p.answer("Réponse avant la lettre d'information.")
	p.waitLog("Question 2/5")
	token := p.cookie()

	// "localhost" is another site than "127.0.0.1".
	newsletter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="fr"><title>Lettre</title><a id="go" href="%s/?start=lettre_mars">Donnez votre avis</a></html>`, h.srv.URL)
	}))
	defer newsletter.Close()
	p.do(chromedp.Navigate(strings.Replace(newsletter.URL, "127.0.0.1", "localhost", 1)))
	p.do(chromedp.Click(chromedp.CSS("#go"), chromedp.NodeVisible))
	p.waitLog("Question 2/5")
	p.waitLog("Réponse avant la lettre d'information.")
	if got := p.cookie(); got != token {
		t.Errorf("the session cookie changed after following the link")
	}
	p.checkConsole()
}

// TestBrowserKeyboardOnly: with the keyboard alone a person skips to the
// answer, picks options and types answers; after each reply the focus is
// on the new prompt's first button or its text box, visibly.
func TestBrowserKeyboardOnly(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(1280, 800)
	p.open("/")
	p.waitFor("the page loaded", `document.readyState === 'complete'`)
	p.do(chromedp.KeyEvent("\t"))
	if got := p.focused(); got != "a:"+textsFR.SkipLink {
		t.Errorf("the first Tab reaches %q, want the skip link", got)
	}
	p.do(chromedp.KeyEvent("\r"), chromedp.KeyEvent("\t"))
	if got := p.focused(); got != "button:Commencer" {
		t.Errorf("after the skip link, Tab reaches %q, want Commencer", got)
	}
	p.do(chromedp.KeyEvent("\r"))
	p.waitLog("Avant de commencer")
	p.waitFor("the page loaded", `document.readyState === 'complete'`)
	// The page lands on the new message: the next Tab is the answer.
	p.do(chromedp.KeyEvent("\t"))
	if got := p.focused(); got != "button:J'accepte" {
		t.Fatalf("after Commencer, Tab reaches %q, want the first option", got)
	}
	p.do(chromedp.KeyEvent("\r"))
	p.waitLog("Vous répondez en tant que")
	p.waitFor("focus on the first profile", `document.activeElement.textContent.trim() === 'Parent'`)
	outline := eval[string](p, `getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth`)
	if outline != "solid 3px" {
		t.Errorf("the focused button's outline is %q, want a visible 3px one", outline)
	}
	p.screenshot("desktop-keyboard-focus")
	p.do(chromedp.KeyEvent("\r"))
	p.waitLog("Dans quelle académie")
	p.waitFor("focus on the académie box", `document.activeElement.id === 'text'`)
	p.do(chromedp.KeyEvent("Gironde"), chromedp.KeyEvent("\t"), chromedp.KeyEvent("\r"))
	p.waitLog("académie de Bordeaux")
	p.waitFor("focus on the first theme", `document.activeElement.textContent.trim().startsWith('1. ')`)
	p.checkConsole()
	if s, _, _ := h.db.Session(h.participantOf(p.cookie())); s.Academie == "" {
		t.Errorf("the académie typed with the keyboard was not stored: %+v", s)
	}
}

// TestBrowserNarrowAndZoomed: at 320 px wide, and at 200 % zoom on a
// laptop, nothing is wider than the screen and axe-core finds nothing.
func TestBrowserNarrowAndZoomed(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(320, 640)
	p.startTheme1()
	for _, v := range []struct {
		name          string
		width, height int64
		scale         float64
	}{
		{"320 px", 320, 640, 1},
		{"200 % zoom", 640, 400, 2},
	} {
		p.do(chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateScale(v.scale)))
		p.do(chromedp.Reload())
		p.waitFor("the question", `!!document.getElementById('text')`)
		if w := eval[int](p, `document.documentElement.scrollWidth`); w > int(v.width) {
			t.Errorf("%s: the page is %d px wide, more than the %d px screen", v.name, w, v.width)
		}
		p.checkAccessibility(v.name)
		p.screenshot("zoom-" + strings.ReplaceAll(strings.ReplaceAll(v.name, " ", ""), "%", "pc"))
	}
	p.checkConsole()
}

// TestBrowserServerRestart: the server restarts under an open page (its
// memory of recent replies is gone); the page reconnects, says that
// earlier messages cannot be shown, shows the current question again, and
// the next answer is stored once.
func TestBrowserServerRestart(t *testing.T) {
	h := newHarness(t, Options{})
	p := h.openBrowser(390, 844)
	p.startTheme1()
	p.answer("Avant le redémarrage.")
	p.waitLog("Question 2/5")
	p.expectConsole("/events?") // the stream the restart cuts
	h.restart()
	p.waitFor("the gap notice", `!!document.querySelector('#log .gap')`)
	p.waitFor("the second question again, after the notice", `(function(){
		var gap = document.querySelector('#log .gap');
		for (var n = gap.nextElementSibling; n; n = n.nextElementSibling) {
			if (n.innerText.includes('Question 2/5')) return true;
		}
		return false;
	})()`)
	p.waitFor("the text box", `document.activeElement && document.activeElement.id === 'text'`)
	p.checkAccessibility("after a restart")
	p.screenshot("phone-after-restart")
	p.answer("Après le redémarrage.")
	p.waitLog("Question 3/5")
	got := h.answers(h.participantOf(p.cookie()))
	if len(got) != 2 || got["equipement"].Text != "Avant le redémarrage." || got["besoins"].Text != "Après le redémarrage." {
		t.Errorf("stored %+v", got)
	}
	p.checkConsole()
}
