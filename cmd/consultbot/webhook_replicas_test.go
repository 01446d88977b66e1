package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/storage"
	"consultbot/storage/etcdkv"
)

// replicaHookSecret is the webhook secret of the replicas the tests start.
const replicaHookSecret = "replica_hook_secret-1"

// webhookReplica is `consultbot run` in webhook mode on the etcd cluster,
// with what it sends to Telegram counted on its way.
type webhookReplica struct {
	*runningBot
	hook string   // its webhook's URL
	api  *slowAPI // between it and Telegram: what it sent
	name string
}

func startWebhookReplica(t *testing.T, srv *telegramtest.Server, endpoints []string, name string) *webhookReplica {
	t.Helper()
	api := startSlowAPI(t, srv.URL(), 0)
	listen := freeAddr(t)
	// A lease of 3 s: a loaded machine's cluster may not renew a
	// shorter one in time, and the leader would stop (its commits are
	// refused: Telegram would retry them elsewhere).
	r := startReplicaWith(t, srv, api.srv.URL, endpoints, 3, fmt.Sprintf(`mode = "webhook"
webhook_listen = %q
webhook_url = "https://consultation.example.org/telegram"
[metrics]
listen = "127.0.0.1:0"
`, listen))
	// Every replica serves its webhook from the start, leading or not.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", listen)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s never listened on %s: %v\nstderr:\n%s", name, listen, err, r.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replica %s's log:\n%s", name, r.stderr)
		}
	})
	return &webhookReplica{runningBot: r, hook: "http://" + listen, api: api, name: name}
}

