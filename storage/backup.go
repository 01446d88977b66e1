package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database file to w while
// the bot keeps running: bbolt's Tx.WriteTo in one read transaction, so
// the copy is the database as of one commit, whatever is written
// meanwhile. It returns the bytes written.
//
// The copy is page for page, free pages included: the bytes of answers
// erased since the last compaction are in it too (see docs/PRIVACY.md,
// and rotate backups). While it runs, writers wait only if the file must
// grow beyond what is mapped (bbolt issue 854), which happens when the
// database doubles; docs/BENCHMARKS.md measures the participants' write
// latency during a backup.
func (db *DB) Backup(w io.Writer) (int64, error) {
	if db.bolt == nil {
		return 0, ErrNotBolt
	}
	var n int64
	err := guard(func() error {
		return db.bolt.View(func(tx *bolt.Tx) error {
			var err error
			n, err = tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return n, fmt.Errorf("back up db %q: %w", db.path, err)
	}
	return n, nil
}

// SaveBackup writes what copy produces (DB.Backup, or a running bot's
// copy streamed through the admin socket) to path, so that path is either
// left as it was or holds a sound copy: it writes a temporary file in the
// same directory, mode 0600, fsyncs it, checks it as a consultbot database
// (VerifyFile: every page, bbolt's Check, the schema), renames it over
// path and fsyncs the directory. It returns the copy's size.
func SaveBackup(path string, copy func(io.Writer) (int64, error)) (n int64, err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("save backup %q: %w", path, err)
	}
	tmpPath := tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(tmpPath)
		}
	}()
	// CreateTemp's mode already; said since the copy holds every answer.
	err = tmp.Chmod(0o600)
	if err == nil {
		n, err = copy(&syncingWriter{f: tmp})
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("save backup %q: %w", path, err)
	}
	if err = VerifyFile(tmpPath); err != nil {
		return 0, fmt.Errorf("save backup %q: the copy is not sound: %w", path, err)
	}
	if err = os.Rename(tmpPath, path); err == nil {
		err = syncPath(dir)
	}
	if err != nil {
		return 0, fmt.Errorf("save backup %q: %w", path, err)
	}
	return n, nil
}

// VerifyFile checks that the file at path is a sound consultbot database:
// it opens it read-only (meta pages, size, schema) and reads and checks
// every page (DB.Check). A damaged file gives a *DamagedError.
func VerifyFile(path string) error {
	db, err := OpenReadOnly(path, Options{})
	if err != nil {
		return err
	}
	err = db.Check()
	return errors.Join(err, db.Close())
}

// MmapHeadroom is an Options.InitialMmapSize for the database at path
// that lets it double (and at least reach 1 GiB) before bbolt must map it
// again. A remap waits for every read transaction to end, and a backup is
// one long read transaction: without headroom, a backup taken while the
// file outgrows its mapping holds every writer until it ends (measured in
// docs/BENCHMARKS.md: 6 s at a million answers). Mapping more than the
// file costs address space, not memory.
func MmapHeadroom(path string) int {
	size := int64(0)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	return int(max(1<<30, 2*size))
}

// backupSyncEvery is how much of a copy may wait in the page cache before
// it is flushed: one fsync of a whole 2 GiB copy at the end held the
// participants' own fsyncs for seconds behind it on the same disk.
const backupSyncEvery = 32 << 20

// syncingWriter writes to f and flushes it every backupSyncEvery bytes.
type syncingWriter struct {
	f       *os.File
	pending int
}

func (w *syncingWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.pending += n
	if err == nil && w.pending >= backupSyncEvery {
		w.pending = 0
		err = w.f.Sync()
	}
	return n, err
}
