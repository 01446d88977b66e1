package organiser

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

// gatedSource holds each digest at its first read until released, so that
// a test can have digests overlap and look at the process meanwhile.
type gatedSource struct {
	DigestSource
	entered chan struct{}
	release chan struct{}
}

func (g gatedSource) ForEachProgress(ctx context.Context, fn func(storage.Progress) error) error {
	g.entered <- struct{}{}
	<-g.release
	return g.DigestSource.ForEachProgress(ctx, fn)
}

// TestOverlappingDigestsGiveThePBack runs two digests that overlap: the
// process has one more P while either runs, GOMAXPROCS is back to what it
// was after both, and each digest is the one computed without the spare P
// and the separate thread.
func TestOverlappingDigestsGiveThePBack(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	db := openDB(t, "")
	randomStore(t, db, q, 3)
	want, err := computeDigest(context.Background(), db, q, time.Time{}, time.Time{}, "", flows.LangFR)
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.GOMAXPROCS(0)
	src := gatedSource{DigestSource: db, entered: make(chan struct{}), release: make(chan struct{})}
	type result struct {
		d   digest.Digest
		err error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			d, err := ComputeDigest(context.Background(), src, q, time.Time{}, time.Time{}, "", flows.LangFR)
			results <- result{d, err}
		}()
	}
	for range 2 {
		<-src.entered
		if got := runtime.GOMAXPROCS(0); got != before+1 {
			t.Errorf("GOMAXPROCS during the digests = %d, want %d", got, before+1)
		}
	}
	src.release <- struct{}{} // the first digest ends, the other still runs
	first := <-results
	if got := runtime.GOMAXPROCS(0); got != before+1 {
		t.Errorf("GOMAXPROCS while the second digest runs = %d, want %d", got, before+1)
	}
	src.release <- struct{}{}
	second := <-results
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS after the digests = %d, want %d as before", got, before)
	}
	for _, r := range []result{first, second} {
		if r.err != nil {
			t.Fatal(r.err)
		}
		if diff := cmp.Diff(want, r.d); diff != "" {
			t.Errorf("digest on its own thread (-calling goroutine +own thread):\n%s", diff)
		}
	}
}

// TestDigestPanicReachesTheCaller checks that a panic in the digest's
// thread is the caller's, as it would be without the thread, and that the
// spare P is given back.
func TestDigestPanicReachesTheCaller(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	defer func() {
		if p := recover(); p != "broken invariant" {
			t.Errorf("recovered %v, want the digest's panic", p)
		}
		if got := runtime.GOMAXPROCS(0); got != before {
			t.Errorf("GOMAXPROCS after a panic = %d, want %d", got, before)
		}
	}()
	inBackground(func() { panic("broken invariant") })
}
