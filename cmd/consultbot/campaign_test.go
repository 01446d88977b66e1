package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/text"
)

// Who the campaign test seeds, by Telegram user id (a private chat's id is
// its user's).
const (
	campaignYes      = 240  // said yes to reminders; the first campaignQuit of them withdraw
	campaignQuit     = 40   // half with /rappels, half with « stop »
	campaignNo       = 60   // were offered reminders and said no
	campaignLive     = 5    // say yes through the real conversation
	campaignFirstID  = 5000 // first seeded user id
	campaignLiveID   = 8000 // first live user id
	campaignOrganise = 900  // the organiser's user id
)

// seedCampaign gives the seeded people a paused conversation, with or
// without a consent to reminders, and makes their private chats known to
// the fake.
func seedCampaign(t *testing.T, srv *telegramtest.Server, dbPath string) {
	t.Helper()
	past := time.Now().Add(-24 * time.Hour)
	db, _ := seedPaused(t, srv, dbPath, campaignYes+campaignNo, func(i int) flows.Reminders {
		r := flows.Reminders{OfferedAt: past}
		if i < campaignYes {
			r.ConsentAt = past
		}
		return r
	})
	defer db.Close()
	if n, err := db.ReminderContacts(context.Background()); err != nil || n != campaignYes {
		t.Fatalf("seeded %d contacts (%v), want %d", n, err, campaignYes)
	}
}

