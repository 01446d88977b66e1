package telegram

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// The limiter keeps sending within Telegram's documented limits (about 30
// messages per second overall, about one per second in a chat with short
// bursts tolerated, 20 per minute in a group) however late a request
// reaches Telegram. Telegram counts a request when it arrives, which can
// be well after the client decided to send it (a late timer, a starved
// CPU, a new connection): a token bucket that hands out send times lets
// requests spaced on the client arrive bunched, and Telegram answers 429.
// So every limit here counts what was actually sent: a request counts
// from the moment it leaves until its response came back (then for the
// limit's span). Telegram saw it somewhere in between, so of any n+1
// requests arriving within less than the span, the last one to leave
// found the n others still counting and waited: at most n arrive in any
// span, whatever the delays. The overall and group limits are sliding
// windows (n in any span: 30 in any second, as Telegram states it); the
// per-chat limit is a token bucket on the same principle. The price is
// one round trip per window: 30 per (1 s + round trip), about 99 % of the
// ceiling on loopback.
//
// This is why these limits are not golang.org/x/time/rate, which the
// engine's per-person flood control uses: a rate.Limiter counts a
// request when it is admitted and forgets it at once, so requests it
// spaced correctly may still reach Telegram bunched. Flood control meters
// events the bot receives, where admission is all that matters.

// slot is one admitted request; done is zero while it is in flight.
type slot struct{ done time.Time }

// window admits at most n requests in any span, counting each from
// admission until its completion plus span.
type window struct {
	n    int
	span time.Duration
	log  []*slot // still counting, in admission order
}

// newWindow makes the window for rate per second with n at once: n in
// any n/rate seconds.
func newWindow(rate float64, n int) *window {
	n = max(n, 1)
	return &window{n: n, span: time.Duration(float64(n) / rate * float64(time.Second))}
}

// room forgets the requests that no longer count and reports whether one
// more fits now; if not, next is when the earliest completed one stops
// counting (zero when all are still in flight: only a completion helps).
func (w *window) room(now time.Time) (ok bool, next time.Time) {
	// Requests mostly complete in order: drop the expired ones in front,
	// and look further only when the window seems full.
	i := 0
	for i < len(w.log) && !w.log[i].done.IsZero() && !w.log[i].done.Add(w.span).After(now) {
		w.log[i] = nil
		i++
	}
	w.log = w.log[i:]
	if len(w.log) < w.n {
		return true, time.Time{}
	}
	live := w.log[:0]
	for _, s := range w.log {
		if s.done.IsZero() {
			live = append(live, s)
			continue
		}
		end := s.done.Add(w.span)
		if !end.After(now) {
			continue
		}
		live = append(live, s)
		if next.IsZero() || end.Before(next) {
			next = end
		}
	}
	clear(w.log[len(live):])
	w.log = live
	return len(w.log) < w.n, next
}

// pace is the per-chat limit: rate per second with a burst, as a token
// bucket (GCRA) that counts a request when it completes, in-flight ones
// as completing now. Checking "the k latest completions, plus this one,
// fit in burst + rate × the time since the k-th" for every k is what this
// virtual time does, and it keeps arrivals within the same bucket however
// late each one arrives (Telegram saw it between its start and its
// completion).
type pace struct {
	rate     float64
	burst    int
	tat      time.Time // when the bucket is full again, completions only
	inflight int
}

func (p *pace) per(n int) time.Duration {
	return time.Duration(float64(n) / p.rate * float64(time.Second))
}

// room reports whether one more request fits now, else when to look
// again (zero: only a completion helps).
func (p *pace) room(now time.Time) (bool, time.Time) {
	full := later(p.tat, now).Add(p.per(p.inflight))
	if full.Sub(now) <= p.per(p.burst-1) {
		return true, time.Time{}
	}
	if p.inflight >= p.burst {
		return false, time.Time{}
	}
	return false, p.tat.Add(p.per(p.inflight - p.burst + 1))
}

