package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
)

// runTelegram drives simulated parents through the in-repo Telegram fake
// (Telegram's real flood limits) against the real adapter, engine and
// storage in a temporary database, and prints the figures.
func runTelegram(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("consultload telegram", flag.ContinueOnError)
	parents := fs.Int("parents", 50, "simulated parents (1-1000)")
	duration := fs.Duration("duration", 20*time.Second, "how long they keep answering (at most 10m)")
	think := fs.Duration("think", 2*time.Second, "each parent's pause before every action, as people read and type")
	thinkMax := fs.Duration("think-max", 0, "when above -think, each pause is drawn uniformly between -think and -think-max (seeded)")
	warmup := fs.Duration("warmup", 0, "left out of the rates, of requests per answer and of update→reply: the onboarding taps before the steady state")
	verbose := fs.Bool("v", false, "log the adapter's and engine's warnings to stderr")
	reminders := fs.Int("reminders", 0, "also run with this many reminders due (0-100000) to other people, and print both runs")
	paid := fs.Bool("paid", false, "turn Telegram paid broadcasts on: replies the free 30/s would delay go with allow_paid_broadcast (1000/s, 0.1 Star each)")
	paidStars := fs.Int("paid-stars-per-day", 1_000_000, "with -paid, the day's budget in Stars")
	lifted := fs.Bool("no-limits", false, "lift Telegram's limits on both sides: the pipeline alone, the floor the limits add to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reminders < 0 || *reminders > 100000 {
		return errors.New("telegram load: -reminders must be 0 to 100000")
	}
	if *parents < 1 || *parents > 1000 {
		return errors.New("telegram load: -parents must be 1 to 1000")
	}
	if *duration <= 0 || *duration > 10*time.Minute {
		return errors.New("telegram load: -duration must be positive and at most 10m")
	}
	if *warmup < 0 || *warmup >= *duration {
		return errors.New("telegram load: -warmup must be shorter than -duration")
	}
	if *thinkMax != 0 && *thinkMax < *think {
		return errors.New("telegram load: -think-max must be at least -think")
	}
	if *paid && *paidStars < 1 {
		return errors.New("telegram load: -paid-stars-per-day must be at least 1")
	}
	var paidPerDay int64
	if *paid {
		paidPerDay = int64(*paidStars) * 10
	}
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if *reminders > 0 {
		return reminderLoad(ctx, stdout, telegramLoadOptions{parents: *parents, duration: *duration, think: *think, thinkMax: *thinkMax, logger: logger, warmup: *warmup}, *reminders)
	}
	o := telegramLoadOptions{parents: *parents, duration: *duration, think: *think, thinkMax: *thinkMax, logger: logger, warmup: *warmup, paidPerDay: paidPerDay}
	if *lifted {
		o.fakeLimits, o.botLimits = liftedLimits()
	}
	res, err := telegramLoad(ctx, o)
	if err != nil {
		return err
	}
	pause := (*think).String()
	if *thinkMax > *think {
		pause = fmt.Sprintf("%s–%s", *think, *thinkMax)
	}
	w := res.rateWindow.Seconds()
	limits := "fake Bot API with Telegram's limits: 30 msg/s, 1 msg/s per chat"
	if *lifted {
		limits = "fake Bot API, limits lifted on both sides"
	}
	fmt.Fprintf(stdout, "telegram load: %d parents thinking %s, for %s (%s)\n", *parents, pause, res.elapsed.Round(time.Millisecond), limits)
	fmt.Fprintf(stdout, "updates processed:   %d (%.1f/s)\n", res.actions, res.perSecond(res.actions))
	fmt.Fprintf(stdout, "update→reply:        p50 %s  p99 %s  max %s  (%d samples)\n", pct(res.latencies, 50), pct(res.latencies, 99), pct(res.latencies, 100), len(res.latencies))
	fmt.Fprintf(stdout, "  typed → message:   p50 %s  p99 %s  (%d)\n", pct(res.typed, 50), pct(res.typed, 99), len(res.typed))
	fmt.Fprintf(stdout, "  tap → edit:        p50 %s  p99 %s  (%d)\n", pct(res.taps, 50), pct(res.taps, 99), len(res.taps))
	fmt.Fprintf(stdout, "messages sent:       %d (%.1f/s against the 30/s ceiling)\n", res.sent, float64(res.sent)/w)
	fmt.Fprintf(stdout, "edits:               %d (%.1f/s, tapped prompts turned into the next; counted in the same 30/s budget)\n", res.edits, float64(res.edits)/w)
	fmt.Fprintf(stdout, "callback answers:    %d (%.1f/s, stop the tapped button's clock; not messages, outside the 30/s)\n", res.callbacks, float64(res.callbacks)/w)
	fmt.Fprintf(stdout, "answers stored:      %d (%.1f answers/s)\n", res.answers, float64(res.answers)/w)
	if res.answers > 0 {
		fmt.Fprintf(stdout, "requests per answer: %.2f (messages and edits)\n", float64(res.sent+res.edits)/float64(res.answers))
	}
	if *paid {
		stars := float64(res.paid) * telegram.StarsPerPaidMessage
		fmt.Fprintf(stdout, "paid messages:       %d of %d (%.1f/s, allow_paid_broadcast): %.1f Stars, %.0f Stars per hour\n",
			res.paid, res.sent, float64(res.paid)/w, stars, stars/res.rateWindow.Hours())
	}
	fmt.Fprintf(stdout, "429s received:       %d\n", res.tooMany)
	return nil
}

