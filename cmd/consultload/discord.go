package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
	"consultbot/storage"
)

// runDiscord drives simulated educators through the in-repo Discord fake:
// the real adapter (discordgo over REST and the gateway websocket), engine,
// flows and a temporary bbolt database, all on loopback. It reports the
// interactions handled per second and how long Discord waited for each
// acknowledgement, whose deadline is three seconds.
func runDiscord(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("consultload discord", flag.ContinueOnError)
	fs.SetOutput(stdout)
	educators := fs.Int("educators", 50, "simulated educators acting at once (1–2000)")
	duration := fs.Duration("duration", 10*time.Second, "how long to run (at most 10m)")
	think := fs.Duration("think", 0, "pause of each educator before every action (0: as fast as the bot answers)")
	verbose := fs.Bool("v", false, "log the bot's warnings to stderr")
	warmup := fs.Duration("warmup", 0, "also print the requests per answer after this long, leaving out the first educators' onboarding")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *educators < 1 || *educators > 2000 {
		return fmt.Errorf("discord load: -educators %d out of 1–2000", *educators)
	}
	if *duration <= 0 || *duration > 10*time.Minute {
		return fmt.Errorf("discord load: -duration %v out of (0, 10m]", *duration)
	}
	if *warmup < 0 || *warmup >= *duration {
		return fmt.Errorf("discord load: -warmup %v out of [0, -duration)", *warmup)
	}

	level := slog.LevelError
	if *verbose {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	dir, err := os.MkdirTemp("", "consultload-discord-")
	if err != nil {
		return fmt.Errorf("discord load: %w", err)
	}
	defer os.RemoveAll(dir)
	db, err := storage.Open(filepath.Join(dir, "load.db"), storage.Options{})
	if err != nil {
		return fmt.Errorf("discord load: %w", err)
	}
	defer db.Close()

	fake := discordtest.NewServer(discordtest.Options{})
	defer fake.Close()
	eng := bot.New(db, flows.NewMachine(nil, flows.Config{}), logger)
	ad, err := discord.New(eng, discord.Options{
		Token: fake.Token, ApplicationID: fake.AppID, APIBase: fake.URL + "/api/v9",
		GuildIDs: []string{fake.GuildID}, Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("discord load: %w", err)
	}
	eng.AddSender(bot.ChannelDiscord, ad)
	if err := eng.Start(ctx); err != nil {
		return fmt.Errorf("discord load: %w", err)
	}
	runCtx, stopBot := context.WithCancel(ctx)
	botDone := make(chan error, 1)
	go func() { botDone <- ad.Run(runCtx) }()
	stop := func() error {
		stopBot()
		err := <-botDone
		closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return errors.Join(err, eng.Close(closeCtx))
	}
	if _, err := fake.WaitCommands(fake.GuildID, 10*time.Second); err != nil {
		return errors.Join(fmt.Errorf("discord load: bot did not register its commands: %w", err), stop())
	}

	loadCtx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var stuck, themes atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	// What the bot had sent and stored when the warm-up ended.
	type counts struct{ followUps, edits, acks, answers int }
	counted := func() counts {
		return counts{fake.Calls(discordtest.RouteFollowUp), fake.Calls(discordtest.RouteEditFollowUp), len(fake.Acks()), countAnswers(ctx, db)}
	}
	warm := make(chan counts, 1)
	if *warmup > 0 {
		go func() {
			select {
			case <-time.After(*warmup):
				warm <- counted()
			case <-loadCtx.Done():
			}
		}()
	}
	for i := range *educators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			driveEducator(loadCtx, fake, i, *think, &stuck, &themes)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	// The last clicks may still be in flight: let the bot acknowledge them.
	_ = fake.Wait(5*time.Second, func() bool { return len(fake.Unacknowledged()) == 0 })
	if err := stop(); err != nil {
		return fmt.Errorf("discord load: stop: %w", err)
	}

	end := counted()
	answers := end.answers
	acks := fake.Acks()
	lat := make([]time.Duration, 0, len(acks))
	late, modals := 0, 0
	for _, a := range acks {
		lat = append(lat, a.Latency)
		if a.Late {
			late++
		}
		if a.Type == discordtest.CallbackModal {
			modals++
		}
	}
	slices.Sort(lat)
	fmt.Fprintf(stdout, "discord load: %d educators thinking %s, for %s (fake Discord REST + gateway on loopback, real discordgo, engine, bbolt)\n", *educators, *think, elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "interactions acked:  %d (%.1f/s), of which %d answered with a modal\n", len(acks), float64(len(acks))/elapsed.Seconds(), modals)
	fmt.Fprintf(stdout, "ack latency:         p50 %s  p99 %s  max %s  (deadline 3s; late: %d)\n", percentile(lat, 50), percentile(lat, 99), percentile(lat, 100), late)
	fmt.Fprintf(stdout, "themes confirmed:    %d\n", themes.Load())
	followUps, edits := fake.Calls(discordtest.RouteFollowUp), fake.Calls(discordtest.RouteEditFollowUp)
	fmt.Fprintf(stdout, "answers stored:      %d (%.1f/s)\n", answers, float64(answers)/elapsed.Seconds())
	fmt.Fprintf(stdout, "after the acks:      %d follow-ups, %d edits of @original (tapped or deferred messages)\n", followUps, edits)
	if answers > 0 {
		fmt.Fprintf(stdout, "per answer:          %.2f follow-ups, %.2f edits, %.2f interactions\n", float64(followUps)/float64(answers), float64(edits)/float64(answers), float64(len(acks))/float64(answers))
	}
	select {
	case w := <-warm:
		if n := end.answers - w.answers; n > 0 {
			fmt.Fprintf(stdout, "after the warm-up:   %d answers; per answer %.2f follow-ups, %.2f edits, %.2f interactions\n",
				n, float64(end.followUps-w.followUps)/float64(n), float64(end.edits-w.edits)/float64(n), float64(end.acks-w.acks)/float64(n))
		}
	default:
	}
	fmt.Fprintf(stdout, "never acknowledged:  %d; educators left waiting >10s: %d; requests refused: %d\n", len(fake.Unacknowledged()), stuck.Load(), len(fake.Rejected()))
	return nil
}

// percentile returns the p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))].Round(10 * time.Microsecond)
}

// driveEducator plays one educator after another until ctx ends: each
// runs /contribuer, consents, picks a profile, skips the académie and
// answers every question of each theme in the modal, then confirms the
// theme's review.
func driveEducator(ctx context.Context, fake *discordtest.Server, n int, think time.Duration, stuck, themes *atomic.Int64) {
	for round := 0; ctx.Err() == nil; round++ {
		u := fake.NewUser(fmt.Sprintf("educ-%d-%d", n, round), "fr")
		if _, err := fake.SlashCommand(u, fake.Guild(), "contribuer"); err != nil {
			return
		}
		// The prompt acted on last, by id and edit time: the next one is
		// a new message or that one edited (a tapped prompt turned into
		// the next).
		var seen string
		promptKey := func(m discordtest.Message) string { return m.ID + "@" + m.Edited.String() }
		for ctx.Err() == nil {
			msgs, err := fake.WaitUser(u.ID, 10*time.Second, func(ms []discordtest.Message) bool {
				for i := len(ms) - 1; i >= 0; i-- {
					if len(ms[i].Rows) > 0 {
						return promptKey(ms[i]) != seen
					}
				}
				return false
			})
			if err != nil {
				if ctx.Err() == nil {
					stuck.Add(1)
				}
				return
			}
			var last discordtest.Message
			for i := len(msgs) - 1; i >= 0; i-- {
				if len(msgs[i].Rows) > 0 {
					last = msgs[i]
					break
				}
			}
			seen = promptKey(last)
			if think > 0 {
				t := time.NewTimer(think)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return
				}
			}
			if !actOn(fake, u, last, themes) {
				break // every theme done: a new educator takes over
			}
		}
	}
}

