package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/internal/logbuf"
)

// settleBench is an adapter Sending straight to the fake, without an
// engine, as a process after a kill would: the test lays out the chats'
// message ids first.
type settleBench struct {
	t    *testing.T
	fake *telegramtest.Server
	logs *logbuf.Buffer
	seq  uint64
}

// Chats of the settle tests: the person the announcement is for, and
// others.
const (
	settleChat = 4100
	otherChat  = 4200
	thirdChat  = 4300
)

func newSettleBench(t *testing.T) *settleBench {
	fake := newFake(t)
	for _, id := range []int64{settleChat, otherChat, thirdChat} {
		fake.KnowPrivateChat(id)
	}
	return &settleBench{t: t, fake: fake, logs: &logbuf.Buffer{}}
}

// adapter starts a new adapter (a new process) on the fake.
func (b *settleBench) adapter() *telegram.Adapter {
	b.t.Helper()
	return b.adapterWaiting(0)
}

// adapterWaiting starts a new adapter whose unsettled announcements wait
// probeWait for a newer message id (zero: the default).
func (b *settleBench) adapterWaiting(probeWait time.Duration) *telegram.Adapter {
	b.t.Helper()
	ad, err := telegram.New(context.Background(), nobody{}, telegram.Options{
		Token: b.fake.Token(), APIEndpoint: b.fake.URL(), IDKey: testIDKey, Limits: adapterLimits,
		Logger: slog.New(slog.NewTextHandler(b.logs, nil)), ProbeWait: probeWait,
	})
	if err != nil {
		b.t.Fatal(err)
	}
	return ad
}

// announcement is an announcement to chat, as the outbox holds it.
func (b *settleBench) announcement(chat int64) bot.Outgoing {
	b.seq++
	return bot.Outgoing{
		Seq: b.seq, Channel: bot.ChannelTelegram, Address: strconv.FormatInt(chat, 10), Participant: pid(chat),
		Reply: flows.Reply{Title: "Annonce de l'équipe d'organisation", Text: "La consultation ferme dans trois jours."},
		Low:   true, CreatedAt: time.Now(),
	}
}

// send delivers out with ad and fails the test on an error.
func (b *settleBench) send(ad *telegram.Adapter, out bot.Outgoing) {
	b.t.Helper()
	if err := ad.Send(context.Background(), out); err != nil {
		b.t.Fatalf("send %d to %s: %v", out.Seq, out.Address, err)
	}
}

// live is a reply to chat from a conversation.
func (b *settleBench) live(chat int64, text string) bot.Outgoing {
	b.seq++
	return bot.Outgoing{Seq: b.seq, Channel: bot.ChannelTelegram, Address: strconv.FormatInt(chat, 10), Participant: pid(chat), Reply: flows.Reply{Text: text}}
}

// lastID is the id of the last message of chat.
func (b *settleBench) lastID(chat int64) int {
	b.t.Helper()
	m, ok := b.fake.LastMessage(chat)
	if !ok {
		b.t.Fatalf("no message in chat %d", chat)
	}
	return m.ID
}

// count counts the announcements chat has.
func (b *settleBench) count(chat int64) int {
	n := 0
	for _, m := range b.fake.Messages(chat) {
		if strings.Contains(m.Text, "ferme dans trois jours") {
			n++
		}
	}
	return n
}

// claimed starts the process to be killed, which sends a message to
// another chat, then claims an announcement to the person: its note is
// that message's id, the highest the process had seen. It returns the
// process and the announcement, not sent yet.
func (b *settleBench) claimed() (*telegram.Adapter, bot.Outgoing) {
	b.t.Helper()
	first := b.adapter()
	b.send(first, b.live(otherChat, "Bonjour"))
	out := b.announcement(settleChat)
	out.ClaimNote = strconv.Itoa(b.lastID(otherChat))
	return first, out
}

// until is a Send error's condition: the reply is tried again once it
// is closed.
type until interface{ Until() <-chan struct{} }

