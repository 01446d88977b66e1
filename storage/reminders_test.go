package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
)

// remindMachine offers reminders: at most 2, none on Sundays.
func remindMachine() *flows.Machine {
	return flows.NewMachine(nil, flows.Config{Reminders: flows.ReminderSettings{Max: 2, QuietDays: []time.Weekday{time.Sunday}}})
}

// sendLater is person.send from a channel that can write later.
func sendLater(p *person, ev flows.Event) bot.Applied {
	p.t.Helper()
	p.now = p.now.Add(time.Minute)
	ev.Later = true
	channel, _, _ := strings.Cut(p.id, ":")
	in := bot.Inbound{
		ID: channel + ":update:" + strconv.FormatInt(updateSeq.Add(1), 10), Channel: channel,
		Participant: p.id, Address: p.address, Later: p.address, Event: ev,
	}
	now := p.now
	res := apply(p.t, p.db, in, now, func(s flows.Session) (flows.Session, []flows.Reply) { return p.m.Step(s, ev, now) })
	for _, out := range res.Outbox {
		if len(out.Reply.Options) > 0 {
			p.last = out.Reply.Options
		}
	}
	return res
}

// acceptReminders onboards p, answers one question, pauses and says yes
// to the reminder.
func acceptReminders(p *person, answer string) {
	p.t.Helper()
	text := func(s string) { sendLater(p, flows.Event{Kind: flows.EventText, Text: s}) }
	tap := func(i int) { sendLater(p, flows.Event{Kind: flows.EventChoice, Token: p.last[i].Token}) }
	text("/start")
	tap(0) // J'accepte
	tap(0) // Parent
	tap(0) // Passer
	tap(0) // theme 1
	text(answer)
	tap(2) // Continuer plus tard
	tap(0) // Oui
}

