package bot

import (
	"context"
	"fmt"
	"sync/atomic"
)

// OutboxFeed is a store that several processes write at once (replicas
// sharing an etcd cluster, each applying the events it receives);
// storage.DB implements it.
type OutboxFeed interface {
	// FollowOutbox calls fn with the replies in the outbox of channels,
	// oldest first, then, until ctx ends, with every reply committed to
	// them later, by any process, in commit order. It returns once the
	// first call is done; the channel carries what ended the following
	// early and is closed when it ends.
	FollowOutbox(ctx context.Context, channels []string, fn func([]Outgoing)) (<-chan error, error)
}

// Follow makes the engine deliver what feed reports instead of what its
// own commits return: every reply committed by any replica sharing the
// store, in commit order. Replicas that are not started (stand-bys) apply
// events and deliver nothing; the one that leads starts and delivers for
// all, so that one person's replies go out in commit order whichever
// replica applied their events, and the platforms' rate limits stay one
// budget. Call it before Start.
//
// The engine's own commits count as queued until the feed reports them,
// so that Close still waits for their delivery.
func (e *Engine) Follow(feed OutboxFeed) {
	e.feed = feed
	e.awaited = make(map[uint64]struct{})
	e.feedErr = make(chan error, 1)
}

// FeedErr carries the error that ended the outbox feed early (see
// Follow); delivery has stopped then, and the caller should stop too, so
// that the next start follows again from what the outbox holds. Nil
// without Follow.
func (e *Engine) FeedErr() <-chan error { return e.feedErr }

// follow starts the feed: the outbox as it is now, then what is committed
// later; called by Start.
func (e *Engine) follow(channels []string) error {
	var listing atomic.Bool
	var listed atomic.Int64
	listing.Store(true)
	errc, err := e.feed.FollowOutbox(e.sendCtx, channels, func(outs []Outgoing) {
		// Only the listing can hold claimed replies (the feed then
		// reports new entries): what the replica that led before left
		// being sent, handled as after a restart.
		outs = e.setAsideClaimed(outs)
		if listing.Load() {
			listed.Add(int64(len(outs)))
		}
		e.fed(outs)
	})
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	listing.Store(false)
	if n := listed.Load(); n > 0 {
		e.log.Info("resending replies left in the outbox", "count", n)
	}
	go func() {
		if err, ok := <-errc; ok {
			e.log.Error("outbox feed ended: delivery stops", "err", err)
			e.stopSend()
			e.feedErr <- err
		}
	}()
	return nil
}

// committed hands to delivery the replies a commit of this engine put in
// the outbox: at once, or, when the engine follows the outbox, once the
// feed reports them, in their place among the other replicas' commits.
// Called under startMu; nothing before Start.
func (e *Engine) committed(outs []Outgoing) {
	switch {
	case !e.started || len(outs) == 0:
	case e.feed == nil:
		e.enqueue(outs)
	default:
		e.await(outs)
	}
}

// await counts the replies of this engine's commit as queued until the
// feed reports them; those it reported already are queued.
func (e *Engine) await(outs []Outgoing) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	for _, out := range outs {
		// The feed reports commits in order, and sequences grow with
		// commits: one at or below the last reported came already.
		if out.Seq <= e.fedMax || e.senders[out.Channel] == nil {
			continue
		}
		e.awaited[out.Seq] = struct{}{}
		e.outstanding++
		if out.Low {
			e.lane.held[out.Channel]++
		}
	}
}

// fed queues the replies the feed reports, counted already when this
// engine awaits them.
func (e *Engine) fed(outs []Outgoing) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	for _, out := range outs {
		e.fedMax = max(e.fedMax, out.Seq)
		_, mine := e.awaited[out.Seq]
		delete(e.awaited, out.Seq)
		e.insert(out, !mine)
	}
}
