package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"consultbot/flows"
)

// Delivery defaults.
const (
	// DefaultRetryMin is the first wait after a failed Send.
	DefaultRetryMin = 500 * time.Millisecond
	// DefaultRetryMax caps the doubling wait between attempts; the wait
	// never exceeds an eighth of the budget either, so that a reply gets
	// about ten attempts before it is given up.
	DefaultRetryMax = 2 * time.Minute
	// DefaultBudget is how long a reply may keep failing before the
	// policy gives up on it and the replies behind it go.
	DefaultBudget = time.Minute
	// DefaultSenders is how many deliveries run at once, across
	// addresses: the number of delivery goroutines.
	DefaultSenders = 64
)

// imageNote stands in for a picture that could not be sent when the
// reply carries no note of its own.
const imageNote = "(graphique indisponible / chart unavailable)"

// Undeliverable is what the engine needs from the store to stop retrying
// a reply it gave up on; storage.DB implements it. A store without it
// gets the reply marked sent instead.
type Undeliverable interface {
	// MarkUndeliverable moves out of the outbox into a record that keeps
	// the reason.
	MarkUndeliverable(ctx context.Context, out Outgoing, reason string, at time.Time) error
}

// Outbox is what Post and the degrading of replies need from the store;
// storage.DB implements it.
type Outbox interface {
	// Post commits replies no inbound event produced to the outbox, in
	// one transaction, and returns them with their sequences.
	Post(ctx context.Context, outs []Outgoing) ([]Outgoing, error)
	// Rewrite replaces the stored reply out.Seq with out, if it is still
	// in the outbox, so that a restart resumes the degraded form.
	Rewrite(ctx context.Context, out Outgoing) error
}

// SetBudget sets how long a reply may keep failing (from its first failed
// attempt, not counting the waits a platform asked for) before the policy
// gives up on it; call it before Start.
func (e *Engine) SetBudget(d time.Duration) {
	if d > 0 {
		e.budget = d
	}
}

// Post commits replies that no inbound event produced (organiser results)
// to the outbox, then delivers them like the others, under the same
// policy. Their Seq is set by the store.
func (e *Engine) Post(ctx context.Context, outs ...Outgoing) error {
	ob, ok := e.store.(Outbox)
	if !ok {
		return errors.New("post replies: the store keeps no outbox for them")
	}
	return e.Commit(ctx, func(ctx context.Context) ([]Outgoing, error) { return ob.Post(ctx, outs) })
}

// Commit runs commit, a transaction of the caller's that puts replies in
// the outbox (a periodic digest moved from its own log), and delivers the
// replies it returns like the others. It fails with ErrClosed after Close.
func (e *Engine) Commit(ctx context.Context, commit func(context.Context) ([]Outgoing, error)) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	e.handling.Add(1)
	e.mu.Unlock()
	defer e.handling.Done()
	// As in Handle: a commit is either in Start's load or handed over here.
	e.startMu.RLock()
	defer e.startMu.RUnlock()
	outs, err := commit(ctx)
	if err != nil {
		return fmt.Errorf("commit replies: %w", err)
	}
	e.committed(outs)
	return nil
}

// enqueue hands replies to delivery.
func (e *Engine) enqueue(outs []Outgoing) {
	if len(outs) == 0 {
		return
	}
	e.qmu.Lock()
	defer e.qmu.Unlock()
	for _, out := range outs {
		e.insert(out, true)
	}
}

// insert puts out in its line, counted as outstanding unless counted
// already (await); qmu must be held.
func (e *Engine) insert(out Outgoing, count bool) {
	if e.senders[out.Channel] == nil {
		e.log.Warn("no sender for channel; reply stays in the outbox", "platform", out.Channel, "participant", out.Participant)
		return
	}
	k := e.lineOf(out)
	q := e.queues[k]
	if q == nil {
		q = &queue{wait: e.retryMin}
		e.queues[k] = q
	}
	q.put(out)
	if !out.Low {
		e.bringAhead(k, q, out)
	}
	if count {
		e.outstanding++
		if out.Low {
			e.lane.held[out.Channel]++
		}
	}
	if !q.busy && !q.queued {
		e.makeReady(k, q)
	}
}

