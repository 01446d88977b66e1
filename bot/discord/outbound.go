package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/text"
)

// part is one Discord message of a reply.
type part struct {
	content    string
	components []discordgo.MessageComponent
	doc        *flows.Document // attached as a file (multipart upload)
	image      *bot.Image      // attached as a picture, content its caption
}

// files returns the part's attachment, read afresh for every attempt.
func (p part) files() []*discordgo.File {
	switch {
	case p.doc != nil:
		return []*discordgo.File{{Name: p.doc.Name, ContentType: p.doc.MIME, Reader: bytes.NewReader(p.doc.Data)}}
	case p.image != nil:
		return []*discordgo.File{{Name: p.image.Name, ContentType: "image/png", Reader: bytes.NewReader(p.image.Data)}}
	}
	return nil
}

// noMentions keeps any "@everyone" or role text in a message from pinging.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// Send delivers one reply: as follow-ups of the interaction it answers
// (ephemeral, or public for an organisers' channel), falling back to a
// direct message once the interaction token has expired, or into the
// channel of its address. A reply longer than Discord allows goes in
// several messages, buttons on the last. A reply that takes the place of
// a tapped prompt (flows.Reply.Replaces) and fits in one message edits
// that prompt instead: for a button acknowledged with a deferred update,
// Discord's @original is the message the button is on. Send makes one
// attempt per message and returns at the first failure, classified for
// the engine's delivery policy; after a failure the engine's retry of the
// same reply at the same address resumes with the first message not yet
// delivered.
func (a *Adapter) Send(ctx context.Context, out bot.Outgoing) error {
	done, err := a.low.enter(ctx, out)
	if err != nil {
		return err
	}
	defer done()
	if out.Claimed {
		// An announcement a stop or a failure left uncertain goes again
		// with the same nonce: if it arrived, Discord returns it and
		// creates nothing, within its nonce window.
		attrs := []any{"participant", out.Participant, "seq", out.Seq}
		if at, err := strconv.ParseInt(out.ClaimNote, 10, 64); err == nil && time.Since(time.Unix(at, 0)) > nonceWindow {
			a.log.Warn("interrupted announcement claimed longer ago than Discord keeps nonces: sent again, it may arrive twice", attrs...)
		} else {
			a.log.Info("interrupted announcement sent again with its nonce", attrs...)
		}
	}
	note := strconv.FormatInt(time.Now().Unix(), 10) // when it was first claimed
	if out.Claimed && out.ClaimNote != "" {
		note = out.ClaimNote
	}
	if err := bot.Claim(ctx, note); err != nil {
		// A reminder or announcement no longer wanted, or not claimed:
		// nothing leaves.
		return err
	}
	if out.Reply.Lang != "" {
		a.mu.Lock()
		a.lang[out.Participant] = out.Reply.Lang
		a.mu.Unlock()
	}
	parts := a.renderOutgoing(out)
	if out.Reply.Replaces && strings.HasPrefix(out.Address, addrInteraction) && len(parts) == 1 && parts[0].files() == nil {
		return a.progress.Resume(out, 1, func(int) error {
			if err := a.replace(ctx, out, parts[0]); err != nil {
				return fmt.Errorf("send reply %d in place of the tapped message: %w", out.Seq, err)
			}
			return nil
		})
	}
	return a.progress.Resume(out, len(parts), func(n int) error {
		err := a.sendPart(ctx, out, n, parts[n])
		if err == nil {
			return nil
		}
		if parts[n].doc != nil || parts[n].image != nil {
			err = &fileError{err}
		}
		return fmt.Errorf("send reply %d part %d/%d: %w", out.Seq, n+1, len(parts), err)
	})
}

// fileError marks the failure of a message carrying a file or a picture,
// which the engine's policy leaves out after a few failures.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// Attachment reports true: see bot.Sender.
func (e *fileError) Attachment() bool { return true }

