package storage

import (
	"bytes"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"consultbot/flows"
)

// sessionCacheMax bounds how many decoded sessions Apply keeps (a few KB
// each).
const sessionCacheMax = 4096

// sessionCache spares Apply the loading of a session it wrote itself: the
// JSON decoding of its record and of each of its answers (docs/BENCHMARKS.md).
// An entry holds the exact bytes Apply stored as the session record and the
// session that loading them gives, answers included; it is used only while
// the stored bytes are still those, so any other write of the record
// (moderation, retention, erasure, a rolled-back batch) turns it into a
// miss, and a miss loads as before. The answers are not in the record, but
// they change only with it (see bucketSessions).
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	raw []byte
	s   flows.Session
}

// get returns the session stored as raw, if cached. The session shares its
// maps and voice notes with the cache: the caller must not change them
// (cloneSession gives a copy that it may change).
func (c *sessionCache) get(participant string, raw []byte) (flows.Session, bool) {
	c.mu.Lock()
	e, ok := c.m[participant]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		return flows.Session{}, false
	}
	return e.s, true
}

// latest returns the record Apply last committed for participant and its
// session, if cached, whatever is stored now: Apply steps on it outside
// the transaction, and keeps the result only if the stored bytes are still
// raw. The caller must not change the session.
func (c *sessionCache) latest(participant string) (raw []byte, s flows.Session, ok bool) {
	c.mu.Lock()
	e, ok := c.m[participant]
	c.mu.Unlock()
	return e.raw, e.s, ok
}

// committed records the run Apply just committed (nil: nothing changed).
func (c *sessionCache) committed(s *stepped) {
	switch {
	case s == nil:
	case erased(s.next):
		c.drop(s.next.Participant)
	default:
		c.put(s.raw, s.old, s.next)
	}
}

// put records that raw, just written for s's participant, loads as what s
// gives once through its records, when the step that gave s started from
// old, as loaded: Apply rewrites only the answers that changed, so an
// answer s holds unchanged (equalAnswer) loads as old's. A session that
// JSON would not give back as predicted (invalid UTF-8) is not kept.
func (c *sessionCache) put(raw []byte, old, s flows.Session) {
	// encoding/json writes each invalid UTF-8 byte as \ufffd: without one
	// in raw, every string of the record is valid and need not be checked
	// again. The answers are not in raw: they are always checked.
	d, ok := roundTrip(s, bytes.Contains(raw, []byte(`\ufffd`)), old.Answers)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		delete(c.m, s.Participant)
		return
	}
	if c.m == nil {
		c.m = make(map[string]cachedSession)
	}
	if _, ok := c.m[s.Participant]; !ok && len(c.m) >= sessionCacheMax {
		for k := range c.m { // any one: a miss only costs a decode
			delete(c.m, k)
			break
		}
	}
	c.m[s.Participant] = cachedSession{raw: raw, s: d}
}

// refunded records that the session record of participant, stored as
// from, was rewritten as to with one reminder fewer counted (refundTx):
// a cached session of from is kept as to's, so that the next step starts
// from the count as stored.
func (c *sessionCache) refunded(participant string, from, to []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[participant]
	if !ok || !bytes.Equal(e.raw, from) {
		return
	}
	e.s.Reminders.Sent--
	c.m[participant] = cachedSession{raw: to, s: e.s}
}

func (c *sessionCache) drop(participant string) {
	c.mu.Lock()
	delete(c.m, participant)
	c.mu.Unlock()
}

// cloneSession copies s so that the copy shares nothing changeable with it.
func cloneSession(s flows.Session) flows.Session {
	if s.Pending != nil {
		p := *s.Pending
		p.Places = slices.Clone(p.Places)
		s.Pending = &p
	}
	if s.Answers != nil {
		m := make(map[string]flows.Answer, len(s.Answers))
		for k, a := range s.Answers {
			if a.Voice != nil {
				v := *a.Voice
				a.Voice = &v
			}
			m[k] = a
		}
		s.Answers = m
	}
	if s.Confirmed != nil {
		m := make(map[string]time.Time, len(s.Confirmed))
		for k, t := range s.Confirmed {
			m[k] = t
		}
		s.Confirmed = m
	}
	if s.Started != nil {
		m := make(map[string]time.Time, len(s.Started))
		for k, t := range s.Started {
			m[k] = t
		}
		s.Started = m
	}
	if s.Asked != nil {
		m := make(map[string]bool, len(s.Asked))
		for k, v := range s.Asked {
			m[k] = v
		}
		s.Asked = m
	}
	return s
}

