package telegram

import (
	"context"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// setCommands sets the command menu: French names and descriptions by
// default, English ones for people whose Telegram speaks English.
func (a *Adapter) setCommands(ctx context.Context) error {
	fr, en := participantMenus()
	if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: fr}); err != nil {
		return fmt.Errorf("set french commands: %w", err)
	}
	if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: en, LanguageCode: "en"}); err != nil {
		return fmt.Errorf("set english commands: %w", err)
	}
	return nil
}
