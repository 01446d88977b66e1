package telegram_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDoubleTapSaysNothing: a finger that bounces taps the same button
// twice; the second tap, right after the first (after a restart too),
// is answered silently and changes nothing: no « question précédente »,
// no second welcome to the theme, the button stops spinning.
func TestDoubleTapSaysNothing(t *testing.T) {
	fake := newFake(t)
	path := filepath.Join(t.TempDir(), "c.db")
	a := startApp(t, fake, path, nil)
	p := newParent(t, fake, 42)
	menu := p.onboard()
	var label string
	for _, l := range menu.Labels() {
		if strings.HasPrefix(l, "1.") {
			label = l
		}
	}
	data := dataOf(t, menu, label)
	_, first := fake.TapData(p.u, menu, data)
	_, bounce := fake.TapData(p.u, menu, data)
	p.expect("Question 1/5")
	// Committed, then the same tap once more across a restart.
	if err := eventually(waitCtx(t), func() bool {
		s, _, _ := a.db.Session(pid(42))
		return s.Question != "" && fake.CallbackAnswered(bounce)
	}); err != nil {
		t.Fatal(err)
	}
	a.stop()
	a = startApp(t, fake, path, nil)
	_, late := fake.TapData(p.u, menu, data)
	// The person's events are applied in order: once « passer » is
	// answered, the taps before it were.
	p.say("passer")
	p.expect("Question 2/5")
	for _, q := range []string{first, bounce, late} {
		if !fake.CallbackAnswered(q) {
			t.Errorf("callback %s not answered: the button keeps spinning", q)
		}
	}
	for _, m := range fake.Messages(42) {
		if strings.Contains(m.Text, "question précédente") {
			t.Errorf("a repeated tap was answered %q", m.Text)
		}
	}
	s, _, err := a.db.Session(pid(42))
	if err != nil {
		t.Fatal(err)
	}
	if s.Theme != "acces" {
		t.Errorf("theme %q after the taps, want the first theme", s.Theme)
	}
}
