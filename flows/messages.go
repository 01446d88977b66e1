package flows

import "consultbot/text"

// messages are the conversation's texts in one language, from the
// catalogue.
type messages = text.Flow

// catalogFor returns the catalogue in lang whose texts name the commands
// as the channel offers them: its own buttons when buttons is set
// (Event.CommandButtons), slash commands otherwise.
func catalogFor(lang string, buttons bool) *text.Catalog {
	if lang != LangEN {
		lang = LangFR
	}
	if buttons {
		return text.ForNaming(lang, text.Buttons)
	}
	return text.ForNaming(lang, text.Slash)
}

// messagesFor returns the conversation's texts in lang, for texts that
// name no command.
func messagesFor(lang string) *messages { return &catalogFor(lang, false).Flow }