// countAnswers counts the answers stored in db.
func countAnswers(ctx context.Context, db *storage.DB) int {
	n := 0
	_ = db.ForEachAnswer(ctx, func(storage.Answer) error { n++; return nil })
	return n
}

// telegramLoadOptions configure one Telegram load run.
type telegramLoadOptions struct {
	parents  int
	duration time.Duration
	think    time.Duration
	// thinkMax, when above think, draws each pause uniformly between
	// think and thinkMax, from a seed per parent.
	thinkMax time.Duration
	logger   *slog.Logger
	// fakeLimits and botLimits override Telegram's limits (zero: the real
	// ones), to measure the pipeline rather than the flood limits.
	fakeLimits telegramtest.Limits
	botLimits  telegram.Limits
	// dbPath is the database to run over; empty: a fresh temporary one.
	dbPath string
	// sample, when set, runs every 20ms while the parents answer.
	sample func()
	// warmup is left out of the message rate (sent, edits), so that the
	// start-up burst does not inflate it.
	warmup time.Duration
	// campaigns turns reminders on (offered to parents, who decline),
	// and reminders seeds that many reminders due to other people.
	campaigns bool
	reminders int
	// paidPerDay turns paid broadcasts on with this daily budget in
	// messages (0: off).
	paidPerDay int64
}

// telegramLoadResult is what one Telegram load run measured.
type telegramLoadResult struct {
	elapsed     time.Duration
	actions     int64
	latencies   []time.Duration // sorted
	typed, taps []time.Duration // sorted: after a typed answer (a new message), after a tap (mostly an edit)
	sent, edits int             // after the warm-up
	callbacks   int             // answerCallbackQuery calls after the warm-up
	answers     int             // stored after the warm-up
	rateWindow  time.Duration   // what sent and edits were counted over
	tooMany     int
	// remindersSent counts the reminders delivered during the run.
	remindersSent int
	// paid counts the messages sent as paid broadcasts after the warm-up.
	paid int
}

func (r telegramLoadResult) perSecond(n int64) float64 { return float64(n) / r.elapsed.Seconds() }

