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
// in the consultation's time zone (Options.Location). It reads
// the store in chunks of short read transactions (see ComputeDigest),
// participants first as digest.Accumulator requires, so that participants
// keep writing while it runs.
//
// Answers created at or after until are left out, so answers written while
// Compute runs do not change it. A session read before its participant's
// later edits may show slightly older progress than the answers: progress
// (completion, drop-off) is approximate by a few seconds, counts are exact.
func (s *Service) Compute(ctx context.Context, since, until time.Time, theme, lang string) (digest.Digest, error) {
	start := time.Now()
	d, err := ComputeDigest(ctx, s.db, s.q, since, until, theme, lang)
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
func ComputeDigest(ctx context.Context, db DigestSource, q *flows.Questionnaire, since, until time.Time, theme, lang string) (digest.Digest, error) {
	if q == nil {
		q = flows.DefaultQuestionnaire()
	}
	hidden, err := db.HiddenAnswers()
	if err != nil {
		return digest.Digest{}, err
	}
	acc := digest.NewAccumulator(digest.Input{Questionnaire: q, Since: since, Until: until, Theme: theme, Lang: lang})
	err = db.ForEachProgress(ctx, func(p storage.Progress) error {
		if p.Banned {
			acc.Ban(p.Participant)
			return nil
		}
		for id, tp := range p.Themes {
			acc.AddProgress(id, digest.Progress{Answered: tp.Answered, Confirmed: tp.Confirmed, WentThrough: tp.WentThrough, Current: tp.Current})
		}
		return nil
	})
	if err != nil {
		return digest.Digest{}, fmt.Errorf("compute digest: %w", err)
	}
	err = db.ForEachDigestAnswer(ctx, since, until, func(a storage.DigestAnswer) error {
		acc.Add(digest.Answer{
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
		return digest.Digest{}, fmt.Errorf("compute digest: %w", err)
	}
	return acc.Finish(), nil
}