// renderOutgoing lays out a reply's messages in the order of
// bot.Outgoing: a file or a picture the engine degraded keeps its slot's
// position, so the messages before it keep theirs.
func (a *Adapter) renderOutgoing(out bot.Outgoing) []part {
	var parts []part
	if img := out.Image; img != nil {
		if img.Data != nil {
			parts = append(parts, part{content: img.Caption, image: img})
		} else {
			note := strings.TrimSpace(img.Note)
			if note == "" {
				note = "…"
			}
			parts = append(parts, part{content: escapeMarkdown(note)})
		}
	}
	parts = append(parts, a.render(out.Reply, out.Participant)...)
	for _, m := range out.Markup {
		parts = append(parts, part{content: m})
	}
	if d := out.Reply.Document; d != nil {
		parts = append(parts, part{doc: d})
	}
	for _, t := range out.Plain {
		for _, c := range split(escapeMarkdown(t), maxContent) {
			parts = append(parts, part{content: c})
		}
	}
	return parts
}

// Line puts every reply to one person in one delivery line: each
// interaction has its own address (and an expired one falls back to the
// direct-message channel), so lines per address would let a reply retried
// after a failure or a restart land after a later one, leaving an earlier
// prompt as the last thing the person sees.
func (a *Adapter) Line(out bot.Outgoing) string {
	if out.Participant == "" {
		return out.Address
	}
	return "participant:" + out.Participant
}

// sendPart sends part n of out.
func (a *Adapter) sendPart(ctx context.Context, out bot.Outgoing, n int, p part) error {
	address := out.Address
	switch {
	case strings.HasPrefix(address, addrInteraction), strings.HasPrefix(address, addrPublic):
		ia := parseInteractionAddress(address)
		ix := &discordgo.Interaction{AppID: a.opts.ApplicationID, Token: ia.token}
		confirmed, err := a.waitAcked(ctx, ia.token)
		if err != nil {
			return err
		}
		if a.fillsPlaceholder(ctx, ix, ia, out, n) {
			// The deferred response's placeholder is filled by editing
			// it; it keeps the visibility chosen when deferring.
			edit := &discordgo.WebhookEdit{AllowedMentions: noMentions(), Files: p.files()}
			if p.content != "" {
				edit.Content = &p.content
			}
			if p.components != nil {
				edit.Components = &p.components
			}
			err = a.editOriginal(ctx, ix, edit)
		} else {
			params := &discordgo.WebhookParams{
				Content:         p.content,
				Components:      p.components,
				AllowedMentions: noMentions(),
				Files:           p.files(),
			}
			if !ia.public {
				params.Flags = discordgo.MessageFlagsEphemeral
			}
			_, err = a.dg.FollowupMessageCreate(ix, true, params, discordgo.WithContext(ctx))
			err = sanitize(err)
		}
		if c := codeOf(err); c == codeUnknownWebhook || c == codeInvalidWebhookTok || c == codeUnknownInteraction {
			if !confirmed && recent(out.CreatedAt) {
				// The acknowledgement may still be on its way to Discord
				// (the answer of a request to the interactions endpoint,
				// here or on another replica): try again shortly rather
				// than give the token up.
				return &ackPending{err}
			}
			// The 15 minutes are over (or the ack never landed): the
			// person still gets the reply, in a direct message.
			if ia.userID == "" {
				return fmt.Errorf("interaction expired and no user to message directly: %w", err)
			}
			ch, derr := a.dmChannel(ctx, ia.userID)
			if derr != nil {
				// derr first: whether the person can be reached at all
				// (Permanent) is what the engine must see.
				return errors.Join(derr, err)
			}
			return a.sendChannel(ctx, ch, p, nonce(out, n))
		}
		return err
	case strings.HasPrefix(address, addrChannel):
		return a.sendChannel(ctx, strings.TrimPrefix(address, addrChannel), p, nonce(out, n))
	case strings.HasPrefix(address, addrDM):
		ch, err := a.dmChannel(ctx, strings.TrimPrefix(address, addrDM))
		if err != nil {
			return err
		}
		return a.sendChannel(ctx, ch, p, nonce(out, n))
	}
	return &restError{err: fmt.Errorf("unknown discord address %q", address), permanent: true}
}

