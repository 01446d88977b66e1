package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// reminderLoad runs the Telegram load twice under the same conditions,
// reminders on in both: first with none due, then with n reminders due
// to other people during the whole run, and prints both, so that the
// low-priority lane's cost to live replies reads off the two p99s.
func reminderLoad(ctx context.Context, stdout io.Writer, o telegramLoadOptions, n int) error {
	o.campaigns = true
	var results [2]telegramLoadResult
	for i, due := range []int{0, n} {
		o.reminders = due
		res, err := telegramLoad(ctx, o)
		if err != nil {
			return err
		}
		results[i] = res
	}
	fmt.Fprintf(stdout, "telegram load with reminders: %d parents thinking %s, for %s each run (fake Bot API with Telegram's limits: 30 msg/s, 1 msg/s per chat)\n", o.parents, o.think, o.duration)
	fmt.Fprintf(stdout, "%-26s %12s %12s\n", "", "none due", fmt.Sprintf("%d due", n))
	row := func(label string, f func(r telegramLoadResult) string) {
		fmt.Fprintf(stdout, "%-26s %12s %12s\n", label, f(results[0]), f(results[1]))
	}
	row("updates processed", func(r telegramLoadResult) string { return strconv.FormatInt(r.actions, 10) })
	row("update→reply p50", func(r telegramLoadResult) string { return pct(r.latencies, 50).String() })
	row("update→reply p99", func(r telegramLoadResult) string { return pct(r.latencies, 99).String() })
	row("replies sent (msg/s)", func(r telegramLoadResult) string {
		return fmt.Sprintf("%.1f", float64(r.sent)/r.rateWindow.Seconds())
	})
	row("reminders sent (msg/s)", func(r telegramLoadResult) string {
		return fmt.Sprintf("%d (%.1f)", r.remindersSent, float64(r.remindersSent)/r.elapsed.Seconds())
	})
	row("429s received", func(r telegramLoadResult) string { return strconv.Itoa(r.tooMany) })
	return nil
}

// seedReminders gives n people (Telegram chats 900000+i) a paused
// conversation, a consent to reminders and a reminder due a minute ago,
// through the store's one way in (Apply), several at once.
func seedReminders(ctx context.Context, db *storage.DB, n int) error {
	if n == 0 {
		return nil
	}
	q := flows.DefaultQuestionnaire()
	th := q.Themes[0]
	past := time.Now().Add(-time.Minute)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	work := make(chan int)
	for range 64 {
		wg.Go(func() {
			for i := range work {
				chat := strconv.FormatInt(reminderChat(i), 10)
				p := "telegram:" + chat
				in := bot.Inbound{ID: "seed:" + chat, Channel: bot.ChannelTelegram, Participant: p, Address: chat, Later: chat}
				_, err := db.Apply(ctx, in, past, func(flows.Session) (flows.Session, []flows.Reply) {
					return flows.Session{
						Participant: p, Lang: flows.LangFR, Stage: flows.StagePaused, ConsentAt: past, Profile: "parent",
						Theme: th.ID, Question: th.Questions[0].ID, CreatedAt: past, UpdatedAt: past,
						Reminders: flows.Reminders{OfferedAt: past, ConsentAt: past, Due: past},
					}, nil
				})
				if err != nil {
					mu.Lock()
					first = cmpOr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if first != nil {
		return fmt.Errorf("seed reminders: %w", first)
	}
	return nil
}

// reminderChat is the Telegram chat of the ith person with a reminder due.
func reminderChat(i int) int64 { return 900000 + int64(i) }

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
