package bot_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// lowPending returns the low-priority entries of the outbox.
func lowPending(t *testing.T, db *storage.DB) []bot.Outgoing {
	t.Helper()
	list, err := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	var low []bot.Outgoing
	for _, o := range list {
		if o.Low {
			low = append(low, o)
		}
	}
	return low
}

// announce drafts an announcement of text and confirms it, as an
// organiser does.
func (e *campaignEnv) announce(t *testing.T, text string) {
	t.Helper()
	ctx := context.Background()
	id, _, err := e.db.DraftAnnouncement(ctx, text, e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.eng.StartCampaign(ctx, func(ctx context.Context) error {
		_, err := e.db.SendAnnouncement(ctx, id, e.clock.now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// erase takes p through /effacer and its confirmation.
func (e *campaignEnv) erase(t *testing.T, p string) {
	t.Helper()
	res := e.say(t, p, flows.Event{Kind: flows.EventCommand, Command: flows.CmdErase})
	e.tap(t, p, res, "Oui, tout effacer")
}

// TestWithdrawnDuringCampaignGetNothingMore: with the lane full of queued
// reminders, or of an announcement's deliveries, one person withdraws
// (/rappels) and another erases their data. Neither gets what was queued
// for them (the reply to /rappels shows the reminder's prompt again, as
// the prompt they stand at: that is not the queued reminder); everyone
// else gets it once.
func TestWithdrawnDuringCampaignGetNothingMore(t *testing.T) {
	for _, what := range []string{"reminders", "announcement"} {
		t.Run(what, func(t *testing.T) {
			rec := &reachSender{hold: make(chan struct{})}
			e := startCampaigns(t, rec)
			const people = 24
			for i := range people {
				e.pauseWithReminder(t, fmt.Sprintf("telegram:%d", 100+i))
			}
			want := reminderText
			if what == "reminders" {
				e.clock.add(4 * 24 * time.Hour)
			} else {
				want = "Dernière semaine !"
				e.announce(t, want)
			}
			var queued []bot.Outgoing
			waitFor(t, "the lane filled", func() bool {
				queued = lowPending(t, e.db)
				return len(queued) == bot.DefaultCampaignWindow
			})
			quit, erased := queued[3].Participant, queued[9].Participant
			e.say(t, quit, flows.Event{Kind: flows.EventCommand, Command: flows.CmdReminders})
			e.erase(t, erased)
			rec.let()
			waitFor(t, "everyone else reached", func() bool {
				for i := range people {
					p := fmt.Sprintf("telegram:%d", 100+i)
					if p != quit && p != erased && rec.countLow(p, want) != 1 {
						return false
					}
				}
				return len(lowPending(t, e.db)) == 0
			})
			for _, p := range []string{quit, erased} {
				if n := rec.countLow(p, want); n != 0 {
					t.Errorf("%s got %d after withdrawing or erasing, want none", p, n)
				}
			}
		})
	}
}

// timeout is a failure after which the platform may have the message.
type timeout struct{}

func (timeout) Error() string { return "sendMessage: context deadline exceeded" }

// tooFast is Telegram's 429: the platform did not take the message.
type tooFast struct{}

func (tooFast) Error() string             { return "429 Too Many Requests: retry after 1" }
func (tooFast) RetryAfter() time.Duration { return time.Millisecond }

// failOnce fails the first low-priority send with err, after its claim
// when claimed is set, and lets the others go.
func failOnce(claimed bool, err error) func(bot.Outgoing) (bool, error) {
	failed := false
	return func(bot.Outgoing) (bool, error) {
		if failed {
			return false, nil
		}
		failed = true
		return claimed, err
	}
}

// TestReminderAtMostOnce fails the first attempt at a reminder in four
// ways: after its request left (the platform may have it: it is set
// aside, never tried again), refused by the platform (429), with no
// connection made, and before it was claimed (all three retried, and
// delivered once).
func TestReminderAtMostOnce(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		claimed   bool
		delivered int
	}{
		{"timeout after it left", timeout{}, true, 0},
		{"refused with 429", tooFast{}, true, 1},
		{"no connection", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true, 1},
		{"failed before its claim", timeout{}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &reachSender{fail: failOnce(tc.claimed, tc.err)}
			e := startCampaigns(t, rec)
			e.pauseWithReminder(t, "telegram:1")
			e.clock.add(4 * 24 * time.Hour)
			waitFor(t, "the reminder settled", func() bool {
				if len(lowPending(t, e.db)) > 0 {
					return false
				}
				list, _ := e.db.Undeliverable()
				return rec.count("telegram:1", reminderText) > 0 || len(list) > 0
			})
			if n := rec.count("telegram:1", reminderText); n != tc.delivered {
				t.Errorf("delivered %d times, want %d", n, tc.delivered)
			}
			rec.mu.Lock()
			tries := 0
			for _, n := range rec.tries {
				tries += n
			}
			rec.mu.Unlock()
			list, err := e.db.Undeliverable()
			if err != nil {
				t.Fatal(err)
			}
			if tc.delivered == 0 {
				if tries != 1 || len(list) != 1 || !strings.Contains(list[0].Reason, "at most once") {
					t.Errorf("%d attempts, undeliverable %+v; want one attempt, set aside", tries, list)
				}
			} else if tries != 2 || len(list) != 0 {
				t.Errorf("%d attempts, undeliverable %+v; want two attempts", tries, list)
			}
		})
	}
}

// TestUncertainAnnouncementIsSettled fails the first attempt at an
// announcement after its claim: a timeout (the platform may have it)
// leaves it claimed, and the next attempt comes Claimed, with the claim's
// note, for the Sender to settle: here the platform has it, and nothing
// is sent again. A refusal (429) lifts the claim instead: the next
// attempt is a plain send. Either way the Sender hears it settled.
func TestUncertainAnnouncementIsSettled(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		claimed bool // the second attempt comes Claimed
	}{
		{"timeout after it left", timeout{}, true},
		{"refused with 429", tooFast{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &reachSender{fail: failOnce(true, tc.err)}
			rec.arrived = func(bot.Outgoing) bool { return true }
			e := startCampaigns(t, rec)
			e.pauseWithReminder(t, "telegram:1")
			e.announce(t, "Dernière semaine !")
			var seq uint64
			waitFor(t, "the announcement settled", func() bool {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if len(rec.settled) == 0 {
					return false
				}
				seq = rec.settled[len(rec.settled)-1]
				return rec.tries[seq] == 2 && len(lowPending(t, e.db)) == 0
			})
			rec.mu.Lock()
			defer rec.mu.Unlock()
			delivered := 0
			for _, o := range rec.sent {
				if o.Seq == seq {
					delivered++
				}
			}
			if tc.claimed {
				if len(rec.claimed) != 1 || rec.claimed[0].ClaimNote != fmt.Sprint("note ", seq) || delivered != 0 {
					t.Errorf("second attempt: claimed sends %+v, %d sent again; want it Claimed with its note, found, not sent again", rec.claimed, delivered)
				}
			} else if len(rec.claimed) != 0 || delivered != 1 {
				t.Errorf("second attempt: claimed sends %+v, %d sent; want a plain send", rec.claimed, delivered)
			}
			if list, err := e.db.Undeliverable(); err != nil || len(list) != 0 {
				t.Errorf("undeliverable = %+v, %v", list, err)
			}
		})
	}
}

// stuckSender claims its low-priority replies, then holds them as a
// request the platform does not answer, until the engine stops: what a
// kill finds in flight.
type stuckSender struct{ reachSender }

func (s *stuckSender) Send(ctx context.Context, out bot.Outgoing) error {
	if !out.Low {
		return s.reachSender.Send(ctx, out)
	}
	if err := bot.Claim(ctx, fmt.Sprint("stuck ", out.Seq)); err != nil {
		return err
	}
	s.mu.Lock()
	if s.tries == nil {
		s.tries = map[uint64]int{}
	}
	s.tries[out.Seq]++
	s.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

// TestInterruptedReminderNotSentAgain stops the engine while a reminder
// and an announcement are being sent, their requests unanswered, then
// starts another engine on the same store: after a kill (the same file),
// and after a failover (replicas on one etcd cluster, the next leader
// following the outbox feed). The reminder is set aside (the platform may
// have it), the announcement is told to the Sender as unsettled and goes
// again Claimed, with its claim's note, for the Sender to settle.
func TestInterruptedReminderNotSentAgain(t *testing.T) {
	t.Run("restart", func(t *testing.T) {
		db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
		defer checkClose(t, db)
		interruptedNotSentAgain(t, db, func() (*storage.DB, bool) { return db, false })
	})
	t.Run("failover", func(t *testing.T) {
		replica := etcdReplicas(t)
		interruptedNotSentAgain(t, replica(), func() (*storage.DB, bool) { return replica(), true })
	})
}

// relay returns how the tests of interrupted sends start an engine with
// campaigns on, on the store next returns, and stop it (as a kill does:
// what is in flight stays in the outbox), one after the other on the same
// outbox, and their clock.
func relay(t *testing.T, next func() (*storage.DB, bool)) (start func(bot.Sender) *bot.Engine, stop func(*bot.Engine), c *clock) {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	m := flows.NewMachine(nil, flows.Config{Location: paris, Reminders: flows.ReminderSettings{Max: 2}})
	c = &clock{}
	c.set(time.Date(2026, 3, 24, 9, 0, 0, 0, time.UTC))
	start = func(s bot.Sender) *bot.Engine {
		store, follow := next()
		eng := bot.New(store, m, nil)
		eng.SetClock(c.now)
		eng.SetRetry(time.Millisecond, 4*time.Millisecond)
		eng.AddSender(bot.ChannelTelegram, s)
		eng.SetCampaigns(store, bot.CampaignOptions{Poll: 5 * time.Millisecond})
		if follow {
			eng.Follow(store)
		}
		if err := eng.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return eng
	}
	stop = func(eng *bot.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := eng.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return start, stop, c
}

// TestReplyWaitsForAnInterruptedAnnouncement: an announcement is in
// flight when its engine stops (a kill, or the leader a failover
// replaced), and its person writes before the next engine starts. The
// next engine finds both in the outbox, the announcement claimed: the
// reply waits for it, so the announcement, settled by its Sender, comes
// first and the reply, the prompt the person is at, last.
func TestReplyWaitsForAnInterruptedAnnouncement(t *testing.T) {
	t.Run("restart", func(t *testing.T) {
		db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
		defer checkClose(t, db)
		replyWaitsForInterrupted(t, db, func() (*storage.DB, bool) { return db, false })
	})
	t.Run("failover", func(t *testing.T) {
		replica := etcdReplicas(t)
		replyWaitsForInterrupted(t, replica(), func() (*storage.DB, bool) { return replica(), true })
	})
}

func replyWaitsForInterrupted(t *testing.T, db *storage.DB, next func() (*storage.DB, bool)) {
	const p, body = "telegram:1", "Dernière semaine !"
	stuck := &stuckSender{}
	engine, stop, c := relay(t, next)
	first := engine(stuck)
	e := &campaignEnv{db: db, eng: first, rec: &stuck.reachSender, clock: c}
	e.pauseWithReminder(t, p)
	e.announce(t, body)
	waitFor(t, "the announcement in flight", func() bool {
		stuck.mu.Lock()
		defer stuck.mu.Unlock()
		return len(stuck.tries) == 1
	})
	stop(first)
	// The person writes while no engine runs: the reply waits in the
	// outbox too.
	ctx := context.Background()
	m := flows.NewMachine(nil, flows.Config{Reminders: flows.ReminderSettings{Max: 2}})
	now := c.add(time.Minute)
	ev := flows.Event{Kind: flows.EventText, Text: "reprendre"}
	in := bot.Inbound{ID: "telegram:back", Channel: bot.ChannelTelegram, Participant: p, Address: p, Later: p, Event: ev}
	if _, err := db.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) { return m.Step(s, ev, now) }); err != nil {
		t.Fatal(err)
	}

	rec := &reachSender{}
	second := engine(rec)
	defer stop(second)
	waitFor(t, "the announcement and the reply delivered", func() bool {
		list, err := db.Pending(ctx, bot.ChannelTelegram, 0)
		return err == nil && len(list) == 0 && rec.count(p, body) == 1
	})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.sent) != 2 || !rec.sent[0].Low || rec.sent[1].Low || !strings.Contains(rec.sent[1].Reply.Lead, "Reprenons") {
		var b strings.Builder
		for _, o := range rec.sent {
			fmt.Fprintf(&b, "\n--- low=%v %s", o.Low, o.Reply.Lead+o.Reply.Text)
		}
		t.Errorf("want the announcement, then the reply; sent:%s", b.String())
	}
}

// interruptedNotSentAgain runs TestInterruptedReminderNotSentAgain on
// db; next returns the store of each engine started, and whether it
// follows the outbox feed, as replicas do.
func interruptedNotSentAgain(t *testing.T, db *storage.DB, next func() (*storage.DB, bool)) {
	stuck := &stuckSender{}
	engine, stop, c := relay(t, next)
	first := engine(stuck)
	e := &campaignEnv{db: db, eng: first, rec: &stuck.reachSender, clock: c}
	e.pauseWithReminder(t, "telegram:1")
	e.pauseWithReminder(t, "telegram:2")
	ctx := context.Background()
	// Both reminders fall due and are in flight when the first engine
	// stops.
	c.add(4 * 24 * time.Hour)
	waitFor(t, "the reminder in flight", func() bool {
		stuck.mu.Lock()
		defer stuck.mu.Unlock()
		return len(stuck.tries) == 2 // both people's reminders
	})
	stop(first)
	pending := lowPending(t, db)
	if len(pending) != 2 || !pending[0].Claimed || !pending[1].Claimed {
		t.Fatalf("outbox after the stop: %+v, want both reminders claimed", pending)
	}
	id, _, err := db.DraftAnnouncement(ctx, "Dernière semaine !", c.now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, c.now()); err != nil {
		t.Fatal(err)
	}
	if outs, err := db.NextAnnouncements(ctx, c.now(), bot.Room{bot.ChannelTelegram: 10}, func(_, body string) flows.Reply { return flows.Reply{Text: body} }); err != nil || len(outs) != 2 {
		t.Fatalf("announcements queued: %d, %v", len(outs), err)
	}
	// Announcements in flight when the second engine stops, too.
	second := engine(stuck)
	waitFor(t, "the announcements in flight", func() bool {
		stuck.mu.Lock()
		defer stuck.mu.Unlock()
		return len(stuck.tries) == 4 || slices.ContainsFunc(slices.Collect(maps.Values(stuck.tries)), func(n int) bool { return n > 1 })
	})
	stuck.mu.Lock()
	for seq, n := range stuck.tries {
		if n != 1 {
			t.Errorf("reply %d sent %d times by the engines, want once: an interrupted reminder goes at most once", seq, n)
		}
	}
	stuck.mu.Unlock()
	stop(second)

	rec := &reachSender{}
	third := engine(rec)
	defer stop(third)
	waitFor(t, "the announcements sent again and settled", func() bool {
		if rec.count("telegram:1", "Dernière semaine !") != 1 || rec.count("telegram:2", "Dernière semaine !") != 1 {
			return false
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.settled) >= 2
	})
	rec.mu.Lock()
	if len(rec.claimed) != 2 || rec.claimed[0].ClaimNote != fmt.Sprint("stuck ", rec.claimed[0].Seq) {
		t.Errorf("announcements sent again: %+v, want both Claimed, with their claim's note, for the Sender to settle", rec.claimed)
	}
	if len(rec.settled) < 2 || len(rec.unsettled) != 0 {
		t.Errorf("settled %v, still unsettled %v; want the Sender told of both, then told they are settled", rec.settled, rec.unsettled)
	}
	rec.mu.Unlock()
	for _, p := range []string{"telegram:1", "telegram:2"} {
		if n := rec.count(p, reminderText); n != 0 {
			t.Errorf("%s got the interrupted reminder %d times, want none", p, n)
		}
	}
	list, err := db.Undeliverable()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || !strings.Contains(list[0].Reason, "at most once") {
		t.Errorf("undeliverable = %+v, want the two reminders", list)
	}
}
