package discordtest

import (
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Fixed permission sets sent with interactions, as Discord's decimal
// strings.
const (
	memberPermissions = "2248473465835073"
	appPermissions    = "562949953601536"
)

func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": s.AppID, "username": "consultbot", "discriminator": "0000", "global_name": nil,
		"avatar": nil, "bot": true, "verified": true, "mfa_enabled": false, "flags": 0, "public_flags": 0,
	}
}

func userJSON(u User, bot bool) map[string]any {
	return map[string]any{
		"id": u.ID, "username": u.Name, "discriminator": "0", "global_name": u.Name,
		"avatar": nil, "bot": bot, "public_flags": 0,
	}
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func componentsJSON(rows [][]Button) []any {
	out := []any{}
	for _, row := range rows {
		var cs []any
		for _, b := range row {
			cs = append(cs, map[string]any{"type": 2, "style": b.Style, "label": b.Label, "custom_id": b.CustomID, "disabled": b.Disabled})
		}
		out = append(out, map[string]any{"type": 1, "components": cs})
	}
	return out
}

// messageJSON renders a bot message as Discord's message object.
func (s *Server) messageJSON(m Message) map[string]any {
	flags := 0
	if m.Ephemeral {
		flags = FlagEphemeral
	}
	if m.deferred {
		flags |= FlagLoading
	}
	var edited any
	if !m.Edited.IsZero() {
		edited = rfc3339(m.Edited)
	}
	attachments := []any{}
	for _, f := range m.Files {
		attachments = append(attachments, map[string]any{"id": s.newID(), "filename": f.Name, "size": f.Size, "url": s.URL + "/attachments/" + f.Name, "proxy_url": s.URL + "/attachments/" + f.Name})
	}
	v := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "type": 0, "content": m.Content,
		"author": s.botUser(), "timestamp": rfc3339(m.Created), "edited_timestamp": edited,
		"tts": false, "mention_everyone": false, "mentions": []any{}, "mention_roles": []any{},
		"attachments": attachments, "embeds": []any{}, "pinned": false, "flags": flags,
		"components": componentsJSON(m.Rows),
	}
	if m.Nonce != "" {
		v["nonce"] = m.Nonce
	}
	if m.InteractionID != "" {
		v["webhook_id"] = s.AppID
		v["application_id"] = s.AppID
	}
	return v
}

// newInteractionLocked records and returns the INTERACTION_CREATE payload
// of a new interaction.
func (s *Server) newInteractionLocked(kind int, u User, p Place, data map[string]any) *interaction {
	ix := &interaction{id: s.newID(), token: randomToken(), kind: kind, user: u, place: p, created: time.Now()}
	v := map[string]any{
		"id": ix.id, "application_id": s.AppID, "type": kind, "data": data,
		"channel_id": p.ChannelID, "app_permissions": appPermissions,
		"locale": u.Locale, "token": ix.token, "version": 1, "entitlements": []any{},
	}
	if p.GuildID != "" {
		v["guild_id"] = p.GuildID
		v["guild_locale"] = "fr"
		v["context"] = 0
		v["authorizing_integration_owners"] = map[string]any{"0": p.GuildID}
		v["channel"] = map[string]any{"id": p.ChannelID, "type": 0, "guild_id": p.GuildID, "name": "general", "permissions": memberPermissions}
		v["member"] = map[string]any{
			"user": userJSON(u, false), "roles": append([]string{}, u.Roles...), "joined_at": rfc3339(time.Now().Add(-24 * time.Hour)),
			"premium_since": nil, "deaf": false, "mute": false, "flags": 0, "pending": false,
			"nick": nil, "avatar": nil, "communication_disabled_until": nil, "permissions": memberPermissions,
		}
	} else {
		v["context"] = 1
		v["authorizing_integration_owners"] = map[string]any{"0": s.AppID}
		v["channel"] = map[string]any{"id": p.ChannelID, "type": 1}
		v["user"] = userJSON(u, false)
	}
	ix.payload = v
	s.interactions[ix.id] = ix
	s.byToken[ix.token] = ix
	return ix
}

// SlashCommand runs /name for u at p and returns the interaction id. The
// command must be registered in p's guild or globally, as Discord's client
// only offers registered commands.
func (s *Server) SlashCommand(u User, p Place, name string) (string, error) {
	return s.SlashCommandWith(u, p, name, nil)
}

