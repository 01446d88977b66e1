package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
)

// runPerf is `consultload perf`: every performance figure in one run, on
// loopback against the in-repo Telegram fake and temporary databases.
func runPerf(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("consultload perf", flag.ContinueOnError)
	fs.SetOutput(stdout)
	duration := fs.Duration("duration", 10*time.Second, "length of each measured phase")
	stored := fs.Int("stored", 100000, "participants stored before the memory phase")
	levels := fs.String("levels", "1,100,1000", "concurrent participants of the end-to-end phases")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 5*time.Minute || *stored < 0 || *stored > 1000000 {
		return errors.New("perf: -duration must be in (0, 5m], -stored in [0, 1000000]")
	}
	var conc []int
	for f := range strings.SplitSeq(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("perf: -levels: %q is not 1 to 1000", f)
		}
		conc = append(conc, n)
	}
	dir, err := os.MkdirTemp("", "consultperf-")
	if err != nil {
		return fmt.Errorf("perf: %w", err)
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(stdout, "perf: %s, %d CPUs (GOMAXPROCS %d), phases of %s, loopback only\n", runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), *duration)

	// 1. Raw storage: what bbolt can commit, the ceiling of everything else.
	raw, err := rawBatchWrites(ctx, filepath.Join(dir, "raw.db"), 64, *duration)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "raw bbolt Batch writes:        %.0f/s (64 writers, %d-byte answer records, fsync on)\n", raw, len(answerRecord(0)))

	// 2. End to end through the real adapter, limits lifted so that the
	// pipeline (getUpdates → engine → commit → reply) is what is measured.
	lifted, liftedBot := liftedLimits()
	for _, n := range conc {
		res, err := telegramLoad(ctx, telegramLoadOptions{parents: n, duration: *duration, fakeLimits: lifted, botLimits: liftedBot})
		if err != nil {
			return err
		}
		ups := res.perSecond(res.actions)
		fmt.Fprintf(stdout, "end to end, %4d participants:  %.0f updates/s, update→reply p50 %s p99 %s (%d samples), %.2f× raw storage\n",
			n, ups, pct(res.latencies, 50), pct(res.latencies, 99), len(res.latencies), ups/raw)
	}

	// 3. Sending with Telegram's real limits enforced by the fake: how
	// close to the 30/s ceiling the limiter gets without a 429.
	warm := 2 * time.Second
	res, err := telegramLoad(ctx, telegramLoadOptions{parents: 100, duration: *duration + warm, warmup: warm})
	if err != nil {
		return err
	}
	out := float64(res.sent+res.edits) / res.rateWindow.Seconds()
	fmt.Fprintf(stdout, "outgoing with real limits:     %.1f/s (%d messages + %d edits in %s after %s warm-up) = %.1f%% of 30/s, 429s: %d\n",
		out, res.sent, res.edits, res.rateWindow.Round(time.Millisecond), warm, 100*out/30, res.tooMany)

	// 4. Memory: the bot serving over a store of many participants.
	if *stored > 0 {
		path := filepath.Join(dir, "big.db")
		t0 := time.Now()
		if err := populate(ctx, path, *stored); err != nil {
			return err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("perf: %w", err)
		}
		populated := time.Since(t0)
		runtime.GC()
		debug.FreeOSMemory()
		var peakHeap, peakSys uint64
		var peakRSS int64
		var mu sync.Mutex
		sample := func() {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			rss := currentRSS()
			mu.Lock()
			peakHeap, peakSys, peakRSS = max(peakHeap, ms.HeapInuse), max(peakSys, ms.Sys), max(peakRSS, rss)
			mu.Unlock()
		}
		baseRSS := currentRSS()
		res, err := telegramLoad(ctx, telegramLoadOptions{parents: 100, duration: *duration, dbPath: path, fakeLimits: lifted, botLimits: liftedBot, sample: sample})
		if err != nil {
			return err
		}
		mu.Lock()
		fmt.Fprintf(stdout, "peak memory, %d stored:    heap in use %s, Go runtime total %s, RSS %s (RSS before the bot %s; file %s, populated in %s; 100 parents answering, %d updates)\n",
			*stored, mib(int64(peakHeap)), mib(int64(peakSys)), mib(peakRSS), mib(baseRSS), mib(fi.Size()), populated.Round(time.Second), res.actions)
		mu.Unlock()
	}
	return nil
}

