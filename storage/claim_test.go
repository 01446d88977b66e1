package storage

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// TestClaimAtSendTime: a reminder claimed just before it leaves stays
// claimed across a reopening of the file (and a degraded rewrite), until
// the claim is lifted; an announcement is claimed too, with the
// adapter's note, which a rewrite keeps; and the
// deliveries of a person who withdrew or erased their data since they
// were queued are dropped from the outbox instead of claimed.
func TestClaimAtSendTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := openErr(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := remindMachine()
	var people []*person
	for i := range 3 {
		id := strconv.Itoa(7100 + i)
		p := newPerson(t, db, m, "telegram:"+id, id, t0)
		acceptReminders(p, "Réponse "+id)
		people = append(people, p)
	}
	alice, bob, carol := people[0], people[1], people[2]

	// Alice's reminder falls due and is applied, as the lane does.
	due, err := db.DueReminders(ctx, t0.Add(4*24*time.Hour), bot.Room{bot.ChannelTelegram: 10})
	if err != nil || len(due) != 3 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	d := due[0]
	for _, x := range due {
		if x.Participant == alice.id {
			d = x
		}
	}
	in := bot.Inbound{
		ID: alice.id + ":reminder:" + strconv.FormatInt(d.Due.UnixNano(), 10), Channel: d.Channel,
		Participant: alice.id, Address: d.Address, Later: d.Address, Low: true,
		Event: flows.Event{Kind: flows.EventReminder, Later: true},
	}
	res := apply(t, db, in, d.Due, func(s flows.Session) (flows.Session, []flows.Reply) { return m.Step(s, in.Event, d.Due) })
	if len(res.Outbox) != 1 || !res.Outbox[0].Once || !res.Outbox[0].Low {
		t.Fatalf("reminder outbox = %+v", res.Outbox)
	}
	reminder := res.Outbox[0]

	// An announcement queued for all three.
	id, _, err := db.DraftAnnouncement(ctx, "Dernière semaine.", d.Due)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, d.Due); err != nil {
		t.Fatal(err)
	}
	render := func(lang, text string) flows.Reply { return flows.Reply{Text: text} }
	outs, err := db.NextAnnouncements(ctx, d.Due, bot.Room{bot.ChannelTelegram: 10}, render)
	if err != nil || len(outs) != 3 {
		t.Fatalf("announcements = %d, %v", len(outs), err)
	}
	announce := map[string]bot.Outgoing{}
	for _, o := range outs {
		if o.Once {
			t.Fatalf("an announcement marked once: %+v", o)
		}
		announce[o.Participant] = o
	}

	// Then Bob withdraws and Carol erases everything, while queued.
	sendLater(bob, flows.Event{Kind: flows.EventText, Text: "stop"})
	sendLater(carol, flows.Event{Kind: flows.EventCommand, Command: flows.CmdErase})
	sendLater(carol, flows.Event{Kind: flows.EventChoice, Token: carol.last[0].Token})

	claim := func(o bot.Outgoing) bool {
		t.Helper()
		ok, err := db.Claim(ctx, o)
		if err != nil {
			t.Fatalf("claim %d: %v", o.Seq, err)
		}
		return ok
	}
	pending := func() map[uint64]bot.Outgoing {
		t.Helper()
		list, err := db.Pending(ctx, bot.ChannelTelegram, 0)
		if err != nil {
			t.Fatal(err)
		}
		bySeq := map[uint64]bot.Outgoing{}
		for _, o := range list {
			bySeq[o.Seq] = o
		}
		return bySeq
	}
	noted := announce[alice.id]
	noted.ClaimNote = "after 4217"
	if !claim(reminder) || !claim(noted) {
		t.Fatal("alice's reminder or announcement refused")
	}
	if claim(announce[bob.id]) || claim(announce[carol.id]) {
		t.Fatal("a delivery claimed for a person who withdrew or erased")
	}
	// Claimed durably, kept by a rewrite, and the dropped ones gone.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, Options{})
	degraded := reminder
	degraded.Plain = []string{"texte"}
	if err := db.Rewrite(ctx, degraded); err != nil {
		t.Fatal(err)
	}
	if err := db.Rewrite(ctx, announce[alice.id]); err != nil {
		t.Fatal(err)
	}
	p := pending()
	if o, ok := p[reminder.Seq]; !ok || !o.Claimed || !o.Once {
		t.Fatalf("reminder after reopening: %+v (in outbox %v)", o, ok)
	}
	if o := p[announce[alice.id].Seq]; !o.Claimed || o.ClaimNote != "after 4217" {
		t.Fatalf("announcement after reopening and a rewrite: claimed %v, note %q; want claimed with its note", o.Claimed, o.ClaimNote)
	}
	for _, who := range []*person{bob, carol} {
		if _, ok := p[announce[who.id].Seq]; ok {
			t.Errorf("%s's announcement is still in the outbox", who.id)
		}
	}
	// A refusal lifts the claim: a restart sends it again.
	if err := db.Unclaim(ctx, reminder); err != nil {
		t.Fatal(err)
	}
	if o := pending()[reminder.Seq]; o.Claimed {
		t.Fatal("still claimed after Unclaim")
	}
	// Delivered: claiming it again finds nothing.
	if err := db.MarkSent(ctx, reminder.Seq); err != nil {
		t.Fatal(err)
	}
	if claim(reminder) {
		t.Fatal("claimed a reminder no longer in the outbox")
	}
}

