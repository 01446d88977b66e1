package discord

import (
	"context"
	"strings"
	"sync"
	"time"

	"consultbot/bot"
)

// addrDM is the address prefix of a direct message to a user by their id,
// opened when first used: where reminders and announcements go.
const addrDM = "dm:"

// lowInterval spaces low-priority sends: at most 5 a second, a tenth of
// Discord's 50 requests a second for a bot, whatever live replies take.
const lowInterval = 200 * time.Millisecond

// lowGate lets a low-priority reply (reminder, announcement) go only
// when no live reply is being sent, one at a time and at most one per
// lowInterval, so that campaigns use only what conversations leave of
// Discord's limits (discordgo still honours each route's bucket). A live
// reply to the person a low-priority one is being sent to waits for it
// to end: it answers something they did after the low-priority reply
// was claimed (bot.Claim), and must come below it, the last message.
type lowGate struct {
	mu    sync.Mutex
	live  int           // live sends in flight
	last  time.Time     // when the last low send started
	lowMu sync.Mutex    // one low send at a time
	idle  chan struct{} // closed and replaced when live reaches zero
	// lowFor is the person the low send in flight goes to, "" when none;
	// lowDone is closed when it ends.
	lowFor  string
	lowDone chan struct{}
}

// enter waits for out's turn; the caller calls done once sent.
func (g *lowGate) enter(ctx context.Context, out bot.Outgoing) (done func(), err error) {
	if !out.Low {
		return g.enterLive(ctx, out.Participant)
	}
	g.lowMu.Lock()
	for {
		g.mu.Lock()
		wait := time.Until(g.last.Add(lowInterval))
		var idle chan struct{}
		if g.live > 0 {
			if g.idle == nil {
				g.idle = make(chan struct{})
			}
			idle = g.idle
		}
		if idle == nil && wait <= 0 {
			g.last = time.Now()
			g.lowFor, g.lowDone = out.Participant, make(chan struct{})
			g.mu.Unlock()
			return g.leaveLow, nil
		}
		g.mu.Unlock()
		if wait <= 0 {
			wait = lowInterval // live sends in flight: their end wakes us
		}
		t := time.NewTimer(wait)
		select {
		case <-idle:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			g.lowMu.Unlock()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

// enterLive counts a live send to participant in flight, once no low
// send to them is.
func (g *lowGate) enterLive(ctx context.Context, participant string) (done func(), err error) {
	for {
		g.mu.Lock()
		if participant == "" || g.lowFor != participant {
			g.live++
			g.mu.Unlock()
			return g.leaveLive, nil
		}
		lowDone := g.lowDone
		g.mu.Unlock()
		select {
		case <-lowDone:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (g *lowGate) leaveLive() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.live--
	if g.live == 0 && g.idle != nil {
		close(g.idle)
		g.idle = nil
	}
}

func (g *lowGate) leaveLow() {
	g.mu.Lock()
	close(g.lowDone)
	g.lowFor, g.lowDone = "", nil
	g.mu.Unlock()
	g.lowMu.Unlock()
}

// SendsLow marks the adapter as honouring Outgoing.Low.
func (a *Adapter) SendsLow() {}

// LaterAddress is where a reminder reaches the person of address: a
// direct message (an interaction's token lasts 15 minutes).
func (a *Adapter) LaterAddress(address string) (string, bool) {
	switch {
	case strings.HasPrefix(address, addrInteraction), strings.HasPrefix(address, addrPublic):
		if ia := parseInteractionAddress(address); ia.userID != "" {
			return addrDM + ia.userID, true
		}
	case strings.HasPrefix(address, addrChannel), strings.HasPrefix(address, addrDM):
		return address, true // a direct-message channel
	}
	return "", false
}

var (
	_ bot.Reachable = (*Adapter)(nil)
	_ bot.LowSender = (*Adapter)(nil)
)
