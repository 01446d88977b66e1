package bot

import (
	"context"
	"time"

	"consultbot/flows"
)

// Channel names, as stored with sessions, answers and outgoing messages.
const (
	ChannelTerminal = "terminal"
	ChannelTelegram = "telegram"
	ChannelDiscord  = "discord"
	ChannelWeb      = "web"
)

// Inbound is one event from a platform, translated by its adapter.
type Inbound struct {
	// ID is unique per platform event ("telegram:update:123"); an event
	// whose ID was already applied is dropped.
	ID string
	// Channel is one of the Channel constants.
	Channel string
	// Participant identifies the person across events ("telegram:42").
	Participant string
	// Address tells the channel's Sender where replies go; it is opaque to
	// the engine (a chat id, a channel id, an interaction token…).
	Address string
	// Later is where the channel can write to the person later,
	// unprompted (see Reachable); empty when it cannot. The engine sets
	// it; storage keeps it only while the person accepts reminders.
	Later string
	// Low puts the replies in the low-priority lane (see Outgoing.Low)
	// and sends them at most once (Outgoing.Once): set for reminders,
	// which no person's message produced.
	Low   bool
	Event flows.Event
	// At is when the platform says the event happened; the engine steps
	// with its own clock.
	At time.Time
}

// Outgoing is one reply waiting in the outbox until its Sender delivers it.
// A Sender sends its parts in this order: Image, the Reply's text, Markup,
// the Reply's Document, Plain; so when the delivery policy replaces a
// picture by its note, or a file by Plain text, the parts before keep
// their places.
type Outgoing struct {
	Seq         uint64 `json:"seq"` // outbox key, increasing
	Channel     string `json:"channel"`
	Address     string `json:"address"`
	Participant string `json:"participant"` // empty for a post to an organisers' chat
	// EventID names what produced the reply: the Inbound, or an organiser
	// command or periodic digest.
	EventID string `json:"event_id"`
	// Index is the reply's place among those its event produced, 0 for
	// the first: a Sender that answers an acknowledged interaction fills
	// the acknowledgement with the first and follows it with the others,
	// whichever process delivers them.
	Index     int         `json:"index,omitempty"`
	Reply     flows.Reply `json:"reply"`
	CreatedAt time.Time   `json:"created_at"`

	// Image, when set, is a picture sent first (a digest's chart).
	Image *Image `json:"image,omitempty"`
	// Markup are messages already written in the channel's markup and cut
	// within its limits (a digest rendered by package digest), sent after
	// the reply.
	Markup []string `json:"markup,omitempty"`
	// Plain are plain texts sent last, each cut within the channel's
	// limit: the delivery policy puts here the text of a file the platform
	// would not take.
	Plain []string `json:"plain,omitempty"`
	// Instead, when set, replaces the reply if its address refuses it for
	// good: an organiser's results sent privately become a short note in
	// the group the command came from, asking them to open a private chat.
	Instead *Redirect `json:"instead,omitempty"`
	// Low marks a reminder or an announcement: it is delivered in the
	// low-priority lane, with only the sending rate live conversations
	// leave (see Engine and LowSender).
	Low bool `json:"low,omitempty"`
	// Once marks a reminder: it is sent at most once (see Claims); an
	// announcement (Low without Once) is sent exactly once, and every
	// other reply at least once.
	Once bool `json:"once,omitempty"`
	// Claimed is set by the store's Pending on a reminder or an
	// announcement that was being sent when the program stopped, and by
	// the engine on one whose Send failed after its request left: the
	// platform may have it. A reminder is then not sent again; an
	// announcement is settled by its Sender (see Settler).
	Claimed bool `json:"claimed,omitempty"`
	// ClaimNote is what the Sender noted when it claimed the reply
	// (Claim), to settle it later: Telegram's highest message id then.
	ClaimNote string `json:"claim_note,omitempty"`
}

// Image is a picture sent with a reply.
type Image struct {
	Name string `json:"name"` // file name, such as "synthese.png"
	// Data is the PNG; nil once the delivery policy has given up on it,
	// and Note is sent in its place.
	Data []byte `json:"data,omitempty"`
	// Caption is shown under the picture, in the channel's markup.
	Caption string `json:"caption,omitempty"`
	// Note is plain text sent instead of the picture when it cannot go,
	// such as « (graphique indisponible) ».
	Note string `json:"note,omitempty"`
}

// Redirect is a short plain-text note for another address of the same
// channel.
type Redirect struct {
	Address string `json:"address"`
	Text    string `json:"text"`
}

// StepFunc advances a session by one event. It must be pure: the store may
// call it more than once for the same event (bbolt re-runs a failed batch
// one function at a time) and keeps only the last result.
type StepFunc func(s flows.Session) (flows.Session, []flows.Reply)

// Applied is what Store.Apply committed.
type Applied struct {
	Duplicate bool // the event ID had already been applied; nothing changed
	// Held: the participant has events in the flood-control backlog
	// after this commit. From Apply, the event went to its end, behind
	// events held there (perhaps by another replica), to be applied in
	// turn; from Backlog.ApplyHeld, more wait after the one applied.
	Held   bool
	Outbox []Outgoing // the replies now in the outbox, in order
}

