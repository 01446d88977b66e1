package telegram

import (
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// permanentError is a refusal that no retry will change; the engine moves
// the reply out of the outbox instead of retrying it forever.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent reports true: see bot's consumer-side interface.
func (e *permanentError) Permanent() bool { return true }

// permanentRefusal reports the refusals that mean the chat cannot be
// reached any more: 403 (the person blocked the bot, deleted their
// account, or the bot was removed from the group) and 400 "chat not
// found". Other 400s are about the message, not the chat.
func permanentRefusal(te *tgbotapi.Error) bool {
	switch te.Code {
	case 403:
		return true
	case 400:
		d := strings.ToLower(te.Message)
		return strings.Contains(d, "chat not found") || strings.Contains(d, "user not found") || strings.Contains(d, "peer_id_invalid")
	}
	return false
}
