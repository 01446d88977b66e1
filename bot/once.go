package bot

import (
	"context"
	"errors"
	"net"
	"sync"
)

// Reminders go at most once, announcements at least once.
//
// Every reply is delivered at least once: it leaves the outbox only once
// the platform accepted it, so a kill between the platform's acceptance
// and that mark sends it again after the restart. For a reminder the
// order is turned round: just before its request leaves, the store
// records it as claimed (Claims.Claim), durably; from then on it is never
// sent again. A restart finds it claimed and sets it aside as
// undeliverable instead of sending it (a kill may drop a reminder, never
// repeat one), and so does a failure after which the platform may have
// it: a timeout, a cut connection, a 5xx, an answer that is not JSON. A
// failure that says the platform did not take it (a refusal: 429, any
// 4xx) or that the request never left (no connection made, the sending
// limits never admitted it) lifts the claim, and the reminder is retried
// like any reply.
//
// An announcement (Telegram has no idempotency key, a bot cannot read a
// chat back) stays at least once: a kill repeats at most the one each
// low-priority worker had handed over and not yet marked.
//
// Both are checked at that same moment: a person who withdrew their
// consent, or erased their data, since the reply entered the lane does
// not get it.

// Claims is what the low-priority lane needs from the store at the moment
// a reminder or an announcement leaves; storage.DB implements it. Without
// it, they are delivered like every reply.
type Claims interface {
	// Claim is asked just before out leaves for its platform. It
	// reports false, and removes out from the outbox, when out's person
	// no longer accepts reminders and announcements (withdrawn, erased,
	// unreachable) or out is no longer in the outbox. When it reports
	// true for an out with Once set, out is recorded as claimed in the
	// same commit: Pending then reports it Claimed, and it is not sent
	// again.
	Claim(ctx context.Context, out Outgoing) (bool, error)
	// Unclaim lifts the claim on out, which the platform did not take, so
	// that a restart sends it.
	Unclaim(ctx context.Context, out Outgoing) error
}

// Claim is called by a LowSender just before the first request of a
// reply leaves for its platform, once the platform's limits admitted it.
// For a reminder or an announcement the engine then checks that its
// person still wants it and, for a reminder, records that it is being
// sent, so that it never goes twice. When Claim returns an error, Send
// must send nothing and return that error. Elsewhere, and when called
// again during the same Send, Claim returns nil or its first error.
func Claim(ctx context.Context) error {
	c, _ := ctx.Value(claimKey{}).(*claim)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.made {
		c.made = true
		c.err = c.run()
	}
	return c.err
}

// claimKey is the context key of a Send's claim.
type claimKey struct{}

// claim is one Send's claim on a low-priority reply.
type claim struct {
	mu      sync.Mutex
	run     func() error
	made    bool  // run was called
	err     error // what run returned
	dropped bool  // the person no longer wants it: not sent, out of the outbox
	claimed bool  // recorded as claimed: never sent again
}

// state returns what Claim did during a Send that has returned.
func (c *claim) state() (made, dropped, claimed bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.made, c.dropped, c.claimed, c.err
}

// errNotWanted is Claim's error for a reply whose person no longer wants
// it.
var errNotWanted = errors.New("not sent: the person no longer accepts reminders and announcements")

// newClaim returns the claim on out, a low-priority reply, and ctx
// carrying it; nil when the store keeps no claims.
func (e *Engine) newClaim(ctx context.Context, out Outgoing) (*claim, context.Context) {
	cs, ok := e.store.(Claims)
	if !ok || !out.Low {
		return nil, ctx
	}
	c := &claim{}
	c.run = func() error {
		// Not cancelled with Close, like marking sent: it takes a
		// commit at most.
		ok, err := cs.Claim(context.Background(), out)
		switch {
		case err != nil:
			return err
		case !ok:
			c.dropped = true
			return errNotWanted
		}
		c.claimed = out.Once
		return nil
	}
	return c, context.WithValue(ctx, claimKey{}, c)
}

// mayHaveReached reports whether the platform may have a message whose
// Send failed with err: not when it answered with a refusal (a wait it
// asked for, any 4xx) nor when no connection was made.
func mayHaveReached(err error) bool {
	f := classify(err)
	if f.retryAfter > 0 || f.permanent || (f.status >= 400 && f.status < 500) {
		return false
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op != "dial"
}
