package organiser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/storage"
)

// Schedule says when periodic digests are due: every day at a wall-clock
// time in a time zone, or every Every. The zero Schedule never is.
type Schedule struct {
	// Hour and Minute, in Location, when Daily is true.
	Daily        bool
	Hour, Minute int
	Location     *time.Location
	// Every, when Daily is false: due times are the multiples of Every
	// since the zero time (UTC), so "every 6h" is due at 00:00, 06:00,
	// 12:00 and 18:00 UTC, whenever the bot was started.
	Every time.Duration
}

// ParseDaily returns the schedule "every day at hhmm (15:04) in the time
// zone tz" (an IANA name such as Europe/Paris).
func ParseDaily(hhmm, tz string) (Schedule, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return Schedule{}, fmt.Errorf("daily time %q is not HH:MM", hhmm)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return Schedule{}, fmt.Errorf("time zone %q: %w", tz, err)
	}
	return Schedule{Daily: true, Hour: t.Hour(), Minute: t.Minute(), Location: loc}, nil
}

// IsZero reports whether the schedule never triggers.
func (sc Schedule) IsZero() bool { return !sc.Daily && sc.Every <= 0 }

// Prev returns the latest due time at or before t (the zero time for the
// zero Schedule).
func (sc Schedule) Prev(t time.Time) time.Time {
	switch {
	case sc.Daily:
		l := t.In(sc.loc())
		d := time.Date(l.Year(), l.Month(), l.Day(), sc.Hour, sc.Minute, 0, 0, sc.loc())
		if d.After(t) {
			d = time.Date(l.Year(), l.Month(), l.Day()-1, sc.Hour, sc.Minute, 0, 0, sc.loc())
		}
		return d
	case sc.Every > 0:
		return t.Truncate(sc.Every)
	}
	return time.Time{}
}

// Next returns the earliest due time after t (the zero time for the zero
// Schedule).
func (sc Schedule) Next(t time.Time) time.Time {
	switch {
	case sc.Daily:
		l := t.In(sc.loc())
		d := time.Date(l.Year(), l.Month(), l.Day(), sc.Hour, sc.Minute, 0, 0, sc.loc())
		if !d.After(t) {
			d = time.Date(l.Year(), l.Month(), l.Day()+1, sc.Hour, sc.Minute, 0, 0, sc.loc())
		}
		return d
	case sc.Every > 0:
		return t.Truncate(sc.Every).Add(sc.Every)
	}
	return time.Time{}
}

func (sc Schedule) loc() *time.Location {
	if sc.Location == nil {
		return time.UTC
	}
	return sc.Location
}

// String describes the schedule for logs.
func (sc Schedule) String() string {
	switch {
	case sc.Daily:
		return fmt.Sprintf("daily at %02d:%02d %s", sc.Hour, sc.Minute, sc.loc())
	case sc.Every > 0:
		return "every " + sc.Every.String()
	}
	return "never"
}

// Schedule posts the periodic digests until ctx ends. At start it posts
// what a previous run recorded but could not deliver, and records the
// digest of a due time that passed while the bot was down (one digest,
// whatever the number of due times missed). Meanwhile it keeps the digest
// parts of the ended days (keepParts).
func (s *Service) Schedule(ctx context.Context) {
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		s.keepParts(ctx)
	}()
	defer func() { <-kept }()
	started := s.opts.Now()
	s.log.Info("digest schedule", "schedule", s.opts.Schedule.String())
	for {
		wait, err := s.tick(ctx, started)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("periodic digest", "err", err)
			wait = s.opts.Retry
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-s.wake:
			t.Stop()
		}
	}
}

