package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
)

// httpSender posts each reply to a platform over HTTP through
// bot.FenceRequests, as the adapters do, once its gate opens: until
// then it waits, as a Send waits for its platform's sending limits.
type httpSender struct {
	url     string
	client  *http.Client
	waiting chan struct{} // closed when a Send first waits at the gate
	once    sync.Once
	gate    chan struct{}
}

func (s *httpSender) Send(ctx context.Context, out bot.Outgoing) error {
	s.once.Do(func() { close(s.waiting) })
	select {
	case <-s.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(out.Reply.Text))
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// TestNothingLeavesOnceTheLeadExpiredByTheClock: a reply waits a while
// before its request leaves (the platform's limits, or a process
// descheduled for a second); meanwhile the lead's bound passes, but the
// goroutine that ends the lead has not run yet. No request reaches the
// platform after the bound, when the next leader may already deliver;
// the reply stays in the outbox for that leader.
func TestNothingLeavesOnceTheLeadExpiredByTheClock(t *testing.T) {
	var reached atomic.Int64
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	defer platform.Close()

	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	s := &httpSender{url: platform.URL, client: &http.Client{Transport: bot.FenceRequests(nil)}, waiting: make(chan struct{}), gate: make(chan struct{})}
	eng := bot.New(db, historyStep(), nil)
	eng.AddSender(bot.ChannelTelegram, s)
	lead := bot.NewLead(time.Now().Add(time.Hour))
	eng.Fence(lead)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	handle(t, eng, inbound("m1", "p1", "bonjour"))
	<-s.waiting
	queued := pendingCount(t, db)

	lead.Extend(time.Now()) // the bound passes; Lose is late
	close(s.gate)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eng.Close(ctx); err != nil {
		t.Fatal(err)
	}
	lead.Lose()
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests reached the platform after the lead's bound", n)
	}
	if n := pendingCount(t, db); n != queued || n == 0 {
		t.Errorf("%d replies left in the outbox, want the %d not sent", n, queued)
	}
}
