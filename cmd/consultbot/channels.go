package main

import (
	"context"
	"errors"
	"fmt"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/telegram"
	"consultbot/flows"
	"consultbot/metrics"
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
			Paid:     m.paidBroadcast(t),
			Logger:   m.logger,
			Observer: m.observer(),
		})
		if err != nil {
			errs = append(errs, fmt.Errorf(m.t().TelegramConnect, err))
		} else {
			c := channel{name: bot.ChannelTelegram, sender: a, run: a.Run}
			if cfg.telegramOnReplicas() {
				// Every replica serves the webhook and applies what it
				// receives; the leader registers it.
				c.run, c.serve = a.Lead, a.ServeWebhook
			}
			chans = append(chans, c)
			org.AddChannel(bot.ChannelTelegram, a.Layout(), chatAddresses(t.OrganiserChats))
		}
	}
	if d := cfg.Discord; d.Token != "" {
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
			errs = append(errs, err)
		} else {
			c := channel{name: bot.ChannelDiscord, sender: a, run: a.Run}
			if d.interactionsOn() {
				// Every replica serves the interactions endpoint and
				// applies what it receives; the leader runs the gateway.
				c.serve = a.ServeInteractions
			}
			chans = append(chans, c)
			// discordgo logs gateway disconnects and reconnects through a
			// package variable: route it into our logger while we run.
			m.restoreSDKLogs = discord.RouteSDKLogs(m.logger, discord.SDKLogWarning)
			org.AddChannel(bot.ChannelDiscord, a.Layout(), d.OrganiserChannelIDs)
		}
	}
	return chans, errors.Join(errs...)
}

var _ telegram.PaidObserver = (*metrics.Metrics)(nil)

// paidBroadcast is the Telegram adapter's paid broadcast budget: off
// unless paid_broadcast is set; the day's spend is kept in the store.
func (m *Main) paidBroadcast(t TelegramConfig) telegram.Paid {
	if !t.PaidBroadcast {
		return telegram.Paid{}
	}
	return telegram.Paid{MessagesPerDay: int64(t.PaidBroadcastStarsPerDay) * 10, Ledger: m.db}
}
