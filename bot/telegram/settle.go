package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
)

// An announcement goes exactly once although Telegram has no idempotency
// key and a bot cannot read a chat back. Three facts make it possible:
//
//   - the messages of all of a bot's private chats, sent and received,
//     are numbered by one increasing counter of the bot account (MTProto's
//     "common message box": tdlib/td#2419; mautrix/telegram#51, "messages
//     in private chats and normal groups have per-user unique IDs");
//   - editMessageText with exactly the text and reply markup a message
//     already has answers 400 « message is not modified »;
//   - on an id that is no message of that chat it answers « message to
//     edit not found », on the person's own message « message can't be
//     edited », and changes nothing.
//
// So the claim of an announcement (bot.Claim) notes L, the highest
// private-chat message id the adapter had seen. If the claim outlives its
// Send (a kill, a timeout), the announcement is unsettled: once the
// adapter has seen H, the id of a message it sent after that (the answer
// to a request it issued later), it tries ids L+1 … H-1 of the chat with
// the announcement's exact text and markup. « not modified »: it arrived,
// it is marked sent. None: it did not, it is sent. That is harmless only
// if no other bot message of that chat can be in the range, so a chat's
// live replies and low-priority sends never have requests in flight at
// the same time (chatGate), the probe counting as a low-priority send,
// and nothing goes to an unsettled chat before its announcement is
// settled but live replies held for Options.ReplyHold: those go between
// attempts, never during a probe, and the first one's id is the H that
// bounds the next probe. The probe is bounded (probeCap ids, at the
// low-priority rate); beyond the cap the announcement is sent again, at
// least once in that rare case.

// probeCap is how many message ids a probe tries at most: the bot's
// private chats would have to see that many messages between a claim and
// the first answer after a restart (or a failure) for it to be reached.
const probeCap = 1000

// DefaultProbeWait is how long an unsettled announcement waits for a
// message id newer than its claim before the probe tries the whole cap
// instead (Options.ProbeWait).
const DefaultProbeWait = 10 * time.Second

// msgIDs follows the message ids of the bot's private chats.
type msgIDs struct {
	mu         sync.Mutex
	seen       int    // highest id seen: sent, or received
	issued     uint64 // message-creating requests issued so far
	lastIssued uint64 // the latest issued of those answered with an id
	lastID     int    // its message's id
	// newer is closed, and replaced, when lastIssued moves on; nil
	// until someone waits for it.
	newer chan struct{}
}

// issue counts one request that creates a message in a private chat,
// about to leave, and returns its number.
func (m *msgIDs) issue() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.issued++
	return m.issued
}

// count returns how many such requests were issued so far.
func (m *msgIDs) count() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.issued
}

// answered records id, the message created by request issued.
func (m *msgIDs) answered(issued uint64, id int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = max(m.seen, id)
	if issued > m.lastIssued {
		m.lastIssued, m.lastID = issued, id
		m.wakeLocked()
	}
}

// wake closes newer, so that whoever waits on it looks again.
func (m *msgIDs) wake() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wakeLocked()
}

func (m *msgIDs) wakeLocked() {
	if m.newer != nil {
		close(m.newer)
		m.newer = nil
	}
}

// saw records a message id met elsewhere (a person's message).
func (m *msgIDs) saw(id int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = max(m.seen, id)
}

// high is the highest id seen, 0 when none yet.
func (m *msgIDs) high() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen
}

// after returns the id of a message created by a request issued after
// the since-th, if one was answered; when none was, newer is closed once
// a later request is answered.
func (m *msgIDs) after(since uint64) (id int, ok bool, newer <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lastIssued > since {
		return m.lastID, true, nil
	}
	if m.newer == nil {
		m.newer = make(chan struct{})
	}
	return 0, false, m.newer
}

// answerID reads the id of the private-chat message a sending request
// created from its answer; false for anything else.
func answerID(resp *tgbotapi.APIResponse) (int, bool) {
	if resp == nil || len(resp.Result) == 0 {
		return 0, false
	}
	var m struct {
		MessageID int `json:"message_id"`
		Chat      struct {
			Type string `json:"type"`
		} `json:"chat"`
	}
	if json.Unmarshal(resp.Result, &m) != nil || m.MessageID <= 0 || m.Chat.Type != "private" {
		return 0, false
	}
	return m.MessageID, true
}

