package discord_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"consultbot/bot/discord"
	"consultbot/bot/discord/discordtest"
)

// endpointHarness is a harness whose fake Discord posts interactions,
// signed with a key pair made here, to the adapter's interactions
// endpoint instead of the gateway (direct messages still come through
// it). It returns the endpoint's URL and the private key.
func endpointHarness(t *testing.T) (*harness, string, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, discordtest.Options{}, func(o *discord.Options) { o.PublicKey = pub })
	ep := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ad.InteractionsHandler().ServeHTTP(w, r)
	}))
	t.Cleanup(ep.Close)
	h.srv.UseInteractionsEndpoint(ep.URL, priv)
	return h, ep.URL, priv
}

func TestEndpointRefusesBadSignaturesAndStoresNothing(t *testing.T) {
	h, url, _ := endpointHarness(t)
	u := h.srv.NewUser("eve", "fr")

	// Signed with another key: 401, as Discord requires, and nothing
	// acknowledged or stored.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	h.srv.UseInteractionsEndpoint(url, other)
	_, err := h.srv.SlashCommand(u, h.srv.Guild(), "contribuer")
	var epErr *discordtest.EndpointError
	if !errors.As(err, &epErr) || epErr.Status != http.StatusUnauthorized {
		t.Fatalf("interaction signed with another key: %v, want a 401", err)
	}
	if err := h.srv.Ping(); !errors.As(err, &epErr) || epErr.Status != http.StatusUnauthorized {
		t.Errorf("PING signed with another key: %v, want a 401", err)
	}

	// Unsigned, or a signature that does not match the body.
	body := []byte(`{"type":1,"id":"1","application_id":"1","token":"t","version":1}`)
	for name, hdr := range map[string]map[string]string{
		"unsigned":      {},
		"bad signature": {"X-Signature-Ed25519": strings.Repeat("ab", 64), "X-Signature-Timestamp": "1700000000"},
		"not hex":       {"X-Signature-Ed25519": "zz", "X-Signature-Timestamp": "1700000000"},
	} {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s request: status %d, want 401", name, resp.StatusCode)
		}
	}
	// A body over the limit is refused before anything is read into it.
	big := bytes.Repeat([]byte("x"), 512<<10)
	resp, err := http.Post(url, "application/json", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized request: status %d, want 413", resp.StatusCode)
	}

	if _, ok, err := h.db.Session(pid(u)); err != nil || ok {
		t.Errorf("session stored after refused requests: %v, %v", ok, err)
	}
	if a := h.srv.Acks(); len(a) != 0 {
		t.Errorf("refused interactions acknowledged: %+v", a)
	}
	if m := h.srv.Messages(u.ID); len(m) != 0 {
		t.Errorf("refused interactions answered:%s", dump(m))
	}
}

func TestEndpointAnswersPing(t *testing.T) {
	h, _, _ := endpointHarness(t)
	if err := h.srv.Ping(); err != nil {
		t.Fatal(err)
	}
}

func TestEducatorThemeThroughEndpoint(t *testing.T) {
	h, _, _ := endpointHarness(t)
	u := h.srv.NewUser("alice", "fr")
	m, i := h.onboard(u, h.srv.Guild())
	h.click(u, m, "Égal accès")
	i--
	for q := range 5 {
		m, i = h.awaitText(u, i+1, fmt.Sprintf("Question %d/5", q+1))
		h.answer(u, m, fmt.Sprintf("Réponse %d, par le point de terminaison.", q+1))
	}
	// Answering theme 2's first question, below the review, validates
	// theme 1.
	m, i = h.awaitText(u, i+1, "Question 1/9")
	h.answer(u, m, "Savoir vérifier ses sources.")
	h.awaitText(u, i+1, "Le thème 1 est validé.")
	h.checkThemeOneStored(u)
	for _, m := range h.srv.Messages(u.ID) {
		if !m.Ephemeral || m.GuildID == "" {
			t.Errorf("message %q: ephemeral %v, guild %q; want an ephemeral guild message", m.Content, m.Ephemeral, m.GuildID)
		}
	}
	// The same responses as through the gateway, given as the requests'
	// answers: deferred messages for commands and forms, deferred updates
	// for choices, the form for « Répondre ».
	types := map[int]map[int]int{}
	for _, a := range h.srv.Acks() {
		if types[a.Kind] == nil {
			types[a.Kind] = map[int]int{}
		}
		types[a.Kind][a.Type]++
	}
	if c := types[discordtest.InteractionCommand]; c[discordtest.CallbackDeferred] != 1 || len(c) != 1 {
		t.Errorf("slash commands acknowledged as %v, want one deferred message", c)
	}
	if c := types[discordtest.InteractionModalSubmit]; c[discordtest.CallbackDeferred] != 6 || len(c) != 1 {
		t.Errorf("forms acknowledged as %v, want 6 deferred messages (theme 1 and theme 2's first question)", c)
	}
	if c := types[discordtest.InteractionComponent]; c[discordtest.CallbackDeferredUpdate] != 4 || c[discordtest.CallbackModal] != 6 {
		t.Errorf("button clicks acknowledged as %v, want 4 deferred updates (consent, profile, académie, theme) and 6 forms", c)
	}
	h.checkWire()
}

func TestEndpointSameInteractionTwiceStoredOnce(t *testing.T) {
	h, _, _ := endpointHarness(t)
	duplicateSubmissionAppliedOnce(t, h)
	h.checkWire()
}
