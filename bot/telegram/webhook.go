package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
)

// maxWebhookBody bounds an update's size; real ones are a few kilobytes.
const maxWebhookBody = 1 << 20

// WebhookHandler returns the handler Telegram posts updates to in webhook
// mode. It refuses requests without the right secret header (401, nothing
// applied), bodies over 1 MiB (413) and bodies that are not exactly one
// JSON update (400), and answers 200 only once the update is committed,
// 500 when it could not be, so that Telegram delivers it again.
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(a.serveWebhook)
}

func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if a.opts.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.opts.WebhookSecret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var u update
	if err := decodeOne(http.MaxBytesReader(w, r.Body, maxWebhookBody), &u); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	if err := a.process(r.Context(), u); err != nil {
		a.log.Error("apply telegram update from webhook; Telegram will retry", "update", u.UpdateID, "err", err)
		code := http.StatusInternalServerError
		if errors.Is(err, bot.ErrClosed) {
			code = http.StatusServiceUnavailable
		}
		http.Error(w, "not applied", code)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// decodeOne decodes exactly one JSON value from r into v: Telegram posts
// one update per request, so a body with anything after it but spaces (a
// second update, garbage) is refused whole rather than half applied.
func decodeOne(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		return err
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); err {
	case io.EOF:
		return nil
	case nil:
		return errors.New("more than one JSON value in the body")
	default:
		return err
	}
}

// Lead does, in webhook mode, what one process does for the bot however
// many serve its webhook (replicas sharing an etcd cluster, each applying
// the updates it receives): it registers the webhook with its secret and
// sets the command menus, and returns once done (the menus are cosmetic:
// their failure is only logged). ServeWebhook receives the updates.
func (a *Adapter) Lead(ctx context.Context) error {
	if err := a.setWebhook(ctx); err != nil {
		return err
	}
	a.setMenus(ctx)
	return nil
}

// setWebhook registers the webhook with its secret; nil when ctx ends.
func (a *Adapter) setWebhook(ctx context.Context) error {
	// v5.5.1's WebhookConfig predates secret_token: raw parameters.
	params := tgbotapi.Params{
		"url":          a.opts.WebhookURL,
		"secret_token": a.opts.WebhookSecret,
	}
	if err := params.AddInterface("allowed_updates", allowedUpdates); err != nil {
		return err
	}
	if _, err := a.rawRequest(ctx, "setWebhook", params); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("set telegram webhook: %w", err)
	}
	a.log.Info("telegram webhook set")
	return nil
}

// ServeWebhook serves WebhookHandler on WebhookListen until ctx ends, and
// reports the channel up meanwhile; with WebhookListen empty it only
// reports it up (the caller mounts WebhookHandler itself). Every replica
// sharing the bot's store may serve the webhook at once: each update is
// applied in one transaction wherever it arrives, and applied once.
func (a *Adapter) ServeWebhook(ctx context.Context) error {
	if a.opts.WebhookListen == "" {
		a.observer().Connected(bot.ChannelTelegram, true)
		<-ctx.Done()
		return nil
	}
	ln, err := net.Listen("tcp", a.opts.WebhookListen)
	if err != nil {
		return fmt.Errorf("listen for telegram webhook on %s: %w", a.opts.WebhookListen, err)
	}
	srv := &http.Server{Handler: a.WebhookHandler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.observer().Connected(bot.ChannelTelegram, true)
	defer a.observer().Connected(bot.ChannelTelegram, false)
	select {
	case err := <-errc:
		return fmt.Errorf("serve telegram webhook: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("stop telegram webhook: %w", err)
	}
	return nil
}
