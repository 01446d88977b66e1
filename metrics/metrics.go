package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"consultbot/bot"
	"consultbot/storage"
)

// DefaultStuckMargin is added to the delivery budget to tell a stuck
// outbox from a busy one: a reply may fail for its whole budget, and wait
// its turn behind a long digest in a group (20 messages a minute on
// Telegram), before it leaves the outbox.
const DefaultStuckMargin = 5 * time.Minute

// Options configure Metrics.
type Options struct {
	// DB is read at each scrape and by /readyz.
	DB *storage.DB
	// Channels are the channels that must be connected for /readyz, and
	// whose outboxes must not be stuck.
	Channels []string
	// StuckAfter is the age of the oldest reply in an outbox past which
	// /readyz says it is stuck: the delivery budget plus
	// DefaultStuckMargin.
	StuckAfter time.Duration
	// Delivering tells whether this process delivers the outbox; nil:
	// always. A replica that applies events while another delivers (a
	// stand-by sharing an etcd cluster) is ready to take events even when
	// the outbox is stuck: only the replica that delivers is not.
	Delivering func() bool
	// Version is reported as consultbot_build_info.
	Version string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Metrics is the Prometheus side of a running bot. It implements
// bot.Observer; its methods are safe for concurrent use.
type Metrics struct {
	opts Options
	reg  *prometheus.Registry

	applied, duplicates, answers *prometheus.CounterVec
	delivered, undeliverable     *prometheus.CounterVec
	requestSeconds               *prometheus.HistogramVec
	requestErrors, rateLimited   *prometheus.CounterVec
	connectedGauge               *prometheus.GaugeVec
	digestSeconds                *prometheus.HistogramVec
	backupSeconds                prometheus.Histogram
	backupBytes, backupLast      prometheus.Gauge
	backupFailures               prometheus.Counter
	paidMessages, paidStars      prometheus.Counter

	mu        sync.Mutex
	connected map[string]bool
}

var _ bot.Observer = (*Metrics)(nil)

// New registers every metric in a registry of its own (with the Go
// runtime's and the process's).
func New(opts Options) *Metrics {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Metrics{opts: opts, reg: prometheus.NewRegistry(), connected: map[string]bool{}}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "consultbot", Name: name, Help: help}, labels)
		m.reg.MustRegister(v)
		return v
	}
	m.applied = counter("events_applied_total", "Inbound events committed, by channel.", "channel")
	m.duplicates = counter("events_duplicate_total", "Inbound events dropped because they were already applied (a platform's redelivery), by channel.", "channel")
	m.answers = counter("answers_stored_total", "Answers created or changed, by channel.", "channel")
	m.delivered = counter("replies_delivered_total", "Replies the platform accepted, by channel.", "channel")
	m.undeliverable = counter("replies_undeliverable_total", "Replies given up and moved out of the outbox, by channel.", "channel")
	m.requestErrors = counter("platform_request_errors_total", "Platform API calls that failed: no answer, or a status other than 2xx, by platform and method.", "platform", "method")
	m.rateLimited = counter("platform_rate_limited_total", "Platform API calls answered 429 (asked to wait), by platform and method.", "platform", "method")
	m.requestSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "consultbot", Name: "platform_request_duration_seconds",
		Help:    "Time from a platform API call to its answer's headers, by platform and method (getUpdates is a long poll).",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"platform", "method"})
	m.connectedGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "consultbot", Name: "channel_connected", Help: "1 when the channel's link to its platform is up (a long poll answered, the gateway ready)."}, []string{"channel"})
	m.digestSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "consultbot", Name: "digest_duration_seconds",
		Help:    "Time to compute a digest or statistics over the whole store, by where it was asked (organisers: periodic digests, /synthese, /stats; admin: the command line).",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
	}, []string{"source"})
	m.backupSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: "consultbot", Name: "backup_duration_seconds", Help: "Time to write and check a hot backup.",
		Buckets: []float64{.1, .5, 1, 5, 10, 30, 60, 120, 300},
	})
	m.backupBytes = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "consultbot", Name: "backup_last_size_bytes", Help: "Size of the last successful backup."})
	m.backupLast = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "consultbot", Name: "backup_last_success_timestamp_seconds", Help: "When the last backup succeeded (Unix time); 0 before the first."})
	m.backupFailures = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "consultbot", Name: "backup_failures_total", Help: "Backups that failed."})
	m.paidMessages = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "consultbot", Name: "telegram_paid_messages_total", Help: "Telegram messages sent as paid broadcasts (allow_paid_broadcast), which the free 30/s would have delayed."})
	m.paidStars = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "consultbot", Name: "telegram_paid_stars_total", Help: "Telegram Stars those paid messages cost (0.1 each)."})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "consultbot", Name: "build_info", Help: "Always 1; its label is the running version."}, []string{"version"})
	build.WithLabelValues(opts.Version).Set(1)
	m.reg.MustRegister(m.requestSeconds, m.connectedGauge, m.digestSeconds, m.backupSeconds, m.backupBytes, m.backupLast, m.backupFailures, m.paidMessages, m.paidStars, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if opts.DB != nil {
		m.reg.MustRegister(&storeCollector{db: opts.DB, now: opts.Now})
	}
	for _, ch := range opts.Channels {
		m.connectedGauge.WithLabelValues(ch).Set(0)
		m.applied.WithLabelValues(ch)
		m.duplicates.WithLabelValues(ch)
		m.answers.WithLabelValues(ch)
	}
	return m
}

