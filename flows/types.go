package flows

import (
	"strings"
	"time"
)

// Languages the interface speaks. French is the default.
const (
	LangFR = "fr"
	LangEN = "en"
)

// Stage is where a participant stands in the conversation.
type Stage string

// The stages of a conversation, in the order a newcomer meets them.
const (
	StageNew      Stage = ""         // never spoken to the bot
	StageConsent  Stage = "consent"  // asked to accept the processing of answers
	StageDeclined Stage = "declined" // refused consent: nothing is stored but this
	StageProfile  Stage = "profile"  // asked who they are (parent, teacher…)
	StageAcademie Stage = "academie" // asked for their académie or département (optional)
	StageMenu     Stage = "menu"     // choosing a theme
	StageQuestion Stage = "question" // answering Theme/Question
	StageReview   Stage = "review"   // reviewing the answers of Theme
	StageEdit     Stage = "edit"     // editing Question of Theme from the review
	StagePaused   Stage = "paused"   // asked to continue later
	// StageErased is never stored: a session returned with it tells the
	// storage to delete everything about the participant (session,
	// answers, their pending replies) instead of saving it, in the same
	// transaction. Step returns it after a confirmed "erase my data", and
	// for a newcomer whose first event is a privacy command, so that
	// asking what is kept leaves no trace. The next event starts afresh.
	StageErased Stage = "erased"
)

// Session is the whole state of one participant's conversation. It is plain
// data, serialised as JSON by the storage, so that it survives restarts.
type Session struct {
	Participant string `json:"participant"`
	Lang        string `json:"lang"`
	// LangSaid is set when the person's first words told their language
	// (a first message clearly in one): a welcome shown before they said
	// anything (the terminal shows it at once, Telegram after a bare
	// /start) leaves it unset, and their first words, if clearly in the
	// other language, then choose it.
	LangSaid  bool      `json:"lang_said,omitempty"`
	Stage     Stage     `json:"stage"`
	ConsentAt time.Time `json:"consent_at,omitzero"`
	Profile   string    `json:"profile,omitempty"`
	Academie  string    `json:"academie,omitempty"`
	// Source is the campaign that brought the participant in (a deep-link
	// payload), recorded at first contact.
	Source   string `json:"source,omitempty"`
	Theme    string `json:"theme,omitempty"`
	Question string `json:"question,omitempty"`
	// Prompt numbers the last prompt that offered choices. Every choice
	// token carries it, so a tap on an older prompt's button is recognised
	// as stale and answered with the current question instead.
	Prompt int `json:"prompt"`
	// Tap is the token of the last tap applied, on a button of the
	// prompt then current, and TapAt when: the same token arriving again
	// within tapRepeatWindow is a finger's bounce or a second click on a
	// button that seemed slow (the first one moved on already), and
	// changes nothing. Any other event the conversation handles clears
	// it (a closed consultation or a ban leaves the session as it is).
	Tap   string    `json:"tap,omitempty"`
	TapAt time.Time `json:"tap_at,omitzero"`
	// Pending is a confirmation asked on top of the stage (erase my data,
	// is this your answer, which place, which language). It holds while
	// its Prompt is the current one: any later prompt ends it, as it makes
	// its buttons stale. Typed words then answer it, and /aide explains it.
	Pending *Pending `json:"pending,omitempty"`
	// Answers holds the given answers keyed by AnswerKey(theme, question).
	Answers map[string]Answer `json:"answers,omitempty"`
	// Confirmed records when each theme's review was confirmed.
	Confirmed map[string]time.Time `json:"confirmed,omitempty"`
	// Started records when the person first acted in each theme: chose
	// it from the menu, or moved on from one of its questions (answered,
	// skipped, went back). Being shown a theme's first question (straight
	// on after « Valider », or below the recap of the theme validated
	// there) and staying at it (help, a question, « ok » to confirm) is
	// not starting it: organisers count a theme as started, and its
	// drop-offs, from here (see StartedThemes).
	Started map[string]time.Time `json:"started,omitempty"`
	// Asked records the questions (AnswerKey) put to the person: shown
	// to answer, below a recap, or opened from a review to change. A
	// question left without an answer reads « passée » once asked, « pas
	// encore vue » before, and a review offers the ones not asked yet.
	// Sessions stored before Asked existed have none: every question of
	// the themes they started counts as asked, as was read then (see
	// WasAsked; the first step of such a session records that). A
	// question of a validated theme never asked is recorded false, so
	// that what reads sessions without the questionnaire (the digests'
	// progress records) knows that theme was validated incomplete (see
	// ValidatedUnasked).
	Asked map[string]bool `json:"asked,omitempty"`
	// Reviewed is the theme whose review is shown above the current
	// question, the first of the next theme, once its last question was
	// answered or skipped: answering or skipping that question validates
	// it, as « Valider » does. It holds while the person stands at that
	// question (pausing there too, or correcting their profile or
	// académie from there: see belowRecap) and is dropped, the theme
	// left unvalidated, when they go anywhere else.
	Reviewed string `json:"reviewed,omitempty"`
	// Back is where a correction of the profile or the académie started
	// (« changer de profil », « en fait je suis à Bordeaux »): the stage
	// the person goes back to once it is given. It holds only at the
	// profile and académie prompts, and paused at a review (« je dois y
	// aller » there), which resuming shows again.
	Back Stage `json:"back,omitempty"`
	// Held is a sentence typed at the académie that names no place, or
	// at the theme menu that names no theme, but reads as an answer to
	// the consultation: once the académie is given or skipped (a theme
	// chosen), it is offered as the answer to the first question, so
	// that nothing typed is lost. It holds only at the académie prompt
	// and the menu.
	Held string `json:"held,omitempty"`
	// HeldForMenu says Held was typed with the profile (an opinion
	// beside who one is): it waits past the académie for the theme chosen
	// at the menu, as a sentence typed at the menu does, rather than
	// being offered at once below the first question.
	HeldForMenu bool `json:"held_for_menu,omitempty"`
	// From is the question (an AnswerKey) where « modifier N » was typed,
	// and FromReviewed the theme then reviewed above it: once the answer
	// is changed, kept or removed, the person goes back to that question,
	// below that recap, rather than to the review of the edited theme.
	// They hold only at the edit prompt.
	From         string    `json:"from,omitempty"`
	FromReviewed string    `json:"from_reviewed,omitempty"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`

	// Banned is set by an organiser (storage's SetBanned): Step then
	// answers every message with a short polite note and changes nothing
	// else; nothing of the participant's is deleted.
	Banned bool `json:"banned,omitempty"`

	// Reminders is the participant's separate consent to reminders and
	// announcements, and the next reminder due (see reminders.go).
	Reminders Reminders `json:"reminders,omitzero"`
}

