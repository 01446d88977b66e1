package metrics_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/metrics"
	"consultbot/storage"
)

// sink accepts every reply and tells when one arrived.
type sink struct {
	mu   sync.Mutex
	n    int
	sent chan struct{}
}

func (s *sink) Send(context.Context, bot.Outgoing) error {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	select {
	case s.sent <- struct{}{}:
	default:
	}
	return nil
}

func openDB(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "consult.db"), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil && !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			t.Errorf("consistency check: %v", err)
		}
		db.Close()
	})
	return db
}

// scrape reads the metrics page over real HTTP and returns each sample's
// value by its name and labels, as the page writes them.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestScrapeMovesWithRealEvents drives a participant through the real
// conversation machine and engine, with the metrics served on loopback,
// and reads the figures an operator's Prometheus would read.
func TestScrapeMovesWithRealEvents(t *testing.T) {
	db := openDB(t)
	m := metrics.New(metrics.Options{DB: db, Channels: []string{bot.ChannelTerminal}, StuckAfter: time.Hour, Version: "test"})
	srv, err := metrics.Serve("127.0.0.1:0", m.Handler())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	base := "http://" + srv.Addr()

	before := scrape(t, base)
	if v, ok := before[`consultbot_events_applied_total{channel="terminal"}`]; !ok || v != 0 {
		t.Errorf("before any event: events applied = %v (present %v), want 0", v, ok)
	}
	if before[`consultbot_build_info{version="test"}`] != 1 {
		t.Error("no build_info")
	}

	e := bot.New(db, flows.NewMachine(flows.DefaultQuestionnaire(), flows.Config{}), nil)
	e.SetObserver(m)
	out := &sink{sent: make(chan struct{}, 1)}
	e.AddSender(bot.ChannelTerminal, out)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	// Start, consent, profile, académie, theme 1, then an answer to its
	// first question; the last message comes twice, as a platform may
	// deliver it again.
	events := []flows.Event{{Kind: flows.EventCommand, Command: flows.CmdStart}}
	for _, text := range []string{"1", "1", "Lyon", "1", "Des ordinateurs prêtés à chaque élève"} {
		events = append(events, flows.Event{Kind: flows.EventText, Text: text})
	}
	events = append(events, events[len(events)-1])
	for i, ev := range events {
		id := fmt.Sprintf("terminal:%d", min(i, len(events)-2))
		_, err := e.Handle(context.Background(), bot.Inbound{
			ID: id, Channel: bot.ChannelTerminal, Participant: "terminal:ana", Address: "ana", Event: ev,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	after := scrape(t, base)
	for name, want := range map[string]float64{
		`consultbot_events_applied_total{channel="terminal"}`:   6,
		`consultbot_events_duplicate_total{channel="terminal"}`: 1,
		`consultbot_answers_stored_total{channel="terminal"}`:   1,
	} {
		if got := after[name]; got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if after["consultbot_bbolt_tx_writes_total"] <= before["consultbot_bbolt_tx_writes_total"] {
		t.Errorf("bbolt writes did not move: %v → %v", before["consultbot_bbolt_tx_writes_total"], after["consultbot_bbolt_tx_writes_total"])
	}
	// Delivery runs in the background: wait for the outbox to empty.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := scrape(t, base)
		if s[`consultbot_outbox_depth{channel="terminal"}`] == 0 && s[`consultbot_replies_delivered_total{channel="terminal"}`] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox never emptied: depth %v, delivered %v", s[`consultbot_outbox_depth{channel="terminal"}`], s[`consultbot_replies_delivered_total{channel="terminal"}`])
		}
		select {
		case <-out.sent:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestPlatformCallsAreCountedByMethod sends real HTTP requests through the
// observing transport the adapters use, to a loopback platform that
// answers 200, 429 and 502.
func TestPlatformCallsAreCountedByMethod(t *testing.T) {
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/sendMessage"):
			w.WriteHeader(http.StatusTooManyRequests)
		case strings.HasSuffix(r.URL.Path, "/sendPhoto"):
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer platform.Close()
	m := metrics.New(metrics.Options{})
	method := func(r *http.Request) string { return r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:] }
	client := &http.Client{Transport: bot.ObserveRequests("telegram", m, method, http.DefaultTransport)}
	for _, path := range []string{"getMe", "sendMessage", "sendMessage", "sendPhoto"} {
		resp, err := client.Get(platform.URL + "/botTOKEN/" + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	s := scrape(t, srv.URL)
	for name, want := range map[string]float64{
		`consultbot_platform_rate_limited_total{method="sendMessage",platform="telegram"}`:             2,
		`consultbot_platform_request_errors_total{method="sendMessage",platform="telegram"}`:           2,
		`consultbot_platform_request_errors_total{method="sendPhoto",platform="telegram"}`:             1,
		`consultbot_platform_request_duration_seconds_count{method="getMe",platform="telegram"}`:       1,
		`consultbot_platform_request_duration_seconds_count{method="sendMessage",platform="telegram"}`: 2,
	} {
		if got := s[name]; got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if _, ok := s[`consultbot_platform_request_errors_total{method="getMe",platform="telegram"}`]; ok {
		t.Error("a 200 counted as an error")
	}
}

// TestReadiness: not ready until each channel is connected; not ready
// when an outbox holds a reply older than the delivery budget and margin;
// healthz says the process is up all the while.
func TestReadiness(t *testing.T) {
	db := openDB(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	m := metrics.New(metrics.Options{DB: db, Channels: []string{bot.ChannelTelegram, bot.ChannelDiscord}, StuckAfter: 6 * time.Minute, Now: func() time.Time { return now }})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	if code, body := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz = %d %q", code, body)
	}
	code, body := get(t, srv.URL+"/readyz")
	if code != 503 || !strings.Contains(body, "telegram: not connected") || !strings.Contains(body, "discord: not connected") {
		t.Errorf("readyz before connecting = %d %q", code, body)
	}
	m.Connected(bot.ChannelTelegram, true)
	m.Connected(bot.ChannelDiscord, true)
	if code, body := get(t, srv.URL+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("readyz connected = %d %q", code, body)
	}

	// A reply committed 10 minutes ago that nobody delivers.
	e := bot.New(db, flows.NewMachine(flows.DefaultQuestionnaire(), flows.Config{}), nil)
	e.SetClock(func() time.Time { return now.Add(-10 * time.Minute) })
	if _, err := e.Handle(context.Background(), bot.Inbound{ID: "telegram:update:1", Channel: bot.ChannelTelegram, Participant: "telegram:x", Address: "1", Event: flows.Event{Kind: flows.EventText, Text: "bonjour"}}); err != nil {
		t.Fatal(err)
	}
	code, body = get(t, srv.URL+"/readyz")
	if code != 503 || !strings.Contains(body, "telegram: outbox stuck, oldest reply waiting for 10m0s") {
		t.Errorf("readyz with a stuck outbox = %d %q", code, body)
	}
	if s := scrape(t, srv.URL); s[`consultbot_outbox_oldest_age_seconds{channel="telegram"}`] != 600 {
		t.Errorf("oldest age = %v, want 600", s[`consultbot_outbox_oldest_age_seconds{channel="telegram"}`])
	}
	m.Connected(bot.ChannelDiscord, false)
	if _, body := get(t, srv.URL+"/readyz"); !strings.Contains(body, "discord: not connected") {
		t.Errorf("readyz after discord went down = %q", body)
	}
	db.Close()
	if code, body := get(t, srv.URL+"/readyz"); code != 503 || !strings.Contains(body, "database") {
		t.Errorf("readyz with the database closed = %d %q", code, body)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
		t.Errorf("healthz with the database closed = %d", code)
	}
}

// Paid Telegram messages are counted, with the Stars they cost.
func TestPaidMessagesAndStarsAreCounted(t *testing.T) {
	m := metrics.New(metrics.Options{})
	for range 3 {
		m.PaidMessage(0.1)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	s := scrape(t, srv.URL)
	if got := s["consultbot_telegram_paid_messages_total"]; got != 3 {
		t.Errorf("paid messages = %v, want 3", got)
	}
	if got := s["consultbot_telegram_paid_stars_total"]; got < 0.299 || got > 0.301 {
		t.Errorf("paid Stars = %v, want 0.3", got)
	}
}
