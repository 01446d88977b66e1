package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// runBackup measures a hot backup of a large store while parents answer:
// how long storage.SaveBackup takes (bbolt's Tx.WriteTo in one read
// transaction, fsync, then the copy's check) and the parents' write
// latency (storage.Apply, fsync on) before and during it.
//
//	consultload backup -answers 1000000 [-parents 100] [-think 1s] [-db FILE]
//
// The store is generated as for consultload digest; -db reuses one.
func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("consultload backup", flag.ContinueOnError)
	answers := fs.Int("answers", 100_000, "answers in the generated store")
	dbPath := fs.String("db", "", "database file: reused if it exists, else generated there (default: a temporary file, removed)")
	parents := fs.Int("parents", 100, "parents answering during the measurements")
	think := fs.Duration("think", time.Second, "each parent's pause between two answers (randomised ±50 %)")
	headroom := fs.Bool("headroom", true, "open the store as consultbot run does, with storage.MmapHeadroom (false: bbolt's default mapping)")
	baseline := fs.Duration("baseline", 10*time.Second, "how long to measure write latency with no backup running")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "consultload-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := *dbPath
	if path == "" {
		path = filepath.Join(dir, "consult.db")
	}
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		if err := generate(ctx, path, flows.DefaultQuestionnaire(), *answers, 10); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %d answers in %v\n", *answers, time.Since(start).Round(time.Millisecond))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "store: %.0f MiB, GOMAXPROCS %d, %d parents, think %v, mmap headroom %v\n", float64(fi.Size())/(1<<20), runtime.GOMAXPROCS(0), *parents, *think, *headroom)

	opts := storage.Options{}
	if *headroom {
		opts.InitialMmapSize = storage.MmapHeadroom(path)
	}
	db, err := storage.Open(path, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	p := startParents(ctx, db, *parents, *think)
	defer p.stop()

	time.Sleep(*baseline)
	fmt.Fprintf(stdout, "writes, no backup:     %s\n", p.take())

	out := filepath.Join(dir, "backup.db")
	start := time.Now()
	n, err := storage.SaveBackup(out, db.Backup)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "backup:                %v for %.0f MiB (%.0f MiB/s), copy checked\n", took.Round(time.Millisecond), float64(n)/(1<<20), float64(n)/(1<<20)/took.Seconds())
	fmt.Fprintf(stdout, "writes, during backup: %s\n", p.take())
	return nil
}

// parentWriters are parents answering one question at a time, with a
// pause between answers; each write's latency is recorded.
type parentWriters struct {
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	mu        sync.Mutex
	latencies []time.Duration
}

func startParents(ctx context.Context, db *storage.DB, n int, think time.Duration) *parentWriters {
	ctx, cancel := context.WithCancel(ctx)
	w := &parentWriters{cancel: cancel}
	qs := []string{"equipement", "besoins", "territoires", "services", "illectronisme"}
	for g := range n {
		w.wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 101))
			for i := 0; ; i++ {
				pause := time.Duration(float64(think) * (0.5 + r.Float64()))
				select {
				case <-ctx.Done():
					return
				case <-time.After(pause):
				}
				in := bot.Inbound{ID: fmt.Sprintf("parent-%d-%d", g, i), Channel: bot.ChannelTelegram, Participant: fmt.Sprintf("telegram:parent%d-%d", g, i/5), Address: "x"}
				text := synthAnswer(r)
				now := time.Now()
				_, err := db.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
					if s.Answers == nil {
						s.Answers = map[string]flows.Answer{}
					}
					s.Stage, s.Profile = flows.StageQuestion, "parent"
					s.Answers[flows.AnswerKey("acces", qs[i%5])] = flows.Answer{Theme: "acces", Question: qs[i%5], Text: text, CreatedAt: now, UpdatedAt: now}
					return s, []flows.Reply{{Text: "merci"}}
				})
				if err != nil {
					return
				}
				lat := time.Since(now)
				w.mu.Lock()
				w.latencies = append(w.latencies, lat)
				w.mu.Unlock()
			}
		})
	}
	return w
}

// take sums up the latencies recorded since the last call.
func (w *parentWriters) take() string {
	w.mu.Lock()
	l := w.latencies
	w.latencies = nil
	w.mu.Unlock()
	if len(l) == 0 {
		return "no write completed"
	}
	slices.Sort(l)
	pct := func(p float64) time.Duration { return l[min(len(l)-1, int(float64(len(l))*p))] }
	return fmt.Sprintf("%d writes, p50 %v, p99 %v, max %v", len(l),
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), l[len(l)-1].Round(10*time.Microsecond))
}

func (w *parentWriters) stop() {
	w.cancel()
	w.wg.Wait()
}
