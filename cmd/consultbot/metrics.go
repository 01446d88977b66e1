package main

import (
	"context"
	"net"
	"strconv"

	"consultbot/bot"
	"consultbot/metrics"
	"consultbot/text"
)

// MetricsConfig turns on the metrics and health listener.
type MetricsConfig struct {
	// Listen is where /metrics, /healthz and /readyz are served, such as
	// "127.0.0.1:9090"; empty (the default): no listener. Keep it on
	// loopback or a private network: it needs no password.
	Listen string `toml:"listen"`
}

func (c MetricsConfig) validate() []error {
	if c.Listen == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(c.Listen)
	if p, perr := strconv.Atoi(port); err != nil || perr != nil || p < 0 || p > 65535 {
		return []error{invalid("metrics.listen", text.NotHostPort, c.Listen, "127.0.0.1:9090")}
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return []error{invalid("metrics.listen", text.HostName, c.Listen, "127.0.0.1:9090")}
	}
	return nil
}

// newMetrics builds the metrics when [metrics] listen is set, and makes
// the engine report to them; the adapters get them through observer.
func (m *Main) newMetrics(cfg Config) error {
	if cfg.Metrics.Listen == "" {
		return nil
	}
	budget, err := cfg.Delivery.budget() // validated
	if err != nil {
		return err
	}
	var chans []string
	for _, ch := range cfg.Channels() {
		if ch != bot.ChannelTerminal {
			chans = append(chans, ch)
		}
	}
	m.metrics = metrics.New(metrics.Options{
		DB:         m.db,
		Channels:   chans,
		StuckAfter: budget + metrics.DefaultStuckMargin,
		Delivering: m.delivering.Load,
		Version:    Version(),
	})
	m.engine.SetObserver(m.metrics)
	return nil
}

// observer is what the adapters report to: the metrics, or nil.
func (m *Main) observer() bot.Observer {
	if m.metrics == nil {
		return nil
	}
	return m.metrics
}

// serveMetrics starts the metrics listener, if configured.
func (m *Main) serveMetrics(cfg Config) error {
	if m.metrics == nil {
		return nil
	}
	srv, err := metrics.Serve(cfg.Metrics.Listen, m.metrics.Handler())
	if err != nil {
		return err
	}
	m.opsMu.Lock()
	m.metricsSrv = srv
	m.opsMu.Unlock()
	m.logger.Info("metrics listening", "addr", srv.Addr())
	return nil
}

// MetricsAddr is the address the metrics listener is bound to, once run
// started it; empty otherwise.
func (m *Main) MetricsAddr() string {
	m.opsMu.Lock()
	defer m.opsMu.Unlock()
	if m.metricsSrv == nil {
		return ""
	}
	return m.metricsSrv.Addr()
}

// closeMetrics stops the metrics listener.
func (m *Main) closeMetrics(ctx context.Context) error {
	if m.metricsSrv == nil {
		return nil
	}
	return m.metricsSrv.Close(ctx)
}
