package bot_test

import (
	"strings"
	"testing"

	"consultbot/bot"
)

func TestParticipantIDIsKeyedAndStable(t *testing.T) {
	key := []byte("a test key of thirty-two bytes!!")
	id := bot.ParticipantID(bot.ChannelTelegram, "4242", key)
	if !strings.HasPrefix(id, "telegram:") {
		t.Fatalf("id %q lacks its channel", id)
	}
	if strings.Contains(id, "4242") || strings.Contains(id, "/") {
		t.Errorf("id %q shows the platform id or a key separator", id)
	}
	if got := len(strings.TrimPrefix(id, "telegram:")); got != 22 {
		t.Errorf("pseudonym has %d characters, want 22 (128 bits)", got)
	}
	if again := bot.ParticipantID(bot.ChannelTelegram, "4242", key); again != id {
		t.Errorf("same person, same key: %q then %q", id, again)
	}
	for name, other := range map[string]string{
		"another person":  bot.ParticipantID(bot.ChannelTelegram, "4243", key),
		"another key":     bot.ParticipantID(bot.ChannelTelegram, "4242", []byte("another key")),
		"another channel": strings.Replace(bot.ParticipantID(bot.ChannelDiscord, "4242", key), "discord:", "telegram:", 1),
	} {
		if other == id {
			t.Errorf("%s gives the same id %q", name, id)
		}
	}
}
