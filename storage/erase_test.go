package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// updateSeq numbers the test's Telegram updates, as Telegram does: the
// ids name the update, not the person.
var updateSeq atomic.Int64

// person drives one participant through the real conversation machine,
// committing every step with Apply, as the engine does.
type person struct {
	t       *testing.T
	db      *DB
	m       *flows.Machine
	id      string // participant id
	address string
	n       int
	now     time.Time
	last    []flows.Option // options of the latest prompt
}

func newPerson(t *testing.T, db *DB, m *flows.Machine, id, address string, start time.Time) *person {
	return &person{t: t, db: db, m: m, id: id, address: address, now: start}
}

func (p *person) send(ev flows.Event) bot.Applied {
	p.t.Helper()
	p.n++
	p.now = p.now.Add(time.Minute)
	in := bot.Inbound{
		ID:          "telegram:update:" + strconv.FormatInt(updateSeq.Add(1), 10),
		Channel:     bot.ChannelTelegram,
		Participant: p.id,
		Address:     p.address,
		Event:       ev,
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

func (p *person) say(text string) bot.Applied {
	p.t.Helper()
	if ev, ok := flows.ParseCommand(text); ok {
		return p.send(ev)
	}
	return p.send(flows.Event{Kind: flows.EventText, Text: text})
}

func (p *person) tap(i int) bot.Applied {
	p.t.Helper()
	if i >= len(p.last) {
		p.t.Fatalf("no option %d in %+v", i, p.last)
	}
	return p.send(flows.Event{Kind: flows.EventChoice, Token: p.last[i].Token})
}

// answerFirstQuestion consents, picks a profile, skips the académie, opens
// theme 1 and answers its first question with text.
func (p *person) answerFirstQuestion(text string) {
	p.t.Helper()
	p.say("/start campagne_" + p.address)
	p.tap(0) // J'accepte
	p.tap(0) // Parent
	p.tap(0) // Passer
	p.tap(0) // theme 1
	p.say(text)
}

// TestEraseLeavesNoTraceInTheCompactedFile is the proof the issue asks
// for: a participant with distinctive answer text and platform id erases
// their data; the bbolt file, compacted so that only live data remains, no
// longer contains either, while another participant's answer is there.
func TestEraseLeavesNoTraceInTheCompactedFile(t *testing.T) {
	needBolt(t)
	const (
		secretText  = "Zanzibar-quokka-7731 : ma fille n'a pas d'ordinateur"
		secretID    = "5550001234"
		controlText = "Contrôle-pangolin-4242 : les tablettes du collège"
	)
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := flows.NewMachine(nil, flows.Config{})
	ctx := context.Background()

	other := newPerson(t, db, m, "telegram:777", "777", t0)
	other.answerFirstQuestion(controlText)
	alice := newPerson(t, db, m, "telegram:"+secretID, secretID, t0)
	alice.answerFirstQuestion(secretText)
	alice.say("Une deuxième réponse de Zanzibar-quokka-7731")
	list, err := db.AnswersByParticipant(alice.id)
	if err != nil || len(list) != 2 {
		t.Fatalf("alice's answers = %v, %v", list, err)
	}
	if _, _, err := db.SetHidden(list[0].ID, true, t0); err != nil {
		t.Fatal(err)
	}
	// Her data file waits in the outbox, undelivered, when she erases.
	// (At a question, the question comes back after the data.)
	if res := alice.say("/mes_donnees"); !slices.ContainsFunc(res.Outbox, func(o bot.Outgoing) bool { return o.Reply.Document != nil }) {
		t.Fatal("my data sent no document")
	}
	alice.say("/effacer")
	res := alice.tap(0) // Oui, tout effacer
	if len(res.Outbox) != 1 {
		t.Fatalf("erase replies = %+v", res.Outbox)
	}

	// Only the confirmation is left for her in the outbox.
	pending, err := db.Pending(ctx, bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hers, seqs []uint64
	for _, out := range pending {
		seqs = append(seqs, out.Seq)
		if out.Participant == alice.id {
			hers = append(hers, out.Seq)
		}
	}
	if len(hers) != 1 || hers[0] != res.Outbox[0].Seq {
		t.Fatalf("alice's outbox entries after erase = %v, want only the confirmation %d", hers, res.Outbox[0].Seq)
	}
	if _, ok, _ := db.Session(alice.id); ok {
		t.Fatal("session survived the erasure")
	}
	if list, _ := db.AnswersByParticipant(alice.id); len(list) != 0 {
		t.Fatalf("answers survived: %+v", list)
	}
	hidden, err := db.HiddenAnswers()
	if err != nil || len(hidden) != 0 {
		t.Fatalf("hidden flags after erase = %v, %v", hidden, err)
	}
	var seen []string
	if err := db.ForEachAnswer(ctx, func(a Answer) error { seen = append(seen, a.Participant); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != other.id {
		t.Fatalf("export after erase sees %v", seen)
	}
	// The confirmation is delivered (and so leaves the outbox), as every
	// reply is.
	if err := db.MarkSent(ctx, seqs...); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw := compactedBytes(t, path)
	for _, secret := range []string{"Zanzibar-quokka", secretID} {
		if i := bytes.Index(raw, []byte(secret)); i >= 0 {
			t.Errorf("compacted file still holds %q at byte %d: …%q…", secret, i, raw[max(0, i-80):min(len(raw), i+80)])
		}
	}
	if !bytes.Contains(raw, []byte("Contrôle-pangolin-4242")) {
		t.Error("control: the other participant's answer is not in the compacted file, so the scan proves nothing")
	}

	// Afterwards she is a newcomer: asked for consent again.
	db2 := openAt(t, path, Options{})
	alice.db = db2
	res = alice.say("Bonjour")
	if s, ok, _ := db2.Session(alice.id); !ok || s.Stage != flows.StageConsent || len(s.Answers) != 0 {
		t.Fatalf("after erase the person is not a newcomer: %+v", s)
	}
}

// compactedBytes compacts a copy of the database at path with Compact,
// as `consultbot compact` does, and returns the copy's raw bytes.
func compactedBytes(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(cp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Compact(cp, Options{}); err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestEraseForgetsTerminalEventIDs(t *testing.T) {
	db := openTest(t, Options{})
	m := flows.NewMachine(nil, flows.Config{})
	steps := []flows.Event{{Kind: flows.EventCommand, Command: flows.CmdStart}}
	var last []flows.Option
	in := func(n int, ev flows.Event) bot.Inbound {
		return bot.Inbound{ID: "terminal:Gaspard:" + time.Duration(n).String(), Channel: bot.ChannelTerminal, Participant: "terminal:Gaspard", Address: "Gaspard", Event: ev}
	}
	step := func(n int, ev flows.Event) {
		res := apply(t, db, in(n, ev), t0, func(s flows.Session) (flows.Session, []flows.Reply) { return m.Step(s, ev, t0) })
		for _, o := range res.Outbox {
			if len(o.Reply.Options) > 0 {
				last = o.Reply.Options
			}
		}
	}
	step(1, steps[0])
	step(2, flows.Event{Kind: flows.EventCommand, Command: flows.CmdErase})
	step(3, flows.Event{Kind: flows.EventChoice, Token: last[0].Token})
	for n := 1; n <= 3; n++ {
		if _, ok, err := db.appliedAt(in(n, flows.Event{}).ID); err != nil || ok {
			t.Errorf("event id %d of the erased terminal participant is still recorded (%v)", n, err)
		}
	}
}

func TestDocumentSurvivesTheOutbox(t *testing.T) {
	db := openTest(t, Options{})
	doc := &flows.Document{Name: "mes-donnees.json", MIME: "application/json", Data: []byte(`{"a":1}`)}
	apply(t, db, inbound("telegram:update:1", "telegram:1"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		return s, []flows.Reply{{Text: "ci-joint", Document: doc}}
	})
	pending, err := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil || len(pending) != 1 {
		t.Fatalf("Pending = %v, %v", pending, err)
	}
	got := pending[0].Reply.Document
	if got == nil || got.Name != doc.Name || got.MIME != doc.MIME || string(got.Data) != string(doc.Data) {
		t.Fatalf("document after a restart = %+v", got)
	}
}
