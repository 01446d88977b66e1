package telegram

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
	"consultbot/flows"
)

// route says what to do with an update.
type route int

const (
	routeIgnore route = iota // channel posts, service messages, edits in groups…
	routeEngine              // a private-chat event for the consultation
	routeGroup               // a group message addressed to the bot
)

// translate maps an update to an inbound event and says where it goes.
// now stands in for the time of callback queries, which carry none.
func (a *Adapter) translate(u update, now time.Time) (bot.Inbound, route) {
	in := bot.Inbound{
		ID:      "telegram:update:" + strconv.Itoa(u.UpdateID),
		Channel: bot.ChannelTelegram,
		At:      now,
	}
	switch {
	case u.Message != nil:
		m := u.Message
		if m.From == nil || m.Chat == nil || m.From.IsBot {
			return in, routeIgnore
		}
		in.Participant = a.participant(m.From.ID)
		in.Address = strconv.FormatInt(m.Chat.ID, 10)
		in.At = time.Unix(int64(m.Date), 0)
		ev, ok := messageEvent(m, u.unknown)
		if !ok {
			return in, routeIgnore
		}
		ev.Lang = m.From.LanguageCode
		in.Event = ev
		switch m.Chat.Type {
		case "private":
			return in, routeEngine
		case "group", "supergroup":
			if !a.addressedToMe(m) || (a.allowed != nil && !a.allowed[m.Chat.ID]) {
				return in, routeIgnore
			}
			return in, routeGroup
		}
		return in, routeIgnore
	case u.EditedMessage != nil:
		// A private message edited after it was sent: its first wording
		// was read and stored; the person is told edits are not read.
		m := u.EditedMessage
		if m.From == nil || m.Chat == nil || m.From.IsBot || m.Chat.Type != "private" {
			return in, routeIgnore
		}
		in.Participant = a.participant(m.From.ID)
		in.Address = strconv.FormatInt(m.Chat.ID, 10)
		in.At = time.Unix(int64(m.EditDate), 0)
		in.Event = flows.Event{Kind: flows.EventEdited, Lang: m.From.LanguageCode}
		return in, routeEngine
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if q.From == nil {
			return in, routeIgnore
		}
		in.Participant = a.participant(q.From.ID)
		// In a private chat the chat id is the user's id. Replies go to the
		// person who tapped, even when the message is someone else's (a
		// forged tap), which flows answers with a re-prompt.
		in.Address = strconv.FormatInt(q.From.ID, 10)
		in.Event = flows.Event{Kind: flows.EventChoice, Token: q.Data, Lang: q.From.LanguageCode}
		if q.Message != nil && q.Message.Chat != nil && q.Message.Chat.Type != "private" {
			// Buttons in groups are links; there is nothing to choose.
			return in, routeIgnore
		}
		if m := q.Message; m != nil && m.Chat != nil && m.Chat.ID == q.From.ID && m.MessageID > 0 {
			// The reply to a tap on the current prompt takes the tapped
			// message's place (flows.Reply.Replaces).
			in.Address = tapAddress(q.From.ID, m.MessageID)
		}
		return in, routeEngine
	}
	return in, routeIgnore
}

// participant is the pseudonymous participant id of a Telegram user: the
// user id itself is not stored (replies go by chat id, in the outbox only).
func (a *Adapter) participant(userID int64) string {
	return bot.ParticipantID(bot.ChannelTelegram, strconv.FormatInt(userID, 10), a.opts.IDKey)
}

// chatAttr names a chat in a log line. A private chat's id is its user's
// Telegram id (user ids are positive, groups' negative), which no log line
// may show: it is named by the pseudonymous participant id instead.
func (a *Adapter) chatAttr(chatID int64) slog.Attr {
	if chatID > 0 {
		return slog.String("participant", a.participant(chatID))
	}
	return slog.Int64("chat", chatID)
}

// messageEvent turns a message's content into an event; false when the
// message carries nothing a person said (service messages). A message
// with nothing the SDK reads but a field it does not know (unknown: a
// story, a giveaway, paid media, a checklist, kinds newer than it) is
// content the bot cannot read (flows.MediaOther), answered as such. A file's
// caption is read as if typed, the file named (Event.Media) but not
// kept, as Discord's text sent with a file; a voice note is an answer of
// its own, whatever its caption.
func messageEvent(m *tgbotapi.Message, unknown string) (flows.Event, bool) {
	switch {
	case m.Text != "":
		return textEvent(m.Text), true
	case m.Voice != nil:
		return flows.Event{Kind: flows.EventVoice, Voice: &flows.Voice{FileID: m.Voice.FileID, Duration: m.Voice.Duration, Size: int64(m.Voice.FileSize)}}, true
	}
	media := mediaKind(m)
	switch {
	case media == "" && unknown == "":
		return flows.Event{}, false
	case media == "":
		media = flows.MediaOther
	}
	switch {
	case !flows.IsBlank(m.Caption):
		ev := textEvent(m.Caption)
		ev.Media = media
		return ev, true
	}
	return flows.Event{Kind: flows.EventMedia, Media: media}, true
}

// textEvent is typed text: a command, or text.
func textEvent(text string) flows.Event {
	if strings.HasPrefix(text, "/") {
		if ev, ok := flows.ParseCommand(text); ok {
			return ev
		}
	}
	return flows.Event{Kind: flows.EventText, Text: text}
}

// mediaKind names the media a message carries (flows.Media…), "" when
// none.
func mediaKind(m *tgbotapi.Message) string {
	switch {
	case m.Animation != nil: // also sets Document, so first
		return flows.MediaAnimation
	case len(m.Photo) > 0:
		return flows.MediaPhoto
	case m.Sticker != nil:
		return flows.MediaSticker
	case m.Document != nil:
		return flows.MediaDocument
	case m.Video != nil:
		return flows.MediaVideo
	case m.VideoNote != nil:
		return flows.MediaVideoNote
	case m.Audio != nil:
		return flows.MediaAudio
	case m.Venue != nil: // also sets Location, so first
		return flows.MediaVenue
	case m.Location != nil:
		return flows.MediaLocation
	case m.Contact != nil:
		return flows.MediaContact
	case m.Poll != nil:
		return flows.MediaPoll
	case m.Dice != nil:
		return flows.MediaDice
	case m.Game != nil:
		return flows.MediaGame
	}
	return ""
}

// addressedToMe reports whether a group message is a command for this bot
// ("/start" or "/start@thisbot") or mentions it.
func (a *Adapter) addressedToMe(m *tgbotapi.Message) bool {
	me := "@" + strings.ToLower(a.username)
	text := strings.ToLower(m.Text)
	if strings.HasPrefix(text, "/") {
		word, _, _ := strings.Cut(text, " ")
		_, to, found := strings.Cut(word, "@")
		return !found || "@"+to == me
	}
	return a.username != "" && strings.Contains(text, me)
}
