package organiser

import (
	"context"

	"consultbot/bot"
	"consultbot/digest"
)

// Canonical organiser command names. ParseCommand maps what organisers type
// (French first: /synthese, /stats, /masquer, /afficher, /bannir,
// /debannir; English: /digest, /stats, /hide, /unhide, /ban, /unban) to
// these.
const (
	CmdDigest = "digest" // the digest since the last periodic one; optional theme
	CmdStats  = "stats"  // totals: participants, answers, by channel/profile/theme
	CmdHide   = "hide"   // hide an answer by its id: out of digests, flagged in exports
	CmdUnhide = "unhide" // undo hide
	CmdBan    = "ban"    // ban the author of an answer (by answer id): their messages are politely ignored
	CmdUnban  = "unban"  // undo ban
)

// Command is one parsed organiser command.
type Command struct {
	Name     string // one of the Cmd constants
	Theme    string // CmdDigest: optional theme id (or number "2")
	AnswerID uint64 // CmdHide, CmdUnhide, CmdBan, CmdUnban
}

// Result is what an organiser command produced, for the adapter to render
// in its platform's markup: Text is plain text (escape it); Digest, when
// set, is rendered with digest.RenderTelegram or digest.RenderDiscord, with
// Chart (a PNG) attached first.
type Result struct {
	Text   string
	Digest *digest.Digest
	Chart  []byte
}

// Poster renders a periodic digest for one organiser destination of its
// channel, as a reply for the engine's outbox, which delivers it under its
// policy (the chart left out with a note if the platform will not take
// it, the text always). The Telegram and Discord adapters implement it;
// address is a Telegram chat id or a Discord channel id, as written in the
// config.
type Poster interface {
	DigestReply(address string, d *digest.Digest, chart []byte) (bot.Outgoing, error)
}

// Outbox commits replies in a transaction of the caller's and delivers
// them; *bot.Engine implements it. The Service moves each periodic digest
// delivery from its log into the outbox with it, in one transaction.
type Outbox interface {
	Commit(ctx context.Context, commit func(context.Context) ([]bot.Outgoing, error)) error
}

// The Service's API (implemented in this package), as adapters and cmd use it:
//
//	func New(db *storage.DB, q *flows.Questionnaire, opts Options) *Service  // nil q: the default questionnaire
//	func ParseCommand(text string) (Command, error)   // error: a clear message for a malformed command (French, English for /hide…);
//	                                                  // ErrNotCommand (errors.Is) when text is no organiser command at all
//	func (s *Service) Execute(ctx context.Context, cmd Command, lang string) (Result, error)
//	                                                  // an organiser's mistake (unknown answer id or theme) is a Result
//	                                                  // whose Text says so; an error is a store failure
//	func (s *Service) AddPoster(channel string, p Poster, addresses []string)  // before Run; Options.Outbox delivers
//	func (s *Service) Run(ctx context.Context) error  // the schedule: periodic digests, one missed while down is sent at start-up, once
//	func (s *Service) Compute(ctx context.Context, since, until time.Time, theme, lang string) (digest.Digest, error)
//
// For the command line, without a Service: ComputeDigest (digest --print),
// Export with ExportOptions and a Pseudonymizer (export), ParseDaily and
// Schedule (the [digest] config), ResolveTheme and StatsText.
//
// Authorisation is the adapters' job (they know chat ids, user ids, channel
// ids and role ids from config): an adapter calls Execute only for an
// organiser, and answers anyone else with a polite refusal.
