package organiser

import (
	"fmt"
	"strings"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/text"
)

// Layout is a Renderer made of what a channel does its own way; the rest
// of laying out an answer is the same everywhere: the chart first (its
// note instead if the platform will not take it), then the title and
// text, then the digest's messages, and "Done" when there is nothing to
// say.
type Layout struct {
	// Digest renders a digest in the channel's markup, cut within its
	// limits (digest.RenderTelegram…).
	Digest func(digest.Digest) []string
	// Bold escapes a text for the chart's caption and sets it in bold.
	Bold func(string) string
	// Note, when set, is the channel's note after the organisers' help.
	Note func(c *text.Catalog) string
	// Address turns an organisers' chat or channel id from the config
	// into a reply address, or says why it cannot.
	Address func(id string) (string, error)
}

var _ Renderer = Layout{}

// Render fills out with res in lang.
func (l Layout) Render(out bot.Outgoing, res Result, lang string) bot.Outgoing {
	c := text.For(lang)
	out.Reply = flows.Reply{Title: res.Title, Text: strings.TrimSpace(res.Text)}
	if res.Help && l.Note != nil {
		out.Reply.Text += "\n\n" + l.Note(c)
	}
	if res.Digest != nil {
		out.Markup = l.Digest(*res.Digest)
	}
	if len(res.Chart) > 0 {
		caption := fmt.Sprintf(c.Organiser.ChartCaption, l.Bold(c.Digest.ChartTitle))
		out.Image = &bot.Image{Name: "synthese.png", Data: res.Chart, Caption: caption, Note: c.Organiser.NoChart}
	}
	if out.Reply.Title == "" && out.Reply.Text == "" && out.Markup == nil && out.Image == nil {
		out.Reply.Text = c.Organiser.Done
	}
	return out
}

// DigestAddress returns the address periodic digests to id go to.
func (l Layout) DigestAddress(id string) (string, error) { return l.Address(id) }
