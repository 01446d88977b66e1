package discord

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
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

// ackWith acknowledges i with resp in the background and returns a
// ackWith acknowledges i with resp in the background; release, from
// acking, records the outcome for the replies that wait for it.
// Acknowledgements of different people run in parallel.
func (a *Adapter) ackWith(i *discordgo.Interaction, resp *discordgo.InteractionResponse, release func(ok bool)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.acknowledge(i, resp, release)
	}()
}

// acknowledge gives i its first response, resp, and records the outcome
// with release.
func (a *Adapter) acknowledge(i *discordgo.Interaction, resp *discordgo.InteractionResponse, release func(ok bool)) {
	err := a.respond(i, resp)
	code := codeOf(err)
	release(err == nil || code == codeAlreadyAcked)
	switch {
	case err == nil:
	case code == codeAlreadyAcked:
		// A redelivery: the engine drops the event as a duplicate.
		a.log.Debug("interaction already acknowledged", "interaction", i.ID)
	default:
		// Too late or failed: the replies fall back to a direct message.
		a.log.Warn("acknowledge interaction", "interaction", i.ID, "type", int(resp.Type), "err", err)
	}
}

// tokenLife is how long Discord keeps an interaction token valid.
const tokenLife = 15 * time.Minute

// ackWait is an acknowledgement this process gives: done is closed once
// it is answered; ok when Discord confirmed it took it (an interactions
// endpoint's response is never confirmed).
type ackWait struct {
	at   time.Time
	done chan struct{}
	ok   bool
}

// acking records that this process is acknowledging token's interaction,
// forgetting expired tokens, and returns the function to call once the
// acknowledgement is answered (or, for the HTTP endpoint, written).
func (a *Adapter) acking(token string) (release func(ok bool)) {
	now := time.Now()
	w := &ackWait{at: now, done: make(chan struct{})}
	a.mu.Lock()
	for t, st := range a.acks {
		if now.Sub(st.at) > tokenLife {
			delete(a.acks, t)
		}
	}
	a.acks[token] = w
	a.mu.Unlock()
	var once sync.Once
	return func(ok bool) {
		once.Do(func() {
			a.mu.Lock()
			w.ok = ok
			a.mu.Unlock()
			close(w.done)
		})
	}
}

// waitAcked waits until this process's acknowledgement of token's
// interaction is answered, and reports whether Discord confirmed it. An
// interaction acknowledged elsewhere (another replica, or before a
// restart) is not waited for, and not confirmed.
func (a *Adapter) waitAcked(ctx context.Context, token string) (confirmed bool, err error) {
	a.mu.Lock()
	w, ok := a.acks[token]
	a.mu.Unlock()
	if !ok {
		return false, nil
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return w.ok, nil
}

// reaction is what the adapter does with one interaction, whether it came
// through the gateway or the HTTP endpoint: the work, in the line named
// lane (committing an event, handing a command to the organisers), and
// the first response Discord gets once it is done or replyWithin has
// passed (firstResponse); work is nil when the response is all.
type reaction struct {
	resp *discordgo.InteractionResponse
	lane string
	work func(ctx context.Context) error
	// in is the event work commits, if any (for the failure notice).
	in *bot.Inbound
}

// react turns an interaction into the adapter's reaction; ok is false for
// an interaction the adapter ignores (unreadable, without a user, of a
// type it does not handle).
func (a *Adapter) react(i *discordgo.Interaction) (r reaction, ok bool) {
	// discordgo dispatches an interaction whose data failed to decode with
	// Data nil, and its accessors (ApplicationCommandData…) panic on that.
	switch i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData, discordgo.MessageComponentInteractionData, discordgo.ModalSubmitInteractionData:
	default:
		a.log.Warn("interaction without readable data", "interaction", i.ID, "type", i.Type.String())
		return reaction{}, false
	}
	u := interactionUser(i)
	if u == nil || u.ID == "" {
		a.log.Warn("interaction without user", "interaction", i.ID)
		return reaction{}, false
	}
	participant := a.participant(u.ID)
	if !a.guildAllowed(i.GuildID) {
		a.log.Info("interaction from a guild not in guild_ids; refused", "guild", i.GuildID)
		notHere := text.For(a.langOf(participant, string(i.Locale))).Channel.Discord.NotHere
		return reaction{resp: &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: notHere, Flags: discordgo.MessageFlagsEphemeral},
		}}, true
	}
	a.mu.Lock()
	a.locale[participant] = string(i.Locale)
	a.mu.Unlock()
	lang := string(i.Locale)
	in := bot.Inbound{
		ID:          "discord:interaction:" + i.ID,
		Channel:     bot.ChannelDiscord,
		Participant: participant,
		Address:     interactionAddress(addrInteraction, u.ID, ackPlaceholder, i.Token),
		At:          snowflakeTime(i.ID),
	}
	deferred := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
	resume := flows.Event{Kind: flows.EventCommand, Command: flows.CmdResume, Lang: lang, DiscordLocale: lang}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		if r, ok := a.organiserReaction(i); ok {
			return r, true
		}
		name := i.ApplicationCommandData().Name
		cmd, ok := commandFor(name)
		if !ok {
			cmd = name // flows answers an unknown command with help
		}
		in.Event = flows.Event{Kind: flows.EventCommand, Command: cmd, Lang: lang, DiscordLocale: lang}
		return a.commitReaction(in, deferred), true
	case discordgo.InteractionMessageComponent:
		id, ok := parseCustomID(i.MessageComponentData().CustomID)
		switch {
		case !ok || id.tag != userTag(participant):
			// Someone else's button, or one this adapter no longer makes:
			// lead to the person's own current question.
			in.Event = resume
		case id.kind == kindChoice:
			in.Event = flows.Event{Kind: flows.EventChoice, Token: id.token, Lang: lang, DiscordLocale: lang}
			in.Address = interactionAddress(addrInteraction, u.ID, ackUpdate, i.Token)
			return a.commitReaction(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}), true
		case id.kind == kindAnswer:
			// A modal must be the first response; it commits nothing.
			return reaction{resp: a.answerModal(i, participant, id)}, true
		default:
			in.Event = resume
		}
		return a.commitReaction(in, deferred), true
	case discordgo.InteractionModalSubmit:
		data := i.ModalSubmitData()
		id, ok := parseCustomID(data.CustomID)
		if !ok || id.kind != kindModal || id.tag != userTag(participant) {
			in.Event = resume
		} else {
			in.Event = flows.Event{Kind: flows.EventText, Text: modalValue(data), Token: id.token, Lang: lang, DiscordLocale: lang}
		}
		return a.commitReaction(in, deferred), true
	}
	a.log.Debug("interaction type ignored", "type", i.Type.String())
	return reaction{}, false
}

