package storage

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
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
	people := accepting(t, db, m, 7100, 3)
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
	reminder := applyReminder(t, db, m, d, d.Due)

	// An announcement queued for all three.
	outs := queueAnnouncement(t, db, d.Due, 3)
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

	claim := func(o bot.Outgoing) bool { return claimOf(t, db, o) }
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
	people := accepting(t, db, m, 7200, 3)
	alice, bob, carol := people[0], people[1], people[2]
	at := t0.Add(4 * 24 * time.Hour)
	due, err := db.DueReminders(ctx, at, bot.Room{bot.ChannelTelegram: 10})
	if err != nil || len(due) != 3 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	reminders := map[string]bot.Outgoing{}
	for _, d := range due {
		reminders[d.Participant] = applyReminder(t, db, m, d, at)
	}
	outs := queueAnnouncement(t, db, at, 3)
	claim := func(o bot.Outgoing) bool { return claimOf(t, db, o) }

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

// accepting gives n people, from telegram:first on, a paused conversation
// with reminders accepted.
func accepting(t *testing.T, db *DB, m *flows.Machine, first, n int) []*person {
	t.Helper()
	var people []*person
	for i := range n {
		id := strconv.Itoa(first + i)
		p := newPerson(t, db, m, "telegram:"+id, id, t0)
		acceptReminders(p, "Réponse "+id)
		people = append(people, p)
	}
	return people
}

// applyReminder applies the due reminder d at now, as the lane does, and
// returns its outbox entry.
func applyReminder(t *testing.T, db *DB, m *flows.Machine, d bot.DueReminder, now time.Time) bot.Outgoing {
	t.Helper()
	in := bot.Inbound{
		ID: d.Participant + ":reminder:" + strconv.FormatInt(d.Due.UnixNano(), 10), Channel: d.Channel,
		Participant: d.Participant, Address: d.Address, Later: d.Address, Low: true,
		Event: flows.Event{Kind: flows.EventReminder, Later: true},
	}
	res := apply(t, db, in, now, func(s flows.Session) (flows.Session, []flows.Reply) { return m.Step(s, in.Event, now) })
	if len(res.Outbox) != 1 || !res.Outbox[0].Once || !res.Outbox[0].Low {
		t.Fatalf("reminder outbox = %+v", res.Outbox)
	}
	return res.Outbox[0]
}

// queueAnnouncement drafts and confirms an announcement at now and moves
// its deliveries, n of them, into the outbox.
func queueAnnouncement(t *testing.T, db *DB, now time.Time, n int) []bot.Outgoing {
	t.Helper()
	ctx := context.Background()
	id, _, err := db.DraftAnnouncement(ctx, "Dernière semaine.", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	render := func(lang, text string) flows.Reply { return flows.Reply{Text: text} }
	outs, err := db.NextAnnouncements(ctx, now, bot.Room{bot.ChannelTelegram: 10}, render)
	if err != nil || len(outs) != n {
		t.Fatalf("announcements = %d, %v", len(outs), err)
	}
	return outs
}

// claimOf claims o, as the lane does just before it leaves, and reports
// whether it may go.
func claimOf(t *testing.T, db *DB, o bot.Outgoing) bool {
	t.Helper()
	ok, err := db.Claim(context.Background(), o)
	if err != nil {
		t.Fatalf("claim %d: %v", o.Seq, err)
	}
	return ok
}

// TestADroppedReminderDoesNotCount: with one reminder allowed per
// person, Alice's reminder is queued, then she comes back before it
// leaves, and Bob withdraws before his leaves. Both are dropped at
// Claim, never sent: neither counts. Their sessions say no reminder was
// sent, and when Alice pauses again she is reminded later, her one
// reminder still to come.
func TestADroppedReminderDoesNotCount(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "consult.db"), Options{})
	ctx := context.Background()
	m := flows.NewMachine(nil, flows.Config{Reminders: flows.ReminderSettings{Max: 1}})
	people := accepting(t, db, m, 7300, 2)
	alice, bob := people[0], people[1]
	at := t0.Add(4 * 24 * time.Hour)
	due, err := db.DueReminders(ctx, at, bot.Room{bot.ChannelTelegram: 10})
	if err != nil || len(due) != 2 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	reminders := map[string]bot.Outgoing{}
	for _, d := range due {
		reminders[d.Participant] = applyReminder(t, db, m, d, at)
	}
	sent := func(p *person) flows.Reminders {
		t.Helper()
		s, _, err := db.Session(p.id)
		if err != nil {
			t.Fatal(err)
		}
		return s.Reminders
	}
	if r := sent(alice); r.Sent != 1 {
		t.Fatalf("alice's reminder queued: sent = %d, want 1", r.Sent)
	}

	alice.now, bob.now = at, at
	sendLater(alice, flows.Event{Kind: flows.EventText, Text: "reprendre"})
	sendLater(bob, flows.Event{Kind: flows.EventCommand, Command: flows.CmdReminders})
	for _, p := range people {
		if claimOf(t, db, reminders[p.id]) {
			t.Fatalf("%s's reminder claimed", p.id)
		}
		if r := sent(p); r.Sent != 0 {
			t.Errorf("%s's dropped reminder still counts: sent = %d, want 0", p.id, r.Sent)
		}
	}

	// Apply's cache of Alice's session follows the refund: her next step
	// starts from it, not from a reload.
	var raw []byte
	if err := db.view(func(tx kv.Tx) error {
		raw = bytes.Clone(tx.Bucket(bucketSessions).Get([]byte(alice.id)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stored, _, _ := db.Session(alice.id)
	if c, cs, ok := db.sessions.latest(alice.id); !ok || !bytes.Equal(c, raw) || !reflect.DeepEqual(cs, stored) {
		t.Errorf("cached session after the refund: cached %v, same bytes %v, same session %v", ok, bytes.Equal(c, raw), reflect.DeepEqual(cs, stored))
	}

	// Alice pauses again: her one reminder is scheduled.
	sendLater(alice, flows.Event{Kind: flows.EventChoice, Token: alice.last[2].Token})
	if r := sent(alice); r.Due.IsZero() || r.Sent != 0 {
		t.Errorf("alice paused again: reminder due %v, sent %d; want one due, none sent", r.Due, r.Sent)
	}
}
