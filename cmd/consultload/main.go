// Command consultload drives simulated participants through the in-repo
// platform fakes against the real adapters, engine and storage (a temporary
// database), and prints throughput and latency figures. Everything runs on
// loopback.
//
// Usage:
//
//	consultload telegram -parents N -duration D
//	consultload discord …
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

// errUsage is returned for a missing or unknown platform.
var errUsage = errors.New("usage: consultload telegram|discord [flags]")

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "telegram":
		return runTelegram(ctx, args[1:], stdout)
	case "discord":
		return runDiscord(ctx, args[1:], stdout)
	case "soak":
		return runSoak(ctx, args[1:], stdout)
	case "perf":
		return runPerf(ctx, args[1:], stdout)
	case "digest":
		return runDigest(ctx, args[1:], stdout)
	}
	return fmt.Errorf("unknown platform %q: %w", args[0], errUsage)
}
