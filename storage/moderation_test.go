package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/flows"
	"consultbot/storage/kv"
)

func TestHideAndUnhideAnswerByID(t *testing.T) {
	db := openTest(t, Options{})
	apply(t, db, inbound("e1", "telegram:1"), t0, answerStep("ecole", "q1", "Plus d'écrans", t0))
	apply(t, db, inbound("e2", "telegram:2"), t0, answerStep("ecole", "q1", "Moins d'écrans", t0))

	a, changed, err := db.SetHidden(2, true, t0)
	if err != nil || !changed || a.ID != 2 || a.Text != "Moins d'écrans" {
		t.Fatalf("SetHidden(2) = %+v, %v, %v", a, changed, err)
	}
	if _, changed, _ := db.SetHidden(2, true, t0); changed {
		t.Error("hiding twice reported a change")
	}
	hidden, err := db.HiddenAnswers()
	if err != nil || len(hidden) != 1 || !hidden[2] {
		t.Errorf("HiddenAnswers = %v, %v; want {2}", hidden, err)
	}
	if _, h, _ := db.AnswerByID(1); h {
		t.Error("answer 1 reads as hidden")
	}
	if _, _, err := db.SetHidden(99, true, t0); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("SetHidden(99) error = %v, want ErrNoAnswer", err)
	}
	// Hiding deletes nothing; unhiding restores the answer as it was.
	if _, changed, err := db.SetHidden(2, false, t0); err != nil || !changed {
		t.Fatalf("unhide: %v %v", changed, err)
	}
	got, h, err := db.AnswerByID(2)
	if err != nil || h || got.Text != "Moins d'écrans" {
		t.Errorf("after unhide: %+v hidden=%v err=%v", got, h, err)
	}
}

func TestBanSetsTheSessionFlagAndDeletesNothing(t *testing.T) {
	db := openTest(t, Options{})
	apply(t, db, inbound("e1", "telegram:1"), t0, answerStep("ecole", "q1", "Un", t0))
	apply(t, db, inbound("e2", "telegram:1"), t0, answerStep("ecole", "q2", "Deux", t0))

	p, changed, err := db.SetBanned(2, true)
	if err != nil || !changed || p != "telegram:1" {
		t.Fatalf("SetBanned(2) = %q, %v, %v", p, changed, err)
	}
	s, _, _ := db.Session("telegram:1")
	answers, _ := db.AnswersByParticipant("telegram:1")
	if !s.Banned || len(s.Answers) != 2 || len(answers) != 2 {
		t.Errorf("after ban: banned=%v, %d session answers, %d stored; want banned with 2 and 2", s.Banned, len(s.Answers), len(answers))
	}
	if _, _, err := db.SetBanned(42, true); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("SetBanned(42) error = %v, want ErrNoAnswer", err)
	}
	if _, changed, err := db.SetBanned(1, false); err != nil || !changed {
		t.Fatalf("unban: %v %v", changed, err)
	}
	if s, _, _ := db.Session("telegram:1"); s.Banned || len(s.Answers) != 2 {
		t.Errorf("after unban: %+v", s)
	}
}

// TestOpenMigratesSchema1 reopens a file as schema 1 wrote it (no answer id
// index, version 1) and finds answers by id.
func TestOpenMigratesSchema1(t *testing.T) {
	needBolt(t)
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, db, inbound("e1", "telegram:1"), t0, answerStep("ecole", "q1", "Un", t0))
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketAnswerIDs); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openAt(t, path, Options{})
	if a, _, err := db.AnswerByID(1); err != nil || a.Text != "Un" {
		t.Errorf("AnswerByID(1) after migration = %+v, %v", a, err)
	}
	var v uint64
	db.view(func(tx kv.Tx) error { v = bytesU64(tx.Bucket(bucketMeta).Get(keySchema)); return nil })
	if v != SchemaVersion {
		t.Errorf("schema version %d, want %d", v, SchemaVersion)
	}
}

func bytesU64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func TestForEachSessionReadsEveryoneInChunks(t *testing.T) {
	db := openTest(t, Options{ExportChunk: 2})
	for _, p := range []string{"telegram:1", "telegram:2", "telegram:3", "discord:4", "discord:5"} {
		apply(t, db, inbound("e-"+p, p), t0, answerStep("ecole", "q1", "x", t0))
	}
	var got []string
	err := db.ForEachSession(context.Background(), func(s flows.Session) error {
		got = append(got, s.Participant)
		return nil
	})
	want := []string{"discord:4", "discord:5", "telegram:1", "telegram:2", "telegram:3"}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ForEachSession = %v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ForEachSession = %v, want %v", got, want)
		}
	}
}

func TestRecordDigestMovesTheCursorOnceAcrossARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	db, err := openErr(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := db.DigestCursor(); !c.IsZero() {
		t.Fatalf("fresh cursor = %v", c)
	}
	t1 := t0.Add(24 * time.Hour)
	dests := []DigestDestination{{"telegram", "-100"}, {"discord", "555"}}
	if _, err := db.RecordDigest(time.Time{}, t1, []byte(`{"a":1}`), dests, t1); err != nil {
		t.Fatal(err)
	}
	// A second recorder of the same period loses the compare-and-swap.
	if _, err := db.RecordDigest(time.Time{}, t1.Add(time.Hour), nil, dests, t1); !errors.Is(err, ErrCursorMoved) {
		t.Errorf("second RecordDigest from the old cursor: %v, want ErrCursorMoved", err)
	}
	db.Close()

	db = openAt(t, path, Options{})
	if c, _ := db.DigestCursor(); !c.Equal(t1) {
		t.Errorf("cursor after restart = %v, want %v", c, t1)
	}
	pending, err := db.PendingDigests()
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending after restart = %+v, %v", pending, err)
	}
	if p := pending[0]; p.Channel != "telegram" || p.Address != "-100" || string(p.Digest.Content) != `{"a":1}` || !p.Digest.Until.Equal(t1) {
		t.Errorf("pending[0] = %+v", p)
	}
	if err := db.MarkDigestSent(pending[0].Seq); err != nil {
		t.Fatal(err)
	}
	if pending, _ := db.PendingDigests(); len(pending) != 1 || pending[0].Channel != "discord" {
		t.Errorf("pending after one sent = %+v", pending)
	}
	if log, _ := db.DigestLog(); len(log) != 1 {
		t.Errorf("digest log has %d entries, want 1", len(log))
	}
}

// TestRemovedAnswerLeavesNoIDIndexEntry: the id index names the
// participant (its value is the answer's key), so an answer removed by a
// step takes its entry with it, and its id reads as no such answer.
func TestRemovedAnswerLeavesNoIDIndexEntry(t *testing.T) {
	db := openTest(t, Options{})
	apply(t, db, inbound("e1", "telegram:1"), t0, answerStep("ecole", "q1", "Un", t0))
	apply(t, db, inbound("e2", "telegram:1"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Answers = nil
		return s, nil
	})
	if _, _, err := db.AnswerByID(1); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("AnswerByID(1) after removal: %v, want ErrNoAnswer", err)
	}
	n := 0
	db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketAnswerIDs).ForEach(func(_, _ []byte) error { n++; return nil })
	})
	if n != 0 {
		t.Errorf("%d id index entries left", n)
	}
}
