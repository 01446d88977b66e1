package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/internal/logbuf"
	"consultbot/storage"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// stepper adapts a function to bot.Stepper.
type stepper func(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply)

func (f stepper) Step(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
	return f(s, ev, now)
}

// historyStep appends each event's text to the session (in Source, which
// nothing else uses here) and replies twice, naming the event, so that
// tests see both the order of application and the order of delivery.
func historyStep() bot.Stepper {
	return stepper(func(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
		s.Source += ev.Text + ","
		s.UpdatedAt = now
		return s, []flows.Reply{{Text: ev.Text + "/a"}, {Text: ev.Text + "/b"}}
	})
}

func openDB(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// checkClose verifies the file's consistency and closes it.
func checkClose(t *testing.T, db *storage.DB) {
	t.Helper()
	if err := db.Check(); err != nil {
		t.Errorf("consistency check: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("close db: %v", err)
	}
}

// recorder is an in-memory Sender that records what it delivered and can
// fail a number of times first.
type recorder struct {
	mu       sync.Mutex
	sent     []bot.Outgoing
	attempts int
	failures int                // the next Sends that fail
	check    func(bot.Outgoing) // runs at every Send, before it succeeds
}

func (r *recorder) Send(ctx context.Context, out bot.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if r.check != nil {
		r.check(out)
	}
	if r.failures > 0 {
		r.failures--
		return errors.New("platform unavailable")
	}
	r.sent = append(r.sent, out)
	return nil
}

func (r *recorder) texts(address string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var texts []string
	for _, o := range r.sent {
		if address == "" || o.Address == address {
			texts = append(texts, o.Reply.Text)
		}
	}
	return texts
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func inbound(id, participant, text string) bot.Inbound {
	return bot.Inbound{
		ID:          id,
		Channel:     bot.ChannelTelegram,
		Participant: participant,
		Address:     "chat:" + participant,
		Event:       flows.Event{Kind: flows.EventText, Text: text},
	}
}

type env struct {
	db  *storage.DB
	eng *bot.Engine
	rec *recorder
}

// start opens a database in a temp dir and starts an engine with a
// recording Sender; the cleanup closes both.
func start(t *testing.T, st bot.Stepper) env {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	rec := &recorder{}
	eng := bot.New(db, st, nil)
	eng.SetClock(func() time.Time { return t0 })
	eng.SetRetry(time.Millisecond, 4*time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, rec)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Close(ctx); err != nil {
			t.Errorf("close engine: %v", err)
		}
		checkClose(t, db)
	})
	return env{db, eng, rec}
}

func handle(t *testing.T, eng *bot.Engine, in bot.Inbound) bot.Applied {
	t.Helper()
	res, err := eng.Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle(%s): %v", in.ID, err)
	}
	return res
}

func pendingCount(t *testing.T, db *storage.DB) int {
	t.Helper()
	p, err := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(p)
}

func TestRepliesDeliveredAfterCommitInOrder(t *testing.T) {
	e := start(t, historyStep())
	// Every message handed to the Sender must already be committed: in
	// the outbox, with its session saved.
	var violations []string
	e.rec.check = func(out bot.Outgoing) {
		pending, err := e.db.Pending(context.Background(), out.Channel, 0)
		if err != nil || !slices.ContainsFunc(pending, func(p bot.Outgoing) bool { return p.Seq == out.Seq }) {
			violations = append(violations, fmt.Sprintf("seq %d sent before it was in the outbox (err %v)", out.Seq, err))
		}
	}

	p := "telegram:42"
	for i := range 5 {
		res := handle(t, e.eng, inbound(fmt.Sprint("u", i), p, fmt.Sprint("m", i)))
		if len(res.Outbox) != 2 {
			t.Fatalf("Handle returned %d outbox entries, want 2", len(res.Outbox))
		}
		// Handle returns after the commit: the session is already saved.
		s, ok, err := e.db.Session(p)
		if err != nil || !ok || !strings.HasSuffix(s.Source, fmt.Sprintf("m%d,", i)) {
			t.Fatalf("after Handle(u%d) the session is %+v (ok %v, err %v)", i, s, ok, err)
		}
	}
	want := []string{"m0/a", "m0/b", "m1/a", "m1/b", "m2/a", "m2/b", "m3/a", "m3/b", "m4/a", "m4/b"}
	waitFor(t, "10 deliveries", func() bool { return len(e.rec.texts("")) == len(want) })
	if diff := cmp.Diff(want, e.rec.texts("chat:"+p)); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	waitFor(t, "the outbox to empty", func() bool { return pendingCount(t, e.db) == 0 })
	waitFor(t, "the engine to go idle", e.eng.Idle)
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	if len(violations) > 0 {
		t.Errorf("commit-then-send broken:\n%s", strings.Join(violations, "\n"))
	}
}

