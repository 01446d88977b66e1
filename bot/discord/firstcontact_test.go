package discord_test

import (
	"testing"

	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
)

// TestFirstDirectMessageInEnglishOpensInEnglish: a direct message carries
// no app language, so the first one's own words choose it; a French one,
// or one that says nothing of its language, opens in French.
func TestFirstDirectMessageInEnglishOpensInEnglish(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	for _, tc := range []struct {
		name, text, button, lang string
	}{
		{"ann", "hi, I'd like to take part", "I agree", flows.LangEN},
		{"bill", "hello", "I agree", flows.LangEN},
		{"chantal", "Bonjour", "J'accepte", flows.LangFR},
		{"dom", "ok", "J'accepte", flows.LangFR},
	} {
		u := h.srv.NewUser(tc.name, "")
		if _, err := h.srv.DirectMessage(u, tc.text); err != nil {
			t.Fatal(err)
		}
		h.awaitButton(u, 0, tc.button)
		s, _, err := h.db.Session(pid(u))
		if err != nil {
			t.Fatal(err)
		}
		if s.Lang != tc.lang {
			t.Errorf("first message %q: conversation in %q, want %q", tc.text, s.Lang, tc.lang)
		}
	}
	h.checkWire()
}
