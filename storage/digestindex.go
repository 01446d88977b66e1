package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"
	"unsafe"

	"consultbot/flows"
	"consultbot/storage/kv"
)

// Digest index buckets (schema version digestIndexSchema). They hold what a digest reads,
// kept up to date in the transaction that writes the answer or the session,
// so that a digest reads its period's answers and small records instead of
// decoding every answer and session of the store.
var (
	// bucketAnswersByTime maps timeKey(created, id) to a digestRow: every
	// answer by creation time, with what a digest counts and quotes. An
	// edit rewrites the entry in place (an answer keeps its creation time);
	// a removed or erased answer's entry goes with it.
	bucketAnswersByTime = []byte("answers_by_time")
	// bucketProgress maps a participant to a progressRecord: the banned
	// flag and the progress per theme, as read from the session.
	bucketProgress = []byte("progress")

	// keyIndexBuild, in bucketMeta, is present while the digest index of
	// a file written before digestIndexSchema is being built (see buildDigestIndex):
	// a phase byte and the last key done.
	keyIndexBuild = []byte("digest_index_build")
)

// digestIndexSchema is the schema version that brought the digest index:
// a file stamped with an older one is indexed when opened for writing.
const digestIndexSchema = 5

// digestRowV and progressRecordV are the first byte of a digest row and
// of a progress record. Both are binary, not JSON like the other records:
// a digest decodes one per answer and one per participant of the store (a
// million and a hundred thousand for a large consultation), and decoding
// the progress records alone as JSON took most of a daily digest's time
// (docs/BENCHMARKS.md).
//
// A version 1 progress record listed, besides the themes with an answer
// or a confirmed review, the theme of the question the participant was
// on, even one the bot had merely shown them (straight on after
// « Valider »). Version 2 lists the themes started (flows.Session
// StartedThemes) and nothing else; a version 1 record is read as the
// version 2 record of the same session, which could not say more: its
// themes with an answer or a confirmed review.
//
// Version 3 adds, after the themes, the day the participant last did
// something (a uvarint count of days since 1970-01-01 UTC, 0 when
// unknown), so that a digest tells a theme left for good from one in
// progress; it changes at most once a day per participant. A version 2
// record is read with that day unknown.
const (
	digestRowV       = 1
	progressRecordV  = 3
	progressRecordV2 = 2
	progressRecordV1 = 1
	rowVoice         = 1 << 0 // flag: the answer is a voice note
	progressBanned   = 1 << 0 // flag: the participant is banned
)

// timeKey orders answers by creation time then id. The offset by 1<<63
// sorts times before 1970 first.
func timeKey(created time.Time, id uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, timeBound(created))
	binary.BigEndian.PutUint64(k[8:], id)
	return k
}

func timeBound(t time.Time) uint64 { return uint64(t.UnixNano()) ^ 1<<63 }

// boundTime reads the time timeBound wrote in the first 8 bytes of b.
func boundTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^1<<63)).UTC()
}

