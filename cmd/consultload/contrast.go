package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// runContrast tells what a daily digest costs the writers from what any
// busy neighbour on the machine costs them. It runs rounds of three
// windows of length each, in an order that turns from round to round so
// that a drift of the machine weighs on every kind alike:
//
//   - quiet: the writers alone;
//   - neighbour: another process (consultload neighbour) reads the store's
//     file page after page, from the page cache, as a digest reads it, with
//     nothing of consultbot running in it;
//   - digest: daily digests back to back in the writers' process.
//
// It prints each window's p99 and, per kind, the median of its windows.
func runContrast(ctx context.Context, stdout io.Writer, w *writers, rounds int, length time.Duration, path string, digest func() error) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	kinds := []string{"quiet", "neighbour", "digest"}
	windows := map[string]func() error{
		"quiet": func() error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(length):
				return nil
			}
		},
		"neighbour": func() error {
			cmd := exec.CommandContext(ctx, self, "neighbour", "-file", path, "-for", length.String())
			cmd.Stderr = os.Stderr
			return cmd.Run()
		},
		"digest": func() error {
			for start := time.Now(); time.Since(start) < length; {
				if err := digest(); err != nil {
					return err
				}
			}
			return nil
		},
	}
	p99s := map[string][]time.Duration{}
	for r := range rounds {
		var line []string
		for i := range kinds {
			kind := kinds[(i+r)%len(kinds)]
			w.takeSorted()
			if err := windows[kind](); err != nil {
				return fmt.Errorf("%s window: %w", kind, err)
			}
			l := w.takeSorted()
			if len(l) == 0 {
				return fmt.Errorf("%s window: no write completed", kind)
			}
			p := percentile(l, 99)
			p99s[kind] = append(p99s[kind], p)
			line = append(line, fmt.Sprintf("%s %v (%d writes)", kind, p, len(l)))
		}
		fmt.Fprintf(stdout, "round %d, writes' p99: %s\n", r+1, strings.Join(line, ", "))
	}
	for _, kind := range kinds {
		fmt.Fprintf(stdout, "%-9s p99, median of %d windows: %v\n", kind, rounds, median(p99s[kind]).Round(10*time.Microsecond))
	}
	return nil
}

// runNeighbour reads a file again and again for a while, touching every
// 64-byte line: a process that keeps one core and the memory busy the way
// a digest does, with nothing of consultbot in it.
//
//	consultload neighbour -file FILE -for 10s
func runNeighbour(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("consultload neighbour", flag.ContinueOnError)
	file := fs.String("file", "", "file to read")
	d := fs.Duration("for", 10*time.Second, "how long to keep reading")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("neighbour: -file is required")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	var sum byte
	for end := time.Now().Add(*d); time.Now().Before(end) && ctx.Err() == nil; {
		n, err := f.Read(buf)
		for i := 0; i < n; i += 64 {
			sum += buf[i]
		}
		if errors.Is(err, io.EOF) {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	fmt.Fprint(io.Discard, sum) // the reads must not be optimised away
	return nil
}
