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
// text; the reply to a tap (a choice) takes the tapped prompt's place.
func promptStep() bot.Stepper {
	return stepper(func(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
		s.UpdatedAt = now
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

// leader is one replica's engine over the shared store, delivering to the
// shared chats.
func leader(t *testing.T, store bot.Store, c *chat) *bot.Engine {
	t.Helper()
	eng := bot.New(store, promptStep(), nil)
	eng.SetRetry(time.Millisecond, 10*time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, c)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return eng
}

// crash stops a leader as a SIGKILL would leave things: what it had not
// marked sent stays in the outbox (marking is refused from now on).
func crash(t *testing.T, eng *bot.Engine, s *markStore) {
	t.Helper()
	s.failing(func(int) bool { return true })
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.failing(nil)
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
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	s := &markStore{DB: db, fail: func(call int) bool { return call == 1 }}
	c := &chat{}
	eng := leader(t, s, c)

	a := handle(t, eng, say("a"))
	waitFor(t, "the first mark attempt", func() bool { return s.calls.Load() >= 1 })
	b := handle(t, eng, tap(1, "b"))
	waitFor(t, "the second reply marked sent", func() bool { return s.isMarked(b.Outbox[0].Seq) })
	if !s.isMarked(a.Outbox[0].Seq) {
		t.Errorf("reply %d marked sent, the one before it (%d) not", b.Outbox[0].Seq, a.Outbox[0].Seq)
	}
	crash(t, eng, s)

	next := leader(t, s, c)
	defer next.Close(context.Background())
	waitFor(t, "the next leader idle", next.Idle)
	if got := c.messages("7"); lastMessage(got) != "prompt b" {
		t.Errorf("after the failover the chat shows %q, last %q; want the last prompt %q", got, lastMessage(got), "prompt b")
	}
}

// The replies a leader delivered but could not mark sent before it died
// are sent again by the next one, in commit order; a reply that edits the
// tapped prompt must not stay above the copy of an earlier one sent again
// below it.
func TestRepliesSentAgainEndOnTheLastPrompt(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	s := &markStore{DB: db, fail: func(int) bool { return true }}
	c := &chat{}
	eng := leader(t, s, c)

	handle(t, eng, say("a"))
	waitFor(t, "prompt a delivered", func() bool { return len(c.messages("7")) == 1 })
	handle(t, eng, tap(1, "b"))
	waitFor(t, "prompt b delivered", func() bool { return c.sent() == 2 })
	if got := c.messages("7"); !slices.Equal(got, []string{"prompt b"}) {
		t.Fatalf("before the failover the chat shows %q, want the tapped prompt edited into %q", got, "prompt b")
	}
	crash(t, eng, s)
	if n := pendingCount(t, db); n != 2 {
		t.Fatalf("outbox holds %d replies after the crash, want 2", n)
	}

	next := leader(t, s, c)
	defer next.Close(context.Background())
	waitFor(t, "the replies sent again", func() bool { return pendingCount(t, db) == 0 })
	if got := c.messages("7"); lastMessage(got) != "prompt b" {
		t.Fatalf("after the failover the chat shows %q; want the last prompt %q last", got, "prompt b")
	}

	// The person taps the oldest copy: the reply still goes below, then
	// taps on the newest message edit it in place again.
	handle(t, next, tap(1, "c"))
	waitFor(t, "prompt c delivered", func() bool { return pendingCount(t, db) == 0 && c.sent() == 5 })
	if got := c.messages("7"); lastMessage(got) != "prompt c" {
		t.Fatalf("after a tap on an older copy the chat shows %q; want %q last", got, "prompt c")
	}
	n := len(c.messages("7"))
	handle(t, next, tap(n, "d"))
	waitFor(t, "prompt d delivered", func() bool { return pendingCount(t, db) == 0 && c.sent() == 6 })
	if got := c.messages("7"); len(got) != n || lastMessage(got) != "prompt d" {
		t.Errorf("a tap on the last prompt gives %q; want it edited in place into %q", got, "prompt d")
	}
}

// A reply the dead leader delivered and did not mark is sent again as a
// new message; a tap on the copy above it must not edit that copy while
// the newer one stays below.
func TestTapOnACopyAboveAReplySentAgain(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	s := &markStore{DB: db, fail: func(int) bool { return true }}
	c := &chat{}
	eng := leader(t, s, c)
	handle(t, eng, say("a"))
	waitFor(t, "prompt a delivered", func() bool { return c.sent() == 1 })
	crash(t, eng, s)

	next := leader(t, s, c)
	defer next.Close(context.Background())
	waitFor(t, "prompt a sent again", func() bool { return pendingCount(t, db) == 0 })
	if got := c.messages("7"); !slices.Equal(got, []string{"prompt a", "prompt a"}) {
		t.Fatalf("chat %q, want prompt a twice", got)
	}
	handle(t, next, tap(1, "b"))
	waitFor(t, "prompt b delivered", func() bool { return pendingCount(t, db) == 0 && c.sent() == 3 })
	if got := c.messages("7"); lastMessage(got) != "prompt b" {
		t.Errorf("after a tap on the first copy the chat shows %q; want %q last", got, "prompt b")
	}
}
