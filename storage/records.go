package storage

import (
	"encoding/json"
	"fmt"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// Record versions. A record with a higher V than known is refused, so an
// older program never rewrites what it cannot read.
const (
	// sessionRecordV is 2 for a session stored without its answers,
	// which live in bucketAnswers only (see loadSessionTx); version 1
	// carried a copy of every answer, rewritten at every event.
	sessionRecordV = 2
	answerRecordV  = 1
	// outgoingRecordV is 2 for an entry that carries what version 1 did
	// not know (a picture, markup, plain texts, a redirect), 3 for one
	// whose reply carries a recap (version 2 did not know it), so that an
	// older program refuses it instead of sending it half; the other
	// entries keep the lowest version that holds them.
	outgoingRecordV = 3
)

// sessionRecord is how a session is stored under its participant. From
// version 2 its Session has no Answers: they are read from bucketAnswers
// through the participant index when the session is loaded.
type sessionRecord struct {
	V int `json:"v"`
	// Stamp is new at each write of the record (version 2; see
	// DB.stamps), so that each write changes its bytes, even when only
	// the answers changed: sessionCache relies on it.
	Stamp   uint64        `json:"stamp,omitempty"`
	Session flows.Session `json:"session"`
}

// encodeSession returns the record of s, without its answers, stamped.
func encodeSession(s flows.Session, stamp uint64) ([]byte, error) {
	s.Answers = nil
	b, err := json.Marshal(sessionRecord{V: sessionRecordV, Stamp: stamp, Session: s})
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return b, nil
}

// answerRecord is how an answer is stored under theme/question/participant.
// It carries the participant's details so that an export reads one bucket:
// their profile and académie as they stand (a correction rewrites every
// answer of theirs, see relabelAnswerTx), the rest as at the time of
// writing.
type answerRecord struct {
	V           int    `json:"v"`
	ID          uint64 `json:"id"`
	Participant string `json:"participant"`
	Channel     string `json:"channel"`
	Profile     string `json:"profile,omitempty"`
	Academie    string `json:"academie,omitempty"`
	Source      string `json:"source,omitempty"`
	// Lang is the language the participant was using when they gave or
	// last edited the answer; empty in records written before it was kept.
	Lang      string       `json:"lang,omitempty"`
	Theme     string       `json:"theme"`
	Question  string       `json:"question"`
	Text      string       `json:"text,omitempty"`
	Choice    string       `json:"choice,omitempty"`
	Voice     *voiceRecord `json:"voice,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

type voiceRecord struct {
	FileID   string `json:"file_id"`
	Duration int    `json:"duration"`
}

// replyRecord mirrors flows.Reply so that a change to the domain type does
// not silently change what the outbox holds.
type replyRecord struct {
	Lead    string         `json:"lead,omitempty"`
	Title   string         `json:"title,omitempty"`
	Text    string         `json:"text,omitempty"`
	Options []optionRecord `json:"options,omitempty"`
	Expect  string         `json:"expect,omitempty"`
	Field   string         `json:"field,omitempty"`
	MaxLen  int            `json:"max_len,omitempty"`
	// Hint says what to type at the prompt (flows.Reply.Hint).
	Hint string `json:"hint,omitempty"`
	// Lang is the language of a reply that waits for text (flows.Reply.Lang).
	Lang string `json:"lang,omitempty"`
	// Document is the participant's data file: it stays in the outbox
	// only until delivered, like the text.
	Document *documentRecord `json:"document,omitempty"`
	// Replaces: the reply takes the tapped message's place (an edit of
	// the message named by the address), also when sent after a restart.
	Replaces bool `json:"replaces,omitempty"`
	// Recap is shown above the prompt (flows.Reply.Recap).
	Recap *recapRecord `json:"recap,omitempty"`
}

type recapRecord struct {
	Title string `json:"title,omitempty"`
	Text  string `json:"text,omitempty"`
}

type documentRecord struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Data []byte `json:"data"`
}

type optionRecord struct {
	Token string `json:"token"`
	Label string `json:"label"`
}

// outgoingRecord is how an outbox entry is stored under its sequence.
type outgoingRecord struct {
	V           int         `json:"v"`
	Channel     string      `json:"channel"`
	Address     string      `json:"address"`
	Participant string      `json:"participant"`
	EventID     string      `json:"event_id"`
	Reply       replyRecord `json:"reply"`
	CreatedAt   time.Time   `json:"created_at"`
	// Version 2.
	Image   *imageRecord    `json:"image,omitempty"`
	Markup  []string        `json:"markup,omitempty"`
	Plain   []string        `json:"plain,omitempty"`
	Instead *redirectRecord `json:"instead,omitempty"`
	// Low: a reminder or an announcement, for the low-priority lane.
	Low bool `json:"low,omitempty"`
	// Once: a reminder, sent at most once; Claimed: it (or an
	// announcement) was handed to the platform (bot.Claims), with the
	// adapter's ClaimNote. An older program ignores them and sends it at
	// least once, as it did.
	Once      bool   `json:"once,omitempty"`
	Claimed   bool   `json:"claimed,omitempty"`
	ClaimNote string `json:"claim_note,omitempty"`
	// Index: the reply's place among its event's (bot.Outgoing.Index).
	Index int `json:"index,omitempty"`
	// After, on a reminder, is the stamp of its person's session record
	// as the reminder's step wrote it: a record stamped otherwise when the
	// reminder is about to leave means that the person acted since, and
	// Claim drops it. Zero: not known (written by an older program). An
	// older program ignores it and sends the reminder, as it did.
	After uint64 `json:"after,omitempty"`
}

type imageRecord struct {
	Name    string `json:"name"`
	Data    []byte `json:"data,omitempty"`
	Caption string `json:"caption,omitempty"`
	Note    string `json:"note,omitempty"`
}

type redirectRecord struct {
	Address string `json:"address"`
	Text    string `json:"text"`
}

// decodeSession decodes a session record as stored: a version 1 record
// comes with its answers, a version 2 record without (loadSessionTx adds
// them). Callers that need the answers use loadSessionTx.
func decodeSession(b []byte) (sessionRecord, error) {
	var r sessionRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return sessionRecord{}, fmt.Errorf("decode session: %w", err)
	}
	if r.V > sessionRecordV {
		return sessionRecord{}, fmt.Errorf("decode session: record version %d is newer than %d", r.V, sessionRecordV)
	}
	if r.V >= 2 {
		// Whatever the record says, the answers are the bucket's.
		r.Session.Answers = nil
	}
	return r, nil
}

func decodeAnswer(b []byte) (answerRecord, error) {
	var r answerRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return answerRecord{}, fmt.Errorf("decode answer: %w", err)
	}
	if r.V > answerRecordV {
		return answerRecord{}, fmt.Errorf("decode answer: record version %d is newer than %d", r.V, answerRecordV)
	}
	return r, nil
}

func decodeOutgoing(seq uint64, b []byte) (bot.Outgoing, error) {
	var r outgoingRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return bot.Outgoing{}, fmt.Errorf("decode outbox entry %d: %w", seq, err)
	}
	if r.V > outgoingRecordV {
		return bot.Outgoing{}, fmt.Errorf("decode outbox entry %d: record version %d is newer than %d", seq, r.V, outgoingRecordV)
	}
	out := bot.Outgoing{
		Seq:         seq,
		Channel:     r.Channel,
		Address:     r.Address,
		Participant: r.Participant,
		EventID:     r.EventID,
		CreatedAt:   r.CreatedAt,
		Reply: flows.Reply{
			Lead:     r.Reply.Lead,
			Title:    r.Reply.Title,
			Text:     r.Reply.Text,
			Expect:   flows.Expect(r.Reply.Expect),
			Field:    r.Reply.Field,
			MaxLen:   r.Reply.MaxLen,
			Hint:     r.Reply.Hint,
			Lang:     r.Reply.Lang,
			Replaces: r.Reply.Replaces,
		},
	}
	for _, o := range r.Reply.Options {
		out.Reply.Options = append(out.Reply.Options, flows.Option{Token: o.Token, Label: o.Label})
	}
	if rc := r.Reply.Recap; rc != nil {
		out.Reply.Recap = &flows.Recap{Title: rc.Title, Text: rc.Text}
	}
	if d := r.Reply.Document; d != nil {
		out.Reply.Document = &flows.Document{Name: d.Name, MIME: d.MIME, Data: d.Data}
	}
	if im := r.Image; im != nil {
		out.Image = &bot.Image{Name: im.Name, Data: im.Data, Caption: im.Caption, Note: im.Note}
	}
	out.Markup, out.Plain, out.Low, out.Index = r.Markup, r.Plain, r.Low, r.Index
	out.Once, out.Claimed, out.ClaimNote = r.Once, r.Claimed, r.ClaimNote
	if in := r.Instead; in != nil {
		out.Instead = &bot.Redirect{Address: in.Address, Text: in.Text}
	}
	return out, nil
}

func newOutgoingRecord(out bot.Outgoing) outgoingRecord {
	r := outgoingRecord{
		V:           outgoingRecordV,
		Channel:     out.Channel,
		Address:     out.Address,
		Participant: out.Participant,
		EventID:     out.EventID,
		CreatedAt:   out.CreatedAt,
		Reply: replyRecord{
			Lead:     out.Reply.Lead,
			Title:    out.Reply.Title,
			Text:     out.Reply.Text,
			Expect:   string(out.Reply.Expect),
			Field:    out.Reply.Field,
			MaxLen:   out.Reply.MaxLen,
			Hint:     out.Reply.Hint,
			Lang:     out.Reply.Lang,
			Replaces: out.Reply.Replaces,
		},
	}
	for _, o := range out.Reply.Options {
		r.Reply.Options = append(r.Reply.Options, optionRecord{Token: o.Token, Label: o.Label})
	}
	if d := out.Reply.Document; d != nil {
		r.Reply.Document = &documentRecord{Name: d.Name, MIME: d.MIME, Data: d.Data}
	}
	if rc := out.Reply.Recap; rc != nil {
		r.Reply.Recap = &recapRecord{Title: rc.Title, Text: rc.Text}
	}
	if im := out.Image; im != nil {
		r.Image = &imageRecord{Name: im.Name, Data: im.Data, Caption: im.Caption, Note: im.Note}
	}
	r.Markup, r.Plain, r.Low, r.Index = out.Markup, out.Plain, out.Low, out.Index
	r.Once, r.Claimed, r.ClaimNote = out.Once, out.Claimed, out.ClaimNote
	if in := out.Instead; in != nil {
		r.Instead = &redirectRecord{Address: in.Address, Text: in.Text}
	}
	switch {
	case r.Reply.Recap != nil:
	case r.Image != nil || r.Markup != nil || r.Plain != nil || r.Instead != nil:
		r.V = 2
	default:
		r.V = 1
	}
	return r
}

// Answer is a read view of one stored answer with the participant's
// details: their profile and académie as they stand, the rest as when
// the answer was written.
type Answer struct {
	// ID is stable for the answer's life, across edits, so that organisers
	// can refer to it (to hide it, for example).
	ID          uint64
	Participant string
	Channel     string
	Profile     string
	Academie    string
	Source      string
	// Lang is the language the participant was using when they gave or
	// last edited the answer ("fr", "en"); empty for answers stored before
	// it was kept.
	Lang     string
	Theme    string
	Question string
	// Exactly one of Text, Choice and Voice is set.
	Text      string
	Choice    string
	Voice     *flows.Voice
	CreatedAt time.Time
	UpdatedAt time.Time
}

// newAnswerRecord is the record Apply writes for a, an answer of the
// participant of in, whose session is s; its ID is set by the caller.
func newAnswerRecord(in bot.Inbound, s flows.Session, a flows.Answer) answerRecord {
	r := answerRecord{
		V:           answerRecordV,
		Participant: in.Participant,
		Channel:     in.Channel,
		Profile:     s.Profile,
		Academie:    s.Academie,
		Source:      s.Source,
		Lang:        s.Lang,
		Theme:       a.Theme,
		Question:    a.Question,
		Text:        a.Text,
		Choice:      a.Choice,
		CreatedAt:   a.CreatedAt,
		UpdatedAt:   a.UpdatedAt,
	}
	if a.Voice != nil {
		r.Voice = &voiceRecord{FileID: a.Voice.FileID, Duration: a.Voice.Duration}
	}
	return r
}

// answer is the answer as the session holds it.
func (r answerRecord) answer() flows.Answer {
	a := flows.Answer{
		Theme:     r.Theme,
		Question:  r.Question,
		Text:      r.Text,
		Choice:    r.Choice,
		CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt,
	}
	if r.Voice != nil {
		a.Voice = &flows.Voice{FileID: r.Voice.FileID, Duration: r.Voice.Duration}
	}
	return a
}

func (r answerRecord) view() Answer {
	a := Answer{
		ID:          r.ID,
		Participant: r.Participant,
		Channel:     r.Channel,
		Profile:     r.Profile,
		Academie:    r.Academie,
		Source:      r.Source,
		Lang:        r.Lang,
		Theme:       r.Theme,
		Question:    r.Question,
		Text:        r.Text,
		Choice:      r.Choice,
		CreatedAt:   r.CreatedAt,
		UpdatedAt:   r.UpdatedAt,
	}
	if r.Voice != nil {
		a.Voice = &flows.Voice{FileID: r.Voice.FileID, Duration: r.Voice.Duration}
	}
	return a
}

// equalAnswer reports whether a step left an answer unchanged, so that
// Apply rewrites only the answers that changed.
func equalAnswer(a, b flows.Answer) bool {
	if a.Theme != b.Theme || a.Question != b.Question || a.Text != b.Text || a.Choice != b.Choice ||
		!a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	if (a.Voice == nil) != (b.Voice == nil) {
		return false
	}
	return a.Voice == nil || *a.Voice == *b.Voice
}
