package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// BenchmarkApply measures one commit of Apply for a participant who gave
// answers earlier: a plain answer (an edit of one of them), which
// rewrites that answer only, and a correction of their profile, which
// rewrites every answer of theirs and its digest row. fsync is off: the
// work of the transaction, not the disk, is measured.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1, 20} {
		b.Run(fmt.Sprintf("answer/answers=%d", n), func(b *testing.B) {
			benchApply(b, n, func(i int, now time.Time) bot.StepFunc {
				return func(s flows.Session) (flows.Session, []flows.Reply) {
					k := flows.AnswerKey("acces", fmt.Sprint("q", i%n))
					a := s.Answers[k]
					a.Text, a.UpdatedAt = fmt.Sprint("réponse ", i), now
					s.Answers[k] = a
					return s, []flows.Reply{{Text: "merci"}}
				}
			})
		})
	}
	b.Run("correction/answers=20", func(b *testing.B) {
		benchApply(b, 20, func(i int, now time.Time) bot.StepFunc {
			return func(s flows.Session) (flows.Session, []flows.Reply) {
				s.Profile = []string{"parent", "enseignant"}[i%2]
				return s, []flows.Reply{{Text: "c'est corrigé"}}
			}
		})
	})
}

// benchApply stores n answers of one participant, then times b.N commits
// of the steps next gives.
func benchApply(b *testing.B, n int, next func(i int, now time.Time) bot.StepFunc) {
	db, err := openErr(filepath.Join(b.TempDir(), "consult.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	p := "telegram:1"
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range n {
		now = now.Add(time.Minute)
		if _, err := db.Apply(ctx, inbound(fmt.Sprint("setup-", i), p), now, func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Stage, s.Profile, s.Academie = flows.StageQuestion, "parent", "Lyon"
			if s.Answers == nil {
				s.Answers = map[string]flows.Answer{}
			}
			q := fmt.Sprint("q", i)
			s.Answers[flows.AnswerKey("acces", q)] = flows.Answer{Theme: "acces", Question: q, Text: "une réponse", CreatedAt: now, UpdatedAt: now}
			return s, nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		now = now.Add(time.Second)
		if _, err := db.Apply(ctx, inbound(fmt.Sprint("ev-", i), p), now, next(i, now)); err != nil {
			b.Fatal(err)
		}
	}
}
