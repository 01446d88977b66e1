package main

import (
	"consultbot/bot"
	"consultbot/text"
)

// SecurityConfig holds the settings that protect participants: the key of
// their pseudonymous ids and the flood limit.
type SecurityConfig struct {
	// IDKey keys the participant ids: platform user ids are stored only as
	// HMAC-SHA256(IDKey, id). A secret from the environment; changing it
	// makes every returning participant a newcomer.
	IDKey Secret `toml:"id_key"`
	// FloodBurst is how many messages one person may send at once on
	// Telegram or Discord before the rest are held back.
	FloodBurst int `toml:"flood_burst"`
	// FloodRate is how many held messages per second are then applied.
	FloodRate float64 `toml:"flood_rate"`
}

// minIDKeyLen is the shortest id key accepted: 16 characters of
// `openssl rand -base64 32` already carry 96 bits.
const minIDKeyLen = 16

func defaultSecurityConfig() SecurityConfig {
	return SecurityConfig{
		IDKey:      "${CONSULTBOT_ID_KEY}",
		FloodBurst: bot.DefaultFloodBurst,
		FloodRate:  bot.DefaultFloodRate,
	}
}

func (s SecurityConfig) validate() []error {
	var errs []error
	if n := len(s.IDKey); n > 0 && n < minIDKeyLen {
		errs = append(errs, invalid("security.id_key", text.IDKeyShort, n, minIDKeyLen))
	}
	errs = appendRange(errs, "security.flood_burst", s.FloodBurst, 1, 1000, text.WhyFloodBurst)
	// Below one message every ten seconds a held-back person waits minutes.
	errs = appendRange(errs, "security.flood_rate", s.FloodRate, 0.1, 1000, text.WhyFloodRate)
	return errs
}

// checkRun refuses to run Telegram or Discord without an id key: the
// platform ids would have no protection. The terminal needs none.
func (s SecurityConfig) checkRun(cfg Config) error {
	if s.IDKey != "" || (cfg.Telegram.Token == "" && cfg.Discord.Token == "") {
		return nil
	}
	return invalid("security.id_key", text.IDKeyForRun)
}

// floodLimit is the engine's flood control: Telegram and Discord only, so
// that a script piped into `chat` is never throttled.
func (s SecurityConfig) floodLimit() bot.FloodLimit {
	return bot.FloodLimit{
		Burst:    s.FloodBurst,
		Rate:     s.FloodRate,
		Channels: []string{bot.ChannelTelegram, bot.ChannelDiscord},
	}
}
