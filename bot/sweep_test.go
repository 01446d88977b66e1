package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
)

// TestSweepDeliversWhatAnotherEngineCommitted runs two engines on one
// store, as two replicas share a cluster: the stand-by applies events and
// delivers nothing; the leader, which sweeps the outbox, delivers its
// replies and its own, each once and marked sent, while a sweep may run
// at any moment.
func TestSweepDeliversWhatAnotherEngineCommitted(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	rec := &recorder{}
	leader := bot.New(db, historyStep(), nil)
	leader.SetRetry(time.Millisecond, 4*time.Millisecond)
	leader.SetSweep(5 * time.Millisecond)
	leader.AddSender(bot.ChannelTelegram, rec)
	if err := leader.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	standby := bot.New(db, historyStep(), nil) // never started: delivers nothing
	defer checkClose(t, db)

	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eng := leader
			if i%2 == 0 {
				eng = standby
			}
			who := fmt.Sprintf("p%d", i%4)
			handle(t, eng, inbound(fmt.Sprintf("u%d", i), who, fmt.Sprintf("m%d", i)))
			// Sweeps also come on demand, racing the ticker's and the
			// deliveries' marks.
			if err := leader.Sweep(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	waitFor(t, "every reply delivered and marked", func() bool {
		return len(rec.texts("")) >= 2*n && pendingCount(t, db) == 0
	})
	// A last sweep finds nothing more to send.
	if err := leader.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Closing drains what is queued: a reply queued twice would go now.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := leader.Close(ctx); err != nil {
		t.Errorf("close leader: %v", err)
	}
	if err := standby.Close(ctx); err != nil {
		t.Errorf("close stand-by: %v", err)
	}
	seen := map[string]int{}
	for _, text := range rec.texts("") {
		seen[text]++
	}
	if len(seen) != 2*n {
		t.Errorf("%d distinct replies delivered, want %d", len(seen), 2*n)
	}
	for text, c := range seen {
		if c != 1 {
			t.Errorf("reply %q delivered %d times", text, c)
		}
	}
}
