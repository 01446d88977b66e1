package telegram

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// memLedger is a PaidLedger in memory.
type memLedger struct {
	mu   sync.Mutex
	days map[string]int64
}

func (l *memLedger) ReservePaid(_ context.Context, day string, n, limit int64) (int64, int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	got := max(0, min(n, limit-l.days[day]))
	l.days[day] += got
	return got, l.days[day], nil
}

// The budget hands out exactly the day's messages, then none until the
// next UTC day, when it starts again.
func TestBudgetRunsOutThenRenewsTheNextDay(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ledger := &memLedger{days: map[string]int64{}}
	b := newBudget(t.Context(), Paid{MessagesPerDay: 45, Ledger: ledger, now: clock}, slog.New(slog.DiscardHandler))
	takeAll := func() int {
		n := 0
		for range 100 {
			switch b.take() {
			case paid:
				n++
			case unfound:
				if !b.fill(0) {
					return n
				}
			case unpaid:
				return n
			}
		}
		return n
	}
	if got := takeAll(); got != 45 {
		t.Errorf("took %d messages from a budget of 45", got)
	}
	if b.take() != unpaid || !b.spentToday() {
		t.Errorf("a spent budget still hands out messages")
	}
	mu.Lock()
	now = now.Add(2 * time.Minute) // 2 December, UTC
	mu.Unlock()
	if b.spentToday() {
		t.Errorf("the budget is still spent the next day")
	}
	if got := takeAll(); got != 45 {
		t.Errorf("took %d messages the next day, want 45", got)
	}
	ledger.mu.Lock()
	defer ledger.mu.Unlock()
	if ledger.days["2026-12-01"] != 45 || ledger.days["2026-12-02"] != 45 {
		t.Errorf("ledger %v, want 45 each day", ledger.days)
	}
}
