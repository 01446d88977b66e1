package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"consultbot/bot/telegram/telegramtest"
	"consultbot/internal/fault"
)

// TestStopWithRepliesLeftIsClean: SIGTERM while Telegram fails every
// message leaves the reply in the outbox; `run` still stops cleanly (exit
// status 0), says it will send the reply at the next start, and does.
func TestStopWithRepliesLeftIsClean(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	srv.Faults().Always("sendMessage", fault.Status500)
	t.Chdir(t.TempDir())
	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()

	r := startRun(t, srv, "")
	r.m.ShutdownTimeout = 500 * time.Millisecond
	parent := telegramtest.User{ID: 4343, FirstName: "Ana", LanguageCode: "fr"}
	srv.SendCommand(parent, "/start")
	if err := srv.Wait(wait, func() bool { return srv.Requests("sendMessage") >= 2 }); err != nil {
		t.Fatalf("the reply was not tried: %v\n%s", err, r.stderr)
	}
	r.stop(t, wait) // fails the test if Run or Close returns an error
	if logs := r.stderr.String(); !strings.Contains(logs, "replies left in the outbox; they will be sent at the next start") {
		t.Errorf("the stop did not say replies are left:\n%s", logs)
	}

	srv.Faults().Clear("sendMessage")
	r = startRun(t, srv, "")
	err := srv.Wait(wait, func() bool {
		return slices.ContainsFunc(srv.Messages(parent.ID), func(m telegramtest.Message) bool { return slices.Contains(m.Labels(), "J'accepte") })
	})
	if err != nil {
		t.Fatalf("the reply left in the outbox was not sent at the next start: %v", err)
	}
	r.stop(t, wait)
}

// TestAttemptBudgetValidated: the budget is a duration within bounds,
// reported with its line otherwise.
func TestAttemptBudgetValidated(t *testing.T) {
	for value, want := range map[string]string{
		`"90s"`:  "",
		`"soon"`: `line 2: delivery.attempt_budget: "soon" is not a duration`,
		`"1s"`:   "line 2: delivery.attempt_budget: 1s is not between 5s and 1h0m0s",
	} {
		path := writeConfig(t, "[delivery]\nattempt_budget = "+value+"\n")
		cfg, err := LoadConfig(path, fakeEnv(nil))
		if err != nil {
			t.Fatal(err)
		}
		err = cfg.Validate()
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", value, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: got %v, want %q", value, err, want)
		}
	}
}
