package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"consultbot/storage/kv"
)

// ErrLockedByWriter is returned by OpenReadOnly when a process holds the
// file for writing (consultbot run or chat).
var ErrLockedByWriter = errors.New("held by a running consultbot (run or chat): stop it first, read-only commands cannot share the file with it")

// OpenReadOnly opens the database for reading only: exports and printed
// digests. It creates nothing, migrates nothing and writes nothing. A
// damaged file (see checkFile) is refused with a *DamagedError; the pages
// themselves are read by DB.Check, which a command calls when it is about
// to read everything.
//
// bbolt locks the file with flock: a writer holds an exclusive lock and a
// read-only open asks for a shared one, so it waits for the writer to go
// and fails after opts.LockTimeout with ErrLockedByWriter. Read-only opens
// share the file with each other, never with a running bot. Inside the bot
// process, use the *DB the bot already has (the organiser commands do).
// Its error is an *OpenError.
func OpenReadOnly(path string, opts Options) (*DB, error) {
	db, err := openReadOnly(path, opts.withDefaults())
	return db, openError(path, err)
}

// openReadOnly is OpenReadOnly, its error not yet wrapped.
func openReadOnly(path string, opts Options) (*DB, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoFile
	}
	if err != nil {
		return nil, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, &ModeError{Path: path, Mode: perm}
	}
	if err := checkFile(path, opts.LockTimeout); errors.Is(err, errLocked) {
		return nil, ErrLockedByWriter
	} else if err != nil {
		return nil, err
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		ReadOnly:     true,
		Timeout:      opts.LockTimeout,
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrLockedByWriter
	}
	if err != nil {
		return nil, err
	}
	store := kv.Bolt(bdb)
	err = guard(func() error { return store.View(checkReadable) })
	if err != nil {
		bdb.Close()
		return nil, err
	}
	return &DB{kv: store, bolt: bdb, path: path, opts: opts, voice: newVoiceState(VoiceOptions{}),
		group: newGroupCommit(store, opts.MaxBatchSize, opts.MaxBatchDelay)}, nil
}

// checkReadable refuses a file that is not a consultbot database of a
// schema this program knows.
func checkReadable(tx kv.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketSessions, bucketAnswers} {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("not a consultbot database (no %s bucket)", name)
		}
	}
	if v := tx.Bucket(bucketMeta).Get(keySchema); len(v) == 8 && binary.BigEndian.Uint64(v) > SchemaVersion {
		return fmt.Errorf("schema version %d is newer than this program's %d; run a newer consultbot", binary.BigEndian.Uint64(v), SchemaVersion)
	}
	return nil
}
