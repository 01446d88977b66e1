package storage

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/kv"
)

// storedVersion reads the record version of outbox entry seq.
func storedVersion(t *testing.T, db *DB, channel string, seq uint64) int {
	t.Helper()
	var v struct {
		V int `json:"v"`
	}
	err := db.view(func(tx kv.Tx) error {
		return json.Unmarshal(tx.Bucket(bucketOutbox).Bucket([]byte(channel)).Get(u64(seq)), &v)
	})
	if err != nil {
		t.Fatal(err)
	}
	return v.V
}

// TestPostKeepsEveryPartAcrossARestart: an organiser result posted to the
// outbox comes back whole from Pending after a restart, chart, markup and
// redirect included; a plain reply stays a version 1 record, which an
// older program still reads.
func TestPostKeepsEveryPartAcrossARestart(t *testing.T) {
	path := t.TempDir() + "/consult.db"
	db := openAt(t, path, Options{})
	ctx := context.Background()
	digestOut := bot.Outgoing{
		Channel: bot.ChannelTelegram, Address: "900", Participant: "telegram:orga", EventID: "telegram:update:7",
		Reply:     flows.Reply{Text: "Thème 2"},
		Image:     &bot.Image{Name: "synthese.png", Data: []byte("\x89PNG..."), Caption: "<b>chart</b>", Note: "(graphique indisponible)"},
		Markup:    []string{"<b>Synthèse</b>", "#12 « citation »"},
		Instead:   &bot.Redirect{Address: "-100:7", Text: "Ouvrez une conversation privée."},
		CreatedAt: t0,
	}
	plain := bot.Outgoing{Channel: bot.ChannelTelegram, Address: "-100:8", EventID: "telegram:update:8", Reply: flows.Reply{Text: "Réservé."}, CreatedAt: t0}
	got, err := db.Post(ctx, []bot.Outgoing{digestOut, plain})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq == 0 || got[1].Seq <= got[0].Seq {
		t.Fatalf("posted %+v, want two increasing sequences", got)
	}
	if v1, v2 := storedVersion(t, db, bot.ChannelTelegram, got[1].Seq), storedVersion(t, db, bot.ChannelTelegram, got[0].Seq); v1 != 1 || v2 != 2 {
		t.Errorf("record versions %d (plain) and %d (digest), want 1 and 2", v1, v2)
	}
	if _, err := db.Post(ctx, []bot.Outgoing{{Channel: bot.ChannelTelegram}}); err == nil {
		t.Error("a reply without an address was posted")
	}
	db.Close()

	db = openAt(t, path, Options{})
	pending, err := db.Pending(ctx, bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, pending); diff != "" {
		t.Errorf("pending after a restart (-posted +pending):\n%s", diff)
	}
}

// TestRewriteKeepsTheDegradedFormButNeverRevives: a degraded reply
// replaces its entry in place; an entry already delivered (or erased)
// stays gone.
func TestRewriteKeepsTheDegradedFormButNeverRevives(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	outs, err := db.Post(ctx, []bot.Outgoing{{
		Channel: bot.ChannelDiscord, Address: "ch:1", Participant: "discord:p", CreatedAt: t0,
		Reply: flows.Reply{Text: "Vos données", Document: &flows.Document{Name: "d.json", MIME: "application/json", Data: []byte(`{}`)}},
	}, {Channel: bot.ChannelDiscord, Address: "ch:1", Participant: "discord:p", CreatedAt: t0, Reply: flows.Reply{Text: "ensuite"}}})
	if err != nil {
		t.Fatal(err)
	}
	degraded := outs[0]
	degraded.Reply.Document = nil
	degraded.Plain = []string{`{}`}
	if err := db.Rewrite(ctx, degraded); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, outs[1].Seq); err != nil {
		t.Fatal(err)
	}
	if err := db.Rewrite(ctx, outs[1]); err != nil {
		t.Fatal(err)
	}
	pending, err := db.Pending(ctx, bot.ChannelDiscord, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bot.Outgoing{degraded}, pending); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
}

