package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram/telegramtest"
)

// tcpProxy forwards loopback connections to one etcd member until cut,
// when it drops them and refuses new ones: the cluster becomes
// unreachable for one replica, whose process lives on.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	cut   bool
}

func startTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	t.Cleanup(p.cutOff)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.cut {
				p.mu.Unlock()
				c.Close()
				up.Close()
				return
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *tcpProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *tcpProxy) cutOff() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// slowAPI stands between one replica and the Telegram fake: each message
// it sends reaches the platform as soon as it is complete, and the moment
// it reaches it is kept, but the answer comes only after a delay, unless
// the replica gave the request up meanwhile. As with the real platform,
// a request given up after it arrived has reached the person all the
// same.
type slowAPI struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reached []time.Time
}

func startSlowAPI(t *testing.T, target string, delay time.Duration) *slowAPI {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	s := &slowAPI{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if !strings.HasPrefix(method, "send") && !strings.HasPrefix(method, "edit") {
			proxy.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // cut short: the platform never sees it
		}
		s.mu.Lock()
		s.reached = append(s.reached, time.Now())
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		answer := httptest.NewRecorder()
		proxy.ServeHTTP(answer, r.WithContext(context.WithoutCancel(r.Context())))
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return // given up: the replica never learns it was sent
		}
		for k, v := range answer.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(answer.Code)
		w.Write(answer.Body.Bytes())
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *slowAPI) reachedTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reached)
}

// TestOldLeaderStopsDeliveringBeforeTheNewOneLeads cuts the leader off
// from the cluster while it is delivering (its process lives on, its
// keep-alives no longer arrive) and checks the fence: no message of the
// old leader reaches Telegram once the stand-by leads, and each parent's
// last message is still the question they are at. That holds whatever
// the load: the old leader checks its lease's bound by the clock as each
// request leaves (bot.Lead), and that bound comes a tenth of the lease
// before the lease can expire on the cluster, which comes before the
// stand-by leads.
func TestOldLeaderStopsDeliveringBeforeTheNewOneLeads(t *testing.T) {
	c := startCluster(t)
	srv := telegramtest.NewServer(telegramtest.Options{Limits: telegramtest.Limits{PerChat: 100, PerChatBurst: 100, Global: 1000, GlobalBurst: 1000}})
	defer srv.Close()
	wait, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()

	etcd := startTCPProxy(t, strings.TrimPrefix(c.Endpoints()[0], "http://"))
	// Each of the leader's messages is answered a second after it reached
	// Telegram: it is still delivering when it loses the cluster. A lease
	// of two seconds gives the fence a margin of a fifth of a second.
	slow := startSlowAPI(t, srv.URL(), time.Second)
	a := startReplicaWith(t, srv, slow.srv.URL, []string{etcd.url()}, 2, "")
	waitLeading(t, wait, a, "the first replica")
	b := startReplicaWith(t, srv, srv.URL(), c.Endpoints(), 2, "")

	var parents []telegramtest.User
	for i := range 12 {
		p := telegramtest.User{ID: int64(5000 + i), FirstName: "Parent", LanguageCode: "fr"}
		parents = append(parents, p)
		srv.SendCommand(p, "/start")
		srv.SendText(p, "bonjour")
		srv.SendText(p, "coucou je reviens")
	}
	if err := srv.Wait(wait, func() bool { return len(slow.reachedTimes()) > 0 }); err != nil {
		t.Fatalf("the leader delivered nothing: %v", err)
	}
	etcd.cutOff()
	cut := time.Now()

	var led time.Time
	select {
	case <-b.m.leading:
		led = time.Now()
	case <-wait.Done():
		t.Fatal("the stand-by never led")
	}
	t.Logf("the stand-by led %s after the leader was cut off", led.Sub(cut).Round(time.Millisecond))
	waitLostLead(t, wait, a)

	// Every parent ends at the consent question, sent by the new leader
	// if the old one could not.
	if err := srv.Wait(wait, func() bool {
		for _, p := range parents {
			last, ok := srv.LastMessage(p.ID)
			if !ok || !slices.Contains(last.Labels(), "J'accepte") {
				return false
			}
		}
		st, err := b.m.db.OutboxStats(wait)
		return err == nil && st[bot.ChannelTelegram].Depth == 0
	}); err != nil {
		for _, p := range parents {
			last, _ := srv.LastMessage(p.ID)
			t.Logf("parent %d: %d messages, last %q", p.ID, len(srv.Messages(p.ID)), last.Text)
		}
		t.Fatalf("not every parent is at the consent question: %v", err)
	}
	b.stop(t, wait)

	late := 0
	for _, at := range slow.reachedTimes() {
		if !at.Before(led) {
			late++
			t.Logf("a message of the old leader reached Telegram %s after the new one led", at.Sub(led))
		}
	}
	if late > 0 {
		t.Errorf("the old leader delivered %d messages after the new one led", late)
	}
	for _, p := range parents {
		msgs := srv.Messages(p.ID)
		for i := 1; i < len(msgs); i++ {
			if msgs[i].Sent.Before(msgs[i-1].Sent) {
				t.Errorf("parent %d: message %d reached Telegram before message %d", p.ID, i, i-1)
			}
		}
	}
}
