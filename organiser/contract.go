package organiser

import (
	"context"
	"time"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/storage"
)

// Canonical organiser command names; the table in table.go maps what
// organisers type (French first: /synthese, /stats, /masquer, /afficher,
// /bannir, /debannir; English: /digest, /stats, /hide, /unhide, /ban,
// /unban) to these.
const (
	CmdDigest = "digest" // the digest since the last periodic one; optional theme
	CmdStats  = "stats"  // totals: participants, answers, by channel/profile/theme
	CmdHide   = "hide"   // hide an answer by its id: out of digests, flagged in exports
	CmdUnhide = "unhide" // undo hide
	CmdBan    = "ban"    // ban the author of an answer (by answer id): their messages are politely ignored
	CmdUnban  = "unban"  // undo ban
	// CmdAnnounce drafts an announcement to everyone who accepted
	// reminders, and says how many they are; CmdAnnounceSend confirms a
	// draft by its number, and it goes out in the low-priority lane.
	CmdAnnounce     = "announce"
	CmdAnnounceSend = "announce_send"
)

// Command is one parsed organiser command.
type Command struct {
	Name     string // one of the Cmd constants
	Theme    string // CmdDigest: optional theme id (or number "2")
	AnswerID uint64 // CmdHide, CmdUnhide, CmdBan, CmdUnban
	Text     string // CmdAnnounce: the announcement
	Draft    uint64 // CmdAnnounceSend: the announcement's number
}

// Result is what an organiser command produced, for a Renderer to lay
// out in its platform's markup: Title and Text are plain text (a
// renderer escapes them); Digest, when set, is rendered by package
// digest for the platform, with Chart (a PNG) first.
type Result struct {
	Title  string
	Text   string
	Digest *digest.Digest
	Chart  []byte
	// Help marks the organisers' help, after which a channel may add a
	// note of its own (where to take part in the consultation).
	Help bool
}

// Request is a message an adapter hands to Submit: what was typed, or
// the command the platform parsed, who sent it and from where, and where
// the answer goes. The adapter only translates and says what the platform
// knows (permissions, chat types); the Service decides.
type Request struct {
	// Text is the message as typed ("/masquer 12", "/stats@bot").
	Text string
	// Command, when set, is the command a platform parsed itself (a
	// Discord slash command and its options); Text is then not read.
	Command *Command
	// Lang is the person's language code ("fr", "en-GB"…).
	Lang string
	// From is the person's participant id: refusals are counted per
	// person; it is never shown.
	From string
	// Role is what the person may do where they wrote.
	Role Role
	// Team reports a place of the organising team (one of its chats, the
	// terminal's organiser mode): there, a message that is no organiser
	// command gets the organisers' help instead of going on to the
	// participants' conversation.
	Team bool
	// Lane names where the answers go ("telegram:-500"): the commands of
	// one lane run one at a time, in the order they came.
	Lane string
	// Reply is the reply to fill and post: its Channel (whose Renderer
	// lays the answer out), Address, Participant, EventID and Instead.
	Reply bot.Outgoing
	// Posted, when set, is called once with the outbox sequence of the
	// answer when it is committed (0 if it could not be), for a channel
	// that waits for it before reading on (the terminal). A refusal that
	// is not told (Ignored) posts nothing.
	Posted func(seq uint64)
}

// Outcome says what Submit did with a message.
type Outcome int

// Outcomes of Submit.
const (
	// NotMine: no organiser command; the adapter's usual route takes it.
	NotMine Outcome = iota
	// Refused: the person may not run it; they were told so, nothing
	// changed and no queue slot was taken.
	Refused
	// Ignored: refused like Refused, but not told: they were told a few
	// times in the last minute already, so a flood costs no message.
	Ignored
	// Answered: a usage note or the organisers' help was posted at once.
	Answered
	// Queued: the command runs in the background; its answer follows.
	Queued
	// Busy: the organisers' queue is full; they were told to try again.
	Busy
)