// telegramLoad drives o.parents simulated parents through the Telegram fake
// against the real adapter, engine and storage for o.duration.
func telegramLoad(ctx context.Context, o telegramLoadOptions) (telegramLoadResult, error) {
	var res telegramLoadResult
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	inboxes := make(map[int64]chan telegramtest.Message, o.parents)
	for i := range o.parents {
		inboxes[parentID(i)] = make(chan telegramtest.Message, 256)
	}
	var others, othersBefore atomic.Int64 // messages to people who are not driven: reminders
	fake := telegramtest.NewServer(telegramtest.Options{Limits: o.fakeLimits, OnMessage: func(m telegramtest.Message) {
		if inboxes[m.ChatID] == nil {
			others.Add(1)
		}
		if ch := inboxes[m.ChatID]; ch != nil {
			select {
			case ch <- m:
			default: // a parent that stopped reading
			}
		}
	}})
	defer fake.Close()
	for i := range o.reminders {
		fake.KnowPrivateChat(reminderChat(i))
	}

	dbPath := o.dbPath
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "consultload-telegram-")
		if err != nil {
			return res, fmt.Errorf("telegram load: %w", err)
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "load.db")
	}
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		return res, fmt.Errorf("telegram load: %w", err)
	}
	defer db.Close()
	var fcfg flows.Config
	if o.campaigns {
		// Any hour, any day: the load runs whenever it runs.
		fcfg.Reminders = flows.ReminderSettings{Max: 1, From: 0, Until: 24 * 60}
		if err := seedReminders(ctx, db, o.reminders); err != nil {
			return res, fmt.Errorf("telegram load: %w", err)
		}
	}
	eng := bot.New(db, flows.NewMachine(nil, fcfg), logger)
	if o.campaigns {
		eng.SetCampaigns(db, bot.CampaignOptions{Poll: 100 * time.Millisecond})
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	topts := telegram.Options{Token: fake.Token(), APIEndpoint: fake.URL(), Limits: o.botLimits, Logger: logger}
	if o.paidPerDay > 0 {
		topts.Paid = telegram.Paid{MessagesPerDay: o.paidPerDay, Ledger: db}
	}
	ad, err := telegram.New(runCtx, eng, topts)
	if err != nil {
		return res, fmt.Errorf("telegram load: %w", err)
	}
	eng.AddSender(bot.ChannelTelegram, ad)
	if err := eng.Start(runCtx); err != nil {
		return res, fmt.Errorf("telegram load: %w", err)
	}
	runDone := make(chan error, 1)
	go func() { runDone <- ad.Run(runCtx) }()

	var (
		mu                          sync.Mutex
		latencies, typedLat, tapLat []time.Duration
		actions                     atomic.Int64
	)
	driveCtx, endDrive := context.WithTimeout(ctx, o.duration)
	defer endDrive()
	if o.sample != nil {
		go func() {
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				o.sample()
				select {
				case <-t.C:
				case <-driveCtx.Done():
					return
				}
			}
		}()
	}
	start := time.Now()
	sentBefore, editsBefore, callbacksBefore, answersBefore, paidBefore := fake.SentTotal(), fake.Requests("editMessageText"), fake.Requests("answerCallbackQuery"), 0, fake.PaidMessages()
	warm := make(chan struct{})
	go func() {
		defer close(warm)
		select {
		case <-time.After(o.warmup):
			sentBefore, editsBefore, callbacksBefore, paidBefore = fake.SentTotal(), fake.Requests("editMessageText"), fake.Requests("answerCallbackQuery"), fake.PaidMessages()
			othersBefore.Store(others.Load())
			answersBefore = countAnswers(ctx, db)
		case <-driveCtx.Done():
		}
	}()
	var wg sync.WaitGroup
	for i := range o.parents {
		wg.Go(func() {
			pause := pauses(o.think, o.thinkMax, uint64(i))
			typed, taps := driveParent(driveCtx, fake, telegramtest.User{ID: parentID(i), LanguageCode: "fr"}, inboxes[parentID(i)], pause, start.Add(o.warmup), &actions)
			mu.Lock()
			latencies = append(latencies, typed...)
			latencies = append(latencies, taps...)
			typedLat = append(typedLat, typed...)
			tapLat = append(tapLat, taps...)
			mu.Unlock()
		})
	}
	wg.Wait()
	<-warm
	res.elapsed = time.Since(start)
	res.rateWindow = res.elapsed - o.warmup
	res.sent = fake.SentTotal() - sentBefore
	res.edits = fake.Requests("editMessageText") - editsBefore
	res.callbacks = fake.Requests("answerCallbackQuery") - callbacksBefore
	res.answers = countAnswers(ctx, db) - answersBefore
	res.paid = fake.PaidMessages() - paidBefore
	res.remindersSent = int(others.Load())
	// Reminders count against the same limits but are not replies.
	res.sent -= int(others.Load() - othersBefore.Load())

	stop()
	if err := <-runDone; err != nil {
		return res, fmt.Errorf("telegram load: adapter: %w", err)
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eng.Close(closeCtx); err != nil {
		logger.Warn("close the engine", "err", err)
	}
	slices.Sort(latencies)
	slices.Sort(typedLat)
	slices.Sort(tapLat)
	res.latencies, res.typed, res.taps = latencies, typedLat, tapLat
	res.actions = actions.Load()
	res.tooMany = fake.TooManyRequests()
	return res, nil
}