// SlashCommandWith runs /name with option values (a string or an int per
// option name) and returns the interaction id. Like Discord's client it
// refuses an unknown option, a value of the wrong type, a value outside
// the option's choices and a missing required option.
func (s *Server) SlashCommandWith(u User, p Place, name string, values map[string]any) (string, error) {
	s.mu.Lock()
	var cmd *Command
	scopes := []string{""}
	if p.GuildID != "" {
		scopes = []string{p.GuildID, ""}
	}
	for _, g := range scopes {
		for _, c := range s.commands[g] {
			if c.Name == name {
				cmd = &c
				break
			}
		}
		if cmd != nil {
			break
		}
	}
	if cmd == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("discordtest: no command %q registered for guild %q", name, p.GuildID)
	}
	if cmd.Contexts != nil {
		ctx := ContextBotDM
		if p.GuildID != "" {
			ctx = ContextGuild
		}
		if !slices.Contains(cmd.Contexts, ctx) {
			s.mu.Unlock()
			return "", fmt.Errorf("discordtest: command %q is not offered in context %d", name, ctx)
		}
	}
	data := map[string]any{"id": cmd.ID, "name": cmd.Name, "type": 1}
	options, err := commandOptions(*cmd, values)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	if len(options) > 0 {
		data["options"] = options
	}
	if cmd.GuildID != "" {
		data["guild_id"] = cmd.GuildID
	}
	ix := s.newInteractionLocked(InteractionCommand, u, p, data)
	s.mu.Unlock()
	return ix.id, s.deliverInteraction(ix, false)
}

// commandOptions builds an interaction's option list from values.
func commandOptions(cmd Command, values map[string]any) ([]any, error) {
	known := map[string]bool{}
	var out []any
	for _, o := range cmd.Options {
		known[o.Name] = true
		v, ok := values[o.Name]
		if !ok {
			if o.Required {
				return nil, fmt.Errorf("discordtest: /%s needs option %q", cmd.Name, o.Name)
			}
			continue
		}
		switch v.(type) {
		case string:
			if o.Type != 3 {
				return nil, fmt.Errorf("discordtest: /%s option %q takes an integer", cmd.Name, o.Name)
			}
		case int, int64, uint64:
			if o.Type != 4 {
				return nil, fmt.Errorf("discordtest: /%s option %q takes a string", cmd.Name, o.Name)
			}
		default:
			return nil, fmt.Errorf("discordtest: /%s option %q: unsupported value %T", cmd.Name, o.Name, v)
		}
		if o.Choices != nil {
			if _, ok := o.Choices[fmt.Sprint(v)]; !ok {
				return nil, fmt.Errorf("discordtest: /%s option %q: %v is not one of the choices", cmd.Name, o.Name, v)
			}
		}
		out = append(out, map[string]any{"name": o.Name, "type": o.Type, "value": v})
	}
	for n := range values {
		if !known[n] {
			return nil, fmt.Errorf("discordtest: /%s has no option %q", cmd.Name, n)
		}
	}
	return out, nil
}

// ClickButton clicks the button customID of message m as u, and returns
// the interaction id. The button must be on the message and enabled.
func (s *Server) ClickButton(u User, m Message, customID string) (string, error) {
	var found *Button
	for _, b := range m.Buttons() {
		if b.CustomID == customID {
			found = &b
			break
		}
	}
	if found == nil {
		return "", fmt.Errorf("discordtest: message %s has no button %q", m.ID, customID)
	}
	if found.Disabled {
		return "", fmt.Errorf("discordtest: button %q is disabled", customID)
	}
	s.mu.Lock()
	cur, ok := s.msgByID[m.ID]
	if !ok {
		s.mu.Unlock()
		return "", fmt.Errorf("discordtest: unknown message %s", m.ID)
	}
	p := Place{GuildID: cur.GuildID, ChannelID: cur.ChannelID}
	ix := s.newInteractionLocked(InteractionComponent, u, p, map[string]any{"custom_id": customID, "component_type": 2})
	ix.payload["message"] = s.messageJSON(*cur)
	s.mu.Unlock()
	return ix.id, s.deliverInteraction(ix, false)
}

// ErrTooLong is returned by SubmitModal for a value Discord's client would
// not let the user submit.
var ErrTooLong = errors.New("discordtest: value longer than the input allows")

// SubmitModal submits the last modal opened for u with one value per
// input, and returns the interaction id. Like Discord's client it refuses
// values outside the inputs' length limits.
func (s *Server) SubmitModal(u User, values ...string) (string, error) {
	s.mu.Lock()
	modal, ok := s.modals[u.ID]
	if !ok {
		s.mu.Unlock()
		return "", fmt.Errorf("discordtest: no modal open for %s", u.Name)
	}
	if len(values) != len(modal.Inputs) {
		s.mu.Unlock()
		return "", fmt.Errorf("discordtest: modal has %d inputs, got %d values", len(modal.Inputs), len(values))
	}
	var rows []any
	for i, in := range modal.Inputs {
		n := utf8.RuneCountInString(values[i])
		if n > in.MaxLength {
			s.mu.Unlock()
			return "", fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, n, in.MaxLength)
		}
		if (in.Required && n == 0) || n < in.MinLength {
			s.mu.Unlock()
			return "", fmt.Errorf("discordtest: value of %d characters, at least %d required", n, max(in.MinLength, 1))
		}
		rows = append(rows, map[string]any{"type": ComponentLabel, "component": map[string]any{"type": 4, "custom_id": in.CustomID, "value": values[i]}})
	}
	orig := s.interactions[modal.InteractionID]
	delete(s.modals, u.ID)
	ix := s.newInteractionLocked(InteractionModalSubmit, u, orig.place, map[string]any{"custom_id": modal.CustomID, "components": rows})
	if msg, ok := orig.payload["message"]; ok {
		ix.payload["message"] = msg
	}
	s.mu.Unlock()
	return ix.id, s.deliverInteraction(ix, false)
}

