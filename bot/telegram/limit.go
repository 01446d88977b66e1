package telegram

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// bucket is a token bucket that hands out reservations, as
// golang.org/x/time/rate does: waiting callers queue in reservation order
// instead of racing for the next token. Kept in-package because the
// limiter needs only this and a keyed map of it, not a new module.
type bucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

// reserve takes a token, possibly on credit, and returns how long the
// caller must wait before using it.
func (b *bucket) reserve(now time.Time) time.Duration {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// full reports whether the bucket has refilled, so it can be forgotten.
func (b *bucket) full(now time.Time) bool {
	return b.tokens+now.Sub(b.last).Seconds()*b.rate >= b.burst
}

// limiter enforces the sending limits: overall, per chat and per group.
type limiter struct {
	mu     sync.Mutex
	global bucket
	chats  map[int64]*bucket
	groups map[int64]*bucket
	limits Limits
}

func newLimiter(l Limits) *limiter {
	return &limiter{
		// A burst of five lets the replies to simultaneous events leave
		// together (Telegram tolerates short bursts); the rate still holds
		// over any second.
		global: bucket{rate: l.GlobalRate, burst: 5},
		chats:  map[int64]*bucket{},
		groups: map[int64]*bucket{},
		limits: l,
	}
}

// wait blocks until a message to chatID may be sent. chatID 0 means a
// request bound only by the overall limit (edits). The per-chat
// reservation comes first so that a chat waiting its turn does not hold
// an overall slot meanwhile.
func (l *limiter) wait(ctx context.Context, chatID int64) error {
	now := time.Now()
	l.mu.Lock()
	var d time.Duration
	if chatID != 0 {
		d = l.bucketFor(l.chats, chatID, l.limits.ChatRate, float64(l.limits.ChatBurst), now).reserve(now)
		if chatID < 0 {
			g := l.bucketFor(l.groups, chatID, l.limits.GroupRatePerMinute/60, 1, now)
			d = max(d, g.reserve(now))
		}
	}
	l.mu.Unlock()
	if err := sleep(ctx, d); err != nil {
		return err
	}
	now = time.Now()
	l.mu.Lock()
	d = l.global.reserve(now)
	l.mu.Unlock()
	return sleep(ctx, d)
}

func (l *limiter) bucketFor(m map[int64]*bucket, id int64, rate, burst float64, now time.Time) *bucket {
	b := m[id]
	if b == nil {
		if len(m) >= 4096 {
			// Forget chats that have been quiet long enough to refill:
			// they would start full anyway.
			for k, old := range m {
				if old.full(now) {
					delete(m, k)
				}
			}
		}
		b = &bucket{rate: rate, burst: burst}
		m[id] = b
	}
	return b
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