// put inserts out in q in commit order: commits of different
// participants sharing an address may hand their replies over out of
// order, and the sequence is the commit order. The head is never
// displaced while it is being sent.
func (q *queue) put(out Outgoing) {
	i, _ := slices.BinarySearchFunc(q.items, out.Seq, func(o Outgoing, seq uint64) int { return cmp.Compare(o.Seq, seq) })
	if q.busy {
		i = max(i, 1)
	}
	q.items = slices.Insert(q.items, i, out)
}

// bringAhead moves into q, the live line k, the announcements to out's
// person that wait in the low-priority line of the same address and were
// committed before out, a live reply: they go before it, at its pace, so
// that the reply to what the person just did ends the chat, never an
// announcement they would scroll past to find their prompt. One being
// sent, or waiting for its retry (the head of a busy line), and one
// claimed already stay where they are, settled there: the reply waits
// for them (behind). Reminders stay: Claim drops them once their person
// came back. qmu must be held.
func (e *Engine) bringAhead(k addrKey, q *queue, out Outgoing) {
	lk := k
	lk.low = true
	lq := e.queues[lk]
	if lq == nil || out.Participant == "" {
		return
	}
	start := 0
	if lq.busy {
		start = 1
	}
	kept := lq.items[:start]
	for _, a := range lq.items[start:] {
		if a.Once || a.Claimed || a.Participant != out.Participant || a.Seq > out.Seq {
			kept = append(kept, a)
			continue
		}
		q.put(a)
	}
	clear(lq.items[len(kept):])
	lq.items = kept
	if len(lq.items) > 0 || lq.busy {
		return
	}
	delete(e.queues, lk)
	if lq.queued {
		e.unturn(lk, lq)
	}
}

// behind reports whether the head of q, line k, must wait for a reply to
// the same person that was committed before it and is still in the other
// line of its address (live or low-priority): one person's replies are
// delivered in the order of the outbox whatever the retries, so that an
// announcement waiting for its retry never lands below the reply to a
// newer message, the prompt the person is at. A live reply does not wait
// for reminders: Claim drops those once their person came back, nor for
// long behind an announcement that keeps failing (holdLimit): past that,
// the person's answer matters more than the order, and the announcement
// follows once it goes. The line waited for passes the turn back when its
// head moves on (next), and meanwhile takes the live lines' turns. qmu
// must be held.
func (e *Engine) behind(k addrKey, q *queue) bool {
	head := q.items[0]
	if head.Participant == "" {
		return false
	}
	ok := k
	ok.low = !k.low
	oq := e.queues[ok]
	if oq == nil {
		return false
	}
	for _, o := range oq.items {
		if o.Participant != head.Participant || o.Seq > head.Seq || (o.Once && !k.low) {
			continue
		}
		if !k.low && !oq.since.IsZero() {
			// The announcement ahead is failing on the platform's side.
			waited := time.Since(oq.since)
			if waited >= e.holdLimit() {
				return false
			}
			e.recheck(k, q, e.holdLimit()-waited)
		}
		if ok.low && !oq.holds && oq.queued {
			// Moved to the live lines' turns (makeReady).
			e.unturn(ok, oq)
			oq.holds = true
			e.makeReady(ok, oq)
		}
		oq.holds = true
		return true
	}
	return false
}

// failing is the retry state of a reply that keeps failing.
type failing struct {
	since, deadline time.Time
	tries           int
}

// stepAside moves q's head out, an announcement brought ahead of a live
// reply (bringAhead) that kept failing for holdLimit, behind the replies
// that follow it, keeping its retry state, and reports whether there was
// one to let go first. The announcement then lands below the person's
// prompt: better than the person waiting for their question.
func (e *Engine) stepAside(q *queue, out Outgoing) bool {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	if len(q.items) < 2 {
		return false
	}
	e.stepped[out.Seq] = failing{since: q.since, deadline: q.deadline, tries: q.tries}
	q.items = append(q.items[1:], q.items[0])
	q.wait, q.tries, q.fileFails = e.retryMin, 0, 0
	q.since, q.deadline = time.Time{}, time.Time{}
	return true
}

// holdLimit is how long a live reply waits behind an earlier
// announcement to the same person that keeps failing on the platform's
// side: a twelfth of the budget (5 s of the default minute), a few
// retries, never less than the first wait.
func (e *Engine) holdLimit() time.Duration {
	return max(e.budget/12, e.retryMin)
}