// actOn takes the next step from the last prompt; it reports false when
// nothing is left to do.
func actOn(fake *discordtest.Server, u discordtest.User, m discordtest.Message, themes *atomic.Int64) bool {
	click := func(label string) bool {
		b, ok := m.Button(label)
		if ok {
			_, err := fake.ClickButton(u, m, b.CustomID)
			return err == nil
		}
		return false
	}
	switch {
	case click("J'accepte"), click("Enseignant"):
		return true
	case strings.Contains(m.Content, "académie"):
		return click("Passer")
	case strings.Contains(m.Content, "Relecture"):
		themes.Add(1)
		return click("Valider")
	}
	if b, ok := m.Button("Répondre"); ok {
		if _, below := m.Button("Modifier mes réponses au thème"); below {
			// The question under a theme's review: answering it
			// validates that theme.
			themes.Add(1)
		}
		if _, err := fake.ClickButton(u, m, b.CustomID); err != nil {
			return false
		}
		if _, err := fake.WaitModal(u.ID, 10*time.Second); err != nil {
			return false
		}
		_, err := fake.SubmitModal(u, "Une réponse d'enseignant, assez longue pour ressembler à une vraie contribution.")
		return err == nil
	}
	for _, b := range m.Buttons() {
		if strings.Contains(b.CustomID, ".theme.") && !strings.HasPrefix(b.Label, "✓") {
			_, err := fake.ClickButton(u, m, b.CustomID)
			return err == nil
		}
	}
	return false
}