// ackGrace is how long after its commit an interaction's acknowledgement
// may still be landing: Discord's three seconds, and some.
const ackGrace = 5 * time.Second

// ackPending is the failure of a reply to an interaction whose
// acknowledgement may not have reached Discord yet: the engine tries again
// after a short wait, which counts against nothing.
type ackPending struct{ err error }

func (e *ackPending) Error() string {
	return "interaction not acknowledged yet: " + e.err.Error()
}
func (e *ackPending) Unwrap() error { return e.err }

// RetryAfter is the short wait before the next attempt.
func (e *ackPending) RetryAfter() time.Duration { return 100 * time.Millisecond }

// recent reports whether a reply committed at created may answer an
// interaction whose acknowledgement, sent by another process, has not
// reached Discord yet.
func recent(created time.Time) bool {
	age := time.Since(created)
	return age >= 0 && age < ackGrace
}

// fillsPlaceholder reports whether part n of out fills the "thinking…"
// placeholder of a deferred response: the first part of the event's first
// reply, when the interaction was deferred with one. Everything needed is
// in the outbox entry, so any process can tell. For an address written
// before the acknowledgement's kind was, Discord is asked.
func (a *Adapter) fillsPlaceholder(ctx context.Context, ix *discordgo.Interaction, ia interactionAddr, out bot.Outgoing, n int) bool {
	switch ia.ack {
	case ackPlaceholder:
		return out.Index == 0 && n == 0
	case ackUpdate:
		return false
	}
	m, err := a.dg.InteractionResponse(ix, discordgo.WithContext(ctx))
	// On an error (such as an expired token), the follow-up meets it too.
	return sanitize(err) == nil && m.Flags&discordgo.MessageFlagsLoading != 0
}

// replace edits the message whose button was tapped into p, buttons
// included (none clears them). Discord accepts the same edit twice, so an
// edit sent again after a restart is harmless; once the token has expired,
// p goes as sendPart sends it (a direct message).
func (a *Adapter) replace(ctx context.Context, out bot.Outgoing, p part) error {
	ia := parseInteractionAddress(out.Address)
	confirmed, err := a.waitAcked(ctx, ia.token)
	if err != nil {
		return err
	}
	ix := &discordgo.Interaction{AppID: a.opts.ApplicationID, Token: ia.token}
	components := p.components
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	edit := &discordgo.WebhookEdit{Content: &p.content, Components: &components, AllowedMentions: noMentions()}
	err = a.editOriginal(ctx, ix, edit)
	if c := codeOf(err); c == codeUnknownWebhook || c == codeInvalidWebhookTok || c == codeUnknownInteraction || c == codeUnknownMessage {
		if !confirmed && recent(out.CreatedAt) && c != codeUnknownMessage {
			return &ackPending{err}
		}
		a.log.Debug("tapped message not editable; sending the reply instead", "err", err)
		return a.sendPart(ctx, out, 0, p)
	}
	return err
}

// editOriginal edits ix's @original. discordgo's InteractionResponseEdit
// puts every such edit of the bot, for whomever, in one rate-limit bucket
// ("webhooks//") whose lock it holds for the length of each request, so
// that the edits of different people wait on each other; Discord limits
// them per interaction token, and discordgo buckets follow-ups and edits
// with files by their URL. Text edits get their URL as bucket here too.
func (a *Adapter) editOriginal(ctx context.Context, ix *discordgo.Interaction, edit *discordgo.WebhookEdit) error {
	if len(edit.Files) > 0 {
		_, err := a.dg.InteractionResponseEdit(ix, edit, discordgo.WithContext(ctx))
		return sanitize(err)
	}
	uri := discordgo.EndpointWebhookMessage(ix.AppID, ix.Token, "@original")
	_, err := a.dg.RequestWithBucketID(http.MethodPatch, uri, edit, uri, discordgo.WithContext(ctx))
	return sanitize(err)
}

