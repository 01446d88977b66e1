package storage

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"consultbot/storage/kv"
)

// groupCommit gathers concurrent writes into shared transactions, one
// commit (one fsync) for many, as bbolt's Batch does, with one difference
// that matters when commits are slow: the writes that arrive while a
// commit is in progress all go into the next one, which starts as soon as
// that commit ends. bbolt's Batch closes a batch after MaxBatchDelay even
// while the previous commit still holds the file, so a slow fsync left
// several small batches queued behind it, each paying its own fsync.
//
// The first writer that finds no commit in progress leads: it waits up to
// MaxBatchDelay for company (less once MaxBatchSize writes wait), commits
// every waiting write in one transaction, then hands the lead to a writer
// that arrived meanwhile, which commits at once.
type groupCommit struct {
	db       kv.Backend
	maxSize  int
	maxDelay time.Duration

	mu      sync.Mutex
	pending []*commitCall
	leading bool
	// full wakes a leader waiting for company once maxSize writes wait.
	full chan struct{}
}

// commitCall is one write waiting in a groupCommit. Its channel receives
// either its result or, while it waits, the lead.
type commitCall struct {
	fn func(kv.Tx) error
	ch chan commitResult
}

type commitResult struct {
	lead bool
	err  error
	// solo: fn failed within a shared transaction, which was rolled back;
	// it runs again alone, so that its error is its own.
	solo bool
}

func newGroupCommit(db kv.Backend, maxSize int, maxDelay time.Duration) *groupCommit {
	return &groupCommit{db: db, maxSize: maxSize, maxDelay: maxDelay, full: make(chan struct{}, 1)}
}

// run commits fn with the writes in flight. fn may run more than once
// (when another write of its transaction fails) and must be idempotent.
func (g *groupCommit) run(fn func(kv.Tx) error) error {
	c := &commitCall{fn: fn, ch: make(chan commitResult, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	lead := !g.leading
	g.leading = true
	if !lead && len(g.pending) >= g.maxSize {
		select {
		case g.full <- struct{}{}:
		default:
		}
	}
	g.mu.Unlock()
	if lead {
		g.lead(true)
	}
	for {
		r := <-c.ch
		switch {
		case r.lead:
			g.lead(false)
		case r.solo:
			return g.db.Update(fn)
		default:
			return r.err
		}
	}
}

// lead commits the waiting writes, after waiting for company when no
// commit was in progress (fresh), then passes the lead on or lets it go.
func (g *groupCommit) lead(fresh bool) {
	if fresh {
		t := time.NewTimer(g.maxDelay)
		select {
		case <-t.C:
		case <-g.full:
			t.Stop()
		}
	}
	g.mu.Lock()
	calls := g.pending
	g.pending = nil
	select {
	case <-g.full: // a wake-up meant for this batch
	default:
	}
	g.mu.Unlock()

	g.commit(calls)

	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		g.leading = false
		return
	}
	g.pending[0].ch <- commitResult{lead: true}
}

// commit runs calls in one transaction. When one fails, the transaction
// is rolled back, that call runs again alone, and the others are
// committed without it.
func (g *groupCommit) commit(calls []*commitCall) {
	for len(calls) > 0 {
		failed := -1
		err := g.db.Update(func(tx kv.Tx) error {
			for i, c := range calls {
				if err := safeCall(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range calls {
				c.ch <- commitResult{err: err}
			}
			return
		}
		calls[failed].ch <- commitResult{solo: true}
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}

// errPanicked marks a write function that panicked.
var errPanicked = errors.New("write panicked")

// safeCall runs fn, turning a panic into an error, so that one write's
// panic fails only that write.
func safeCall(fn func(kv.Tx) error, tx kv.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errPanicked, p)
		}
	}()
	return fn(tx)
}
