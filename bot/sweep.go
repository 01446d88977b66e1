package bot

import (
	"context"
	"slices"
	"time"
)

// SetSweep makes the engine look at the outbox every interval once
// started, and deliver what it does not hold already: the replies other
// processes sharing the store committed (replicas that apply events while
// this one delivers). Call it before Start; zero (the default) never
// looks.
func (e *Engine) SetSweep(interval time.Duration) { e.sweepEvery = interval }

// sweeps runs Sweep every sweepEvery until delivery stops.
func (e *Engine) sweeps() {
	t := time.NewTicker(e.sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-e.sendCtx.Done():
			return
		case <-t.C:
		}
		if err := e.Sweep(e.sendCtx); err != nil && e.sendCtx.Err() == nil {
			e.log.Warn("look for replies committed elsewhere", "err", err)
		}
	}
}

// Sweep hands to delivery the outbox entries of every channel with a
// Sender that this engine does not hold (queued, being sent, or sent and
// not yet marked): those other processes committed. An entry marked sent
// while the outbox is read is not taken again.
func (e *Engine) Sweep(ctx context.Context) error {
	e.sweepMu.Lock()
	defer e.sweepMu.Unlock()
	e.startMu.RLock()
	started := e.started
	e.startMu.RUnlock()
	if !started || e.fenced() {
		return nil
	}
	channels := make([]string, 0, len(e.senders))
	for ch := range e.senders {
		channels = append(channels, ch)
	}
	slices.Sort(channels)
	e.qmu.Lock()
	e.markedNow = map[uint64]struct{}{}
	e.qmu.Unlock()
	defer func() {
		e.qmu.Lock()
		e.markedNow = nil
		e.qmu.Unlock()
	}()
	var found []Outgoing
	for _, ch := range channels {
		list, err := e.store.Pending(ctx, ch, 0)
		if err != nil {
			return err
		}
		found = append(found, list...)
	}
	e.qmu.Lock()
	fresh := found[:0]
	for _, out := range found {
		if _, ok := e.markedNow[out.Seq]; !ok {
			fresh = append(fresh, out)
		}
	}
	n := e.enqueueLocked(fresh)
	e.qmu.Unlock()
	if n > 0 {
		e.log.Debug("replies committed elsewhere handed to delivery", "count", n)
	}
	return nil
}

// forget drops delivered (or given up) entries from those the engine
// holds, once the store no longer lists them; qmu must be held.
func (e *Engine) forgetLocked(seqs ...uint64) {
	for _, s := range seqs {
		delete(e.held, s)
		if e.markedNow != nil {
			e.markedNow[s] = struct{}{}
		}
	}
}
