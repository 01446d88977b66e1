package metrics_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/metrics"
	"consultbot/storage"
)

type benchStepper struct{}

var benchText = strings.Repeat("Les écrans à l'école ", 24)[:500]

// Step stores one answer per event, as BenchmarkEngineHandle's does.
func (benchStepper) Step(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
	q := "q" + ev.Text
	s.Answers = map[string]flows.Answer{flows.AnswerKey("ecole", q): {Theme: "ecole", Question: q, Text: benchText, CreatedAt: now, UpdatedAt: now}}
	s.Stage, s.Theme, s.Question, s.UpdatedAt = flows.StageQuestion, "ecole", q, now
	return s, []flows.Reply{{Text: "Merci ! Question suivante ?", Expect: flows.ExpectText}}
}

type discard struct{}

func (discard) Send(context.Context, bot.Outgoing) error { return nil }

// BenchmarkEngineMetrics measures events through Engine.Handle with the
// metrics off (no Observer) and on (the Prometheus Observer, scraped over
// HTTP ten times a second, far more often than Prometheus would), with a
// real bbolt file, fsync on and off: the ratio of events/s is the cost of
// the metrics.
func BenchmarkEngineMetrics(b *testing.B) {
	for _, sync := range []bool{true, false} {
		for _, on := range []bool{false, true} {
			name := fmt.Sprintf("fsync=%v/metrics=%v", sync, on)
			b.Run(name, func(b *testing.B) { benchEngine(b, 64, !sync, on) })
		}
	}
}

func benchEngine(b *testing.B, participants int, noSync, withMetrics bool) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "consult.db"), storage.Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	eng := bot.New(db, benchStepper{}, nil)
	eng.AddSender(bot.ChannelTelegram, discard{})
	stopScrape := func() {}
	if withMetrics {
		m := metrics.New(metrics.Options{DB: db, Channels: []string{bot.ChannelTelegram}, StuckAfter: time.Hour})
		eng.SetObserver(m)
		srv := httptest.NewServer(m.Handler())
		defer srv.Close()
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					resp, err := srv.Client().Get(srv.URL + "/metrics")
					if err == nil {
						resp.Body.Close()
					}
				}
			}
		})
		stopScrape = func() { close(done); wg.Wait() }
	}
	defer stopScrape()
	if err := eng.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range participants {
		wg.Go(func() {
			p := fmt.Sprint("telegram:", w)
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				in := bot.Inbound{ID: fmt.Sprint("telegram:update:", n), Channel: bot.ChannelTelegram, Participant: p, Address: p,
					Event: flows.Event{Kind: flows.EventText, Text: fmt.Sprint(n % 5)}}
				if _, err := eng.Handle(ctx, in); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := eng.Close(ctx); err != nil {
		b.Error(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkObserverPerEvent is what the metrics add to one event on the
// hot path: its commit, its reply's delivery and the platform call that
// sent it, from all cores at once.
func BenchmarkObserverPerEvent(b *testing.B) {
	m := metrics.New(metrics.Options{Channels: []string{bot.ChannelTelegram}})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Applied(bot.ChannelTelegram, false, 1)
			m.Delivered(bot.ChannelTelegram, true)
			m.Request(bot.ChannelTelegram, "sendMessage", 30*time.Millisecond, 200, nil)
		}
	})
}

// BenchmarkScrape is one scrape of /metrics over a store with 1,000
// replies waiting in its outbox.
func BenchmarkScrape(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "consult.db"), storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	eng := bot.New(db, benchStepper{}, nil) // no sender: replies stay in the outbox
	for i := range 1000 {
		p := fmt.Sprint("telegram:", i)
		if _, err := eng.Handle(context.Background(), bot.Inbound{ID: p, Channel: bot.ChannelTelegram, Participant: p, Address: p, Event: flows.Event{Kind: flows.EventText, Text: "1"}}); err != nil {
			b.Fatal(err)
		}
	}
	m := metrics.New(metrics.Options{DB: db, Channels: []string{bot.ChannelTelegram}})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	b.ResetTimer()
	for b.Loop() {
		resp, err := srv.Client().Get(srv.URL + "/metrics")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
