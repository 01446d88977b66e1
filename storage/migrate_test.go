package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/bot"
	"consultbot/flows"
)

// TestMigrateThereAndBackKeepsEverything copies a consultation from a
// bbolt file to the backend under test and back to another file: every
// bucket, key and sequence arrives (same counts and checksums), running
// it again changes nothing, and the copy goes on where the source
// stopped (the next answer id and outbox sequence follow).
func TestMigrateThereAndBackKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, err := Open(filepath.Join(dir, "src.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkClose(t, src) })
	m := flows.NewMachine(nil, flows.Config{})
	for i := range 30 {
		p := newPerson(t, src, m, fmt.Sprintf("telegram:%d", i), fmt.Sprint(100+i), t0)
		p.answerFirstQuestion(fmt.Sprintf("réponse %d", i))
	}
	if _, _, err := src.SetHidden(3, true, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := src.RecordDigest(time.Time{}, t0.Add(time.Hour), []byte("digest"), []DigestDestination{{Channel: bot.ChannelTelegram, Address: "-1"}}, t0); err != nil {
		t.Fatal(err)
	}
	want, err := src.Sums(ctx)
	if err != nil {
		t.Fatal(err)
	}

	dst := openTest(t, Options{})
	// A key the source does not hold: the copy removes it.
	apply(t, dst, inbound("stray", "telegram:stray"), t0, answerStep("ecole", "q1", "stray", t0))
	for range 2 {
		got, err := Migrate(ctx, dst, src)
		if err != nil {
			t.Fatal(err)
		}
		if !sameSums(want, got) {
			t.Fatalf("sums after migrate (-source +copy):\n%s", cmp.Diff(want, got))
		}
	}
	if _, ok, _ := dst.Session("telegram:stray"); ok {
		t.Error("a session the source does not hold survived the migration")
	}

	back, err := Open(filepath.Join(dir, "back.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkClose(t, back) })
	if _, err := Migrate(ctx, back, dst); err != nil {
		t.Fatal(err)
	}
	got, err := back.Sums(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sums back on bbolt (-source +copy):\n%s", diff)
	}

	// The copy continues the sequences.
	for _, db := range []*DB{src, dst} {
		p := newPerson(t, db, m, "telegram:new", "999", t0)
		p.answerFirstQuestion("après la migration")
	}
	for _, db := range []*DB{src, dst} {
		list, err := db.AnswersByParticipant("telegram:new")
		if err != nil || len(list) != 1 {
			t.Fatalf("answers of the newcomer: %v, %v", list, err)
		}
		if list[0].ID != 31 {
			t.Errorf("%s: newcomer's answer id %d, want 31", db.Path(), list[0].ID)
		}
	}
}
