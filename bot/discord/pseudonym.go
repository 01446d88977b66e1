package discord

import (
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
	"consultbot/text"
)

// participant is the pseudonymous participant id of a Discord user: the
// user id itself is not stored with sessions and answers.
func (a *Adapter) participant(userID string) string {
	return bot.ParticipantID(bot.ChannelDiscord, userID, a.opts.IDKey)
}

// interactionAddress is the reply address of an interaction. It carries
// the user id next to the token, for the one case that needs it: the
// direct-message fallback once the token has expired. Addresses live in
// the outbox only until delivered.
func interactionAddress(userID, token string) string {
	return addrInteraction + userID + ":" + token
}

// splitInteractionAddress returns the user id ("" in an address written
// before ids were carried) and the token of an interaction address,
// ephemeral or public.
func splitInteractionAddress(address string) (userID, token string) {
	rest, ok := strings.CutPrefix(address, addrInteraction)
	if !ok {
		rest = strings.TrimPrefix(address, addrPublic)
	}
	if id, tok, ok := strings.Cut(rest, ":"); ok && isSnowflake(id) {
		return id, tok
	}
	return "", rest
}

// guildAllowed reports whether the bot serves interactions from guildID:
// direct messages ("") always, guilds only those of Options.GuildIDs when
// there are any.
func (a *Adapter) guildAllowed(guildID string) bool {
	return guildID == "" || len(a.opts.GuildIDs) == 0 || slices.Contains(a.opts.GuildIDs, guildID)
}

// refuseGuild answers an interaction from a guild the bot does not serve
// with a short note only its author sees; nothing is applied.
func (a *Adapter) refuseGuild(i *discordgo.Interaction) {
	a.log.Info("interaction from a guild not in guild_ids; refused", "guild", i.GuildID)
	notHere := text.For(string(i.Locale)).Channel.Discord.NotHere
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		err := a.respond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: notHere, Flags: discordgo.MessageFlagsEphemeral},
		})
		if err != nil {
			a.log.Debug("refuse interaction", "interaction", i.ID, "err", err)
		}
	}()
}
