package etcdkv_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/storage/etcdkv"
	"consultbot/storage/etcdkv/embedded"
)

func open(t *testing.T, endpoints []string, prefix string) *storage.DB {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.OpenBackend(etcdkv.New(cli, etcdkv.Options{Prefix: prefix}), prefix, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); cli.Close() })
	return db
}

// TestTwoReplicasApplyEachEventOnce sends every event to two replicas at
// once, as a platform retrying a webhook on another machine would, while
// a member of the cluster is stopped and started again: the transaction
// decides, so each event is applied by exactly one of them, every answer
// is stored once and every reply is in the outbox once.
func TestTwoReplicasApplyEachEventOnce(t *testing.T) {
	c, err := embedded.Start(t.TempDir(), 3, true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, b := open(t, c.Endpoints(), "replicas/"), open(t, c.Endpoints(), "replicas/")
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	const people, each = 8, 25
	applied := make([][]int, people) // per person, per event: how many replicas applied it
	for p := range applied {
		applied[p] = make([]int, each)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	total, quarter := 0, make(chan struct{})
	for p := range people {
		for _, db := range []*storage.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					in := bot.Inbound{ID: fmt.Sprintf("telegram:update:%d-%d", p, i), Channel: bot.ChannelTelegram,
						Participant: fmt.Sprintf("telegram:%d", p), Address: fmt.Sprint(p)}
					q := fmt.Sprintf("q%d", i)
					res, err := db.Apply(ctx, in, at, func(s flows.Session) (flows.Session, []flows.Reply) {
						if s.Answers == nil {
							s.Answers = map[string]flows.Answer{}
						}
						s.Answers[flows.AnswerKey("ecole", q)] = flows.Answer{Theme: "ecole", Question: q, Text: in.ID, CreatedAt: at, UpdatedAt: at}
						return s, []flows.Reply{{Text: "merci " + q}}
					})
					if err != nil {
						t.Errorf("apply %s: %v", in.ID, err)
						return
					}
					if !res.Duplicate {
						mu.Lock()
						applied[p][i]++
						if total++; total == people*each/4 {
							close(quarter)
						}
						mu.Unlock()
					}
				}
			}()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	// A member goes away and comes back while they write.
	select {
	case <-quarter:
		c.Members[0].Stop()
		if err := c.Restart(0); err != nil {
			t.Fatal(err)
		}
	case <-done:
		t.Error("the writers stopped early")
	}
	<-done

	for p := range people {
		for i, n := range applied[p] {
			if n != 1 {
				t.Errorf("event %d of person %d applied %d times", i, p, n)
			}
		}
		list, err := a.AnswersByParticipant(fmt.Sprintf("telegram:%d", p))
		if err != nil || len(list) != each {
			t.Errorf("person %d: %d answers stored, want %d (%v)", p, len(list), each, err)
		}
	}
	pending, err := b.Pending(ctx, bot.ChannelTelegram, 0)
	if err != nil || len(pending) != people*each {
		t.Errorf("%d replies in the outbox, want %d (%v)", len(pending), people*each, err)
	}
	seen := map[uint64]bool{}
	for _, o := range pending {
		if seen[o.Seq] {
			t.Errorf("outbox sequence %d twice", o.Seq)
		}
		seen[o.Seq] = true
	}
}
