package organiser

import (
	"context"
	"fmt"
	"time"

	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

// Compute computes the digest of the answers created in [since, until)
// (and the totals before until), for one theme or all, in lang, its times
// in the consultation's time zone (Options.Location), whose days it keeps
// digest parts of (see ComputeDigest). It reads the store in chunks of
// short read transactions, participants first as digest.Accumulator
// requires, so that participants keep writing while it runs.
//
// Answers created at or after until are left out, so answers written while
// Compute runs do not change it. A session read before its participant's
// later edits may show slightly older progress than the answers: progress
// (completion, drop-off) is approximate by a few seconds, counts are exact.
func (s *Service) Compute(ctx context.Context, since, until time.Time, theme, lang string) (digest.Digest, error) {
	start := time.Now()
	d, err := ComputeDigest(ctx, s.db, s.q, since, until, theme, lang, s.opts.Location)
	if s.opts.OnCompute != nil && err == nil {
		s.opts.OnCompute(time.Since(start))
	}
	return d.In(s.opts.Location), err
}

// ComputeDigest is Compute without a Service, for the command line; its
// times are as given (see digest.Digest.In). It reads the participants'
// progress, then the answers created before until, oldest first, the text
// of those created since since only: the cost of the text (reading,
// tokenising, scoring quotes) is the period's, and the rest of the store
// costs a small binary record per answer.
//
// With days set (the consultation's time zone), the text of the days of
// the period that have ended is read once: the digest merges the digest
// parts stored for them (see digest.Accumulator.MergePart), and builds
// and stores those missing as it reads their answers, so that the next
// digest over them (the whole store's, a week's) only reads the texts of
// the days since. The store drops a day's part whenever one of its
// answers changes (edited, deleted, erased, hidden, shown, its author
// banned or unbanned), and the next digest builds it again. Parts are
// built by digests of every theme only; a digest of one theme uses them.
func ComputeDigest(ctx context.Context, db DigestSource, q *flows.Questionnaire, since, until time.Time, theme, lang string, days *time.Location) (digest.Digest, error) {
	if q == nil {
		q = flows.DefaultQuestionnaire()
	}
	acc := digest.NewAccumulator(digest.Input{Questionnaire: q, Since: since, Until: until, Theme: theme, Lang: lang})
	parts := partBuilder{db: db, acc: acc}
	if days != nil {
		if err := parts.prepare(ctx, since, until, theme == "", days); err != nil {
			return digest.Digest{}, fmt.Errorf("compute digest: %w", err)
		}
	}
	if err := parts.read(ctx, since, until); err != nil {
		return digest.Digest{}, fmt.Errorf("compute digest: %w", err)
	}
	return acc.Finish(), nil
}

// partBuilder merges the stored digest parts of a digest's period and
// builds the missing ones of its days as the answers come, oldest first.
type partBuilder struct {
	db  DigestSource
	acc *digest.Accumulator
	// merged lists the periods whose stored parts were merged: their
	// answers are read without their texts.
	merged []storage.Span
	// build lists the days to build, claimed under token; next is the
	// first not built yet, open whether its part is started.
	build []storage.Span
	token uint64
	next  int
	open  bool
	// stored counts the parts stored; rest, when set, is called after
	// each part ended (see KeepDigestParts).
	stored int
	rest   func() error
}

// read adds to the accumulator the participants' progress, then every
// answer created before until, oldest first, with its text when created
// since since outside the periods merged, building the parts of b.build
// as it goes. It reads after the claim (prepare): a part built from what
// it reads is stored only if nothing it depends on changed since.
func (b *partBuilder) read(ctx context.Context, since, until time.Time) error {
	hidden, err := b.db.HiddenAnswers()
	if err != nil {
		return err
	}
	err = b.db.ForEachProgress(ctx, func(p storage.Progress) error {
		if p.Banned {
			b.acc.Ban(p.Participant)
			return nil
		}
		for id, tp := range p.Themes {
			b.acc.AddProgress(id, digest.Progress{Answered: tp.Answered, Confirmed: tp.Confirmed, WentThrough: tp.WentThrough, Unasked: tp.Unasked, Current: tp.Current, Active: p.Active})
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = b.db.ForEachDigestAnswer(ctx, since, until, b.merged, func(a storage.DigestAnswer) error {
		if err := b.at(a.CreatedAt); err != nil {
			return err
		}
		b.acc.Add(digest.Answer{
			ID:          a.ID,
			Participant: a.Participant,
			Channel:     a.Channel,
			Profile:     a.Profile,
			Academie:    a.Academie,
			Theme:       a.Theme,
			Question:    a.Question,
			Text:        a.Text,
			Voice:       a.Voice,
			Hidden:      hidden[a.ID],
			CreatedAt:   a.CreatedAt,
		})
		return nil
	})
	if err != nil {
		return err
	}
	return b.finish()
}

// prepare merges the stored parts within [since, until) and, when build,
// claims the days of that period that have ended and have none.
func (b *partBuilder) prepare(ctx context.Context, since, until time.Time, build bool, loc *time.Location) error {
	err := b.db.ForEachDigestPart(ctx, since, until, func(p storage.DigestPart) error {
		if b.acc.MergePart(p.Data) != nil {
			// Damaged: its day's texts are read instead, and the
			// claim below replaces it with a new part.
			return nil
		}
		b.merged = append(b.merged, p.Span)
		return nil
	})
	if err != nil || !build || until.IsZero() {
		return err
	}
	first, ok, err := b.db.FirstDigestAnswer()
	if err != nil || !ok {
		return err
	}
	from := since
	if since.IsZero() {
		// The whole store: its first day is whole, there is nothing
		// before its first answer (an answer added there would drop
		// the day's part).
		y, m, d := first.In(loc).Date()
		from = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	// A day overlapping a part merged (of another time zone) is left.
	return b.claim(uncovered(daysWithin(from, until, loc), b.merged))
}

// claim claims days, for the walk to build their parts.
func (b *partBuilder) claim(days []storage.Span) error {
	b.build = days
	var err error
	if b.token, err = b.db.ClaimDigestParts(days); err != nil || b.token == 0 {
		b.build = nil
	}
	return err
}

// uncovered returns the spans of days (in order) that overlap none of
// covered (in order, not overlapping).
func uncovered(days, covered []storage.Span) []storage.Span {
	var out []storage.Span
	c := 0 // covered[c:] end after the day being looked at
	for _, day := range days {
		for c < len(covered) && !covered[c].End.After(day.Start) {
			c++
		}
		if c < len(covered) && covered[c].Start.Before(day.End) {
			continue
		}
		out = append(out, day)
	}
	return out
}

// daysWithin returns the whole days of loc within [from, until), in order.
func daysWithin(from, until time.Time, loc *time.Location) []storage.Span {
	y, m, d := from.In(loc).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if start.Before(from) {
		d++
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	var out []storage.Span
	for {
		end := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		if end.After(until) {
			return out
		}
		out = append(out, storage.Span{Start: start, End: end})
		start, d = end, d+1
	}
}

// at is called before adding an answer created at t: it ends the parts of
// the days before t and starts that of t's day, if it is one to build.
func (b *partBuilder) at(t time.Time) error {
	for b.next < len(b.build) {
		day := b.build[b.next]
		if t.Before(day.Start) {
			return nil
		}
		if t.Before(day.End) {
			if !b.open {
				b.acc.StartPart()
				b.open = true
			}
			return nil
		}
		if err := b.end(); err != nil {
			return err
		}
	}
	return nil
}

// end ends the part of b.build[b.next] (empty if no answer started it)
// and stores it, unless its claim was dropped meanwhile.
func (b *partBuilder) end() error {
	if !b.open {
		b.acc.StartPart()
	}
	b.open = false
	data, err := b.acc.EndPart()
	if err != nil {
		return err
	}
	day := b.build[b.next]
	b.next++
	ok, err := b.db.StoreDigestPart(day, b.token, data)
	if ok {
		b.stored++
	}
	if err != nil || b.rest == nil {
		return err
	}
	return b.rest()
}

// finish ends the days no answer came after.
func (b *partBuilder) finish() error {
	for b.next < len(b.build) {
		if err := b.end(); err != nil {
			return err
		}
	}
	return nil
}

// KeepDigestParts builds the digest parts (see ComputeDigest) of the days
// of loc that ended by until and have none, from the day of the oldest
// answer, in one walk over the answers that reads the texts of those days
// only, and returns how many it stored. After each part stored it rests
// as long as it worked since the last rest, so that it takes at most
// half of one core's time from the participants writing meanwhile, and
// each part is stored in small commits (see storage.DB.StoreDigestPart):
// a digest over many days then merges parts instead of reading their
// texts, and no digest asked for has to build them.
func KeepDigestParts(ctx context.Context, db DigestSource, q *flows.Questionnaire, until time.Time, loc *time.Location) (int, error) {
	first, ok, err := db.FirstDigestAnswer()
	if err != nil || !ok {
		return 0, err
	}
	y, m, d := first.In(loc).Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, loc)
	done, err := db.DigestPartSpans(from, until)
	if err != nil {
		return 0, err
	}
	days := uncovered(daysWithin(from, until, loc), done)
	if len(days) == 0 {
		return 0, nil
	}
	if q == nil {
		q = flows.DefaultQuestionnaire()
	}
	since, end := days[0].Start, days[len(days)-1].End
	b := partBuilder{db: db, merged: done,
		acc: digest.NewAccumulator(digest.Input{Questionnaire: q, Since: since, Until: end, Lang: flows.LangFR})}
	worked := time.Now()
	b.rest = func() error {
		t := time.NewTimer(time.Since(worked))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		worked = time.Now()
		return nil
	}
	if err := b.claim(days); err != nil || b.token == 0 {
		return 0, err
	}
	if err := b.read(ctx, since, end); err != nil {
		return b.stored, fmt.Errorf("keep digest parts: %w", err)
	}
	return b.stored, nil
}