// unsettled is an announcement whose claim outlived its Send.
type unsettled struct {
	seq   uint64
	after int       // L: its claim's note; 0 when unknown
	since uint64    // H must come from a request issued after this one
	asked time.Time // when it became unsettled
	next  int       // next id to try

	// Guarded by chatGate.mu.
	done   chan struct{} // closed once settled: what waits on the chat goes
	held   int           // replies to the chat held meanwhile
	logged bool          // the wait was logged: its end will be
	hold   *replyHold    // shared by the announcement's failed attempts
}

// replyHold is how long an unsettled announcement has held its chat's
// live replies, across its failed attempts. Guarded by chatGate.mu.
type replyHold struct {
	// release is closed Options.ReplyHold after the announcement first
	// became unsettled, or once it is settled: live replies go then.
	release  chan struct{}
	released bool
	passed   bool // a live reply went before it: logged once
}

// chatUse is what goes on in one private chat.
type chatUse struct {
	live, low int // sending requests in flight
	open      *unsettled
}

// chatGate keeps, per private chat, live replies and low-priority sends
// from having requests in flight at the same time, and holds every
// sending request to a chat whose announcement is unsettled.
type chatGate struct {
	holdFor time.Duration // how long live replies wait for an unsettled announcement

	mu      sync.Mutex
	chats   map[int64]*chatUse
	changed chan struct{} // closed and replaced when a request leaves
	log     *slog.Logger
	attr    func(chat int64) slog.Attr // how logs name a chat
}

func newChatGate(log *slog.Logger, attr func(int64) slog.Attr, replyHold time.Duration) *chatGate {
	return &chatGate{holdFor: replyHold, chats: map[int64]*chatUse{}, changed: make(chan struct{}), log: log, attr: attr}
}

// DefaultReplyHold is how long a live reply waits for its chat's
// unsettled announcement (Options.ReplyHold): an announcement that keeps
// failing on Telegram's side holds the person's answer this long at most,
// then lands below it. The live reply's message id then bounds the
// announcement's probe, so nothing is edited but the announcement.
const DefaultReplyHold = 5 * time.Second

// errUnsettled is the failure of a reply that must wait for a chat's
// interrupted announcement: held until it is settled, or the announcement
// itself until it can be. The engine tries again once until is closed,
// counting nothing and logging nothing; the gate logs the wait once per
// chat.
type errUnsettled struct{ until <-chan struct{} }

func (e *errUnsettled) Error() string {
	return "telegram chat waits for an interrupted announcement to be settled"
}

// Until is closed when the reply may be tried again.
func (e *errUnsettled) Until() <-chan struct{} { return e.until }

// hold counts a reply to chat held by u, its unsettled announcement, and
// returns its failure; the first one held logs that the chat waits. A
// live reply is tried again once u is settled or has held live replies
// long enough (release), a low one once u is settled. mu must be held.
func (g *chatGate) hold(chat int64, u *unsettled, live bool) error {
	u.held++
	g.waits(chat, u)
	if live {
		return &errUnsettled{until: u.hold.release}
	}
	return &errUnsettled{until: u.done}
}

// passes reports whether a live reply to chat goes although u, its
// announcement, is unsettled: u has held the chat's replies long enough.
// mu must be held.
func (g *chatGate) passes(chat int64, u *unsettled) bool {
	if !u.hold.released {
		return false
	}
	if !u.hold.passed {
		u.hold.passed = true
		g.log.Warn("interrupted announcement still unsettled after the reply hold: the chat's replies go before it", g.attr(chat), "seq", u.seq, "held", g.holdFor)
	}
	return true
}

// free closes h's release once; mu must be held.
func (g *chatGate) free(h *replyHold) {
	if !h.released {
		h.released = true
		close(h.release)
	}
}

// waits logs, once per unsettled announcement, that its chat waits for
// it to be settled. mu must be held.
func (g *chatGate) waits(chat int64, u *unsettled) {
	if !u.logged {
		u.logged = true
		g.log.Info("chat waits for its interrupted announcement to be settled before anything else goes to it", g.attr(chat), "seq", u.seq)
	}
}

// held returns the failure of a live reply to chat while its
// announcement is unsettled, nil when it may go.
func (g *chatGate) held(chat int64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.chats[chat]; c != nil && c.open != nil && !g.passes(chat, c.open) {
		return g.hold(chat, c.open, true)
	}
	return nil
}

