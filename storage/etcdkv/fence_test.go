package etcdkv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/storage/etcdkv"
	"consultbot/storage/etcdkv/embedded"
)

// TestFenceRefusesTheOldLeadersCommits: a replica leads, fenced on its
// election key; once its lease is gone, the cluster refuses its commits
// (marking a reply sent, posting one) with ErrFenced, while the reply
// stays in the outbox for the next leader, whose commits go through.
func TestFenceRefusesTheOldLeadersCommits(t *testing.T) {
	cli := embedded.StartOne(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	backend := etcdkv.New(cli, etcdkv.Options{Prefix: "fence/"})
	old, err := storage.OpenBackend(backend, "old", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	session, err := concurrency.NewSession(cli, concurrency.WithTTL(5))
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	election := concurrency.NewElection(session, "fence/leader")
	if err := election.Campaign(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	backend.Fence(election.Key(), election.Rev())

	reply := bot.Outgoing{Channel: bot.ChannelTelegram, Participant: "telegram:1", Address: "1", Reply: flows.Reply{Text: "Bonjour"}}
	posted, err := old.Post(ctx, []bot.Outgoing{reply, reply})
	if err != nil {
		t.Fatalf("the leader's commit: %v", err)
	}

	// The lease is gone (expired, or revoked as here).
	if _, err := cli.Revoke(ctx, session.Lease()); err != nil {
		t.Fatal(err)
	}
	if err := old.MarkSent(ctx, posted[0].Seq); !errors.Is(err, etcdkv.ErrFenced) {
		t.Errorf("mark sent after the lease is gone: %v, want ErrFenced", err)
	}
	if _, err := old.Post(ctx, []bot.Outgoing{reply}); !errors.Is(err, etcdkv.ErrFenced) {
		t.Errorf("post after the lease is gone: %v, want ErrFenced", err)
	}

	next, err := storage.OpenBackend(etcdkv.New(cli, etcdkv.Options{Prefix: "fence/"}), "next", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	pending, err := next.Pending(ctx, bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 {
		t.Fatalf("the next leader finds %d replies in the outbox, want the 2 the old one could not mark sent", len(pending))
	}
	if err := next.MarkSent(ctx, pending[0].Seq, pending[1].Seq); err != nil {
		t.Errorf("the next leader's commit: %v", err)
	}
}