// roundTrip returns what loadSessionTx gives for the records Apply writes
// for s (the session's, and one per answer), without the JSON: strings,
// ints and bools come back as they were (valid UTF-8 only, hence ok;
// checked in the session's fields when checkUTF8, in the answers always),
// omitted fields as zero values, empty maps as nil, a voice note as its
// reference and duration (what an answer record keeps), and times as
// time.Time's own MarshalJSON and UnmarshalJSON make them (no monotonic
// reading, UTC, Local or a fixed zone). An answer that loaded is given
// unchanged (equalAnswer) is taken as loaded: Apply does not rewrite it.
// TestSessionRoundTripMatchesJSON checks it against encoding/json and the
// records.
func roundTrip(s flows.Session, checkUTF8 bool, loaded map[string]flows.Answer) (flows.Session, bool) {
	ok := true
	str := func(v string) string {
		if checkUTF8 && !utf8.ValidString(v) {
			ok = false
		}
		return v
	}
	valid := func(v string) string {
		if !utf8.ValidString(v) {
			ok = false
		}
		return v
	}
	tm := func(t time.Time) time.Time {
		// At offset zero the text ends in "Z", which parses as UTC.
		if _, off := t.Zone(); off == 0 {
			if y := t.Year(); y >= 0 && y <= 9999 {
				return t.Round(0).UTC()
			}
		}
		b, err := t.MarshalJSON()
		if err != nil {
			ok = false
			return t
		}
		var d time.Time
		if err := d.UnmarshalJSON(b); err != nil {
			ok = false
		}
		return d
	}
	// omitzero fields: a zero time is left out and decodes as time.Time{}.
	tmz := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return tm(t)
	}
	d := flows.Session{
		Participant:  str(s.Participant),
		Lang:         str(s.Lang),
		LangSaid:     s.LangSaid,
		Stage:        flows.Stage(str(string(s.Stage))),
		ConsentAt:    tmz(s.ConsentAt),
		Profile:      str(s.Profile),
		Academie:     str(s.Academie),
		Source:       str(s.Source),
		Theme:        str(s.Theme),
		Question:     str(s.Question),
		Prompt:       s.Prompt,
		Tap:          str(s.Tap),
		TapAt:        tmz(s.TapAt),
		Pending:      copyPending(s.Pending, str, tmz),
		Reviewed:     str(s.Reviewed),
		Back:         flows.Stage(str(string(s.Back))),
		Held:         str(s.Held),
		HeldForMenu:  s.HeldForMenu,
		From:         str(s.From),
		FromReviewed: str(s.FromReviewed),
		CreatedAt:    tmz(s.CreatedAt),
		UpdatedAt:    tmz(s.UpdatedAt),
		Banned:       s.Banned,
		Reminders: flows.Reminders{
			OfferedAt: tmz(s.Reminders.OfferedAt), ConsentAt: tmz(s.Reminders.ConsentAt),
			WithdrawnAt: tmz(s.Reminders.WithdrawnAt), Due: tmz(s.Reminders.Due), Sent: s.Reminders.Sent,
		},
	}
	if len(s.Answers) > 0 {
		d.Answers = make(map[string]flows.Answer, len(s.Answers))
		for k, a := range s.Answers {
			if prev, was := loaded[k]; was && equalAnswer(prev, a) {
				d.Answers[k] = prev
				continue
			}
			r := flows.Answer{
				Theme:     valid(a.Theme),
				Question:  valid(a.Question),
				Text:      valid(a.Text),
				Choice:    valid(a.Choice),
				CreatedAt: tm(a.CreatedAt),
				UpdatedAt: tm(a.UpdatedAt),
			}
			if a.Voice != nil {
				r.Voice = &flows.Voice{FileID: valid(a.Voice.FileID), Duration: a.Voice.Duration}
			}
			// Loading keys each answer by its theme and question; Apply
			// refuses an answer filed under another key.
			d.Answers[flows.AnswerKey(r.Theme, r.Question)] = r
		}
	}
	if len(s.Confirmed) > 0 {
		d.Confirmed = make(map[string]time.Time, len(s.Confirmed))
		for k, t := range s.Confirmed {
			d.Confirmed[str(k)] = tm(t)
		}
	}
	if len(s.Started) > 0 {
		d.Started = make(map[string]time.Time, len(s.Started))
		for k, t := range s.Started {
			d.Started[str(k)] = tm(t)
		}
	}
	if len(s.Asked) > 0 {
		d.Asked = make(map[string]bool, len(s.Asked))
		for k, v := range s.Asked {
			d.Asked[str(k)] = v
		}
	}
	return d, ok
}

// copyPending copies p with its strings passed through str.
func copyPending(p *flows.Pending, str func(string) string, tmz func(time.Time) time.Time) *flows.Pending {
	if p == nil {
		return nil
	}
	c := &flows.Pending{Kind: str(p.Kind), Prompt: p.Prompt, Text: str(p.Text), At: tmz(p.At), Answer: str(p.Answer), FileID: str(p.FileID), Held: p.Held, Was: str(p.Was)}
	for _, id := range p.Places {
		c.Places = append(c.Places, str(id))
	}
	return c
}