// Kinds of Pending confirmation.
const (
	PendingErase    = "erase"    // erase all my data?
	PendingCheck    = "check"    // is this short message your answer? Text holds it
	PendingPlace    = "place"    // which of these places? Places holds their ids
	PendingLanguage = "language" // switch to the language in Text?
	// PendingHeld asks where to offer the sentence kept at the menu
	// (Text), the theme chosen (Session.Theme) having no question left
	// to answer: at another theme's first unanswered question, or not.
	PendingHeld = "held"
	// PendingLong follows an over-long text, given back to shorten: a
	// text arriving within seconds is its continuation (Telegram splits a
	// long paste in several messages) and is given back too, not stored.
	PendingLong = "long"
	// PendingTranscript asks whether the transcript in Text says what the
	// voice note FileID, the answer Answer (an AnswerKey), meant.
	PendingTranscript = "transcript"
	// PendingReminders offers reminders (Text "offer", or "after-theme"
	// once a theme is done) or follows a reminder (Text "reminder"),
	// whose buttons it reads.
	PendingReminders = "reminders"
	// PendingAdd holds a sentence typed at the review (Text) that is
	// none of its ways on, most likely more to say: the person is asked
	// which of the theme's questions it goes with, rather than told it
	// was not understood and losing it.
	PendingAdd = "add"
)