// recheck puts line k back in turn after d if it is then still waiting
// (behind), so that a hold's limit is seen without a new reply.
func (e *Engine) recheck(k addrKey, q *queue, d time.Duration) {
	time.AfterFunc(d, func() {
		e.qmu.Lock()
		defer e.qmu.Unlock()
		if e.queues[k] == q && len(q.items) > 0 && !q.busy && !q.queued {
			e.makeReady(k, q)
		}
	})
}

// unturn takes k, ready in its turns, out of them; qmu must be held.
func (e *Engine) unturn(k addrKey, q *queue) {
	t := e.live
	if k.low && !q.holds {
		t = e.lane.turns[k.channel]
	}
	t.keys = slices.DeleteFunc(t.keys, func(r addrKey) bool { return r == k })
	q.queued = false
}

// makeReady puts a line in turn for a worker; qmu must be held. A
// low-priority line that a live line waits for (behind) takes the live
// lines' turns, so that the reply behind it waits for no low-priority
// worker.
func (e *Engine) makeReady(k addrKey, q *queue) {
	q.queued = true
	t := e.live
	if k.low && !q.holds {
		t = e.lane.turns[k.channel]
	}
	t.keys = append(t.keys, k)
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// work delivers the head of one ready line of t at a time until Close:
// the live lines' heads, or one channel's low-priority lines'.
func (e *Engine) work(t *turns) {
	defer e.workers.Done()
	ready, kick := &t.keys, t.kick
	for e.sendCtx.Err() == nil {
		e.qmu.Lock()
		if len(*ready) == 0 {
			e.qmu.Unlock()
			select {
			case <-kick:
			case <-e.sendCtx.Done():
			}
			continue
		}
		k := (*ready)[0]
		(*ready)[0] = addrKey{}
		*ready = (*ready)[1:]
		if len(*ready) > 0 {
			// Pass the wake-up on: one kick may stand for many lines.
			select {
			case kick <- struct{}{}:
			default:
			}
		}
		q := e.queues[k]
		if e.behind(k, q) {
			// Its turn comes back once the reply it waits for moves on.
			q.queued = false
			e.qmu.Unlock()
			continue
		}
		q.queued, q.busy = false, true
		out := e.inPlace(k, q.items[0])
		e.qmu.Unlock()
		if e.fenced() {
			// The lead is lost: the line stays busy, its reply in the
			// outbox, and watchFence ends delivery.
			e.stopSend()
			break
		}

		err := e.send(k, out)
		if err != nil && e.fenced() {
			// The lead was lost during the Send: what did not leave
			// stays in the outbox, its line busy, for the next leader.
			e.stopSend()
			break
		}
		if err != nil && mayHaveReached(err) {
			e.sentMaybe(out)
		}
		if err != nil && e.claimFailed(k, q, out, err) {
			continue
		}
		switch {
		case err == nil:
			m := mark{seq: out.Seq}
			if out.Low {
				// Recorded before this worker takes another: after a kill
				// each low worker repeats at most the one message the
				// platform accepted and the outbox still holds.
				m.done = make(chan struct{})
			}
			e.marks <- m
			if m.done != nil {
				<-m.done
			}
			e.observer().Delivered(out.Channel, true)
			e.placed(k, out)
			e.next(k, q)
		case e.sendCtx.Err() != nil:
			// Closing: the reply stays in the outbox, its line busy.
		default:
			e.failed(k, q, out, err)
		}
	}
}

// inPlace returns out as it is to be sent in line k: a reply that takes
// the place of a tapped prompt (flows.Reply.Replaces, an edit of that
// message) goes as a new message instead while the line is shifted. A
// reply sent again, from the outbox after a crash or a failover or after
// an attempt whose answer was lost (sentMaybe), may be in the chat twice,
// one copy below the prompt the person then taps; editing that prompt in
// place would leave the other copy as the last message, a prompt they
// are past, although every reply was delivered in commit order. qmu must
// be held.
func (e *Engine) inPlace(k addrKey, out Outgoing) Outgoing {
	k.low = false
	if _, ok := e.shifted[k]; ok && out.Reply.Replaces {
		out.Reply.Replaces = false
	}
	return out
}

// sentMaybe records that an attempt at out failed in a way that may have
// reached the person all the same (a timeout, an answer cut short): sent
// again, it may be in the chat twice, as a reply resent after a restart
// may (see inPlace).
func (e *Engine) sentMaybe(out Outgoing) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	e.again[out.Seq] = struct{}{}
}

