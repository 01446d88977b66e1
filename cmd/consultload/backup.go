package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

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
	headroom := headroomFlag(fs)
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
	fi, err := generated(ctx, stdout, path, flows.DefaultQuestionnaire(), *answers, *answers/30, 10, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "store: %.0f MiB, GOMAXPROCS %d, %d parents, think %v, mmap headroom %v\n", float64(fi.Size())/(1<<20), runtime.GOMAXPROCS(0), *parents, *think, *headroom)

	db, err := openMeasured(path, *headroom)
	if err != nil {
		return err
	}
	defer db.Close()
	p := startWriters(ctx, db, *parents, *think)
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
