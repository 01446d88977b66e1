package digest

import (
	"time"

	"consultbot/flows"
)

// Answer is one stored answer as the digest sees it: plain data copied out of
// the store.
type Answer struct {
	ID          uint64
	Participant string
	Channel     string
	Profile     string
	Academie    string
	Source      string
	Theme       string
	Question    string
	Text        string
	// Voice marks a voice note: it counts as a contribution, and as a
	// voice answer of its question. Its Text, when set, is the transcript
	// the participant confirmed: quoted, marked as spoken.
	Voice bool
	// Hidden marks an answer an organiser hid: it is left out entirely.
	Hidden    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Participant is one participant as the digest sees it.
type Participant struct {
	ID       string
	Channel  string
	Profile  string
	Academie string
	// Banned participants' answers are left out entirely.
	Banned    bool
	CreatedAt time.Time
	// Themes holds the participant's progress in each theme they started,
	// keyed by theme id.
	Themes map[string]Progress
}

// Progress is a participant's progress in one theme.
type Progress struct {
	// Answered lists the ids of the questions they answered.
	Answered []string
	// Confirmed is true once they confirmed the theme's review.
	Confirmed bool
	// WentThrough is true when, the review not confirmed, they went past
	// the theme's last question (see storage.ThemeProgress).
	WentThrough bool
	// Unasked is true, the review confirmed, when some of the theme's
	// questions were never put to them: validated, not complete.
	Unasked bool
	// Current is the question they were on, if any.
	Current string
	// Active is when they last did something (to the day); zero when
	// unknown. An unfinished theme of someone active within Idle of the
	// digest's end is in progress, not abandoned.
	Active time.Time
}

// Idle is how long someone who left a theme unfinished has not come back
// when a digest counts the theme as abandoned: before that it is in
// progress (they may be answering right now, or in another theme).
const Idle = 7 * 24 * time.Hour

// Input is a whole snapshot to digest at once; see Accumulator to feed a
// large store in chunks instead.
type Input struct {
	Questionnaire *flows.Questionnaire
	Answers       []Answer
	Participants  []Participant
	// Since and Until bound the period [Since, Until) of "new" answers, by
	// creation time. A zero Since makes every answer new; a zero Until sets
	// no upper bound. Answers created at or after Until are left out of the
	// totals too, so that a digest describes the store as it was at Until.
	Since, Until time.Time
	// Theme, when set, restricts the digest to that theme's answers.
	Theme string
	// Lang is the language of the labels and headings: "fr" or "en".
	Lang string
}
