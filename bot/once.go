package bot

import (
	"context"
	"errors"
	"net"
	"sync"
)

// Reminders go at most once, announcements exactly once.
//
// Every reply is delivered at least once: it leaves the outbox only once
// the platform accepted it, so a kill between the platform's acceptance
// and that mark sends it again after the restart. For a reminder or an
// announcement the order is turned round: just before its request
// leaves, the store records it as claimed (Claims.Claim), durably, with a
// note of the adapter's (what it needs to find out later whether it
// arrived). A claim that outlives its Send (a kill, or a failure after
// which the platform may have the message: a timeout, a cut connection,
// a 5xx, an answer that is not JSON) leaves the reply uncertain:
//
//   - a reminder is set aside as undeliverable instead of being sent
//     again: a kill may drop a reminder, never repeat one;
//   - an announcement is settled by its Sender before anything else goes
//     to its address: the Telegram adapter looks for it in the chat
//     (Settler), the Discord adapter sends it again with the same nonce,
//     and Discord returns the first message instead of a second. So each
//     person gets each announcement once, within the limits these
//     adapters document (a probe cap, Discord's nonce window).
//
// A failure that says the platform did not take it (a refusal: 429, any
// 4xx) or that the request never left (no connection made, the sending
// limits never admitted it) lifts the claim, and the reply is retried
// like any reply.
//
// Both are checked at that same moment: a person who withdrew their
// consent, or erased their data, since the reply entered the lane does
// not get it; nor does one who wrote or tapped since get a reminder,
// which would come below the reply to them as a stale prompt, the last
// message of the chat. An announcement still goes to them, before that
// reply (Engine.bringAhead), even when it waits for a retry
// (Engine.behind).

// Claims is what the low-priority lane needs from the store at the moment
// a reminder or an announcement leaves; storage.DB implements it. Without
// it, they are delivered like every reply.
type Claims interface {
	// Claim is asked just before out leaves for its platform. It
	// reports false, and removes out from the outbox, when out's person
	// no longer accepts reminders and announcements (withdrawn, erased,
	// unreachable), when out is no longer in the outbox, or when out is
	// a reminder and its person acted since it entered the outbox (a
	// message, a tap: any event of theirs), so that it never comes
	// after the reply to them; a reminder it drops no longer counts
	// toward its person's allowance, in the same commit. When it reports
	// true, out is recorded as claimed with out.ClaimNote in the same
	// commit: Pending then reports it Claimed, with that note.
	Claim(ctx context.Context, out Outgoing) (bool, error)
	// Unclaim lifts the claim on out, which the platform did not take, so
	// that a restart sends it.
	Unclaim(ctx context.Context, out Outgoing) error
}

// Settler is a LowSender that settles an uncertain announcement itself
// (the Telegram adapter): when its Send gets an out whose Claimed is set,
// it finds out from the platform whether out arrived, then reports it
// delivered, or sends it. Meanwhile nothing else may go to out's
// address. The engine tells it of the announcements a stop left claimed
// before delivering anything (Unsettled, at Start and when the outbox
// feed lists one); one whose Send fails once claimed it closes itself,
// before the failed request's turn ends. Settled comes once the engine
// is done with an announcement (delivered, given up, dropped, or its
// claim lifted after a refusal). A LowSender that is no Settler gets the
// announcement again, Claimed set, and must make a second copy harmless
// itself (Discord's nonce).
type Settler interface {
	LowSender
	Unsettled(out Outgoing)
	Settled(out Outgoing)
}

// Claim is called by a LowSender just before the first request of a
// reply leaves for its platform, once the platform's limits admitted it.
// For a reminder or an announcement the engine then checks that its
// person still wants it and records, with note, that it is being sent
// (Outgoing.ClaimNote), so that a restart knows. When Claim returns an
// error, Send must send nothing and return that error. Elsewhere, and
// when called again during the same Send, Claim returns nil or its first
// error.
func Claim(ctx context.Context, note string) error {
	c, _ := ctx.Value(claimKey{}).(*claim)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.made {
		c.made = true
		c.err = c.run(note)
	}
	return c.err
}

// claimKey is the context key of a Send's claim.
type claimKey struct{}

// claim is one Send's claim on a low-priority reply.
type claim struct {
	mu      sync.Mutex
	run     func(note string) error
	made    bool   // run was called
	err     error  // what run returned
	dropped bool   // the person no longer wants it: not sent, out of the outbox
	claimed bool   // recorded as claimed
	note    string // the claim's note
}

// state returns what Claim did during a Send that has returned.
func (c *claim) state() (made, dropped, claimed bool, note string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.made, c.dropped, c.claimed, c.note
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
	c.run = func(note string) error {
		// Not cancelled with Close, like marking sent: it takes a
		// commit at most.
		out.ClaimNote = note
		ok, err := cs.Claim(context.Background(), out)
		switch {
		case err != nil:
			return err
		case !ok:
			c.dropped = true
			return errNotWanted
		}
		c.claimed, c.note = true, note
		return nil
	}
	return c, context.WithValue(ctx, claimKey{}, c)
}

// mayHaveReached reports whether the platform may have a message whose
// Send failed with err: not when it answered with a refusal (a wait it
// asked for, any 4xx) nor when no connection was made.
func mayHaveReached(err error) bool {
	f := classify(err)
	if f.retryAfter > 0 || f.until != nil || f.permanent || (f.status >= 400 && f.status < 500) {
		return false
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op != "dial"
}