// seedPaused gives n people, from campaignFirstID, a conversation paused
// a day ago with the reminders settings of reminders(i), through the
// store's one way in (Apply, with the address to write to them later as
// the engine gives it), and makes their private chats known to the fake.
// Every fifth person reads English. It returns the database, open, and
// each person's chat by participant id.
func seedPaused(t *testing.T, srv *telegramtest.Server, dbPath string, n int, reminders func(i int) flows.Reminders) (*storage.DB, map[string]int64) {
	t.Helper()
	db, err := storage.Open(dbPath, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	q := flows.DefaultQuestionnaire()
	th := q.Themes[0]
	past := time.Now().Add(-24 * time.Hour)
	chats := map[string]int64{}
	for i := range n {
		id := int64(campaignFirstID + i)
		chat := strconv.FormatInt(id, 10)
		srv.KnowPrivateChat(id)
		p := bot.ParticipantID(bot.ChannelTelegram, chat, []byte(testIDKey))
		chats[p] = id
		lang := flows.LangFR
		if i%5 == 4 {
			lang = flows.LangEN
		}
		in := bot.Inbound{ID: "seed:" + chat, Channel: bot.ChannelTelegram, Participant: p, Address: chat, Later: chat}
		_, err := db.Apply(context.Background(), in, past, func(flows.Session) (flows.Session, []flows.Reply) {
			return flows.Session{
				Participant: p, Lang: lang, Stage: flows.StagePaused, ConsentAt: past, Profile: "parent",
				Theme: th.ID, Question: th.Questions[0].ID, CreatedAt: past, UpdatedAt: past, Reminders: reminders(i),
			}, nil
		})
		if err != nil {
			db.Close()
			t.Fatal(err)
		}
	}
	return db, chats
}

// campaignKillTest begins a campaign kill test, skipped with -short: its
// replayable random source (stream tells the tests apart), the Telegram
// fake, closed at the end, and the run, whose configuration names the
// organiser and adds extra.
func campaignKillTest(t *testing.T, stream uint64, extra string) (*rand.Rand, *telegramtest.Server, *killRun, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	rng := rand.New(rand.NewPCG(killSeed(t), stream))
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	run, dbPath := newKillRun(t, srv, "campaign.db", fmt.Sprintf("organiser_users = [%d]\n%s", campaignOrganise, extra))
	return rng, srv, run, dbPath
}

// TestKillNineDuringAnnouncement is the campaign kill test: the
// real binary against the Telegram fake, 245 people who said yes to
// reminders (5 of them through the conversation), 60 who said no and 40
// who withdrew (/rappels, « stop »); an organiser drafts and confirms an
// announcement, and the bot is killed with SIGKILL four times while it
// goes out, restarted each time on the same file. At the end everyone
// who said yes has it, nobody else has, and the announcements sent twice
// are at most bot.LowWorkers per kill: a message the platform accepted
// just before a kill, not yet recorded as sent, goes again, and each
// low-priority worker holds at most one such message.
func TestKillNineDuringAnnouncement(t *testing.T) {
	const kills = 4
	rng, srv, run, dbPath := campaignKillTest(t, 1, "")
	seedCampaign(t, srv, dbPath)

	ctx, stop := context.WithTimeout(context.Background(), 3*time.Minute)
	defer stop()
	b := run.start()

	// Withdrawals, through the conversation, before the announcement.
	fr, en := text.For(text.FR).Reminders, text.For(text.EN).Reminders
	for i := range campaignQuit {
		u := telegramtest.User{ID: int64(campaignFirstID + i), LanguageCode: "fr"}
		if i%2 == 0 {
			srv.SendCommand(u, "/rappels")
		} else {
			srv.SendText(u, "stop")
		}
	}
	for i := range campaignQuit {
		want := fr.Stopped
		if i%5 == 4 {
			want = en.Stopped
		}
		waitText(t, ctx, srv, telegramtest.User{ID: int64(campaignFirstID + i)}, want)
	}
	// Yes through the conversation: a pause, then the offer.
	for i := range campaignLive {
		u := telegramtest.User{ID: int64(campaignLiveID + i), FirstName: "Parent", LanguageCode: "fr"}
		toFirstQuestion(t, ctx, srv, u)
		tap(t, srv, u, waitLabel(t, ctx, srv, u, "Continuer plus tard"), "Continuer plus tard")
		tap(t, srv, u, waitLabel(t, ctx, srv, u, "Oui"), "Oui")
	}
	for i := range campaignLive {
		waitText(t, ctx, srv, telegramtest.User{ID: int64(campaignLiveID + i)}, "C'est noté")
	}

	yes := map[int64]string{} // chat → language
	no := map[int64]bool{}
	for i := range campaignYes + campaignNo {
		id := int64(campaignFirstID + i)
		switch {
		case i < campaignQuit || i >= campaignYes:
			no[id] = true
		case i%5 == 4:
			yes[id] = text.EN
		default:
			yes[id] = text.FR
		}
	}
	for i := range campaignLive {
		yes[int64(campaignLiveID+i)] = text.FR
	}

	// The organiser drafts, then confirms.
	const announcement = "La consultation ferme dans trois jours : merci à toutes et à tous !"
	org := telegramtest.User{ID: campaignOrganise, LanguageCode: "fr"}
	srv.SendText(org, "/annonce "+announcement)
	draft := waitText(t, ctx, srv, org, "/annonce_envoyer 1")
	if want := fmt.Sprintf("%d personnes", len(yes)); !strings.Contains(draft.Text, want) {
		t.Fatalf("draft reply:\n%s\nwant it to count %s", draft.Text, want)
	}
	confirmed := time.Now()
	srv.SendText(org, "/annonce_envoyer 1")
	waitText(t, ctx, srv, org, "Annonce n° 1")

	// An announcement as sent to people: its body under its title (the
	// organiser's draft quotes the body alone).
	isAnnouncement := func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, announcement) &&
			(strings.Contains(m.Text, fr.AnnounceTitle) || strings.Contains(m.Text, en.AnnounceTitle))
	}
	got := func(chat int64) int {
		n := 0
		for _, m := range srv.Messages(chat) {
			if isAnnouncement(m) {
				n++
			}
		}
		return n
	}
	reached := func() int {
		n := 0
		for chat := range yes {
			if got(chat) > 0 {
				n++
			}
		}
		return n
	}

	// Kills at seeded points of the campaign, spread over it.
	var at []int
	for k := range kills {
		lo := len(yes) * (2*k + 1) / (2*kills + 2)
		at = append(at, lo+rng.IntN(len(yes)/(2*kills+2)))
	}
	dupsNow := func() int {
		n := 0
		for chat := range yes {
			n += max(got(chat)-1, 0)
		}
		return n
	}
	var perKill []int // announcements sent twice since the kill before
	for _, n := range at {
		if err := srv.Wait(ctx, func() bool { return reached() >= n }); err != nil {
			t.Fatalf("campaign stalled at %d of %d people: %v", reached(), len(yes), err)
		}
		b.kill(t)
		perKill = append(perKill, dupsNow())
		t.Logf("killed with %d of %d people reached", reached(), len(yes))
		checkFile(t, dbPath)
		b = run.start()
	}
	if err := srv.Wait(ctx, func() bool { return reached() == len(yes) }); err != nil {
		t.Fatalf("campaign ended with %d of %d people reached: %v", reached(), len(yes), err)
	}
	b.stop(t)
	checkFile(t, dbPath)

	// Everyone who said yes has it, in their language; nobody else.
	dups, twice := 0, 0
	var first, last time.Time
	for chat, lang := range yes {
		n := got(chat)
		if n > 1 {
			dups += n - 1
			twice++
		}
		title := text.For(lang).Reminders.AnnounceTitle
		for _, m := range srv.Messages(chat) {
			if !isAnnouncement(m) {
				continue
			}
			if !strings.Contains(m.Text, title) {
				t.Errorf("chat %d (%s) got %q, want the title %q", chat, lang, m.Text, title)
			}
			if first.IsZero() || m.Sent.Before(first) {
				first = m.Sent
			}
			if m.Sent.After(last) {
				last = m.Sent
			}
		}
	}
	for chat := range no {
		if n := got(chat); n != 0 {
			t.Errorf("chat %d, who said no or withdrew, got the announcement %d times", chat, n)
		}
	}
	if n := got(campaignOrganise); n != 0 {
		t.Errorf("the organiser, who never said yes, got it %d times", n)
	}
	perKill = append(perKill, dups)
	for i := len(perKill) - 1; i > 0; i-- {
		perKill[i] -= perKill[i-1]
	}
	if limit := kills * bot.LowWorkers; dups > limit {
		t.Errorf("%d announcements sent twice over %d kills, want at most %d (%d per kill)", dups, kills, limit, bot.LowWorkers)
	}
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if left, err := db.Pending(context.Background(), bot.ChannelTelegram, 0); err != nil || len(left) != 0 {
		t.Errorf("outbox after the campaign: %d replies, %v", len(left), err)
	}
	if run.tokenLeaked() {
		t.Error("the token appears in the logs")
	}
	t.Logf("%d people reached, %d nobody else, %d kills; %d announcements sent twice (to %d people; after each kill: %v), bound %d; first %s after /annonce_envoyer, last %s after",
		len(yes), len(no), kills, dups, twice, perKill[1:], kills*bot.LowWorkers,
		first.Sub(confirmed).Round(time.Millisecond), last.Sub(confirmed).Round(time.Millisecond))
}
