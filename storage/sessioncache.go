package storage

import (
	"bytes"
	"sync"
	"time"
	"unicode/utf8"

	"consultbot/flows"
)

// sessionCacheMax bounds how many decoded sessions Apply keeps (a few KB
// each).
const sessionCacheMax = 4096

// sessionCache spares Apply the JSON decoding of a session it wrote itself,
// the largest CPU cost per event (docs/BENCHMARKS.md). An entry holds the
// exact bytes Apply stored and the session that decoding them gives; it is
// used only while the stored bytes are still those, so any other write
// (moderation, retention, erasure, a rolled-back batch) turns it into a
// miss, and a miss decodes as before.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	raw []byte
	s   flows.Session
}

// get returns the session stored as raw, if cached, as a copy the caller
// may change.
func (c *sessionCache) get(participant string, raw []byte) (flows.Session, bool) {
	c.mu.Lock()
	e, ok := c.m[participant]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		return flows.Session{}, false
	}
	return cloneSession(e.s), true
}

// put records that raw, just written for s's participant, decodes to what
// s gives once through JSON. A session that JSON would not give back as
// predicted (invalid UTF-8) is not kept.
func (c *sessionCache) put(raw []byte, s flows.Session) {
	// encoding/json writes each invalid UTF-8 byte as \ufffd: without one
	// in raw, every string is valid and need not be checked again.
	d, ok := roundTrip(s, bytes.Contains(raw, []byte(`\ufffd`)))
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

func (c *sessionCache) drop(participant string) {
	c.mu.Lock()
	delete(c.m, participant)
	c.mu.Unlock()
}

// cloneSession copies s so that the copy shares nothing changeable with it.
func cloneSession(s flows.Session) flows.Session {
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
	return s
}

// roundTrip returns what decodeSession gives for the JSON encoding of s,
// without the JSON: strings, ints and bools come back as they were (valid
// UTF-8 only, hence ok; checked when checkUTF8), omitted fields as zero
// values, empty maps as nil, and times as time.Time's own MarshalJSON and
// UnmarshalJSON make them (no monotonic reading, UTC, Local or a fixed
// zone). TestSessionRoundTripMatchesJSON checks it against encoding/json.
func roundTrip(s flows.Session, checkUTF8 bool) (flows.Session, bool) {
	ok := true
	str := func(v string) string {
		if checkUTF8 && !utf8.ValidString(v) {
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
		Participant: str(s.Participant),
		Lang:        str(s.Lang),
		Stage:       flows.Stage(str(string(s.Stage))),
		ConsentAt:   tmz(s.ConsentAt),
		Profile:     str(s.Profile),
		Academie:    str(s.Academie),
		Source:      str(s.Source),
		Theme:       str(s.Theme),
		Question:    str(s.Question),
		Prompt:      s.Prompt,
		Pending:     copyPending(s.Pending, str, tmz),
		CreatedAt:   tmz(s.CreatedAt),
		UpdatedAt:   tmz(s.UpdatedAt),
		Banned:      s.Banned,
		Reminders: flows.Reminders{
			OfferedAt: tmz(s.Reminders.OfferedAt), ConsentAt: tmz(s.Reminders.ConsentAt),
			WithdrawnAt: tmz(s.Reminders.WithdrawnAt), Due: tmz(s.Reminders.Due), Sent: s.Reminders.Sent,
		},
	}
	if len(s.Answers) > 0 {
		d.Answers = make(map[string]flows.Answer, len(s.Answers))
		for k, a := range s.Answers {
			r := flows.Answer{
				Theme:     str(a.Theme),
				Question:  str(a.Question),
				Text:      str(a.Text),
				Choice:    str(a.Choice),
				CreatedAt: tm(a.CreatedAt),
				UpdatedAt: tm(a.UpdatedAt),
			}
			if a.Voice != nil {
				r.Voice = &flows.Voice{FileID: str(a.Voice.FileID), Duration: a.Voice.Duration, URL: str(a.Voice.URL), Size: a.Voice.Size}
			}
			d.Answers[str(k)] = r
		}
	}
	if len(s.Confirmed) > 0 {
		d.Confirmed = make(map[string]time.Time, len(s.Confirmed))
		for k, t := range s.Confirmed {
			d.Confirmed[str(k)] = tm(t)
		}
	}
	return d, ok
}

// copyPending copies p with its strings passed through str.
func copyPending(p *flows.Pending, str func(string) string, tmz func(time.Time) time.Time) *flows.Pending {
	if p == nil {
		return nil
	}
	c := &flows.Pending{Kind: str(p.Kind), Prompt: p.Prompt, Text: str(p.Text), At: tmz(p.At), Answer: str(p.Answer), FileID: str(p.FileID)}
	for _, id := range p.Places {
		c.Places = append(c.Places, str(id))
	}
	return c
}