func TestDuplicateInboundAppliedOnce(t *testing.T) {
	e := start(t, historyStep())
	p := "telegram:42"
	in := inbound("telegram:update:9", p, "once")
	handle(t, e.eng, in)
	res := handle(t, e.eng, in)
	if !res.Duplicate {
		t.Errorf("second Handle of the same id = %+v, want Duplicate", res)
	}
	// A later event's replies come after anything the duplicate could have
	// produced on the same address.
	handle(t, e.eng, inbound("telegram:update:10", p, "marker"))
	waitFor(t, "the marker", func() bool { return slices.Contains(e.rec.texts(""), "marker/b") })
	if diff := cmp.Diff([]string{"once/a", "once/b", "marker/a", "marker/b"}, e.rec.texts("")); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if s, _, _ := e.db.Session(p); s.Source != "once,marker," {
		t.Errorf("session history = %q, want the duplicate applied once", s.Source)
	}
}

func TestFailingSenderRetriesInOrderWithoutLoss(t *testing.T) {
	e := start(t, historyStep())
	e.rec.mu.Lock()
	e.rec.failures = 3
	e.rec.mu.Unlock()
	p := "telegram:7"
	for i := range 3 {
		handle(t, e.eng, inbound(fmt.Sprint("u", i), p, fmt.Sprint("m", i)))
	}
	want := []string{"m0/a", "m0/b", "m1/a", "m1/b", "m2/a", "m2/b"}
	waitFor(t, "6 deliveries", func() bool { return len(e.rec.texts("")) == len(want) })
	waitFor(t, "the outbox to empty", func() bool { return pendingCount(t, e.db) == 0 })
	if diff := cmp.Diff(want, e.rec.texts("")); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	if e.rec.attempts != 3+len(want) {
		t.Errorf("%d Send attempts, want %d (3 failures, then each once)", e.rec.attempts, 3+len(want))
	}
}

func TestRestartResendsPending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	db := openDB(t, path)
	down := &recorder{failures: 1 << 30} // the platform is down all along
	var logs logbuf.Buffer
	eng := bot.New(db, historyStep(), slog.New(slog.NewTextHandler(&logs, nil)))
	eng.SetRetry(time.Millisecond, 2*time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, down)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	handle(t, eng, inbound("u1", "telegram:1", "m1"))
	handle(t, eng, inbound("u2", "telegram:2", "m2"))
	handle(t, eng, inbound("u3", "telegram:1", "m3"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // shutting down with no time left to drain
	// Not an error: the replies wait in the outbox for the next start.
	if err := eng.Close(ctx); err != nil {
		t.Errorf("Close with replies left: %v", err)
	}
	if !strings.Contains(logs.String(), "6 replies left in the outbox; they will be sent at the next start") {
		t.Errorf("Close did not say how many replies are left:\n%s", logs.String())
	}
	if _, err := eng.Handle(context.Background(), inbound("u4", "telegram:1", "late")); !errors.Is(err, bot.ErrClosed) {
		t.Errorf("Handle after Close: %v, want ErrClosed", err)
	}
	checkClose(t, db)

	e := start2(t, path)
	handle(t, e.eng, inbound("u5", "telegram:1", "m5"))
	waitFor(t, "8 deliveries", func() bool { return len(e.rec.texts("")) == 8 })
	if diff := cmp.Diff([]string{"m1/a", "m1/b", "m3/a", "m3/b", "m5/a", "m5/b"}, e.rec.texts("chat:telegram:1")); diff != "" {
		t.Errorf("telegram:1 got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"m2/a", "m2/b"}, e.rec.texts("chat:telegram:2")); diff != "" {
		t.Errorf("telegram:2 got (-want +got):\n%s", diff)
	}
	waitFor(t, "the outbox to empty", func() bool { return pendingCount(t, e.db) == 0 })
}

// start2 reopens an existing database with a fresh engine and recorder.
func start2(t *testing.T, path string) env {
	t.Helper()
	db := openDB(t, path)
	rec := &recorder{}
	eng := bot.New(db, historyStep(), nil)
	eng.AddSender(bot.ChannelTelegram, rec)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Errorf("close engine: %v", err)
		}
		checkClose(t, db)
	})
	return env{db, eng, rec}
}

// gatedSender blocks every Send until the gate opens.
type gatedSender struct {
	gate chan struct{}
	recorder
}

func (g *gatedSender) Send(ctx context.Context, out bot.Outgoing) error {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.recorder.Send(ctx, out)
}

