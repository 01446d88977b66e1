package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// maxInteractionBody bounds an interaction request's body: the largest
// Discord sends (a form of five 4,000-character inputs, with the resolved
// users and message) is well under it.
const maxInteractionBody = 256 << 10

// replyWithin is how long the gateway and the endpoint wait for an
// interaction's event to be committed before they acknowledge the
// interaction anyway (firstResponse): Discord gives three seconds for the
// response, and reading the request, the network and a busy machine take
// their share.
const replyWithin = 1500 * time.Millisecond

// ackSettle is how long after writing an interaction's response the
// replies this process committed wait before they are sent: Discord must
// have read the response for the interaction's token to take them.
const ackSettle = 50 * time.Millisecond

// InteractionsHandler serves Discord's HTTP interactions (the Interactions
// Endpoint URL of the Developer Portal), as the gateway would deliver
// them: every request's Ed25519 signature is checked with the
// application's public key (401 otherwise, and nothing is applied), a
// PING is answered with a PONG, and any other interaction takes the same
// road as through the gateway (react), except that the event is
// committed first: the response then is the deferred one (or the form to
// fill, or a note that the action was not recorded), within Discord's
// three seconds. The replies follow from the outbox, sent by whichever
// process delivers: every replica may serve this endpoint.
func (a *Adapter) InteractionsHandler() http.Handler {
	return http.HandlerFunc(a.serveInteraction)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(a.opts.PublicKey) != ed25519.PublicKeySize || !discordgo.VerifyInteraction(r, a.opts.PublicKey) {
		a.log.Debug("interaction request with a bad signature refused", "remote", r.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	i, err := decodeInteraction(body)
	if err != nil {
		a.log.Warn("interaction request not understood", "err", err)
		http.Error(w, "invalid interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		writeResponse(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	re, ok := a.react(i)
	if !ok {
		http.Error(w, "interaction not handled", http.StatusBadRequest)
		return
	}
	resp := re.resp
	if re.work != nil {
		// Replies committed here may be sent from this process before the
		// response is out: they wait for it, and for Discord to take it
		// (ackSettle; a reply that still comes too early is tried again).
		release := a.acking(i.Token)
		defer time.AfterFunc(ackSettle, func() { release(false) })
		resp = a.firstResponse(&a.ixWG, i, re, a.start(re))
	}
	writeResponse(w, resp)
}

// start does re's work in the background, counted in ixWG, and returns
// the channel its outcome comes on.
func (a *Adapter) start(re reaction) <-chan error {
	a.baseMu.Lock()
	ctx := a.base
	a.baseMu.Unlock()
	done := make(chan error, 1)
	a.ixWG.Add(1)
	go func() {
		defer a.ixWG.Done()
		done <- re.work(ctx)
	}()
	return done
}

func writeResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) {
	b, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "cannot encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// decodeInteraction decodes an interaction as Discord posts it; a modal
// submit's Label components, which discordgo v0.29.0 cannot decode, are
// read by decodeModalSubmit, as for the gateway.
func decodeInteraction(body []byte) (*discordgo.Interaction, error) {
	var head struct {
		Type discordgo.InteractionType `json:"type"`
		Data json.RawMessage           `json:"data"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, err
	}
	if head.Type != discordgo.InteractionModalSubmit {
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			return nil, err
		}
		return &i, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	fields["data"] = json.RawMessage(`{}`)
	rest, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(rest, &i); err != nil {
		return nil, err
	}
	data, err := decodeModalSubmit(head.Data)
	if err != nil {
		return nil, fmt.Errorf("modal submit data: %w", err)
	}
	i.Data = data
	return &i, nil
}

// ServeInteractions serves InteractionsHandler at Options.InteractionsPath
// on Options.InteractionsListen until ctx ends, then lets the requests in
// hand finish. Every replica sharing a cluster may run it, leading or not.
func (a *Adapter) ServeInteractions(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.opts.InteractionsListen)
	if err != nil {
		return fmt.Errorf("listen for discord interactions on %s: %w", a.opts.InteractionsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle(a.opts.InteractionsPath, a.InteractionsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("serving discord interactions", "listen", ln.Addr().String(), "path", a.opts.InteractionsPath)
	select {
	case err := <-errc:
		return fmt.Errorf("serve discord interactions: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	// The requests are answered; the commits they left running end too.
	a.ixWG.Wait()
	if err != nil {
		return fmt.Errorf("stop discord interactions: %w", err)
	}
	return nil
}