// encodeDigestRow encodes what a digest reads of an answer: version, flags,
// then participant, channel, profile, académie, theme, question and text,
// each as a uvarint length and its bytes.
func encodeDigestRow(r answerRecord) []byte {
	fields := [...]string{r.Participant, r.Channel, r.Profile, r.Academie, r.Theme, r.Question, r.Text}
	n := 2
	for _, f := range fields {
		n += binary.MaxVarintLen32 + len(f)
	}
	b := make([]byte, 2, n)
	b[0] = digestRowV
	if r.Voice != nil {
		b[1] |= rowVoice
	}
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// DigestAnswer is what a digest reads of one answer: who wrote it, where,
// to which question, whether it is a voice note, when it was created and,
// when the caller asked for it, its text (a choice answer has none).
//
// Text is only valid during the call of ForEachDigestAnswer's fn that
// receives it: its memory is reused for the texts read next. Copy it
// (strings.Clone) to keep it. The other strings can be kept.
type DigestAnswer struct {
	ID          uint64
	Participant string
	Channel     string
	Profile     string
	Academie    string
	Theme       string
	Question    string
	Text        string
	Voice       bool
	CreatedAt   time.Time
}

// rowDecoder decodes digest rows, sharing the strings that repeat from row
// to row (channels, profiles, académies, themes, questions, and
// participants, who write several answers each) instead of allocating
// them each time: fewer allocations, less garbage collection, which the
// participants writing meanwhile would share.
type rowDecoder struct {
	shared, people map[string]string
	// texts holds the texts of the chunk being read (see text).
	texts []byte
	// maps and answered hold the themes of the progress records of the
	// chunk being read; the next chunk reuses them (resetProgress).
	maps     []map[string]ThemeProgress
	used     int
	answered []string
}

// themeMap returns an empty map for a progress record's themes: a reused
// one, after resetProgress.
func (d *rowDecoder) themeMap(n int) map[string]ThemeProgress {
	if d.used < len(d.maps) {
		m := d.maps[d.used]
		clear(m)
		d.used++
		return m
	}
	m := make(map[string]ThemeProgress, n)
	d.maps = append(d.maps, m)
	d.used++
	return m
}

// resetProgress lets the next progress records reuse the previous chunk's
// maps and lists.
func (d *rowDecoder) resetProgress() {
	d.used = 0
	clear(d.answered)
	d.answered = d.answered[:0]
}

// text returns b as a string kept in the decoder's text buffer, which the
// next chunk reuses (resetTexts): a digest that reads a million texts
// then leaves no garbage per text. The string is valid until then only,
// as ForEachDigestAnswer says.
func (d *rowDecoder) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(d.texts)-len(d.texts) < len(b) {
		// A larger buffer for the rest of the chunk and the next ones;
		// the texts already handed out keep the old one.
		d.texts = make([]byte, 0, max(2*cap(d.texts), len(b), 64<<10))
	}
	n := len(d.texts)
	d.texts = append(d.texts, b...)
	return unsafe.String(&d.texts[n], len(b))
}

// resetTexts lets the next texts overwrite the previous chunk's.
func (d *rowDecoder) resetTexts() { d.texts = d.texts[:0] }

// Bounds of what a rowDecoder shares: beyond them strings are allocated
// as they come. A participant costs about 100 bytes.
const (
	maxShared = 4096
	maxPeople = 1 << 18
)

func (d *rowDecoder) share(b []byte) string { return intern(d.shared, b, maxShared) }

func intern(m map[string]string, b []byte, limit int) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(m) < limit {
		m[s] = s
	}
	return s
}

// decode decodes the row v stored under k, with its text when withText.
func (d *rowDecoder) decode(k, v []byte, withText bool) (DigestAnswer, error) {
	if len(k) != 16 {
		return DigestAnswer{}, fmt.Errorf("time index key %x is corrupt", k)
	}
	if len(v) < 2 || v[0] != digestRowV {
		return DigestAnswer{}, fmt.Errorf("time index entry %x: unknown row version", k)
	}
	a := DigestAnswer{
		ID:        binary.BigEndian.Uint64(k[8:]),
		Voice:     v[1]&rowVoice != 0,
		CreatedAt: boundTime(k),
	}
	rest := v[2:]
	for i, f := range [...]*string{&a.Participant, &a.Channel, &a.Profile, &a.Academie, &a.Theme, &a.Question, &a.Text} {
		n, size := binary.Uvarint(rest)
		if size <= 0 || n > uint64(len(rest)-size) {
			return DigestAnswer{}, fmt.Errorf("time index entry %x is corrupt", k)
		}
		field := rest[size : size+int(n)]
		rest = rest[size+int(n):]
		switch i {
		case 0:
			*f = intern(d.people, field, maxPeople)
		case 6:
			if withText {
				*f = d.text(field)
			}
		default:
			*f = d.share(field)
		}
	}
	return a, nil
}

// indexAnswerTx writes r's digest row. prev is the record r replaces, if
// any: its row goes first when its creation time differs. The digest
// parts of both creation times go too (see bucketDigestParts).
func indexAnswerTx(tx kv.Tx, prev []byte, r answerRecord) error {
	b := tx.Bucket(bucketAnswersByTime)
	if prev != nil {
		created, id, err := recordTime(prev)
		if err != nil {
			return err
		}
		if id != r.ID || !created.Equal(r.CreatedAt) {
			if err := b.Delete(timeKey(created, id)); err != nil {
				return fmt.Errorf("delete time index entry: %w", err)
			}
			if err := dropDigestPartTx(tx, created); err != nil {
				return err
			}
		}
	}
	if err := dropDigestPartTx(tx, r.CreatedAt); err != nil {
		return err
	}
	if err := b.Put(timeKey(r.CreatedAt, r.ID), encodeDigestRow(r)); err != nil {
		return fmt.Errorf("put time index entry: %w", err)
	}
	return nil
}

