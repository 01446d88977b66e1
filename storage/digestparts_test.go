package storage

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
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