// sendChannel posts p to a channel. With a nonce (a reminder's or an
// announcement's, see nonce) Discord is asked to enforce it: a second
// request with the same nonce within a few minutes gets the first message
// back instead of creating another. discordgo's MessageSend has no such
// fields, so the body is this package's, sent through the session's own
// request path and rate-limit bucket, as ChannelMessageSendComplex does.
func (a *Adapter) sendChannel(ctx context.Context, channelID string, p part, nonce string) error {
	msg := &discordgo.MessageSend{Content: p.content, Components: p.components, AllowedMentions: noMentions(), Files: p.files()}
	if nonce == "" {
		_, err := a.dg.ChannelMessageSendComplex(channelID, msg, discordgo.WithContext(ctx))
		return sanitize(err)
	}
	body := nonceMessage{MessageSend: msg, Nonce: nonce, EnforceNonce: true}
	endpoint := discordgo.EndpointChannelMessages(channelID)
	var err error
	if len(msg.Files) > 0 {
		contentType, b, encErr := discordgo.MultipartBodyWithJSON(body, msg.Files)
		if encErr != nil {
			return &restError{err: fmt.Errorf("encode message: %w", encErr), permanent: true}
		}
		_, err = a.dg.RequestRaw(http.MethodPost, endpoint, contentType, b, endpoint, 0, discordgo.WithContext(ctx))
	} else {
		_, err = a.dg.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, discordgo.WithContext(ctx))
	}
	return sanitize(err)
}

// nonceWindow is how long Discord is taken to keep a nonce: "the past
// few minutes", it says; two is what this adapter counts on.
const nonceWindow = 2 * time.Minute

// nonceMessage is a message create with Discord's nonce fields.
type nonceMessage struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
}

// nonce is the nonce of message n of out, a reminder or an announcement:
// the same for every attempt, in this process or after a restart, and
// never another entry's (its outbox sequence and its creation time, in
// base 36, at most 25 characters as Discord allows); empty for other
// replies.
func nonce(out bot.Outgoing, n int) string {
	if !out.Low {
		return ""
	}
	return strconv.FormatUint(out.Seq, 36) + "." + strconv.FormatInt(out.CreatedAt.UnixMilli()%(1<<40), 36) + "." + strconv.Itoa(n)
}

// dmChannel returns the direct-message channel with a user, opening it
// once.
func (a *Adapter) dmChannel(ctx context.Context, userID string) (string, error) {
	a.mu.Lock()
	ch, ok := a.dmByUser[userID]
	a.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, err := a.dg.UserChannelCreate(userID, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("open direct message: %w", sanitize(err))
	}
	a.mu.Lock()
	a.dmByUser[userID] = c.ID
	a.mu.Unlock()
	return c.ID, nil
}