// DirectMessage sends text (and attachments) from u to the bot in their
// direct-message channel, and returns the message id.
func (s *Server) DirectMessage(u User, text string, files ...Attachment) (string, error) {
	s.mu.Lock()
	ch := s.dmChannelLocked(u.ID)
	id := s.newID()
	s.mu.Unlock()
	attachments := []any{}
	flags := 0
	for _, f := range files {
		aid := s.newID()
		u := s.addAttachment(ch, aid, f)
		a := map[string]any{
			"id": aid, "filename": f.Filename, "content_type": f.ContentType, "size": f.Size,
			"url": u, "proxy_url": u,
		}
		if f.DurationSecs > 0 {
			a["duration_secs"] = f.DurationSecs
			a["waveform"] = "AAAA"
			flags |= 1 << 13 // IS_VOICE_MESSAGE
		}
		attachments = append(attachments, a)
	}
	s.dispatch("MESSAGE_CREATE", directMessageJSON(u, id, ch, text, time.Now(), nil, attachments, flags))
	return id, nil
}

// DirectMessageWith sends a direct message from u with no text, its
// fields, by Discord's names, set to those given (embeds only, a forward's
// "message_snapshots", a "poll"…), and returns the message id.
func (s *Server) DirectMessageWith(u User, fields map[string]any) (string, error) {
	s.mu.Lock()
	ch := s.dmChannelLocked(u.ID)
	id := s.newID()
	s.mu.Unlock()
	m := directMessageJSON(u, id, ch, "", time.Now(), nil, []any{}, 0)
	for k, v := range fields {
		m[k] = v
	}
	s.dispatch("MESSAGE_CREATE", m)
	return id, nil
}

// directMessageJSON is the message object of u's direct message id in
// channel ch, as a MESSAGE_CREATE or MESSAGE_UPDATE carries it; edited is
// nil for a message never edited.
func directMessageJSON(u User, id, ch, text string, sent time.Time, edited *time.Time, attachments []any, flags int) map[string]any {
	var editedAt any
	if edited != nil {
		editedAt = rfc3339(*edited)
	}
	return map[string]any{
		"id": id, "channel_id": ch, "author": userJSON(u, false), "content": text,
		"timestamp": rfc3339(sent), "edited_timestamp": editedAt, "tts": false,
		"mention_everyone": false, "mentions": []any{}, "mention_roles": []any{},
		"attachments": attachments, "embeds": []any{}, "pinned": false, "type": 0, "flags": flags,
		"components": []any{},
	}
}

// EditDirectMessage edits u's direct message messageID to read text, as
// Discord tells the bot with a MESSAGE_UPDATE carrying edited_timestamp.
func (s *Server) EditDirectMessage(u User, messageID, text string) {
	s.mu.Lock()
	ch := s.dmChannelLocked(u.ID)
	s.mu.Unlock()
	now := time.Now()
	s.dispatch("MESSAGE_UPDATE", directMessageJSON(u, messageID, ch, text, now.Add(-time.Second), &now, []any{}, 0))
}

// PreviewDirectMessage adds a link's preview to u's direct message
// messageID, as Discord tells the bot with a MESSAGE_UPDATE that carries
// no edited_timestamp: the person changed nothing.
func (s *Server) PreviewDirectMessage(u User, messageID, text string) {
	s.mu.Lock()
	ch := s.dmChannelLocked(u.ID)
	s.mu.Unlock()
	s.dispatch("MESSAGE_UPDATE", directMessageJSON(u, messageID, ch, text, time.Now().Add(-time.Second), nil, []any{}, 0))
}

// Redeliver dispatches an interaction again, as a gateway resume or a
// retry can, or posts it again to the interactions endpoint; its token
// stays the same, so a second callback is refused (and a second response
// from the endpoint ignored).
func (s *Server) Redeliver(interactionID string) error {
	s.mu.Lock()
	ix, ok := s.interactions[interactionID]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("discordtest: unknown interaction %s", interactionID)
	}
	return s.deliverInteraction(ix, true)
}