// done records a completion at now.
func (p *pace) done(now time.Time) {
	p.tat = later(p.tat, now).Add(p.per(1))
	p.inflight--
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (p *pace) idle(now time.Time) bool { return p.inflight == 0 && !p.tat.After(now) }

// limiter enforces the sending limits: overall, per chat and per group.
// A request first waits until its chat (and group) has room, without
// holding anything, then queues in arrival order for the overall window;
// the head of the queue admits itself into every window at once when the
// overall one has room, after checking its chat again.
type limiter struct {
	mu       sync.Mutex
	global   *window
	chats    map[int64]*pace
	groups   map[int64]*window
	limits   Limits
	queue    []chan struct{} // waiters for the overall window; closed: at the head
	released chan struct{}   // closed and replaced when a request completes
	paid     *paidLane       // nil: paid broadcasts off
}

// paidLane is the paid broadcasts' window and budget.
type paidLane struct {
	window *window
	budget *budget
}

func newLimiter(l Limits) *limiter {
	return &limiter{
		// At most GlobalRate requests in any second (Telegram: "no more
		// than 30 messages per second"), not 30 plus a burst.
		global:   newWindow(l.GlobalRate, int(l.GlobalRate)),
		chats:    map[int64]*pace{},
		groups:   map[int64]*window{},
		limits:   l,
		released: make(chan struct{}),
	}
}

// wait blocks until a request to chatID may be sent and admits it; chatID
// 0 means a request bound only by the overall limit (edits). The caller
// must call release once the request has completed, whatever its outcome.
func (l *limiter) wait(ctx context.Context, chatID int64) (release func(), err error) {
	release, _, err = l.waitPaying(ctx, chatID, false)
	return release, err
}

// waitPaying is wait for a message that may be sent as a paid broadcast
// (payable): when paid broadcasts are on and the free window would make
// it wait, it is admitted into the paid window instead, within the day's
// budget, and paid says so.
func (l *limiter) waitPaying(ctx context.Context, chatID int64, payable bool) (release func(), paid bool, err error) {
	payable = payable && l.paid != nil && chatID != 0
	for {
		if err := l.waitChat(ctx, chatID); err != nil {
			return nil, false, err
		}
		release, paid, err := l.admit(ctx, chatID, payable)
		if err != nil || release != nil {
			return release, paid, err
		}
		// Another request to the same chat went first: wait again.
	}
}

// waitChat waits until chatID's windows have room.
func (l *limiter) waitChat(ctx context.Context, chatID int64) error {
	for {
		l.mu.Lock()
		ok, next := l.chatRoom(chatID, time.Now())
		released := l.released
		l.mu.Unlock()
		if ok {
			return ctx.Err()
		}
		if !next.IsZero() {
			released = nil // a completion cannot make room sooner than next
		}
		if err := pause(ctx, next, released); err != nil {
			return err
		}
	}
}

// admit queues for the overall window, then admits the request into every
// window. It returns a nil release when the chat had no room any more. A
// payable request that would wait in the queue is admitted as a paid one
// instead, when it can be (see pay), and paid says so.
func (l *limiter) admit(ctx context.Context, chatID int64, payable bool) (release func(), paid bool, err error) {
	if payable {
		if release, ok := l.pay(chatID, nil); ok {
			return release, true, nil
		}
	}
	turn := make(chan struct{})
	l.mu.Lock()
	l.queue = append(l.queue, turn)
	if len(l.queue) == 1 {
		close(turn)
	}
	released := l.released
	l.mu.Unlock()
	for waiting := true; waiting; {
		if !payable {
			released = nil // only a payable request gains by looking again
		}
		select {
		case <-turn:
			waiting = false
		case <-released:
			if release, ok := l.pay(chatID, turn); ok {
				return release, true, nil
			}
			l.mu.Lock()
			released = l.released
			l.mu.Unlock()
		case <-ctx.Done():
			l.leave(turn)
			return nil, false, fmt.Errorf("wait: %w", ctx.Err())
		}
	}
	for {
		// At the head, a payable request still leaves the places kept
		// for edits: it pays rather than take one of them.
		if payable {
			if release, ok := l.pay(chatID, turn); ok {
				return release, true, nil
			}
		}
		l.mu.Lock()
		now := time.Now()
		ok, next := l.global.room(now)
		if ok {
			var release func()
			if chatOK, _ := l.chatRoom(chatID, now); chatOK {
				release = l.take(chatID)
			}
			l.leaveLocked(turn)
			l.mu.Unlock()
			return release, false, nil
		}
		released := l.released
		if !next.IsZero() && !payable {
			released = nil
		}
		l.mu.Unlock()
		if err := pause(ctx, next, released); err != nil {
			l.leave(turn)
			return nil, false, err
		}
	}
}

// pay admits a payable request to chatID into the paid window when the
// free one would make it wait: it is full for this request, counting the
// requests queued ahead of turn (nil: not queued yet, behind them all)
// and the places kept for edits (paidReserve).
// It reports whether it did; a request it admits leaves the queue. It
// may wait for the ledger to reserve more of the day's budget, never
// holding l.mu meanwhile.
func (l *limiter) pay(chatID int64, turn chan struct{}) (func(), bool) {
	if l.paid.budget.spentToday() {
		return nil, false // before scanning the queue, which is long then
	}
	for range 2 {
		l.mu.Lock()
		release, p := l.payLocked(chatID, turn, time.Now())
		if p == paid && turn != nil {
			l.leaveLocked(turn)
		}
		l.mu.Unlock()
		if p != unfound {
			return release, p == paid
		}
		if !l.paid.budget.fill(0) {
			return nil, false
		}
	}
	return nil, false
}

// editWouldWait reports whether paid broadcasts are on, with budget left
// today, and an edit would have to wait for the free window now: it is
// full, or others already wait for it.
func (l *limiter) editWouldWait() bool {
	if l.paid == nil || l.paid.budget.spentToday() {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ok, _ := l.global.room(time.Now())
	return !ok || len(l.queue) > 0
}

// paidReserve is how many places of the free window a payable message
// leaves to edits, which cannot be paid for: without it, messages would
// take every place as soon as it frees up, and an edit would always wait
// for the next one. It costs at most this many paid messages a second
// that the free window could have carried, and only while messages are
// being paid for.
const paidReserve = 2

// payLocked is pay's decision; l.mu must be held.
func (l *limiter) payLocked(chatID int64, turn chan struct{}, now time.Time) (func(), payment) {
	ahead := len(l.queue)
	if turn != nil {
		ahead = slices.Index(l.queue, turn)
	}
	l.global.room(now) // forgets what no longer counts
	if l.global.n-len(l.global.log) > ahead+paidReserve {
		return nil, unpaid // the free window has room for it
	}
	if ok, _ := l.paid.window.room(now); !ok {
		return nil, unpaid
	}
	if ok, _ := l.chatRoom(chatID, now); !ok {
		return nil, unpaid
	}
	p := l.paid.budget.take()
	if p != paid {
		return nil, p
	}
	return l.takeIn(l.paid.window, chatID), paid
}

// chatRoom reports whether chatID's limits have room, else the earliest
// time worth checking again (zero: a completion); l.mu must be held.
func (l *limiter) chatRoom(chatID int64, now time.Time) (bool, time.Time) {
	if chatID == 0 {
		return true, time.Time{}
	}
	ok, next := l.paceFor(chatID, now).room(now)
	if chatID < 0 {
		per := l.limits.GroupRatePerMinute
		gok, gnext := l.groupFor(chatID, per/60, int(per), now).room(now)
		if !gok && (ok || gnext.After(next)) {
			next = gnext
		}
		ok = ok && gok
	}
	return ok, next
}

// take admits one request to chatID; l.mu must be held. It returns the
// function that records its completion.
func (l *limiter) take(chatID int64) func() { return l.takeIn(l.global, chatID) }

// takeIn admits one request to chatID into overall (the free window or
// the paid one); l.mu must be held.
func (l *limiter) takeIn(overall *window, chatID int64) func() {
	s := &slot{}
	overall.log = append(overall.log, s)
	var c *pace
	if chatID != 0 {
		c = l.chats[chatID]
		c.inflight++
		if chatID < 0 {
			g := l.groups[chatID]
			g.log = append(g.log, s)
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			s.done = time.Now()
			if c != nil {
				c.done(s.done)
			}
			close(l.released)
			l.released = make(chan struct{})
			l.mu.Unlock()
		})
	}
}

// leave takes turn out of the queue, passing the head on.
func (l *limiter) leave(turn chan struct{}) {
	l.mu.Lock()
	l.leaveLocked(turn)
	l.mu.Unlock()
}

func (l *limiter) leaveLocked(turn chan struct{}) {
	for i, t := range l.queue {
		if t != turn {
			continue
		}
		copy(l.queue[i:], l.queue[i+1:])
		l.queue[len(l.queue)-1] = nil
		l.queue = l.queue[:len(l.queue)-1]
		if i == 0 && len(l.queue) > 0 {
			close(l.queue[0])
		}
		return
	}
}

func (l *limiter) paceFor(id int64, now time.Time) *pace {
	p := l.chats[id]
	if p == nil {
		if len(l.chats) >= 4096 {
			// Forget chats with nothing in flight and a full bucket:
			// they would start so anyway.
			for k, old := range l.chats {
				if old.idle(now) {
					delete(l.chats, k)
				}
			}
		}
		p = &pace{rate: l.limits.ChatRate, burst: max(l.limits.ChatBurst, 1)}
		l.chats[id] = p
	}
	return p
}

func (l *limiter) groupFor(id int64, rate float64, n int, now time.Time) *window {
	w := l.groups[id]
	if w == nil {
		if len(l.groups) >= 4096 {
			for k, old := range l.groups {
				if old.room(now); len(old.log) == 0 {
					delete(l.groups, k)
				}
			}
		}
		w = newWindow(rate, n)
		l.groups[id] = w
	}
	return w
}

// pause waits until at (never, if zero), a completion, or the end of ctx.
func pause(ctx context.Context, at time.Time, released <-chan struct{}) error {
	var tc <-chan time.Time
	if !at.IsZero() {
		t := time.NewTimer(time.Until(at))
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-tc:
		return nil
	case <-released:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait: %w", ctx.Err())
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait: %w", ctx.Err())
	}
}
