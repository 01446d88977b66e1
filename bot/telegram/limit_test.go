package telegram_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
)

// nobody handles no update: these tests only send.
type nobody struct{}

func (nobody) Handle(context.Context, bot.Inbound) (bot.Applied, error) {
	return bot.Applied{}, nil
}

// With Telegram's real limits on both sides, far more messages than the
// 30/s ceiling lets through at once — to many chats, several to some of
// them, two senders at a time to a few (the engine and the organiser
// commands), and to groups — all arrive and Telegram never answers 429.
// The fake counts a message when it arrives, so this holds only if the
// adapter's limits hold at arrival, not merely when it decides to send.
func TestSaturatedSendingNeverFloods(t *testing.T) {
	fake := telegramtest.NewServer(telegramtest.Options{}) // Telegram's limits
	t.Cleanup(fake.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ad, err := telegram.New(ctx, nobody{}, telegram.Options{Token: fake.Token(), APIEndpoint: fake.URL()})
	if err != nil {
		t.Fatalf("new adapter: %v", err)
	}

	type job struct {
		chat     int64
		messages int
		senders  int // sending the chat's messages at the same time
	}
	var jobs []job
	for i := range 40 {
		jobs = append(jobs, job{chat: 300000 + int64(i), messages: 2, senders: 1})
	}
	for i := range 4 {
		jobs = append(jobs, job{chat: 310000 + int64(i), messages: 4, senders: 2})
	}
	for i := range 2 {
		jobs = append(jobs, job{chat: -320000 - int64(i), messages: 3, senders: 1})
	}
	want := 0
	for _, j := range jobs {
		if j.chat < 0 {
			fake.JoinGroup(telegramtest.Group{ID: j.chat})
		} else {
			fake.SendText(telegramtest.User{ID: j.chat}, "/start") // Telegram knows the chat
		}
		want += j.messages
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		seq  uint64
	)
	for _, j := range jobs {
		for s := range j.senders {
			var outs []bot.Outgoing
			for m := s; m < j.messages; m += j.senders {
				seq++
				outs = append(outs, bot.Outgoing{Seq: seq, Channel: bot.ChannelTelegram, Address: strconv.FormatInt(j.chat, 10),
					Reply: flows.Reply{Text: fmt.Sprintf("Message %d pour %d", m, j.chat)}})
			}
			wg.Go(func() {
				for _, out := range outs {
					if err := ad.Send(ctx, out); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for _, err := range errs {
		t.Errorf("send: %v", err)
	}
	if got := fake.SentTotal(); got != want {
		t.Errorf("Telegram received %d messages, want %d", got, want)
	}
	for _, j := range jobs {
		if got := len(fake.Messages(j.chat)); got != j.messages {
			t.Errorf("chat %d received %d messages, want %d", j.chat, got, j.messages)
		}
	}
	if n := fake.TooManyRequests(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
}
