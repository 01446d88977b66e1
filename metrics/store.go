package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"consultbot/storage"
)

// storeCollector reads the database at each scrape: the outboxes, the
// flood backlog and bbolt's own counters. Each read is one short read
// transaction.
type storeCollector struct {
	db  *storage.DB
	now func() time.Time
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("consultbot_"+name, help, labels, nil)
}

var (
	descOutboxDepth = desc("outbox_depth", "Replies committed and not yet delivered, by channel.", "channel")
	descOutboxAge   = desc("outbox_oldest_age_seconds", "Age of the oldest reply waiting in the outbox, by channel; 0 when empty.", "channel")
	descBacklog     = desc("flood_backlog_events", "Events held back by flood control, waiting to be applied.")
	descBacklogPeop = desc("flood_backlog_participants", "Participants with events held back by flood control.")
	descScrapeError = desc("store_scrape_errors", "1 when reading the database for this scrape failed (see the log).")

	descTxN          = desc("bbolt_read_tx_total", "Read transactions started.")
	descOpenTxN      = desc("bbolt_open_read_tx", "Read transactions open now.")
	descFreePages    = desc("bbolt_free_pages", "Free pages in the file.")
	descPendingPages = desc("bbolt_pending_pages", "Pages freed but still visible to an open read transaction.")
	descFreeAlloc    = desc("bbolt_free_alloc_bytes", "Bytes allocated in free pages.")
	descFreelistUse  = desc("bbolt_freelist_inuse_bytes", "Bytes used by the freelist.")
	descPageCount    = desc("bbolt_tx_pages_allocated_total", "Pages allocated by transactions.")
	descPageAlloc    = desc("bbolt_tx_page_alloc_bytes_total", "Bytes allocated by transactions.")
	descCursors      = desc("bbolt_tx_cursors_total", "Cursors created by transactions.")
	descNodes        = desc("bbolt_tx_nodes_total", "Nodes allocated by transactions.")
	descRebalance    = desc("bbolt_tx_rebalances_total", "Node rebalances.")
	descRebalanceSec = desc("bbolt_tx_rebalance_seconds_total", "Time spent rebalancing.")
	descSplit        = desc("bbolt_tx_splits_total", "Node splits.")
	descSpill        = desc("bbolt_tx_spills_total", "Nodes spilled.")
	descSpillSec     = desc("bbolt_tx_spill_seconds_total", "Time spent spilling.")
	descWrites       = desc("bbolt_tx_writes_total", "Page writes (writeAt calls) by commits.")
	descWriteSec     = desc("bbolt_tx_write_seconds_total", "Time spent writing pages to disk, fsync included.")
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOutboxDepth, descOutboxAge, descBacklog, descBacklogPeop, descScrapeError,
		descTxN, descOpenTxN, descFreePages, descPendingPages, descFreeAlloc, descFreelistUse, descPageCount, descPageAlloc,
		descCursors, descNodes, descRebalance, descRebalanceSec, descSplit, descSpill, descSpillSec, descWrites, descWriteSec} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	count := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	ctx := context.Background()
	failed := 0.0
	if stats, err := c.db.OutboxStats(ctx); err != nil {
		failed = 1
	} else {
		now := c.now()
		for name, st := range stats {
			gauge(descOutboxDepth, float64(st.Depth), name)
			age := 0.0
			if st.Depth > 0 {
				age = max(now.Sub(st.Oldest).Seconds(), 0)
			}
			gauge(descOutboxAge, age, name)
		}
	}
	if held, err := c.db.Held(ctx); err != nil {
		failed = 1
	} else {
		n := 0
		for _, k := range held {
			n += k
		}
		gauge(descBacklog, float64(n))
		gauge(descBacklogPeop, float64(len(held)))
	}
	gauge(descScrapeError, failed)

	s := c.db.BoltStats()
	count(descTxN, float64(s.TxN))
	gauge(descOpenTxN, float64(s.OpenTxN))
	gauge(descFreePages, float64(s.FreePageN))
	gauge(descPendingPages, float64(s.PendingPageN))
	gauge(descFreeAlloc, float64(s.FreeAlloc))
	gauge(descFreelistUse, float64(s.FreelistInuse))
	t := s.TxStats
	count(descPageCount, float64(t.GetPageCount()))
	count(descPageAlloc, float64(t.GetPageAlloc()))
	count(descCursors, float64(t.GetCursorCount()))
	count(descNodes, float64(t.GetNodeCount()))
	count(descRebalance, float64(t.GetRebalance()))
	count(descRebalanceSec, t.GetRebalanceTime().Seconds())
	count(descSplit, float64(t.GetSplit()))
	count(descSpill, float64(t.GetSpill()))
	count(descSpillSec, t.GetSpillTime().Seconds())
	count(descWrites, float64(t.GetWrite()))
	count(descWriteSec, t.GetWriteTime().Seconds())
}
