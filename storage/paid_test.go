package storage

import (
	"path/filepath"
	"sync"
	"testing"
)

// The day's paid broadcast count survives a reopen, never goes above the
// limit however many reserve at once, and each day counts on its own.
func TestReservePaidKeepsTheDaysCountWithinTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paid.db")
	db := openAt(t, path, Options{})
	ctx := t.Context()
	if got, total, err := db.ReservePaid(ctx, "2026-12-01", 30, 100); err != nil || got != 30 || total != 30 {
		t.Fatalf("first reservation: got %d, total %d, err %v; want 30, 30", got, total, err)
	}
	checkClose(t, db)

	db = openAt(t, path, Options{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := int64(0)
	for range 10 {
		wg.Go(func() {
			got, _, err := db.ReservePaid(ctx, "2026-12-01", 15, 100)
			if err != nil {
				t.Errorf("reserve: %v", err)
			}
			mu.Lock()
			granted += got
			mu.Unlock()
		})
	}
	wg.Wait()
	if granted != 70 {
		t.Errorf("after a reopen, 10 reservations of 15 got %d in all, want the 70 left of 100", granted)
	}
	if n, err := db.PaidReserved(ctx, "2026-12-01"); err != nil || n != 100 {
		t.Errorf("day's count %d (err %v), want 100", n, err)
	}
	if got, total, err := db.ReservePaid(ctx, "2026-12-02", 15, 100); err != nil || got != 15 || total != 15 {
		t.Errorf("next day: got %d, total %d, err %v; want 15, 15", got, total, err)
	}
}
