package main

import (
	"strings"
	"testing"
)

// The config rows of the bad-input suite (issue #7): a file with every
// kind of mistake is refused with every problem named, not only the first.

func TestConfigWithEveryMistake(t *testing.T) {
	// Values of the right types: the decoder accepts the file, and
	// Validate reports every problem at once.
	path := writeConfig(t, `[consultation]
closes_at = "30/06/2027"
max_answer_length = -1

[telegram]
token = "${TELEGRAM_TOKEN}"
mode = "webhook"
api_endpoint = "ftp://api.example.org"
webhook_url = ""
webhook_secret = ""
global_rate = -30
chat_rate = 0

[discord]
token = "${DISCORD_TOKEN}"
api_base = "discord.example.org"
`)
	cfg, err := LoadConfig(path, fakeEnv(map[string]string{"TELEGRAM_TOKEN": "1:x", "DISCORD_TOKEN": "d"}))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	if err == nil {
		t.Fatal("config with every mistake validated")
	}
	msg := err.Error()
	for _, want := range []string{
		`consultation.closes_at: "30/06/2027" is not an RFC 3339 time`,
		"consultation.max_answer_length: -1",
		`telegram.api_endpoint: "ftp://api.example.org" is not an http(s) URL`,
		"telegram.global_rate: must be positive",
		"telegram.chat_rate: must be positive",
		"telegram.webhook_listen: required in webhook mode",
		`telegram.webhook_url: "" is not an https URL`,
		"telegram.webhook_secret: required in webhook mode",
		`discord.api_base: "discord.example.org" is not an http(s) URL`,
		"discord.application_id: required when the Discord channel is on",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report misses %q:\n%s", want, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 10 {
		t.Errorf("%d problems reported, want 10:\n%s", n, msg)
	}

	cfg.Telegram.Mode = "push"
	if msg := cfg.Validate().Error(); !strings.Contains(msg, `telegram.mode: "push" is not one of polling, webhook`) {
		t.Errorf("bad mode not reported:\n%s", msg)
	}
}

func TestConfigDecodeMistakesCarryTheirLine(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want []string
	}{
		"unknown keys": {"[telegram]\ntokne = \"x\"\nmdoe = \"polling\"\n[discrod]\n", []string{
			`line 2 column 1: unknown key "telegram.tokne"`, `line 3 column 1: unknown key "telegram.mdoe"`, `line 4`,
		}},
		"wrong type":               {"[storage]\npath = \"x.db\"\n\n[telegram]\nglobal_rate = \"fast\"\n", []string{"line 5"}},
		"wrong type in a list":     {"[telegram]\norganiser_chats = [1, \"two\"]\n", []string{"line 2"}},
		"closes_at as a TOML date": {"[consultation]\ncloses_at = 2027-06-30T23:59:59+02:00\n", []string{"line 2"}},
		"table instead of a value": {"[consultation.max_answer_length]\n", []string{"line 1"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.body), fakeEnv(nil))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
