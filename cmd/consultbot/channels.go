package main

import (
	"context"
	"errors"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/telegram"
)

// channels builds the adapter of every configured platform. ctx lives as
// long as the channels: the Telegram client binds its requests to it.
func (m *Main) channels(ctx context.Context, cfg Config) ([]channel, error) {
	var chans []channel
	var errs []error
	if t := cfg.Telegram; t.Token != "" {
		a, err := telegram.New(ctx, m.engine, telegram.Options{
			Token:          string(t.Token),
			APIEndpoint:    t.APIEndpoint,
			Mode:           t.Mode,
			WebhookListen:  t.WebhookListen,
			WebhookURL:     t.WebhookURL,
			WebhookSecret:  string(t.WebhookSecret),
			OrganiserChats: t.OrganiserChats,
			Limits: telegram.Limits{
				GlobalRate:         t.GlobalRate,
				ChatRate:           t.ChatRate,
				GroupRatePerMinute: t.GroupRatePerMinute,
			},
			Logger: m.logger,
		})
		if err != nil {
			errs = append(errs, err)
		} else {
			chans = append(chans, channel{name: bot.ChannelTelegram, sender: a, run: a.Run})
		}
	}
	if d := cfg.Discord; d.Token != "" {
		a, err := discord.New(m.engine, discord.Options{
			Token:               string(d.Token),
			ApplicationID:       d.ApplicationID,
			APIBase:             d.APIBase,
			GuildIDs:            d.GuildIDs,
			OrganiserChannelIDs: d.OrganiserChannelIDs,
			OrganiserRoleIDs:    d.OrganiserRoleIDs,
			MaxAnswerLen:        cfg.Consultation.MaxAnswerLength,
			Logger:              m.logger,
		})
		if err != nil {
			errs = append(errs, err)
		} else {
			chans = append(chans, channel{name: bot.ChannelDiscord, sender: a, run: a.Run})
		}
	}
	return chans, errors.Join(errs...)
}