func TestRemindersAreDueThenErased(t *testing.T) {
	needBolt(t)
	const secretID = "5550009876"
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := remindMachine()
	other := newPerson(t, db, m, "telegram:778", "778", t0)
	acceptReminders(other, "Une réponse de contrôle")
	alice := newPerson(t, db, m, "telegram:"+secretID, secretID, t0)
	acceptReminders(alice, "Une réponse d'Alice")

	if n, err := db.ReminderContacts(ctx); err != nil || n != 2 {
		t.Fatalf("contacts = %d, %v; want 2", n, err)
	}
	if due, _ := db.DueReminders(ctx, t0.Add(24*time.Hour), bot.Room{bot.ChannelTelegram: 10}); len(due) != 0 {
		t.Fatalf("due after a day: %+v", due)
	}
	due, err := db.DueReminders(ctx, t0.Add(4*24*time.Hour), bot.Room{bot.ChannelTelegram: 10})
	if err != nil || len(due) != 2 {
		t.Fatalf("due after four days = %+v, %v", due, err)
	}
	for _, d := range due {
		if d.Participant == alice.id && (d.Address != secretID || d.Channel != bot.ChannelTelegram) {
			t.Fatalf("alice's reminder = %+v", d)
		}
	}

	// Alice erases everything: her contact and her reminder go with it.
	sendLater(alice, flows.Event{Kind: flows.EventCommand, Command: flows.CmdErase})
	sendLater(alice, flows.Event{Kind: flows.EventChoice, Token: alice.last[0].Token})
	due, _ = db.DueReminders(ctx, t0.Add(4*24*time.Hour), bot.Room{bot.ChannelTelegram: 10})
	if len(due) != 1 || due[0].Participant != other.id {
		t.Fatalf("due after erasure = %+v", due)
	}
	if n, _ := db.ReminderContacts(ctx); n != 1 {
		t.Fatalf("contacts after erasure = %d", n)
	}
	// Deliver everything so that the outbox holds nothing of hers.
	pending, _ := db.Pending(ctx, bot.ChannelTelegram, 0)
	for _, out := range pending {
		if err := db.MarkSent(ctx, out.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw := compactedBytes(t, path)
	if i := bytes.Index(raw, []byte(secretID)); i >= 0 {
		t.Errorf("compacted file still holds %q: …%q…", secretID, raw[max(0, i-80):min(len(raw), i+80)])
	}
	if !bytes.Contains(raw, []byte(`"address":"778"`)) {
		t.Error("control: the other person's contact is not in the file, so the scan proves nothing")
	}
}

// TestAnnouncementOnceAcrossRestarts moves an announcement to the outbox
// a few deliveries per transaction, reopening the file between each, as a
// restart after a kill does: everyone who accepted reminders gets it
// exactly once.
func TestAnnouncementOnceAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := openErr(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := remindMachine()
	const people = 23
	for i := range people {
		id := strconv.Itoa(9000 + i)
		acceptReminders(newPerson(t, db, m, "telegram:"+id, id, t0), "Réponse "+id)
	}
	// One said no: not a recipient.
	no := newPerson(t, db, m, "telegram:8999", "8999", t0)
	acceptReminders(no, "Réponse")
	sendLater(no, flows.Event{Kind: flows.EventText, Text: "stop"})

	id, n, err := db.DraftAnnouncement(ctx, "La consultation ferme dans trois jours.", t0)
	if err != nil || n != people {
		t.Fatalf("draft: %d recipients, %v; want %d", n, err, people)
	}
	render := func(lang, text string) flows.Reply { return flows.Reply{Title: lang, Text: text} }
	if outs, _ := db.NextAnnouncements(ctx, t0, bot.Room{bot.ChannelTelegram: 100}, render); len(outs) != 0 {
		t.Fatalf("a draft went out: %d", len(outs))
	}
	if _, err := db.SendAnnouncement(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, t0); err == nil {
		t.Fatal("confirmed twice")
	}
	got := map[string]int{}
	for round := 0; ; round++ {
		outs, err := db.NextAnnouncements(ctx, t0, bot.Room{bot.ChannelTelegram: 4}, render)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if !o.Low || o.Reply.Text != "La consultation ferme dans trois jours." {
				t.Fatalf("delivery %+v", o)
			}
			got[o.Participant]++
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = openAt(t, path, Options{})
		if len(outs) == 0 {
			break
		}
		if round > people {
			t.Fatal("the campaign does not end")
		}
	}
	if len(got) != people {
		t.Fatalf("%d people got it, want %d", len(got), people)
	}
	for p, k := range got {
		if k != 1 || p == no.id {
			t.Errorf("%s got it %d times", p, k)
		}
	}
	pending, _ := db.Pending(ctx, bot.ChannelTelegram, 0)
	low := 0
	for _, o := range pending {
		if o.Low {
			low++
		}
	}
	if low != people {
		t.Errorf("%d low-priority entries in the outbox after restarts, want %d", low, people)
	}
}

// TestCampaignsFillEachChannel: due reminders and an announcement's
// deliveries are handed out per channel, each within its room, so that a
// channel whose share of the lane is full (a slow platform) leaves the
// others theirs; the announcement ends once every channel is through, and
// each person gets it once.
func TestCampaignsFillEachChannel(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	m := remindMachine()
	const each = 5
	for i := range each {
		for _, ch := range []string{bot.ChannelDiscord, bot.ChannelTelegram} {
			id := strconv.Itoa(7000 + i)
			acceptReminders(newPerson(t, db, m, ch+":"+id, id, t0), "Réponse "+id)
		}
	}
	due, err := db.DueReminders(ctx, t0.Add(4*24*time.Hour), bot.Room{bot.ChannelDiscord: 0, bot.ChannelTelegram: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || !strings.HasPrefix(due[0].Participant, "telegram:") || !strings.HasPrefix(due[1].Participant, "telegram:") {
		t.Fatalf("due with room for 2 on Telegram, none on Discord: %+v", due)
	}

	id, _, err := db.DraftAnnouncement(ctx, "Dernière semaine.", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	render := func(lang, text string) flows.Reply { return flows.Reply{Text: text} }
	next := func(room bot.Room) map[string]int {
		t.Helper()
		outs, err := db.NextAnnouncements(ctx, t0, room, render)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, o := range outs {
			ch, _, _ := strings.Cut(o.Participant, ":")
			n[ch]++
		}
		return n
	}
	if got := next(bot.Room{bot.ChannelDiscord: 1, bot.ChannelTelegram: 3}); got[bot.ChannelDiscord] != 1 || got[bot.ChannelTelegram] != 3 {
		t.Fatalf("first deliveries by channel: %v, want 1 on Discord and 3 on Telegram", got)
	}
	// Discord's share full: Telegram goes through on its own.
	if got := next(bot.Room{bot.ChannelDiscord: 0, bot.ChannelTelegram: 10}); got[bot.ChannelDiscord] != 0 || got[bot.ChannelTelegram] != each-3 {
		t.Fatalf("with Discord full: %v, want the %d left on Telegram", got, each-3)
	}
	if got := next(bot.Room{bot.ChannelDiscord: 10, bot.ChannelTelegram: 10}); got[bot.ChannelDiscord] != each-1 || got[bot.ChannelTelegram] != 0 {
		t.Fatalf("the rest: %v, want the %d left on Discord", got, each-1)
	}
	if got := next(bot.Room{bot.ChannelDiscord: 10, bot.ChannelTelegram: 10}); len(got) != 0 {
		t.Fatalf("after everyone: %v, want none", got)
	}
	for _, ch := range []string{bot.ChannelDiscord, bot.ChannelTelegram} {
		seen := map[string]int{}
		list, err := db.Pending(ctx, ch, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range list {
			if o.Low && strings.HasPrefix(o.EventID, "announcement:") {
				seen[o.Participant]++
			}
		}
		for p, n := range seen {
			if n != 1 {
				t.Errorf("%s has the announcement %d times in the outbox", p, n)
			}
		}
		if len(seen) != each {
			t.Errorf("%d people on %s have the announcement, want %d", len(seen), ch, each)
		}
	}
}

// TestCampaignWithOneCursorResumes: a campaign begun by a version that
// kept one cursor for all channels (people in key order, Discord's
// first) resumes past it on each channel, nobody reached twice.
func TestCampaignWithOneCursorResumes(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	m := remindMachine()
	for i := range 3 {
		for _, ch := range []string{bot.ChannelDiscord, bot.ChannelTelegram} {
			id := strconv.Itoa(7100 + i)
			acceptReminders(newPerson(t, db, m, ch+":"+id, id, t0), "Réponse "+id)
		}
	}
	id, _, err := db.DraftAnnouncement(ctx, "Dernière semaine.", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	// As the old version left it: two of Discord's people reached.
	err = db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketAnnouncements)
		var r announcementRecord
		if err := json.Unmarshal(b.Get(u64(id)), &r); err != nil {
			return err
		}
		r.Cursor, r.Queued = "discord:7101", 2
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(u64(id), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := db.NextAnnouncements(ctx, t0, bot.Room{bot.ChannelDiscord: 10, bot.ChannelTelegram: 10}, func(_, text string) flows.Reply { return flows.Reply{Text: text} })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range outs {
		got = append(got, o.Participant)
	}
	if want := []string{"discord:7102", "telegram:7100", "telegram:7101", "telegram:7102"}; !slices.Equal(got, want) {
		t.Errorf("resumed with %v, want %v", got, want)
	}
	if more, err := db.NextAnnouncements(ctx, t0, bot.Room{bot.ChannelDiscord: 10, bot.ChannelTelegram: 10}, func(_, text string) flows.Reply { return flows.Reply{Text: text} }); err != nil || len(more) != 0 {
		t.Errorf("after everyone: %d more, %v", len(more), err)
	}
}