// TestPostDigestMovesADeliveryOnce: a periodic digest delivery moves from
// the digest log's pending ones into the outbox in one transaction, once.
func TestPostDigestMovesADeliveryOnce(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	t1 := t0.Add(time.Hour)
	if _, err := db.RecordDigest(time.Time{}, t1, []byte(`{}`), []DigestDestination{{bot.ChannelTelegram, "-100"}}, t1); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingDigests()
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending digests %+v, %v", pending, err)
	}
	out := bot.Outgoing{Channel: bot.ChannelTelegram, Address: "-100", EventID: "digest:1", Markup: []string{"digest"}, CreatedAt: t1}
	for i, want := range []int{1, 0} {
		got, err := db.PostDigest(ctx, pending[0].Seq, out)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Fatalf("move %d handed over %d replies, want %d", i+1, len(got), want)
		}
	}
	if p, _ := db.PendingDigests(); len(p) != 0 {
		t.Errorf("%d digest deliveries still pending", len(p))
	}
	list, err := db.Pending(ctx, bot.ChannelTelegram, 0)
	if err != nil || len(list) != 1 || list[0].EventID != "digest:1" {
		t.Errorf("outbox = %+v, %v; want the digest once", list, err)
	}
}

// TestOutboxKeepsEveryReplyFieldAcrossARestart: a reply waiting in the
// outbox comes back from a reopened file exactly as the conversation made
// it. A new field of flows.Reply must be added to replyRecord (and to the
// list here), or a reply sent again after a restart would lose it, as the
// acknowledgement folded into the next question once did.
func TestOutboxKeepsEveryReplyFieldAcrossARestart(t *testing.T) {
	known := []string{"Lead", "Recap", "Title", "Text", "Options", "Expect", "Field", "MaxLen", "Hint", "Lang", "Document", "Replaces"}
	var fields []string
	rt := reflect.TypeFor[flows.Reply]()
	for i := range rt.NumField() {
		fields = append(fields, rt.Field(i).Name)
	}
	if diff := cmp.Diff(known, fields); diff != "" {
		t.Fatalf("flows.Reply fields changed; update replyRecord and this list (-known +now):\n%s", diff)
	}
	reply := flows.Reply{
		Lead: "Merci, c'est noté.", Recap: &flows.Recap{Title: "Thème 1 terminé", Text: "1. Équipement : oui"},
		Title: "Thème 1 · Question 2/5", Text: "Une question ?",
		Options: []flows.Option{{Token: "7.skip", Label: "Passer"}}, Expect: flows.ExpectText,
		Field: "Besoins", MaxLen: 4000, Hint: "une commune", Lang: flows.LangEN,
		Document: &flows.Document{Name: "d.json", MIME: "application/json", Data: []byte(`{}`)},
		Replaces: true,
	}
	path := t.TempDir() + "/consult.db"
	db := openAt(t, path, Options{})
	in := bot.Inbound{ID: "terminal:1", Channel: bot.ChannelTerminal, Participant: "terminal:a", Address: "a", Event: flows.Event{Kind: flows.EventText, Text: "x"}}
	if _, err := db.Apply(context.Background(), in, time.Now(), func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage = flows.StageMenu
		return s, []flows.Reply{reply}
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, Options{})
	got, err := db.Pending(context.Background(), bot.ChannelTerminal, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Pending = %v, %v; want the one reply", got, err)
	}
	if diff := cmp.Diff(reply, got[0].Reply); diff != "" {
		t.Errorf("reply after a restart (-made +read back):\n%s", diff)
	}
}

