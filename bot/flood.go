package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"consultbot/flows"
)

// Flood-control defaults: a person may send a burst of ten events, then
// one a second.
const (
	DefaultFloodBurst = 10
	DefaultFloodRate  = 1.0
)

// FloodLimit is a per-participant token bucket on inbound events.
type FloodLimit struct {
	// Burst is how many events a participant may send at once.
	Burst int
	// Rate is how many events per second are applied beyond the burst.
	Rate float64
	// Channels are the channels it applies to. The terminal is usually
	// left out, so that piped scripts are not throttled.
	Channels []string
}

// Backlog is what flood control needs from the store, beyond Store:
// storage.DB implements it.
type Backlog interface {
	// Hold commits in to its participant's backlog instead of applying it:
	// its id is recorded, so a redelivery is a Duplicate, and the notice
	// replies go into the outbox, in one transaction.
	Hold(ctx context.Context, in Inbound, now time.Time, notice []flows.Reply) (Applied, error)
	// ApplyHeld applies the oldest held event of participant as Apply
	// would, with step(in), and removes it from the backlog, in one
	// transaction; ok is false when the backlog is empty.
	ApplyHeld(ctx context.Context, participant string, now time.Time, step func(Inbound) StepFunc) (in Inbound, applied Applied, ok bool, err error)
	// Held counts the held events of every participant who has some.
	Held(ctx context.Context) (map[string]int, error)
}

// Flood notices, by language.
const (
	floodNoticeFR = "Vous envoyez beaucoup de messages d'un coup : je les traite dans l'ordre, un instant…"
	floodNoticeEN = "You are sending many messages at once: I am handling them in order, just a moment…"
)

func floodNotice(lang string) flows.Reply {
	if strings.HasPrefix(lang, flows.LangEN) {
		return flows.Reply{Text: floodNoticeEN}
	}
	return flows.Reply{Text: floodNoticeFR}
}

// floodControl keeps a token bucket per participant of the limited
// channels. An event that finds the bucket empty, or its participant's
// backlog not empty, is held: committed to the backlog (and confirmed to
// the platform), then applied by a drainer goroutine at the bucket's rate,
// before any newer event of that participant. Nothing is dropped: the
// backlog is durable and a restart resumes it.
type floodControl struct {
	limit    FloodLimit
	channels map[string]bool
	store    Backlog
	now      func() time.Time // real time, apart from the stepping clock

	mu        sync.Mutex
	parts     map[string]*floodState
	lastSweep time.Time
	stop      chan struct{}
	stopped   bool
	drainers  sync.WaitGroup
}

type floodState struct {
	tokens   float64
	last     time.Time
	held     int  // events in the durable backlog
	draining bool // a drainer goroutine runs for this participant
}

// SetFlood turns per-participant flood control on; call it before Start.
// The store must implement Backlog.
func (e *Engine) SetFlood(l FloodLimit) error {
	b, ok := e.store.(Backlog)
	if !ok {
		return errors.New("flood control: the store keeps no backlog")
	}
	if l.Burst <= 0 || !(l.Rate > 0) || math.IsInf(l.Rate, 0) { // NaN fails "> 0"
		return fmt.Errorf("flood control: burst %d and rate %g must be positive", l.Burst, l.Rate)
	}
	f := &floodControl{limit: l, channels: map[string]bool{}, store: b, now: time.Now, parts: map[string]*floodState{}, stop: make(chan struct{})}
	for _, ch := range l.Channels {
		f.channels[ch] = true
	}
	e.flood = f
	return nil
}

// state returns p's bucket, refilled up to now; f.mu must be held.
func (f *floodControl) state(p string, now time.Time) *floodState {
	st := f.parts[p]
	if st == nil {
		st = &floodState{tokens: float64(f.limit.Burst), last: now}
		f.parts[p] = st
		return st
	}
	if d := now.Sub(st.last); d > 0 {
		st.tokens = min(float64(f.limit.Burst), st.tokens+d.Seconds()*f.limit.Rate)
		st.last = now
	}
	return st
}

// admit takes a token for an event of p, or says to hold it back, and
// whether this starts a backlog (the moment to tell the person).
func (f *floodControl) admit(p string) (hold, notice bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	f.sweep(now)
	st := f.state(p, now)
	switch {
	case st.held > 0:
		return true, false
	case st.tokens >= 1:
		st.tokens--
		return false, false
	}
	return true, true
}

// sweep forgets, at most once a second, the participants whose bucket is
// full and who have nothing held, so that idle people cost nothing.
func (f *floodControl) sweep(now time.Time) {
	if now.Sub(f.lastSweep) < time.Second {
		return
	}
	f.lastSweep = now
	for p, st := range f.parts {
		if st.held == 0 && !st.draining && st.tokens+now.Sub(st.last).Seconds()*f.limit.Rate >= float64(f.limit.Burst) {
			delete(f.parts, p)
		}
	}
}