// answerRecord is a value the size of a stored answer: the JSON record of
// a typical free-text answer with its participant's profile.
func answerRecord(i int) []byte {
	b, _ := json.Marshal(map[string]any{
		"v": 1, "participant": "telegram:" + strconv.Itoa(100000+i), "channel": "telegram",
		"profile": "parent", "academie": "Lyon", "theme": "ecole", "question": "outils",
		"text":       "Plus de temps pour les élèves, moins d'écrans en maternelle, et des outils simples que les familles comprennent.",
		"created_at": time.Date(2026, 11, 28, 19, 0, 0, 0, time.UTC), "updated_at": time.Date(2026, 11, 28, 19, 0, 0, 0, time.UTC),
	})
	return b
}

// rawBatchWrites measures bbolt alone: writers goroutines each putting an
// answer-sized record per Batch call, with the storage package's batch
// settings, for d.
func rawBatchWrites(ctx context.Context, path string, writers int, d time.Duration) (float64, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, fmt.Errorf("perf: raw: %w", err)
	}
	defer db.Close()
	db.MaxBatchSize = storage.DefaultMaxBatchSize
	db.MaxBatchDelay = storage.DefaultMaxBatchDelay
	name := []byte("answers")
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(name); return err }); err != nil {
		return 0, fmt.Errorf("perf: raw: %w", err)
	}
	var n atomic.Int64
	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			for i := 0; runCtx.Err() == nil; i++ {
				key := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(nil, uint32(w)), uint64(i))
				val := answerRecord(i)
				if err := db.Batch(func(tx *bolt.Tx) error { return tx.Bucket(name).Put(key, val) }); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, fmt.Errorf("perf: raw: %w", err)
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

// populate stores n participants who consented, chose a profile and
// answered a first question, through storage batches (Apply, many at once,
// fsync off: only the resulting file matters).
func populate(ctx context.Context, path string, n int) error {
	db, err := storage.Open(path, storage.Options{NoSync: true, MaxBatchSize: 256})
	if err != nil {
		return fmt.Errorf("perf: populate: %w", err)
	}
	q := flows.DefaultQuestionnaire()
	th := q.Themes[0]
	now := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range 256 {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				who := "telegram:" + strconv.Itoa(2000000+i)
				in := bot.Inbound{ID: "populate:" + strconv.Itoa(i), Channel: bot.ChannelTelegram, Participant: who, Address: strconv.Itoa(2000000 + i), At: now,
					Event: flows.Event{Kind: flows.EventText, Text: "populate"}}
				_, err := db.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
					s.Participant, s.Lang, s.Stage = who, "fr", flows.StageQuestion
					s.ConsentAt, s.Profile, s.CreatedAt, s.UpdatedAt = now, "parent", now, now
					s.Theme, s.Question = th.ID, th.Questions[1].ID
					s.Answers = map[string]flows.Answer{flows.AnswerKey(th.ID, th.Questions[0].ID): {
						Theme: th.ID, Question: th.Questions[0].ID, CreatedAt: now, UpdatedAt: now,
						Text: "Plus de temps pour les élèves et des outils simples que les familles comprennent.",
					}}
					return s, nil
				})
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	cerr := db.Close()
	if err, ok := firstErr.Load().(error); ok {
		return fmt.Errorf("perf: populate: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("perf: populate: %w", cerr)
	}
	return ctx.Err()
}

// currentRSS reads the process's resident set size from /proc (0 where
// there is none).
func currentRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// liftedLimits are limits on the fake and on the bot far above any load,
// to measure the pipeline rather than Telegram's limits.
func liftedLimits() (telegramtest.Limits, telegram.Limits) {
	return telegramtest.Limits{Global: 1e6, GlobalBurst: 1e6, PerChat: 1e6, PerChatBurst: 1e6},
		telegram.Limits{GlobalRate: 1e6, ChatRate: 1e6, ChatBurst: 1000}
}