func parentID(i int) int64 { return 100000 + int64(i) }

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)].Round(100 * time.Microsecond)
}

// pauses returns one parent's pauses: think each time, or when thinkMax
// is above it a draw between the two from a seed of the parent's own.
func pauses(think, thinkMax time.Duration, seed uint64) func() time.Duration {
	if thinkMax <= think {
		return func() time.Duration { return think }
	}
	rng := rand.New(rand.NewPCG(seed, 0x7e1e))
	return func() time.Duration { return think + time.Duration(rng.Int64N(int64(thinkMax-think)+1)) }
}

// driveParent plays one parent: onboarding, then themes one after the
// other, answering each question with text (a theme's last answer brings
// the next theme's first question below its review, and answering that
// validates it) and validating the last review, until ctx ends or every
// theme is validated. Each action waits for the bot's next prompt (a message
// with buttons, new or a tapped one edited); the time to the first reply
// is its latency, kept for the actions taken from on (after the warm-up).
func driveParent(ctx context.Context, fake *telegramtest.Server, u telegramtest.User, inbox <-chan telegramtest.Message, pause func() time.Duration, from time.Time, actions *atomic.Int64) (typed, taps []time.Duration) {
	lat := &typed
	act := func(do func()) (telegramtest.Message, bool) {
		select {
		case <-time.After(pause()):
		case <-ctx.Done():
			return telegramtest.Message{}, false
		}
		t0 := time.Now()
		do()
		actions.Add(1)
		first := true
		for {
			select {
			case m := <-inbox:
				if first && !t0.Before(from) {
					*lat = append(*lat, time.Since(t0))
					first = false
				}
				if m.Keyboard != nil {
					return m, true
				}
			case <-ctx.Done():
				return telegramtest.Message{}, false
			}
		}
	}
	tap := func(m telegramtest.Message, prefix string) (telegramtest.Message, bool) {
		for _, l := range m.Labels() {
			if strings.HasPrefix(l, prefix) {
				lat = &taps
				defer func() { lat = &typed }()
				return act(func() { _, _, _ = fake.TapButton(u, m, l) })
			}
		}
		return telegramtest.Message{}, false
	}
	m, ok := act(func() { fake.SendText(u, "/start") })
	n := 0
	for ok && ctx.Err() == nil {
		switch {
		case strings.Contains(m.Text, "Avant de commencer"):
			m, ok = tap(m, "J'accepte")
		case strings.Contains(m.Text, "Vous répondez en tant que"):
			m, ok = tap(m, "Parent")
		case strings.Contains(m.Text, "académie"):
			m, ok = tap(m, "Passer")
		case strings.Contains(m.Text, "Relecture"):
			m, ok = tap(m, "Valider")
		case strings.Contains(m.Text, "Voulez-vous un rappel"):
			m, ok = tap(m, "Non merci")
		case strings.Contains(m.Text, "Question"):
			n++
			m, ok = act(func() { fake.SendText(u, fmt.Sprintf("Réponse %d de %d : plus de temps pour les élèves.", n, u.ID)) })
		case strings.Contains(m.Text, "Les thèmes"):
			// The menu, also once every theme is validated.
			next := nextTheme(m.Labels())
			if next == "" {
				return typed, taps // every theme validated
			}
			m, ok = tap(m, next)
		default:
			m, ok = act(func() { fake.SendText(u, "/menu") })
		}
	}
	return typed, taps
}

// nextTheme returns the first button of a theme menu whose theme is not
// validated yet (validated ones start with ✓), or "" when all are.
func nextTheme(labels []string) string {
	for _, l := range labels {
		if !strings.HasPrefix(l, "✓") {
			return l
		}
	}
	return ""
}
