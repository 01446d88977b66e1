// Package metrics exposes what a running consultbot does to Prometheus and
// to health checks: it implements bot.Observer (events, answers,
// deliveries, platform calls, connections), reads the database's state at
// each scrape (outboxes, flood backlog, bbolt's counters) and serves
// /metrics, /healthz and /readyz on an HTTP listener of its own, off by
// default and meant for loopback or a private network. No label ever holds
// a participant, an address or a token: only channels, platforms and API
// methods.
package metrics