// PaidMessage counts a Telegram message sent as a paid broadcast and what
// it cost (telegram.PaidObserver).
func (m *Metrics) PaidMessage(stars float64) {
	m.paidMessages.Inc()
	m.paidStars.Add(stars)
}

// Registry is where the metrics are registered, for a test to gather.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Applied counts a committed or duplicate event and its answers.
func (m *Metrics) Applied(channel string, duplicate bool, answers int) {
	if duplicate {
		m.duplicates.WithLabelValues(channel).Inc()
		return
	}
	m.applied.WithLabelValues(channel).Inc()
	if answers > 0 {
		m.answers.WithLabelValues(channel).Add(float64(answers))
	}
}

// Delivered counts a reply leaving the outbox.
func (m *Metrics) Delivered(channel string, sent bool) {
	if sent {
		m.delivered.WithLabelValues(channel).Inc()
	} else {
		m.undeliverable.WithLabelValues(channel).Inc()
	}
}

// Request records one platform API call.
func (m *Metrics) Request(platform, method string, took time.Duration, status int, err error) {
	m.requestSeconds.WithLabelValues(platform, method).Observe(took.Seconds())
	if status == 429 {
		m.rateLimited.WithLabelValues(platform, method).Inc()
	}
	if err != nil || status/100 != 2 {
		m.requestErrors.WithLabelValues(platform, method).Inc()
	}
}

// Connected records a channel's link coming up or down.
func (m *Metrics) Connected(channel string, up bool) {
	m.mu.Lock()
	m.connected[channel] = up
	m.mu.Unlock()
	v := 0.0
	if up {
		v = 1
	}
	m.connectedGauge.WithLabelValues(channel).Set(v)
}

// Digest records how long a digest (or statistics) took to compute.
func (m *Metrics) Digest(source string, took time.Duration) {
	m.digestSeconds.WithLabelValues(source).Observe(took.Seconds())
}

// Backup records a backup's outcome.
func (m *Metrics) Backup(took time.Duration, size int64, err error) {
	if err != nil {
		m.backupFailures.Inc()
		return
	}
	m.backupSeconds.Observe(took.Seconds())
	m.backupBytes.Set(float64(size))
	m.backupLast.Set(float64(m.opts.Now().Unix()))
}

// Ready lists what keeps the bot from serving: the database not
// answering, a channel not connected, an outbox whose oldest reply is
// older than Options.StuckAfter (when this process delivers it). Empty:
// ready.
func (m *Metrics) Ready(ctx context.Context) []string {
	var problems []string
	db := m.opts.DB
	if db == nil {
		return []string{"database: not open"}
	}
	if err := db.Ping(); err != nil {
		return []string{"database: " + err.Error()}
	}
	m.mu.Lock()
	for _, ch := range m.opts.Channels {
		if !m.connected[ch] {
			problems = append(problems, ch+": not connected")
		}
	}
	m.mu.Unlock()
	if m.opts.Delivering != nil && !m.opts.Delivering() {
		return problems
	}
	stats, err := db.OutboxStats(ctx)
	if err != nil {
		return append(problems, "outbox: "+err.Error())
	}
	now := m.opts.Now()
	for _, ch := range m.opts.Channels {
		st := stats[ch]
		if age := now.Sub(st.Oldest); st.Depth > 0 && m.opts.StuckAfter > 0 && age > m.opts.StuckAfter {
			problems = append(problems, ch+": outbox stuck, oldest reply waiting for "+age.Round(time.Second).String())
		}
	}
	return problems
}
