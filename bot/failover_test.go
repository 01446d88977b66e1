package bot_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// chat is a Sender that keeps each chat as its person sees it, as
// Telegram and Discord show it: a reply goes below the others as a new
// message, and one that replaces a tapped prompt edits that message where
// it is. Addresses are "chat" and, for the replies to a tap, "chat@n"
// with n the tapped message's number (from 1).
type chat struct {
	mu    sync.Mutex
	chats map[string][]string
	sends int
}

func (c *chat) Send(_ context.Context, out bot.Outgoing) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.chats == nil {
		c.chats = map[string][]string{}
	}
	c.sends++
	id, tapped, _ := strings.Cut(out.Address, "@")
	if n, err := strconv.Atoi(tapped); err == nil && out.Reply.Replaces && n >= 1 && n <= len(c.chats[id]) {
		c.chats[id][n-1] = out.Reply.Text
		return nil
	}
	c.chats[id] = append(c.chats[id], out.Reply.Text)
	return nil
}

// Line puts the replies to one chat in one line, taps included.
func (c *chat) Line(out bot.Outgoing) string {
	id, _, _ := strings.Cut(out.Address, "@")
	return id
}

// messages is what chat id shows, top to bottom.
func (c *chat) messages(id string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.chats[id])
}

func (c *chat) sent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends
}

// errUnreachable is a commit that could not reach the cluster.
var errUnreachable = errors.New("etcdserver: request timed out")

// markStore fails the marking of delivered replies as told, as etcd does
// while a member is killed, and records what it marked.
type markStore struct {
	*storage.DB
	calls  atomic.Int64
	mu     sync.Mutex
	fail   func(call int) bool // whether MarkSent call number call (from 1) fails
	marked []uint64
}

func (s *markStore) failing(fail func(call int) bool) {
	s.mu.Lock()
	s.fail = fail
	s.mu.Unlock()
}

func (s *markStore) MarkSent(ctx context.Context, seqs ...uint64) error {
	call := int(s.calls.Add(1))
	s.mu.Lock()
	fail := s.fail != nil && s.fail(call)
	s.mu.Unlock()
	if fail {
		return errUnreachable
	}
	if err := s.DB.MarkSent(ctx, seqs...); err != nil {
		return err
	}
	s.mu.Lock()
	s.marked = append(s.marked, seqs...)
	s.mu.Unlock()
	return nil
}

func (s *markStore) isMarked(seq uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.marked, seq)
}

// promptStep answers each event with one prompt named by the event's
// text; the reply to a tap (a choice) takes the tapped prompt's place. A
// text starting with "notice" gets a plain note, no prompt, as flood
// control's notice is.
func promptStep() bot.Stepper {
	return stepper(func(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
		s.UpdatedAt = now
		if strings.HasPrefix(ev.Text, "notice") {
			return s, []flows.Reply{{Text: ev.Text}}
		}
		r := flows.Reply{Text: "prompt " + ev.Text, Options: []flows.Option{{Token: "go", Label: "Continuer"}}}
		r.Replaces = ev.Kind == flows.EventChoice
		return s, []flows.Reply{r}
	})
}

// say and tap are a person's message and their tap on the n-th message of
// their chat (from 1).
func say(text string) bot.Inbound {
	return bot.Inbound{ID: "u-" + text, Channel: bot.ChannelTelegram, Participant: "telegram:7", Address: "7",
		Event: flows.Event{Kind: flows.EventText, Text: text}}
}

func tap(n int, text string) bot.Inbound {
	return bot.Inbound{ID: "u-" + text, Channel: bot.ChannelTelegram, Participant: "telegram:7", Address: fmt.Sprintf("7@%d", n),
		Event: flows.Event{Kind: flows.EventChoice, Token: "go", Text: text}}
}

// failover is a store shared by the replicas, with marking failing as
// told, and the chat they deliver to.
type failover struct {
	db *storage.DB
	s  *markStore
	c  *chat
}

func newFailover(t *testing.T, fail func(call int) bool) *failover {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	t.Cleanup(func() { checkClose(t, db) })
	return &failover{db: db, s: &markStore{DB: db, fail: fail}, c: &chat{}}
}

// leader starts one replica's engine over the shared store.
func (f *failover) leader(t *testing.T) *bot.Engine {
	t.Helper()
	eng := bot.New(f.s, promptStep(), nil)
	eng.SetRetry(time.Millisecond, 10*time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, f.c)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return eng
}

// crash stops a leader as a SIGKILL would leave things: what it had not
// marked sent stays in the outbox (marking is refused from now on).
func (f *failover) crash(t *testing.T, eng *bot.Engine) {
	t.Helper()
	f.s.failing(func(int) bool { return true })
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.s.failing(nil)
}

