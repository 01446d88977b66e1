package telegramtest

import (
	"errors"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Telegram allows no more than 30 messages in any second overall, edits
// included: the 31st within the second is refused, however idle the bot
// was before (a token bucket would let 60 through in the first second).
func TestOverallLimitIsThirtyInAnySecond(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	for id := range int64(31) {
		s.SendText(User{ID: 1000 + id}, "hi")
	}
	var first tgbotapi.Message
	for id := range int64(29) {
		m, err := api.Send(tgbotapi.NewMessage(1000+id, "m"))
		if err != nil {
			t.Fatalf("message %d of 30: %v", id+1, err)
		}
		if id == 0 {
			first = m
		}
	}
	if _, err := api.Send(tgbotapi.NewEditMessageText(first.Chat.ID, first.MessageID, "edited")); err != nil {
		t.Fatalf("edit as the 30th request: %v", err)
	}
	_, err := api.Send(tgbotapi.NewMessage(1030, "m"))
	var flood *tgbotapi.Error
	if !errors.As(err, &flood) || flood.Code != 429 || flood.RetryAfter != 1 {
		t.Fatalf("31st message in the second: err = %v, want 429 retry after 1", err)
	}
	if _, err := api.Request(tgbotapi.NewCallback("none", "")); errors.As(err, &flood) && flood.Code == 429 {
		t.Errorf("answerCallbackQuery limited: %v", err)
	}
	if s.TooManyRequests() != 1 {
		t.Errorf("counted %d 429s, want 1", s.TooManyRequests())
	}
}

// In a group, 20 messages a minute: the 21st within the minute is refused
// even when the per-chat pace is kept.
func TestGroupLimitIsTwentyInAnyMinute(t *testing.T) {
	s := NewServer(Options{Limits: Limits{PerChat: 1000, PerChatBurst: 1000}})
	defer s.Close()
	api := newClient(t, s)
	s.JoinGroup(Group{ID: -77})
	for i := range 20 {
		if _, err := api.Send(tgbotapi.NewMessage(-77, "m")); err != nil {
			t.Fatalf("group message %d of 20: %v", i+1, err)
		}
	}
	_, err := api.Send(tgbotapi.NewMessage(-77, "m"))
	var flood *tgbotapi.Error
	if !errors.As(err, &flood) || flood.Code != 429 || flood.RetryAfter < 59 {
		t.Fatalf("21st group message in the minute: err = %v, want 429 retry after about 60", err)
	}
}