// waitReady waits until the replica's /readyz answers 200: what a load
// balancer checks before it routes webhook requests to it.
func (r *webhookReplica) waitReady(t *testing.T, wait context.Context) {
	t.Helper()
	var last string
	for {
		if addr := r.m.MetricsAddr(); addr != "" {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
				last = fmt.Sprintf("%d %s", resp.StatusCode, body)
			}
		}
		select {
		case <-wait.Done():
			t.Fatalf("replica %s never ready: %s", r.name, last)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (r *webhookReplica) isLeading() bool {
	select {
	case <-r.m.leading:
		return true
	default:
		return false
	}
}

// balancer posts Telegram's updates to the replicas in turn, as a load
// balancer that routes to every healthy replica does.
type balancer struct {
	t        *testing.T
	srv      *telegramtest.Server
	replicas []*webhookReplica
	n        int
	// standingBy counts the updates a replica applied (answered 200)
	// while it did not lead.
	standingBy int
}

// post posts every pending update, each to the next replica, and fails
// the test unless each is answered 200: committed where it arrived.
func (b *balancer) post(ctx context.Context) {
	b.t.Helper()
	for {
		r := b.replicas[b.n%len(b.replicas)]
		id, status, err := b.srv.PostNext(ctx, r.hook, replicaHookSecret)
		if err == nil && id == 0 {
			return
		}
		b.n++
		if err != nil || status != http.StatusOK {
			b.t.Fatalf("update %d posted to replica %s: status %d, %v\nstderr:\n%s", id, r.name, status, err, r.stderr)
		}
		if !r.isLeading() {
			b.standingBy++
		}
	}
}

var questionNumber = regexp.MustCompile(`Question (\d)/5`)

// checkConversation shows what a parent would notice of the replies: none
// sent twice (every text differs in this conversation), the questions in
// order, up to the one they are at.
func checkConversation(t *testing.T, srv *telegramtest.Server, u telegramtest.User, at int) {
	t.Helper()
	seen := map[string]bool{}
	last := 0
	for _, m := range srv.Messages(u.ID) {
		if seen[m.Text] {
			t.Errorf("parent %d got %q twice", u.ID, m.Text)
		}
		seen[m.Text] = true
		if q := questionNumber.FindStringSubmatch(m.Text); q != nil {
			n, _ := strconv.Atoi(q[1])
			if n != last+1 {
				t.Errorf("parent %d got question %d after question %d: out of order, lost or repeated", u.ID, n, last)
			}
			last = n
		}
	}
	if last != at {
		t.Errorf("parent %d is at question %d, want %d", u.ID, last, at)
	}
}

// TestReplicasApplyWebhookUpdatesTheLeaderDelivers runs two replicas in
// webhook mode on one etcd cluster, behind a balancer that posts each
// update to the next replica: the stand-by applies half of them (also the
// same parent's updates in turn with the leader, and one update posted to
// both at once), the leader alone sends every reply, once and in order.
// Then the leader dies: the stand-by goes on applying at once, leads
// about a lease later and sends what it committed meanwhile.
func TestReplicasApplyWebhookUpdatesTheLeaderDelivers(t *testing.T) {
	c := startCluster(t)
	srv := telegramtest.NewServer(telegramtest.Options{Limits: telegramtest.Limits{PerChat: 100, PerChatBurst: 100, Global: 1000, GlobalBurst: 1000}})
	defer srv.Close()
	wait, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()

	a := startWebhookReplica(t, srv, c.Endpoints(), "A")
	waitLeading(t, wait, a.runningBot, "the first replica")
	b := startWebhookReplica(t, srv, c.Endpoints(), "B")
	if err := srv.Wait(wait, func() bool { u, s := srv.Webhook(); return u != "" && s == replicaHookSecret }); err != nil {
		t.Fatalf("the leader did not register the webhook: %v", err)
	}
	// Both take webhook traffic: the stand-by is ready too.
	a.waitReady(t, wait)
	b.waitReady(t, wait)
	if b.isLeading() {
		t.Fatal("the second replica leads while the first lives")
	}
	lb := &balancer{t: t, srv: srv, replicas: []*webhookReplica{a, b}}

	// Three parents: each round queues one update each, posted to A, B,
	// A, then B, A, B…: every parent's updates alternate between the
	// replicas.
	var parents []telegramtest.User
	for i := range 3 {
		parents = append(parents, telegramtest.User{ID: int64(7100 + i), FirstName: fmt.Sprintf("Parent%d", i), LanguageCode: "fr"})
	}
	each := func(f func(p telegramtest.User)) {
		for _, p := range parents {
			f(p)
		}
		lb.post(wait)
	}
	each(func(p telegramtest.User) { srv.SendCommand(p, "/start") })
	for _, label := range []string{"J'accepte", "Parent", "Passer", "1. Égal accès au numérique — 0/5"} {
		each(func(p telegramtest.User) { tap(t, srv, p, waitLabel(t, wait, srv, p, label), label) })
	}
	answer := func(p telegramtest.User, q int) string {
		return fmt.Sprintf("Réponse %d de %s, pour l'école.", q, p.FirstName)
	}
	for q := 1; q <= 3; q++ {
		for _, p := range parents {
			waitText(t, wait, srv, p, fmt.Sprintf("Question %d/5", q))
		}
		each(func(p telegramtest.User) { srv.SendText(p, answer(p, q)) })
	}
	for _, p := range parents {
		waitText(t, wait, srv, p, "Question 4/5")
	}

	// Telegram posts one update to both replicas at once (it gave up
	// waiting on one): both answer 200, it is applied once.
	twice := srv.SendText(parents[0], answer(parents[0], 4))
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, r := range []*webhookReplica{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, err := srv.PostUpdate(wait, r.hook, replicaHookSecret, twice)
			if err != nil {
				t.Error(err)
			}
			statuses[i] = status
		}()
	}
	wg.Wait()
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusOK {
		t.Fatalf("one update posted to both replicas at once: statuses %v, want 200 from each", statuses)
	}
	lb.post(wait) // and once more, as still pending: a duplicate
	waitText(t, wait, srv, parents[0], "Question 5/5")

	if lb.standingBy == 0 {
		t.Error("the stand-by applied no update")
	}
	if n := len(b.api.reachedTimes()); n != 0 {
		t.Errorf("the stand-by sent %d messages; only the leader sends", n)
	}
	checkConversation(t, srv, parents[0], 5)
	for _, p := range parents[1:] {
		checkConversation(t, srv, p, 4)
	}

	// Everything delivered and marked sent before the leader dies, so
	// that a repeat could only come from a fault of the takeover (a
	// reply sent and not yet marked is sent again: at least once).
	waitDelivered(t, wait, a.m.db, bot.ChannelTelegram)

	// The leader dies: its lease is no longer kept alive. The balancer
	// sends everything to the stand-by, which applies it at once,
	// standing by, and sends it once it leads.
	a.m.cluster.Client().Close()
	lb.replicas = []*webhookReplica{b}
	before := lb.standingBy
	each(func(p telegramtest.User) {
		if p != parents[0] {
			srv.SendText(p, answer(p, 4))
		}
	})
	if lb.standingBy == before {
		t.Error("the stand-by led before applying the updates sent after the leader died; want them applied at once")
	}
	waitLostLead(t, wait, a.runningBot)
	waitLeading(t, wait, b.runningBot, "the stand-by")
	for _, p := range parents {
		waitText(t, wait, srv, p, "Question 5/5")
	}
	// It goes on as the leader: an answer to question 5 gets the theme's
	// review above the next theme's first question.
	each(func(p telegramtest.User) { srv.SendText(p, answer(p, 5)) })
	for _, p := range parents {
		waitText(t, wait, srv, p, "Thème 1 terminé")
		checkConversation(t, srv, p, 5)
	}
	if n := len(b.api.reachedTimes()); n == 0 {
		t.Error("the new leader sent nothing")
	}
	b.stop(t, wait)

	db, err := storage.OpenBackend(etcdkv.New(startClient(t, c.Endpoints()), etcdkv.Options{Prefix: "failover/"}), "check", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range parents {
		var acked []string
		for q := 1; q <= 5; q++ {
			acked = append(acked, answer(p, q))
		}
		stored, err := db.AnswersByParticipant(bot.ParticipantID(bot.ChannelTelegram, strconv.FormatInt(p.ID, 10), []byte(testIDKey)))
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, an := range stored {
			count[an.Text]++
		}
		for _, text := range acked {
			if count[text] != 1 {
				t.Errorf("parent %d: answer %q stored %d times, want once", p.ID, text, count[text])
			}
		}
		if len(stored) != len(acked) {
			t.Errorf("parent %d: %d answers stored, want %d", p.ID, len(stored), len(acked))
		}
	}
	if n := srv.TooManyRequests(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
}
