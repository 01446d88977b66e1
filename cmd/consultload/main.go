package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "consultload:", err)
		os.Exit(1)
	}
}

// errUsage is returned for a missing or unknown command.
var errUsage = errors.New("usage: consultload telegram|discord|web|soak|perf|digest|backup|etcd [flags]")

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "telegram":
		return runTelegram(ctx, args[1:], stdout)
	case "discord":
		return runDiscord(ctx, args[1:], stdout)
	case "web":
		return runWeb(ctx, args[1:], stdout)
	case "soak":
		return runSoak(ctx, args[1:], stdout)
	case "perf":
		return runPerf(ctx, args[1:], stdout)
	case "digest":
		return runDigest(ctx, args[1:], stdout)
	case "backup":
		return runBackup(ctx, args[1:], stdout)
	case "etcd":
		return runEtcdPerf(ctx, args[1:], stdout)
	case "neighbour":
		return runNeighbour(ctx, args[1:])
	case "etcd-member":
		return runEtcdMember(ctx, args[1:])
	}
	return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
}