// unindexAnswerTx deletes the digest row of the stored answer record v,
// which is being deleted, and the digest part of its creation time.
func unindexAnswerTx(tx kv.Tx, v []byte) error {
	created, id, err := recordTime(v)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketAnswersByTime).Delete(timeKey(created, id)); err != nil {
		return fmt.Errorf("delete time index entry: %w", err)
	}
	return dropDigestPartTx(tx, created)
}

// recordTime reads the id and creation time of a stored answer record,
// which key its digest row.
func recordTime(v []byte) (time.Time, uint64, error) {
	var r struct {
		ID        uint64    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return time.Time{}, 0, fmt.Errorf("decode answer: %w", err)
	}
	return r.CreatedAt, r.ID, nil
}

// progressRecord is what a digest reads of a session (see Progress),
// stored under the participant as version, flags, the number of themes,
// then per theme its id, a state byte (1 confirmed, 2 gone through but not
// confirmed, 3 confirmed while some of its questions were never asked, 0
// none of these: a program that only knows 0 and 1 reads 2 and 3 as
// unconfirmed, which they are not as complete), the current question and
// the questions answered (strings as a uvarint length and their bytes),
// then the day of the last action.
type progressRecord struct {
	Banned bool
	Themes map[string]themeProgressRecord
	// ActiveDay is the day of the participant's last action (days since
	// the epoch, UTC; 0: unknown).
	ActiveDay uint64
}

type themeProgressRecord struct {
	Answered    []string
	Confirmed   bool
	WentThrough bool
	Unasked     bool
	Current     string
}

// States of a theme in a progress record.
const (
	themeConfirmed        = 1
	themeWentThrough      = 2
	themeConfirmedUnasked = 3
)

func (p progressRecord) encode() []byte {
	b := []byte{progressRecordV, 0}
	if p.Banned {
		b[1] |= progressBanned
	}
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	ids := slices.Sorted(maps.Keys(p.Themes))
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		tp := p.Themes[id]
		str(id)
		switch {
		case tp.Confirmed && tp.Unasked:
			b = append(b, themeConfirmedUnasked)
		case tp.Confirmed:
			b = append(b, themeConfirmed)
		case tp.WentThrough:
			b = append(b, themeWentThrough)
		default:
			b = append(b, 0)
		}
		str(tp.Current)
		b = binary.AppendUvarint(b, uint64(len(tp.Answered)))
		for _, q := range tp.Answered {
			str(q)
		}
	}
	return binary.AppendUvarint(b, p.ActiveDay)
}

// Progress is what a digest reads of a participant: whether they are
// banned, and their progress in each theme they started (see
// flows.Session.StartedThemes).
type Progress struct {
	Participant string
	Banned      bool
	// Active is the start (UTC) of the day of the participant's last
	// action; zero when unknown (a record written before it was kept).
	Active time.Time
	// Themes is keyed by theme id. From ForEachProgress, it is valid
	// during the call of its fn only.
	Themes map[string]ThemeProgress
}

// ThemeProgress is a participant's progress in one theme they started,
// possibly with no answer (every question skipped).
type ThemeProgress struct {
	// Answered lists the ids of the questions they answered, sorted.
	Answered []string
	// Confirmed is true once they confirmed the theme's review.
	Confirmed bool
	// WentThrough is true, while the theme is not confirmed, when they
	// went past its last question (answered or skipped) and stand at its
	// review, or at the next theme's first question below its recap: a
	// theme whose every question was skipped is seen, not abandoned at its
	// first question. Going elsewhere from there leaves no trace in the
	// session, so neither does it here.
	WentThrough bool
	// Unasked is true, the theme confirmed, when some of its questions
	// were never put to the person (see flows.Session.ValidatedUnasked):
	// validated, not complete.
	Unasked bool
	// Current is the question of the theme they are on, if any.
	Current string
}

