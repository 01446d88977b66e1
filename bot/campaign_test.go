package bot_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// reachSender records deliveries, can write to people later (as Telegram's
// private chats), refuses for good those in blocked (Telegram's 403), and
// holds low-priority sends while hold is open. Like the platforms'
// adapters (a LowSender), it claims a low-priority reply once it may go,
// just before it is sent, and sends nothing when the claim fails.
type reachSender struct {
	mu      sync.Mutex
	sent    []bot.Outgoing
	blocked map[string]bool
	hold    chan struct{} // nil: low sends go at once
	release sync.Once
	// fail, when set, may fail a low-priority send, after its claim when
	// claimed is set (the request left), else before it.
	fail  func(out bot.Outgoing) (claimed bool, err error)
	tries map[uint64]int // low-priority sends attempted, by sequence
	// arrived, when set, settles an announcement that comes Claimed, as
	// the Telegram adapter does: true when the platform has it, and
	// nothing is sent again.
	arrived   func(out bot.Outgoing) bool
	claimed   []bot.Outgoing  // sends of claimed announcements
	unsettled map[uint64]bool // told by the engine (Settler), until Settled
	settled   []uint64
}

// Unsettled records that the engine told of out (bot.Settler).
func (r *reachSender) Unsettled(out bot.Outgoing) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.unsettled == nil {
		r.unsettled = map[uint64]bool{}
	}
	r.unsettled[out.Seq] = true
}

// Settled records that the engine is done with out (bot.Settler).
func (r *reachSender) Settled(out bot.Outgoing) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.unsettled, out.Seq)
	r.settled = append(r.settled, out.Seq)
}

// let lets held low-priority sends go.
func (r *reachSender) let() {
	r.release.Do(func() {
		if r.hold != nil {
			close(r.hold)
		}
	})
}

func (r *reachSender) SendsLow() {}

type forbidden struct{}

func (forbidden) Error() string   { return "403 Forbidden: bot was blocked by the user" }
func (forbidden) Permanent() bool { return true }
func (forbidden) Status() int     { return 403 }

