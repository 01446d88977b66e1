package telegram

import (
	"context"
	"strconv"
	"time"

	"consultbot/bot"
)

// The low-priority lane (reminders, announcements) sends only with the
// rate live replies leave: a low request is admitted when no live request
// waits for the overall window and the window keeps a reserve free, a
// third of the overall rate, so that replies arriving meanwhile go at
// once. Live requests count low ones like any other, so the limits hold
// for the sum.

// lowReserve is the part of the overall window a low request leaves free.
func (l *limiter) lowReserve() int { return max(l.global.n/3, 1) }

// waitLow blocks until a low-priority request to chatID may be sent and
// admits it, as wait does; live requests always go first.
func (l *limiter) waitLow(ctx context.Context, chatID int64) (release func(), err error) {
	for {
		if err := l.waitChat(ctx, chatID); err != nil {
			return nil, err
		}
		l.mu.Lock()
		now := time.Now()
		l.global.room(now) // forgets what no longer counts
		if len(l.queue) == 0 && len(l.global.log) < l.global.n-l.lowReserve() {
			if ok, _ := l.chatRoom(chatID, now); ok {
				release := l.take(chatID)
				l.mu.Unlock()
				return release, nil
			}
		}
		next := l.global.firstExpiry()
		released := l.released
		l.mu.Unlock()
		if next.IsZero() {
			// Nothing completed counts yet: a completion, or a live
			// request leaving the queue, may make room; look again soon
			// in any case.
			next = now.Add(50 * time.Millisecond)
		}
		if err := pause(ctx, next, released); err != nil {
			return nil, err
		}
	}
}

// firstExpiry is when the earliest completed request stops counting;
// zero when none has completed.
func (w *window) firstExpiry() time.Time {
	var next time.Time
	for _, s := range w.log {
		if s.done.IsZero() {
			continue
		}
		if end := s.done.Add(w.span); next.IsZero() || end.Before(next) {
			next = end
		}
	}
	return next
}

// SendsLow marks the adapter as honouring Outgoing.Low.
func (a *Adapter) SendsLow() {}

// LaterAddress is where a reminder reaches the person of address: their
// private chat, without the message it answered or was tapped on; none
// for a group.
func (a *Adapter) LaterAddress(address string) (string, bool) {
	addr, err := parseAddress(address)
	if err != nil || addr.chat <= 0 {
		return "", false
	}
	return strconv.FormatInt(addr.chat, 10), true
}

var (
	_ bot.Reachable = (*Adapter)(nil)
	_ bot.LowSender = (*Adapter)(nil)
)
