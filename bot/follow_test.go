package bot_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// handFeed is an outbox feed the test drives by hand: it stands for the
// commits of every replica sharing a store, reported in commit order.
type handFeed struct {
	mu   sync.Mutex
	fn   func([]bot.Outgoing)
	errc chan error
}

func (f *handFeed) FollowOutbox(ctx context.Context, channels []string, fn func([]bot.Outgoing)) (<-chan error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fn, f.errc = fn, make(chan error, 1)
	return f.errc, nil
}

func (f *handFeed) report(outs ...bot.Outgoing) {
	f.mu.Lock()
	fn := f.fn
	f.mu.Unlock()
	fn(outs)
}

func seqs(outs []bot.Outgoing) []uint64 {
	var s []uint64
	for _, o := range outs {
		s = append(s, o.Seq)
	}
	return s
}

// TestFollowingEngineDeliversInCommitOrder: an engine that follows the
// outbox sends its own replies only once the feed reports them, after
// what another replica committed before for the same person, and Close
// waits for the feed to report its commits.
func TestFollowingEngineDeliversInCommitOrder(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	rec := &recorder{}
	feed := &handFeed{}
	eng := bot.New(db, historyStep(), nil)
	eng.SetRetry(time.Millisecond, 4*time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, rec)
	eng.Follow(feed)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Another replica commits a reply to the person first...
	other, err := db.Post(ctx, []bot.Outgoing{{Channel: bot.ChannelTelegram, Address: "chat:p1", Participant: "p1", EventID: "elsewhere", Reply: flows.Reply{Text: "other/a"}}})
	if err != nil {
		t.Fatal(err)
	}
	// ...then this one applies the person's next event.
	mine := handle(t, eng, inbound("e1", "p1", "mine")).Outbox
	feed.report(other...)
	feed.report(mine...)
	waitFor(t, "three replies", func() bool { return len(rec.texts("")) == 3 })
	if got, want := rec.texts(""), []string{"other/a", "mine/a", "mine/b"}; !slices.Equal(got, want) {
		t.Fatalf("delivered %q, want %q: the commit order", got, want)
	}

	// Close waits for this engine's commits to come through the feed.
	last := handle(t, eng, inbound("e2", "p1", "last")).Outbox
	closed := make(chan error, 1)
	go func() {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		closed <- eng.Close(cctx)
	}()
	feed.report(last...)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if got := rec.texts(""); len(got) != 5 || got[3] != "last/a" || got[4] != "last/b" {
		t.Errorf("delivered %q by Close, want the last event's replies too", got)
	}
	if n := pendingCount(t, db); n != 0 {
		t.Errorf("%d replies left in the outbox (seqs %v)", n, seqs(last))
	}
}

// TestFeedErrorStopsDelivery: a feed that breaks stops delivery and says
// why, so that the caller stops and the next start follows afresh.
func TestFeedErrorStopsDelivery(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "follow.db"))
	defer checkClose(t, db)
	feed := &handFeed{}
	eng := bot.New(db, historyStep(), nil)
	eng.AddSender(bot.ChannelTelegram, &recorder{})
	eng.Follow(feed)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("history compacted")
	feed.errc <- broken
	select {
	case err := <-eng.FeedErr():
		if !errors.Is(err, broken) {
			t.Errorf("FeedErr %v, want %v", err, broken)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("FeedErr said nothing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eng.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