// progressOf derives a session's progress record: per theme started, the
// questions answered, the review confirmed and the question they are on.
func progressOf(s flows.Session) progressRecord {
	p := progressRecord{Banned: s.Banned, ActiveDay: dayOf(s.UpdatedAt)}
	started := s.StartedThemes() // every theme answered or confirmed too
	if len(started) == 0 {
		return p
	}
	p.Themes = make(map[string]themeProgressRecord, len(started))
	for id := range started {
		p.Themes[id] = themeProgressRecord{}
	}
	for _, a := range s.Answers {
		tp := p.Themes[a.Theme]
		tp.Answered = append(tp.Answered, a.Question)
		p.Themes[a.Theme] = tp
	}
	for id := range s.Confirmed {
		tp := p.Themes[id]
		tp.Confirmed = true
		tp.Unasked = s.ValidatedUnasked(id)
		p.Themes[id] = tp
	}
	if tp, ok := p.Themes[s.Theme]; ok && (s.Stage == flows.StageQuestion || s.Stage == flows.StageEdit) {
		tp.Current = s.Question
		p.Themes[s.Theme] = tp
	}
	// Past a theme's last question: at its review, or below its recap.
	through := []string{s.Reviewed}
	if s.Stage == flows.StageReview {
		through = append(through, s.Theme)
	}
	for _, id := range through {
		if tp, ok := p.Themes[id]; ok && !tp.Confirmed {
			tp.WentThrough = true
			p.Themes[id] = tp
		}
	}
	for _, tp := range p.Themes {
		slices.Sort(tp.Answered) // sorts the shared backing array in place
	}
	return p
}

// dayOf is t's day as days since the epoch, UTC; 0 for a zero t.
func dayOf(t time.Time) uint64 {
	if t.IsZero() || t.Unix() < 0 {
		return 0
	}
	return uint64(t.Unix() / 86400)
}

// dayStart is the start of day, from dayOf; zero for 0.
func dayStart(day uint64) time.Time {
	if day == 0 {
		return time.Time{}
	}
	return time.Unix(int64(day)*86400, 0).UTC()
}

func (p progressRecord) equal(o progressRecord) bool {
	if p.Banned != o.Banned || p.ActiveDay != o.ActiveDay || len(p.Themes) != len(o.Themes) {
		return false
	}
	for id, tp := range p.Themes {
		op, ok := o.Themes[id]
		if !ok || tp.Confirmed != op.Confirmed || tp.WentThrough != op.WentThrough || tp.Unasked != op.Unasked || tp.Current != op.Current || !slices.Equal(tp.Answered, op.Answered) {
			return false
		}
	}
	return true
}

func (p progressRecord) view(participant string) Progress {
	v := Progress{Participant: participant, Banned: p.Banned, Active: dayStart(p.ActiveDay)}
	if len(p.Themes) > 0 {
		v.Themes = make(map[string]ThemeProgress, len(p.Themes))
		for id, tp := range p.Themes {
			v.Themes[id] = ThemeProgress(tp)
		}
	}
	return v
}

// putProgressTx stores next's progress record when it differs from old's,
// the session it replaces (a zero session for a newcomer).
func putProgressTx(tx kv.Tx, old, next flows.Session) error {
	rec := progressOf(next)
	if rec.equal(progressOf(old)) {
		return nil
	}
	if old.Banned != next.Banned {
		if err := dropParticipantPartsTx(tx, next.Participant); err != nil {
			return err
		}
	}
	return writeProgressTx(tx, next.Participant, rec)
}

// writeProgressTx stores rec, or deletes the participant's record when rec
// says nothing (not banned, no theme started): a digest reads only the
// participants it has something to count for.
func writeProgressTx(tx kv.Tx, participant string, rec progressRecord) error {
	if !rec.Banned && len(rec.Themes) == 0 {
		if err := tx.Bucket(bucketProgress).Delete([]byte(participant)); err != nil {
			return fmt.Errorf("delete progress: %w", err)
		}
		return nil
	}
	if err := tx.Bucket(bucketProgress).Put([]byte(participant), rec.encode()); err != nil {
		return fmt.Errorf("put progress: %w", err)
	}
	return nil
}

