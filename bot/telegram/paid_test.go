package telegram_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
)

// paidFixture is a fake Telegram with its real limits and the store that
// keeps the day's paid broadcast spend.
type paidFixture struct {
	fake    *telegramtest.Server
	db      *storage.DB
	path    string
	counted paidCounter // what the adapter reported
}

func newPaidFixture(t *testing.T) *paidFixture {
	t.Helper()
	f := &paidFixture{path: filepath.Join(t.TempDir(), "paid.db")}
	f.fake = telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(f.fake.Close)
	f.open(t)
	return f
}

func (f *paidFixture) open(t *testing.T) {
	t.Helper()
	db, err := storage.Open(f.path, storage.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	f.db = db
	t.Cleanup(func() { _ = db.Close() })
}

// paidCounter is an Observer that counts paid messages and their Stars,
// as the metrics do.
type paidCounter struct {
	bot.NopObserver
	mu    sync.Mutex
	n     int
	stars float64
}

func (c *paidCounter) PaidMessage(stars float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.stars += stars
}

var _ telegram.PaidObserver = (*paidCounter)(nil)

// adapter connects an adapter with a budget of perDay paid messages (0:
// paid broadcasts off) until ctx ends.
func (f *paidFixture) adapter(t *testing.T, ctx context.Context, perDay int64) *telegram.Adapter {
	t.Helper()
	opts := telegram.Options{Token: f.fake.Token(), APIEndpoint: f.fake.URL(), Observer: &f.counted}
	if perDay > 0 {
		opts.Paid = telegram.Paid{MessagesPerDay: perDay, Ledger: f.db}
	}
	ad, err := telegram.New(ctx, nobody{}, opts)
	if err != nil {
		t.Fatalf("new adapter: %v", err)
	}
	return ad
}

// burst sends one message to each of n new chats at once, waits until all
// are delivered and returns how long that took and how many of them
// Telegram charged.
func (f *paidFixture) burst(t *testing.T, ctx context.Context, ad *telegram.Adapter, first int64, n int) (time.Duration, int) {
	t.Helper()
	for i := range int64(n) {
		f.fake.KnowPrivateChat(first + i)
	}
	paidBefore := f.fake.PaidMessages()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range int64(n) {
		wg.Go(func() {
			out := bot.Outgoing{Seq: uint64(first + i), Channel: bot.ChannelTelegram, Address: strconv.FormatInt(first+i, 10),
				Reply: flows.Reply{Text: fmt.Sprintf("Question suivante pour %d", first+i)}}
			if err := ad.Send(ctx, out); err != nil {
				t.Errorf("send to %d: %v", first+i, err)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	for i := range int64(n) {
		if got := len(f.fake.Messages(first + i)); got != 1 {
			t.Errorf("chat %d received %d messages, want 1", first+i, got)
		}
	}
	if n := f.fake.TooManyRequests(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
	return took, f.fake.PaidMessages() - paidBefore
}

// With paid broadcasts on, a burst of 80 replies to 80 people is
// delivered at once instead of over three seconds: the first 28 in the
// free window (which keeps 2 places for edits, which cannot be paid for),
// and only the 52 that would have waited are paid for. Telegram's 30/s,
// which the fake enforces, is never exceeded.
func TestPaidBroadcastDeliversABurstAtOncePayingOnlyTheOverflow(t *testing.T) {
	f := newPaidFixture(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ad := f.adapter(t, ctx, 1000)
	took, paid := f.burst(t, ctx, ad, 500000, 80)
	if took < time.Second {
		// Nothing waited for the free window, which lets 30 through in
		// any second: exactly the overflow was paid for.
		if paid != 52 {
			t.Errorf("paid for %d messages of 80 delivered in %v, want the 52 above the free 28", paid, took)
		}
	} else if free := 80 - paid; free < 28 || paid == 0 {
		// A stalled machine: some waited, and the free window reopened.
		t.Errorf("after %v: %d free and %d paid; want the free window used first and the rest paid", took, free, paid)
	}
	if n, err := f.db.PaidReserved(ctx, time.Now().UTC().Format(time.DateOnly)); err != nil || n < int64(paid) {
		t.Errorf("stored day's spend %d (err %v), want at least the %d paid", n, err, paid)
	}
	f.counted.mu.Lock()
	defer f.counted.mu.Unlock()
	if f.counted.n != paid || math.Abs(f.counted.stars-float64(paid)/10) > 1e-9 {
		t.Errorf("observer counted %d paid messages and %.1f Stars; Telegram charged %d", f.counted.n, f.counted.stars, paid)
	}
}

// Off (the default), nothing is paid for and a burst waits for the free
// window as before; once the day's budget is spent, messages wait for it
// again. All are delivered, and no more is paid for than the budget.
func TestBurstBeyondThePaidBudgetWaitsForTheFreeWindow(t *testing.T) {
	for _, c := range []struct {
		name     string
		perDay   int64 // 0: paid broadcasts off
		messages int
	}{
		{"paid broadcasts off", 0, 40},
		{"budget of one Star spent", 10, 60},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newPaidFixture(t)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			ad := f.adapter(t, ctx, c.perDay)
			took, paid := f.burst(t, ctx, ad, 510000, c.messages)
			if int64(paid) != c.perDay {
				t.Errorf("paid for %d messages with a budget of %d", paid, c.perDay)
			}
			if took < time.Second {
				t.Errorf("%d messages delivered in %v with %d paid: more than 30 in a second went free", c.messages, took, paid)
			}
		})
	}
}

// A restart does not give the day's budget back: the spend is stored.
func TestPaidBroadcastSpendSurvivesARestart(t *testing.T) {
	f := newPaidFixture(t)
	ctx1, stop := context.WithTimeout(t.Context(), 30*time.Second)
	ad := f.adapter(t, ctx1, 15)
	_, paid1 := f.burst(t, ctx1, ad, 530000, 40)
	stop()
	if err := f.db.Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}

	// A new process: the same file, and a Telegram whose free window has
	// nothing in it.
	f.open(t)
	f.fake = telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(f.fake.Close)
	ctx2, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ad = f.adapter(t, ctx2, 15)
	_, paid2 := f.burst(t, ctx2, ad, 540000, 40)
	if paid1 == 0 || paid2 == 0 || paid1+paid2 > 15 {
		t.Errorf("paid for %d, then %d after a restart: want some each time and at most the day's 15 in all", paid1, paid2)
	}
}

// With paid broadcasts on and the free window full, the prompt that
// follows a tap comes at once as a new paid message instead of an edit,
// which cannot be paid for and would wait; the tapped message is left as
// it was. The free window here is one request in any two seconds, which
// the edit answering another person's tap fills.
func TestTapWithTheFreeWindowFullGetsANewPaidMessage(t *testing.T) {
	f := &paidFixture{path: filepath.Join(t.TempDir(), "paid.db")}
	f.fake = telegramtest.NewServer(telegramtest.Options{Limits: telegramtest.Limits{Global: 0.5, GlobalBurst: 1}})
	t.Cleanup(f.fake.Close)
	f.open(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ad, err := telegram.New(ctx, nobody{}, telegram.Options{Token: f.fake.Token(), APIEndpoint: f.fake.URL(),
		Limits: telegram.Limits{GlobalRate: 0.5}, Paid: telegram.Paid{MessagesPerDay: 100, Ledger: f.db}})
	if err != nil {
		t.Fatalf("new adapter: %v", err)
	}
	prompt := flows.Reply{Text: "Vous répondez en tant que :", Options: []flows.Option{{Token: "role:parent", Label: "Parent"}}}
	next := flows.Reply{Lead: "✓ Parent", Text: "Question 1", Replaces: true}
	seq := uint64(0)
	send := func(address string, r flows.Reply) {
		t.Helper()
		seq++
		if err := ad.Send(ctx, bot.Outgoing{Seq: seq, Channel: bot.ChannelTelegram, Address: address, Reply: r}); err != nil {
			t.Fatalf("send to %s: %v", address, err)
		}
	}
	tap := func(chat int64) {
		t.Helper()
		m, ok := f.fake.LastMessage(chat)
		if !ok {
			t.Fatalf("no prompt in chat %d", chat)
		}
		send(fmt.Sprintf("%d@%d", chat, m.ID), next)
	}
	const first, second = 550000, 550001
	for _, chat := range []int64{first, second} {
		f.fake.KnowPrivateChat(chat)
		send(strconv.FormatInt(chat, 10), prompt)
	}
	tap(first)  // an edit, in the free window, which it fills
	tap(second) // the free window is full: a new message
	if msgs := f.fake.Messages(first); len(msgs) != 1 || msgs[0].Edits != 1 || !strings.Contains(msgs[0].Text, "Question 1") {
		t.Errorf("first chat holds %+v; want its prompt edited into the next one", msgs)
	}
	msgs := f.fake.Messages(second)
	if len(msgs) != 2 || msgs[0].Edits != 0 || !strings.Contains(msgs[1].Text, "Question 1") {
		t.Errorf("second chat holds %+v; want the tapped prompt unchanged and the next one as a new message", msgs)
	}
	// The prompts were paid for too: with one place in the free window,
	// a message leaves it to edits (paidReserve).
	if paid := f.fake.PaidMessages(); paid != 3 {
		t.Errorf("paid for %d messages, want 3: the two prompts and the new one", paid)
	}
	if n := f.fake.TooManyRequests(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
}
