package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"consultbot/storage/kv"
)

// bucketDigestParts (schema version digestPartsSchema) maps a period
// [start, end) to a digest part: the text side of a digest of the answers
// created in it, encoded by package digest, which a digest over a longer
// period merges instead of reading those answers' texts again (see
// organiser.ComputeDigest). Keys are timeBound(end) then timeBound(start),
// big-endian, so that the one period holding a time is found with one
// Seek; periods never overlap.
//
// A value is a state byte, then for partPending the claim's token; the
// part itself is in bucketDigestPartData once done, so that the Seek
// every answer written does (dropDigestPartTx) reads small values only
// (an etcd range reads the values of the keys it returns). It is stored
// there in chunks of at most partChunk bytes, under the period's key then
// the chunk's number (a file of the first version of this layout has one
// chunk, under the period's key alone): every key beginning with the
// period's key is a chunk of its part, in order. A claimed period is pending until its part is stored; any change to what a digest reads of an answer created in a
// period (the answer written, edited, deleted or erased, hidden or shown,
// its author banned or unbanned, or correcting their profile or
// académie) deletes the period's entry, pending or
// done, in the transaction of the change (dropDigestPartTx): a part is
// stored only over its own pending claim, so a part never outlives a
// change to its answers, and nothing of an erased answer survives in one.
var (
	bucketDigestParts    = []byte("digest_parts")
	bucketDigestPartData = []byte("digest_part_data")
)

// digestPartsSchema is the schema version that brought bucketDigestParts:
// an older program would leave a part stale after a change to its answers.
const digestPartsSchema = 7

// States of a digest part entry.
const (
	partPending = 'p'
	partDone    = 'd'
)

// partChunk bounds the part data one transaction stores (see
// StoreDigestPart): a day's part of some 30,000 answers is about 1 MB,
// which in one commit held the file for long enough to delay every
// participant's write queued behind it.
const partChunk = 64 << 10

// Span is a period [Start, End) of creation times.
type Span struct{ Start, End time.Time }

// DigestPart is a stored digest part and its period.
type DigestPart struct {
	Span
	// Data is the part, as package digest encoded it.
	Data []byte
}

func partKey(s Span) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, timeBound(s.End))
	binary.BigEndian.PutUint64(k[8:], timeBound(s.Start))
	return k
}

// chunkKey is the key in bucketDigestPartData of the chunk i of the part
// whose key is key.
func chunkKey(key []byte, i int) []byte {
	return binary.BigEndian.AppendUint32(bytes.Clone(key), uint32(i))
}

// pendingValue is the value of a period claimed under token.
func pendingValue(token uint64) []byte {
	v := make([]byte, 9)
	v[0] = partPending
	binary.BigEndian.PutUint64(v[1:], token)
	return v
}

func partSpan(k []byte) (Span, bool) {
	if len(k) != 16 {
		return Span{}, false
	}
	return Span{Start: boundTime(k[8:]), End: boundTime(k[:8])}, true
}

// seekEndAfter is the key from which the periods ending after t start.
func seekEndAfter(t time.Time) []byte { return u64(timeBound(t) + 1) }

// ForEachDigestPart calls fn for every stored part whose period lies in
// [from, to) (a zero from or to: no bound on that side), in time order, one read
// transaction each; Data is a copy fn may keep.
func (db *DB) ForEachDigestPart(ctx context.Context, from, to time.Time, fn func(DigestPart) error) error {
	after := seekEndAfter(from)
	if from.IsZero() {
		after = nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read digest parts: %w", err)
		}
		var p DigestPart
		found := false
		err := db.view(func(tx kv.Tx) error {
			b := tx.Bucket(bucketDigestParts)
			if b == nil {
				return nil // an older file opened read-only
			}
			c := b.Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
			}
			for ; k != nil; k, v = c.Next() {
				s, ok := partSpan(k)
				if !ok {
					return fmt.Errorf("digest part key %x is corrupt", k)
				}
				if !to.IsZero() && s.End.After(to) {
					return nil
				}
				after = append(bytes.Clone(k), 0) // the next key on
				if len(v) == 0 || v[0] != partDone || s.Start.Before(from) {
					continue
				}
				data := readPartTx(tx, k)
				if data == nil {
					return fmt.Errorf("digest part %x has no data", k)
				}
				p, found = DigestPart{Span: s, Data: data}, true
				return nil
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read digest parts: %w", err)
		}
		if !found {
			return nil
		}
		if err := fn(p); err != nil {
			return err
		}
	}
}

// ClaimDigestParts marks the periods spans, which must not overlap, as
// pending under a new token, for StoreDigestPart: a change to one of
// their answers from now on drops the claim, and the part computed from
// answers read before that change is not stored. What was stored for
// spans or for periods overlapping them (a part that could not be read,
// another time zone's days, another digest's claim) is dropped: the
// caller claims the periods it is about to build. It claims nothing, and
// returns a zero token, on a database opened read-only.
func (db *DB) ClaimDigestParts(spans []Span) (uint64, error) {
	if len(spans) == 0 || db.readOnly() {
		return 0, nil
	}
	token := rand.Uint64() | 1
	err := db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketDigestParts)
		for _, s := range spans {
			key := partKey(s)
			c := b.Cursor()
			for k, _ := c.Seek(seekEndAfter(s.Start)); k != nil; k, _ = c.Seek(seekEndAfter(s.Start)) {
				o, ok := partSpan(k)
				if !ok || !o.Start.Before(s.End) {
					break
				}
				if err := deletePartTx(tx, c, k); err != nil {
					return err
				}
			}
			if err := b.Put(key, pendingValue(token)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("claim digest parts: %w", err)
	}
	return token, nil
}

