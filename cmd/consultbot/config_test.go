package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testIDKey is the participant id key fakeEnv provides unless vars sets
// CONSULTBOT_ID_KEY itself (to "" to test its absence), since `run`
// refuses to start without one.
const testIDKey = "test-id-key-0123456789abcdef"

func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok || k != "CONSULTBOT_ID_KEY" {
			return v
		}
		return testIDKey
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "consultbot.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExampleConfigValidates(t *testing.T) {
	env := fakeEnv(map[string]string{
		"TELEGRAM_TOKEN":          "123456:telegram-secret-token",
		"TELEGRAM_WEBHOOK_SECRET": "webhook_secret-1",
		"DISCORD_TOKEN":           "discord.secret.token",
	})
	cfg, err := LoadConfig(filepath.Join("..", "..", "config.example.toml"), env)
	if err != nil {
		t.Fatalf("load example: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("example config does not validate: %v", err)
	}
	if got, want := string(cfg.Telegram.Token), "123456:telegram-secret-token"; got != want {
		t.Errorf("telegram token = %q, want %q", got, want)
	}
	if got, want := strings.Join(cfg.Channels(), ","), "terminal,telegram,discord"; got != want {
		t.Errorf("channels = %q, want %q", got, want)
	}
	if len(cfg.Telegram.OrganiserChats) != 1 || cfg.Telegram.OrganiserChats[0] != -1001234567890 {
		t.Errorf("organiser chats = %v", cfg.Telegram.OrganiserChats)
	}
}

func TestExampleConfigWebhookModeValidates(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, strings.Replace(string(data), `mode = "polling"`, `mode = "webhook"`, 1))
	cfg, err := LoadConfig(path, fakeEnv(map[string]string{"TELEGRAM_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("webhook config does not validate: %v", err)
	}
}

func TestNoConfigFileGivesValidDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := LoadConfig("", fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if cfg.Storage.Path != "consultbot.db" || cfg.Consultation.MaxAnswerLength != 4000 {
		t.Errorf("unexpected defaults: %v", cfg)
	}
	if got := strings.Join(cfg.Channels(), ","); got != "terminal,web" {
		t.Errorf("channels without tokens = %q, want terminal and the web page", got)
	}
}

func TestUnknownKeysReportedWithLine(t *testing.T) {
	path := writeConfig(t, `[storage]
path = "x.db"

[telegram]
tokne = "abc"

[discrod]
token = "x"
`)
	_, err := LoadConfig(path, fakeEnv(nil))
	if err == nil {
		t.Fatal("unknown keys accepted")
	}
	msg := err.Error()
	for _, want := range []string{`line 5 column 1: unknown key "telegram.tokne"`, `line 7`, `discrod`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
}

func TestSyntaxErrorReportedWithLine(t *testing.T) {
	path := writeConfig(t, "[log]\nlevel = \"info\"\nmax = = 3\n")
	_, err := LoadConfig(path, fakeEnv(nil))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v, want a message with line 3", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	path := writeConfig(t, `[consultation]
closes_at = "next june"
default_language = "de"
max_answer_length = 0

[storage]
path = ""

[log]
level = "loud"

[telegram]
token = "${TELEGRAM_TOKEN}"
mode = "webhook"
webhook_url = "http://insecure.example.org"
chat_rate = 0

[discord]
application_id = "my-app"
guild_ids = ["12", "general"]
`)
	cfg, err := LoadConfig(path, fakeEnv(map[string]string{"TELEGRAM_TOKEN": "1:x"}))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	if err == nil {
		t.Fatal("broken config validated")
	}
	msg := err.Error()
	for _, want := range []string{
		"consultation.closes_at", "consultation.default_language", "consultation.max_answer_length",
		"storage.path", "log.level", "telegram.chat_rate", "telegram.webhook_listen",
		"telegram.webhook_url", "telegram.webhook_secret", "discord.application_id", `discord.guild_ids: "general"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report misses %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, `"12"`) {
		t.Errorf("valid guild id reported:\n%s", msg)
	}
}

func TestEnvExpansion(t *testing.T) {
	path := writeConfig(t, `[storage]
path = "${DATA_DIR}/consult.db"

[discord]
token = "${DISCORD_TOKEN}"
api_base = "http://127.0.0.1:${PORT}/api"
guild_ids = ["${GUILD}"]

[telegram]
token = "literal$dollar"
`)
	cfg, err := LoadConfig(path, fakeEnv(map[string]string{
		"DATA_DIR": "/var/lib/consultbot", "DISCORD_TOKEN": "tok", "PORT": "8080", "GUILD": "42",
	}))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"storage.path", cfg.Storage.Path, "/var/lib/consultbot/consult.db"},
		{"discord.token", string(cfg.Discord.Token), "tok"},
		{"discord.api_base", cfg.Discord.APIBase, "http://127.0.0.1:8080/api"},
		{"discord.guild_ids", strings.Join(cfg.Discord.GuildIDs, ","), "42"},
		{"telegram.token", string(cfg.Telegram.Token), "literal$dollar"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// An unset variable leaves the channel off rather than configured with "${X}".
	cfg, err = LoadConfig(path, fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Discord.Token != "" {
		t.Errorf("unset env var expanded to %q", cfg.Discord.Token)
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Telegram.Token = "123456:SUPERSECRET-telegram"
	cfg.Telegram.WebhookSecret = "SUPERSECRET-webhook"
	cfg.Discord.Token = "SUPERSECRET-discord"

	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	logger.Info("config", "config", cfg, "telegram", cfg.Telegram, "token", cfg.Discord.Token)
	outputs := map[string]string{
		"String":   cfg.String(),
		"%v":       fmt.Sprintf("%v", cfg),
		"%+v":      fmt.Sprintf("%+v", cfg.Telegram),
		"%#v":      fmt.Sprintf("%#v", cfg.Discord),
		"%s token": fmt.Sprintf("%s", cfg.Telegram.Token),
		"slog":     logged.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, "SUPERSECRET") {
			t.Errorf("%s leaks a secret: %s", name, out)
		}
		if !strings.Contains(out, redacted) {
			t.Errorf("%s shows no redaction marker: %s", name, out)
		}
	}
}