func (r *reachSender) Send(ctx context.Context, out bot.Outgoing) error {
	if out.Low && r.hold != nil {
		select {
		case <-r.hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if out.Low {
		r.mu.Lock()
		if r.tries == nil {
			r.tries = map[uint64]int{}
		}
		r.tries[out.Seq]++
		if out.Claimed {
			r.claimed = append(r.claimed, out)
		}
		r.mu.Unlock()
		if out.Claimed && r.arrived != nil && r.arrived(out) {
			return nil
		}
		if r.fail != nil {
			if claimed, err := r.fail(out); err != nil {
				if claimed {
					if cerr := bot.Claim(ctx, fmt.Sprint("note ", out.Seq)); cerr != nil {
						return cerr
					}
				}
				return err
			}
		}
	}
	if err := bot.Claim(ctx, ""); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.blocked[out.Address] {
		return forbidden{}
	}
	r.sent = append(r.sent, out)
	return nil
}

func (r *reachSender) LaterAddress(a string) (string, bool) { return a, true }

// count counts the deliveries to address whose text contains s.
func (r *reachSender) count(address, s string) int { return r.countIf(address, s, false) }

// countLow counts the low-priority deliveries (reminders, announcements)
// to address whose text contains s.
func (r *reachSender) countLow(address, s string) int { return r.countIf(address, s, true) }

func (r *reachSender) countIf(address, s string, low bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, o := range r.sent {
		if o.Address == address && (o.Low || !low) && strings.Contains(o.Reply.Lead+o.Reply.Text, s) {
			n++
		}
	}
	return n
}

// clock is a clock the test moves.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time                { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)               { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) time.Time { c.set(c.now().Add(d)); return c.now() }

type campaignEnv struct {
	db    *storage.DB
	eng   *bot.Engine
	rec   *reachSender
	clock *clock
	n     int
}

func startCampaigns(t *testing.T, rec *reachSender) *campaignEnv {
	t.Helper()
	return startCampaignsWith(t, rec, bot.CampaignOptions{Poll: 5 * time.Millisecond})
}

func startCampaignsWith(t *testing.T, rec *reachSender, opts bot.CampaignOptions) *campaignEnv {
	t.Helper()
	return startCampaignsOn(t, map[string]*reachSender{bot.ChannelTelegram: rec}, opts)
}

// startCampaignsOn starts an engine with campaigns on, one sender per
// channel; the env's rec is Telegram's.
func startCampaignsOn(t *testing.T, senders map[string]*reachSender, opts bot.CampaignOptions) *campaignEnv {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	m := flows.NewMachine(nil, flows.Config{Location: paris, Reminders: flows.ReminderSettings{Max: 2, QuietDays: []time.Weekday{time.Sunday}}})
	c := &clock{}
	c.set(time.Date(2026, 3, 24, 9, 0, 0, 0, time.UTC)) // a Tuesday
	eng := bot.New(db, m, nil)
	eng.SetClock(c.now)
	eng.SetRetry(time.Millisecond, 4*time.Millisecond)
	for ch, rec := range senders {
		eng.AddSender(ch, rec)
	}
	eng.SetCampaigns(db, opts)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, rec := range senders {
			rec.let()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Close(ctx); err != nil {
			t.Errorf("close engine: %v", err)
		}
		checkClose(t, db)
	})
	return &campaignEnv{db: db, eng: eng, rec: senders[bot.ChannelTelegram], clock: c}
}

// say hands one event of person p to the engine, a minute after the last.
func (e *campaignEnv) say(t *testing.T, p string, ev flows.Event) bot.Applied {
	t.Helper()
	e.n++
	e.clock.add(time.Minute)
	channel, _, _ := strings.Cut(p, ":")
	return handle(t, e.eng, bot.Inbound{ID: fmt.Sprintf("%s:update:%d", channel, e.n), Channel: channel, Participant: p, Address: p, Event: ev})
}

// lastOptions returns the options of p's latest prompt in applied.
func (e *campaignEnv) tap(t *testing.T, p string, res bot.Applied, label string) bot.Applied {
	t.Helper()
	for i := len(res.Outbox) - 1; i >= 0; i-- {
		for _, o := range res.Outbox[i].Reply.Options {
			if o.Label == label {
				return e.say(t, p, flows.Event{Kind: flows.EventChoice, Token: o.Token})
			}
		}
	}
	t.Fatalf("no button %q in %+v", label, res.Outbox)
	return bot.Applied{}
}

// pauseWithReminder takes p to the first question, pauses and says yes to
// the reminder.
func (e *campaignEnv) pauseWithReminder(t *testing.T, p string) {
	t.Helper()
	res := e.say(t, p, flows.Event{Kind: flows.EventCommand, Command: flows.CmdStart})
	res = e.tap(t, p, res, "J'accepte")
	res = e.tap(t, p, res, "Parent")
	res = e.tap(t, p, res, "Passer")
	res = e.tap(t, p, res, "1. Égal accès au numérique — 0/5")
	res = e.tap(t, p, res, "Continuer plus tard")
	if res.Outbox[0].Reply.Options[0].Label != "Oui" {
		t.Fatalf("no offer after the pause: %+v", res.Outbox)
	}
	e.tap(t, p, res, "Oui")
}

const reminderText = "Vous aviez commencé la consultation"

func TestReminderSentOnceAndNotAfterComingBack(t *testing.T) {
	rec := &reachSender{}
	e := startCampaigns(t, rec)
	e.pauseWithReminder(t, "telegram:1")
	e.pauseWithReminder(t, "telegram:2")

	// Three days later, 10:08 Paris time on a Friday: both are due. The
	// second came back meanwhile and paused again, which moves theirs.
	e.clock.add(24 * time.Hour)
	res := e.say(t, "telegram:2", flows.Event{Kind: flows.EventText, Text: "reprendre"})
	e.tap(t, "telegram:2", res, "Continuer plus tard")
	e.clock.add(2 * 24 * time.Hour)
	waitFor(t, "the first reminder", func() bool { return rec.count("telegram:1", reminderText) == 1 })
	if n := rec.count("telegram:2", reminderText); n != 0 {
		t.Fatalf("telegram:2 got %d reminders, though they came back", n)
	}
	// Only telegram:2's is left, a day later.
	if due, _ := e.db.DueReminders(context.Background(), e.clock.now().Add(48*time.Hour), bot.Room{bot.ChannelTelegram: 10}); len(due) != 1 || due[0].Participant != "telegram:2" {
		t.Fatalf("due = %+v", due)
	}
	// telegram:2 comes back before theirs: nothing is due any more.
	e.say(t, "telegram:2", flows.Event{Kind: flows.EventText, Text: "bonjour"})
	if due, _ := e.db.DueReminders(context.Background(), e.clock.now().Add(30*24*time.Hour), bot.Room{bot.ChannelTelegram: 10}); len(due) != 0 {
		t.Fatalf("due after coming back = %+v", due)
	}
	if n := rec.count("telegram:1", reminderText); n != 1 {
		t.Fatalf("telegram:1 got %d reminders", n)
	}
}

func TestBlockedPersonLosesTheirReminders(t *testing.T) {
	rec := &reachSender{blocked: map[string]bool{}}
	e := startCampaigns(t, rec)
	e.pauseWithReminder(t, "telegram:1")
	rec.mu.Lock()
	rec.blocked["telegram:1"] = true
	rec.mu.Unlock()
	e.clock.add(4 * 24 * time.Hour)
	waitFor(t, "the consent withdrawn", func() bool {
		s, _, _ := e.db.Session("telegram:1")
		return !s.Reminders.On() && !s.Reminders.WithdrawnAt.IsZero()
	})
	if n, _ := e.db.ReminderContacts(context.Background()); n != 0 {
		t.Fatalf("%d contacts kept after a 403", n)
	}
}

// TestCampaignTakesNoLiveWorker holds every low-priority send: a live
// reply still goes at once, and the lane holds no more than its window.
func TestCampaignTakesNoLiveWorker(t *testing.T) {
	rec := &reachSender{hold: make(chan struct{})}
	e := startCampaigns(t, rec)
	for i := range 40 {
		e.pauseWithReminder(t, fmt.Sprintf("telegram:%d", 100+i))
	}
	id, n, err := e.db.DraftAnnouncement(context.Background(), "Dernière semaine !", e.clock.now())
	if err != nil || n != 40 {
		t.Fatalf("draft: %d, %v", n, err)
	}
	if _, err := e.db.SendAnnouncement(context.Background(), id, e.clock.now()); err != nil {
		t.Fatal(err)
	}
	e.clock.add(4 * 24 * time.Hour)
	e.say(t, "telegram:9", flows.Event{Kind: flows.EventCommand, Command: flows.CmdStart})
	waitFor(t, "the live reply", func() bool {
		return rec.count("telegram:9", "Bienvenue") > 0 || rec.count("telegram:9", "consultation") > 0
	})
	low := 0
	waitFor(t, "the lane filled", func() bool {
		p, _ := e.db.Pending(context.Background(), bot.ChannelTelegram, 0)
		low = 0
		for _, o := range p {
			if o.Low {
				low++
			}
		}
		return low == bot.DefaultCampaignWindow
	})
}

// TestConfirmedAnnouncementStartsAtOnce: with the store polled only once
// an hour, an announcement confirmed through the engine still reaches
// everyone who accepted, without waiting for the poll.
func TestConfirmedAnnouncementStartsAtOnce(t *testing.T) {
	rec := &reachSender{}
	e := startCampaignsWith(t, rec, bot.CampaignOptions{Poll: time.Hour})
	people := []string{"telegram:1", "telegram:2", "telegram:3"}
	for _, p := range people {
		e.pauseWithReminder(t, p)
	}
	ctx := context.Background()
	id, _, err := e.db.DraftAnnouncement(ctx, "La consultation ferme vendredi.", e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	err = e.eng.StartCampaign(ctx, func(ctx context.Context) error {
		_, err := e.db.SendAnnouncement(ctx, id, e.clock.now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the announcement delivered to all three", func() bool {
		for _, p := range people {
			if rec.count(p, "La consultation ferme vendredi.") != 1 {
				return false
			}
		}
		return true
	})
	// A confirmation the store refuses comes back as its error, and
	// starts nothing.
	err = e.eng.StartCampaign(ctx, func(ctx context.Context) error {
		_, err := e.db.SendAnnouncement(ctx, id, e.clock.now())
		return err
	})
	if !errors.Is(err, storage.ErrAnnouncementSent) {
		t.Fatalf("second confirmation: %v, want ErrAnnouncementSent", err)
	}
}

// TestSlowChannelDoesNotHoldTheOthers: an announcement goes to people on
// Telegram and on Discord, whose deliveries make no progress (held by
// the test as a slow platform holds them in its rate limit). Telegram's
// people all get it meanwhile: each channel has its share of the lane
// and its own workers, so the campaign starts at once on every channel
// and each goes at its own pace. Discord's then get it too, once each.
func TestSlowChannelDoesNotHoldTheOthers(t *testing.T) {
	tg, dc := &reachSender{}, &reachSender{hold: make(chan struct{})}
	e := startCampaignsOn(t, map[string]*reachSender{bot.ChannelTelegram: tg, bot.ChannelDiscord: dc}, bot.CampaignOptions{Poll: time.Hour})
	const people = 2 * bot.DefaultCampaignWindow
	for i := range people {
		e.pauseWithReminder(t, fmt.Sprintf("discord:%d", 100+i))
		e.pauseWithReminder(t, fmt.Sprintf("telegram:%d", 100+i))
	}
	const body = "La consultation ferme vendredi."
	e.announce(t, body)
	reached := func(rec *reachSender, channel string) int {
		n := 0
		for i := range people {
			if rec.countLow(fmt.Sprintf("%s:%d", channel, 100+i), body) == 1 {
				n++
			}
		}
		return n
	}
	waitFor(t, "everyone on Telegram reached while Discord makes no progress", func() bool { return reached(tg, bot.ChannelTelegram) == people })
	if n := reached(dc, bot.ChannelDiscord); n != 0 {
		t.Fatalf("%d reached on Discord while its sends were held", n)
	}
	dc.let()
	waitFor(t, "everyone on Discord reached", func() bool { return reached(dc, bot.ChannelDiscord) == people })
	for i := range people {
		for _, p := range []string{fmt.Sprintf("discord:%d", 100+i), fmt.Sprintf("telegram:%d", 100+i)} {
			rec := tg
			if strings.HasPrefix(p, "discord:") {
				rec = dc
			}
			if n := rec.countLow(p, body); n != 1 {
				t.Errorf("%s got the announcement %d times, want once", p, n)
			}
		}
	}
}

// TestWaitingRepliesLeaveTheirPlace: every place of the lane holds a
// reply its Sender keeps back until another of the channel's sends went
// through (as an interrupted Telegram announcement waits for a newer
// message id). The waiting replies leave their places meanwhile, so the
// lane brings more work, whose sends end the wait; everyone gets the
// announcement once.
func TestWaitingRepliesLeaveTheirPlace(t *testing.T) {
	const window = 4
	cond := make(untilErr)
	var (
		once    sync.Once
		mu      sync.Mutex
		waiting = map[uint64]bool{}
	)
	rec := &reachSender{fail: func(out bot.Outgoing) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if len(waiting) < window && !waiting[out.Seq] {
			waiting[out.Seq] = true
		}
		select {
		case <-cond:
			return false, nil
		default:
		}
		if waiting[out.Seq] {
			return false, fmt.Errorf("send: %w", cond)
		}
		once.Do(func() { close(cond) }) // another send of the channel
		return false, nil
	}}
	e := startCampaignsWith(t, rec, bot.CampaignOptions{Window: window, Poll: time.Hour})
	const people = 3 * window
	for i := range people {
		e.pauseWithReminder(t, fmt.Sprintf("telegram:%d", 100+i))
	}
	const body = "La consultation ferme vendredi."
	e.announce(t, body)
	waitFor(t, "everyone reached", func() bool {
		for i := range people {
			if rec.countLow(fmt.Sprintf("telegram:%d", 100+i), body) != 1 {
				return false
			}
		}
		return true
	})
}
