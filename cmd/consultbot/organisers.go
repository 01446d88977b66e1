package main

import (
	"strconv"

	"consultbot/flows"
	"consultbot/organiser"
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
