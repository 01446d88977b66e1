package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"consultbot/storage/kv"
)

// SchemaVersion is the layout of buckets, keys and records this package
// writes. A file stamped with a newer version is refused rather than
// misread. Version 2 added the moderation and digest buckets and the
// answer id index (see migrateV2); version 3 the voice buckets, so that
// an older program, which would erase answers without their audio,
// refuses the file; version 4 the reminder buckets, for the same reason
// (an older program would leave a person's address behind on erasure);
// version 5 the digest index (answers by creation time and participants'
// progress, see startDigestIndex), which an older program would leave
// stale; version 6 stores sessions without their answers, which live in
// the answers bucket only (see migrateSessions), so that an event no
// longer rewrites every answer of its participant; version 7 the digest
// parts (see bucketDigestParts), which an older program would leave stale
// when their answers change.
const SchemaVersion = digestPartsSchema

// Bucket names. All of them are created in one transaction by Open.
var (
	// bucketMeta holds keySchema.
	bucketMeta = []byte("meta")
	// bucketSessions maps a participant to its sessionRecord, which holds
	// everything but the answers. A participant's answers change only in
	// a transaction that writes or deletes their session record too
	// (Apply, erasure): sessionCache relies on it.
	bucketSessions = []byte("sessions")
	// bucketAnswers maps theme/question/participant to an answerRecord; its
	// sequence numbers the answer ids.
	bucketAnswers = []byte("answers")
	// bucketAnswersByParticipant maps participant/theme/question to the
	// answer's id (big-endian) followed by its key in bucketAnswers.
	bucketAnswersByParticipant = []byte("answers_by_participant")
	// bucketApplied maps an applied event id to when it was applied
	// (big-endian Unix nanoseconds).
	bucketApplied = []byte("applied")
	// bucketAppliedByTime maps big-endian Unix nanoseconds + event id to
	// nothing, so that PruneApplied reads only what it deletes.
	bucketAppliedByTime = []byte("applied_by_time")
	// bucketOutbox holds one nested bucket per channel, each mapping a
	// big-endian sequence to an outgoingRecord; the sequence comes from
	// bucketOutbox itself so that it is unique across channels.
	bucketOutbox = []byte("outbox")

	keySchema = []byte("schema")

	allBuckets = [][]byte{
		bucketMeta, bucketSessions, bucketAnswers, bucketAnswersByParticipant,
		bucketApplied, bucketAppliedByTime, bucketOutbox,
		bucketAnswerIDs, bucketHidden, bucketDigest, bucketDigestLog, bucketDigestOutbox,
		bucketBacklog, bucketBacklogIDs, bucketUndeliverable,
		bucketVoice, bucketVoiceDue, bucketVoiceTrash,
		bucketReminderDue, bucketReminderContacts, bucketAnnouncements,
		bucketAnswersByTime, bucketProgress, bucketPaidBroadcast,
		bucketDigestParts, bucketDigestPartData,
	}
)

// ErrNotBolt is returned by what only a bbolt file can do (Backup, Check,
// Compact) when the database is kept elsewhere.
var ErrNotBolt = errors.New("only a bbolt database file can do this; the database is kept in etcd")

// ErrInUse is returned by Open when another process holds the database.
var ErrInUse = errors.New("already in use by another process")

// Defaults for Options, measured on the 2-core machine of docs/BENCHMARKS.md.
const (
	// DefaultMaxBatchSize is near the concurrency the bot sees under load:
	// bbolt's own default of 1000 is never reached, so every batch would
	// wait its full delay.
	DefaultMaxBatchSize = 64
	// DefaultMaxBatchDelay bounds how long an event waits for others to
	// share its commit, about three fsyncs here. Measured through the
	// engine (docs/BENCHMARKS.md): against 500µs it costs 6% at 8
	// concurrent participants and gains 17% at 64 and 1000; 2 ms and more
	// cost a few concurrent participants most of their throughput (8
	// participants: 2.4k events/s at 2 ms, 0.7k at bbolt's 10 ms). A lone
	// event does not wait at all (see DB.write).
	DefaultMaxBatchDelay = time.Millisecond
	// DefaultLockTimeout is how long Open waits for the file lock.
	DefaultLockTimeout = time.Second
	// DefaultExportChunk is how many answers ForEachAnswer reads per read
	// transaction.
	DefaultExportChunk = 500
)

