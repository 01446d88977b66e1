package storage

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"consultbot/storage/kv"
)

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWritesArrivingDuringACommitShareTheNext holds a commit open while
// writes arrive one after the other, each long after the batch delay: all
// of them go into the next transaction, not one each.
func TestWritesArrivingDuringACommitShareTheNext(t *testing.T) {
	db := openTest(t, Options{MaxBatchDelay: time.Microsecond})
	g := db.group
	bucket := []byte("group")
	inside, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- g.run(func(tx kv.Tx) error {
			if _, err := tx.CreateBucketIfNotExists(bucket); err != nil {
				return err
			}
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside

	const n = 10
	var mu sync.Mutex
	txs := map[kv.Tx]bool{}
	var wg sync.WaitGroup
	pending := func() int {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.pending)
	}
	for i := range n {
		wg.Go(func() {
			err := g.run(func(tx kv.Tx) error {
				mu.Lock()
				txs[tx] = true
				mu.Unlock()
				return tx.Bucket(bucket).Put([]byte(fmt.Sprint(i)), []byte("x"))
			})
			if err != nil {
				t.Error(err)
			}
		})
		waitFor(t, fmt.Sprintf("write %d to wait", i), func() bool { return pending() == i+1 })
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(txs) != 1 {
		t.Errorf("%d writes that arrived during one commit took %d transactions, want 1", n, len(txs))
	}
	db.view(func(tx kv.Tx) error {
		if got := countKeys(tx.Bucket(bucket)); got != n {
			t.Errorf("%d keys stored, want %d", got, n)
		}
		return nil
	})
}

// TestAFailingWriteFailsAlone makes one write of a shared transaction fail:
// it gets its own error, and the others are committed.
func TestAFailingWriteFailsAlone(t *testing.T) {
	db := openTest(t, Options{MaxBatchDelay: 50 * time.Millisecond, MaxBatchSize: 8})
	bucket := []byte("group")
	if err := db.update(func(tx kv.Tx) error { _, err := tx.CreateBucketIfNotExists(bucket); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			errs[i] = db.group.run(func(tx kv.Tx) error {
				if err := tx.Bucket(bucket).Put([]byte(fmt.Sprint(i)), []byte("x")); err != nil {
					return err
				}
				if i == 3 {
					return boom
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if want := i == 3; errors.Is(err, boom) != want || (err != nil && !want) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucket)
		for i := range 8 {
			if got := b.Get([]byte(fmt.Sprint(i))) != nil; got != (i != 3) {
				t.Errorf("write %d stored: %v", i, got)
			}
		}
		return nil
	})
}
