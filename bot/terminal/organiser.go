package terminal

import (
	"context"
	"fmt"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/organiser"
	"consultbot/text"
)

// Organiser takes the organisers' commands; *organiser.Service
// implements it. With one, the adapter is an organisers' console (see
// Options.Organiser).
type Organiser interface {
	Submit(ctx context.Context, req organiser.Request) (organiser.Outcome, error)
}

// Layout lays organiser answers out for the terminal: the digest as
// Markdown, its chart saved as a file next to the database.
func Layout() organiser.Layout {
	return organiser.Layout{
		Digest:  func(d digest.Digest) []string { return []string{digest.RenderMarkdown(d)} },
		Bold:    func(s string) string { return s },
		Note:    func(c *text.Catalog) string { return c.Channel.Terminal.OrganiserNote },
		Address: func(id string) (string, error) { return id, nil },
	}
}

// organiserMessage hands a line to the organisers' service, as a member
// of the team in their own place, and waits until its answer is printed,
// so that the next command is read after it.
func (a *Adapter) organiserMessage(ctx context.Context, line string) error {
	a.mu.Lock()
	a.n++
	id := fmt.Sprintf("%s:organiser:%d-%d", a.participant, a.now().UnixNano(), a.n)
	a.mu.Unlock()
	posted := make(chan uint64, 1)
	out, err := a.org.Submit(ctx, organiser.Request{
		Text:  line,
		Lang:  a.lang,
		From:  a.participant,
		Role:  organiser.Organiser,
		Team:  true,
		Lane:  a.participant,
		Reply: bot.Outgoing{Channel: bot.ChannelTerminal, Address: a.address, Participant: a.participant, EventID: id},
		// Called once, from Submit or from the worker that ran it.
		Posted: func(seq uint64) { posted <- seq },
	})
	if err == nil && (out == organiser.NotMine || out == organiser.Ignored) {
		return nil // nothing follows
	}
	var seq uint64
	if err == nil {
		select {
		case seq = <-posted:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if seq == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		a.logger.Error("organiser command", "platform", bot.ChannelTerminal, "err", err)
		a.print(a.texts().NotSaved + "\n")
		return nil
	}
	return a.waitPrinted(ctx, seq)
}