// placed records where a delivered reply left its line: a prompt sent
// again as a new message shifts the line (see inPlace); a new prompt sent
// as a new message is the last prompt again and ends the shift (a tap on
// a prompt above it is a tap on an earlier prompt, which flows never
// answers in place). Edits in place and replies without a prompt (a
// notice) change nothing.
func (e *Engine) placed(k addrKey, out Outgoing) {
	k.low = false
	e.qmu.Lock()
	defer e.qmu.Unlock()
	_, again := e.again[out.Seq] // next forgets it
	switch {
	case out.Reply.Replaces || !prompts(out.Reply):
	case again:
		e.shifted[k] = struct{}{}
	default:
		delete(e.shifted, k)
	}
}

// prompts reports whether r asks something: buttons, or a text to type.
func prompts(r flows.Reply) bool {
	return len(r.Options) > 0 || r.Expect != flows.ExpectNothing
}

// send hands out to its channel's Sender, with the claim of a reminder
// or an announcement (once.go) in the context; a Sender that does not
// make the claim itself (not a LowSender) is claimed for first.
func (e *Engine) send(k addrKey, out Outgoing) error {
	sender := e.senders[k.channel]
	c, ctx := e.newClaim(e.fenceContext(e.sendCtx), out)
	if _, self := sender.(LowSender); c != nil && !self {
		if err := Claim(ctx, ""); err != nil {
			return &claimError{c: c, err: err}
		}
	}
	if err := sender.Send(ctx, out); err != nil {
		if c != nil {
			return &claimError{c: c, err: err}
		}
		return err
	}
	return nil
}

// claimError is a failed Send of a low-priority reply, with its claim.
type claimError struct {
	c   *claim
	err error
}

func (e *claimError) Error() string { return e.err.Error() }
func (e *claimError) Unwrap() error { return e.err }

// claimFailed settles a failed Send whose reply was claimed, or dropped
// by its claim, and reports whether it did; the others go to the delivery
// policy. A reminder the platform may have is set aside, never sent
// again; an announcement it may have stays claimed, to be settled by its
// next attempt (Outgoing.Claimed, see Settler), which the delivery policy
// schedules. One it refused, or that never left, has its claim lifted and
// follows the policy like any reply.
func (e *Engine) claimFailed(k addrKey, q *queue, out Outgoing, err error) bool {
	var ce *claimError
	if !errors.As(err, &ce) {
		return false
	}
	_, dropped, claimed, note := ce.c.state()
	attrs := []any{"platform", out.Channel, "participant", out.Participant, "seq", out.Seq}
	switch {
	case dropped:
		e.log.Info("reminder or announcement not sent: its person withdrew, erased their data or, for a reminder, came back", attrs...)
		e.next(k, q)
		return true
	case !claimed:
		return false
	case mayHaveReached(err):
		if e.sendCtx.Err() != nil {
			// Closing: it stays claimed in the outbox; the next start
			// sets it aside, or settles it.
			return true
		}
		if !out.Once {
			e.setClaimed(q, true, note)
			return false
		}
		e.giveUp(k, q, out, "not sent again, as a reminder goes at most once: the platform may have it after "+err.Error(), attrs)
		return true
	}
	if uerr := e.store.(Claims).Unclaim(context.Background(), out); uerr != nil {
		// It is still retried now; only a restart would drop it.
		e.log.Error("lift the claim on a reply the platform refused", append(attrs, "err", uerr)...)
	}
	e.setClaimed(q, false, "")
	if s, ok := e.senders[out.Channel].(Settler); ok && !out.Once {
		s.Settled(out)
	}
	return e.sendCtx.Err() != nil
}

// setClaimed records on q's head, an announcement, whether its next
// attempt must settle it first (Outgoing.Claimed).
func (e *Engine) setClaimed(q *queue, claimed bool, note string) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	q.items[0].Claimed, q.items[0].ClaimNote = claimed, note
}