// Pending is a confirmation the conversation waits for, on top of the
// stage.
type Pending struct {
	Kind   string   `json:"kind"`
	Prompt int      `json:"prompt"`
	Text   string   `json:"text,omitempty"`
	Places []string `json:"places,omitempty"`
	// At is when it was asked, for PendingLong.
	At time.Time `json:"at,omitzero"`
	// Answer and FileID name the voice answer a PendingTranscript is
	// about.
	Answer string `json:"answer,omitempty"`
	FileID string `json:"file_id,omitempty"`
	// Held marks a PendingCheck offering the sentence kept at the
	// académie (Session.Held), or a PendingCheck or PendingRevise
	// offering the sentence typed at the review (PendingAdd) at an
	// answer: declining the check says that it is dropped; « Annuler »
	// at the revise keeps it, back at the review.
	Held bool `json:"held,omitempty"`
	// Was is set on a PendingErase asked while another confirmation was
	// pending (a text in question, a sentence kept at the menu or the
	// review): the kind of that one, whose Text, Held, Answer, FileID and
	// Places this one carries. Cancelling the erasure asks it again, so
	// that /effacer then « Annuler » loses nothing.
	Was string `json:"was,omitempty"`
}

// belowRecap reports whether s stands where Reviewed holds: at the
// question below the recap, pausing there, or correcting the profile or
// the académie from there (see Back), which comes back to it.
func (s *Session) belowRecap() bool {
	at := func(st Stage) bool { return st == StageQuestion || st == StagePaused }
	return at(s.Stage) || (s.Stage == StageProfile || s.Stage == StageAcademie) && at(s.Back)
}

// StartedThemes reports the themes s has started, as organisers count
// them: every theme of Started, and every theme with an answer or a
// confirmed review (sessions stored before Started existed say only
// that).
func (s Session) StartedThemes() map[string]bool {
	started := map[string]bool{}
	for id := range s.Started {
		started[id] = true
	}
	for _, a := range s.Answers {
		started[a.Theme] = true
	}
	for id := range s.Confirmed {
		started[id] = true
	}
	return started
}

// WasAsked reports whether question of theme was put to the person (see
// Asked): answered, or shown. A session stored before Asked existed
// counts every question of the themes it started as asked.
func (s Session) WasAsked(theme, question string) bool {
	k := AnswerKey(theme, question)
	if _, ok := s.Answers[k]; ok {
		return true
	}
	if s.Asked == nil {
		return s.StartedThemes()[theme]
	}
	return s.Asked[k]
}

// ValidatedUnasked reports whether theme id was validated while some of
// its questions were never put to the person (nor answered since):
// validated, not complete. It needs no questionnaire: those questions are
// recorded false in Asked (see Session.Asked).
func (s Session) ValidatedUnasked(id string) bool {
	if _, ok := s.Confirmed[id]; !ok {
		return false
	}
	for k, asked := range s.Asked {
		if th, _ := splitKey(k); th != id || asked {
			continue
		}
		if _, ok := s.Answers[k]; !ok {
			return true
		}
	}
	return false
}

// AnswerKey is the key of an answer in Session.Answers.
func AnswerKey(theme, question string) string { return theme + "/" + question }

// splitKey returns the theme and the question of an AnswerKey.
func splitKey(key string) (theme, question string) {
	theme, question, _ = strings.Cut(key, "/")
	return theme, question
}

