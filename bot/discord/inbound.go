package discord

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/text"
)

// ackTimeout bounds the acknowledgement of an interaction: past Discord's
// three seconds it is refused anyway.
const ackTimeout = 3 * time.Second

// Address prefixes, opaque to the engine: an interaction token for
// follow-ups, or a channel id for direct messages.
const (
	addrInteraction = "ix:"
	addrChannel     = "ch:"
)

// snowflakeTime is when a Discord id was minted.
func snowflakeTime(id string) time.Time {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(n>>22) + 1420070400000).UTC()
}

func interactionUser(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// waitRateLimit waits out a rate-limit error under ctx and reports whether
// the call is worth retrying.
func waitRateLimit(ctx context.Context, err error) bool {
	var re *restError
	if !errors.As(err, &re) || re.retryAfter <= 0 {
		return false
	}
	t := time.NewTimer(re.retryAfter)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// respond sends an interaction's one callback within the acknowledgement
// deadline, waiting out rate limits and trying again after a failure that
// may pass (a 5xx, a dropped connection): past the deadline the person
// only sees "interaction failed". An attempt whose answer was lost but
// which Discord took ends in "already acknowledged", which callers accept.
func (a *Adapter) respond(i *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	pause := 50 * time.Millisecond
	for {
		err := sanitize(a.dg.InteractionRespond(i, resp, discordgo.WithContext(ctx)))
		var re *restError
		switch {
		case err == nil:
			return nil
		case waitRateLimit(ctx, err):
			continue
		case errors.As(err, &re) && re.Permanent(), ctx.Err() != nil:
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// ack acknowledges i in the background and returns a channel closed once
// done, so that the commit waits for it (follow-ups need the ack first)
// while acknowledgements of different people run in parallel.
func (a *Adapter) ack(i *discordgo.Interaction, typ discordgo.InteractionResponseType) <-chan struct{} {
	resp := &discordgo.InteractionResponse{Type: typ}
	if typ == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	return a.ackWith(i, resp)
}

// ackWith acknowledges i with resp, in the background, as ack does.
func (a *Adapter) ackWith(i *discordgo.Interaction, resp *discordgo.InteractionResponse) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := a.respond(i, resp)
		code := codeOf(err)
		if err == nil || code == codeAlreadyAcked {
			a.acked(i.Token, resp.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource)
		}
		switch {
		case err == nil:
		case code == codeAlreadyAcked:
			// A redelivery: the engine drops the event as a duplicate.
			a.log.Debug("interaction already acknowledged", "interaction", i.ID)
		default:
			// Too late or failed: the replies fall back to a direct message.
			a.log.Warn("acknowledge interaction", "interaction", i.ID, "err", err)
		}
	}()
	return done
}

// tokenLife is how long Discord keeps an interaction token valid.
const tokenLife = 15 * time.Minute

// ackState is what the adapter knows of an acknowledged interaction.
type ackState struct {
	at          time.Time // when acknowledged
	placeholder bool      // its "thinking…" response is still to be filled
}

// acked records that token's interaction was acknowledged, with a
// "thinking…" placeholder or not, forgetting expired tokens.
func (a *Adapter) acked(token string, placeholder bool) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for t, st := range a.acks {
		if now.Sub(st.at) > tokenLife {
			delete(a.acks, t)
		}
	}
	a.acks[token] = ackState{at: now, placeholder: placeholder}
}

// takePlaceholder reports whether token's interaction still shows its
// "thinking…" placeholder, and if so hands it to the caller, who fills it
// or gives it back with restorePlaceholder. For an interaction
// acknowledged before a restart, it asks Discord.
func (a *Adapter) takePlaceholder(ctx context.Context, ix *discordgo.Interaction) bool {
	a.mu.Lock()
	st, ok := a.acks[ix.Token]
	if ok {
		a.acks[ix.Token] = ackState{at: st.at}
	}
	a.mu.Unlock()
	if ok {
		return st.placeholder
	}
	m, err := a.dg.InteractionResponse(ix, discordgo.WithContext(ctx))
	// On an error (such as an expired token), the follow-up meets it too.
	loading := sanitize(err) == nil && m.Flags&discordgo.MessageFlagsLoading != 0
	a.acked(ix.Token, false)
	return loading
}

// restorePlaceholder gives back a placeholder that could not be filled.
func (a *Adapter) restorePlaceholder(token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.acks[token]
	if st.at.IsZero() {
		st.at = time.Now()
	}
	st.placeholder = true
	a.acks[token] = st
}

func (a *Adapter) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	i := ic.Interaction
	if i == nil {
		return
	}
	// discordgo dispatches an interaction whose data failed to decode with
	// Data nil, and its accessors (ApplicationCommandData…) panic on that.
	switch i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData, discordgo.MessageComponentInteractionData, discordgo.ModalSubmitInteractionData:
	case nil:
		if i.Type == discordgo.InteractionModalSubmit {
			return // onRawInteraction decodes it
		}
		a.log.Warn("interaction without readable data", "interaction", i.ID, "type", i.Type.String())
		return
	default:
		a.log.Warn("interaction without readable data", "interaction", i.ID, "type", i.Type.String())
		return
	}
	u := interactionUser(i)
	if u == nil || u.ID == "" {
		a.log.Warn("interaction without user", "interaction", i.ID)
		return
	}
	if !a.guildAllowed(i.GuildID) {
		a.refuseGuild(i)
		return
	}
	in := bot.Inbound{
		ID:          "discord:interaction:" + i.ID,
		Channel:     bot.ChannelDiscord,
		Participant: a.participant(u.ID),
		Address:     interactionAddress(u.ID, i.Token),
		At:          snowflakeTime(i.ID),
	}
	a.mu.Lock()
	a.locale[in.Participant] = string(i.Locale)
	a.mu.Unlock()
	lang := string(i.Locale)
	deferMessage := discordgo.InteractionResponseDeferredChannelMessageWithSource
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		if a.organiserInteraction(i) {
			return
		}
		name := i.ApplicationCommandData().Name
		cmd, ok := commandFor(name)
		if !ok {
			cmd = name // flows answers an unknown command with help
		}
		in.Event = flows.Event{Kind: flows.EventCommand, Command: cmd, Lang: lang}
		a.commit(in, a.ack(i, deferMessage))
	case discordgo.InteractionMessageComponent:
		id, ok := parseCustomID(i.MessageComponentData().CustomID)
		switch {
		case !ok || id.tag != userTag(in.Participant):
			// Someone else's button, or one this adapter no longer makes:
			// lead to the person's own current question.
			in.Event = flows.Event{Kind: flows.EventCommand, Command: flows.CmdResume, Lang: lang}
			a.commit(in, a.ack(i, deferMessage))
		case id.kind == kindChoice:
			in.Event = flows.Event{Kind: flows.EventChoice, Token: id.token, Lang: lang}
			a.commit(in, a.ack(i, discordgo.InteractionResponseDeferredMessageUpdate))
		case id.kind == kindAnswer:
			// A modal must be the first response; it commits nothing.
			a.wg.Add(1)
			go func() {
				defer a.wg.Done()
				a.openModal(i, in.Participant, id)
			}()
		default:
			in.Event = flows.Event{Kind: flows.EventCommand, Command: flows.CmdResume, Lang: lang}
			a.commit(in, a.ack(i, deferMessage))
		}
	case discordgo.InteractionModalSubmit:
		data := i.ModalSubmitData()
		id, ok := parseCustomID(data.CustomID)
		if !ok || id.kind != kindModal || id.tag != userTag(in.Participant) {
			in.Event = flows.Event{Kind: flows.EventCommand, Command: flows.CmdResume, Lang: lang}
		} else {
			in.Event = flows.Event{Kind: flows.EventText, Text: modalValue(data), Token: id.token, Lang: lang}
		}
		a.commit(in, a.ack(i, deferMessage))
	default:
		a.log.Debug("interaction type ignored", "type", i.Type.String())
	}
}