// Store is what the engine needs from storage. One call of Apply is one
// atomic transaction; storage.DB implements it.
type Store interface {
	// Apply dedupes in.ID, loads in.Participant's session (a zero Session
	// with Participant set when new), runs step, and saves the session,
	// its changed answers and the replies as outbox entries, all in one
	// commit.
	Apply(ctx context.Context, in Inbound, now time.Time, step StepFunc) (Applied, error)
	// Pending lists unsent outbox entries of a channel, oldest first; all
	// of them when limit <= 0.
	Pending(ctx context.Context, channel string, limit int) ([]Outgoing, error)
	// MarkSent removes delivered entries from the outbox.
	MarkSent(ctx context.Context, seqs ...uint64) error
}

// Sender delivers replies on one channel. Send returns nil only once the
// platform accepted the message; the engine then marks it sent. The engine
// hands a Sender one message at a time per Address (or per line, for a
// Sender that implements LineSender) and in commit order, so Send keeps
// that order simply by returning only once it is done.
//
// Send makes one attempt and leaves retrying, degrading and giving up to
// the engine's delivery policy (see Engine). Its error says what the
// platform meant, through methods the engine looks for with errors.As:
// RetryAfter() time.Duration (asked to wait: not the content's fault),
// Until() <-chan struct{} (not before that channel is closed: a condition
// of the Sender's own, such as another message of the same chat to be
// settled first; waited for silently, counted nowhere),
// Permanent() bool (refused for good: no retry will change it),
// Attachment() bool (the part that failed is a file or a picture), and
// Status() int (the HTTP status, for logs). Any other error is transient.
// A Sender that resumes a reply after a failure must key its progress by
// Seq and Address: the policy may rewrite a reply it could not deliver,
// keeping what comes before the failing part as it was.
type Sender interface {
	Send(ctx context.Context, out Outgoing) error
}

// The engine's API (implemented in engine.go, flood.go and pseudonym.go), as
// adapters and cmd use it:
//
//	func New(store Store, stepper Stepper, logger *slog.Logger) *Engine  // *flows.Machine is a Stepper
//	func (e *Engine) SetClock(now func() time.Time)          // tests only; default time.Now
//	func (e *Engine) SetRetry(first, longest time.Duration) // before Start; defaults DefaultRetryMin, DefaultRetryMax
//	func (e *Engine) SetBudget(d time.Duration)             // before Start; default DefaultBudget
//	func (e *Engine) SetFlood(l FloodLimit) error            // before Start; the store must implement Backlog
//	func (e *Engine) AddSender(channel string, s Sender)     // before Start
//	func (e *Engine) Start(ctx context.Context) error        // resend what the outbox still holds, start delivery
//	func (e *Engine) Handle(ctx context.Context, in Inbound) (Applied, error) // returns once committed
//	func (e *Engine) Post(ctx context.Context, outs ...Outgoing) error          // organiser results: commit, then deliver
//	func (e *Engine) Commit(ctx context.Context, commit func(context.Context) ([]Outgoing, error)) error // the caller's own transaction
//	func (e *Engine) StartCampaign(ctx context.Context, start func(context.Context) error) error  // confirm a campaign, wake the low-priority lane
//	func (e *Engine) Close(ctx context.Context) error         // stop accepting, drain deliveries until ctx ends
//	func (e *Engine) Lang(participant string) string          // the session's language, for an adapter's own notices
//	func ParticipantID(channel, platformID string, key []byte) string // the only place participant ids are built
//
// A store may also implement Backlog (flood control), Undeliverable
// (replies given up leave the outbox as a record), Outbox (Post, and
// degraded replies rewritten in place) and Claims (reminders sent at most
// once, reminders and announcements checked as they leave); storage.DB
// does.
//
// Adapters depend only on a small interface of their own, for example
//
//	type Handler interface {
//		Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error)
//	}

// DueReminder is a reminder that fell due, with where to send it.
type DueReminder struct {
	Participant string
	Channel     string
	Address     string
	Due         time.Time
}

// Campaigns is what the engine needs from the store for reminders and
// announcements, the low-priority lane's work; storage.DB implements it.
// A reminder is applied as an event (Apply, flows.EventReminder) in one
// transaction, which clears it; an announcement moves into the outbox a
// few deliveries per transaction, with its progress.
type Campaigns interface {
	// DueReminders lists reminders due at now, oldest first, at most
	// room[ch] on each channel ch, none on a channel room leaves out.
	DueReminders(ctx context.Context, now time.Time, room Room) ([]DueReminder, error)
	// NextAnnouncements moves deliveries of the announcement being sent
	// into the outbox, at most room[ch] to the people of each channel ch,
	// in one transaction, and returns them; none when no announcement is
	// being sent. The announcement is done once the people of every
	// channel in room have theirs; those of a channel room leaves out get
	// none.
	NextAnnouncements(ctx context.Context, now time.Time, room Room, render func(lang, text string) flows.Reply) ([]Outgoing, error)
}

// Room is how many more reminders and announcements each channel's share
// of the low-priority lane takes, by channel.
type Room map[string]int