// TestClaimDropsAReminderWhosePersonCameBack: a reminder in the outbox
// whose person then writes is dropped when it is about to leave, never
// claimed: it would come below the reply to them. So is one claimed, its
// claim lifted after a refusal and its form degraded, before they wrote.
// An announcement queued for them still goes, and a reminder of someone
// who did not come back is claimed.
func TestClaimDropsAReminderWhosePersonCameBack(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "consult.db"), Options{})
	ctx := context.Background()
	m := remindMachine()
	var people []*person
	for i := range 3 {
		id := strconv.Itoa(7200 + i)
		p := newPerson(t, db, m, "telegram:"+id, id, t0)
		acceptReminders(p, "Réponse "+id)
		people = append(people, p)
	}
	alice, bob, carol := people[0], people[1], people[2]
	at := t0.Add(4 * 24 * time.Hour)
	due, err := db.DueReminders(ctx, at, bot.Room{bot.ChannelTelegram: 10})
	if err != nil || len(due) != 3 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	reminders := map[string]bot.Outgoing{}
	for _, d := range due {
		in := bot.Inbound{
			ID: d.Participant + ":reminder:" + strconv.FormatInt(d.Due.UnixNano(), 10), Channel: d.Channel,
			Participant: d.Participant, Address: d.Address, Later: d.Address, Low: true,
			Event: flows.Event{Kind: flows.EventReminder, Later: true},
		}
		res := apply(t, db, in, at, func(s flows.Session) (flows.Session, []flows.Reply) { return m.Step(s, in.Event, at) })
		if len(res.Outbox) != 1 || !res.Outbox[0].Once {
			t.Fatalf("reminder outbox = %+v", res.Outbox)
		}
		reminders[d.Participant] = res.Outbox[0]
	}
	id, _, err := db.DraftAnnouncement(ctx, "Dernière semaine.", at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, at); err != nil {
		t.Fatal(err)
	}
	render := func(lang, text string) flows.Reply { return flows.Reply{Text: text} }
	outs, err := db.NextAnnouncements(ctx, at, bot.Room{bot.ChannelTelegram: 10}, render)
	if err != nil || len(outs) != 3 {
		t.Fatalf("announcements = %d, %v", len(outs), err)
	}
	claim := func(o bot.Outgoing) bool {
		t.Helper()
		ok, err := db.Claim(ctx, o)
		if err != nil {
			t.Fatalf("claim %d: %v", o.Seq, err)
		}
		return ok
	}

	// Bob's reminder was claimed, then refused (429): its claim lifted,
	// its form degraded, it waits for its next attempt.
	if !claim(reminders[bob.id]) {
		t.Fatal("bob's reminder refused before he came back")
	}
	if err := db.Unclaim(ctx, reminders[bob.id]); err != nil {
		t.Fatal(err)
	}
	degraded := reminders[bob.id]
	degraded.Plain = []string{"texte"}
	if err := db.Rewrite(ctx, degraded); err != nil {
		t.Fatal(err)
	}
	// Alice and Bob come back, before their reminders leave.
	sendLater(alice, flows.Event{Kind: flows.EventText, Text: "reprendre"})
	sendLater(bob, flows.Event{Kind: flows.EventText, Text: "bonjour"})

	for _, p := range []*person{alice, bob} {
		if claim(reminders[p.id]) {
			t.Errorf("%s's reminder claimed after they came back", p.id)
		}
	}
	if !claim(reminders[carol.id]) {
		t.Error("carol's reminder refused: she did not come back")
	}
	for _, o := range outs {
		if !claim(o) {
			t.Errorf("%s's announcement refused", o.Participant)
		}
	}
	list, err := db.Pending(ctx, bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list {
		if o.Once && o.Participant != carol.id {
			t.Errorf("%s's reminder still in the outbox after they came back", o.Participant)
		}
	}
}