// answerButton is the label of the button that opens the answer form,
// the one label the adapter adds itself: in the reply's language, which
// the person may have chosen with /langue whatever their client's, else
// (a reply from before replies carried it) in their client's.
func (a *Adapter) answerButton(r flows.Reply, participant string) string {
	if r.Lang != "" {
		return text.For(r.Lang).Channel.Discord.AnswerButton
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return text.For(a.locale[participant]).Channel.Discord.AnswerButton
}

// recapRule sets a reply's recap apart from the prompt below it.
const recapRule = "──────────"

// render turns a neutral reply into Discord messages; the buttons are
// tagged with the participant they are for.
func (a *Adapter) render(r flows.Reply, userID string) []part {
	var text strings.Builder
	if r.Lead != "" {
		text.WriteString(escapeMarkdown(r.Lead))
		if r.Recap != nil || r.Title != "" || r.Text != "" {
			text.WriteString("\n\n")
		}
	}
	if rc := r.Recap; rc != nil {
		// Set apart from the prompt below it by a rule.
		if rc.Title != "" {
			text.WriteString("**" + escapeMarkdown(rc.Title) + "**\n")
		}
		text.WriteString(escapeMarkdown(rc.Text) + "\n\n" + recapRule)
		if r.Title != "" || r.Text != "" {
			text.WriteString("\n\n")
		}
	}
	if r.Title != "" {
		text.WriteString("**" + escapeMarkdown(r.Title) + "**")
		if r.Text != "" {
			text.WriteString("\n\n")
		}
	}
	text.WriteString(escapeMarkdown(r.Text))

	var buttons []discordgo.Button
	prompt := ""
	for _, o := range r.Options {
		if prompt == "" {
			prompt = promptToken(o.Token)
		}
		buttons = append(buttons, discordgo.Button{
			Label:    truncate(o.Label, maxButtonLabel),
			Style:    discordgo.SecondaryButton,
			CustomID: choiceID(userID, o.Token),
		})
	}
	if r.Expect == flows.ExpectText {
		label := a.answerButton(r, userID)
		maxLen := r.MaxLen
		if maxLen <= 0 || maxLen > maxParagraph {
			maxLen = maxParagraph
		}
		answer := discordgo.Button{
			Label:    "✍️ " + label,
			Style:    discordgo.PrimaryButton,
			CustomID: answerID(userID, prompt, maxLen, r.Field),
		}
		buttons = append([]discordgo.Button{answer}, buttons...)
	}
	if len(buttons) > maxButtons {
		a.log.Warn("reply has more buttons than Discord shows; extra ones dropped", "buttons", len(buttons))
		buttons = buttons[:maxButtons]
	}
	var rows []discordgo.MessageComponent
	for len(buttons) > 0 {
		n := min(5, len(buttons))
		row := discordgo.ActionsRow{}
		for _, b := range buttons[:n] {
			row.Components = append(row.Components, b)
		}
		rows = append(rows, row)
		buttons = buttons[n:]
	}

	chunks := split(text.String(), maxContent)
	if len(chunks) == 0 {
		if len(rows) == 0 {
			return nil
		}
		chunks = []string{""}
	}
	parts := make([]part, len(chunks))
	for i, c := range chunks {
		parts[i].content = c
	}
	parts[len(parts)-1].components = rows
	return parts
}

// split cuts text into pieces of at most limit characters, at paragraph
// boundaries when possible, then at line ends, then at spaces.
func split(text string, limit int) []string {
	text = strings.TrimSpace(text)
	var out []string
	for utf8.RuneCountInString(text) > limit {
		cut := cutPoint(text, limit)
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// cutPoint returns a byte offset at most limit characters into text where
// it is best cut.
func cutPoint(text string, limit int) int {
	end, n := len(text), 0
	for i := range text {
		if n == limit {
			end = i
			break
		}
		n++
	}
	window := text[:end]
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(window, sep); i > 0 {
			return i
		}
	}
	// No break at all: cut hard, but never right after an escaping
	// backslash.
	for end > 1 && window[end-1] == '\\' {
		end--
	}
	return end
}

// markdownEscaper escapes the characters Discord reads as inline markdown.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`,
	`[`, `\[`, `]`, `\]`, `<`, `\<`,
)

// escapeMarkdown makes text display as typed: inline markers are escaped,
// and so are the line starts Discord reads as quotes, headings and lists.
func escapeMarkdown(s string) string {
	lines := strings.Split(markdownEscaper.Replace(s), "\n")
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(trimmed)]
		switch {
		case strings.HasPrefix(trimmed, ">"), strings.HasPrefix(trimmed, "#"),
			strings.HasPrefix(trimmed, "- "), strings.HasPrefix(trimmed, "+ "):
			lines[i] = indent + `\` + trimmed
		default:
			if j := strings.IndexFunc(trimmed, func(r rune) bool { return r < '0' || r > '9' }); j > 0 && strings.HasPrefix(trimmed[j:], ". ") {
				lines[i] = indent + trimmed[:j] + `\` + trimmed[j:]
			}
		}
	}
	return strings.Join(lines, "\n")
}
