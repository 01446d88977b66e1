package main

import (
	"context"
	"time"

	"consultbot/storage"
)

// retentionInterval is how often run applies the retention rules. An hour
// is far below the periods it enforces (days) and each pass reads the
// sessions in short chunks.
const retentionInterval = time.Hour

// appliedIDsKept is how long the ids of applied events are kept to drop
// repeats: far beyond the 24 hours Telegram keeps an unconfirmed update
// and Discord's resume window, so a redelivery is always recognised.
const appliedIDsKept = 30 * 24 * time.Hour

// retention applies the retention rules at start and then every interval
// until ctx ends. Failures are logged and retried at the next pass: a
// purge that did not happen is a delay, not a loss.
func (m *Main) retention(ctx context.Context, cfg Config, interval time.Duration) {
	closesAt, _ := cfg.Consultation.closesAt() // validated
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		retentionPass(ctx, m.db, m.logger, cfg.Privacy, closesAt, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// logger is the part of *slog.Logger a retention pass uses.
type logger interface {
	Info(msg string, args ...any)
	Error(msg string, args ...any)
}

// retentionPass applies the rules once, at now:
//
//   - drafts (participations with no theme confirmed, see storage.IsDraft)
//     untouched for privacy.inactive_days are erased, as "erase my data"
//     would erase them;
//   - the ids of events applied more than appliedIDsKept ago are
//     forgotten, so the dedupe set does not grow for ever;
//   - from closes_at + retention_days_after_close on, the outbox entries
//     and applied event ids older than one hour are deleted: they are
//     what still holds raw platform addresses. The hour leaves replies to
//     late visitors the time to be delivered. The recordings of voice
//     answers are deleted then too (storage.DB.ExpireVoice): a voice is
//     personal data, and the synthesis keeps the confirmed transcripts.
func retentionPass(ctx context.Context, db *storage.DB, log logger, p PrivacyConfig, closesAt, now time.Time) {
	if p.InactiveDays > 0 {
		n, err := db.PurgeInactive(ctx, now.AddDate(0, 0, -p.InactiveDays))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purge inactive drafts", "err", err)
		case n > 0:
			log.Info("inactive drafts erased", "participants", n, "inactive_days", p.InactiveDays)
		}
	}
	n, err := db.PruneApplied(now.Add(-appliedIDsKept))
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("prune applied event ids", "err", err)
	case n > 0:
		log.Info("old applied event ids pruned", "ids", n)
	}
	if closesAt.IsZero() {
		return
	}
	if end := closesAt.AddDate(0, 0, p.RetentionDaysAfterClose); !now.Before(end) {
		n, err := db.PurgeAddresses(ctx, now.Add(-time.Hour))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purge platform addresses", "err", err)
		case n > 0:
			log.Info("platform addresses purged after the retention period", "entries", n)
		}
		n, err = db.ExpireVoice(ctx, now)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("delete voice recordings", "err", err)
		case n > 0:
			log.Info("voice recordings deleted after the retention period", "answers", n)
		}
	}
}