// commitReaction answers with resp, then commits in.
func (a *Adapter) commitReaction(in bot.Inbound, resp *discordgo.InteractionResponse) reaction {
	return reaction{resp: resp, lane: in.Participant, in: &in, work: func(ctx context.Context) error {
		return a.handle(ctx, in)
	}}
}

// onInteraction reacts to an interaction from the gateway. Its event is
// committed first, in the person's line behind their earlier ones, and
// the interaction acknowledged after (firstResponse), as the interactions
// endpoint does: a crash between the two then loses no action Discord
// showed as taken. The gateway goroutine only queues the work.
func (a *Adapter) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	i := ic.Interaction
	if i == nil {
		return
	}
	if i.Data == nil && i.Type == discordgo.InteractionModalSubmit {
		return // onRawInteraction decodes it
	}
	r, ok := a.react(i)
	if !ok {
		return
	}
	release := a.acking(i.Token)
	if r.work == nil {
		a.ackWith(i, r.resp, release)
		return
	}
	done := make(chan error, 1)
	a.enqueue(r.lane, func(ctx context.Context) { done <- r.work(ctx) })
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.acknowledge(i, a.firstResponse(&a.wg, i, r, done), release)
	}()
}

// firstResponse waits, up to replyWithin, for the outcome of r's work
// (done) and returns the response to give Discord: r's own once the event
// is committed, or the « not recorded » notice if it failed. Past
// replyWithin the response is r's own, so that the person's button never
// spins into Discord's three seconds; the work goes on, counted in wg,
// and a failure is then told by a follow-up. The wait also ends
// replyWithin after the interaction was created (as its id says), so
// that the time it took to reach this process (a busy gateway, a queue)
// is not waited on top.
func (a *Adapter) firstResponse(wg *sync.WaitGroup, i *discordgo.Interaction, r reaction, done <-chan error) *discordgo.InteractionResponse {
	wait := replyWithin
	if at := snowflakeTime(i.ID); !at.IsZero() {
		wait = max(0, min(wait, time.Until(at.Add(replyWithin))))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case err := <-done:
		if err == nil {
			return r.resp
		}
		a.log.Error("commit event", "err", err)
		return &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: a.sorryText(r.in, string(i.Locale)),
				Flags:   discordgo.MessageFlagsEphemeral,
			},
		}
	case <-t.C:
	}
	a.baseMu.Lock()
	ctx := a.base
	a.baseMu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := <-done; err != nil {
			a.log.Error("commit event", "err", err)
			if r.in != nil {
				a.sorry(ctx, *r.in)
			}
		}
	}()
	return r.resp
}

// run does a reaction's work, telling the person when their event could
// not be recorded.
func (a *Adapter) run(ctx context.Context, r reaction) {
	if err := r.work(ctx); err != nil {
		a.log.Error("commit event", "err", err)
		if r.in != nil {
			a.sorry(ctx, *r.in)
		}
	}
}

// commit queues the event of a direct message behind the participant's
// earlier ones. A message carries no locale: the texts name the commands
// by the last one seen of the person's app, if any.
func (a *Adapter) commit(in bot.Inbound) {
	a.mu.Lock()
	in.Event.DiscordLocale = a.locale[in.Participant]
	a.mu.Unlock()
	a.enqueue(in.Participant, func(ctx context.Context) {
		a.run(ctx, a.commitReaction(in, nil))
	})
}

