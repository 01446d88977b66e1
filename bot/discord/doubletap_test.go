package discord_test

import (
	"strings"
	"testing"

	"consultbot/bot/discord/discordtest"
)

// TestDoubleClickSaysNothing: a button clicked twice in a row is applied
// once; the second click is acknowledged and answered by nothing, not by
// « question précédente ».
func TestDoubleClickSaysNothing(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("elise", "fr")
	menu, i := h.onboard(u, h.srv.Guild())
	first := h.click(u, menu, "Égal accès")
	second := h.click(u, menu, "Égal accès")
	for _, id := range []string{first, second} {
		if _, err := h.srv.WaitAck(id, wait); err != nil {
			t.Fatalf("click %s not acknowledged: %v", id, err)
		}
	}
	h.awaitText(u, i, "Question 1/5")
	// One person's events are applied in order: once /aide is answered,
	// both clicks were.
	h.slash(u, h.srv.Guild(), "aide")
	h.awaitText(u, i+1, "/aide")
	questions := 0
	for _, m := range h.srv.Messages(u.ID) {
		if strings.Contains(m.Content, "question précédente") {
			t.Errorf("the second click was answered %q", m.Content)
		}
		if strings.Contains(m.Content, "Question 1/5") {
			questions++
		}
	}
	if questions != 1 {
		t.Errorf("%d messages with question 1, want one:%s", questions, dump(h.srv.Messages(u.ID)))
	}
	h.checkWire()
}
