package telegram_test

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
)

// reminderText starts every French reminder.
const reminderText = "Vous aviez commencé la consultation"

// chatHold holds the fake's answer to each message that its match
// accepts, once recorded (the platform has it), until free: the request
// stays in flight, and the worker that sent it busy.
type chatHold struct {
	match   func(telegramtest.Message) bool
	held    atomic.Int32
	release chan struct{}
	once    sync.Once
}

func newChatHold(match func(telegramtest.Message) bool) *chatHold {
	return &chatHold{match: match, release: make(chan struct{})}
}

// onMessage is the fake's OnMessage.
func (h *chatHold) onMessage(m telegramtest.Message) {
	if h.match == nil || !h.match(m) {
		return
	}
	h.held.Add(1)
	<-h.release
}

func (h *chatHold) free() { h.once.Do(func() { close(h.release) }) }

// laneClock is the engine's clock, moved by the test.
type laneClock struct{ ns atomic.Int64 }

func (c *laneClock) now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// seedPausedWithReminder gives the person of chat a conversation paused
// at theme 1's first question, with reminders accepted and one due at
// due, through the store's one way in (Apply, with the address to write
// to them later, as the engine gives it).
func seedPausedWithReminder(t *testing.T, db *storage.DB, fake *telegramtest.Server, chat int64, past, due time.Time) {
	t.Helper()
	fake.KnowPrivateChat(chat)
	th := flows.DefaultQuestionnaire().Themes[0]
	addr := strconv.FormatInt(chat, 10)
	p := pid(chat)
	in := bot.Inbound{ID: "seed:" + addr, Channel: bot.ChannelTelegram, Participant: p, Address: addr, Later: addr}
	if _, err := db.Apply(context.Background(), in, past, func(flows.Session) (flows.Session, []flows.Reply) {
		return flows.Session{
			Participant: p, Lang: flows.LangFR, Stage: flows.StagePaused, ConsentAt: past, Profile: "parent",
			Theme: th.ID, Question: th.Questions[0].ID, CreatedAt: past, UpdatedAt: past,
			Reminders: flows.Reminders{OfferedAt: past, ConsentAt: past, Due: due},
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// lowInOutbox counts the reminders and announcements in the outbox.
func lowInOutbox(t *testing.T, db *storage.DB) int {
	t.Helper()
	list, err := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range list {
		if o.Low {
			n++
		}
	}
	return n
}

// TestReminderNeverAfterTheReplyToANewerMessage: a parent's reminder is
// in the outbox, waiting in the low-priority lane behind four others
// whose requests Telegram holds (every low worker busy), when the parent
// comes back and types « reprendre ». The reply to it, their question,
// goes at once; the reminder, which would now come below it as a stale
// prompt with its buttons, is never sent. The four others each get
// theirs once.
func TestReminderNeverAfterTheReplyToANewerMessage(t *testing.T) {
	const parent = int64(100)
	holders := []int64{201, 202, 203, 204} // one per low worker
	l := startHeldLane(t, parent, holders, -time.Minute, nil)
	a, fake := l.app, l.fake

	waitUntil(t, "the parent's reminder waiting in the lane", func() bool { return lowInOutbox(t, a.db) == len(holders)+1 })
	if n := len(fake.Messages(parent)); n != 0 {
		t.Fatalf("the parent got %d messages before coming back, want none yet", n)
	}

	l.comeBack(t, parent)
	for _, chat := range holders {
		if n := countText(fake.Messages(chat), reminderText); n != 1 {
			t.Errorf("chat %d got its reminder %d times, want once", chat, n)
		}
	}
	msgs := fake.Messages(parent)
	if n := countText(msgs, reminderText); n != 0 {
		t.Errorf("the parent got the reminder after coming back (%d times); chat:\n%s", n, chatText(msgs))
	}
	if last := msgs[len(msgs)-1]; !strings.Contains(last.Text, "Question 1/") {
		t.Errorf("the last message is not the parent's question:\n%s", last.Text)
	}
}

// heldLane is a running app whose low-priority workers are all held by
// Telegram, each on a reminder to one of the holders.
type heldLane struct {
	app  *app
	fake *telegramtest.Server
	hold *chatHold
	now  time.Time
}

// startHeldLane seeds the holders, one per low worker, with reminders
// due first, and parent with one due at now+parentDue, calls seed (when
// set) on the database, starts the app with campaigns at now (a Tuesday
// in Paris, within the reminders' hours) and returns once Telegram holds
// every holder's reminder.
func startHeldLane(t *testing.T, parent int64, holders []int64, parentDue time.Duration, seed func(*storage.DB, time.Time)) heldLane {
	t.Helper()
	if len(holders) != bot.LowWorkers {
		t.Fatalf("%d holders for %d low workers", len(holders), bot.LowWorkers)
	}
	hold := newChatHold(func(m telegramtest.Message) bool {
		return slices.Contains(holders, m.ChatID) && strings.Contains(m.Text, reminderText)
	})
	fake := telegramtest.NewServer(telegramtest.Options{Limits: fakeLimits, OnMessage: hold.onMessage})
	t.Cleanup(fake.Close)
	t.Cleanup(hold.free) // before the fake closes: nothing stays held

	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	clock := &laneClock{}
	now := time.Date(2026, 3, 24, 10, 0, 0, 0, paris)
	clock.ns.Store(now.UnixNano())
	path := filepath.Join(t.TempDir(), "lane.db")
	db, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	past := now.Add(-4 * 24 * time.Hour)
	// The holders' reminders fell due first: the lane takes them first.
	for i, chat := range holders {
		seedPausedWithReminder(t, db, fake, chat, past, now.Add(-time.Duration(10-i)*time.Minute))
	}
	seedPausedWithReminder(t, db, fake, parent, past, now.Add(parentDue))
	if seed != nil {
		seed(db, now)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	m := flows.NewMachine(nil, flows.Config{Location: paris, Reminders: flows.ReminderSettings{Max: 2}})
	a := startAppWith(t, fake, path, m, func(eng *bot.Engine, db *storage.DB) {
		eng.SetClock(clock.now)
		eng.SetCampaigns(db, bot.CampaignOptions{Poll: 5 * time.Millisecond})
	}, nil)
	waitUntil(t, "the holders' reminders held by Telegram", func() bool { return hold.held.Load() == int32(len(holders)) })
	return heldLane{app: a, fake: fake, hold: hold, now: now}
}

// comeBack has parent type « reprendre » and waits for their question,
// then frees the holders' reminders and waits until everything queued
// in the lane went, or was dropped.
func (l heldLane) comeBack(t *testing.T, parent int64) {
	t.Helper()
	p := newParent(t, l.fake, parent)
	p.say("reprendre")
	p.expect("Question 1/")
	l.hold.free()
	waitUntil(t, "the lane emptied", func() bool { return lowInOutbox(t, l.app.db) == 0 })
}

// countText counts the messages whose text contains s.
func countText(msgs []telegramtest.Message, s string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}

// chatText is a chat's messages, for a failure.
func chatText(msgs []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("--- " + m.Text + "\n")
	}
	return b.String()
}

// TestAnnouncementNeverAfterTheReplyToANewerMessage: an organisers'
// announcement to a parent waits in the low-priority lane, every low
// worker held by Telegram on others' reminders, when the parent comes
// back and types « reprendre ». The announcement goes first, and the
// reply, their question, after it: the last message of the chat is the
// prompt they are at, never an announcement below it. The others each
// get their reminder and the announcement once.
func TestAnnouncementNeverAfterTheReplyToANewerMessage(t *testing.T) {
	const parent = int64(300)
	const body = "Dernière semaine pour répondre."
	holders := []int64{401, 402, 403, 404} // one per low worker
	ctx := context.Background()
	var id uint64
	// The parent accepted reminders; theirs is not due yet.
	l := startHeldLane(t, parent, holders, 24*time.Hour, func(db *storage.DB, now time.Time) {
		var err error
		if id, _, err = db.DraftAnnouncement(ctx, body, now); err != nil {
			t.Fatal(err)
		}
	})
	a, fake, now := l.app, l.fake, l.now
	if err := a.eng.StartCampaign(ctx, func(ctx context.Context) error {
		_, err := a.db.SendAnnouncement(ctx, id, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Four held reminders, and the announcement for each of the five.
	waitUntil(t, "the announcements waiting in the lane", func() bool { return lowInOutbox(t, a.db) == 2*len(holders)+1 })

	l.comeBack(t, parent)
	for _, chat := range holders {
		msgs := fake.Messages(chat)
		if countText(msgs, reminderText) != 1 || countText(msgs, body) != 1 {
			t.Errorf("chat %d: want its reminder and the announcement once; chat:\n%s", chat, chatText(msgs))
		}
	}
	msgs := fake.Messages(parent)
	if n := countText(msgs, body); n != 1 {
		t.Fatalf("the parent got the announcement %d times, want once; chat:\n%s", n, chatText(msgs))
	}
	if last := msgs[len(msgs)-1]; !strings.Contains(last.Text, "Question 1/") {
		t.Errorf("the last message is not the parent's question; chat:\n%s", chatText(msgs))
	}
}

// TestAnnouncementRetriedNeverAfterTheReplyToANewerMessage: an
// organisers' announcement to a parent fails, and waits for its retry,
// when the parent comes back and types « reprendre ». Whatever the
// failure, the reply, their question, is the last message of the chat:
// an announcement Telegram asked to wait for (429) or that failed on its
// side (500) goes first, once; one it refused for good (400) does not
// hold the reply up.
func TestAnnouncementRetriedNeverAfterTheReplyToANewerMessage(t *testing.T) {
	const parent = int64(500)
	const body = "Dernière semaine pour répondre."
	for _, tc := range []struct {
		name       string
		code       int
		desc       string
		retryAfter int
		announced  int // times the parent gets the announcement
	}{
		{"429 retry after", http.StatusTooManyRequests, "Too Many Requests: retry after 1", 1, 1},
		{"500", http.StatusInternalServerError, "Internal Server Error", 0, 1},
		{"400 for good", http.StatusBadRequest, "Bad Request: message is too long", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := telegramtest.NewServer(telegramtest.Options{Limits: fakeLimits})
			t.Cleanup(fake.Close)
			a := announceTo(t, fake, parent, body, func() { fake.RefuseNext(parent, tc.code, tc.desc, tc.retryAfter) },
				nil, func(o *telegram.Options) { o.ProbeWait = 50 * time.Millisecond })
			waitUntil(t, "the announcement refused", func() bool { return fake.Requests("sendMessage") == 1 })

			p := newParent(t, fake, parent)
			p.say("reprendre")
			p.expect("Question 1/")
			waitUntil(t, "the lane emptied", func() bool { return lowInOutbox(t, a.db) == 0 })
			msgs := fake.Messages(parent)
			if n := countText(msgs, body); n != tc.announced {
				t.Errorf("the parent got the announcement %d times, want %d; chat:\n%s", n, tc.announced, chatText(msgs))
			}
			if last := msgs[len(msgs)-1]; !strings.Contains(last.Text, "Question 1/") {
				t.Errorf("the last message is not the parent's question; chat:\n%s", chatText(msgs))
			}
		})
	}
}

// TestReplyNotHeldByAnAnnouncementThatKeepsFailing: Telegram fails an
// organisers' announcement to a parent again and again (500 on that
// message alone) when the parent comes back and types « reprendre ».
// Their question comes after a few of the announcement's retries, not
// once its whole budget is spent; the announcement follows when Telegram
// takes it, once.
func TestReplyNotHeldByAnAnnouncementThatKeepsFailing(t *testing.T) {
	const parent = int64(501)
	const body = "Dernière semaine pour répondre."
	fake := telegramtest.NewServer(telegramtest.Options{Limits: fakeLimits})
	t.Cleanup(fake.Close)
	var stop func()
	a := announceTo(t, fake, parent, body, func() {
		stop = fake.RefuseText(parent, body, http.StatusInternalServerError, "Internal Server Error")
	}, func(eng *bot.Engine) {
		// The announcement is given up after 12 s; a reply waits for it
		// a twelfth of that in the engine, 1 s in the chat's gate: less
		// than the probe's wait for a newer id, as by default.
		eng.SetBudget(12 * time.Second)
	}, func(o *telegram.Options) { o.ProbeWait, o.ReplyHold = 3*time.Second, time.Second })
	waitUntil(t, "the announcement refused", func() bool { return fake.Requests("sendMessage") >= 1 })

	p := newParent(t, fake, parent)
	p.say("reprendre")
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(a.logs.String())
		}
	})
	p.expect("Question 1/")
	if n := lowInOutbox(t, a.db); n != 1 {
		t.Fatalf("the question came once the announcement left the outbox (%d left): it waited for the whole budget", n)
	}
	if n := countText(fake.Messages(parent), body); n != 0 {
		t.Fatalf("the announcement was delivered %d times while Telegram refused it", n)
	}
	stop()
	waitUntil(t, "the announcement delivered", func() bool { return lowInOutbox(t, a.db) == 0 })
	if n := countText(fake.Messages(parent), body); n != 1 {
		t.Errorf("the parent got the announcement %d times, want 1; chat:\n%s", n, chatText(fake.Messages(parent)))
	}
}

// announceTo starts the app over a store where parent paused with
// reminders accepted (theirs not due yet), with an organisers'
// announcement of body sent to everyone; refuse runs before the app
// starts (the fake's refusals), engine and tweak adjust the engine and
// the adapter.
func announceTo(t *testing.T, fake *telegramtest.Server, parent int64, body string, refuse func(), engine func(*bot.Engine), tweak func(*telegram.Options)) *app {
	t.Helper()
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 24, 10, 0, 0, 0, paris) // a Tuesday
	path := filepath.Join(t.TempDir(), "announce.db")
	db, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	seedPausedWithReminder(t, db, fake, parent, now.Add(-4*24*time.Hour), now.Add(24*time.Hour))
	id, _, err := db.DraftAnnouncement(ctx, body, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	refuse()
	m := flows.NewMachine(nil, flows.Config{Location: paris, Reminders: flows.ReminderSettings{Max: 2}})
	a := startAppWith(t, fake, path, m, func(eng *bot.Engine, db *storage.DB) {
		eng.SetClock(func() time.Time { return now })
		eng.SetCampaigns(db, bot.CampaignOptions{Poll: 5 * time.Millisecond})
		if engine != nil {
			engine(eng)
		}
	}, tweak)
	if err := a.eng.StartCampaign(ctx, func(ctx context.Context) error {
		_, err := a.db.SendAnnouncement(ctx, id, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return a
}