// sorry tells the person their action was not recorded, best effort, so
// that a failed commit never leaves them waiting on "thinking…".
func (a *Adapter) sorry(ctx context.Context, in bot.Inbound) {
	sorry := a.sorryText(&in, in.Event.DiscordLocale)
	out := bot.Outgoing{Channel: bot.ChannelDiscord, Address: in.Address, Participant: in.Participant, Reply: flows.Reply{Text: sorry}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.Send(ctx, out); err != nil {
		a.log.Warn("send failure notice", "err", err)
	}
}

// sorryText is the « not recorded » notice for the person of in, in the
// language to write to them in (see langOf); in locale when there is no
// event of a person (in nil).
func (a *Adapter) sorryText(in *bot.Inbound, locale string) string {
	if in != nil {
		locale = a.langOf(in.Participant, locale)
	}
	return text.For(locale).Channel.Discord.Sorry
}

// langOf is the language to write to participant in: the
// conversation's, as the last reply sent to them said it or, nothing sent
// to them since this process started, as their stored session says it;
// else (no session, or a store that cannot tell) their app's locale.
func (a *Adapter) langOf(participant, locale string) string {
	a.mu.Lock()
	l, ok := a.lang[participant]
	a.mu.Unlock()
	if ok {
		return l
	}
	if sp, ok := a.h.(speaker); ok {
		if l := sp.Lang(participant); l != "" {
			return l
		}
	}
	return locale
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

// answerModal is the response to an "Answer" click: the text modal.
func (a *Adapter) answerModal(i *discordgo.Interaction, participant string, id customID) *discordgo.InteractionResponse {
	limit := min(id.maxLen, a.opts.MaxAnswerLen, maxParagraph)
	title := truncate(id.field, maxModalTitle)
	if title == "" {
		title = text.For(string(i.Locale)).Channel.Discord.AnswerTitle
	}
	return &discordgo.InteractionResponse{
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
}

// onMessage accepts direct messages: text answers, typed commands, and
// media where text is expected. Guild messages are not read (the bot
// asks for no message-content intent).
func (a *Adapter) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	if !fromPersonDirect(m) {
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
		// Text sent with a file is read as if typed; the file is named,
		// not kept, as a Telegram caption.
		switch {
		case len(m.Attachments) > 0:
			in.Event.Media = mediaKind(m)
		case len(m.StickerItems) > 0:
			in.Event.Media = flows.MediaSticker
		}
	case len(m.Attachments) > 0:
		if ev, ok := voiceEvent(m); ok {
			in.Event = ev
			break
		}
		in.Event = flows.Event{Kind: flows.EventMedia, Media: mediaKind(m)}
	case len(m.StickerItems) > 0:
		in.Event = flows.Event{Kind: flows.EventMedia, Media: flows.MediaSticker}
	case text != "":
		// Only invisible characters and nothing attached: flows answers
		// it as the empty message it looks like.
		in.Event = flows.Event{Kind: flows.EventText, Text: m.Content}
	case m.Type == discordgo.MessageTypeDefault || m.Type == discordgo.MessageTypeReply:
		// A person's message with nothing the adapter reads: embeds
		// only, a forward, a poll, a kind newer than discordgo. It is
		// answered as such, never met with silence; nothing is kept.
		in.Event = flows.Event{Kind: flows.EventMedia, Media: flows.MediaOther}
	default:
		return // a call, a pin, a member added: no one said anything
	}
	a.commit(in)
}

// onMessageUpdate tells a person who edited a direct message that edits
// are not read. Discord also sends updates that are no edit (a link's
// preview added): those carry no edited_timestamp and are left alone.
func (a *Adapter) onMessageUpdate(_ *discordgo.Session, mu *discordgo.MessageUpdate) {
	m := mu.Message
	if !fromPersonDirect(m) || m.EditedTimestamp == nil {
		return
	}
	a.commit(bot.Inbound{
		ID:          "discord:edit:" + m.ID + ":" + strconv.FormatInt(m.EditedTimestamp.UnixNano(), 10),
		Channel:     bot.ChannelDiscord,
		Participant: a.participant(m.Author.ID),
		Address:     addrChannel + m.ChannelID,
		At:          *m.EditedTimestamp,
		Event:       flows.Event{Kind: flows.EventEdited},
	})
}

// fromPersonDirect reports whether m is a direct message from a person:
// no guild's, no bot's, no system message.
func fromPersonDirect(m *discordgo.Message) bool {
	return m != nil && m.GuildID == "" && m.Author != nil && m.Author.ID != "" && !m.Author.Bot && !m.Author.System
}

// mediaKind names the first file of a message (flows.Media…).
func mediaKind(m *discordgo.Message) string {
	if m.Flags&discordgo.MessageFlagsIsVoiceMessage != 0 {
		return flows.MediaVoice
	}
	at := m.Attachments[0]
	if at.DurationSecs > 0 {
		return flows.MediaVoice
	}
	switch ct := at.ContentType; {
	case strings.HasPrefix(ct, "image/"):
		return flows.MediaPhoto
	case strings.HasPrefix(ct, "video/"):
		return flows.MediaVideo
	case strings.HasPrefix(ct, "audio/"):
		return flows.MediaAudio
	}
	return flows.MediaDocument
}
