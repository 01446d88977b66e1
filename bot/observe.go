package bot

import (
	"net/http"
	"time"

	"consultbot/flows"
)

// Observer learns what the engine and the adapters do, for metrics and
// health checks. Its methods are called on hot paths, concurrently: they
// must be quick and never block. The engine and the adapters call a
// NopObserver unless told otherwise, so the bot needs no metrics library;
// cmd wires a Prometheus one (package metrics).
type Observer interface {
	// Applied is called once an inbound event is committed (or found
	// already applied: duplicate), with how many answers it created or
	// changed.
	Applied(channel string, duplicate bool, answers int)
	// Delivered is called when a reply leaves the outbox: sent, or given
	// up as undeliverable (sent false).
	Delivered(channel string, sent bool)
	// Request is called after each call to a platform's API: its method
	// ("sendMessage", "POST channels/{id}/messages"), how long the answer
	// took to come, its HTTP status (0 when none came) and the transport
	// error, if any.
	Request(platform, method string, took time.Duration, status int, err error)
	// Connected is called when a channel's link to its platform comes up
	// (a long poll answered, the gateway ready) or goes down.
	Connected(channel string, up bool)
}

// NopObserver observes nothing.
type NopObserver struct{}

// Applied does nothing.
func (NopObserver) Applied(string, bool, int) {}

// Delivered does nothing.
func (NopObserver) Delivered(string, bool) {}

// Request does nothing.
func (NopObserver) Request(string, string, time.Duration, int, error) {}

// Connected does nothing.
func (NopObserver) Connected(string, bool) {}

var _ Observer = NopObserver{}

// SetObserver makes o learn what the engine does; call it before Start.
// A nil o observes nothing.
func (e *Engine) SetObserver(o Observer) {
	if o == nil {
		o = NopObserver{}
	}
	e.obs = o
}

// observer returns the engine's Observer, a NopObserver by default.
func (e *Engine) observer() Observer {
	if e.obs == nil {
		return NopObserver{}
	}
	return e.obs
}

// tally counts the answers a step stored, for the Observer. The store may
// call a step more than once (a retried batch) and keeps the last result:
// so does tally.
type tally struct{ answers int }

// wrap returns step, counting the answers it creates or changes.
func (t *tally) wrap(step StepFunc) StepFunc {
	return func(s flows.Session) (flows.Session, []flows.Reply) {
		next, replies := step(s)
		t.answers = changedAnswers(s, next)
		return next, replies
	}
}

// observeApplied reports a committed event to the Observer.
func (e *Engine) observeApplied(channel string, applied Applied, t *tally) {
	n := 0
	if !applied.Duplicate {
		n = t.answers
	}
	e.observer().Applied(channel, applied.Duplicate, n)
}

// changedAnswers counts the answers of next that old does not hold as
// they are: new ones and edited ones.
func changedAnswers(old, next flows.Session) int {
	n := 0
	for k, a := range next.Answers {
		prev, ok := old.Answers[k]
		if !ok || !sameAnswer(prev, a) {
			n++
		}
	}
	return n
}

func sameAnswer(a, b flows.Answer) bool {
	if a.Theme != b.Theme || a.Question != b.Question || a.Text != b.Text || a.Choice != b.Choice ||
		!a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) || (a.Voice == nil) != (b.Voice == nil) {
		return false
	}
	return a.Voice == nil || *a.Voice == *b.Voice
}

// ObserveRequests wraps next so that every request through it is reported
// to o as a call to platform, named by method (which must never return
// anything secret from the URL, such as a token: it becomes a metric
// label). A nil o returns next as is.
func ObserveRequests(platform string, o Observer, method func(*http.Request) string, next http.RoundTripper) http.RoundTripper {
	if o == nil {
		return next
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &observedTransport{platform: platform, obs: o, method: method, next: next}
}

type observedTransport struct {
	platform string
	obs      Observer
	method   func(*http.Request) string
	next     http.RoundTripper
}

func (t *observedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	t.obs.Request(t.platform, t.method(r), time.Since(start), status, err)
	return resp, err
}
