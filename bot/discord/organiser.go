package discord

import (
	"context"
	"fmt"
	"slices"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/organiser"
	"consultbot/text"
)

// addrPublic is the address prefix of interaction follow-ups the whole
// channel sees (results in an organisers' channel); addrInteraction's are
// ephemeral.
const addrPublic = "ixp:"

// manageGuild is the permission bit set given to organiser commands as
// default_member_permissions: Discord then hides them from members
// without "Manage Server". Server admins can grant them to a role in the
// integration settings; the organiser service checks the configured
// channels and roles anyway, since those settings are outside its control.
const manageGuild = int64(discordgo.PermissionManageGuild)

// Option names of the organiser slash commands, by argument kind.
const (
	optTheme  = "theme"
	optAnswer = "id"
	optText   = "texte"
	optDraft  = "numero"
)

// organiserApplicationCommands builds the organiser slash commands from
// the organiser command table, none when no Organiser is configured:
// French names with English localisations, guild-only, hidden from
// members without Manage Server.
func (a *Adapter) organiserApplicationCommands() []*discordgo.ApplicationCommand {
	if a.opts.Organiser == nil {
		return nil
	}
	perms := manageGuild
	fr, en := text.For(text.FR).Organiser, text.For(text.EN).Organiser
	var cmds []*discordgo.ApplicationCommand
	for _, c := range organiser.Commands() {
		cmd := slash(c.FR, c.EN, c.Text(text.FR).Menu, c.Text(text.EN).Menu)
		cmd.DefaultMemberPermissions = &perms
		switch c.Arg {
		case organiser.ArgTheme:
			cmd.Options = append(cmd.Options, a.themeOption(fr.ThemeOption, en.ThemeOption))
		case organiser.ArgAnswer:
			one := 1.0
			cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionInteger,
				Name:                     optAnswer,
				Description:              fr.AnswerOption,
				DescriptionLocalizations: english(en.AnswerOption),
				Required:                 true,
				MinValue:                 &one,
			})
		case organiser.ArgText:
			maxLen := organiser.MaxAnnouncement
			cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     optText,
				NameLocalizations:        english("text"),
				Description:              fr.Announce.TextOption,
				DescriptionLocalizations: english(en.Announce.TextOption),
				Required:                 true,
				MaxLength:                maxLen,
			})
		case organiser.ArgDraft:
			one := 1.0
			cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionInteger,
				Name:                     optDraft,
				NameLocalizations:        english("number"),
				Description:              fr.Announce.DraftOption,
				DescriptionLocalizations: english(en.Announce.DraftOption),
				Required:                 true,
				MinValue:                 &one,
			})
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// english is a localisation for the English locales Discord has.
func english(s string) map[discordgo.Locale]string {
	return map[discordgo.Locale]string{discordgo.EnglishUS: s, discordgo.EnglishGB: s}
}

// themeOption is /synthese's optional theme, whose choices are the
// questionnaire's themes (Discord shows at most 25).
func (a *Adapter) themeOption(fr, en string) *discordgo.ApplicationCommandOption {
	o := &discordgo.ApplicationCommandOption{
		Type:                     discordgo.ApplicationCommandOptionString,
		Name:                     optTheme,
		NameLocalizations:        english(optTheme),
		Description:              fr,
		DescriptionLocalizations: english(en),
	}
	q := a.opts.Questionnaire
	if q == nil {
		return o
	}
	for i, th := range q.Themes {
		if i == 25 {
			break
		}
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{
			Name:              truncate(fmt.Sprintf("%d. %s", i+1, th.Title.In(text.FR)), 100),
			NameLocalizations: english(truncate(fmt.Sprintf("%d. %s", i+1, th.Title.In(text.EN)), 100)),
			Value:             th.ID,
		})
	}
	return o
}

// organiserRole says what the invoker of i may do: an organiser in an
// organisers' channel, or with an organiser role. public reports the
// former: answers are then posted for the whole channel to see, where the
// team works; anywhere else they stay ephemeral, so that moderation never
// shows in a public channel.
func (a *Adapter) organiserRole(i *discordgo.Interaction) (role organiser.Role, public bool) {
	if i.GuildID != "" && i.ChannelID != "" && slices.Contains(a.opts.OrganiserChannelIDs, i.ChannelID) {
		return organiser.Organiser, true
	}
	if i.Member != nil {
		for _, r := range i.Member.Roles {
			if slices.Contains(a.opts.OrganiserRoleIDs, r) {
				return organiser.Organiser, false
			}
		}
	}
	return organiser.Anyone, false
}

// organiserReaction is the reaction to an organiser slash command, and
// whether i was one: in the invoker's line, the hand-over to the
// organiser service, acknowledged as any reaction is (firstResponse);
// the service's answers follow the acknowledgement.
func (a *Adapter) organiserReaction(i *discordgo.Interaction) (reaction, bool) {
	if a.opts.Organiser == nil || i.Type != discordgo.InteractionApplicationCommand {
		return reaction{}, false
	}
	data := i.ApplicationCommandData()
	spec, ok := organiser.Lookup(data.Name)
	if !ok {
		return reaction{}, false
	}
	u := interactionUser(i)
	role, public := a.organiserRole(i)
	cmd := organiser.Command{Name: spec.ID}
	for _, o := range data.Options {
		switch {
		case o.Name == optTheme && o.Type == discordgo.ApplicationCommandOptionString:
			cmd.Theme = o.StringValue()
		case o.Name == optAnswer && o.Type == discordgo.ApplicationCommandOptionInteger && o.IntValue() > 0:
			cmd.AnswerID = uint64(o.IntValue())
		case o.Name == optText && o.Type == discordgo.ApplicationCommandOptionString:
			cmd.Text = o.StringValue()
		case o.Name == optDraft && o.Type == discordgo.ApplicationCommandOptionInteger && o.IntValue() > 0:
			cmd.Draft = uint64(o.IntValue())
		}
	}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	reply := bot.Outgoing{
		Channel:     bot.ChannelDiscord,
		Address:     interactionAddress(addrInteraction, u.ID, ackPlaceholder, i.Token),
		Participant: a.participant(u.ID),
		EventID:     "discord:interaction:" + i.ID,
	}
	if public {
		reply.Address = interactionAddress(addrPublic, u.ID, ackPlaceholder, i.Token)
	} else {
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	lane := "discord:" + i.ChannelID
	if !public {
		lane = "discord:user:" + u.ID // ephemeral answers: the invoker's own
	}
	return reaction{resp: resp, lane: "organiser:" + u.ID, work: func(ctx context.Context) error {
		_, err := a.opts.Organiser.Submit(ctx, organiser.Request{
			Command: &cmd,
			Lang:    string(i.Locale),
			From:    reply.Participant,
			Role:    role,
			Lane:    lane,
			Reply:   reply,
		})
		if err != nil {
			return fmt.Errorf("organiser command %s: %w", i.ID, err)
		}
		return nil
	}}, true
}

// Layout lays organiser answers out in Discord's markdown: the digest
// within Discord's 2000 characters, the chart's title in bold. Periodic
// digests go to organisers' channels by their id.
func (a *Adapter) Layout() organiser.Layout {
	return organiser.Layout{
		Digest: digest.RenderDiscord,
		Bold:   func(s string) string { return "**" + escapeMarkdown(s) + "**" },
		Address: func(id string) (string, error) {
			if !isSnowflake(id) {
				return "", fmt.Errorf("%q is not a Discord channel id", id)
			}
			return addrChannel + id, nil
		},
	}
}
