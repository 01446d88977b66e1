package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"consultbot/flows"
	"consultbot/text"
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
	// its id is recorded, so a redelivery is a Duplicate, and the replies
	// notice returns (if notice is not nil) go into the outbox, in one
	// transaction. notice gets the language the participant's session
	// speaks, "" when they have none yet.
	Hold(ctx context.Context, in Inbound, now time.Time, notice func(lang string) []flows.Reply) (Applied, error)
	// ApplyHeld applies the oldest held event of participant as Apply
	// would, with step(in), and removes it from the backlog, in one
	// transaction; ok is false when the backlog is empty.
	ApplyHeld(ctx context.Context, participant string, now time.Time, step func(Inbound) StepFunc) (in Inbound, applied Applied, ok bool, err error)
	// Held counts the held events of every participant who has some.
	Held(ctx context.Context) (map[string]int, error)
}

// floodNotice tells a person over the limit that their messages are
// handled in order, in the language their conversation speaks (which
// they may have chosen with /langue), else their app's (hint).
func floodNotice(hint string) func(lang string) []flows.Reply {
	return func(lang string) []flows.Reply {
		if lang == "" {
			lang = hint
		}
		return []flows.Reply{{Text: text.For(lang).Channel.FloodNotice}}
	}
}

// floodControl keeps a token bucket per participant of the limited
// channels (golang.org/x/time/rate; the Telegram adapter's sending limits
// count differently, see bot/telegram/limit.go). An event that finds the bucket empty, or its participant's
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
	// ctx ends when the engine closes: drainers waiting for a token or
	// a turn return at once.
	ctx      context.Context
	stop     context.CancelFunc
	stopped  bool
	drainers sync.WaitGroup
}

type floodState struct {
	// bucket is the participant's token bucket, read at f.now() (a test
	// may freeze that clock).
	bucket   *rate.Limiter
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
	ctx, stop := context.WithCancel(context.Background())
	f := &floodControl{limit: l, channels: map[string]bool{}, store: b, now: time.Now, parts: map[string]*floodState{}, ctx: ctx, stop: stop}
	for _, ch := range l.Channels {
		f.channels[ch] = true
	}
	e.flood = f
	return nil
}

// state returns p's state, a full bucket for someone new; f.mu must be
// held.
func (f *floodControl) state(p string) *floodState {
	st := f.parts[p]
	if st == nil {
		st = &floodState{bucket: rate.NewLimiter(rate.Limit(f.limit.Rate), f.limit.Burst)}
		f.parts[p] = st
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
	st := f.state(p)
	switch {
	case st.held > 0:
		return true, false
	case st.bucket.AllowN(now, 1):
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
		if st.held == 0 && !st.draining && st.bucket.TokensAt(now) >= float64(f.limit.Burst) {
			delete(f.parts, p)
		}
	}
}

// added counts a newly held event and reports whether a drainer must be
// started for p.
func (f *floodControl) added(p string, n int) (start bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.state(p)
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
// stored says the store still holds some: events another replica held,
// which this drainer applies too.
func (f *floodControl) applied(p string, ok, stored bool) (more bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.state(p)
	if ok && st.held > 0 {
		st.held--
	} else if !ok {
		st.held = 0
	}
	if ok && stored && st.held == 0 {
		st.held = 1
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
	now := f.now()
	r := f.state(p).bucket.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d == 0 {
		return 0 // the token is taken
	}
	// Not yet: give the token back and say when to ask again. Capped, so
	// that an absurdly low rate cannot overflow the duration.
	r.CancelAt(now)
	return min(d, time.Hour)
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
	var replies func(string) []flows.Reply
	if notice {
		replies = floodNotice(in.Event.Lang)
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
	e.committed(applied.Outbox)
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

// stopFlood stops the drainers and waits for them until ctx ends; what
// they did not apply stays in the backlog. A drainer still running then
// is in the middle of one transaction, which it ends on its own.
func (e *Engine) stopFlood(ctx context.Context) {
	f := e.flood
	if f == nil {
		return
	}
	f.mu.Lock()
	if !f.stopped {
		f.stopped = true
		f.stop()
	}
	f.mu.Unlock()
	done := make(chan struct{})
	go func() {
		f.drainers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		e.log.Warn("flood control: a held event was still being applied at the shutdown deadline")
	}
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
			case <-f.ctx.Done():
				t.Stop()
				return
			}
		}
		more, err := e.applyHeld(p)
		switch {
		case errors.Is(err, ErrClosed), f.ctx.Err() != nil:
			return
		case err != nil:
			e.log.Error("apply held event; will retry", "retry_in", backoff, "err", err)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-f.ctx.Done():
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
	ctx := e.flood.ctx
	leave, err := e.join(ctx, p)
	if err != nil {
		return false, err
	}
	defer leave()
	e.startMu.RLock()
	defer e.startMu.RUnlock()
	now := e.now()
	var t tally
	in, applied, ok, err := e.flood.store.ApplyHeld(ctx, p, now, func(in Inbound) StepFunc {
		return t.wrap(func(s flows.Session) (flows.Session, []flows.Reply) { return e.stepper.Step(s, in.Event, now) })
	})
	if err != nil {
		return true, err
	}
	if ok {
		e.observeApplied(in.Channel, applied, &t)
	}
	more = e.flood.applied(p, ok, applied.Held)
	e.committed(applied.Outbox)
	return more, nil
}
