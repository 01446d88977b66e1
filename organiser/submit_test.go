package organiser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/text"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// answers lists the texts the outbox received for address.
func (o *fakeOutbox) answers(address string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, r := range o.outs {
		if r.Address == address {
			out = append(out, strings.TrimSpace(r.Reply.Title+"\n"+r.Reply.Text))
		}
	}
	return out
}

// newSubmitService is a Service whose answers reach a fake outbox and
// whose terminal renderer is the fake one, with a few answers stored.
func newSubmitService(t *testing.T, opts Options) (*Service, *fakeOutbox, []uint64) {
	t.Helper()
	db := openDB(t, "")
	var ids []uint64
	for i, txt := range []string{"Des ordinateurs pour chaque élève", "Une connexion dans chaque école"} {
		ids = append(ids, put(t, db, answerOpt{participant: fmt.Sprintf("telegram:p%d", i), theme: "acces", question: "equipement", text: txt, at: t0}))
	}
	ob := &fakeOutbox{}
	opts.Outbox = ob
	if opts.Chart == nil {
		opts.Chart = fakeChart
	}
	s := New(db, nil, opts)
	s.AddChannel(bot.ChannelTerminal, &fakePoster{channel: bot.ChannelTerminal, ob: ob}, nil)
	return s, ob, ids
}

func request(textTyped, address string, role Role) Request {
	return Request{
		Text: textTyped, Lang: "fr", From: "terminal:" + address, Role: role, Lane: address,
		Reply: bot.Outgoing{Channel: bot.ChannelTerminal, Address: address, Participant: "terminal:" + address},
	}
}