// tick records the digest that is due, if any, posts the pending ones and
// returns how long to wait for the next due time (or retry). started is
// when this run began: before the first periodic digest ever (no cursor),
// only a due time after it is recorded, so that a fresh deployment does
// not post a digest at once.
func (s *Service) tick(ctx context.Context, started time.Time) (time.Duration, error) {
	sc := s.opts.Schedule
	var errs []error
	if !sc.IsZero() {
		if err := s.recordDue(ctx, started); err != nil {
			errs = append(errs, err)
		}
	}
	failed, err := s.deliverPending(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	now := s.opts.Now()
	wait := time.Duration(1<<63 - 1)
	if !sc.IsZero() {
		// Due times are read a Settle later, see DefaultSettle.
		wait = sc.Next(now.Add(-s.opts.Settle)).Add(s.opts.Settle).Sub(now)
	}
	if failed > 0 {
		wait = min(wait, s.opts.Retry)
	}
	return max(wait, 0), errors.Join(errs...)
}

// recordDue records the periodic digest of [cursor, due) for the latest due
// time that has settled, if the cursor is before it.
func (s *Service) recordDue(ctx context.Context, started time.Time) error {
	due := s.opts.Schedule.Prev(s.opts.Now().Add(-s.opts.Settle))
	cursor, err := s.db.DigestCursor()
	if err != nil {
		return err
	}
	if !due.After(cursor) || (cursor.IsZero() && due.Before(started)) {
		return nil
	}
	d, err := s.Compute(ctx, cursor, due, "", s.opts.Lang)
	if err != nil {
		return err
	}
	content, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode digest: %w", err)
	}
	seq, err := s.db.RecordDigest(cursor, due, content, s.destinations(), s.opts.Now())
	if errors.Is(err, storage.ErrCursorMoved) {
		// Another Run on the same database got there first: its digest
		// covers this period.
		return nil
	}
	if err != nil {
		return err
	}
	s.log.Info("periodic digest recorded", "digest", seq, "since", cursor, "until", due,
		"contributions", d.Period.Contributions)
	return nil
}

// deliverPending hands every recorded, undelivered periodic digest to
// the outbox, rendered for its destination, each moved there in one
// transaction; from then on the engine delivers it under its policy. It
// returns how many are left to hand over later.
func (s *Service) deliverPending(ctx context.Context) (int, error) {
	pending, err := s.db.PendingDigests()
	if err != nil {
		return 0, err
	}
	failed := 0
	for _, p := range pending {
		if ctx.Err() != nil {
			return failed, ctx.Err()
		}
		r, ok := s.renderer(p.Channel)
		if !ok || s.opts.Outbox == nil {
			// The channel is not running (yet): keep it for later.
			failed++
			continue
		}
		var d digest.Digest
		if err := json.Unmarshal(p.Digest.Content, &d); err != nil {
			return failed, fmt.Errorf("decode digest %d: %w", p.Digest.Seq, err)
		}
		addr, err := r.DigestAddress(p.Address)
		if err != nil {
			s.log.Warn("render digest", "platform", p.Channel, "chat", p.Address, "digest", p.Digest.Seq, "err", err)
			failed++
			continue
		}
		out := bot.Outgoing{Channel: p.Channel, Address: addr, EventID: fmt.Sprintf("digest:%d", p.Digest.Seq), CreatedAt: s.opts.Now()}
		out = r.Render(out, Result{Digest: &d, Chart: s.chart(d)}, d.Lang)
		err = s.opts.Outbox.Commit(ctx, func(ctx context.Context) ([]bot.Outgoing, error) {
			return s.db.PostDigest(ctx, p.Seq, out)
		})
		if err != nil {
			return failed, err
		}
		s.log.Info("digest handed to delivery", "platform", p.Channel, "chat", p.Address, "digest", p.Digest.Seq)
	}
	return failed, nil
}

// keepParts builds the digest parts of the consultation's ended days that
// lack one (KeepDigestParts) at once, then a Settle after each midnight of
// its time zone, until ctx ends; a failure is tried again after Retry. So
// the parts are ready before any digest over several days is asked for,
// built gently, whatever the periodic digests' schedule.
func (s *Service) keepParts(ctx context.Context) {
	loc := s.opts.Location
	for {
		y, m, d := s.opts.Now().Add(-s.opts.Settle).In(loc).Date()
		n, err := KeepDigestParts(ctx, s.db, s.q, time.Date(y, m, d, 0, 0, 0, 0, loc), loc)
		wait := time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(s.opts.Settle).Sub(s.opts.Now())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Error("digest parts", "err", err)
			wait = s.opts.Retry
		case n > 0:
			s.log.Info("digest parts kept", "days", n)
		}
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