// next moves a line on to its next reply once the head is delivered or
// given up.
func (e *Engine) next(k addrKey, q *queue) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	q.busy, q.wait, q.tries, q.fileFails = false, e.retryMin, 0, 0
	q.since, q.deadline = time.Time{}, time.Time{}
	head := q.items[0]
	if head.Low {
		e.lane.held[head.Channel]--
		e.lane.wake()
		if s, ok := e.senders[head.Channel].(Settler); ok && !head.Once {
			s.Settled(head)
		}
	}
	delete(e.again, head.Seq)
	delete(e.stepped, head.Seq)
	q.items[0] = Outgoing{}
	q.items = q.items[1:]
	e.outstanding--
	if q.holds {
		// The other line of the address may go on now (behind).
		q.holds = false
		ok := k
		ok.low = !k.low
		if oq := e.queues[ok]; oq != nil && !oq.busy && !oq.queued {
			e.makeReady(ok, oq)
		}
	}
	if len(q.items) > 0 {
		e.makeReady(k, q) // behind the others: lines take turns
	} else {
		delete(e.queues, k)
	}
	if e.outstanding == 0 && e.drained != nil {
		close(e.drained)
		e.drained = nil
	}
}

// retryIn puts the line back in turn after d; until then it stays busy,
// so no worker waits on it.
func (e *Engine) retryIn(k addrKey, q *queue, d time.Duration) {
	again := func() {
		e.qmu.Lock()
		defer e.qmu.Unlock()
		q.busy = false
		e.makeReady(k, q)
	}
	if d <= 0 {
		again()
		return
	}
	time.AfterFunc(d, again)
}

// retryWhen puts the line back in turn once ready is closed; until then
// it stays busy, so no worker waits on it, and the time waited is added
// to its budget's deadline. A low-priority reply leaves its place in its
// channel's share of the lane meanwhile: what it waits for (an
// interrupted announcement waiting for a newer message id) may come
// only from that channel's other sends.
func (e *Engine) retryWhen(k addrKey, q *queue, ready <-chan struct{}) {
	start := time.Now()
	if k.low {
		e.qmu.Lock()
		e.lane.held[k.channel]--
		e.qmu.Unlock()
		e.lane.wake()
	}
	go func() {
		select {
		case <-ready:
		case <-e.sendCtx.Done():
			return // stopping: the reply stays in the outbox
		}
		e.qmu.Lock()
		defer e.qmu.Unlock()
		if k.low {
			e.lane.held[k.channel]++
		}
		if !q.deadline.IsZero() {
			q.deadline = q.deadline.Add(time.Since(start))
		}
		q.busy = false
		e.makeReady(k, q)
	}()
}

