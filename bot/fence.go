package bot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Lead is a replica's hold on the lead of delivery (an etcd election
// among replicas), as delivery checks it: until a time by this process's
// clock, which the holder extends while the lead lasts, and no longer
// once lost. It must end no later than the moment another replica may
// start delivering (before the lease can expire on the cluster, not when
// this process notices it expired), or two replicas may write to one
// person at once. A nil *Lead is always held.
//
// The bound is checked against the clock at the moment each request
// leaves for its platform (FenceRequests), not only when the holder
// gets round to calling Lose: a process descheduled for a second, or a
// send that waited a second for its platform's limits, finds the lead
// expired by the clock and sends nothing, whether or not the goroutine
// that ends the lead has run yet.
type Lead struct {
	until    atomic.Pointer[time.Time]
	lost     chan struct{}
	loseOnce sync.Once
}

// NewLead returns a lead held until until.
func NewLead(until time.Time) *Lead {
	l := &Lead{lost: make(chan struct{})}
	l.until.Store(&until)
	return l
}

// Extend holds the lead until until (a later keep-alive's bound).
func (l *Lead) Extend(until time.Time) { l.until.Store(&until) }

// Until is the time the lead is held until, unless lost before.
func (l *Lead) Until() time.Time { return *l.until.Load() }

// Lose ends the lead for good.
func (l *Lead) Lose() { l.loseOnce.Do(func() { close(l.lost) }) }

// Lost is closed by Lose; nil (never closed) for a nil Lead.
func (l *Lead) Lost() <-chan struct{} {
	if l == nil {
		return nil
	}
	return l.lost
}

// Held reports whether the lead is held at this instant: not lost, and
// its bound not reached by the clock.
func (l *Lead) Held() bool {
	if l == nil {
		return true
	}
	select {
	case <-l.lost:
		return false
	default:
	}
	return time.Now().Before(l.Until())
}

// ErrLeadLost is the error of a request refused because the lead was lost
// before it could leave: the platform has none of it.
var ErrLeadLost = errors.New("not sent: this replica lost the lead before the request could leave")

// leadKey is the context key of a Send's lead.
type leadKey struct{}

// FenceRequests wraps next so that a request made with the context of a
// Send of a fenced engine leaves only while the engine's lead is held:
// the lead is checked as the request's body is written, after the
// connection is made, and a request whose body has not been written in
// full never reaches the platform. A nil next is http.DefaultTransport.
func FenceRequests(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return fencedTransport{next: next}
}

type fencedTransport struct{ next http.RoundTripper }

func (t fencedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l, _ := r.Context().Value(leadKey{}).(*Lead)
	if l == nil {
		return t.next.RoundTrip(r)
	}
	if !l.Held() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, ErrLeadLost
	}
	if r.Body == nil || r.Body == http.NoBody {
		return t.next.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	r2.Body = fencedBody{ReadCloser: r.Body, lead: l}
	if r.GetBody != nil {
		r2.GetBody = func() (io.ReadCloser, error) {
			b, err := r.GetBody()
			if err != nil {
				return nil, err
			}
			return fencedBody{ReadCloser: b, lead: l}, nil
		}
	}
	return t.next.RoundTrip(r2)
}

// fencedBody fails its reads once the lead is lost, so that the rest of
// the request never leaves.
type fencedBody struct {
	io.ReadCloser
	lead *Lead
}

func (b fencedBody) Read(p []byte) (int, error) {
	if !b.lead.Held() {
		return 0, ErrLeadLost
	}
	return b.ReadCloser.Read(p)
}

// Fence ties delivery to lead: once it is no longer held, this engine
// sends nothing more. The workers stop at once, the request in flight is
// cancelled, and a request that has not left yet is refused at the moment
// it would leave (FenceRequests, which the platforms' adapters use); what
// is queued stays in the outbox, for the replica that leads next to send,
// and Close does not wait for it. Call it before Start; a nil lead never
// fences. The store should refuse this replica's commits once the lead
// ends too, so that marking sent cannot race the next leader.
func (e *Engine) Fence(lead *Lead) { e.lead = lead }

// fenced reports whether the lead is lost.
func (e *Engine) fenced() bool { return !e.lead.Held() }

// fenceContext returns ctx carrying the engine's lead, for FenceRequests.
func (e *Engine) fenceContext(ctx context.Context) context.Context {
	if e.lead == nil {
		return ctx
	}
	return context.WithValue(ctx, leadKey{}, e.lead)
}

// watchFence stops delivery when the lead is lost; it returns when
// delivery stops for any reason.
func (e *Engine) watchFence() {
	if e.lead == nil {
		return
	}
	select {
	case <-e.lead.Lost():
		e.log.Warn("lead lost: delivery stops at once; the replies left in the outbox are for the next leader")
		e.stopSend()
	case <-e.sendCtx.Done():
	}
}