func runService(t *testing.T, s *Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestSubmitDecides(t *testing.T) {
	s, ob, ids := newSubmitService(t, Options{})
	defer runService(t, s)()
	ctx := context.Background()
	fr := &text.For("fr").Organiser

	for _, tc := range []struct {
		name    string
		req     Request
		want    Outcome
		answers []string
	}{
		{"not a command", request("bonjour", "a", Organiser), NotMine, nil},
		{"a participant's command", request("/aide", "b", Organiser), NotMine, nil},
		{"a stranger", request(fmt.Sprintf("/masquer %d", ids[0]), "c", Anyone), Refused, []string{fr.Refused}},
		{"malformed", request("/masquer abc", "d", Organiser), Answered, []string{"« abc » n'est pas un numéro de réponse. Écrivez par exemple /masquer 123."}},
		{"help in a team's place", func() Request { r := request("/aide", "e", Organiser); r.Team = true; return r }(), Answered, nil},
		{"a stranger in a team's place", func() Request { r := request("bonjour", "f", Anyone); r.Team = true; return r }(), NotMine, nil},
	} {
		got, err := s.Submit(ctx, tc.req)
		if err != nil || got != tc.want {
			t.Errorf("%s: Submit = %v, %v; want %v", tc.name, got, err, tc.want)
		}
		if tc.answers != nil {
			if a := ob.answers(tc.req.Reply.Address); strings.Join(a, "|") != strings.Join(tc.answers, "|") {
				t.Errorf("%s: answered %q, want %q", tc.name, a, tc.answers)
			}
		}
	}
	help := ob.answers("e")
	if len(help) != 1 || !strings.HasPrefix(help[0], fr.HelpTitle) {
		t.Fatalf("help = %q", help)
	}
	for _, c := range Commands() {
		if !strings.Contains(help[0], "/"+c.FR) {
			t.Errorf("help lacks /%s:\n%s", c.FR, help[0])
		}
	}

	// A queued command: its answer follows, and it changed the store.
	req := request(fmt.Sprintf("/masquer %d", ids[0]), "g", Organiser)
	var seq uint64
	var mu sync.Mutex
	req.Posted = func(s uint64) { mu.Lock(); seq = s; mu.Unlock() }
	if got, err := s.Submit(ctx, req); got != Queued || err != nil {
		t.Fatalf("Submit(/masquer) = %v, %v", got, err)
	}
	waitFor(t, "the hide's answer", func() bool { return len(ob.answers("g")) == 1 })
	if a := ob.answers("g")[0]; !strings.Contains(a, "masquée") {
		t.Errorf("hide answered %q", a)
	}
	mu.Lock()
	if seq == 0 {
		t.Error("Posted was not called with the answer's sequence")
	}
	mu.Unlock()
	if _, hidden, _ := s.db.AnswerByID(ids[0]); !hidden {
		t.Error("the queued hide did not hide the answer")
	}
}

// A flood of commands from someone who may not run them gets a few
// refusals, then silence, and never a place in the queue: an organiser
// behind them is answered.
func TestRefusalsCostNothing(t *testing.T) {
	s, ob, _ := newSubmitService(t, Options{Queue: 1})
	defer runService(t, s)()
	ctx := context.Background()
	told := 0
	for i := range 100 {
		got, err := s.Submit(ctx, request("/stats", "stranger", Anyone))
		if err != nil {
			t.Fatal(err)
		}
		switch got {
		case Refused:
			told++
		case Ignored:
		default:
			t.Fatalf("command %d from a stranger: %v", i, got)
		}
	}
	if told != maxRefusals || len(ob.answers("stranger")) != maxRefusals {
		t.Errorf("told %d times, %d answers; want %d", told, len(ob.answers("stranger")), maxRefusals)
	}
	if got, err := s.Submit(ctx, request("/stats", "team", Organiser)); got != Queued || err != nil {
		t.Fatalf("the organiser's /stats behind the flood: %v, %v", got, err)
	}
	waitFor(t, "the organiser's stats", func() bool { return len(ob.answers("team")) == 1 })
}

// gate is a chart function that blocks until opened or its digest's
// computation is abandoned, to hold commands in the workers.
type gate struct {
	started chan string
	open    chan struct{}
}

func (g *gate) chart(d digest.Digest) ([]byte, error) {
	g.started <- d.ThemeTitle
	<-g.open
	return []byte("PNG"), nil
}

// Commands of one chat run one at a time, in order; chats share the
// bounded workers; past the bounds a command is answered "busy".
func TestPoolOrderAndBounds(t *testing.T) {
	g := &gate{started: make(chan string, 10), open: make(chan struct{})}
	s, ob, ids := newSubmitService(t, Options{Workers: 1, Queue: 3, LaneQueue: 2, Chart: g.chart})
	defer runService(t, s)()
	ctx := context.Background()
	submit := func(line, lane string) Outcome {
		t.Helper()
		got, err := s.Submit(ctx, request(line, lane, Organiser))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if submit("/synthese", "a") != Queued {
		t.Fatal("first digest not queued")
	}
	<-g.started // the only worker is busy with it
	if submit(fmt.Sprintf("/masquer %d", ids[0]), "a") != Queued || submit("/stats", "b") != Queued {
		t.Fatal("commands behind the digest not queued")
	}
	if got := submit("/stats", "c"); got != Busy {
		t.Errorf("a fourth command with a queue of 3: %v, want Busy", got)
	}
	if a := ob.answers("c"); len(a) != 1 || a[0] != text.For("fr").Organiser.Busy {
		t.Errorf("busy answer = %q", a)
	}
	close(g.open)
	waitFor(t, "every answer", func() bool { return len(ob.answers("a")) == 2 && len(ob.answers("b")) == 1 })
	if a := ob.answers("a"); !strings.Contains(a[1], "masquée") {
		t.Errorf("chat a's answers in order: %q", a)
	}
}

// Run returns once its workers stop: a digest being computed is
// abandoned, and a command still waiting is answered that it did not run.
func TestRunStopsItsWorkers(t *testing.T) {
	g := &gate{started: make(chan string, 10), open: make(chan struct{})}
	s, ob, _ := newSubmitService(t, Options{Workers: 1, Chart: g.chart})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	for _, lane := range []string{"a", "b"} {
		if got, err := s.Submit(context.Background(), request("/synthese", lane, Organiser)); got != Queued || err != nil {
			t.Fatal(got, err)
		}
	}
	<-g.started
	cancel()
	close(g.open) // the chart ends; the computation saw ctx end
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return once cancelled")
	}
	stopped := text.For("fr").Organiser.Stopped
	if a := ob.answers("b"); len(a) != 1 || a[0] != stopped {
		t.Errorf("the waiting command was answered %q, want %q", a, stopped)
	}
	if got, _ := s.Submit(context.Background(), request("/stats", "c", Organiser)); got != Busy {
		t.Errorf("a command after Run returned: %v, want Busy", got)
	}
	if _, err := s.Submit(context.Background(), request("/stats", "d", Anyone)); errors.Is(err, context.Canceled) {
		t.Error(err)
	}
}