// StoreDigestPart stores the part of s if s is still pending under token
// (see ClaimDigestParts), and reports whether it did: a change to one of
// s's answers since the claim dropped it, and the part, computed from
// what was read before, is then left out. It stores the part in chunks
// of partChunk bytes, a transaction each, shared with the participants'
// writes in flight, each checking the claim: a change meanwhile drops the
// chunks already stored with the claim, and the part is done (readable)
// with its last chunk only.
func (db *DB) StoreDigestPart(s Span, token uint64, data []byte) (bool, error) {
	if token == 0 {
		return false, nil
	}
	key, want := partKey(s), pendingValue(token)
	for i, off := 0, 0; ; i++ {
		end := min(off+partChunk, len(data))
		last := end == len(data)
		held, err := db.storePartChunk(key, want, i, data[off:end], last)
		if err != nil {
			return false, fmt.Errorf("store digest part: %w", err)
		}
		if !held || last {
			return held, nil
		}
		off = end
	}
}

// storePartChunk stores chunk i of the part of the period key if it is
// still pending as want says, and marks the part done with the last
// chunk; it reports whether the claim held.
func (db *DB) storePartChunk(key, want []byte, i int, chunk []byte, last bool) (bool, error) {
	var held bool
	err := db.write(func(tx kv.Tx) error {
		b := tx.Bucket(bucketDigestParts)
		held = bytes.Equal(b.Get(key), want)
		if !held {
			return nil
		}
		if err := tx.Bucket(bucketDigestPartData).Put(chunkKey(key, i), chunk); err != nil {
			return err
		}
		if last {
			return b.Put(key, []byte{partDone})
		}
		return nil
	})
	return held, err
}

// readPartTx returns a copy of the part whose period's key is k, its
// chunks joined, or nil when it has none. It measures them first, to
// copy each once: a whole-store digest reads some 30 MB of parts.
func readPartTx(tx kv.Tx, k []byte) []byte {
	c := tx.Bucket(bucketDigestPartData).Cursor()
	n, found := 0, false
	for ck, cv := c.Seek(k); ck != nil && bytes.HasPrefix(ck, k); ck, cv = c.Next() {
		n, found = n+len(cv), true
	}
	if !found {
		return nil
	}
	data := make([]byte, 0, n)
	for ck, cv := c.Seek(k); ck != nil && bytes.HasPrefix(ck, k); ck, cv = c.Next() {
		data = append(data, cv...)
	}
	return data
}

// DigestPartSpans returns the periods within [from, to) (a zero from: no
// bound) that have a stored part, in time order, reading no part: what a
// digest over [from, to) would merge.
func (db *DB) DigestPartSpans(from, to time.Time) ([]Span, error) {
	var out []Span
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketDigestParts)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.First()
		if !from.IsZero() {
			k, v = c.Seek(seekEndAfter(from))
		}
		for ; k != nil; k, v = c.Next() {
			s, ok := partSpan(k)
			if !ok {
				return fmt.Errorf("digest part key %x is corrupt", k)
			}
			if s.End.After(to) {
				return nil
			}
			if len(v) > 0 && v[0] == partDone && !s.Start.Before(from) {
				out = append(out, s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list digest parts: %w", err)
	}
	return out, nil
}

// FirstDigestAnswer returns the creation time of the oldest answer, or
// false when there is none or the digest index is not built.
func (db *DB) FirstDigestAnswer() (time.Time, bool, error) {
	var first time.Time
	var ok bool
	err := db.view(func(tx kv.Tx) error {
		if !digestIndexReady(tx) {
			return nil
		}
		k, _ := tx.Bucket(bucketAnswersByTime).Cursor().First()
		if len(k) == 16 {
			first, ok = boundTime(k), true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("first answer: %w", err)
	}
	return first, ok, nil
}

// dropDigestPartTx deletes the entry, pending or done, of the period
// holding t, an answer's creation time: what a digest reads of that
// answer is changing in tx. One Seek in a small bucket when there is
// none: the cost every answer written pays.
func dropDigestPartTx(tx kv.Tx, t time.Time) error {
	b := tx.Bucket(bucketDigestParts)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	k, _ := c.Seek(seekEndAfter(t))
	if k == nil {
		return nil
	}
	if s, ok := partSpan(k); !ok || s.Start.After(t) {
		return nil
	}
	if err := deletePartTx(tx, c, k); err != nil {
		return fmt.Errorf("drop digest part: %w", err)
	}
	return nil
}

// deletePartTx deletes the entry the cursor c of bucketDigestParts is on,
// whose key is k, and the chunks of its part.
func deletePartTx(tx kv.Tx, c kv.Cursor, k []byte) error {
	k = bytes.Clone(k)
	dc := tx.Bucket(bucketDigestPartData).Cursor()
	for ck, _ := dc.Seek(k); ck != nil && bytes.HasPrefix(ck, k); ck, _ = dc.Seek(k) {
		if err := dc.Delete(); err != nil {
			return err
		}
	}
	return c.Delete()
}

// dropParticipantPartsTx drops the periods of every answer of participant,
// whose banned flag is changing in tx.
func dropParticipantPartsTx(tx kv.Tx, participant string) error {
	answers := tx.Bucket(bucketAnswers)
	prefix := []byte(participant + sep)
	c := tx.Bucket(bucketAnswersByParticipant).Cursor()
	for k, iv := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, iv = c.Next() {
		if len(iv) < 8 {
			continue
		}
		v := answers.Get(iv[8:])
		if v == nil {
			continue
		}
		created, _, err := recordTime(v)
		if err != nil {
			return err
		}
		if err := dropDigestPartTx(tx, created); err != nil {
			return err
		}
	}
	return nil
}
