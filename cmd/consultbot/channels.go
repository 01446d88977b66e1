package main

import (
	"context"
	"errors"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/telegram"
	"consultbot/flows"
)

// channels builds the adapter of every configured platform. ctx lives as
// long as the channels: the Telegram client binds its requests to it.
func (m *Main) channels(ctx context.Context, cfg Config, q *flows.Questionnaire) ([]channel, error) {
	var chans []channel
	var errs []error
	org := m.organiserService(q)
	if t := cfg.Telegram; t.Token != "" {
		a, err := telegram.New(ctx, m.engine, telegram.Options{
			Token:          string(t.Token),
			APIEndpoint:    t.APIEndpoint,
			Mode:           t.Mode,
			WebhookListen:  t.WebhookListen,
			WebhookURL:     t.WebhookURL,
			WebhookSecret:  string(t.WebhookSecret),
			OrganiserChats: t.OrganiserChats,
			AllowedChats:   t.AllowedChats,
			IDKey:          []byte(cfg.Security.IDKey),
			OrganiserUsers: t.OrganiserUsers,
			Organiser:      org,
			Limits: telegram.Limits{
				GlobalRate:         t.GlobalRate,
				ChatRate:           t.ChatRate,
				GroupRatePerMinute: t.GroupRatePerMinute,
			},
			Logger:   m.logger,
			Observer: m.observer(),
		})
		if err != nil {
			errs = append(errs, err)
		} else {
			chans = append(chans, channel{name: bot.ChannelTelegram, sender: a, run: a.Run})
			org.AddChannel(bot.ChannelTelegram, a.Layout(), chatAddresses(t.OrganiserChats))
		}
	}
	if d := cfg.Discord; d.Token != "" {
		a, err := m.discordAdapter(cfg, q)
		if err != nil {
			errs = append(errs, err)
		} else {
			chans = append(chans, channel{name: bot.ChannelDiscord, sender: a, run: a.Run})
		}
	}
	return chans, errors.Join(errs...)
}

// discordAdapter builds the Discord adapter once: the interactions
// endpoint, served before this replica leads, and the channel, once it
// does, are one adapter.
func (m *Main) discordAdapter(cfg Config, q *flows.Questionnaire) (*discord.Adapter, error) {
	if m.discord != nil {
		return m.discord, nil
	}
	d := cfg.Discord
	org := m.organiserService(q)
	opts := discord.Options{
		Token:               string(d.Token),
		ApplicationID:       d.ApplicationID,
		APIBase:             d.APIBase,
		GuildIDs:            d.GuildIDs,
		IDKey:               []byte(cfg.Security.IDKey),
		OrganiserChannelIDs: d.OrganiserChannelIDs,
		OrganiserRoleIDs:    d.OrganiserRoleIDs,
		Organiser:           org,
		Questionnaire:       q,
		MaxAnswerLen:        cfg.Consultation.MaxAnswerLength,
		Logger:              m.logger,
		Observer:            m.observer(),
	}
	if d.interactionsOn() {
		opts.PublicKey, _ = d.publicKey() // validated
		opts.InteractionsListen, opts.InteractionsPath = d.InteractionsListen, d.InteractionsPath
	}
	a, err := discord.New(m.engine, opts)
	if err != nil {
		return nil, err
	}
	// discordgo logs gateway disconnects and reconnects through a
	// package variable: route it into our logger while we run.
	m.restoreSDKLogs = discord.RouteSDKLogs(m.logger, discord.SDKLogWarning)
	org.AddChannel(bot.ChannelDiscord, a.Layout(), d.OrganiserChannelIDs)
	m.discord = a
	return a, nil
}

// serveInteractions serves Discord's interactions endpoint, when
// configured, until ctx (the channels' context) ends. Every replica serves
// it, leading or not: each applies the events it receives, and the leader
// delivers the replies (its engine sweeps the outbox for them).
func (m *Main) serveInteractions(ctx context.Context, cfg Config, q *flows.Questionnaire) error {
	if !cfg.Discord.interactionsOn() {
		return nil
	}
	a, err := m.discordAdapter(cfg, q)
	if err != nil {
		return err
	}
	m.chanWG.Add(1)
	go func() {
		defer m.chanWG.Done()
		if err := a.ServeInteractions(ctx); err != nil {
			m.logger.Error("discord interactions endpoint stopped", "err", err)
		}
	}()
	return nil
}