// waitUntil returns what err asks the engine to wait for, failing the
// test when err asks for nothing.
func (b *settleBench) waitUntil(err error, what string) <-chan struct{} {
	b.t.Helper()
	var u until
	if !errors.As(err, &u) || u.Until() == nil {
		b.t.Fatalf("%s: %v, want a wait until a condition", what, err)
	}
	return u.Until()
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// settleAfterRestart is what a new process does with out, claimed by a
// killed one: the engine tells the adapter at start; replies to other
// chats go, the first of them gives the adapter a message id newer than
// the claim, and out's Send settles it.
func (b *settleBench) settleAfterRestart(out bot.Outgoing) *telegram.Adapter {
	b.t.Helper()
	ad := b.adapter()
	out.Claimed = true
	ad.Unsettled(out)
	// Nothing else goes to the chat meanwhile (twice tried: held both
	// times, until the announcement is settled), and out waits for an
	// id.
	var held []<-chan struct{}
	for range 2 {
		held = append(held, b.waitUntil(ad.Send(context.Background(), b.live(settleChat, "Question suivante")), "a live reply to the unsettled chat"))
	}
	newer := b.waitUntil(ad.Send(context.Background(), out), "settling before any newer message id")
	if isClosed(newer) || isClosed(held[0]) {
		b.t.Fatal("the waits are over before anything happened")
	}
	b.send(ad, b.live(thirdChat, "Bonjour"))
	if !isClosed(newer) {
		b.t.Fatal("a newer message id is known, and the announcement still waits for one")
	}
	if isClosed(held[0]) {
		b.t.Fatal("the live replies may go before the announcement is settled")
	}
	b.send(ad, out)
	ad.Settled(out) // the engine, once it is marked sent
	for _, c := range held {
		if !isClosed(c) {
			b.t.Fatal("the announcement is settled, and the live replies still wait")
		}
	}
	b.send(ad, b.live(settleChat, "Question suivante"))
	return ad
}

// TestSettleWaitLoggedOnce: a chat held while its announcement is
// settled says so once when the wait starts and once when it ends, with
// how many replies were held, and never the announcement's text.
func TestSettleWaitLoggedOnce(t *testing.T) {
	b := newSettleBench(t)
	first, out := b.claimed()
	b.send(first, out)
	b.settleAfterRestart(out)
	logs := b.logs.String()
	if n := strings.Count(logs, "chat waits for its interrupted announcement"); n != 1 {
		t.Errorf("the wait is logged %d times, want once:\n%s", n, logs)
	}
	if n := strings.Count(logs, "interrupted announcement settled"); n != 1 || !strings.Contains(logs, "held=2") {
		t.Errorf("the end of the wait is logged %d times, want once with held=2:\n%s", n, logs)
	}
	if strings.Contains(logs, "trois jours") {
		t.Errorf("the logs hold the announcement's text:\n%s", logs)
	}
}

// TestSettleWithNoNewerID: after the restart nothing else is sent (the
// end of a campaign, no live traffic), so no message id newer than the
// claim comes. Once the probe's wait is over (shortened here), the probe
// tries the ids after the claim on its own: the announcement found there
// is not sent again; one not found is sent, once, after the whole cap.
func TestSettleWithNoNewerID(t *testing.T) {
	for _, arrived := range []bool{true, false} {
		t.Run(fmt.Sprint("arrived=", arrived), func(t *testing.T) {
			b := newSettleBench(t)
			first, out := b.claimed()
			if arrived {
				b.send(first, out)
			}
			edits := b.fake.Requests("editMessageText")

			ad := b.adapterWaiting(time.Millisecond)
			out.Claimed = true
			ad.Unsettled(out)
			over := b.waitUntil(ad.Send(context.Background(), out), "settling before any newer message id")
			select {
			case <-over:
			case <-time.After(10 * time.Second):
				t.Fatal("the probe's wait never ended")
			}
			b.send(ad, out)
			ad.Settled(out)
			if n := b.count(settleChat); n != 1 {
				t.Errorf("the person has the announcement %d times, want once", n)
			}
			tried, want := b.fake.Requests("editMessageText")-edits, 1
			if !arrived {
				want = 1000
			}
			if tried != want {
				t.Errorf("%d ids tried, want %d", tried, want)
			}
			if !arrived && !strings.Contains(b.logs.String(), "not found up to the probe cap, no newer message id known") {
				t.Errorf("logs do not say the cap was tried without a newer id:\n%s", b.logs)
			}
		})
	}
}

// TestSettleInterruptedAnnouncement lays out the message ids a kill can
// leave between an announcement's claim (note L) and the first message a
// new process sends (H), and settles the announcement: found in the
// chat, it is not sent again; not found, it is sent, once.
func TestSettleInterruptedAnnouncement(t *testing.T) {
	for _, tc := range []struct {
		name    string
		layout  func(b *settleBench, ad *telegram.Adapter, out bot.Outgoing)
		arrived bool
	}{
		{"arrived", func(b *settleBench, ad *telegram.Adapter, out bot.Outgoing) {
			b.send(ad, out)
		}, true},
		{"did not arrive", func(b *settleBench, ad *telegram.Adapter, out bot.Outgoing) {}, false},
		{"arrived after the person's own message and other chats' messages", func(b *settleBench, ad *telegram.Adapter, out bot.Outgoing) {
			b.fake.SendText(telegramtest.User{ID: settleChat}, "merci")
			b.send(ad, b.live(otherChat, "Réponse enregistrée"))
			b.fake.SendText(telegramtest.User{ID: thirdChat}, "bonjour")
			b.send(ad, out)
			b.fake.SendText(telegramtest.User{ID: settleChat}, "encore merci")
		}, true},
		{"did not arrive, the person's own message and other chats' in the range", func(b *settleBench, ad *telegram.Adapter, out bot.Outgoing) {
			b.send(ad, b.live(otherChat, "Réponse enregistrée"))
			b.fake.SendText(telegramtest.User{ID: settleChat}, "merci")
			b.fake.SendText(telegramtest.User{ID: thirdChat}, "bonjour")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newSettleBench(t)
			first, out := b.claimed()
			tc.layout(b, first, out)

			b.settleAfterRestart(out)
			if n := b.count(settleChat); n != 1 {
				t.Errorf("the person has the announcement %d times, want once", n)
			}
			msgs := b.fake.Messages(settleChat)
			if last := msgs[len(msgs)-1]; last.Text != "Question suivante" {
				t.Errorf("last message %q, want the live reply held while settling", last.Text)
			}
			for _, chat := range []int64{otherChat, thirdChat} {
				for _, m := range b.fake.Messages(chat) {
					if m.Edits > 0 {
						t.Errorf("chat %d: message %d %q was edited by the probe", chat, m.ID, m.Text)
					}
				}
			}
			for _, m := range msgs {
				if m.Edits > 0 {
					t.Errorf("message %d %q was edited by the probe", m.ID, m.Text)
				}
			}
			want := "had not arrived: sending it"
			if tc.arrived {
				want = "had arrived: not sent again"
			}
			if !strings.Contains(b.logs.String(), want) {
				t.Errorf("logs do not say %q:\n%s", want, b.logs)
			}
		})
	}
}

// TestSettleBeyondTheProbeCap: more messages than the probe's cap between
// the claim and the announcement itself (the bot's private chats busy
// while it was down): it is not found, and sent again; it arrives twice,
// the documented limit, and the log says so with the counts.
func TestSettleBeyondTheProbeCap(t *testing.T) {
	b := newSettleBench(t)
	first, out := b.claimed()
	for i := range 1000 {
		b.fake.SendText(telegramtest.User{ID: thirdChat}, "message "+strconv.Itoa(i))
	}
	b.send(first, out)

	b.settleAfterRestart(out)
	if n := b.count(settleChat); n != 2 {
		t.Errorf("the person has the announcement %d times, want twice (beyond the cap)", n)
	}
	if n := b.fake.Requests("editMessageText"); n != 1000 {
		t.Errorf("%d ids tried, want the cap, 1000", n)
	}
	if logs := b.logs.String(); !strings.Contains(logs, "not found within the probe cap") || !strings.Contains(logs, "cap=1000") {
		t.Errorf("logs do not report the cap:\n%s", logs)
	}
}
