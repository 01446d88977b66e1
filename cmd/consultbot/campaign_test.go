package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
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
// fake (with opts), closed at the end, and the run, whose configuration
// names the organiser and adds extra.
func campaignKillTest(t *testing.T, stream uint64, opts telegramtest.Options, extra string) (*rand.Rand, *telegramtest.Server, *killRun, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	rng := rand.New(rand.NewPCG(killSeed(t), stream))
	srv := telegramtest.NewServer(opts)
	t.Cleanup(srv.Close)
	run, dbPath := newKillRun(t, srv, "campaign.db", fmt.Sprintf("organiser_users = [%d]\n%s", campaignOrganise, extra))
	return rng, srv, run, dbPath
}

// Who the campaign test seeds on Discord, besides the Telegram people.
const (
	campaignDiscordYes = 60 // said yes to reminders
	campaignDiscordNo  = 20 // were offered reminders and said no
	campaignDiscordKey = "discord-token-of-the-campaign-test"
)

// seedDiscord gives yes+no people, Discord users of dc, a conversation
// paused a day ago, the first yes of them with a consent to reminders,
// through the store's one way in, as seedPaused does on Telegram. Every
// fifth person reads English. It returns the users, in order.
func seedDiscord(t *testing.T, dc *discordtest.Server, dbPath string, yes, no int) []discordtest.User {
	t.Helper()
	db, err := storage.Open(dbPath, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	th := flows.DefaultQuestionnaire().Themes[0]
	past := time.Now().Add(-24 * time.Hour)
	var users []discordtest.User
	for i := range yes + no {
		lang := flows.LangFR
		if i%5 == 4 {
			lang = flows.LangEN
		}
		u := dc.NewUser(fmt.Sprintf("parent%d", i), lang)
		users = append(users, u)
		p := bot.ParticipantID(bot.ChannelDiscord, u.ID, []byte(testIDKey))
		r := flows.Reminders{OfferedAt: past}
		if i < yes {
			r.ConsentAt = past
		}
		dm := "dm:" + u.ID
		in := bot.Inbound{ID: "seed:discord:" + u.ID, Channel: bot.ChannelDiscord, Participant: p, Address: dm, Later: dm}
		if _, err := db.Apply(context.Background(), in, past, func(flows.Session) (flows.Session, []flows.Reply) {
			return flows.Session{
				Participant: p, Lang: lang, Stage: flows.StagePaused, ConsentAt: past, Profile: "parent",
				Theme: th.ID, Question: th.Questions[0].ID, CreatedAt: past, UpdatedAt: past, Reminders: r,
			}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return users
}

// holder holds the platform's answer to the next message it creates once
// armed, until freed: a kill then finds a message the platform has and
// the bot never heard of, the case a resend would repeat.
type holder struct {
	mu      sync.Mutex
	armed   bool
	held    chan struct{} // closed once a message is held
	release chan struct{}
	count   int // messages held
}

// arm holds the next message; held is closed when it comes.
func (h *holder) arm() (held <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed, h.held, h.release = true, make(chan struct{}), make(chan struct{})
	return h.held
}

// hold is called by the fake with each created message of interest.
func (h *holder) hold() {
	h.mu.Lock()
	if !h.armed {
		h.mu.Unlock()
		return
	}
	h.armed = false
	h.count++
	close(h.held)
	release := h.release
	h.mu.Unlock()
	<-release
}

// holds counts the messages held so far.
func (h *holder) holds() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

// free lets a held answer go (to a bot that is gone) and disarms.
func (h *holder) free() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed = false
	if h.release != nil {
		close(h.release)
		h.release = nil
	}
}

// TestKillNineDuringAnnouncement is the campaign kill test: the
// real binary against the Telegram and Discord fakes, 245 people on
// Telegram who said yes to reminders (5 of them through the
// conversation), 60 who said no and 40 who withdrew (/rappels, « stop »),
// and 60 on Discord who said yes and 20 who said no; an organiser drafts
// and confirms an announcement, and the bot is killed with SIGKILL four
// times while it goes out, restarted each time on the same file. Each
// kill comes while one fake, in turn, holds back its answer to an
// announcement it created: the platform has it, the bot does not know. At the end
// everyone who said yes has it exactly once, nobody else has it: on
// Telegram the bot found the interrupted ones in their chats, on Discord
// it sent them again with their nonce and got the first message back.
func TestKillNineDuringAnnouncement(t *testing.T) {
	const kills = 4
	const announcement = "La consultation ferme dans trois jours : merci à toutes et à tous !"
	fr, en := text.For(text.FR).Reminders, text.For(text.EN).Reminders
	// An announcement as sent to people: its body under its title (the
	// organiser's draft quotes the body alone).
	isAnnouncement := func(s string) bool {
		return strings.Contains(s, announcement) && (strings.Contains(s, fr.AnnounceTitle) || strings.Contains(s, en.AnnounceTitle))
	}
	var tgHold, dcHold holder
	var dcFirst atomic.Int64 // Unix nanoseconds of Discord's first announcement
	dc := discordtest.NewServer(discordtest.Options{Token: campaignDiscordKey, OnCreate: func(m discordtest.Message) {
		if isAnnouncement(m.Content) {
			dcFirst.CompareAndSwap(0, time.Now().UnixNano())
			dcHold.hold()
		}
	}})
	defer dc.Close()
	defer dcHold.free()
	rng, srv, run, dbPath := campaignKillTest(t, 1, telegramtest.Options{OnMessage: func(m telegramtest.Message) {
		if isAnnouncement(m.Text) {
			tgHold.hold()
		}
	}}, fmt.Sprintf("[discord]\napi_base = %q\napplication_id = %q\nguild_ids = [%q]\n", dc.URL+"/api/v9", dc.AppID, dc.GuildID))
	defer tgHold.free()
	run.env = []string{"DISCORD_TOKEN=" + campaignDiscordKey}
	seedCampaign(t, srv, dbPath)
	dcUsers := seedDiscord(t, dc, dbPath, campaignDiscordYes, campaignDiscordNo)

	ctx, stop := context.WithTimeout(context.Background(), 3*time.Minute)
	defer stop()
	b := run.start()

	// Withdrawals, through the conversation, before the announcement.
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
	org := telegramtest.User{ID: campaignOrganise, LanguageCode: "fr"}
	srv.SendText(org, "/annonce "+announcement)
	draft := waitText(t, ctx, srv, org, "/annonce_envoyer 1")
	if want := fmt.Sprintf("%d personnes", len(yes)+campaignDiscordYes); !strings.Contains(draft.Text, want) {
		t.Fatalf("draft reply:\n%s\nwant it to count %s", draft.Text, want)
	}
	confirmed := time.Now()
	srv.SendText(org, "/annonce_envoyer 1")
	waitText(t, ctx, srv, org, "Annonce n° 1")

	got := func(chat int64) int {
		n := 0
		for _, m := range srv.Messages(chat) {
			if isAnnouncement(m.Text) {
				n++
			}
		}
		return n
	}
	gotDiscord := func(u discordtest.User) int {
		n := 0
		for _, m := range dc.Messages(u.ID) {
			if isAnnouncement(m.Content) {
				n++
			}
		}
		return n
	}
	reached := func() (tg, ds int) {
		for chat := range yes {
			if got(chat) > 0 {
				tg++
			}
		}
		for _, u := range dcUsers[:campaignDiscordYes] {
			if gotDiscord(u) > 0 {
				ds++
			}
		}
		return tg, ds
	}

	// Kills at seeded points of the campaign, which goes out on both
	// platforms at once, each at its own pace: in turn on Telegram's
	// part and on Discord's, each while that platform's fake holds its
	// answer to an announcement back. Kill k comes about (2k+1)/8 of the
	// way through its platform's part, so that the four follow each
	// other in time although Telegram goes four times as fast.
	deadline, _ := ctx.Deadline()
	for k := range kills {
		onDiscord, total := k%2 == 1, len(yes)
		if onDiscord {
			total = campaignDiscordYes
		}
		n := total*(2*k+1)/(2*kills) + rng.IntN(max(1, total/(4*kills)))
		var err error
		if onDiscord {
			err = dc.Wait(time.Until(deadline), func() bool { _, ds := reached(); return ds >= n })
		} else {
			err = srv.Wait(ctx, func() bool { tg, _ := reached(); return tg >= n })
		}
		if err != nil {
			tg, ds := reached()
			t.Fatalf("campaign stalled at %d of %d people on Telegram, %d of %d on Discord: %v", tg, len(yes), ds, campaignDiscordYes, err)
		}
		tg, ds := reached()
		held, where, left := tgHold.arm, "Telegram", len(yes)-tg
		if onDiscord {
			held, where, left = dcHold.arm, "Discord", campaignDiscordYes-ds
		}
		if left == 0 {
			t.Fatalf("%s's part of the campaign ended before kill %d", where, k+1)
		}
		select {
		case <-held():
		case <-ctx.Done():
			t.Fatal("no announcement held before the kill")
		}
		b.kill(t)
		tgHold.free()
		dcHold.free()
		tg, ds = reached()
		t.Logf("killed with %d of %d people reached on Telegram, %d of %d on Discord, an announcement held on %s", tg, len(yes), ds, campaignDiscordYes, where)
		checkFile(t, dbPath)
		b = run.start()
	}
	dcHolds := dcHold.holds()
	if dcHolds == 0 || tgHold.holds() == 0 {
		t.Errorf("answers held back at the kills: %d on Telegram, %d on Discord; want some on both", tgHold.holds(), dcHolds)
	}
	err := srv.Wait(ctx, func() bool { tg, _ := reached(); return tg == len(yes) })
	if err == nil {
		err = dc.Wait(time.Until(deadline), func() bool { _, ds := reached(); return ds == campaignDiscordYes })
	}
	if err != nil {
		tg, ds := reached()
		t.Fatalf("campaign ended with %d of %d people reached on Telegram, %d of %d on Discord: %v", tg, len(yes), ds, campaignDiscordYes, err)
	}
	b.stop(t)
	checkFile(t, dbPath)

	// Everyone who said yes has it once, in their language; nobody else.
	twice := 0
	var first, last time.Time
	for chat, lang := range yes {
		if n := got(chat); n != 1 {
			t.Errorf("chat %d got the announcement %d times, want once", chat, n)
			twice += max(n-1, 0)
		}
		title := text.For(lang).Reminders.AnnounceTitle
		for _, m := range srv.Messages(chat) {
			if !isAnnouncement(m.Text) {
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
	for i, u := range dcUsers {
		want := 1
		if i >= campaignDiscordYes {
			want = 0
		}
		if n := gotDiscord(u); n != want {
			t.Errorf("Discord user %d got the announcement %d times, want %d", i, n, want)
			twice += max(n-1, 0)
		}
	}
	if hits := dc.NonceHits(); hits < dcHolds {
		t.Errorf("Discord returned a first message for %d nonces, want at least the %d held at a kill", hits, dcHolds)
	}
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, ch := range []string{bot.ChannelTelegram, bot.ChannelDiscord} {
		if left, err := db.Pending(context.Background(), ch, 0); err != nil || len(left) != 0 {
			t.Errorf("%s outbox after the campaign: %d replies, %v", ch, len(left), err)
		}
	}
	if run.tokenLeaked() {
		t.Error("the token appears in the logs")
	}
	t.Logf("%d people reached on Telegram and %d on Discord, %d nobody else, %d kills (answers held back at them: %d on Telegram, %d on Discord); %d announcements sent twice; Telegram probes %d edits, Discord nonce hits %d; first %s after /annonce_envoyer (Discord's first %s after), last %s after",
		len(yes), campaignDiscordYes, len(no)+campaignDiscordNo, kills, tgHold.holds(), dcHolds, twice, srv.Requests("editMessageText"), dc.NonceHits(),
		first.Sub(confirmed).Round(time.Millisecond), time.Unix(0, dcFirst.Load()).Sub(confirmed).Round(time.Millisecond), last.Sub(confirmed).Round(time.Millisecond))
}