// decodeProgress decodes the progress record v of participant k.
func (d *rowDecoder) decodeProgress(k, v []byte) (Progress, error) {
	bad := func() (Progress, error) { return Progress{}, fmt.Errorf("progress of %q is corrupt", k) }
	if len(v) < 2 || (v[0] != progressRecordV && v[0] != progressRecordV2 && v[0] != progressRecordV1) {
		return Progress{}, fmt.Errorf("progress of %q: unknown record version", k)
	}
	p := Progress{Participant: string(k), Banned: v[1]&progressBanned != 0}
	rest := v[2:]
	num := func() (int, bool) {
		n, size := binary.Uvarint(rest)
		if size <= 0 || n > uint64(len(rest)) {
			return 0, false
		}
		rest = rest[size:]
		return int(n), true
	}
	str := func() (string, bool) {
		n, ok := num()
		if !ok || n > len(rest) {
			return "", false
		}
		s := d.share(rest[:n])
		rest = rest[n:]
		return s, true
	}
	themes, ok := num()
	if !ok {
		return bad()
	}
	if themes > 0 {
		p.Themes = d.themeMap(themes)
	}
	for range themes {
		id, ok := str()
		if !ok || len(rest) == 0 {
			return bad()
		}
		tp := ThemeProgress{Confirmed: rest[0] == themeConfirmed || rest[0] == themeConfirmedUnasked,
			WentThrough: rest[0] == themeWentThrough, Unasked: rest[0] == themeConfirmedUnasked}
		rest = rest[1:]
		if tp.Current, ok = str(); !ok {
			return bad()
		}
		n, ok := num()
		if !ok {
			return bad()
		}
		start := len(d.answered)
		for range n {
			q, ok := str()
			if !ok {
				return bad()
			}
			d.answered = append(d.answered, q)
		}
		if n > 0 {
			tp.Answered = d.answered[start:len(d.answered):len(d.answered)]
		}
		if v[0] == progressRecordV1 && len(tp.Answered) == 0 && !tp.Confirmed {
			continue // only shown, as far as a version 1 record can tell
		}
		p.Themes[id] = tp
	}
	if v[0] == progressRecordV {
		day, size := binary.Uvarint(rest)
		if size <= 0 {
			return bad()
		}
		rest = rest[size:]
		p.Active = dayStart(day)
	}
	if len(rest) != 0 {
		return bad()
	}
	if len(p.Themes) == 0 {
		p.Themes = nil
	}
	return p, nil
}

// Phases of buildDigestIndex, the first byte of keyIndexBuild.
const (
	buildAnswers  = 'a'
	buildSessions = 's'
)

// defaultIndexBuildChunk is how many records one transaction of
// buildDigestIndex indexes: each commit stays small, and a kill loses at
// most one chunk of work, which the next Open redoes.
const defaultIndexBuildChunk = 20_000

// startDigestIndex, in Open's schema transaction, marks a file written
// before digestIndexSchema for buildDigestIndex. A new file has nothing to index.
func startDigestIndex(tx kv.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keySchema); len(v) == 8 && binary.BigEndian.Uint64(v) >= digestIndexSchema {
		return nil // built, or being built (keyIndexBuild says which)
	}
	if k, _ := tx.Bucket(bucketAnswers).Cursor().First(); k == nil {
		if k, _ := tx.Bucket(bucketSessions).Cursor().First(); k == nil {
			return nil
		}
	}
	return meta.Put(keyIndexBuild, []byte{buildAnswers})
}

// buildDigestIndex builds the digest index of a file written before
// digestIndexSchema: the time index from the answers, then the progress records from the
// sessions, in transactions of indexBuildChunk records. The schema version
// is already the current one, so that an older program refuses the half-built file; the
// marker keyIndexBuild says where to resume after a kill, and goes in the
// last transaction. Until then, reads fall back to the answers and
// sessions themselves (see digestIndexReady).
func buildDigestIndex(store kv.Backend, chunk int) error {
	for {
		done := false
		err := store.Update(func(tx kv.Tx) error {
			done = false
			meta := tx.Bucket(bucketMeta)
			mark := meta.Get(keyIndexBuild)
			if len(mark) == 0 {
				done = true
				return nil
			}
			phase, after := mark[0], mark[1:]
			src, next := bucketAnswers, []byte{buildSessions}
			if phase == buildSessions {
				src, next = bucketSessions, nil
			}
			c := tx.Bucket(src).Cursor()
			k, v := firstAfter(c, after)
			var last []byte
			for n := 0; k != nil && n < chunk; k, v = c.Next() {
				if err := indexRecordTx(tx, phase, k, v); err != nil {
					return err
				}
				last = k
				n++
			}
			switch {
			case k != nil:
				return meta.Put(keyIndexBuild, append([]byte{phase}, last...))
			case next != nil:
				return meta.Put(keyIndexBuild, next)
			default:
				return meta.Delete(keyIndexBuild)
			}
		})
		if err != nil {
			return fmt.Errorf("build digest index: %w", err)
		}
		if done {
			return nil
		}
	}
}