// Excerpt is the start of an error answer's body on one line, quoted, for
// a Sender's error when the body is not the platform's JSON: the title of
// an HTML page (a proxy's "502 Bad Gateway"), else its first characters.
func Excerpt(body []byte) string {
	s := strings.ToValidUTF8(string(body), "?")
	if i := strings.Index(strings.ToLower(s), "<title>"); i >= 0 {
		if j := strings.Index(strings.ToLower(s[i:]), "</title>"); j > 0 {
			s = s[i+len("<title>") : i+j]
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(empty body)"
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return strconv.Quote(s)
}

// failure is what a Send error says, read through the methods a Sender's
// errors may have (see Sender).
type failure struct {
	retryAfter time.Duration
	until      <-chan struct{}
	permanent  bool
	file       bool
	status     int
}

func classify(err error) failure {
	var f failure
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		f.retryAfter = ra.RetryAfter()
	}
	var u interface{ Until() <-chan struct{} }
	if errors.As(err, &u) {
		f.until = u.Until()
	}
	var p interface{ Permanent() bool }
	f.permanent = errors.As(err, &p) && p.Permanent()
	var a interface{ Attachment() bool }
	f.file = errors.As(err, &a) && a.Attachment()
	var st interface{ Status() int }
	if errors.As(err, &st) {
		f.status = st.Status()
	}
	return f
}

// failed applies the delivery policy to a failed Send of q's head:
//   - a wait the Sender asked for until a condition of its own (Until)
//     is honoured, silently, and counts neither against the reply nor
//     against its budget;
//   - a wait the platform asked for (429) is honoured and counts neither
//     against the reply nor against its budget;
//   - a refusal for good degrades the reply if it can (files as text, a
//     picture replaced by its note), else sends its Instead note, else
//     gives it up at once;
//   - any other failure is retried with a doubling wait; the reply is
//     degraded after two failures of its file or picture, or half its
//     budget, and given up once the budget is spent.
//
// Giving up moves the reply to the undeliverable records, and the line to
// its next reply.
func (e *Engine) failed(k addrKey, q *queue, out Outgoing, err error) {
	f := classify(err)
	attrs := []any{"platform", out.Channel, "participant", out.Participant, "seq", out.Seq}
	if f.status != 0 {
		attrs = append(attrs, "status", f.status)
	}
	if f.until != nil {
		e.retryWhen(k, q, f.until)
		return
	}
	if f.retryAfter > 0 {
		e.qmu.Lock()
		if !q.deadline.IsZero() {
			q.deadline = q.deadline.Add(f.retryAfter)
		}
		e.qmu.Unlock()
		e.log.Info("platform asked to wait; will retry then", append(attrs, "retry_in", f.retryAfter, "err", err)...)
		e.retryIn(k, q, f.retryAfter)
		return
	}
	if f.permanent {
		if e.fallBack(k, q, out, err, true) {
			return
		}
		if f.status == 403 || out.Low {
			// Blocked, or unreachable later: their reminders stop.
			e.unreachable(out)
		}
		e.giveUp(k, q, out, err.Error(), attrs)
		return
	}
	now := time.Now()
	e.qmu.Lock()
	if q.since.IsZero() {
		q.since, q.deadline = now, now.Add(e.budget)
		if f, ok := e.stepped[out.Seq]; ok {
			q.since, q.deadline, q.tries = f.since, f.deadline, f.tries
		}
	}
	q.tries++
	if f.file {
		q.fileFails++
	}
	tries, since, deadline, fileFails := q.tries, q.since, q.deadline, q.fileFails
	delay := min(q.wait, deadline.Sub(now))
	q.wait = min(2*q.wait, e.retryMax, max(e.budget/8, e.retryMin))
	e.qmu.Unlock()
	if !now.Before(deadline) {
		reason := fmt.Sprintf("not delivered within %s (%d attempts): %v", e.budget, tries, err)
		e.giveUp(k, q, out, reason, attrs)
		return
	}
	if (fileFails >= 2 || now.Sub(since) >= e.budget/2) && e.fallBack(k, q, out, err, false) {
		return
	}
	if out.Low && !k.low && now.Sub(since) >= e.holdLimit() && e.stepAside(q, out) {
		e.log.Warn("send announcement; will retry after the replies behind it", append(attrs, "attempt", tries, "err", err)...)
		e.retryIn(k, q, 0)
		return
	}
	e.log.Warn("send reply; will retry", append(attrs, "attempt", tries, "retry_in", delay, "err", err)...)
	e.retryIn(k, q, delay)
}

// fallBack replaces q's head with a simpler form and sends that at once;
// false when there is none. Redirecting to the Instead note is only for a
// refusal for good (permanent): a platform that fails for a while is no
// reason to move a reply elsewhere.
func (e *Engine) fallBack(k addrKey, q *queue, out Outgoing, err error, permanent bool) bool {
	next, how := degrade(out)
	if how == "" && permanent && out.Instead != nil {
		next, how = redirect(out), "sent as a note at another address"
	}
	if how == "" {
		return false
	}
	if ob, ok := e.store.(Outbox); ok {
		// Kept for a restart; if the write fails, the degraded form is
		// still what goes now.
		if werr := ob.Rewrite(context.Background(), next); werr != nil {
			e.log.Error("record degraded reply", "platform", out.Channel, "seq", out.Seq, "err", werr)
		}
	}
	e.log.Warn("reply degraded: "+how, "platform", out.Channel, "participant", out.Participant, "seq", out.Seq, "err", err)
	e.qmu.Lock()
	q.items[0] = next
	q.fileFails = 0
	e.qmu.Unlock()
	e.retryIn(k, q, 0)
	return true
}

// degrade returns out without what platforms refuse on their own while
// text still goes: its file becomes plain text (sent last, cut within the
// channel's limit by the Sender), its picture the picture's note. how is
// empty when there is nothing to degrade.
func degrade(out Outgoing) (next Outgoing, how string) {
	next = out
	var what []string
	if img := out.Image; img != nil && img.Data != nil {
		note := img.Note
		if note == "" {
			note = imageNote
		}
		next.Image = &Image{Name: img.Name, Caption: img.Caption, Note: note}
		what = append(what, "picture left out")
	}
	if d := out.Reply.Document; d != nil {
		next.Reply.Document = nil
		if utf8.Valid(d.Data) {
			next.Plain = append(slices.Clone(out.Plain), string(d.Data))
			what = append(what, "file sent as text")
		} else {
			what = append(what, "file left out")
		}
	}
	if len(what) == 0 {
		return out, ""
	}
	how = what[0]
	if len(what) > 1 {
		how += ", " + what[1]
	}
	return next, how
}

// redirect is out's Instead note, in out's place in the line.
func redirect(out Outgoing) Outgoing {
	next := Outgoing{
		Seq: out.Seq, Channel: out.Channel, Address: out.Instead.Address,
		Participant: out.Participant, EventID: out.EventID, CreatedAt: out.CreatedAt,
	}
	next.Reply.Text = out.Instead.Text
	return next
}

// giveUp moves q's head out of the outbox into the undeliverable records,
// logged once, and moves the line on; if the store fails, the head is
// retried later instead.
func (e *Engine) giveUp(k addrKey, q *queue, out Outgoing, reason string, attrs []any) {
	if merr := e.setAside(out, reason); merr != nil {
		e.log.Error("move undeliverable reply out of the outbox; will retry", "platform", out.Channel, "seq", out.Seq, "err", merr)
		e.qmu.Lock()
		d := q.wait
		e.qmu.Unlock()
		e.retryIn(k, q, d)
		return
	}
	e.log.Warn("reply undeliverable; moved out of the outbox", append(attrs, slog.String("reason", reason))...)
	e.observer().Delivered(out.Channel, false)
	e.next(k, q)
}

// setAside moves out of the outbox into the undeliverable records, with
// reason; on a store without them it marks it sent.
func (e *Engine) setAside(out Outgoing, reason string) error {
	// Not cancelled with Close, like marking sent.
	ctx := context.Background()
	if u, ok := e.store.(Undeliverable); ok {
		return u.MarkUndeliverable(ctx, out, reason, time.Now())
	}
	return e.store.MarkSent(ctx, out.Seq)
}

// mark is a delivered reply to mark sent; done, when set, is closed once
// the commit that marks it returned.
type mark struct {
	seq  uint64
	done chan struct{}
}

// maxMarks bounds how many sequences one commit marks sent.
const maxMarks = 4096

// mark marks delivered replies sent, as many per commit as have arrived
// meanwhile, until Close closes marks. The replies of a line are
// delivered one after the other and reach marks in that order, so what is
// marked sent must always be everything delivered up to some point: a
// commit that fails (the cluster lost a member, a timeout) is folded into
// the next one, tried again after a pause if no delivery brings one.
// Marking a later batch while an earlier one stays in the outbox would
// have the next leader send only the earlier reply again, after the later
// one, and leave the person at a prompt they are past.
func (e *Engine) mark() {
	defer close(e.markerDone)
	var owed []uint64 // delivered, their commit failed: in the next one
	wait := e.retryMin
	var retry <-chan time.Time
	open := true
	for open || len(owed) > 0 {
		var batch []mark
		if open {
			select {
			case m, ok := <-e.marks:
				if ok {
					batch = append(batch, m)
				} else {
					open = false
				}
			case <-retry:
			}
		}
	more:
		for open && len(owed)+len(batch) < maxMarks {
			select {
			case m, ok := <-e.marks:
				if !ok {
					open = false
					break more
				}
				batch = append(batch, m)
			default:
				break more
			}
		}
		seqs := owed
		for _, m := range batch {
			seqs = append(seqs, m.seq)
		}
		owed, retry = nil, nil
		// Not cancelled with Close: once the platform has the messages,
		// recording it is worth the few milliseconds. Once fenced, the
		// store refuses this engine's commits: the next leader sends
		// these again, and every later delivery of this engine with them.
		switch err := e.markSent(seqs); {
		case err == nil:
			wait = e.retryMin
		case !open:
			e.log.Error("mark replies sent; they will be sent again after a restart", "count", len(seqs), "err", err)
		default:
			owed, retry = seqs, time.After(wait)
			e.log.Warn("mark replies sent; will retry with the next ones", "count", len(seqs), "retry_in", wait, "err", err)
			wait = min(2*wait, e.retryMax)
		}
		for _, m := range batch {
			if m.done != nil {
				close(m.done)
			}
		}
	}
}

// markSent records seqs sent, unless the lead is lost (then the next
// leader sends them again and nothing is owed).
func (e *Engine) markSent(seqs []uint64) error {
	if len(seqs) == 0 {
		return nil
	}
	if e.fenced() {
		e.log.Warn("lead lost: delivered replies not marked sent; the next leader sends them again", "count", len(seqs))
		return nil
	}
	return e.store.MarkSent(context.Background(), seqs...)
}
