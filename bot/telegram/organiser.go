package telegram

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/text"
)

// isOrganiser reports whether m comes from an organiser: a listed user,
// or anyone in a listed chat (a private chat's id is its user's).
func (a *Adapter) isOrganiser(m *tgbotapi.Message) bool {
	if m.From != nil && a.orgUsers[m.From.ID] {
		return true
	}
	return m.Chat != nil && a.organisers[m.Chat.ID]
}

// organiserUpdate hands m to the organisers' service when it may be for
// it: a command in a private chat, or a message addressed to the bot in a
// group it serves. It reports whether the service took it; anything else
// goes on to the usual routes. An error means the answer could not be
// committed, and the update is to be delivered again.
func (a *Adapter) organiserUpdate(ctx context.Context, u tgbotapi.Update) (bool, error) {
	m := u.Message
	if a.opts.Organiser == nil || m == nil || m.From == nil || m.From.IsBot || m.Chat == nil || m.Text == "" {
		return false, nil
	}
	switch m.Chat.Type {
	case "private":
		if !strings.HasPrefix(m.Text, "/") {
			return false, nil
		}
	case "group", "supergroup":
		if !a.addressedToMe(m) || (a.allowed != nil && !a.allowed[m.Chat.ID] && !a.isOrganiser(m)) {
			return false, nil // not for the bot, or a group it does not serve
		}
	default:
		return false, nil
	}
	role := organiser.Anyone
	if a.isOrganiser(m) {
		role = organiser.Organiser
	}
	out, err := a.opts.Organiser.Submit(ctx, organiser.Request{
		Text:  m.Text,
		Lang:  m.From.LanguageCode,
		From:  a.participant(m.From.ID),
		Role:  role,
		Team:  a.organisers[m.Chat.ID],
		Lane:  strconv.FormatInt(m.Chat.ID, 10),
		Reply: a.organiserReply(u),
	})
	if err != nil {
		return true, fmt.Errorf("organiser command: %w", err)
	}
	return out != organiser.NotMine, nil
}

// organiserReply is the reply to an organiser command before its content:
// in the chat of the command, quoting it; or, for an organiser user
// writing in a group that is not an organisers' chat, in their private
// chat with the bot, so that digests and quotes never show in a public
// group, with a short note for the group if they never opened that chat.
func (a *Adapter) organiserReply(u tgbotapi.Update) bot.Outgoing {
	m := u.Message
	out := bot.Outgoing{
		Channel:     bot.ChannelTelegram,
		Address:     address(m.Chat.ID, m.MessageID),
		Participant: a.participant(m.From.ID),
		EventID:     "telegram:update:" + strconv.Itoa(u.UpdateID),
	}
	if m.Chat.Type != "private" && !a.organisers[m.Chat.ID] && a.isOrganiser(m) {
		out.Address = address(m.From.ID, 0) // their private chat
		out.Instead = &bot.Redirect{
			Address: address(m.Chat.ID, m.MessageID),
			Text:    fmt.Sprintf(text.For(m.From.LanguageCode).Channel.Telegram.PrivateResults, "https://t.me/"+a.username),
		}
	}
	return out
}

// Layout lays organiser answers out in Telegram's HTML: the digest within
// Telegram's limit, the chart's title in bold, the team's note after the
// help. Periodic digests go to organiser chats by their id.
func (a *Adapter) Layout() organiser.Layout {
	return organiser.Layout{
		Digest: digest.RenderTelegram,
		Bold:   func(s string) string { return "<b>" + html.EscapeString(s) + "</b>" },
		Note:   func(c *text.Catalog) string { return c.Channel.Telegram.TeamNote },
		Address: func(id string) (string, error) {
			if _, err := strconv.ParseInt(id, 10, 64); err != nil {
				return "", fmt.Errorf("bad telegram chat id %q", id)
			}
			return id, nil
		},
	}
}

// setOrganiserMenus gives every organisers' chat, and every organiser's
// private chat, a command menu with the organiser commands (from their
// table) after the participants' ones; everyone else keeps the default
// menu.
func (a *Adapter) setOrganiserMenus(ctx context.Context) error {
	chats := map[int64]bool{}
	for id := range a.organisers {
		chats[id] = true
	}
	for id := range a.orgUsers {
		chats[id] = true // a private chat's id is its user's
	}
	if len(chats) == 0 || a.opts.Organiser == nil {
		return nil
	}
	fr, en := participantMenus()
	for _, c := range organiser.Commands() {
		fr = append(fr, tgbotapi.BotCommand{Command: c.FR, Description: c.Text(text.FR).Menu})
		en = append(en, tgbotapi.BotCommand{Command: c.EN, Description: c.Text(text.EN).Menu})
	}
	var errs []error
	for id := range chats {
		scope := tgbotapi.NewBotCommandScopeChat(id)
		if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: fr, Scope: &scope}); err != nil {
			errs = append(errs, fmt.Errorf("chat %d: %w", id, err))
			continue
		}
		if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: en, Scope: &scope, LanguageCode: "en"}); err != nil {
			errs = append(errs, fmt.Errorf("chat %d (english): %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// participantMenus lists the participants' commands for Telegram's menu,
// in French and in English.
func participantMenus() (fr, en []tgbotapi.BotCommand) {
	for _, c := range flows.CommandList() {
		fr = append(fr, tgbotapi.BotCommand{Command: c.NameFR, Description: c.DescriptionFR})
		en = append(en, tgbotapi.BotCommand{Command: c.NameEN, Description: c.DescriptionEN})
	}
	return fr, en
}