// Options tune Open. The zero value gives the defaults above.
type Options struct {
	// MaxBatchSize is how many concurrent Apply calls a batch waits for
	// at most before it commits; calls that arrive while a commit is in
	// progress all share the next one, however many.
	MaxBatchSize int
	// MaxBatchDelay is how long a batch waits for more Apply calls before
	// it commits, when no commit is in progress.
	MaxBatchDelay time.Duration
	// LockTimeout is how long Open waits for another process to release
	// the file before it fails.
	LockTimeout time.Duration
	// InitialMmapSize, in bytes, lets read transactions run while the file
	// grows up to that size without blocking writers.
	InitialMmapSize int
	// ExportChunk is how many answers ForEachAnswer reads per read
	// transaction.
	ExportChunk int
	// NoSync skips fsync after each commit. Only for benchmarks and tests
	// that measure something else: a crash may lose committed events.
	NoSync bool
	// Voice says what Apply records about voice answers (see
	// VoiceOptions); the zero value records nothing.
	Voice VoiceOptions
	// HoldBehindBacklog makes Apply check, in its transaction, whether
	// the participant has events held back by flood control, and hold the
	// event behind them if so (Applied.Held): for replicas that each apply
	// events, so that one person's events keep their order when flood
	// control on one replica holds some of them. It costs a read per
	// event.
	HoldBehindBacklog bool

	// indexBuildChunk is how many records a transaction of
	// buildDigestIndex indexes; tests make it small.
	indexBuildChunk int
}

func (o Options) withDefaults() Options {
	if o.MaxBatchSize <= 0 {
		o.MaxBatchSize = DefaultMaxBatchSize
	}
	if o.MaxBatchDelay <= 0 {
		o.MaxBatchDelay = DefaultMaxBatchDelay
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.ExportChunk <= 0 {
		o.ExportChunk = DefaultExportChunk
	}
	if o.indexBuildChunk <= 0 {
		o.indexBuildChunk = defaultIndexBuildChunk
	}
	return o
}

// DB is the consultation's bbolt database. Its methods are safe for
// concurrent use.
type DB struct {
	// kv keeps the data; bolt is the same file when the backend is bbolt
	// (backups, checks and bbolt's statistics need it), nil otherwise.
	kv   kv.Backend
	bolt *bolt.DB
	path string
	opts Options
	// writing counts writes in flight and crowded says whether the last
	// write found others in flight: a lone write commits at once instead
	// of waiting MaxBatchDelay for company.
	writing atomic.Int64
	crowded atomic.Bool
	// group gathers concurrent writes into shared commits.
	group *groupCommit
	// sessions keeps the sessions Apply wrote, decoded (see sessionCache).
	sessions sessionCache
	// stamps numbers the writes of session records: started at random at
	// Open, so that no two writes of a record, in this process or another
	// one (an earlier run, or a replica sharing an etcd cluster, whose
	// clock may have started within a few writes of this one's), give the
	// same bytes.
	stamps atomic.Uint64
	// voice holds the voice options and the VoiceChanged signal.
	voice voiceState
}

// write runs fn in a write transaction shared with concurrent writes
// (see groupCommit: fn must be idempotent). A write is lone, and commits at
// once, when no other is in flight and none was when the previous write
// began: when a shared commit returns, its writers come back one by one,
// and the first one back would otherwise commit alone, one more commit
// (and fsync) for every batch.
func (db *DB) write(fn func(kv.Tx) error) error {
	defer db.writing.Add(-1)
	n := db.writing.Add(1)
	if crowded := db.crowded.Swap(n > 1); n == 1 && !crowded {
		return db.kv.Update(fn)
	}
	return db.group.run(fn)
}

// readOnly reports whether the database was opened read-only.
func (db *DB) readOnly() bool { return db.bolt != nil && db.bolt.IsReadOnly() }

// update runs fn in a write transaction of its own. fn may run more than
// once on a backend that retries conflicts (etcd), so it resets what it
// computes.
func (db *DB) update(fn func(kv.Tx) error) error { return db.kv.Update(fn) }

// Open opens or creates the database file at path, readable by its owner
// only, and creates its buckets. It fails fast when another process has the
// file open, when the file is readable by group or others, when the file
// was written by a newer schema, and, before writing anything, when the
// file is damaged (checkFile). Its error is an *OpenError.
func Open(path string, opts Options) (*DB, error) {
	db, err := openFile(path, opts.withDefaults())
	return db, openError(path, err)
}

// openError is err, what stopped the database named name from opening, as
// an *OpenError; nil when err is nil.
func openError(name string, err error) error {
	if err == nil {
		return nil
	}
	return &OpenError{Path: name, Err: err}
}

// openFile is Open, its error not yet wrapped.
func openFile(path string, opts Options) (*DB, error) {
	if fi, err := os.Stat(path); err == nil {
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return nil, &ModeError{Path: path, Mode: perm}
		}
		// Read only, before bbolt writes anything: it would grow a
		// truncated file and build a new database over an emptied one.
		if err := checkFile(path, opts.LockTimeout); errors.Is(err, errLocked) {
			return nil, ErrInUse
		} else if err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// Guarded too: bbolt reads the freelist page while it opens, and
	// checkFile only read the meta pages. (A panic there leaves bbolt's
	// file handle open; the command is about to exit anyway.)
	var bdb *bolt.DB
	err := guard(func() (err error) {
		bdb, err = bolt.Open(path, 0o600, &bolt.Options{
			Timeout:         opts.LockTimeout,
			InitialMmapSize: opts.InitialMmapSize,
			FreelistType:    bolt.FreelistMapType,
			NoSync:          opts.NoSync,
		})
		return err
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrInUse
	}
	if err != nil {
		return nil, err
	}
	// A panic reading damaged pages rolls back, writing nothing.
	store := kv.Bolt(bdb)
	if err := guard(func() error { return store.Update(initSchema) }); err != nil {
		bdb.Close()
		return nil, err
	}
	if err := guard(func() error { return finishOpen(store, opts) }); err != nil {
		bdb.Close()
		return nil, err
	}
	db := newDB(store, path, opts)
	db.bolt = bdb
	return db, nil
}

// OpenBackend opens the consultation kept in store, named name in errors and
// logs (an etcd cluster's endpoints, say): it refuses a newer schema,
// creates the buckets, stamps the version and runs the rewrites a newer
// schema asks for, like Open. The DB closes store when it is closed. What
// only a bbolt file can do (Backup, Check) returns ErrNotBolt.
func OpenBackend(store kv.Backend, name string, opts Options) (*DB, error) {
	opts = opts.withDefaults()
	if err := store.Update(initSchema); err != nil {
		return nil, openError(name, err)
	}
	if err := finishOpen(store, opts); err != nil {
		return nil, openError(name, err)
	}
	return newDB(store, name, opts), nil
}

// finishOpen runs, in chunks, the rewrites initSchema marked: the session
// records, then the digest index.
func finishOpen(store kv.Backend, opts Options) error {
	if err := migrateSessions(store); err != nil {
		return err
	}
	return buildDigestIndex(store, opts.indexBuildChunk)
}

func newDB(store kv.Backend, name string, opts Options) *DB {
	db := &DB{kv: store, path: name, opts: opts, voice: newVoiceState(opts.Voice),
		group: newGroupCommit(store, opts.MaxBatchSize, opts.MaxBatchDelay)}
	db.stamps.Store(rand.Uint64())
	return db
}

// initSchema refuses a newer schema before touching anything, then creates
// the buckets, marks the rewrites Open runs next in chunks (the digest
// index, the session records) and stamps the version.
func initSchema(tx kv.Tx) error {
	var stored uint64
	if meta := tx.Bucket(bucketMeta); meta != nil {
		if v := meta.Get(keySchema); v != nil {
			if len(v) != 8 {
				return fmt.Errorf("schema version is corrupt (%d bytes)", len(v))
			}
			if stored = binary.BigEndian.Uint64(v); stored > SchemaVersion {
				return fmt.Errorf("schema version %d is newer than this program's %d; run a newer consultbot", stored, SchemaVersion)
			}
		}
	}
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	if err := migrateV2(tx); err != nil {
		return err
	}
	if err := startDigestIndex(tx); err != nil {
		return err
	}
	if err := startSessionsMigration(tx); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion))
}

