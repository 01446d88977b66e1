package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"consultbot/bot"
	"consultbot/bot/terminal"
	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/text"
)

// organiserService returns the Service the adapters hand organiser
// commands to, and that posts periodic digests through them: the one run
// built (with its schedule) when there is one, else one over the bot's
// database for on-demand commands.
func (m *Main) organiserService(q *flows.Questionnaire) *organiser.Service {
	if m.organisers == nil {
		m.organisers = organiser.New(m.db, q, organiser.Options{Logger: m.logger.With("component", "organiser"), Outbox: m.engine})
	}
	return m.organisers
}

// chatAddresses writes Telegram chat ids as Poster addresses.
func chatAddresses(ids []int64) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, strconv.FormatInt(id, 10))
	}
	return out
}

// runOrganiserConsole is chat -organiser: the organisers' commands on the
// database, in this terminal, through the same service and outbox as on
// Telegram and Discord, with no token. It speaks the command line's
// language, as stats and digest --print do: the person at this terminal
// reads it ([digest] language is for the digests posted to the team's
// chats). The service stops before the command returns, so that Close
// can close the database.
func (m *Main) runOrganiserConsole(ctx context.Context, cfg Config, q *flows.Questionnaire) error {
	loc, _ := cfg.Digest.location() // validated
	svc := organiser.New(m.db, q, organiser.Options{
		Logger:   m.logger.With("component", "organiser"),
		Lang:     m.lang,
		Location: loc,
		Outbox:   m.engine,
	})
	svc.AddChannel(bot.ChannelTerminal, terminal.Layout(), nil)
	path := cfg.Storage.Path
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	term := terminal.New(m.engine, m.Stdin, m.Stdout, terminal.Options{
		Name:        m.as,
		Lang:        m.lang,
		Hint:        fmt.Sprintf(text.For(m.lang).Channel.Terminal.OrganiserHint, path),
		Logger:      m.logger.With("platform", bot.ChannelTerminal),
		DocumentDir: filepath.Dir(cfg.Storage.Path),
		Organiser:   svc,
	})
	m.engine.AddSender(bot.ChannelTerminal, term)
	if err := m.engine.Start(ctx); err != nil {
		return err
	}
	svcCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(svcCtx) }()
	err := term.Run(ctx)
	stop()
	if serr := <-done; serr != nil {
		return serr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
