package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"consultbot/flows"
	"consultbot/text"
)

// slashCommand is one educator command: its canonical flows name and the
// names Discord shows in French (the base name) and English.
type slashCommand struct {
	canonical string
	fr, en    string
}

// educatorCommands are the slash commands every member sees: flows'
// command list, whose names the help text quotes, with /contribuer for
// start. Discord command names allow lowercase letters, digits, "-" and "_".
func educatorCommands() []slashCommand {
	var cmds []slashCommand
	for _, ci := range flows.CommandList() {
		c := slashCommand{canonical: ci.Name, fr: ci.NameFR, en: ci.NameEN}
		if ci.Name == flows.CmdStart {
			c.fr, c.en = text.For(text.FR).Channel.Discord.StartCommand, text.For(text.EN).Channel.Discord.StartCommand
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// commandFor maps an invoked command name (Discord sends the base name,
// French here) to its canonical flows name.
func commandFor(name string) (string, bool) {
	for _, c := range educatorCommands() {
		if c.fr == name || c.en == name {
			return c.canonical, true
		}
	}
	return "", false
}

// applicationCommands builds the educators' commands to register, from
// flows' command list; /contribuer's description is the channel's own.
func applicationCommands() []*discordgo.ApplicationCommand {
	desc := map[string]flows.CommandInfo{}
	for _, ci := range flows.CommandList() {
		desc[ci.Name] = ci
	}
	var cmds []*discordgo.ApplicationCommand
	for _, c := range educatorCommands() {
		ci := desc[c.canonical]
		fr, en := ci.DescriptionFR, ci.DescriptionEN
		if c.canonical == flows.CmdStart {
			fr, en = text.For(text.FR).Channel.Discord.StartMenu, text.For(text.EN).Channel.Discord.StartMenu
		}
		if fr == "" {
			fr, en = c.fr, c.en
		}
		cmd := slash(c.fr, c.en, fr, en)
		cmd.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// slash is a chat command named fr, localised as en for English clients,
// with its descriptions cut within Discord's 100 characters, offered by
// the server install in servers only (callers widen its contexts).
func slash(fr, en, descFR, descEN string) *discordgo.ApplicationCommand {
	names := english(en)
	descs := english(truncate(descEN, 100))
	return &discordgo.ApplicationCommand{
		Type:                     discordgo.ChatApplicationCommand,
		IntegrationTypes:         &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall},
		Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		Name:                     fr,
		NameLocalizations:        &names,
		Description:              truncate(descFR, 100),
		DescriptionLocalizations: &descs,
		Options:                  []*discordgo.ApplicationCommandOption{},
	}
}

// registerCommands overwrites the commands in every configured guild, or
// globally when there is none.
func (a *Adapter) registerCommands(ctx context.Context) error {
	guilds := a.opts.GuildIDs
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	cmds := append(applicationCommands(), a.organiserApplicationCommands()...)
	for _, g := range guilds {
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			_, err = a.dg.ApplicationCommandBulkOverwrite(a.opts.ApplicationID, g, cmds, discordgo.WithContext(ctx))
			err = sanitize(err)
			if !waitRateLimit(ctx, err) {
				break
			}
		}
		if err != nil {
			if g == "" {
				return fmt.Errorf("register global commands: %w", err)
			}
			return fmt.Errorf("register commands in guild %s: %w", g, err)
		}
		a.log.Info("slash commands registered", "guild", g, "count", len(cmds))
	}
	return nil
}
