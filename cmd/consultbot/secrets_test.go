package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/storage"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestSecretsNeverInLogs runs the real `run` at debug level against both
// fakes through a short conversation that provokes the error paths: a
// Telegram 429 and a 403 (a blocked parent), a Discord 429, and a webhook
// request with a wrong secret (401, nothing applied). No token, webhook
// secret or id key appears in the logs or the errors returned.
func TestSecretsNeverInLogs(t *testing.T) {
	const (
		tgToken   = "987654:SECRET-TELEGRAM-TOKEN-4f2a9c"
		dcToken   = "SECRET-DISCORD-TOKEN-7b1e3d"
		whSecret  = "SECRET_WEBHOOK_5d8c1a"
		idKey     = "SECRET-ID-KEY-3c9e7f0a1b2d"
		wrongPass = "not-the-secret"
	)
	// One message a second per chat: the bot's replies run into 429s.
	tg := telegramtest.NewServer(telegramtest.Options{Token: tgToken, Limits: telegramtest.Limits{PerChat: 1, PerChatBurst: 1}})
	defer tg.Close()
	dc := discordtest.NewServer(discordtest.Options{Token: dcToken})
	defer dc.Close()
	dc.RateLimit("* /webhooks/", 2, 50*time.Millisecond, false) // the PATCH of @original and the follow-ups

	dir := t.TempDir()
	listen := freeAddr(t)
	cfg := fmt.Sprintf(`[storage]
path = "run.db"
[log]
level = "debug"
[telegram]
api_endpoint = %q
mode = "webhook"
webhook_listen = %q
webhook_url = "https://consultation.example.org/telegram"
chat_rate = 20
[discord]
api_base = %q
application_id = %q
guild_ids = [%q]
`, tg.URL(), listen, dc.URL+"/api/v9", dc.AppID, dc.GuildID)
	cfgPath := filepath.Join(dir, "consultbot.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	m, stderr := newTestMain(t, nil, io.Discard)
	m.Getenv = fakeEnv(map[string]string{
		"TELEGRAM_TOKEN": tgToken, "TELEGRAM_WEBHOOK_SECRET": whSecret,
		"DISCORD_TOKEN": dcToken, "CONSULTBOT_ID_KEY": idKey,
	})
	t.Chdir(dir)
	if err := m.ParseFlags(context.Background(), []string{"run"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\nstderr:\n%s", append(args, stderr)...)
	}

	// Telegram, by webhook: a wrong secret first.
	if err := tg.Wait(wait, func() bool { u, _ := tg.Webhook(); return u != "" }); err != nil {
		fail("webhook never set: %v", err)
	}
	hook := "http://" + listen
	ana := telegramtest.User{ID: 7391846250, FirstName: "Anaëlle Quintrec", Username: "anaelle_du_69", LanguageCode: "fr"}
	tg.SendCommand(ana, "/start")
	var statuses []int
	for {
		var err error
		statuses, err = tg.PostWebhook(wait, hook, wrongPass)
		if err == nil {
			break
		}
		if wait.Err() != nil {
			fail("webhook listener never answered: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(statuses) != 1 || statuses[0] != http.StatusUnauthorized || tg.PendingUpdates() != 1 {
		fail("wrong secret: statuses %v, %d pending; want one 401 and the update still pending", statuses, tg.PendingUpdates())
	}
	// Then the right one, and a parent who blocked the bot.
	bo := telegramtest.User{ID: 8164205937, FirstName: "Bo", LanguageCode: "fr"}
	tg.SendCommand(bo, "/start")
	tg.Block(bo)
	tg.SendText(ana, "bonjour")
	if statuses, err := tg.PostWebhook(wait, hook, whSecret); err != nil || len(statuses) != 3 {
		fail("right secret: %v %v", statuses, err)
	}
	if _, err := tg.WaitMessages(wait, ana.ID, 2); err != nil {
		fail("Telegram replies: %v", err)
	}

	// Discord: a slash command whose follow-ups meet 429s.
	eve := dc.NewUser("EveDupontZ", "fr")
	if _, err := dc.WaitCommands(dc.GuildID, 20*time.Second); err != nil {
		fail("commands: %v", err)
	}
	if _, err := dc.SlashCommand(eve, dc.Guild(), "contribuer"); err != nil {
		fail("slash command: %v", err)
	}
	if _, err := dc.WaitMessages(eve.ID, 1, 20*time.Second); err != nil {
		fail("Discord replies: %v", err)
	}
	if err := tg.Wait(wait, func() bool { return tg.TooManyRequests() > 0 }); err != nil {
		fail("no Telegram 429 provoked: %v", err)
	}
	if dc.RateLimited() == 0 {
		fail("no Discord 429 provoked")
	}

	cancel()
	var runErr error
	select {
	case runErr = <-done:
	case <-wait.Done():
		fail("run did not stop")
	}
	closeErr := m.Close()

	db, err := storage.Open(filepath.Join(dir, "run.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	undeliverable, err := db.Undeliverable()
	db.Close()
	if err != nil || len(undeliverable) == 0 {
		fail("the blocked parent's replies were not recorded as undeliverable: %v %v", undeliverable, err)
	}
	// What is stored, once delivered replies' freed pages are dropped: no
	// platform user id, name or username, and no secret.
	stored := compactedBytes(t, filepath.Join(dir, "run.db"))
	for what, v := range map[string]string{
		"Telegram user id": "7391846250", "blocked Telegram user id": "8164205937", "first name": "Anaëlle",
		"last name": "Quintrec", "username": "anaelle_du_69", "Discord user id": eve.ID,
		"Discord user name": "EveDupontZ", "id key": idKey, "Telegram token": tgToken, "Discord token": dcToken,
	} {
		if strings.Contains(stored, v) {
			t.Errorf("the database holds the %s", what)
		}
	}
	if !strings.Contains(stored, bot.ParticipantID(bot.ChannelTelegram, "7391846250", []byte(idKey))) {
		t.Error("the database does not hold the parent's pseudonymous id: the scan proves nothing")
	}

	logs := stderr.String()
	if !strings.Contains(logs, "log_level=debug") || !strings.Contains(logs, "undeliverable") || !strings.Contains(logs, "will retry") {
		fail("the run did not log at debug level through the error paths")
	}
	everything := logs + "\n" + fmt.Sprint(runErr) + "\n" + fmt.Sprint(errors.Join(closeErr))
	for name, secret := range map[string]string{
		"Telegram token": tgToken, "Telegram token's secret part": "SECRET-TELEGRAM-TOKEN",
		"Discord token": dcToken, "webhook secret": whSecret, "id key": idKey,
	} {
		if strings.Contains(everything, secret) {
			t.Errorf("the %s appears in the logs or errors", name)
		}
	}
	// Names and usernames are never logged either.
	for _, personal := range []string{"Anaëlle", "Quintrec", "anaelle_du_69", "EveDupontZ"} {
		if strings.Contains(logs, personal) {
			t.Errorf("%q appears in the logs", personal)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", logs)
	}
}

// TestRunRefusesWithoutIDKey: Telegram or Discord without an id key would
// store nothing protected, so run refuses with a message naming the
// variable, before opening anything; chat needs no key.
func TestRunRefusesWithoutIDKey(t *testing.T) {
	t.Chdir(t.TempDir())
	for name, env := range map[string]map[string]string{
		"telegram": {"TELEGRAM_TOKEN": "1:x", "CONSULTBOT_ID_KEY": ""},
		"discord":  {"DISCORD_TOKEN": "x", "CONSULTBOT_ID_KEY": ""},
	} {
		m, _ := newTestMain(t, nil, io.Discard)
		m.Getenv = fakeEnv(env)
		args := []string{"run"}
		if name == "discord" {
			args = []string{"-config", writeConfig(t, "[discord]\napplication_id = \"123\"\n"), "run"}
		}
		if err := m.ParseFlags(context.Background(), args); err != nil {
			t.Fatal(err)
		}
		err := m.Run(context.Background())
		m.Close()
		if err == nil || !strings.Contains(err.Error(), "CONSULTBOT_ID_KEY") {
			t.Errorf("%s without id key: run returned %v, want a refusal naming CONSULTBOT_ID_KEY", name, err)
		}
		if _, err := os.Stat("consultbot.db"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s without id key: run created a database", name)
		}
	}

	var out strings.Builder
	m, stderr := newTestMain(t, strings.NewReader("1\n"), &out)
	m.Getenv = fakeEnv(map[string]string{"TELEGRAM_TOKEN": "1:x", "CONSULTBOT_ID_KEY": ""})
	if err := m.ParseFlags(context.Background(), []string{"chat", "-db", "chat.db"}); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil || out.Len() == 0 {
		t.Errorf("chat without id key: %v, printed %d bytes\n%s", err, out.Len(), stderr)
	}
}

// TestIDKeyTooShortIsRefused: a short key is a configuration error.
func TestIDKeyTooShortIsRefused(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, "[security]\nid_key = \"${K}\"\nflood_burst = 0\n"), fakeEnv(map[string]string{"K": "short"}))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, want := range []string{"security.id_key", "security.flood_burst"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
	if strings.Contains(fmt.Sprint(err), "short") && strings.Contains(fmt.Sprint(err), `"short"`) {
		t.Errorf("Validate() quotes the key: %v", err)
	}
}

// compactedBytes copies the database at path into a fresh file, as
// `bbolt compact` does (freed pages left behind), and returns its bytes.
func compactedBytes(t *testing.T, path string) string {
	t.Helper()
	src, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dstPath := filepath.Join(t.TempDir(), "compact.db")
	dst, err := bolt.Open(dstPath, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bolt.Compact(dst, src, 1<<20); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	b, err := os.ReadFile(dstPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTokenPastedWithCarriageReturnIsTrimmedAndNeverPrinted: a token
// pasted with a trailing carriage return was printed in full in
// `parse "https://api.telegram.org/bot<token>\r/getMe"`. Spaces and line
// breaks around a token are now removed with a warning that does not show
// it, the bot then works, and a token that is malformed inside is a config
// error naming the setting, never the value.
func TestTokenPastedWithCarriageReturnIsTrimmedAndNeverPrinted(t *testing.T) {
	const token = "123456:SECRET-cr-token-9f3a"
	tg := telegramtest.NewServer(telegramtest.Options{Token: token})
	defer tg.Close()
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := fmt.Sprintf("[storage]\npath = \"run.db\"\n[telegram]\napi_endpoint = %q\n", tg.URL())
	if err := os.WriteFile("consultbot.toml", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	m, stderr := newTestMain(t, nil, io.Discard)
	m.Getenv = fakeEnv(map[string]string{"TELEGRAM_TOKEN": token + "\r\n", "LANG": "en_GB.UTF-8"})
	if err := m.ParseFlags(context.Background(), []string{"run"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx)
		stop() // a run that failed ends the wait below at once
	}()
	parent := telegramtest.User{ID: 5551234567, FirstName: "Lou", LanguageCode: "fr"}
	tg.SendCommand(parent, "/start")
	if _, err := tg.WaitMessages(wait, parent.ID, 1); err != nil {
		cancel()
		t.Fatalf("the bot with a trimmed token does not answer: %v\nstderr:\n%s", err, stderr)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if !strings.Contains(stderr.String(), "warning: telegram.token: spaces or line breaks around the token were removed") {
		t.Errorf("no warning about the trimmed token:\n%s", stderr)
	}
	if strings.Contains(stderr.String(), "SECRET") {
		t.Errorf("the token appears in the output:\n%s", stderr)
	}

	// Malformed inside: refused, the setting named, the value never shown.
	for name, env := range map[string]map[string]string{
		"telegram CR inside":   {"TELEGRAM_TOKEN": "123456:SECRET\r-cr-token"},
		"telegram no colon":    {"TELEGRAM_TOKEN": "SECRET-no-colon"},
		"telegram URL-escaped": {"TELEGRAM_TOKEN": "123456:SECRET%2F%0D-token"},
		"discord space":        {"DISCORD_TOKEN": "Bot SECRET-discord-token"},
		"discord CR inside":    {"DISCORD_TOKEN": "SECRET-discord\r-token"},
	} {
		path := writeConfig(t, "[discord]\napplication_id = \"123\"\n")
		stdout, stderr, err := runCommand(t, env, "check-config", "-config", path)
		key := "telegram.token"
		if strings.HasPrefix(name, "discord") {
			key = "discord.token"
		}
		if err == nil || !strings.Contains(err.Error(), key+" : ") {
			t.Errorf("%s: check-config = %v, want a problem naming %s", name, err, key)
		}
		if everything := fmt.Sprint(err) + stdout + stderr; strings.Contains(everything, "SECRET") {
			t.Errorf("%s: the token is printed: %s", name, everything)
		}
	}
}
