package discordtest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// endpoint is where interactions are posted instead of the gateway, as
// Discord does once an Interactions Endpoint URL is set.
type endpoint struct {
	url    string
	key    ed25519.PrivateKey
	client *http.Client
}

// UseInteractionsEndpoint makes the fake post every new interaction (and
// every redelivery) to url, signed with key as Discord signs them
// (X-Signature-Ed25519 over X-Signature-Timestamp and the body), instead of
// dispatching it on the gateway; the response is the interaction's first
// callback. Direct messages still come through the gateway. An empty url
// goes back to the gateway. Tests generate the key pair and give the bot
// the public half; another key makes every request's signature wrong.
func (s *Server) UseInteractionsEndpoint(url string, key ed25519.PrivateKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if url == "" {
		s.endpoint = nil
		return
	}
	// Discord waits for the response no longer than the acknowledgement
	// deadline.
	s.endpoint = &endpoint{url: url, key: key, client: &http.Client{Timeout: s.opts.AckDeadline}}
}

// EndpointError is an interactions endpoint's answer other than 200.
type EndpointError struct {
	Status int
	Body   string
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("discordtest: interactions endpoint answered %d: %s", e.Status, e.Body)
}

// deliverInteraction hands a new (or, again, a redelivered) interaction to
// the bot: over the gateway, or posted to the interactions endpoint.
func (s *Server) deliverInteraction(ix *interaction, again bool) error {
	s.mu.Lock()
	ep := s.endpoint
	s.mu.Unlock()
	if ep == nil {
		s.dispatch("INTERACTION_CREATE", ix.payload)
		return nil
	}
	s.mu.Lock()
	body, err := json.Marshal(ix.payload)
	ix.posting = !ix.acked
	s.mu.Unlock()
	if err != nil {
		return err
	}
	var resp callbackBody
	if err := ep.post(body, &resp); err != nil {
		s.mu.Lock()
		ix.posting = false
		s.mu.Unlock()
		return err
	}
	err = s.acknowledge(ix.id, ix.token, resp, nil)
	if again && errors.Is(err, errAlreadyAcked) {
		return nil // the first response counts, as on Discord
	}
	if err != nil {
		return fmt.Errorf("discordtest: interactions endpoint response refused: %w", err)
	}
	return nil
}

// Ping posts a PING to the interactions endpoint, as the Developer Portal
// does when the URL is saved, and checks that it gets a PONG.
func (s *Server) Ping() error {
	s.mu.Lock()
	ep := s.endpoint
	s.mu.Unlock()
	if ep == nil {
		return errors.New("discordtest: no interactions endpoint")
	}
	body, _ := json.Marshal(map[string]any{
		"id": s.newID(), "application_id": s.AppID, "type": 1, "token": randomToken(), "version": 1,
	})
	var resp callbackBody
	if err := ep.post(body, &resp); err != nil {
		return err
	}
	if resp.Type != 1 {
		return fmt.Errorf("discordtest: PING answered with type %d, want 1 (PONG)", resp.Type)
	}
	return nil
}

// post sends one signed request and decodes its JSON response.
func (ep *endpoint) post(body []byte, v any) error {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(ep.key, append([]byte(ts), body...))
	req, err := http.NewRequest(http.MethodPost, ep.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := ep.client.Do(req)
	if err != nil {
		return fmt.Errorf("discordtest: post interaction: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return &EndpointError{Status: resp.StatusCode, Body: string(bytes.TrimSpace(b))}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("discordtest: interactions endpoint response: %w", err)
	}
	return nil
}
