package discord_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot/discord"
	"consultbot/bot/discord/discordtest"
	"consultbot/internal/logbuf"
)

// TestModalSubmitLogsNoSDKError: a modal submit arrives with Discord's
// Label components (type 18), which discordgo v0.29.0 cannot decode and
// logs as an error for every answer (« error unmarshalling
// INTERACTION_CREATE event, unknown component type: 18 »). The adapter
// reads such a submit itself, so the answer is stored and nothing is
// logged as an error; discordgo's other errors still reach the log. It
// routes discordgo's package-level logger, so it does not run in
// parallel.
func TestModalSubmitLogsNoSDKError(t *testing.T) {
	var logs logbuf.Buffer
	restore := discord.RouteSDKLogs(slog.New(slog.NewTextHandler(&logs, nil)), discord.SDKLogWarning)
	defer restore()

	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("lea", "fr")
	menu, i := h.onboard(u, h.srv.Guild())
	h.click(u, menu, "Égal accès")
	q1, i := h.awaitText(u, i+1, "Question 1/5")
	h.answer(u, q1, "Un ordinateur prêté à chaque élève.")
	h.awaitText(u, i+1, "Question 2/5")
	answers, err := h.db.AnswersByParticipant(pid(u))
	if err != nil || len(answers) != 1 || answers[0].Text != "Un ordinateur prêté à chaque élève." {
		t.Fatalf("answers after the submit: %+v, %v", answers, err)
	}
	if got := logs.String(); strings.Contains(got, "level=ERROR") || strings.Contains(got, "component type") {
		t.Errorf("a modal submit the bot built logged:\n%s", got)
	}
	// Another event that does not decode is still an error in the log.
	discordgo.Logger(discordgo.LogError, 0, "error unmarshalling %s event, %s", "MESSAGE_CREATE", "bad snowflake")
	if got := logs.String(); !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "MESSAGE_CREATE") {
		t.Errorf("discordgo's other decoding errors are no longer logged:\n%s", got)
	}
}
