package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// Handler applies one inbound event; *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error)
}

// Sessions reads a participant's stored session; *storage.DB implements
// it. The page reads the language of the conversation from it, whether
// the person has started, and whether an erasure went through.
type Sessions = bot.Sessions

// Options configures an Adapter.
type Options struct {
	// IDKey keys the participant ids and the anti-forgery tokens; it must
	// not be empty.
	IDKey []byte
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies []netip.Prefix
	// Questionnaire gives the page its title; nil: the embedded one.
	Questionnaire *flows.Questionnaire
	// DefaultLang is the page's language when nothing tells it: "fr"
	// (default) or "en".
	DefaultLang string
	// MaxAnswerLen is the longest text accepted where the prompt sets no
	// limit; default 4000 characters.
	MaxAnswerLen int
	// Location is the time zone of the times shown (a code's expiry);
	// default Europe/Paris, else UTC.
	Location *time.Location
	// History is how many recent replies are kept per person for reloads
	// and reconnections; default 40.
	History int
	Limits  Limits
	Logger  *slog.Logger
	// Now is the clock of codes, flood control and event times; default
	// time.Now.
	Now func() time.Time
}

// Adapter is the web channel: an http.Handler serving the chat page, and
// the engine's Sender for bot.ChannelWeb.
type Adapter struct {
	handler  Handler
	sessions Sessions
	idKey    []byte
	proxies  []netip.Prefix
	title    flows.Text
	lang     string
	maxLen   int
	loc      *time.Location
	limits   Limits
	log      *slog.Logger
	now      func() time.Time
	epoch    string // tells pages of an earlier process apart

	hub      *hub
	codes    *codes
	byAddr   *buckets
	byPerson *buckets
	codeTry  *buckets
	mux      *http.ServeMux
}

var _ bot.Sender = (*Adapter)(nil)

// New returns the web channel, applying events with h and reading
// sessions from s.
func New(h Handler, s Sessions, opts Options) (*Adapter, error) {
	if len(opts.IDKey) == 0 {
		return nil, errors.New("web: empty id key")
	}
	a := &Adapter{
		handler:  h,
		sessions: s,
		idKey:    opts.IDKey,
		proxies:  opts.TrustedProxies,
		lang:     baseLang(opts.DefaultLang),
		maxLen:   opts.MaxAnswerLen,
		loc:      opts.Location,
		limits:   opts.Limits.withDefaults(),
		log:      opts.Logger,
		now:      opts.Now,
		epoch:    randomID()[:12],
	}
	q := opts.Questionnaire
	if q == nil {
		q = flows.DefaultQuestionnaire()
	}
	a.title = q.Title
	if a.lang == "" {
		a.lang = flows.LangFR
	}
	if a.maxLen <= 0 {
		a.maxLen = 4000
	}
	if a.loc == nil {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			loc = time.UTC
		}
		a.loc = loc
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("platform", bot.ChannelWeb)
	if a.now == nil {
		a.now = time.Now
	}
	size := opts.History
	if size <= 0 {
		size = 40
	}
	a.hub = newHub(size, a.now)
	a.codes = newCodes(a.now)
	a.byAddr = newBuckets(a.limits.AddressRate, a.limits.AddressBurst, a.now)
	a.byPerson = newBuckets(a.limits.MessageRate, a.limits.MessageBurst, a.now)
	a.codeTry = newBuckets(a.limits.CodeRate, a.limits.CodeBurst, a.now)
	a.mux = a.routes()
	return a, nil
}

// Send keeps a reply for the participant's pages, which show it at once
// if open, or when the person comes back. It never fails: the page is
// the platform, and memory accepted the reply.
func (a *Adapter) Send(ctx context.Context, out bot.Outgoing) error {
	a.hub.deliver(out)
	return nil
}

// ServeHTTP serves the page and its endpoints, with the security headers
// and flood control in front of every route.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.secure(a.mux).ServeHTTP(w, r)
}

// idleAfter is how long a person's replies stay in memory once they have
// no page open.
const idleAfter = 6 * time.Hour

// Serve serves the web channel on ln until ctx ends, then shuts down:
// event streams end at once, other requests get a few seconds.
func (a *Adapter) Serve(ctx context.Context, ln net.Listener) error {
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	srv := &http.Server{
		Handler:           a,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Event streams push their deadline forward at every write.
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 16 << 10,
		BaseContext:    func(net.Listener) context.Context { return base },
		ErrorLog:       slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				cancel() // ends the event streams
				sctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
				defer stop()
				if err := srv.Shutdown(sctx); err != nil {
					a.log.Warn("web shutdown", "err", err)
					srv.Close()
				}
				return
			case <-tick.C:
				a.sweep()
			}
		}
	}()
	err := srv.Serve(ln)
	stop()
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("web: %w", err)
}

// sweep drops what idle visitors left in memory.
func (a *Adapter) sweep() {
	now := a.now()
	a.hub.sweep(now.Add(-idleAfter))
	a.codes.sweep()
	for _, b := range []*buckets{a.byAddr, a.byPerson, a.codeTry} {
		b.sweep(now.Add(-2 * time.Minute))
	}
}
