package storage

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/flows"
	"consultbot/storage/kv"
)

func storedParts(t *testing.T, db *DB) []DigestPart {
	t.Helper()
	var got []DigestPart
	if err := db.ForEachDigestPart(context.Background(), time.Time{}, time.Now(), func(p DigestPart) error {
		got = append(got, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestDigestPartStoredOnlyOverItsClaim checks the claim: a part is stored
// when nothing changed in its period since the claim, not after an answer
// of the period was written, nor under another claim's token; an answer
// outside the period leaves it alone.
func TestDigestPartStoredOnlyOverItsClaim(t *testing.T) {
	db := openTest(t, Options{})
	day := func(d, h int) time.Time { return time.Date(2026, 3, 1+d, h, 0, 0, 0, time.UTC) }
	d0, d1 := Span{day(0, 0), day(1, 0)}, Span{day(1, 0), day(2, 0)}
	apply(t, db, inbound("e1", "telegram:1"), day(0, 9), answerStep("acces", "equipement", "des tablettes", day(0, 9)))

	token, err := db.ClaimDigestParts([]Span{d0, d1})
	if err != nil || token == 0 {
		t.Fatalf("claim: token %d, %v", token, err)
	}
	apply(t, db, inbound("e2", "telegram:2"), day(1, 9), answerStep("acces", "equipement", "un réseau", day(1, 9)))
	if ok, err := db.StoreDigestPart(d1, token, []byte("one")); ok || err != nil {
		t.Errorf("part of a day written to since the claim: stored %v, %v", ok, err)
	}
	if ok, err := db.StoreDigestPart(d0, token+2, []byte("zero")); ok || err != nil {
		t.Errorf("part under another token: stored %v, %v", ok, err)
	}
	if ok, err := db.StoreDigestPart(d0, token, []byte("zero")); !ok || err != nil {
		t.Errorf("part of an unchanged day: stored %v, %v", ok, err)
	}
	apply(t, db, inbound("e3", "telegram:3"), day(2, 9), answerStep("acces", "equipement", "un écran", day(2, 9)))
	want := []DigestPart{{Span: Span{d0.Start.UTC(), d0.End.UTC()}, Data: []byte("zero")}}
	if got := storedParts(t, db); !slices.EqualFunc(got, want, func(x, y DigestPart) bool {
		return x.Start.Equal(y.Start) && x.End.Equal(y.End) && string(x.Data) == string(y.Data)
	}) {
		t.Errorf("stored parts %+v, want %+v", got, want)
	}
	// A claim of another time zone's day drops the parts it overlaps.
	shifted := Span{day(0, 1), day(1, 1)}
	if _, err := db.ClaimDigestParts([]Span{shifted}); err != nil {
		t.Fatal(err)
	}
	if got := storedParts(t, db); len(got) != 0 {
		t.Errorf("after claiming an overlapping day: parts %+v, want none", got)
	}
}

// TestReadOnlyClaimsNothing checks that a digest over a file opened
// read-only reads its parts and claims none.
func TestReadOnlyClaimsNothing(t *testing.T) {
	needBolt(t) // a file opened read-only
	path := filepath.Join(t.TempDir(), "consult.db")
	db := openAt(t, path, Options{})
	day := Span{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	token, err := db.ClaimDigestParts([]Span{day})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.StoreDigestPart(day, token, []byte("part")); !ok || err != nil {
		t.Fatalf("stored %v, %v", ok, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if token, err := ro.ClaimDigestParts([]Span{{day.End, day.End.Add(24 * time.Hour)}}); token != 0 || err != nil {
		t.Errorf("read-only claim: token %d, %v", token, err)
	}
	if got := storedParts(t, ro); len(got) != 1 || string(got[0].Data) != "part" {
		t.Errorf("read-only: parts %+v, want the one stored", got)
	}
}

// partDataKeys counts the keys of the parts' data.
func partDataKeys(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	if err := db.view(func(tx kv.Tx) error {
		c := tx.Bucket(bucketDigestPartData).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDigestPartStoredInChunks checks that a part larger than a chunk is
// stored in several small commits and read back whole, that it is
// readable only once its last chunk is stored, that a change to one of
// its answers between two chunks leaves none of them, and that a part
// stored under the period's key alone (the first layout) is still read
// and dropped.
func TestDigestPartStoredInChunks(t *testing.T) {
	db := openTest(t, Options{})
	at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
	d0 := Span{at(0), at(24)}
	apply(t, db, inbound("e1", "telegram:1"), at(9), answerStep("acces", "equipement", "des tablettes", at(9)))
	data := make([]byte, 3*partChunk+17)
	for i := range data {
		data[i] = byte(i * 7 / 5)
	}
	sameAsData := func(got []DigestPart) bool {
		return len(got) == 1 && got[0].Start.Equal(d0.Start) && string(got[0].Data) == string(data)
	}

	token, err := db.ClaimDigestParts([]Span{d0})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.StoreDigestPart(d0, token, data); !ok || err != nil {
		t.Fatalf("stored %v, %v", ok, err)
	}
	if got := storedParts(t, db); !sameAsData(got) {
		t.Errorf("read back %d parts (%d bytes), want the %d bytes stored", len(got), len(got[0].Data), len(data))
	}
	if n := partDataKeys(t, db); n != 4 {
		t.Errorf("%d bytes stored under %d keys, want 4 chunks", len(data), n)
	}
	if spans, err := db.DigestPartSpans(time.Time{}, at(48)); err != nil || len(spans) != 1 || !spans[0].End.Equal(d0.End) {
		t.Errorf("spans %+v, %v; want the one day", spans, err)
	}
	apply(t, db, inbound("e2", "telegram:2"), at(10), answerStep("acces", "equipement", "un réseau", at(10)))
	if got, n := storedParts(t, db), partDataKeys(t, db); len(got) != 0 || n != 0 {
		t.Errorf("after an answer of the day: %d parts, %d data keys; want none", len(got), n)
	}

	// A change between two chunks: the claim is gone, and so is the
	// chunk stored before it.
	token, err = db.ClaimDigestParts([]Span{d0})
	if err != nil {
		t.Fatal(err)
	}
	key, want := partKey(d0), pendingValue(token)
	if held, err := db.storePartChunk(key, want, 0, data[:partChunk], false); !held || err != nil {
		t.Fatalf("first chunk: held %v, %v", held, err)
	}
	if got := storedParts(t, db); len(got) != 0 {
		t.Errorf("a part read before its last chunk: %d bytes", len(got[0].Data))
	}
	apply(t, db, inbound("e3", "telegram:3"), at(11), answerStep("acces", "equipement", "un écran", at(11)))
	if held, err := db.storePartChunk(key, want, 1, data[partChunk:], true); held || err != nil {
		t.Errorf("chunk after a change: held %v, %v", held, err)
	}
	if got, n := storedParts(t, db), partDataKeys(t, db); len(got) != 0 || n != 0 {
		t.Errorf("after a change between chunks: %d parts, %d data keys; want none", len(got), n)
	}

	// The first layout: the part under the period's key alone.
	if err := db.update(func(tx kv.Tx) error {
		if err := tx.Bucket(bucketDigestPartData).Put(key, []byte("old part")); err != nil {
			return err
		}
		return tx.Bucket(bucketDigestParts).Put(key, []byte{partDone})
	}); err != nil {
		t.Fatal(err)
	}
	if got := storedParts(t, db); len(got) != 1 || string(got[0].Data) != "old part" {
		t.Errorf("first layout: read %+v", got)
	}
	apply(t, db, inbound("e4", "telegram:4"), at(12), answerStep("acces", "equipement", "un clavier", at(12)))
	if got, n := storedParts(t, db), partDataKeys(t, db); len(got) != 0 || n != 0 {
		t.Errorf("first layout after a change: %d parts, %d data keys; want none", len(got), n)
	}
}

// TestCorrectedProfileReachesEveryAnswer corrects a participant's profile
// and académie after they answered on two days whose digest parts are
// built: in that commit every answer of theirs, and its digest row, takes
// the new values and keeps everything else, and the parts of those two
// days go, not the part of a day they did not answer on; a correction
// whose commit fails changes none of it. The next step sees the session
// as stored, and a plain answer then rewrites nothing else.
func TestCorrectedProfileReachesEveryAnswer(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 3, 1+d, h, 0, 0, 0, time.UTC) }
	days := []Span{{day(0, 0), day(1, 0)}, {day(1, 0), day(2, 0)}, {day(2, 0), day(3, 0)}}
	p := "telegram:1"
	apply(t, db, inbound("e1", p), day(0, 9), answerStep("acces", "equipement", "des tablettes", day(0, 9)))
	apply(t, db, inbound("e2", p), day(1, 9), answerStep("acces", "besoins", "du réseau", day(1, 9)))
	apply(t, db, inbound("e3", "telegram:2"), day(2, 9), answerStep("acces", "equipement", "un écran", day(2, 9)))
	buildParts := func() {
		t.Helper()
		token, err := db.ClaimDigestParts(days)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range days {
			if ok, err := db.StoreDigestPart(s, token, []byte("part")); !ok || err != nil {
				t.Fatalf("store part of %v: %v, %v", s.Start, ok, err)
			}
		}
	}
	partStarts := func() []time.Time {
		t.Helper()
		var starts []time.Time
		for _, part := range storedParts(t, db) {
			starts = append(starts, part.Start)
		}
		return starts
	}
	rows := func() map[uint64]DigestAnswer {
		t.Helper()
		m := map[uint64]DigestAnswer{}
		if err := db.ForEachDigestAnswer(ctx, time.Time{}, time.Time{}, nil, func(a DigestAnswer) error {
			a.Text = strings.Clone(a.Text)
			m[a.ID] = a
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	buildParts()
	before, err := db.AnswersByParticipant(p)
	if err != nil {
		t.Fatal(err)
	}
	rowsBefore := rows()

	correct := func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Profile, s.Academie = "enseignant", "Bordeaux"
		return s, []flows.Reply{{Text: "c'est corrigé"}}
	}
	// A correction whose commit fails changes nothing.
	if _, err := db.Apply(ctx, inbound("e4-failed", p), day(3, 9), func(s flows.Session) (flows.Session, []flows.Reply) {
		s, r := correct(s)
		s.Answers["wrong/key"] = flows.Answer{Theme: "acces", Question: "q9", Text: "x"}
		return s, r
	}); err == nil {
		t.Fatal("Apply with a misfiled answer: no error")
	}
	if got, err := db.AnswersByParticipant(p); err != nil || !cmp.Equal(got, before) {
		t.Errorf("answers after a failed correction (-before +after):\n%s", cmp.Diff(before, got))
	}
	if got := partStarts(); len(got) != 3 {
		t.Errorf("parts of the days starting %v after a failed correction, want all three", got)
	}
	apply(t, db, inbound("e4", p), day(3, 9), correct)

	after, err := db.AnswersByParticipant(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("%d answers after the correction, want %d", len(after), len(before))
	}
	rowsAfter := rows()
	if len(rowsAfter) != len(rowsBefore) {
		t.Errorf("%d digest rows after the correction, want %d", len(rowsAfter), len(rowsBefore))
	}
	for i, a := range after {
		want := before[i]
		want.Profile, want.Academie = "enseignant", "Bordeaux"
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("answer %d after the correction (-want +got):\n%s", a.ID, diff)
		}
		wantRow := rowsBefore[a.ID]
		wantRow.Profile, wantRow.Academie = "enseignant", "Bordeaux"
		if diff := cmp.Diff(wantRow, rowsAfter[a.ID]); diff != "" {
			t.Errorf("digest row of answer %d after the correction (-want +got):\n%s", a.ID, diff)
		}
	}
	if got := partStarts(); len(got) != 1 || !got[0].Equal(day(2, 0)) {
		t.Errorf("parts of the days starting %v after the correction, want the third day's only", got)
	}

	// The session holds the correction: an answer given next is stored
	// with it, and leaves the other answers and days alone.
	buildParts()
	stored, ok, err := db.Session(p)
	if err != nil || !ok {
		t.Fatalf("Session: %v, %v", ok, err)
	}
	plain := func(s flows.Session) (flows.Session, []flows.Reply) {
		if !reflect.DeepEqual(s, stored) {
			t.Errorf("step after the correction (-stored +seen):\n%s", cmp.Diff(stored, s))
		}
		s.Answers[flows.AnswerKey("acces", "usages")] = flows.Answer{Theme: "acces", Question: "usages", Text: "en classe",
			CreatedAt: day(3, 10), UpdatedAt: day(3, 10)}
		return s, nil
	}
	apply(t, db, inbound("e5", p), day(3, 10), plain)
	got, err := db.AnswersByParticipant(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d answers, want 3", len(got))
	}
	for _, a := range got {
		if a.Profile != "enseignant" || a.Academie != "Bordeaux" {
			t.Errorf("answer %s/%s: profile %q, académie %q; want the corrected ones", a.Theme, a.Question, a.Profile, a.Academie)
		}
	}
	if got := partStarts(); len(got) != 3 {
		t.Errorf("parts of the days starting %v after a plain answer on another day, want all three", got)
	}
}