// TestFollowOutboxReportsEveryReplicasCommits: two databases on one etcd
// prefix stand for two replicas. The follower gets what the outbox held,
// then each reply either commits, once and in commit order, and neither
// the marking sent nor the rewriting of a reply nor another channel's
// replies. A bbolt file, which one process writes, has nothing to follow.
func TestFollowOutboxReportsEveryReplicasCommits(t *testing.T) {
	path := t.TempDir() + "/consult.db"
	a := openAt(t, path, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if onEtcd.cli == nil {
		if _, err := a.FollowOutbox(ctx, []string{bot.ChannelTelegram}, func([]bot.Outgoing) {}); !errors.Is(err, ErrNotShared) {
			t.Fatalf("FollowOutbox on bbolt: %v, want ErrNotShared", err)
		}
		return
	}
	b := openAt(t, path, Options{})
	post := func(db *DB, channel, text string) bot.Outgoing {
		t.Helper()
		outs, err := db.Post(ctx, []bot.Outgoing{{Channel: channel, Address: "42", EventID: "e:" + text, Reply: flows.Reply{Text: text}, CreatedAt: t0}})
		if err != nil {
			t.Fatal(err)
		}
		return outs[0]
	}
	one := post(a, bot.ChannelTelegram, "one")
	post(a, bot.ChannelDiscord, "elsewhere")

	got := make(chan bot.Outgoing, 16)
	errc, err := b.FollowOutbox(ctx, []string{bot.ChannelTelegram}, func(outs []bot.Outgoing) {
		for _, o := range outs {
			got <- o
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	next := func() bot.Outgoing {
		t.Helper()
		select {
		case o := <-got:
			return o
		case err := <-errc:
			t.Fatalf("the feed ended: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("nothing reported within 10 s")
		}
		return bot.Outgoing{}
	}
	if o := next(); o.Seq != one.Seq || o.Reply.Text != "one" {
		t.Fatalf("listed %+v, want the reply left in the outbox", o)
	}
	two := post(a, bot.ChannelTelegram, "two")
	three := post(b, bot.ChannelTelegram, "three")
	if err := a.MarkSent(ctx, one.Seq); err != nil {
		t.Fatal(err)
	}
	two.Reply.Text = "two, degraded"
	if err := b.Rewrite(ctx, two); err != nil {
		t.Fatal(err)
	}
	post(b, bot.ChannelDiscord, "elsewhere again")
	four := post(a, bot.ChannelTelegram, "four")
	for _, want := range []bot.Outgoing{two, three, four} {
		if o := next(); o.Seq != want.Seq || o.Reply.Text != map[uint64]string{two.Seq: "two", three.Seq: "three", four.Seq: "four"}[o.Seq] {
			t.Fatalf("reported %d %q, want %d (commit order, as committed)", o.Seq, o.Reply.Text, want.Seq)
		}
	}
	cancel()
	if err, ok := <-errc; ok {
		t.Errorf("the feed ended with %v, want no error once ctx ends", err)
	}
}

// TestOutboxKeepsEachReplysPlaceInItsEvent: a process other than the one
// that committed an event (a restart, the leader of several replicas)
// learns from the outbox which reply came first, to fill an interaction's
// acknowledgement with it.
func TestOutboxKeepsEachReplysPlaceInItsEvent(t *testing.T) {
	path := t.TempDir() + "/consult.db"
	db := openAt(t, path, Options{})
	in := bot.Inbound{ID: "discord:interaction:1", Channel: bot.ChannelDiscord, Participant: "discord:a", Address: "ix:1:d:t", Event: flows.Event{Kind: flows.EventText, Text: "x"}}
	applied, err := db.Apply(context.Background(), in, time.Now(), func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage = flows.StageMenu
		return s, []flows.Reply{{Text: "first"}, {Text: "second"}, {Text: "third"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, Options{})
	got, err := db.Pending(context.Background(), bot.ChannelDiscord, 0)
	if err != nil || len(got) != 3 {
		t.Fatalf("Pending = %v, %v; want the three replies", got, err)
	}
	for i, out := range got {
		if out.Index != i || applied.Outbox[i].Index != i || out.Seq != applied.Outbox[i].Seq {
			t.Errorf("reply %q: index %d read back, %d committed (seq %d, %d); want %d", out.Reply.Text, out.Index, applied.Outbox[i].Index, out.Seq, applied.Outbox[i].Seq, i)
		}
	}
}