// commit queues the event behind the participant's earlier ones; it is
// handled once acked is closed.
func (a *Adapter) commit(in bot.Inbound, acked <-chan struct{}) {
	a.enqueue(in.Participant, func(ctx context.Context) {
		<-acked
		if err := a.handle(ctx, in); err != nil {
			a.log.Error("commit event", "event", in.ID, "err", err)
			a.sorry(ctx, in)
		}
	})
}

// sorry tells the person their action was not recorded, best effort, so
// that a failed commit never leaves them waiting on "thinking…".
func (a *Adapter) sorry(ctx context.Context, in bot.Inbound) {
	sorry := text.For(in.Event.Lang).Channel.Discord.Sorry
	out := bot.Outgoing{Channel: bot.ChannelDiscord, Address: in.Address, Participant: in.Participant, Reply: flows.Reply{Text: sorry}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.Send(ctx, out); err != nil {
		a.log.Warn("send failure notice", "err", err)
	}
}

// modalValue is the value of a modal submit's text input, in a Label or
// in an action row as the deprecated form had it.
func modalValue(d discordgo.ModalSubmitInteractionData) string {
	for _, c := range d.Components {
		var inner []discordgo.MessageComponent
		switch c := c.(type) {
		case label:
			inner = []discordgo.MessageComponent{c.Component}
		case *discordgo.ActionsRow:
			inner = c.Components
		}
		for _, ic := range inner {
			if ti, ok := ic.(*discordgo.TextInput); ok {
				return ti.Value
			}
		}
	}
	return ""
}

// openModal answers an "Answer" click with the text modal.
func (a *Adapter) openModal(i *discordgo.Interaction, participant string, id customID) {
	limit := min(id.maxLen, a.opts.MaxAnswerLen, maxParagraph)
	title := truncate(id.field, maxModalTitle)
	if title == "" {
		title = text.For(string(i.Locale)).Channel.Discord.AnswerTitle
	}
	resp := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: modalID(participant, id.token),
			Title:    title,
			Components: []discordgo.MessageComponent{
				label{Label: title, Component: textInput{
					CustomID:  "answer",
					Style:     discordgo.TextInputParagraph,
					Required:  true,
					MinLength: 1,
					MaxLength: limit,
				}},
			},
		},
	}
	if err := a.respond(i, resp); err != nil && codeOf(err) != codeAlreadyAcked {
		a.log.Warn("open answer modal", "interaction", i.ID, "err", err)
	}
}

