package flows

import "consultbot/text"

// messages are the conversation's texts in one language, from the
// catalogue.
type messages = text.Flow

// catalogFor returns the catalogue in lang whose texts name the commands
// as the channel offers them: its own buttons when buttons is set
// (Event.CommandButtons), Discord's picker for an app set to
// discordLocale when set (Event.DiscordLocale), slash commands otherwise.
func catalogFor(lang string, buttons bool, discordLocale string) *text.Catalog {
	if lang != LangEN {
		lang = LangFR
	}
	switch {
	case buttons:
		return text.ForNaming(lang, text.Buttons)
	case discordLocale != "":
		return text.ForNaming(lang, text.DiscordNaming(discordLocale))
	}
	return text.ForNaming(lang, text.Slash)
}

// messagesFor returns the conversation's texts in lang, for texts that
// name no command.
func messagesFor(lang string) *messages { return &catalogFor(lang, false, "").Flow }