// Answer is one participant's answer to one question.
type Answer struct {
	Theme    string `json:"theme"`
	Question string `json:"question"`
	// Exactly one of Text, Choice and Voice is set, except that Text
	// may come with Voice: it is then the transcript of the voice note,
	// confirmed by the participant (see Transcribed).
	Text      string    `json:"text,omitempty"`
	Choice    string    `json:"choice,omitempty"`
	Voice     *Voice    `json:"voice,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Transcribed reports whether a's text is the confirmed transcript of
// its voice note.
func (a Answer) Transcribed() bool { return a.Voice != nil && a.Text != "" }

// Voice refers to a voice note kept by the platform.
type Voice struct {
	FileID   string `json:"file_id"`
	Duration int    `json:"duration"` // seconds
	// URL and Size come with an EventVoice when the platform gives them
	// (Discord: where the file is served, and its size in bytes), for
	// the fetch of the audio. They are never kept in an answer.
	URL  string `json:"url,omitempty"`
	Size int64  `json:"size,omitempty"`
}

// EventKind says what a participant did.
type EventKind string

// The kinds of event an adapter can deliver.
const (
	EventText    EventKind = "text"    // typed text (not a command)
	EventCommand EventKind = "command" // a command: Command, with Args
	EventChoice  EventKind = "choice"  // a tapped button: Token
	EventVoice   EventKind = "voice"   // a voice note: Voice
	// EventMedia is a message with neither text nor voice: a file (a
	// photo, a document, a sticker…) or something else (a location, a
	// contact, a poll, a die); Media names it. Nothing of it is kept.
	EventMedia EventKind = "media"
	// EventEdited says the person edited a message they had sent. Edits
	// are not read (the edited message may have been an answer, a
	// command or a greeting): the person is told so, and how to change
	// an answer.
	EventEdited EventKind = "edited"
	// EventTranscript is no one's action: a local program transcribed
	// the voice note Voice.FileID, the answer to Theme/Question, as Text.
	// The participant is asked to confirm it.
	EventTranscript EventKind = "transcript"
	// EventReminder is no one's action either: the reminder due at
	// Session.Reminders.Due fell due. It never counts as the person
	// coming back.
	EventReminder EventKind = "reminder"
	// EventUnreachable says the platform refused a message to the
	// person for good (they blocked the bot): their reminders stop.
	EventUnreachable EventKind = "unreachable"
)

// What an EventMedia carries (Event.Media): files, then messages that
// are no file.
const (
	MediaPhoto     = "photo"
	MediaVideo     = "video"
	MediaAnimation = "animation"
	MediaDocument  = "document"
	MediaAudio     = "audio"
	MediaVideoNote = "video_note"
	MediaSticker   = "sticker"
	MediaVoice     = "voice"
	MediaLocation  = "location"
	MediaVenue     = "venue"
	MediaContact   = "contact"
	MediaPoll      = "poll"
	MediaDice      = "dice"
	MediaGame      = "game"
	// MediaOther is a message whose content the adapter cannot read: a
	// kind newer than it (a story, a giveaway, paid media, a checklist)
	// or one it has no reading for (a Discord message of embeds only).
	MediaOther = "other"
)

// notFile are the media that are no file: a reply about them says
// « this kind of message », not « this file ».
var notFile = map[string]bool{
	MediaLocation: true, MediaVenue: true, MediaContact: true, MediaPoll: true, MediaDice: true, MediaGame: true,
	MediaOther: true,
}

// Event is one thing a participant did, already translated by an adapter
// from its platform's update.
type Event struct {
	Kind EventKind `json:"kind"`
	Text string    `json:"text,omitempty"`
	// Command is a canonical command name (one of the Cmd constants) or, when unknown,
	// what the person typed without its slash. Args is the rest of the line;
	// for CmdStart it is the deep-link payload.
	Command string `json:"command,omitempty"`
	Args    string `json:"args,omitempty"`
	// Token is the Option.Token of a tapped button (EventChoice). On an
	// EventText it is set when the text comes from a form opened from a
	// prompt (a Discord modal): the adapter passes any option token of
	// that prompt, of which only the prompt number counts. If that prompt
	// is no longer the current one, the text is not stored: the person is
	// told the form belonged to an earlier question, their text is quoted
	// back (shortened past about 500 characters) and the current prompt
	// is shown again.
	Token string `json:"token,omitempty"`
	Voice *Voice `json:"voice,omitempty"`
	// Media names what an EventMedia carries: one of the Media
	// constants. On an EventText or an EventCommand it names the file
	// the text came with (a caption), which is not kept: the text is
	// read as if typed, and the reply says that the file is not kept.
	Media string `json:"media,omitempty"`
	// Theme and Question name the answer an EventTranscript is about.
	Theme    string `json:"theme,omitempty"`
	Question string `json:"question,omitempty"`
	// Lang is the platform's language hint for the person ("fr", "en-GB"),
	// used only to choose the language at first contact.
	Lang string `json:"lang,omitempty"`
	// Later is set by the engine when the channel can write to the person
	// later, unprompted (Telegram's private chats, Discord's direct
	// messages): only then are reminders offered.
	Later bool `json:"later,omitempty"`
	// CommandButtons is set by a channel that shows the commands as
	// buttons of its own (the web page) rather than as slash commands:
	// every text of the replies that tells the person what to type or
	// tap then names those buttons (text.Buttons), and help lists them.
	CommandButtons bool `json:"command_buttons,omitempty"`
	// DiscordLocale is set by the Discord channel to the locale of the
	// person's app ("fr", "en-GB"): Discord's command picker names the
	// slash commands by it, whatever the conversation's language, so
	// every text that names a command names it as that picker shows it
	// (text.DiscordNaming).
	DiscordLocale string `json:"discord_locale,omitempty"`
	// Reopen marks a CmdResume sent by the channel itself, not typed: it
	// shows where the person stands when they come back (the terminal
	// started again, the web page loaded). Nothing pending is cancelled
	// then: a text in question, or a confirmation, is shown again as it
	// was, as the person left it.
	Reopen bool `json:"reopen,omitempty"`
}

// Expect says what the bot waits for after a reply.
type Expect string

// What a reply can wait for.
const (
	ExpectNothing Expect = ""     // buttons or commands only
	ExpectText    Expect = "text" // free text (Discord opens a modal from an "Answer" button)
)

// Reply is one message for the participant, in neutral form: adapters turn
// it into their platform's markup, escaping every piece of text.
type Reply struct {
	// Lead, when set, is a short note shown before everything else, such
	// as the acknowledgement of an answer: one message then both thanks
	// the person and asks the next question.
	Lead string `json:"lead,omitempty"`
	// Recap, when set, comes after Lead and before Title, set apart from
	// what follows it: the review of the theme just completed, above the
	// next theme's first question, so that one message both shows the
	// answers given and asks the next one.
	Recap *Recap `json:"recap,omitempty"`
	// Title, when set, is shown first after Lead (and Recap) and
	// emphasised (bold).
	Title string `json:"title,omitempty"`
	// Text is plain text; paragraphs are separated by blank lines.
	Text    string   `json:"text,omitempty"`
	Options []Option `json:"options,omitempty"`
	Expect  Expect   `json:"expect,omitempty"`
	// Field is the short label of the expected text (a modal's title and
	// input label); MaxLen its limit in characters.
	Field  string `json:"field,omitempty"`
	MaxLen int    `json:"max_len,omitempty"`
	// Hint, when set, says in a few words what to type at this prompt,
	// where a channel's usual hint beside the input would not fit: at
	// the académie, a town or a postcode, not « your answer, 4000
	// characters at most »; before the menu, the words that work there.
	// No final full stop: the terminal goes on with « , ou tapez : ».
	Hint string `json:"hint,omitempty"`
	// Lang is the language the reply is written in, the conversation's
	// (LangFR, LangEN): the words a channel adds to it (Discord's
	// « Répondre » button, which opens the form) and the notices it sends
	// the person on its own (a failure) are written in it, whatever
	// language the person's app is set to.
	Lang string `json:"lang,omitempty"`
	// Document, when set, is a file sent after the text (the participant's
	// data as JSON): a document on Telegram, an attachment on Discord, a
	// file written next to the database in the terminal.
	Document *Document `json:"document,omitempty"`
	// Replaces is set on the first reply to a tap on a button of the
	// current prompt: that prompt is answered, and this reply takes its
	// place, its Lead showing what was chosen (« ✓ Parent d'élève »). A
	// channel that can edit a sent message (Telegram, Discord) turns the
	// tapped message into this reply, so that a tap costs one request and
	// the chat keeps one message per step; the others send it as usual.
	// A tap on an earlier prompt's button never gets it: the reply then
	// comes as a new message, below everything else.
	Replaces bool `json:"replaces,omitempty"`
}

// Recap is a block of a reply shown above its prompt and set apart from
// it: a title, emphasised as Reply.Title is, and plain text.
type Recap struct {
	Title string `json:"title,omitempty"`
	Text  string `json:"text,omitempty"`
}

// Document is a file attached to a reply.
type Document struct {
	Name string `json:"name"` // file name, [a-z0-9_.-]
	MIME string `json:"mime"` // media type, e.g. "application/json"
	Data []byte `json:"data"`
}

// Option is one button. Token is opaque to adapters and at most
// MaxTokenLen bytes of [A-Za-z0-9._-], so that it fits inside Telegram's
// 64-byte callback data and Discord's 100-character custom ids with room
// for an adapter's prefix.
type Option struct {
	Token string `json:"token"`
	Label string `json:"label"`
}

// MaxTokenLen bounds the length of Option.Token in bytes.
const MaxTokenLen = 40
