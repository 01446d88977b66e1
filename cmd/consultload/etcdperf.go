package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/storage/etcdkv"
	"consultbot/storage/etcdkv/embedded"
)

// runEtcdPerf is `consultload etcd`: on a three-member cluster started in
// this process (fsync on, loopback), what the consultation's storage
// commits per second through storage.DB.Apply, beside raw etcd
// transactions writing as much per event, at the same concurrency and in
// the same run.
func runEtcdPerf(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("consultload etcd", flag.ContinueOnError)
	fs.SetOutput(stdout)
	duration := fs.Duration("duration", 10*time.Second, "length of each measured phase")
	levels := fs.String("levels", "1,16,64", "concurrent writers")
	members := fs.Int("members", 3, "etcd members")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 5*time.Minute || *members < 1 || *members > 7 {
		return errors.New("etcd: -duration must be in (0, 5m], -members 1 to 7")
	}
	var conc []int
	for f := range strings.SplitSeq(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("etcd: -levels: %q is not 1 to 1000", f)
		}
		conc = append(conc, n)
	}
	dir, err := os.MkdirTemp("", "consultetcd-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c, err := embedded.Start(dir, *members, false)
	if err != nil {
		return err
	}
	defer c.Close()
	cli, err := c.Client()
	if err != nil {
		return err
	}
	defer cli.Close()
	db, err := storage.OpenBackend(etcdkv.New(cli, etcdkv.Options{}), "perf", storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	fmt.Fprintf(stdout, "etcd: %d members in this process, fsync on, loopback; phases of %s\n", *members, *duration)
	fmt.Fprintf(stdout, "%-9s %-34s %10s %9s %9s\n", "writers", "what", "events/s", "p50", "p99")
	for _, n := range conc {
		raw, err := measureWriters(ctx, n, *duration, func(w, i int) error { return rawEvent(ctx, cli, w, i) })
		if err != nil {
			return err
		}
		raw.print(stdout, n, "raw etcd: 1 get, Txn of 6 puts")
		app, err := measureWriters(ctx, n, *duration, func(w, i int) error { return applyEvent(ctx, db, n, w, i) })
		if err != nil {
			return err
		}
		app.print(stdout, n, "storage.DB.Apply on etcd")
	}
	return nil
}

type phase struct {
	events int
	d      time.Duration
	lat    []time.Duration
}

func (p phase) print(w io.Writer, n int, what string) {
	slices.Sort(p.lat)
	fmt.Fprintf(w, "%-9d %-34s %10.0f %9s %9s\n", n, what, float64(p.events)/p.d.Seconds(), percentile(p.lat, 50), percentile(p.lat, 99))
}

// measureWriters runs n writers calling fn for d and collects each call's
// latency.
func measureWriters(ctx context.Context, n int, d time.Duration, fn func(w, i int) error) (phase, error) {
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs []error
		wg   sync.WaitGroup
	)
	start := time.Now()
	stop := start.Add(d)
	for w := range n {
		wg.Go(func() {
			var mine []time.Duration
			for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
				t := time.Now()
				if err := fn(w, i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return phase{events: len(lat), d: time.Since(start), lat: lat}, errors.Join(errs...)
}

// rawEvent writes what one event writes (session, answer, two index
// entries, an outbox entry, the event id) in one transaction guarded by
// the session's revision, after reading the session: the floor of what
// an event can cost on etcd, with no serialization between participants.
func rawEvent(ctx context.Context, cli *clientv3.Client, w, i int) error {
	session := "raw/session/" + strconv.Itoa(w)
	p := fmt.Sprintf("raw/%d/%d/", w, i)
	v := strings.Repeat("x", 500)
	resp, err := cli.Get(ctx, session)
	if err != nil {
		return err
	}
	var mod int64
	if len(resp.Kvs) > 0 {
		mod = resp.Kvs[0].ModRevision
	}
	r, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(session), "=", mod)).Then(
		clientv3.OpPut(session, v), clientv3.OpPut(p+"answer", v), clientv3.OpPut(p+"index", v[:40]),
		clientv3.OpPut(p+"id", v[:40]), clientv3.OpPut(p+"outbox", v), clientv3.OpPut(p+"applied", "1"),
	).Commit()
	if err == nil && !r.Succeeded {
		err = errors.New("raw transaction lost its compare")
	}
	return err
}

// applyEvent applies one answer of writer w's participant.
func applyEvent(ctx context.Context, db *storage.DB, n, w, i int) error {
	now := time.Now()
	q := fmt.Sprintf("q%d", i%50)
	in := bot.Inbound{ID: fmt.Sprintf("perf:%d:%d:%d", n, w, i), Channel: bot.ChannelTelegram, Participant: fmt.Sprintf("telegram:perf%d-%d", n, w), Address: strconv.Itoa(w)}
	_, err := db.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
		if s.Answers == nil {
			s.Answers = map[string]flows.Answer{}
		}
		s.Answers[flows.AnswerKey("acces", q)] = flows.Answer{Theme: "acces", Question: q, Text: strings.Repeat("réponse ", 60), CreatedAt: now, UpdatedAt: now}
		return s, []flows.Reply{{Text: "Merci"}}
	})
	return err
}
