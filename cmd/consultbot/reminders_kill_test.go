package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/text"
)

// remindedPeople is how many people the reminders kill test seeds, from
// campaignFirstID.
const remindedPeople = 200

// seedDueReminders gives remindedPeople people a paused conversation and
// a consent to reminders, each with a reminder due a minute ago, and
// returns each one's chat by participant id.
func seedDueReminders(t *testing.T, srv *telegramtest.Server, dbPath string) map[string]int64 {
	t.Helper()
	past, due := time.Now().Add(-24*time.Hour), time.Now().Add(-time.Minute)
	db, chats := seedPaused(t, srv, dbPath, remindedPeople, func(int) flows.Reminders {
		return flows.Reminders{OfferedAt: past, ConsentAt: past, Due: due}
	})
	defer db.Close()
	if list, err := db.DueReminders(context.Background(), time.Now(), bot.Room{bot.ChannelTelegram: remindedPeople + 1}); err != nil || len(list) != remindedPeople {
		t.Fatalf("seeded %d due reminders (%v), want %d", len(list), err, remindedPeople)
	}
	return chats
}

// TestKillNineDuringReminders: the real binary against the Telegram fake,
// 200 reminders due at once, killed with SIGKILL four times while they go
// out and restarted each time on the same file. Nobody gets their
// reminder twice: a reminder is claimed in the database before its
// request leaves, and one claimed when the bot died is set aside at the
// next start, not sent again. Every reminder either arrives once or is
// among those set aside; these are at most bot.LowWorkers per kill.
func TestKillNineDuringReminders(t *testing.T) {
	const kills = 4
	// Reminders allowed at any hour of any day, so the test runs whenever.
	rng, srv, run, dbPath := campaignKillTest(t, 2, telegramtest.Options{}, "[reminders]\nfrom = \"00:00\"\nuntil = \"24:00\"\nquiet_days = []\n")
	chats := seedDueReminders(t, srv, dbPath)

	// A reminder as a person reads it: the catalogue's text up to its
	// first figure.
	var starts []string
	for _, lang := range []string{text.FR, text.EN} {
		r := text.For(lang).Reminders.Reminder
		starts = append(starts, r[:strings.Index(r, "%")])
	}
	got := func(chat int64) int {
		n := 0
		for _, m := range srv.Messages(chat) {
			for _, s := range starts {
				if strings.Contains(m.Text, s) {
					n++
				}
			}
		}
		return n
	}
	reached := func() int {
		n := 0
		for _, chat := range chats {
			if got(chat) > 0 {
				n++
			}
		}
		return n
	}

	ctx, stop := context.WithTimeout(context.Background(), 3*time.Minute)
	defer stop()
	b := run.start()
	// set aside: the people whose reminder was claimed when the bot died;
	// it is not sent again, whether the fake had it already or not.
	setAside := map[string]bool{}
	var perKill []int
	for k := range kills {
		lo := remindedPeople * (2*k + 1) / (2*kills + 2)
		n := lo + rng.IntN(remindedPeople/(2*kills+2))
		if err := srv.Wait(ctx, func() bool { return reached() >= n }); err != nil {
			t.Fatalf("reminders stalled at %d of %d people: %v", reached(), remindedPeople, err)
		}
		b.kill(t)
		checkFile(t, dbPath)
		db, err := storage.Open(dbPath, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := db.Pending(ctx, bot.ChannelTelegram, 0)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		claimed := 0
		for _, out := range pending {
			if out.Claimed {
				setAside[out.Participant] = true
				claimed++
			}
		}
		perKill = append(perKill, claimed)
		t.Logf("killed with %d of %d people reached; %d reminders claimed in flight", reached(), remindedPeople, claimed)
		b = run.start()
	}
	settled := func() bool {
		for p, chat := range chats {
			if !setAside[p] && got(chat) == 0 {
				return false
			}
		}
		return true
	}
	if err := srv.Wait(ctx, settled); err != nil {
		t.Fatalf("reminders ended with %d of %d people reached (%d set aside): %v", reached(), remindedPeople, len(setAside), err)
	}
	b.stop(t)
	checkFile(t, dbPath)

	dropped, inFlight := 0, 0
	for p, chat := range chats {
		switch n := got(chat); {
		case n > 1:
			t.Errorf("chat %d got its reminder %d times, want at most once", chat, n)
		case n == 0:
			dropped++
			if !setAside[p] {
				t.Errorf("chat %d never got its reminder, and it was not set aside", chat)
			}
		case setAside[p]:
			inFlight++ // the platform had it: under at least once, sent twice
		}
	}
	if limit := kills * bot.LowWorkers; dropped > limit {
		t.Errorf("%d reminders dropped over %d kills, want at most %d (%d per kill)", dropped, kills, limit, bot.LowWorkers)
	}
	for i, n := range perKill {
		if n > bot.LowWorkers {
			t.Errorf("kill %d found %d reminders in flight, want at most %d", i+1, n, bot.LowWorkers)
		}
	}
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if left, err := db.Pending(ctx, bot.ChannelTelegram, 0); err != nil || len(left) != 0 {
		t.Errorf("outbox after the reminders: %d replies, %v", len(left), err)
	}
	if due, err := db.DueReminders(ctx, time.Now(), bot.Room{bot.ChannelTelegram: 10}); err != nil || len(due) != 0 {
		t.Errorf("reminders still due: %d, %v", len(due), err)
	}
	aside, err := db.Undeliverable()
	if err != nil {
		t.Fatal(err)
	}
	if len(aside) != len(setAside) {
		t.Errorf("%d undeliverable records, want the %d reminders set aside", len(aside), len(setAside))
	}
	for _, u := range aside {
		if !setAside[u.Participant] || !strings.Contains(u.Reason, "at most once") {
			t.Errorf("undeliverable %+v, want a reminder set aside", u)
		}
	}
	if run.tokenLeaked() {
		t.Error("the token appears in the logs")
	}
	t.Logf("%d reminders, %d kills: %d arrived once, none twice; %d set aside (in flight at a kill; after each: %v), of which %d had reached the chat and %d were dropped, bound %d",
		remindedPeople, kills, reached(), len(setAside), perKill, inFlight, dropped, kills*bot.LowWorkers)
}