// onMessage accepts direct messages: text answers, typed commands, and
// media where text is expected. Guild messages are not read (the bot
// asks for no message-content intent).
func (a *Adapter) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	if m == nil || m.GuildID != "" || m.Author == nil || m.Author.ID == "" || m.Author.Bot || m.Author.System {
		return
	}
	in := bot.Inbound{
		ID:          "discord:message:" + m.ID,
		Channel:     bot.ChannelDiscord,
		Participant: a.participant(m.Author.ID),
		Address:     addrChannel + m.ChannelID,
		At:          m.Timestamp,
	}
	a.mu.Lock()
	a.dmByUser[m.Author.ID] = m.ChannelID
	a.mu.Unlock()
	text := strings.TrimSpace(m.Content)
	switch {
	case !flows.IsBlank(text):
		if ev, ok := flows.ParseCommand(text); ok {
			// The slash command names work typed out too.
			if cmd, ok := commandFor(strings.ToLower(ev.Command)); ok {
				ev.Command = cmd
			}
			in.Event = ev
		} else {
			in.Event = flows.Event{Kind: flows.EventText, Text: m.Content}
		}
	case len(m.Attachments) > 0:
		if ev, ok := voiceEvent(m); ok {
			in.Event = ev
			break
		}
		in.Event = flows.Event{Kind: flows.EventMedia, Media: mediaKind(m)}
	case len(m.StickerItems) > 0:
		in.Event = flows.Event{Kind: flows.EventMedia, Media: "sticker"}
	case text != "":
		// Only invisible characters and nothing attached: flows answers
		// it as the empty message it looks like.
		in.Event = flows.Event{Kind: flows.EventText, Text: m.Content}
	default:
		return
	}
	done := make(chan struct{})
	close(done)
	a.commit(in, done)
}

func mediaKind(m *discordgo.Message) string {
	if m.Flags&discordgo.MessageFlagsIsVoiceMessage != 0 {
		return "voice"
	}
	at := m.Attachments[0]
	if at.DurationSecs > 0 {
		return "voice"
	}
	switch ct := at.ContentType; {
	case strings.HasPrefix(ct, "image/"):
		return "photo"
	case strings.HasPrefix(ct, "video/"):
		return "video"
	case strings.HasPrefix(ct, "audio/"):
		return "audio"
	}
	return "document"
}
