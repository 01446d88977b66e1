package organiser

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// BenchmarkComputeDigest computes the digest of a store of 20,000 answers
// (2,000 participants, 10 answers each, 10 % of them in the last day) for
// the last day and for the whole store (without digest parts, then with
// the parts of its days stored), as the bot does, and reports the
// cost per answer of the store: what a digest leaves to the garbage
// collector, which the participants writing meanwhile share.
//
//	go test -run '^$' -bench ComputeDigest -benchmem ./organiser
func BenchmarkComputeDigest(b *testing.B) {
	q := flows.DefaultQuestionnaire()
	db, err := storage.Open(filepath.Join(b.TempDir(), "consult.db"), storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	type ref struct{ theme, question string }
	var qs []ref
	for _, th := range q.Themes {
		for _, qu := range th.Questions {
			qs = append(qs, ref{th.ID, qu.ID})
		}
	}
	const participants, perParticipant = 2000, 10
	end := t0.Add(30 * 24 * time.Hour)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range participants {
		at := t0.Add(time.Duration(i) * 29 * 24 * time.Hour / (participants * 9 / 10))
		if i >= participants*9/10 {
			at = end.Add(-24*time.Hour + time.Duration(i-participants*9/10)*time.Minute)
		}
		in := bot.Inbound{ID: fmt.Sprint("ev-", i), Channel: bot.ChannelTelegram, Participant: fmt.Sprint("telegram:", i), Address: "chat"}
		_, err := db.Apply(context.Background(), in, at, func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Profile, s.Academie = q.Profiles[i%len(q.Profiles)].ID, []string{"Lyon", "Paris", ""}[i%3]
			s.Answers = map[string]flows.Answer{}
			for j := range perParticipant {
				k := qs[(i+j)%len(qs)]
				s.Answers[flows.AnswerKey(k.theme, k.question)] = flows.Answer{Theme: k.theme, Question: k.question,
					Text: randomText(r) + " " + randomText(r), CreatedAt: at, UpdatedAt: at}
			}
			s.Stage, s.Theme, s.Question = flows.StageQuestion, qs[i%len(qs)].theme, qs[i%len(qs)].question
			return s, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	const rows = participants * perParticipant
	for _, bc := range []struct {
		name  string
		since time.Time
		days  *time.Location
	}{{"daily", end.Add(-24 * time.Hour), nil}, {"whole", time.Time{}, nil}, {"whole-parts", time.Time{}, paris}} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.days != nil {
				// The first digest builds the days' parts; the
				// measured ones merge them.
				if _, err := ComputeDigest(context.Background(), db, q, bc.since, end, "", flows.LangFR, bc.days); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				d, err := ComputeDigest(context.Background(), db, q, bc.since, end, "", flows.LangFR, bc.days)
				if err != nil || d.Total.Contributions != rows {
					b.Fatalf("%d contributions, %v", d.Total.Contributions, err)
				}
			}
			runtime.ReadMemStats(&after)
			n := float64(b.N) * rows
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/answer")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/answer")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/answer")
		})
	}
}
