package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"

	"consultbot/storage/kv"
)

// ErrDamaged is what errors about a damaged database file match with
// errors.Is: truncated, overwritten, or not a database at all.
var ErrDamaged = errors.New("the database file is damaged")

// DamagedError says what is wrong with a damaged file. Its message is
// what the operator reads: "the database file is damaged: <reason>;
// restore the last backup".
type DamagedError struct {
	Reason string
}

func (e *DamagedError) Error() string {
	return ErrDamaged.Error() + ": " + e.Reason + "; restore the last backup"
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

func damaged(format string, args ...any) error {
	return &DamagedError{Reason: fmt.Sprintf(format, args...)}
}

// The on-disk layout of bbolt's two meta pages (go.etcd.io/bbolt
// internal/common: Page, Meta), read here without opening the file with
// bbolt, which would trust them: a 16-byte page header, then magic,
// version, page size, flags (4 bytes each), the root bucket (root page id,
// sequence), the freelist page id, the high-water page id, the
// transaction id, and an FNV-64a checksum of the bytes before it. Integers
// are in the machine's byte order.
const (
	pageHeaderSize = 16
	metaMagic      = 0xED0CDAED
	metaVersion    = 2
	metaSize       = 64 // up to and including the checksum
	metaSumLen     = 56 // bytes the checksum covers
	noFreelist     = ^uint64(0)
	minPageSize    = 512
	maxPageSize    = 1 << 16
)

// meta is what CheckFile reads from a meta page.
type meta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high-water mark: pages [0, pgid) are in use
	txid     uint64
}

// readMeta decodes and validates meta page n of f at offset off.
func readMeta(f io.ReaderAt, n int, off int64) (meta, error) {
	var b [pageHeaderSize + metaSize]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return meta{}, damaged("cannot read meta page %d: the file is too short", n)
	}
	m := b[pageHeaderSize:]
	le := binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:metaSumLen])
	switch {
	case le.Uint32(m[0:]) != metaMagic:
		return meta{}, damaged("meta page %d has no bbolt marker (zeroed or overwritten; or not a consultbot database)", n)
	case le.Uint32(m[4:]) != metaVersion:
		return meta{}, damaged("meta page %d has format version %d, not %d", n, le.Uint32(m[4:]), metaVersion)
	case le.Uint64(m[metaSumLen:]) != h.Sum64():
		return meta{}, damaged("meta page %d fails its checksum", n)
	}
	return meta{
		pageSize: le.Uint32(m[8:]),
		root:     le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]),
		pgid:     le.Uint64(m[40:]),
		txid:     le.Uint64(m[48:]),
	}, nil
}

// errLocked is what checkFile returns when a writer holds the file.
var errLocked = errors.New("locked by another process")

// checkFile checks the database file at path without writing to it or
// opening it with bbolt, which would trust what it reads: both meta pages
// valid (marker, version, checksum), a sane page size, and a file long
// enough for every page the meta pages say are in use. A damaged file must
// not reach bbolt: reading a page past the end of a truncated file faults
// (SIGBUS), a write would grow it, and an emptied file would get a new
// database built over it. It returns a *DamagedError for a damaged file,
// errLocked when a writer kept the file for lockTimeout (its meta pages
// may be half written at any moment), nil when the checks pass. The pages
// themselves are DB.Check's business.
func checkFile(path string, lockTimeout time.Duration) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lockShared(f, lockTimeout); err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size == 0 {
		return damaged("the file is empty")
	}
	m0, err := readMeta(f, 0, 0)
	if err != nil {
		return err
	}
	ps := m0.pageSize
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return damaged("meta page 0 gives a page size of %d bytes", ps)
	}
	m1, err := readMeta(f, 1, int64(ps))
	if err != nil {
		return err
	}
	if m1.pageSize != ps {
		return damaged("the meta pages disagree on the page size (%d and %d bytes)", ps, m1.pageSize)
	}
	for n, m := range []meta{m0, m1} {
		if m.pgid < 2 || m.root >= m.pgid || (m.freelist >= m.pgid && m.freelist != noFreelist) {
			return damaged("meta page %d points outside its own pages", n)
		}
	}
	// bbolt uses the meta page of the latest transaction.
	active := m0
	if m1.txid > m0.txid {
		active = m1
	}
	if need := int64(active.pgid) * int64(ps); size < need {
		return damaged("the file is cut short: %d bytes, but its pages need %d", size, need)
	}
	if active.freelist != noFreelist {
		return checkFreelist(f, active, ps)
	}
	return nil
}

// checkFreelist checks the header of the freelist page, which bbolt reads
// through its memory map as it opens (and as Check starts) trusting its
// element count: a damaged count sends it reading far past the page.
func checkFreelist(f io.ReaderAt, m meta, ps uint32) error {
	const freelistFlag = 0x10
	var h [pageHeaderSize + 8]byte
	if _, err := f.ReadAt(h[:], int64(m.freelist)*int64(ps)); err != nil {
		return damaged("cannot read the freelist page %d", m.freelist)
	}
	le := binary.NativeEndian
	flags, count, overflow := le.Uint16(h[8:]), uint64(le.Uint16(h[10:])), uint64(le.Uint32(h[12:]))
	bytes := uint64(pageHeaderSize)
	if count == 0xFFFF { // the real count is the first element
		count, bytes = le.Uint64(h[pageHeaderSize:]), bytes+8
	}
	if flags != freelistFlag || m.freelist+overflow >= m.pgid || count > (overflow+1)*uint64(ps)/8 ||
		bytes+8*count > (overflow+1)*uint64(ps) {
		return damaged("the freelist page %d is not a valid freelist", m.freelist)
	}
	return nil
}

// view runs fn in a read transaction, guarded (see guard).
func (db *DB) view(fn func(kv.Tx) error) error {
	return guard(func() error { return db.kv.View(fn) })
}

// boltView runs fn in a read transaction of the bbolt file, guarded.
func (db *DB) boltView(fn func(*bolt.Tx) error) error {
	return guard(func() error { return db.bolt.View(fn) })
}

// guard runs fn, a bbolt transaction, and turns a fault or a panic while
// it reads the file into a *DamagedError instead of a crash. Pages are
// read through bbolt's memory map: a file cut short while open faults
// (SIGBUS), which SetPanicOnFault makes a panic of this goroutine, and
// bbolt panics on pages it cannot make sense of. View and Update roll the
// transaction back in a deferred call while the panic unwinds, so nothing
// is committed and the lock is released.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged("reading it failed (%v)", r)
		}
	}()
	return fn()
}

// OpenError is a database that could not be opened, as data: the command
// line words it for the person who typed the command; its message, for
// the logs, is "open db <path>: <what went wrong>".
type OpenError struct {
	Path string
	Err  error // ErrInUse, ErrLockedByWriter, ErrNoFile, *ModeError, *DamagedError, or from below
}

func (e *OpenError) Error() string { return fmt.Sprintf("open db %q: %v", e.Path, e.Err) }

// Unwrap returns what went wrong.
func (e *OpenError) Unwrap() error { return e.Err }

// ErrNoFile is a read-only open of a file that does not exist.
var ErrNoFile = errors.New("no such file (check storage.path or -db)")

// ModeError is a database file that group or others may read: it holds
// every answer, so it is refused until its mode is fixed.
type ModeError struct {
	Path string
	Mode os.FileMode
}

func (e *ModeError) Error() string {
	return fmt.Sprintf("file mode %04o lets group or others read it; run chmod 600 %q", e.Mode, e.Path)
}
