package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
)

// TestPromptMatchesSessionStage checks the soak's end-of-run rule: the last
// prompt a participant got must be the one their stored session stands at,
// and a prompt for any other place is reported.
func TestPromptMatchesSessionStage(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	th := q.Themes[0]
	first, second := th.Questions[0], th.Questions[1]
	atFirst := flows.Session{Lang: "fr", Stage: flows.StageQuestion, Theme: th.ID, Question: first.ID}
	prompt := "Thème 1 · Question 1/5\n" + first.Prompt.In("fr")
	if !promptMatches(q, atFirst, prompt) {
		t.Errorf("the prompt of the session's question does not match")
	}
	atSecond := atFirst
	atSecond.Question = second.ID
	if promptMatches(q, atSecond, prompt) {
		t.Errorf("the previous question's prompt matches a session one question further")
	}
	if promptMatches(q, flows.Session{Stage: flows.StageMenu}, prompt) {
		t.Errorf("a question prompt matches a session at the menu")
	}
	if !promptMatches(q, flows.Session{Stage: flows.StageMenu}, "Les thèmes\nChoisissez un thème.") {
		t.Errorf("the menu does not match a session at the menu")
	}
	afterTheme := flows.Session{Stage: flows.StageMenu, Pending: &flows.Pending{Kind: flows.PendingReminders, Text: "after-theme"}}
	if !promptMatches(q, afterTheme, "Merci ! Le thème est validé.\nVoulez-vous un rappel dans 3 jours ?") {
		t.Errorf("the offer after « Valider » does not match a session waiting on it")
	}
}

// TestCountDupsCountsRepeatedPrompts: a prompt received twice (a reply
// sent again after a kill) is one duplicate; plain messages are not
// prompts.
func TestCountDupsCountsRepeatedPrompts(t *testing.T) {
	kb := [][]telegramtest.Button{{{Text: "Passer", CallbackData: "x"}}}
	ms := []telegramtest.Message{
		{Raw: "Question 1", Keyboard: kb},
		{Raw: "Merci"},
		{Raw: "Merci"},
		{Raw: "Question 1", Keyboard: kb},
		{Raw: "Question 2", Keyboard: kb},
	}
	if n := countDups(ms); n != 1 {
		t.Errorf("countDups = %d, want 1", n)
	}
}

// TestPopulateStoresParticipants checks the memory phase's fixture: every
// participant is stored with a session and an answer, and the file passes
// bbolt's check.
func TestPopulateStoresParticipants(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.db")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := populate(ctx, path, 300); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := db.ForEachAnswer(ctx, func(storage.Answer) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 300 {
		t.Errorf("%d answers stored, want 300", n)
	}
	s, ok, err := db.Session("telegram:2000299")
	if err != nil || !ok || s.Stage != flows.StageQuestion {
		t.Errorf("last participant's session: %v %v %+v", ok, err, s.Stage)
	}
}

// TestRawBatchWritesCounts: the raw storage figure is a positive rate.
func TestRawBatchWritesCounts(t *testing.T) {
	r, err := rawBatchWrites(context.Background(), filepath.Join(t.TempDir(), "raw.db"), 4, 200*time.Millisecond)
	if err != nil || r <= 0 {
		t.Fatalf("rawBatchWrites = %v, %v", r, err)
	}
}

// TestVerdictFailsOnASlowReplyOrAnUncleanStop: a wait past the budget plus
// the margin fails the run, as does a final SIGTERM that does not exit 0.
func TestVerdictFailsOnASlowReplyOrAnUncleanStop(t *testing.T) {
	ok := soakReport{waitLimit: time.Minute + waitMargin, tgMaxWait: 80 * time.Second, dcMaxWait: 40 * time.Second}
	if err := ok.verdict(); err != nil {
		t.Errorf("a run within the limit failed: %v", err)
	}
	slow := ok
	slow.dcMaxWait = 91 * time.Second
	if err := slow.verdict(); err == nil {
		t.Error("a reply after 91 s passed a limit of 90 s")
	}
	unclean := ok
	unclean.sigterm = errors.New("exit status 1")
	if err := unclean.verdict(); err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("a stop with exit status 1 gave %v", err)
	}
}
