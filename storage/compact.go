package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// compactTxSize bounds each transaction of the copy, so that a large file
// is copied without holding it all in memory.
const compactTxSize = 1 << 20

// Compact rewrites the database at path into a new file holding only its
// live data, then puts it in place; it returns the file's size before and
// after. bbolt never gives pages back: what a transaction deleted (the
// answers of an erased participant, delivered replies) stays in free pages
// until it reuses them, readable by anyone who reads the file. The copy
// leaves them out.
//
// It refuses a file held by a running bot (ErrLockedByWriter) and a
// damaged one (*DamagedError: every page is checked first). The copy is
// written in the same directory under a temporary name, mode 0600, synced,
// renamed over path and the directory synced, so that a crash leaves
// either the old file or the new one. The old file stays open (and locked
// against writers) until the rename, so a bot started meanwhile cannot
// write to it.
func Compact(path string, opts Options) (before, after int64, err error) {
	opts = opts.withDefaults()
	src, err := OpenReadOnly(path, opts)
	if err != nil {
		return 0, 0, err
	}
	defer src.Close()
	if err := src.Check(); err != nil {
		return 0, 0, fmt.Errorf("check db %q: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("compact db %q: %w", path, err)
	}
	before = fi.Size()

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.compact")
	if err != nil {
		return 0, 0, fmt.Errorf("compact db %q: %w", path, err)
	}
	tmpPath := tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(tmpPath)
		}
	}()
	err = tmp.Chmod(0o600) // CreateTemp's mode already; said since it matters
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, fmt.Errorf("compact db %q: %w", path, err)
	}
	// No fsync per commit: one at the end covers the whole copy.
	dst, err := bolt.Open(tmpPath, 0o600, &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return 0, 0, fmt.Errorf("compact db %q: %w", path, err)
	}
	err = guard(func() error { return bolt.Compact(dst, src.bolt, compactTxSize) })
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncPath(tmpPath)
	}
	if err == nil {
		fi, err = os.Stat(tmpPath)
	}
	if err == nil {
		err = os.Rename(tmpPath, path)
	}
	if err == nil {
		err = syncPath(dir)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("compact db %q: %w", path, err)
	}
	return before, fi.Size(), nil
}

// syncPath fsyncs a file or a directory by name.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	// Some file systems cannot sync a directory; the rename stands.
	if errors.Is(err, os.ErrInvalid) {
		return nil
	}
	return err
}