// enter waits until a sending request to chat may leave: a live one
// while no low one is in flight, a low one while no live one is; it
// fails with errUnsettled when the chat has an unsettled announcement
// other than seq's. The caller calls the returned leave once the request
// completed.
func (g *chatGate) enter(ctx context.Context, chat int64, low bool, seq uint64) (leave func(), err error) {
	if chat <= 0 {
		return func() {}, nil
	}
	for {
		g.mu.Lock()
		c := g.chats[chat]
		if c == nil {
			c = &chatUse{}
			g.chats[chat] = c
		}
		if c.open != nil && (low && c.open.seq != seq || !low && !g.passes(chat, c.open)) {
			err := g.hold(chat, c.open, !low)
			g.mu.Unlock()
			return nil, err
		}
		busy := c.low > 0
		if low {
			busy = c.live > 0
		}
		if !busy {
			if low {
				c.low++
			} else {
				c.live++
			}
			g.mu.Unlock()
			return func() { g.leave(chat, low) }, nil
		}
		changed := g.changed
		g.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (g *chatGate) leave(chat int64, low bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.chats[chat]
	if low {
		c.low--
	} else {
		c.live--
	}
	if c.live == 0 && c.low == 0 && c.open == nil {
		delete(g.chats, chat)
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// unsettle records u as chat's unsettled announcement. The same
// announcement unsettled again (a failed attempt at it, claimed anew)
// keeps what waits on it.
func (g *chatGate) unsettle(chat int64, u *unsettled) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.chats[chat]
	if c == nil {
		c = &chatUse{}
		g.chats[chat] = c
	}
	switch old := c.open; {
	case old != nil && old.seq == u.seq:
		u.done, u.held, u.logged = old.done, old.held, old.logged
		u.hold = old.hold
	case old != nil:
		close(old.done) // what waited on it tries again, and waits on u
		g.free(old.hold)
	}
	if u.done == nil {
		u.done = make(chan struct{})
	}
	if u.hold == nil {
		h := &replyHold{release: make(chan struct{})}
		u.hold = h
		time.AfterFunc(g.holdFor, func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.free(h)
		})
	}
	c.open = u
}

// settle forgets chat's unsettled announcement seq.
func (g *chatGate) settle(chat int64, seq uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.chats[chat]
	if c == nil || c.open == nil || c.open.seq != seq {
		return
	}
	u := c.open
	close(u.done)
	g.free(u.hold)
	if u.logged {
		g.log.Info("interrupted announcement settled: the chat's replies go again", g.attr(chat), "seq", seq, "held", u.held, "waited", time.Since(u.asked).Round(time.Millisecond))
	}
	c.open = nil
	if c.live == 0 && c.low == 0 {
		delete(g.chats, chat)
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// open returns chat's unsettled announcement seq, nil if none.
func (g *chatGate) open(chat int64, seq uint64) *unsettled {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.chats[chat]; c != nil && c.open != nil && c.open.seq == seq {
		return c.open
	}
	return nil
}

// claimNote is what a claim records: the highest message id seen, or
// nothing before any.
func claimNote(high int) string {
	if high <= 0 {
		return ""
	}
	return strconv.Itoa(high)
}

// privateChat returns the private chat of an announcement's address.
func privateChat(out bot.Outgoing) (int64, bool) {
	addr, err := parseAddress(out.Address)
	return addr.chat, err == nil && addr.chat > 0 && out.Low && !out.Once
}

// Unsettled records out, an announcement claimed before a stop and not
// marked sent, so that nothing goes to its chat before Send settles it.
func (a *Adapter) Unsettled(out bot.Outgoing) {
	chat, ok := privateChat(out)
	if !ok {
		return
	}
	u := a.newUnsettled(out.Seq, out.ClaimNote)
	a.ids.saw(u.after) // a lower bound for this process's claims too
	a.gate.unsettle(chat, u)
}

// newUnsettled is the announcement seq, claimed with note, unsettled from
// now on: only a message id from a request issued later bounds the probe.
func (a *Adapter) newUnsettled(seq uint64, note string) *unsettled {
	after, _ := strconv.Atoi(note)
	return &unsettled{seq: seq, after: after, since: a.ids.count(), asked: time.Now(), next: after + 1}
}

// Settled forgets out, delivered, given up or no longer claimed.
func (a *Adapter) Settled(out bot.Outgoing) {
	if chat, ok := privateChat(out); ok {
		a.gate.settle(chat, out.Seq)
	}
}

// unsettledAfter records, under the chat's gate, that out's request
// failed once claimed with note: the platform may have it.
func (a *Adapter) unsettledAfter(chat int64, out *bot.Outgoing, note string) {
	a.gate.unsettle(chat, a.newUnsettled(out.Seq, note))
}

// awaitID is the failure of u's Send while no message id newer than its
// claim is known: it is tried again once one is (newer), or once the
// probe's wait is over, whichever comes first.
func (a *Adapter) awaitID(chat int64, u *unsettled, newer <-chan struct{}) error {
	a.gate.mu.Lock()
	a.gate.waits(chat, u)
	a.gate.mu.Unlock()
	// The probe's wait over, newer is closed too (waking any other
	// announcement that waits: it looks again).
	time.AfterFunc(a.opts.ProbeWait-time.Since(u.asked), a.ids.wake)
	return &errUnsettled{until: newer}
}

// settle finds out whether out, unsettled, arrived in chat, by trying the
// ids after its claim with p, its message (see the top of this file). It
// reports true when it did; false when it did not, or when it cannot be
// told (no note, the cap reached), and out is to be sent.
func (a *Adapter) settle(ctx context.Context, chat int64, out bot.Outgoing, p part) (bool, error) {
	u := a.gate.open(chat, out.Seq)
	if u == nil {
		// Claimed, and not known here as unsettled: as after a restart.
		u = a.newUnsettled(out.Seq, out.ClaimNote)
		a.gate.unsettle(chat, u)
	}
	attrs := []any{a.chatAttr(chat), "seq", out.Seq}
	if u.after <= 0 {
		a.log.Warn("interrupted announcement claimed before any message id was known: sending it again, it may arrive twice", attrs...)
		return false, nil
	}
	// The probe holds the chat as a low-priority request does: a live
	// reply that no longer waits for the announcement (Options.ReplyHold)
	// is not in flight meanwhile, and one that went before has its id
	// known, above the range.
	leave, err := a.gate.enter(ctx, chat, true, out.Seq)
	if err != nil {
		return false, err
	}
	defer leave()
	h, known, newer := a.ids.after(u.since)
	last := u.after + probeCap
	switch {
	case known:
		last = min(last, h-1)
	case time.Since(u.asked) < a.opts.ProbeWait:
		return false, a.awaitID(chat, u, newer)
	}
	tried := 0
	for ; u.next <= last; u.next++ {
		err := a.probe(ctx, chat, u.next, p)
		tried++
		switch {
		case err == nil:
			// Not the announcement, yet a message of the bot: the gate
			// should have made this impossible. It is the announcement
			// now.
			a.log.Error("probe edited a message that was not the interrupted announcement", append(attrs, "message", u.next)...)
			return true, nil
		case strings.Contains(err.Error(), "message is not modified"):
			a.log.Info("interrupted announcement had arrived: not sent again", append(attrs, "message", u.next, "tried", tried)...)
			return true, nil
		case strings.Contains(err.Error(), "message to edit not found"), strings.Contains(err.Error(), "message can't be edited"):
		default:
			return false, err // tried again from u.next
		}
	}
	switch {
	case known && h-1 > last:
		a.log.Warn("interrupted announcement not found within the probe cap: sending it again, it may arrive twice", append(attrs, "cap", probeCap, "range", h-1-u.after)...)
	case !known:
		a.log.Info("interrupted announcement not found up to the probe cap, no newer message id known: sending it", append(attrs, "cap", probeCap)...)
	default:
		a.log.Info("interrupted announcement had not arrived: sending it", append(attrs, "tried", tried)...)
	}
	return false, nil
}

// probe tries message id of chat with p's exact text and keyboard, at the
// low-priority rate, and returns Telegram's answer. It claims nothing.
func (a *Adapter) probe(ctx context.Context, chat int64, id int, p part) error {
	edit := tgbotapi.NewEditMessageText(chat, id, p.html)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	edit.ReplyMarkup = p.keyboard
	release, err := a.lim.waitLow(ctx, 0)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, sendTimeout)
	_, err = a.request(rctx, edit)
	cancel()
	release()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return classify(err, false)
}