func TestCloseDrainsDeliveries(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	g := &gatedSender{gate: make(chan struct{})}
	eng := bot.New(db, historyStep(), nil)
	eng.AddSender(bot.ChannelTelegram, g)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		handle(t, eng, inbound(fmt.Sprint("u", i), fmt.Sprint("telegram:", i%2), fmt.Sprint("m", i)))
	}
	closed := make(chan error, 1)
	go func() { closed <- eng.Close(context.Background()) }()
	want := 8
	waitFor(t, "Close to refuse new events", func() bool {
		// Until Close begins, the late event is accepted (once: the same
		// id) and its replies must be drained too.
		res, err := eng.Handle(context.Background(), inbound("late", "telegram:9", "late"))
		if err == nil && !res.Duplicate {
			want += 2
		}
		return errors.Is(err, bot.ErrClosed)
	})
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with %d replies undelivered", err, want)
	default:
	}
	close(g.gate)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := len(g.texts("")); n != want {
		t.Errorf("Close returned after %d deliveries, want %d", n, want)
	}
	if n := pendingCount(t, db); n != 0 {
		t.Errorf("outbox holds %d after a drained Close", n)
	}
}

// gatedStore holds one event before it reaches the real store, so that
// events behind it would overtake it if nothing kept them in line.
type gatedStore struct {
	*storage.DB
	hold             string
	entered, release chan struct{}
}

func (g *gatedStore) Apply(ctx context.Context, in bot.Inbound, now time.Time, step bot.StepFunc) (bot.Applied, error) {
	if in.ID == g.hold {
		close(g.entered)
		<-g.release
	}
	return g.DB.Apply(ctx, in, now, step)
}

func TestSameParticipantAppliedInArrivalOrder(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	g := &gatedStore{DB: db, hold: "u0", entered: make(chan struct{}), release: make(chan struct{})}
	eng := bot.New(g, historyStep(), nil)
	rec := &recorder{}
	eng.AddSender(bot.ChannelTelegram, rec)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer eng.Close(context.Background())
	var once sync.Once
	releaseGate := func() { once.Do(func() { close(g.release) }) }
	defer releaseGate() // first, if the test stops early

	p := "telegram:5"
	var wg sync.WaitGroup
	wg.Go(func() { handle(t, eng, inbound("u0", p, "e0")) })
	<-g.entered
	const n = 12
	for i := 1; i < n; i++ {
		done := make(chan struct{})
		wg.Go(func() {
			defer close(done)
			handle(t, eng, inbound(fmt.Sprint("u", i), p, fmt.Sprint("e", i)))
		})
		// The next one starts only once this one is in line (or, were
		// the line broken, has overtaken the held event).
		waitFor(t, fmt.Sprintf("event %d in line", i), func() bool {
			select {
			case <-done:
				return true
			default:
				return eng.Waiting(p) == i+1
			}
		})
	}
	releaseGate()
	wg.Wait()
	var want strings.Builder
	for i := range n {
		fmt.Fprintf(&want, "e%d,", i)
	}
	if s, _, _ := db.Session(p); s.Source != want.String() {
		t.Errorf("applied in order %q, want %q", s.Source, want.String())
	}
	waitFor(t, "all replies", func() bool { return len(rec.texts("")) == 2*n })
	waitFor(t, "per-participant state released", eng.Idle)
}

func TestConcurrentParticipantsKeepTheirOrder(t *testing.T) {
	e := start(t, historyStep())
	const participants, events = 40, 15
	var wg sync.WaitGroup
	for p := range participants {
		wg.Go(func() {
			for i := range events {
				handle(t, e.eng, inbound(fmt.Sprintf("u%d-%d", p, i), fmt.Sprint("telegram:", p), fmt.Sprint("m", i)))
			}
		})
	}
	wg.Wait()
	waitFor(t, "all replies", func() bool { return len(e.rec.texts("")) == 2*participants*events })
	var want []string
	var history strings.Builder
	for i := range events {
		want = append(want, fmt.Sprintf("m%d/a", i), fmt.Sprintf("m%d/b", i))
		fmt.Fprintf(&history, "m%d,", i)
	}
	for p := range participants {
		id := fmt.Sprint("telegram:", p)
		if diff := cmp.Diff(want, e.rec.texts("chat:"+id)); diff != "" {
			t.Errorf("%s got (-want +got):\n%s", id, diff)
		}
		if s, _, _ := e.db.Session(id); s.Source != history.String() {
			t.Errorf("%s applied %q", id, s.Source)
		}
	}
	waitFor(t, "the engine to go idle", e.eng.Idle)
}

func TestStepPanicRollsBackAndIsReported(t *testing.T) {
	e := start(t, stepper(func(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
		if ev.Text == "boom" {
			panic("bad step")
		}
		return historyStep().Step(s, ev, now)
	}))
	if _, err := e.eng.Handle(context.Background(), inbound("u1", "telegram:1", "boom")); err == nil {
		t.Fatal("Handle of a panicking step returned no error")
	}
	handle(t, e.eng, inbound("u2", "telegram:1", "fine"))
	waitFor(t, "the reply to the next event", func() bool { return len(e.rec.texts("")) == 2 })
	if s, _, _ := e.db.Session("telegram:1"); s.Source != "fine," {
		t.Errorf("session after a panicking step then a good one = %q", s.Source)
	}
}