func indexRecordTx(tx kv.Tx, phase byte, k, v []byte) error {
	if phase == buildAnswers {
		r, err := decodeAnswer(v)
		if err != nil {
			return fmt.Errorf("answer %s: %w", k, err)
		}
		return indexAnswerTx(tx, nil, r)
	}
	r, err := loadSessionTx(tx, string(k), v)
	if err != nil {
		return fmt.Errorf("participant %q: %w", k, err)
	}
	return writeProgressTx(tx, string(k), progressOf(r.Session))
}

// digestIndexReady reports whether the digest index can be read: the file
// is of digestIndexSchema or later and its index is built. A file opened read-only
// before a writer migrated it is read the slow way.
func digestIndexReady(tx kv.Tx) bool {
	meta := tx.Bucket(bucketMeta)
	v := meta.Get(keySchema)
	return len(v) == 8 && binary.BigEndian.Uint64(v) >= digestIndexSchema && meta.Get(keyIndexBuild) == nil &&
		tx.Bucket(bucketAnswersByTime) != nil && tx.Bucket(bucketProgress) != nil
}

// digestChunk is how many times Options.ExportChunk rows of the time index
// a read transaction of ForEachDigestAnswer reads: a row without its text
// is a tenth of an answer record, and fewer transactions cost less.
const digestChunk = 4

// ForEachDigestAnswer calls fn for every answer created before until
// (every answer when until is zero), oldest first, with its text only when
// it was created at or after since: a digest quotes the answers of its
// period and only counts the older ones. fn must copy the text of what it
// keeps (see DigestAnswer). It reads 4×Options.ExportChunk
// answers per read transaction from the time index and calls fn outside of
// it, so that participants keep writing meanwhile. A file whose index is
// not built (an older file opened read-only) is read from the answers
// themselves, in key order. An error from fn stops the walk and is
// returned as is.
//
// The texts of the answers created in the periods noText (sorted, not
// overlapping) are not read: a digest that has their digest parts (see
// ForEachDigestPart) only counts those answers.
func (db *DB) ForEachDigestAnswer(ctx context.Context, since, until time.Time, noText []Span, fn func(DigestAnswer) error) error {
	ready, err := db.digestIndexReady()
	if err != nil {
		return err
	}
	const what = "read answers by time"
	if !ready {
		return walkRange(ctx, db, bucketAnswers, nil, nil, what, func(_ kv.Tx, k, v []byte) (DigestAnswer, bool, error) {
			r, err := decodeAnswer(v)
			if err != nil {
				return DigestAnswer{}, false, fmt.Errorf("answer %s: %w", k, err)
			}
			if !until.IsZero() && !r.CreatedAt.Before(until) {
				return DigestAnswer{}, false, nil
			}
			a := DigestAnswer{ID: r.ID, Participant: r.Participant, Channel: r.Channel, Profile: r.Profile,
				Academie: r.Academie, Theme: r.Theme, Question: r.Question, Voice: r.Voice != nil, CreatedAt: r.CreatedAt}
			if (since.IsZero() || !r.CreatedAt.Before(since)) && !inSpans(noText, r.CreatedAt) {
				a.Text = r.Text
			}
			return a, true, nil
		}, fn)
	}
	var to, textFrom []byte
	if !until.IsZero() {
		to = timeKey(until, 0)
	}
	if !since.IsZero() {
		textFrom = timeKey(since, 0)
	}
	d := rowDecoder{shared: map[string]string{}, people: map[string]string{}}
	return walkRangeBy(ctx, db, digestChunk*db.opts.ExportChunk, bucketAnswersByTime, nil, to, what, d.resetTexts, func(_ kv.Tx, k, v []byte) (DigestAnswer, bool, error) {
		withText := textFrom == nil || bytes.Compare(k, textFrom) >= 0
		if withText && len(noText) > 0 && len(k) == 16 {
			withText = !inSpans(noText, boundTime(k))
		}
		a, err := d.decode(k, v, withText)
		return a, true, err
	}, fn)
}

