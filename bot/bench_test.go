package bot_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// answerText is about the size of a typical free-text answer.
var answerText = strings.Repeat("Les écrans à l'école ", 24)[:500]

// runConcurrently calls op b.N times from workers goroutines, each with its
// own worker index, then finish (when not nil), and reports events/s over
// the whole, and the process's CPU time per event (user and system, all
// goroutines: less sensitive than events/s to other work on the machine).
func runConcurrently(b *testing.B, workers int, op func(worker int, n int64), finish func()) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0, cpuOK := processCPU()
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				op(w, n)
			}
		})
	}
	wg.Wait()
	if finish != nil {
		finish()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	if cpu1, ok := processCPU(); ok && cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N)/1e3, "cpu-µs/event")
	}
}

// BenchmarkBoltUpdate is one commit (one fsync) per write: the floor a
// lone participant meets.
func BenchmarkBoltUpdate(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bucket := []byte("answers")
	value := []byte(answerText)
	runConcurrently(b, 1, func(_ int, n int64) {
		key := binary.BigEndian.AppendUint64(nil, uint64(n))
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			return bk.Put(key, value)
		})
		if err != nil {
			b.Error(err)
		}
	}, nil)
}

// BenchmarkBoltBatch is the ceiling: bbolt Batch writes of one
// answer-sized record each, with the batch settings storage uses.
func BenchmarkBoltBatch(b *testing.B) {
	for _, writers := range []int{1, 64, 100} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.MaxBatchSize = storage.DefaultMaxBatchSize
			db.MaxBatchDelay = storage.DefaultMaxBatchDelay
			bucket := []byte("answers")
			if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucket); return err }); err != nil {
				b.Fatal(err)
			}
			value := []byte(answerText)
			runConcurrently(b, writers, func(_ int, n int64) {
				key := binary.BigEndian.AppendUint64(nil, uint64(n))
				if err := db.Batch(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key, value) }); err != nil {
					b.Error(err)
				}
			}, nil)
		})
	}
}

// benchStep answers one of five questions with a 500-byte text and replies
// once, like a participant going through a theme.
func benchStep() bot.Stepper {
	return stepper(func(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
		q := "q" + ev.Text
		if s.Answers == nil {
			s.Answers = map[string]flows.Answer{}
		}
		s.Answers[flows.AnswerKey("ecole", q)] = flows.Answer{Theme: "ecole", Question: q, Text: answerText, CreatedAt: now, UpdatedAt: now}
		s.Stage, s.Theme, s.Question, s.UpdatedAt = flows.StageQuestion, "ecole", q, now
		return s, []flows.Reply{{Text: "Merci ! Question suivante ?", Expect: flows.ExpectText}}
	})
}

type discardSender struct{}

func (discardSender) Send(context.Context, bot.Outgoing) error { return nil }

// BenchmarkEngineHandle measures events through Engine.Handle with a real
// bbolt file: each event commits its session, one answer, one outbox entry
// and its id, then is delivered to a Sender that accepts at once and marked
// sent. The timer includes draining delivery (Close).
func BenchmarkEngineHandle(b *testing.B) {
	for _, participants := range []int{1, 64, 100, 1000} {
		b.Run(fmt.Sprintf("participants=%d", participants), func(b *testing.B) {
			benchEngine(b, participants, storage.Options{})
		})
	}
}

// BenchmarkEngineTuning compares batch settings at the concurrency the
// defaults are meant for.
func BenchmarkEngineTuning(b *testing.B) {
	for _, participants := range []int{1, 8, 64, 1000} {
		for _, size := range []int{16, 64, 256} {
			for _, delay := range []time.Duration{500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond, 10 * time.Millisecond} {
				b.Run(fmt.Sprintf("participants=%d/size=%d/delay=%s", participants, size, delay), func(b *testing.B) {
					benchEngine(b, participants, storage.Options{MaxBatchSize: size, MaxBatchDelay: delay})
				})
			}
		}
	}
}

func benchEngine(b *testing.B, participants int, opts storage.Options) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "consult.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	eng := bot.New(db, benchStep(), nil)
	eng.AddSender(bot.ChannelTelegram, discardSender{})
	if err := eng.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	runConcurrently(b, participants, func(w int, n int64) {
		p := fmt.Sprint("telegram:", w)
		in := bot.Inbound{ID: fmt.Sprint("telegram:update:", n), Channel: bot.ChannelTelegram, Participant: p, Address: p,
			Event: flows.Event{Kind: flows.EventText, Text: fmt.Sprint(n % 5)}}
		if _, err := eng.Handle(ctx, in); err != nil {
			b.Error(err)
		}
	}, func() {
		if err := eng.Close(ctx); err != nil {
			b.Error(err)
		}
	})
}
