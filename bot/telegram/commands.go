package telegram

import (
	"context"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/flows"
)

// setCommands sets the command menu: French names and descriptions by
// default, English ones for people whose Telegram speaks English.
func (a *Adapter) setCommands(ctx context.Context) error {
	var fr, en []tgbotapi.BotCommand
	for _, c := range flows.CommandList() {
		fr = append(fr, tgbotapi.BotCommand{Command: c.NameFR, Description: c.DescriptionFR})
		en = append(en, tgbotapi.BotCommand{Command: c.NameEN, Description: c.DescriptionEN})
	}
	if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: fr}); err != nil {
		return fmt.Errorf("set french commands: %w", err)
	}
	if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: en, LanguageCode: "en"}); err != nil {
		return fmt.Errorf("set english commands: %w", err)
	}
	return nil
}