// retryAfterErr is a platform's "too many requests, retry after".
type retryAfterErr time.Duration

func (e retryAfterErr) Error() string             { return "429 too many requests" }
func (e retryAfterErr) RetryAfter() time.Duration { return time.Duration(e) }

type onceLimited struct {
	recorder
	limited atomic.Bool
}

func (o *onceLimited) Send(ctx context.Context, out bot.Outgoing) error {
	if o.limited.CompareAndSwap(false, true) {
		return fmt.Errorf("send: %w", retryAfterErr(time.Millisecond))
	}
	return o.recorder.Send(ctx, out)
}

func TestSenderRetryAfterIsHonoured(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	s := &onceLimited{}
	eng := bot.New(db, historyStep(), nil)
	// The doubling wait alone would hold the reply for an hour.
	eng.SetRetry(time.Hour, time.Hour)
	eng.AddSender(bot.ChannelTelegram, s)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer eng.Close(context.Background())
	handle(t, eng, inbound("u1", "telegram:1", "m1"))
	waitFor(t, "delivery after the platform's retry-after", func() bool { return len(s.texts("")) == 2 })
}

// untilErr is a Sender's own wait: the reply goes once until is closed.
type untilErr chan struct{}

func (e untilErr) Error() string             { return "chat waits for another message" }
func (e untilErr) Until() <-chan struct{}    { return e }
func (e untilErr) RetryAfter() time.Duration { return time.Millisecond }

// heldSender holds its first reply to address "held" until its condition
// is met, and counts the attempts.
type heldSender struct {
	recorder
	cond     untilErr
	attempts atomic.Int64
}

func (h *heldSender) Send(ctx context.Context, out bot.Outgoing) error {
	if out.Address == "chat:telegram:held" {
		h.attempts.Add(1)
		select {
		case <-h.cond:
		default:
			return fmt.Errorf("send: %w", h.cond)
		}
	}
	return h.recorder.Send(ctx, out)
}

// TestSenderWaitUntilACondition: a Sender's wait until a condition of its
// own holds the reply without trying it again meanwhile (not at the
// retry-after its error also offers) nor holding up other people's
// replies, sends it as soon as the condition is met, and logs nothing.
func TestSenderWaitUntilACondition(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	s := &heldSender{cond: make(untilErr)}
	logs := &logbuf.Buffer{}
	eng := bot.New(db, historyStep(), slog.New(slog.NewTextHandler(logs, nil)))
	eng.SetRetry(time.Millisecond, time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, s)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer eng.Close(context.Background())
	handle(t, eng, inbound("u1", "telegram:held", "m1"))
	for i := range 20 {
		handle(t, eng, inbound(fmt.Sprint("o", i), fmt.Sprint("telegram:other", i), "o"))
	}
	waitFor(t, "the other replies", func() bool { return len(s.texts("")) == 40 })
	if n := s.attempts.Load(); n != 1 {
		t.Errorf("the held reply was tried %d times before its condition, want once", n)
	}
	close(s.cond)
	waitFor(t, "the held replies", func() bool { return len(s.texts("")) == 42 })
	if l := logs.String(); strings.Contains(l, "level=INFO") || strings.Contains(l, "level=WARN") {
		t.Errorf("the wait was logged:\n%s", l)
	}
}

func TestCancelledWaiterKeepsTheLine(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	g := &gatedStore{DB: db, hold: "u0", entered: make(chan struct{}), release: make(chan struct{})}
	eng := bot.New(g, historyStep(), nil)
	eng.AddSender(bot.ChannelTelegram, &recorder{})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer eng.Close(context.Background())
	var once sync.Once
	releaseGate := func() { once.Do(func() { close(g.release) }) }
	defer releaseGate()

	p := "telegram:3"
	var wg sync.WaitGroup
	wg.Go(func() { handle(t, eng, inbound("u0", p, "e0")) })
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error, 1)
	go func() {
		_, err := eng.Handle(ctx, inbound("u1", p, "e1"))
		cancelled <- err
	}()
	waitFor(t, "u1 in line", func() bool { return eng.Waiting(p) == 2 })
	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Handle: %v", err)
	}
	wg.Go(func() { handle(t, eng, inbound("u2", p, "e2")) })
	waitFor(t, "u2 in line", func() bool { return eng.Waiting(p) == 3 })
	releaseGate()
	wg.Wait()
	if s, _, _ := db.Session(p); s.Source != "e0,e2," {
		t.Errorf("applied %q, want e0 then e2 (the cancelled e1 never applied)", s.Source)
	}
	waitFor(t, "per-participant state released", func() bool { return eng.Waiting(p) == 0 })
}
