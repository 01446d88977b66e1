package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/storage/etcdkv"
)

// startReplica starts `consultbot run` on the etcd cluster at endpoints,
// Telegram pointed at srv, with a lease of one second.
func startReplica(t *testing.T, srv *telegramtest.Server, endpoints []string) *runningBot {
	t.Helper()
	return startReplicaAt(t, srv, srv.URL(), endpoints)
}

// startReplicaAt is startReplica with Telegram's API reached at api (a
// proxy of srv).
func startReplicaAt(t *testing.T, srv *telegramtest.Server, api string, endpoints []string) *runningBot {
	t.Helper()
	return startReplicaWith(t, srv, api, endpoints, 1, "")
}

// startReplicaWith is startReplicaAt with a lease of lease seconds and
// extra lines in the [telegram] section.
func startReplicaWith(t *testing.T, srv *telegramtest.Server, api string, endpoints []string, lease int, telegram string) *runningBot {
	t.Helper()
	dir := t.TempDir()
	path := writeConfig(t, fmt.Sprintf(`[storage]
path = %q
backend = "etcd"
endpoints = ["%s"]
prefix = "failover/"
lease_seconds = %d
[telegram]
api_endpoint = %q
%s`, filepath.Join(dir, "run.db"), strings.Join(endpoints, `", "`), lease, api, telegram))
	return runReplica(t, path, map[string]string{"TELEGRAM_TOKEN": srv.Token(), "TELEGRAM_WEBHOOK_SECRET": replicaHookSecret})
}

// runReplica starts `consultbot run -config path` with env, and tells
// when it leads (runningBot.m.leading).
func runReplica(t *testing.T, path string, env map[string]string) *runningBot {
	t.Helper()
	m, stderr := newTestMain(t, nil, io.Discard)
	m.Getenv = fakeEnv(env)
	m.leading = make(chan struct{})
	if err := m.ParseFlags(context.Background(), []string{"-config", path, "run"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := &runningBot{m: m, stderr: stderr, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- m.Run(ctx) }()
	return r
}

func waitLeading(t *testing.T, wait context.Context, r *runningBot, who string) {
	t.Helper()
	select {
	case <-r.m.leading:
	case err := <-r.done:
		t.Fatalf("%s stopped before leading: %v", who, err)
	case <-wait.Done():
		t.Fatalf("%s never led", who)
	}
}

// waitDelivered waits until the outbox holds nothing for channel: every
// reply delivered and marked sent.
func waitDelivered(t *testing.T, wait context.Context, db *storage.DB, channel string) {
	t.Helper()
	for {
		st, err := db.OutboxStats(wait)
		if err == nil && st[channel].Depth == 0 {
			return
		}
		select {
		case <-wait.Done():
			t.Fatalf("the outbox never emptied: %v %v", st, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitLostLead waits until the old leader r stops on its own, having lost
// its lease, and closes it.
func waitLostLead(t *testing.T, wait context.Context, r *runningBot) {
	t.Helper()
	select {
	case err := <-r.done:
		if !errors.Is(err, errLostLead) || !strings.Contains(err.Error(), "bail etcd a expiré") {
			t.Errorf("the old leader ended with %v", err)
		}
	case <-wait.Done():
		t.Fatal("the old leader went on after losing its lease")
	}
	r.m.Close()
}

// TestStandByTakesOverWhenTheLeaderDies runs two replicas on one etcd
// cluster: one leads and answers, the other stands by (it polls nothing
// and sends nothing). The leader then loses its connection to the
// cluster as a killed process would; within about its lease the stand-by
// leads, and the conversation goes on where it was: no message lost, none
// answered twice, each answer stored once.
func TestStandByTakesOverWhenTheLeaderDies(t *testing.T) {
	c := startCluster(t)
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	wait, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()

	a := startReplica(t, srv, c.Endpoints())
	waitLeading(t, wait, a, "the first replica")
	b := startReplica(t, srv, c.Endpoints())

	parent := telegramtest.User{ID: 4242, FirstName: "Ana", LanguageCode: "fr"}
	srv.SendCommand(parent, "/start")
	consent := waitLabel(t, wait, srv, parent, "J'accepte")
	before := len(srv.Messages(parent.ID))
	// Everything delivered and marked sent before the leader dies, so
	// that a repeat could only come from a fault of the takeover.
	waitDelivered(t, wait, a.m.db, bot.ChannelTelegram)
	select {
	case <-b.m.leading:
		t.Fatal("the stand-by leads while the leader lives")
	default:
	}

	// The leader's process dies: its lease is no longer kept alive.
	died := time.Now()
	a.m.cluster.Client().Close()
	waitLostLead(t, wait, a)
	waitLeading(t, wait, b, "the stand-by")
	t.Logf("the stand-by led %s after the leader died", time.Since(died).Round(time.Millisecond))

	if _, _, err := srv.TapButton(parent, consent, "J'accepte"); err != nil {
		t.Fatal(err)
	}
	other := telegramtest.User{ID: 4343, FirstName: "Léo", LanguageCode: "fr"}
	srv.SendCommand(other, "/start")
	if err := srv.Wait(wait, func() bool {
		last, ok := srv.LastMessage(parent.ID)
		return ok && slices.Contains(last.Labels(), "Parent") && len(srv.Messages(other.ID)) > 0
	}); err != nil {
		t.Fatalf("the new leader did not answer: %v\nstderr:\n%s", err, b.stderr)
	}
	b.stop(t, wait)

	// The tap is answered in the tapped prompt's place: the consent
	// question became the profile question, and nothing was sent twice.
	if n := len(srv.Messages(parent.ID)); n != before {
		t.Errorf("the parent got %d messages, want %d (the welcome, its consent question edited into the profile question): one was lost or repeated", n, before)
	}
	if n, want := len(srv.Messages(other.ID)), before; n != want {
		t.Errorf("the newcomer got %d messages, want the %d of a welcome", n, want)
	}
	db, err := storage.OpenBackend(etcdkv.New(startClient(t, c.Endpoints()), etcdkv.Options{Prefix: "failover/"}), "check", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range []string{"4242", "4343"} {
		s, ok, err := db.Session(bot.ParticipantID(bot.ChannelTelegram, id, []byte(testIDKey)))
		if err != nil || !ok {
			t.Fatalf("session of %s: %v %v", id, ok, err)
		}
		if id == "4242" && (s.Stage != flows.StageProfile || s.ConsentAt.IsZero()) {
			t.Errorf("session after consent: stage %q, consent at %v", s.Stage, s.ConsentAt)
		}
	}
}
