package discord_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
	"consultbot/storage"
)

// routeHold holds the first request of one route once armed, before the
// fake handles it, until free.
type routeHold struct {
	route   string
	armed   atomic.Bool
	held    chan struct{} // closed when the request is held
	release chan struct{}
	once    sync.Once
}

func newRouteHold(route string) *routeHold {
	h := &routeHold{route: route, held: make(chan struct{}), release: make(chan struct{})}
	h.armed.Store(true)
	return h
}

// onRoute is the fake's OnRoute.
func (h *routeHold) onRoute(route string) {
	if route != h.route || !h.armed.CompareAndSwap(true, false) {
		return
	}
	close(h.held)
	<-h.release
}

func (h *routeHold) free() { h.once.Do(func() { close(h.release) }) }

// seedPaused gives u a conversation paused at theme 1's first question
// since past, in French, with reminders accepted and one due at due,
// through the store's one way in (Apply, with the address to write to
// them later, as the engine gives it).
func seedPaused(t *testing.T, db *storage.DB, u discordtest.User, past, due time.Time) {
	t.Helper()
	th := flows.DefaultQuestionnaire().Themes[0]
	dm := "dm:" + u.ID
	in := bot.Inbound{ID: "seed:" + u.ID, Channel: bot.ChannelDiscord, Participant: pid(u), Address: dm, Later: dm}
	if _, err := db.Apply(context.Background(), in, past, func(flows.Session) (flows.Session, []flows.Reply) {
		return flows.Session{
			Participant: pid(u), Lang: flows.LangFR, Stage: flows.StagePaused, ConsentAt: past, Profile: "parent",
			Theme: th.ID, Question: th.Questions[0].ID, CreatedAt: past, UpdatedAt: past,
			Reminders: flows.Reminders{OfferedAt: past, ConsentAt: past, Due: due},
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// startCampaigns starts the bot with reminders and announcements on, its
// clock stopped at now in loc, and stops it when the test ends.
func (h *harness) startCampaigns(loc *time.Location, now time.Time) {
	h.machine = flows.NewMachine(nil, flows.Config{MaxText: 1500, Location: loc, Reminders: flows.ReminderSettings{Max: 2}})
	h.setup = func(eng *bot.Engine, db *storage.DB) {
		eng.SetClock(func() time.Time { return now })
		eng.SetCampaigns(db, bot.CampaignOptions{Poll: 5 * time.Millisecond})
	}
	h.start()
	h.t.Cleanup(h.stop)
}

// TestReminderOnItsWayStaysAboveTheReplyToANewerMessage: a parent's
// reminder is claimed, its direct-message channel being opened (the
// request held by Discord), when the parent writes « reprendre » in
// their direct messages. The reminder is already leaving, so it goes;
// the reply, their question, comes after it, the last message: never a
// stale prompt below it.
func TestReminderOnItsWayStaysAboveTheReplyToANewerMessage(t *testing.T) {
	hold := newRouteHold(discordtest.RouteOpenDM)
	srv := discordtest.NewServer(discordtest.Options{OnRoute: hold.onRoute})
	t.Cleanup(srv.Close)
	t.Cleanup(hold.free) // before the fake closes: nothing stays held
	t.Cleanup(func() { checkContract(t, srv.Requests()) })
	h := &harness{t: t, srv: srv, dbPath: filepath.Join(t.TempDir(), "consult.db")}

	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 24, 10, 0, 0, 0, paris) // a Tuesday, within the reminders' hours
	past := now.Add(-4 * 24 * time.Hour)
	u := srv.NewUser("parent", "fr")
	db, err := storage.Open(h.dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedPaused(t, db, u, past, now.Add(-time.Minute))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	h.startCampaigns(paris, now)

	select {
	case <-hold.held:
	case <-time.After(wait):
		t.Fatal("the reminder did not open its direct-message channel")
	}
	poll(t, "the reminder claimed", func() bool {
		list, err := h.db.Pending(context.Background(), bot.ChannelDiscord, 0)
		return err == nil && len(list) == 1 && list[0].Once && list[0].Claimed
	})
	if _, err := srv.DirectMessage(u, "reprendre"); err != nil {
		t.Fatal(err)
	}
	poll(t, "the parent's message applied", func() bool {
		s, _, err := h.db.Session(pid(u))
		return err == nil && s.Stage == flows.StageQuestion
	})
	hold.free()

	var msgs []discordtest.Message
	if err := srv.Wait(wait, func() bool {
		msgs = srv.Messages(u.ID)
		return len(msgs) == 2
	}); err != nil {
		t.Fatalf("want the reminder and the question; got %s", dump(msgs))
	}
	if !strings.Contains(msgs[0].Content, "Vous aviez commencé la consultation") || !strings.Contains(msgs[1].Content, "Question 1/") {
		t.Errorf("want the reminder, then the question, the last message; got %s", dump(msgs))
	}
}

// TestAnnouncementRetriedNeverAfterTheReplyToANewerMessage: an
// organisers' announcement to a parent is refused by Discord with a 429,
// and waits for its retry, when the parent writes « reprendre » in their
// direct messages. The announcement goes first, once; the reply, their
// question, after it, the last message.
func TestAnnouncementRetriedNeverAfterTheReplyToANewerMessage(t *testing.T) {
	const body = "Dernière semaine pour répondre."
	srv := discordtest.NewServer(discordtest.Options{})
	t.Cleanup(srv.Close)
	t.Cleanup(func() { checkContract(t, srv.Requests()) })
	h := &harness{t: t, srv: srv, dbPath: filepath.Join(t.TempDir(), "consult.db")}

	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 24, 10, 0, 0, 0, paris) // a Tuesday
	past := now.Add(-4 * 24 * time.Hour)
	u := srv.NewUser("parent", "fr")
	ctx := context.Background()
	db, err := storage.Open(h.dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedPaused(t, db, u, past, now.Add(24*time.Hour)) // accepted, not due yet
	id, _, err := db.DraftAnnouncement(ctx, body, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	srv.RateLimit("POST /channels/", 1, 500*time.Millisecond, false)
	h.startCampaigns(paris, now)

	if err := h.eng.StartCampaign(ctx, func(ctx context.Context) error {
		_, err := h.db.SendAnnouncement(ctx, id, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	poll(t, "the announcement refused with a 429", func() bool { return srv.RateLimited() == 1 })
	if _, err := srv.DirectMessage(u, "reprendre"); err != nil {
		t.Fatal(err)
	}
	poll(t, "the announcement delivered", func() bool {
		list, err := h.db.Pending(ctx, bot.ChannelDiscord, 0)
		return err == nil && len(list) == 0
	})
	var msgs []discordtest.Message
	if err := srv.Wait(wait, func() bool {
		msgs = srv.Messages(u.ID)
		return len(msgs) == 2
	}); err != nil {
		t.Fatalf("want the announcement and the question; got %s", dump(msgs))
	}
	if !strings.Contains(msgs[0].Content, body) || !strings.Contains(msgs[1].Content, "Question 1/") {
		t.Errorf("want the announcement, then the question, the last message; got %s", dump(msgs))
	}
}
