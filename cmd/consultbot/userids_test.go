package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/bot/telegram/telegramtest"
)

// TestRawUserIDsNeverInLogs runs the real `run` at debug level against
// both fakes through the paths that log about a person: Telegram 429s
// while replying in private chats (whose ids are the users' ids), a tapped
// button, a parent who blocked the bot, Discord slash commands and direct
// messages meeting 429s, and an event type discordgo does not know, whose
// raw data it logs. Warnings printed the Telegram user id next to the
// pseudonymous participant id; no raw Telegram or Discord user id may
// appear in the logs.
func TestRawUserIDsNeverInLogs(t *testing.T) {
	tg := telegramtest.NewServer(telegramtest.Options{Limits: telegramtest.Limits{PerChat: 1, PerChatBurst: 1}})
	defer tg.Close()
	const dcToken = "discord-test-token-for-user-ids"
	dc := discordtest.NewServer(discordtest.Options{Token: dcToken})
	defer dc.Close()
	dc.RateLimit("* /webhooks/", 2, 50*time.Millisecond, false) // the PATCH of @original and the follow-ups

	dir := t.TempDir()
	t.Chdir(dir)
	cfg := fmt.Sprintf(`[storage]
path = "run.db"
[log]
level = "debug"
[telegram]
api_endpoint = %q
chat_rate = 20
[discord]
api_base = %q
application_id = %q
guild_ids = [%q]
`, tg.URL(), dc.URL+"/api/v9", dc.AppID, dc.GuildID)
	if err := os.WriteFile("consultbot.toml", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	m, stderr := newTestMain(t, nil, io.Discard)
	m.Getenv = fakeEnv(map[string]string{"TELEGRAM_TOKEN": tg.Token(), "DISCORD_TOKEN": dcToken})
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
		cancel()
		<-done
		m.Close()
		t.Fatalf(format+"\nstderr:\n%s", append(args, stderr)...)
	}

	// Telegram: a parent consents by tapping, then writes while the
	// bot's replies run into the per-chat limit; another blocked the bot.
	ana := telegramtest.User{ID: 7391846250, FirstName: "Ana", LanguageCode: "fr"}
	bo := telegramtest.User{ID: 8164205937, FirstName: "Bo", LanguageCode: "fr"}
	tg.SendCommand(ana, "/start")
	tg.SendCommand(bo, "/start")
	tg.Block(bo)
	var consent telegramtest.Message
	err := tg.Wait(wait, func() bool {
		for _, msg := range tg.Messages(ana.ID) {
			if slices.Contains(msg.Labels(), "J'accepte") {
				consent = msg
				return true
			}
		}
		return false
	})
	if err != nil {
		fail("no consent question: %v", err)
	}
	if _, _, err := tg.TapButton(ana, consent, "J'accepte"); err != nil {
		fail("tap: %v", err)
	}
	tg.SendText(ana, "bonjour")
	tg.SendCommand(ana, "/aide")
	if err := tg.Wait(wait, func() bool { return tg.TooManyRequests() > 0 }); err != nil {
		fail("no Telegram 429 provoked: %v", err)
	}

	// Discord: a slash command, direct messages, and an event type
	// discordgo does not know carrying the educator's id and name.
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
	dc.Dispatch("CONSULTBOT_TEST_UNKNOWN_EVENT", map[string]any{"user": map[string]any{"id": eve.ID, "username": eve.Name}})
	if err := stderr.WaitFor(wait, "gateway data omitted"); err != nil {
		fail("the unknown event was not logged: %v", err)
	}
	seen := len(dc.Messages(eve.ID))
	if _, err := dc.DirectMessage(eve, "/aide"); err != nil {
		fail("direct message: %v", err)
	}
	if _, err := dc.WaitMessages(eve.ID, seen+1, 20*time.Second); err != nil {
		fail("Discord reply to a direct message: %v", err)
	}
	if dc.RateLimited() == 0 {
		fail("no Discord 429 provoked")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-wait.Done():
		t.Fatal("run did not stop")
	}
	if err := m.Close(); err != nil {
		t.Errorf("close: %v", err)
	}

	logs := stderr.String()
	// The run went through the lines under test.
	for _, want := range []string{"platform asked to wait", "undeliverable", "unknown event", "gateway data omitted", "log_level=debug"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q: the run did not take that path", want)
		}
	}
	if !strings.Contains(logs, bot.ParticipantID(bot.ChannelTelegram, strconv.FormatInt(ana.ID, 10), []byte(testIDKey))) {
		t.Error("the logs never name the parent by participant id: the scan proves little")
	}
	for what, id := range map[string]string{
		"Telegram user id":         strconv.FormatInt(ana.ID, 10),
		"blocked Telegram user id": strconv.FormatInt(bo.ID, 10),
		"Discord user id":          eve.ID,
		"Discord user name":        eve.Name,
	} {
		if strings.Contains(logs, id) {
			t.Errorf("the %s %s appears in the logs", what, id)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", logs)
	}
}