// added counts a newly held event and reports whether a drainer must be
// started for p.
func (f *floodControl) added(p string, n int) (start bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.state(p, f.now())
	st.held += n
	if st.draining || f.stopped {
		return false
	}
	st.draining = true
	f.drainers.Add(1)
	return true
}

// applied counts a held event as applied (ok) or the backlog as found
// empty, and reports whether more are held; the drainer stops when not.
func (f *floodControl) applied(p string, ok bool) (more bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.state(p, f.now())
	if ok && st.held > 0 {
		st.held--
	} else if !ok {
		st.held = 0
	}
	if st.held == 0 {
		st.draining = false
	}
	return st.held > 0
}

// wait takes a token for p's next held event, or says how long until one
// is available.
func (f *floodControl) wait(p string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.state(p, f.now())
	if st.tokens >= 1 {
		st.tokens--
		return 0
	}
	// Capped, so that an absurdly low rate cannot overflow the duration;
	// the drainer asks again when it wakes.
	return time.Duration(min((1-st.tokens)/f.limit.Rate, 3600) * float64(time.Second))
}

// holdIfFlooding holds in back when its participant is over the limit or
// has events held already; held reports that it did (or tried to).
// Called in the participant's turn, under startMu.
func (e *Engine) holdIfFlooding(ctx context.Context, in Inbound, now time.Time) (applied Applied, held bool, err error) {
	f := e.flood
	if f == nil || !f.channels[in.Channel] {
		return Applied{}, false, nil
	}
	hold, notice := f.admit(in.Participant)
	if !hold {
		return Applied{}, false, nil
	}
	var replies []flows.Reply
	if notice {
		replies = []flows.Reply{floodNotice(in.Event.Lang)}
	}
	applied, err = f.store.Hold(ctx, in, now, replies)
	if err != nil {
		e.log.Error("hold event back", "platform", in.Channel, "participant", in.Participant, "err", err)
		return Applied{}, true, err
	}
	if applied.Duplicate {
		e.observer().Applied(in.Channel, true, 0)
	} else {
		if notice {
			e.log.Info("participant over the flood limit; holding their events back", "platform", in.Channel, "participant", in.Participant)
		}
		if f.added(in.Participant, 1) {
			go e.drainHeld(in.Participant)
		}
	}
	if e.started {
		e.enqueue(applied.Outbox)
	}
	return applied, true, nil
}

// startFlood resumes the backlogs left by a stop or a crash; called by
// Start.
func (e *Engine) startFlood(ctx context.Context) error {
	f := e.flood
	if f == nil {
		return nil
	}
	held, err := f.store.Held(ctx)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	for p, n := range held {
		if f.added(p, n) {
			go e.drainHeld(p)
		}
	}
	if len(held) > 0 {
		e.log.Info("resuming events held back by flood control", "participants", len(held))
	}
	return nil
}

// stopFlood stops the drainers and waits for them; what they did not apply
// stays in the backlog.
func (e *Engine) stopFlood() {
	f := e.flood
	if f == nil {
		return
	}
	f.mu.Lock()
	if !f.stopped {
		f.stopped = true
		close(f.stop)
	}
	f.mu.Unlock()
	f.drainers.Wait()
}

// drainHeld applies p's held events one at a time, at the bucket's rate,
// each in p's turn like a new event, until the backlog is empty or Close.
func (e *Engine) drainHeld(p string) {
	f := e.flood
	defer f.drainers.Done()
	backoff := e.retryMin
	for {
		if d := f.wait(p); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
				continue
			case <-f.stop:
				t.Stop()
				return
			}
		}
		more, err := e.applyHeld(p)
		switch {
		case errors.Is(err, ErrClosed):
			return
		case err != nil:
			e.log.Error("apply held event; will retry", "retry_in", backoff, "err", err)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-f.stop:
				t.Stop()
				return
			}
			backoff = min(2*backoff, e.retryMax)
			continue
		}
		backoff = e.retryMin
		if !more {
			return
		}
	}
}

// applyHeld applies p's oldest held event in p's turn.
func (e *Engine) applyHeld(p string) (more bool, err error) {
	leave, err := e.join(context.Background(), p)
	if err != nil {
		return false, err
	}
	defer leave()
	e.startMu.RLock()
	defer e.startMu.RUnlock()
	now := e.now()
	var t tally
	in, applied, ok, err := e.flood.store.ApplyHeld(context.Background(), p, now, func(in Inbound) StepFunc {
		return t.wrap(func(s flows.Session) (flows.Session, []flows.Reply) { return e.stepper.Step(s, in.Event, now) })
	})
	if err != nil {
		return true, err
	}
	if ok {
		e.observeApplied(in.Channel, applied, &t)
	}
	more = e.flood.applied(p, ok)
	if e.started {
		e.enqueue(applied.Outbox)
	}
	return more, nil
}
