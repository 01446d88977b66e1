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
// the store in chunks of short read transactions (storage.ForEachSession,
// then ForEachAnswer), participants first as digest.Accumulator requires,
// so that participants keep writing while it runs.
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
// times are as given (see digest.Digest.In).
func ComputeDigest(ctx context.Context, db *storage.DB, q *flows.Questionnaire, since, until time.Time, theme, lang string) (digest.Digest, error) {
	hidden, err := db.HiddenAnswers()
	if err != nil {
		return digest.Digest{}, err
	}
	acc := digest.NewAccumulator(digest.Input{Questionnaire: q, Since: since, Until: until, Theme: theme, Lang: lang})
	err = db.ForEachSession(ctx, func(sess flows.Session) error {
		acc.AddParticipant(Participant(q, sess))
		return nil
	})
	if err != nil {
		return digest.Digest{}, fmt.Errorf("compute digest: %w", err)
	}
	err = db.ForEachAnswer(ctx, func(a storage.Answer) error {
		acc.Add(DigestAnswer(a, hidden[a.ID]))
		return nil
	})
	if err != nil {
		return digest.Digest{}, fmt.Errorf("compute digest: %w", err)
	}
	return acc.Finish(), nil
}

// Participant turns a session into the digest's view: banned flag and, per
// theme started, the questions answered, whether the review was confirmed
// and the question they are on.
func Participant(q *flows.Questionnaire, s flows.Session) digest.Participant {
	p := digest.Participant{
		ID:        s.Participant,
		Profile:   s.Profile,
		Academie:  s.Academie,
		Banned:    s.Banned,
		CreatedAt: s.CreatedAt,
		Themes:    map[string]digest.Progress{},
	}
	for _, th := range q.Themes {
		var prog digest.Progress
		for _, qu := range th.Questions {
			if _, ok := s.Answers[flows.AnswerKey(th.ID, qu.ID)]; ok {
				prog.Answered = append(prog.Answered, qu.ID)
			}
		}
		_, prog.Confirmed = s.Confirmed[th.ID]
		if s.Theme == th.ID && (s.Stage == flows.StageQuestion || s.Stage == flows.StageEdit) {
			prog.Current = s.Question
		}
		if len(prog.Answered) > 0 || prog.Confirmed || prog.Current != "" {
			p.Themes[th.ID] = prog
		}
	}
	return p
}

// DigestAnswer turns a stored answer into the digest's view. A choice
// answer counts as a contribution but carries no text to quote.
func DigestAnswer(a storage.Answer, hidden bool) digest.Answer {
	return digest.Answer{
		ID:          a.ID,
		Participant: a.Participant,
		Channel:     a.Channel,
		Profile:     a.Profile,
		Academie:    a.Academie,
		Source:      a.Source,
		Theme:       a.Theme,
		Question:    a.Question,
		Text:        a.Text,
		Voice:       a.Voice != nil,
		Hidden:      hidden,
		CreatedAt:   a.CreatedAt,
		UpdatedAt:   a.UpdatedAt,
	}
}