// Renderer lays out organiser answers in one channel's markup, as a reply
// for the engine's outbox; the Telegram, Discord and terminal adapters
// implement it.
type Renderer interface {
	// Render fills out, whose Channel, Address and ids are set, with res
	// in lang.
	Render(out bot.Outgoing, res Result, lang string) bot.Outgoing
	// DigestAddress turns an organisers' chat or channel id, as written
	// in the config, into the address periodic digests are posted to.
	DigestAddress(id string) (string, error)
}

// Outbox commits replies in a transaction of the caller's and delivers
// them; *bot.Engine implements it. Every answer of the Service goes this
// way, and each periodic digest moves from its log into the outbox in one
// transaction. StartCampaign runs the confirmation of an announcement,
// after which the engine starts sending it at once.
type Outbox interface {
	Commit(ctx context.Context, commit func(context.Context) ([]bot.Outgoing, error)) error
	StartCampaign(ctx context.Context, start func(context.Context) error) error
}

// DigestSource is what a digest reads from the store; *storage.DB
// implements it. Each walk reads in short chunks and calls fn outside of
// any transaction, so that participants keep writing meanwhile.
type DigestSource interface {
	// HiddenAnswers returns the ids of the answers organisers hid.
	HiddenAnswers() (map[uint64]bool, error)
	// ForEachProgress calls fn for every participant who started a theme
	// or is banned (erased participants are gone). The themes are valid
	// during the call only: their memory is reused for the next ones.
	ForEachProgress(ctx context.Context, fn func(storage.Progress) error) error
	// ForEachDigestAnswer calls fn for every answer created before until
	// (all when until is zero), each once in its latest version, with its
	// text only when created at or after since and outside the periods
	// noText. The text is valid during the call only: its memory is reused
	// for the next ones.
	ForEachDigestAnswer(ctx context.Context, since, until time.Time, noText []storage.Span, fn func(storage.DigestAnswer) error) error
	// ForEachDigestPart calls fn for every stored digest part of a period
	// within [from, to), in time order.
	ForEachDigestPart(ctx context.Context, from, to time.Time, fn func(storage.DigestPart) error) error
	// ClaimDigestParts marks periods whose parts a digest is about to
	// build, and StoreDigestPart stores one if none of its answers changed
	// since the claim (a zero token: nothing claimed, a read-only store).
	ClaimDigestParts(spans []storage.Span) (uint64, error)
	StoreDigestPart(s storage.Span, token uint64, data []byte) (bool, error)
	// DigestPartSpans returns the periods within [from, to) that have a
	// stored part, in time order, without reading the parts.
	DigestPartSpans(from, to time.Time) ([]storage.Span, error)
	// FirstDigestAnswer returns the creation time of the oldest answer.
	FirstDigestAnswer() (time.Time, bool, error)
}

var _ DigestSource = (*storage.DB)(nil)

// The Service's API (implemented in this package), as adapters and cmd use it:
//
//	func New(db *storage.DB, q *flows.Questionnaire, opts Options) *Service  // nil q: the default questionnaire
//	func (s *Service) AddChannel(channel string, r Renderer, digestTo []string)  // before Run
//	func (s *Service) Run(ctx context.Context) error  // the command workers and the digest schedule, until ctx ends
//	func (s *Service) Serve(ctx context.Context)      // the command workers only (every replica)
//	func (s *Service) Schedule(ctx context.Context)   // the digest schedule only (the leader)
//	func (s *Service) Submit(ctx context.Context, req Request) (Outcome, error)  // one way in
//	func (s *Service) Execute(ctx context.Context, cmd Command, lang string) (Result, error)
//	func (s *Service) Compute(ctx context.Context, since, until time.Time, theme, lang string) (digest.Digest, error)
//	func Commands() []Spec                              // the command table
//	func ParseCommand(text string) (Command, error)    // ErrNotCommand, or a *UsageError
//	func Message(err error, lang string) string         // what an organiser reads about a failure
//
// For the command line, without a Service: ComputeDigest (digest --print),
// Export with ExportOptions and a Pseudonymizer (export), ParseDaily and
// Schedule (the [digest] config), ResolveTheme and StatsText.
