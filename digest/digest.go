package digest

import "time"

// Digest is what organisers read: figures for the period and in total, then
// per theme and per question. It is plain data, ready to render.
type Digest struct {
	Lang string
	// Since and Until bound the period; see Input. They are shown as they
	// are, in their own time zone: see In.
	Since, Until time.Time
	// TimeZone is the IANA name of the consultation's time zone ("Europe/
	// Paris"), named beside every time shown; empty when unknown, and the
	// times' own zone or offset is named instead.
	TimeZone string
	// Theme and ThemeTitle are set when the digest covers one theme only.
	Theme, ThemeTitle string
	// Period counts the answers created in [Since, Until); Total all those
	// created before Until.
	Period, Total Figures
	// ByChannel, ByProfile and ByAcademie break the figures down, largest
	// total first.
	ByChannel, ByProfile, ByAcademie []Breakdown
	// Themes follow the questionnaire's order.
	Themes []ThemeDigest
}

// In returns d with its period's bounds in loc, the consultation's time
// zone, which the rendered digest then names beside its times (« 18:00
// (heure de Paris) »). The name survives a JSON round trip, the zone
// itself does not: the bounds keep their offset, which is all they need.
func (d Digest) In(loc *time.Location) Digest {
	if loc == nil {
		return d
	}
	if !d.Since.IsZero() {
		d.Since = d.Since.In(loc)
	}
	if !d.Until.IsZero() {
		d.Until = d.Until.In(loc)
	}
	d.TimeZone = loc.String()
	return d
}

// Figures counts the distinct participants who contributed and their
// contributions (answers, voice notes included).
type Figures struct {
	Participants  int
	Contributions int
}

// Breakdown is the figures of one channel, profile or académie.
type Breakdown struct {
	Key, Label    string
	Period, Total Figures
}

// ThemeDigest sums up one theme.
type ThemeDigest struct {
	ID, Title string
	// NewAnswers were created in the period; TotalAnswers before Until.
	NewAnswers, TotalAnswers int
	// Started counts the participants who started the theme, Confirmed
	// those who confirmed its review with at least one answer;
	// CompletionRate is their ratio (0 when nobody started).
	Started, Confirmed int
	CompletionRate     float64
	// Skipped counts the participants who went through the theme to its
	// end skipping every question: counted in Started, neither completed
	// nor abandoned.
	Skipped int `json:",omitempty"`
	// Unasked counts the participants who validated the theme while some
	// of its questions were never put to them: counted in Started, not
	// in Confirmed (not complete), nor abandoned.
	Unasked int `json:",omitempty"`
	// InProgress counts the participants who started the theme, have not
	// finished it and did something within Idle of Until (of the digest's
	// computation when Until is zero): not abandoned, not finished yet.
	InProgress int `json:",omitempty"`
	// DropOff is where participants who abandoned the theme (unfinished,
	// not back for Idle) stopped most, or nil when nobody did.
	DropOff *DropOff
	// Questions lists, in the questionnaire's order, the questions with new
	// answers in the period.
	Questions []QuestionDigest
}

// DropOff is the question at which most participants who left a theme
// unfinished stopped.
type DropOff struct {
	// Question is the question's id, or "" when they answered every
	// question but never confirmed the review.
	Question, Title string
	// Count stopped there, out of Unfinished who left the theme unfinished.
	Count, Unfinished int
}

// QuestionDigest sums up the new answers to one question.
type QuestionDigest struct {
	ID, Title                string
	NewAnswers, TotalAnswers int
	// NewVoice and TotalVoice count the voice notes among them.
	NewVoice, TotalVoice int `json:",omitempty"`
	// Words are the most frequent meaningful words of the new answers.
	Words []Word
	// Quotes are the most representative new answers; see Accumulator.
	Quotes []Quote
}

// Word is a frequent word and the number of new answers that use it.
type Word struct {
	Text  string
	Count int
}

// Quote is one representative answer, shortened if long.
type Quote struct {
	// AnswerID lets an organiser hide the answer with one command.
	AnswerID uint64
	Text     string
	// Shortened is true when Text was cut to fit.
	Shortened bool
	// Spoken marks the confirmed transcript of a voice note.
	Spoken bool `json:",omitempty"`
	// Profile and Academie are display labels, possibly empty.
	Profile, Academie string
	// Score is the answer's TF-IDF cosine similarity to its question's
	// centroid, in [0, 1].
	Score float64
}
