package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"consultbot/bot"
	"consultbot/bot/web"
	"consultbot/flows"
	"consultbot/text"
)

// webChannel builds the web channel when it is on. It binds the address
// at once, so that a port in use stops run before anything starts, and
// prints the page's address. ctx ends with the channels; it closes the
// listener if the channel never ran.
func (m *Main) webChannel(ctx context.Context, cfg Config, q *flows.Questionnaire) (*channel, error) {
	if !cfg.webOn() {
		return nil, nil
	}
	w := cfg.Web
	key := []byte(cfg.Security.IDKey)
	if len(key) == 0 {
		if !w.loopback() {
			return nil, m.configInvalid(invalid("security.id_key", text.IDKeyForWeb, w.Listen))
		}
		key = make([]byte, 32)
		rand.Read(key)
		m.logger.Warn("CONSULTBOT_ID_KEY is not set: the web page uses a key for this run only, so its participants start over at the next start; set it to keep them", "platform", bot.ChannelWeb)
	}
	proxies, _ := w.proxies()                        // validated
	loc, _ := time.LoadLocation(cfg.Digest.TimeZone) // validated
	a, err := web.New(m.engine, m.db, web.Options{
		IDKey:          key,
		TrustedProxies: proxies,
		Questionnaire:  q,
		DefaultLang:    cfg.Consultation.DefaultLanguage,
		MaxAnswerLen:   cfg.Consultation.MaxAnswerLength,
		Location:       loc,
		Logger:         m.logger,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", w.Listen)
	if err != nil {
		return nil, fmt.Errorf(m.t().WebListen, w.Listen, err)
	}
	// One of two owns the listener: the page's server, which closes it
	// once its connections are drained, or, when the channels stop before
	// this replica served (a stand-by that never led), this closer. Both
	// closing it made every clean stop log a warning.
	var owned atomic.Bool
	go func() {
		<-ctx.Done()
		if owned.Swap(true) {
			return
		}
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			m.logger.Warn("close web listener", "platform", bot.ChannelWeb, "err", err)
		}
	}()
	url := "http://" + pageHost(ln.Addr()) + "/"
	fmt.Fprintf(m.Stdout, m.t().WebChatOn+"\n", url)
	m.logger.Info("web channel listening", "platform", bot.ChannelWeb, "url", url)
	return &channel{name: bot.ChannelWeb, sender: a, run: func(ctx context.Context) error {
		if owned.Swap(true) {
			return nil // stopped before it served
		}
		return a.Serve(ctx, ln)
	}}, nil
}

// pageHost is how a browser on this machine reaches addr: "localhost"
// for an address that listens everywhere.
func pageHost(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP.IsUnspecified() {
		return net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}