// Close closes the database file and releases its lock.
func (db *DB) Close() error {
	if err := db.kv.Close(); err != nil {
		return fmt.Errorf("close db %q: %w", db.path, err)
	}
	return nil
}

// Check reads every page of the file and verifies its internal consistency
// (pages, freelist, bucket structure). A problem is a *DamagedError that
// names the first one and how many were found.
func (db *DB) Check() error {
	if db.bolt == nil {
		return ErrNotBolt
	}
	return db.boltView(func(tx *bolt.Tx) error {
		// Read every page reachable from the buckets here first, under
		// the guard: bbolt's Check runs in a goroutine of its own, where
		// a fault (a page past the end of a file cut short while open)
		// would crash the process instead of failing the check.
		if err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return readAll(b) }); err != nil {
			return err
		}
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		switch len(errs) {
		case 0:
			return nil
		case 1:
			return damaged("%v", errs[0])
		default:
			return damaged("%v (and %d more problems)", errs[0], len(errs)-1)
		}
	})
}

// readAll reads every key and value of b and its nested buckets, touching
// each page of every value so that a page missing from the file faults
// here.
func readAll(b *bolt.Bucket) error {
	var sum byte
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			if nested := b.Bucket(k); nested != nil {
				return readAll(nested)
			}
			return nil
		}
		for i := 0; i < len(v); i += minPageSize {
			sum ^= v[i]
		}
		if len(v) > 0 {
			sum ^= v[len(v)-1]
		}
		return nil
	})
	runtime.KeepAlive(sum)
	return err
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Bolt reports whether the database is a bbolt file (Path is then its
// path), rather than kept in another backend such as etcd.
func (db *DB) Bolt() bool { return db.bolt != nil }

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
