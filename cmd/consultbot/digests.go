package main

import (
	"context"
	"time"

	"consultbot/flows"
	"consultbot/organiser"
)

// newOrganisers builds the organiser service with the configured digest
// schedule, before the channels: they take it for organiser commands and
// register themselves as its posters (see organiserService).
func (m *Main) newOrganisers(cfg Config, q *flows.Questionnaire) error {
	sc, err := cfg.Digest.schedule() // validated
	if err != nil {
		return err
	}
	if !sc.IsZero() && !cfg.digestsPosted() {
		// Recording a periodic digest with nowhere to post it would move
		// the start of /synthese and digest --print past answers that no
		// organiser has read.
		m.logger.Info("periodic digests off: no organisers' chat (telegram.organiser_chats) or channel (discord.organiser_channel_ids) to post them to; digest --print and /synthese cover every answer since the last one posted")
		sc = organiser.Schedule{}
	}
	loc, err := cfg.Digest.location() // validated
	if err != nil {
		return err
	}
	opts := organiser.Options{
		Logger:   m.logger.With("component", "organiser"),
		Schedule: sc,
		Lang:     cfg.Digest.Language,
		Location: loc,
		Outbox:   m.engine,
	}
	if m.metrics != nil {
		opts.OnCompute = func(d time.Duration) { m.metrics.Digest("organisers", d) }
	}
	m.organisers = organiser.New(m.db, q, opts)
	return nil
}

// digestsPosted reports whether periodic digests have a place to go: an
// organisers' chat on Telegram or channel on Discord, with that channel on.
func (c Config) digestsPosted() bool {
	return (c.Telegram.Token != "" && len(c.Telegram.OrganiserChats) > 0) ||
		(c.Discord.Token != "" && len(c.Discord.OrganiserChannelIDs) > 0)
}

// serveOrganisers runs the organisers' command workers until ctx (the
// channels' context) ends, on every replica: a command is run where it
// arrived, and its answer goes through the outbox like any reply.
func (m *Main) serveOrganisers(ctx context.Context) {
	m.chanWG.Go(func() { m.organisers.Serve(ctx) })
}

// startDigests runs the digest schedule until ctx (the channels' context)
// ends: the periodic digests stop with the channels, before the database
// closes. A digest recorded and not yet posted is posted at the next start.
// Only the replica that leads schedules.
func (m *Main) startDigests(ctx context.Context) {
	m.chanWG.Go(func() { m.organisers.Schedule(ctx) })
}