// deliver has eng handle in and waits until the chat has had sends
// messages sent or edited in all.
func (f *failover) deliver(t *testing.T, eng *bot.Engine, in bot.Inbound, sends int) bot.Applied {
	t.Helper()
	res := handle(t, eng, in)
	waitFor(t, in.Event.Text+" delivered", func() bool { return f.c.sent() >= sends })
	return res
}

// settle waits until the outbox is empty, the replies sent again included.
func (f *failover) settle(t *testing.T) {
	t.Helper()
	waitFor(t, "the outbox emptied", func() bool { return pendingCount(t, f.db) == 0 })
}

func lastMessage(ms []string) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1]
}

// A mark-sent commit that fails while a later one succeeds must not leave
// the earlier reply alone in the outbox: the next leader would send it
// again, after the later one, and the person would be back at a prompt
// they are past.
func TestFailedMarkIsFoldedIntoTheNext(t *testing.T) {
	f := newFailover(t, func(call int) bool { return call == 1 })
	eng := f.leader(t)
	a := f.deliver(t, eng, say("a"), 1)
	waitFor(t, "the first mark attempt", func() bool { return f.s.calls.Load() >= 1 })
	b := f.deliver(t, eng, tap(1, "b"), 2)
	waitFor(t, "the second reply marked sent", func() bool { return f.s.isMarked(b.Outbox[0].Seq) })
	if !f.s.isMarked(a.Outbox[0].Seq) {
		t.Errorf("reply %d marked sent, the one before it (%d) not", b.Outbox[0].Seq, a.Outbox[0].Seq)
	}
	f.crash(t, eng)

	next := f.leader(t)
	defer next.Close(context.Background())
	waitFor(t, "the next leader idle", next.Idle)
	if got := f.c.messages("7"); lastMessage(got) != "prompt b" {
		t.Errorf("after the failover the chat shows %q, last %q; want the last prompt %q", got, lastMessage(got), "prompt b")
	}
}

// The replies a leader delivered but could not mark sent before it died
// are sent again by the next one, in commit order; a reply that edits the
// tapped prompt must not stay above the copy of an earlier one sent again
// below it.
func TestRepliesSentAgainEndOnTheLastPrompt(t *testing.T) {
	f := newFailover(t, func(int) bool { return true })
	eng := f.leader(t)
	f.deliver(t, eng, say("a"), 1)
	f.deliver(t, eng, tap(1, "b"), 2)
	if got := f.c.messages("7"); !slices.Equal(got, []string{"prompt b"}) {
		t.Fatalf("before the failover the chat shows %q, want the tapped prompt edited into %q", got, "prompt b")
	}
	f.crash(t, eng)
	if n := pendingCount(t, f.db); n != 2 {
		t.Fatalf("outbox holds %d replies after the crash, want 2", n)
	}

	next := f.leader(t)
	defer next.Close(context.Background())
	f.settle(t)
	if got := f.c.messages("7"); lastMessage(got) != "prompt b" {
		t.Fatalf("after the failover the chat shows %q; want the last prompt %q last", got, "prompt b")
	}

	// The person taps the oldest copy: the reply still goes below; then
	// a tap on the newest message edits it in place again.
	f.deliver(t, next, tap(1, "c"), 5)
	if got := f.c.messages("7"); lastMessage(got) != "prompt c" {
		t.Fatalf("after a tap on an older copy the chat shows %q; want %q last", got, "prompt c")
	}
	n := len(f.c.messages("7"))
	f.deliver(t, next, tap(n, "d"), 6)
	if got := f.c.messages("7"); len(got) != n || lastMessage(got) != "prompt d" {
		t.Errorf("a tap on the last prompt gives %q; want it edited in place into %q", got, "prompt d")
	}
}

// A reply the dead leader delivered and did not mark is sent again as a
// new message; a tap on the copy above it must not edit that copy while
// the newer one stays below, even with a note (no prompt) sent between.
func TestTapOnACopyAboveAReplySentAgain(t *testing.T) {
	f := newFailover(t, func(int) bool { return true })
	eng := f.leader(t)
	f.deliver(t, eng, say("a"), 1)
	f.crash(t, eng)

	next := f.leader(t)
	defer next.Close(context.Background())
	f.settle(t)
	if got := f.c.messages("7"); !slices.Equal(got, []string{"prompt a", "prompt a"}) {
		t.Fatalf("chat %q, want prompt a twice", got)
	}
	f.deliver(t, next, say("notice: slow down"), 3)
	f.deliver(t, next, tap(1, "b"), 4)
	if got := f.c.messages("7"); !slices.Equal(got, []string{"prompt a", "prompt a", "notice: slow down", "prompt b"}) {
		t.Errorf("after a tap on the first copy the chat shows %q; want %q last", got, "prompt b")
	}
}
