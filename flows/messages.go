package flows

import "consultbot/text"

// messages are the conversation's texts in one language, from the
// catalogue.
type messages = text.Flow

func messagesFor(lang string) *messages {
	if lang == LangEN {
		return &text.For(text.EN).Flow
	}
	return &text.For(text.FR).Flow
}
