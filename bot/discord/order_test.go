package discord_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
	"consultbot/internal/fault"
)

// eventually waits, up to the harness's wait, for cond to hold.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not within %v", what, wait)
		}
		<-tick.C
	}
}

// crash stops the bot without draining its outbox, as SIGKILL leaves it:
// the replies not yet delivered are sent at the next start.
func (h *harness) crash() {
	h.t.Helper()
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("adapter run: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_ = h.eng.Close(ctx) // "replies left in the outbox" is the point
	if err := h.db.Close(); err != nil {
		h.t.Errorf("db close: %v", err)
	}
}

// An educator's replies go to one address per interaction (and to a direct
// message once a token has expired), so ordering them per address is not
// enough: after a restart, a reply whose first attempt failed must not be
// overtaken by a later reply to the same person through another address.
// The soak saw this as "session at a question while the last prompt is the
// theme menu".
func TestRepliesToOneEducatorKeepCommitOrderAcrossAddresses(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("chloe", "fr")
	menu, i := h.onboard(u, h.srv.Guild())

	// Both replies are committed before the bot dies: the first question
	// (for the theme click, an edit of the menu), which is refused, then
	// the theme menu (for /menu, typed while the question had not shown
	// up).
	h.srv.RateLimit("PATCH /webhooks/", 1, time.Minute, false)
	themeClick := h.click(u, menu, "Égal accès")
	if err := h.srv.Wait(wait, func() bool { return h.srv.RateLimited() >= 1 }); err != nil {
		t.Fatalf("the question's follow-up was never attempted: %v", err)
	}
	h.slash(u, h.srv.Guild(), "menu")
	eventually(t, "the /menu command committed", func() bool {
		s, _, err := h.db.Session(pid(u))
		return err == nil && s.Stage == flows.StageMenu
	})
	h.crash()

	// Down long enough for the theme click's token to expire: its reply
	// falls back to a direct message, whose first attempt is refused.
	h.srv.ExpireInteraction(themeClick)
	h.srv.RateLimit("POST /channels/", 1, 200*time.Millisecond, false)
	h.start()

	_, q := h.awaitText(u, i+1, "Question 1/5")
	_, m := h.awaitText(u, i+1, "Les thèmes")
	if m < q {
		t.Errorf("the theme menu (committed last) arrived before the first question: messages from %d:%s", i+1, dump(h.srv.Messages(u.ID)[i+1:]))
	}
}

// TestTapEditSurvivesARestart: the reply to a click is an edit of the
// clicked message, kept in the outbox with the interaction's token. Sent
// again after a restart, it still edits that message; no new message.
func TestTapEditSurvivesARestart(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("gael", "fr")
	menu, _ := h.onboard(u, h.srv.Guild())
	h.srv.Faults().Always(discordtest.RouteEditFollowUp, fault.Status500)
	edits := h.srv.Calls(discordtest.RouteEditFollowUp)
	h.click(u, menu, "Égal accès")
	eventually(t, "the click committed and its edit tried", func() bool {
		s, _, err := h.db.Session(pid(u))
		return err == nil && s.Stage == flows.StageQuestion && h.srv.Calls(discordtest.RouteEditFollowUp) > edits
	})
	h.crash()
	h.srv.Faults().Clear(discordtest.RouteEditFollowUp)
	count := len(h.srv.Messages(u.ID))
	h.start()
	q1, _ := h.awaitText(u, 0, "Question 1/5")
	if q1.ID != menu.ID {
		t.Errorf("after the restart the question came in message %s; want the clicked menu (%s) edited", q1.ID, menu.ID)
	}
	eventually(t, "the outbox emptied", func() bool {
		left, err := h.db.Pending(t.Context(), bot.ChannelDiscord, 0)
		return err == nil && len(left) == 0
	})
	if n := len(h.srv.Messages(u.ID)); n != count {
		t.Errorf("%d messages after the restart, want %d (no new one):%s", n, count, dump(h.srv.Messages(u.ID)))
	}
	h.checkWire()
}

// An interaction from the gateway is acknowledged only once its event is
// committed: acknowledged first, a crash before the commit would lose an
// action Discord already shows the person as taken. Every event of the
// onboarding reaches the engine before Discord has any response to its
// interaction.
func TestGatewayCommitsBeforeAcknowledging(t *testing.T) {
	var mu sync.Mutex
	var early []string
	h := newHarness(t, discordtest.Options{}, nil)
	h.handling = func(in bot.Inbound) {
		id, ok := strings.CutPrefix(in.ID, "discord:interaction:")
		if !ok {
			return
		}
		for _, a := range h.srv.Acks() {
			// Past 1.5 s an ack may go before the commit, by design (a
			// starved test machine can get there).
			if a.InteractionID == id && a.Latency < 1500*time.Millisecond {
				mu.Lock()
				early = append(early, fmt.Sprintf("%s (%s)", id, in.Event.Kind))
				mu.Unlock()
			}
		}
	}
	u := h.srv.NewUser("iris", "fr")
	m, _ := h.onboard(u, h.srv.Guild())
	h.click(u, m, "Égal accès")
	h.awaitText(u, 0, "Question 1/5")
	h.checkWire()
	mu.Lock()
	defer mu.Unlock()
	if len(early) > 0 {
		t.Errorf("interactions acknowledged before their event was committed: %v", early)
	}
}

// lastPrompt is the last of msgs that offers buttons.
func lastPrompt(msgs []discordtest.Message) (discordtest.Message, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Rows) > 0 {
			return msgs[i], true
		}
	}
	return discordtest.Message{}, false
}

// A follow-up whose answer is lost (a proxy cut it) may have been
// created: sent again, its prompt is in the chat twice. Answering a tap
// on the upper copy in place would leave the lower one, a question the
// person is past, as the last prompt on screen; the reply comes below
// instead. The soak saw this as "session at the first question while the
// last prompt is the consent".
func TestPromptSentTwiceAfterALostAnswerIsNotLeftBelow(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("lou", "fr")
	const consent, profile = "Avant de commencer", "Vous répondez en tant que"
	// The consent question is /contribuer's second reply, a follow-up:
	// Discord creates it, and its answer is cut in half.
	h.srv.Faults().Always(discordtest.RouteFollowUp, fault.BrokenJSON)
	h.slash(u, h.srv.Guild(), "contribuer")
	eventually(t, "the consent follow-up's answer broken", func() bool { return h.srv.Faults().Total() >= 1 })
	h.srv.Faults().Clear(discordtest.RouteFollowUp)
	var copies []discordtest.Message
	if _, err := h.srv.WaitUser(u.ID, wait, func(ms []discordtest.Message) bool {
		copies = copies[:0]
		for _, m := range ms {
			if strings.Contains(m.Content, consent) {
				copies = append(copies, m)
			}
		}
		return len(copies) >= 2
	}); err != nil {
		t.Fatalf("the consent question was not sent again after its answer was lost: %v%s", err, dump(h.srv.Messages(u.ID)))
	}

	h.click(u, copies[0], "accepte")
	h.awaitText(u, 0, profile)
	last, _ := lastPrompt(h.srv.Messages(u.ID))
	if !strings.Contains(last.Content, profile) {
		t.Errorf("the last prompt on screen is not the profile question the session stands at:%s", dump(h.srv.Messages(u.ID)))
	}
	h.checkWire()
}
