package discord

import (
	"slices"
	"strings"

	"consultbot/bot"
)

// participant is the pseudonymous participant id of a Discord user: the
// user id itself is not stored with sessions and answers.
func (a *Adapter) participant(userID string) string {
	return bot.ParticipantID(bot.ChannelDiscord, userID, a.opts.IDKey)
}

// Acknowledgement kinds, written in an interaction's address so that
// whichever process delivers its replies (after a restart, or the leader
// of several replicas) knows what Discord shows without asking.
const (
	// ackPlaceholder: a deferred message (type 5), whose "thinking…"
	// placeholder the event's first reply fills by editing @original.
	ackPlaceholder = "d"
	// ackUpdate: a deferred update (type 6) of the message the button is
	// on, which is @original; replies that do not replace it follow up.
	ackUpdate = "u"
)

// interactionAddress is the reply address of an interaction,
// "ix:<user id>:<ack kind>:<token>" (addrPublic instead of addrInteraction
// for public follow-ups). It carries the user id next to the token, for
// the one case that needs it: the direct-message fallback once the token
// has expired. Addresses live in the outbox only until delivered.
func interactionAddress(prefix, userID, ack, token string) string {
	return prefix + userID + ":" + ack + ":" + token
}

// interactionAddr is a parsed interaction address.
type interactionAddr struct {
	public bool
	userID string // "" in an address written before ids were carried
	// ack is ackPlaceholder or ackUpdate; "" in an address written before
	// the kind was carried: Discord is then asked (legacyPlaceholder).
	ack   string
	token string
}

// parseInteractionAddress parses an interaction address, ephemeral or
// public, in its current form or an older one.
func parseInteractionAddress(address string) interactionAddr {
	var ia interactionAddr
	rest, ok := strings.CutPrefix(address, addrInteraction)
	if !ok {
		rest = strings.TrimPrefix(address, addrPublic)
		ia.public = true
	}
	id, tok, ok := strings.Cut(rest, ":")
	if !ok || !isSnowflake(id) {
		ia.token = rest
		return ia
	}
	ia.userID, ia.token = id, tok
	if kind, tok, ok := strings.Cut(tok, ":"); ok && (kind == ackPlaceholder || kind == ackUpdate) {
		ia.ack, ia.token = kind, tok
	}
	return ia
}

// guildAllowed reports whether the bot serves interactions from guildID:
// direct messages ("") always, guilds only those of Options.GuildIDs when
// there are any.
func (a *Adapter) guildAllowed(guildID string) bool {
	return guildID == "" || len(a.opts.GuildIDs) == 0 || slices.Contains(a.opts.GuildIDs, guildID)
}