// ForEachProgress calls fn for every participant who started a theme or
// is banned, with what a digest reads of their session, in chunks like
// ForEachDigestAnswer. A file whose index is not built is read from the
// sessions themselves. Like a DigestAnswer's text, a Progress's Themes
// (and their Answered lists) are valid during the call of fn only: the
// next records reuse them. The strings can be kept.
func (db *DB) ForEachProgress(ctx context.Context, fn func(Progress) error) error {
	ready, err := db.digestIndexReady()
	if err != nil {
		return err
	}
	const what = "read progress"
	if !ready {
		return walkRange(ctx, db, bucketSessions, nil, nil, what, func(tx kv.Tx, k, v []byte) (Progress, bool, error) {
			r, err := loadSessionTx(tx, string(k), v)
			s := r.Session
			if err != nil {
				return Progress{}, false, fmt.Errorf("participant %q: %w", k, err)
			}
			p := progressOf(s)
			return p.view(string(k)), p.Banned || len(p.Themes) > 0, nil
		}, fn)
	}
	d := rowDecoder{shared: map[string]string{}}
	return walkRangeBy(ctx, db, db.opts.ExportChunk, bucketProgress, nil, nil, what, d.resetProgress, func(_ kv.Tx, k, v []byte) (Progress, bool, error) {
		p, err := d.decodeProgress(k, v)
		return p, true, err
	}, fn)
}

func (db *DB) digestIndexReady() (bool, error) {
	var ready bool
	err := db.view(func(tx kv.Tx) error {
		ready = digestIndexReady(tx)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("digest index: %w", err)
	}
	return ready, nil
}

// CheckDigestIndex verifies that the digest index says what the answers
// and sessions say: one time index entry per answer, equal to what the
// answer gives, and one progress record per session that has one. It
// reads the whole file in one read transaction: for tests, the SIGKILL
// soak and diagnostics, not for a running bot's hot path.
func (db *DB) CheckDigestIndex() error {
	return db.view(func(tx kv.Tx) error {
		if !digestIndexReady(tx) {
			return errors.New("digest index: not built")
		}
		var errs []error
		rows := 0
		err := tx.Bucket(bucketAnswers).ForEach(func(k, v []byte) error {
			r, err := decodeAnswer(v)
			if err != nil {
				return err
			}
			rows++
			got := tx.Bucket(bucketAnswersByTime).Get(timeKey(r.CreatedAt, r.ID))
			if !bytes.Equal(got, encodeDigestRow(r)) {
				errs = append(errs, fmt.Errorf("answer %s (id %d): time index entry %q, want %q", k, r.ID, got, encodeDigestRow(r)))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := countKeys(tx.Bucket(bucketAnswersByTime)); n != rows {
			errs = append(errs, fmt.Errorf("time index has %d entries for %d answers", n, rows))
		}
		records := 0
		err = tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			r, err := loadSessionTx(tx, string(k), v)
			if err != nil {
				return err
			}
			want := progressOf(r.Session)
			got := tx.Bucket(bucketProgress).Get(k)
			d := rowDecoder{shared: map[string]string{}}
			if !want.Banned && len(want.Themes) == 0 {
				if got == nil {
					return nil
				}
				// A version 1 record may say only the question a
				// participant was shown: it reads as none.
				if p, err := d.decodeProgress(k, got); err != nil || p.Banned || len(p.Themes) > 0 {
					errs = append(errs, fmt.Errorf("participant %q: progress %s, want none", k, got))
				}
				records++
				return nil
			}
			records++
			p, err := d.decodeProgress(k, got)
			wantView := want.view(string(k))
			if len(got) > 0 && got[0] < progressRecordV {
				// Written before the day of the last action was kept:
				// it is read as unknown until the session next changes.
				wantView.Active = time.Time{}
			}
			if err != nil || !reflect.DeepEqual(p, wantView) {
				errs = append(errs, fmt.Errorf("participant %q: progress %s, want %+v (%v)", k, got, want, err))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := countKeys(tx.Bucket(bucketProgress)); n != records {
			errs = append(errs, fmt.Errorf("%d progress records for %d participants with progress", n, records))
		}
		return errors.Join(errs...)
	})
}

// inSpans reports whether t lies in one of spans, sorted and not
// overlapping.
func inSpans(spans []Span, t time.Time) bool {
	i, _ := slices.BinarySearchFunc(spans, t, func(s Span, t time.Time) int {
		if !s.End.After(t) {
			return -1
		}
		if s.Start.After(t) {
			return 1
		}
		return 0
	})
	return i < len(spans) && !spans[i].Start.After(t) && spans[i].End.After(t)
}
