package discordtest

import (
	"strings"
	"time"
)

// Discord's limits, enforced by the fake as Discord does.
const (
	MaxContent       = 2000 // characters of message content
	MaxCustomID      = 100  // characters of a component's custom_id
	MaxModalInputs   = 5    // text inputs in one modal
	MaxParagraph     = 4000 // characters of a paragraph text input
	MaxButtonLabel   = 80   // characters of a button label
	MaxModalTitle    = 45   // characters of a modal title
	MaxRows          = 5    // action rows in a message
	MaxRowComponents = 5    // buttons in one action row
	FlagEphemeral    = 64   // message flag: only the invoking user sees it
	FlagLoading      = 128  // message flag: a deferred response still "thinking…"
	ComponentLabel   = 18   // component type: a label around one modal input
)

// Interaction types as Discord numbers them.
const (
	InteractionCommand     = 2
	InteractionComponent   = 3
	InteractionModalSubmit = 5
)

// Interaction callback types as Discord numbers them.
const (
	CallbackMessage        = 4
	CallbackDeferred       = 5
	CallbackDeferredUpdate = 6
	CallbackUpdate         = 7
	CallbackModal          = 9
)

// User is a simulated Discord user.
type User struct {
	ID     string
	Name   string
	Locale string // the client's locale, sent with every interaction ("fr", "en-GB")
	// Roles are the ids of the guild roles the user has, sent in the
	// member object of guild interactions.
	Roles []string
}

// Place is where a user acts: a guild text channel, or the direct-message
// channel with the bot when GuildID is empty.
type Place struct {
	GuildID   string
	ChannelID string
}

// Button is one button of a message, as the user sees it.
type Button struct {
	CustomID string
	Label    string
	Style    int
	Disabled bool
}

// File is an attachment the bot uploaded.
type File struct {
	Name string
	Size int
	// ContentType is the part's Content-Type header; Data its bytes.
	ContentType string
	Data        []byte
}

// Message is a message the bot sent, as its recipient sees it.
type Message struct {
	ID        string
	ChannelID string
	GuildID   string
	// UserID is who sees it: the invoking user of an ephemeral message,
	// the other end of a direct-message channel, or "" for a public guild
	// message.
	UserID    string
	Content   string
	Ephemeral bool
	Rows      [][]Button
	Files     []File
	// NoMentions reports that the message carried allowed_mentions with an
	// empty parse list, so that no @everyone or role text pings anyone.
	NoMentions bool
	// InteractionID is the interaction the message answers, if any.
	InteractionID string
	// Original reports the interaction's original response (rather than a
	// follow-up).
	Original bool
	// Nonce is the nonce the bot created it with, if any.
	Nonce   string
	Created time.Time
	Edited  time.Time

	deferred bool // a "thinking…" placeholder not yet filled
	order    int  // when it became visible
}

// Buttons lists the message's buttons in reading order.
func (m Message) Buttons() []Button {
	var bs []Button
	for _, row := range m.Rows {
		bs = append(bs, row...)
	}
	return bs
}

// Button finds the first button whose label contains label.
func (m Message) Button(label string) (Button, bool) {
	for _, b := range m.Buttons() {
		if strings.Contains(b.Label, label) {
			return b, true
		}
	}
	return Button{}, false
}

// TextInput is one input of a modal.
type TextInput struct {
	CustomID    string
	Label       string // the Label component's around the input
	Description string // the Label component's, "" when none
	Style       int    // 1 short, 2 paragraph
	MinLength   int
	MaxLength   int
	Required    bool
}

// Modal is a modal the bot opened for a user.
type Modal struct {
	UserID        string
	InteractionID string
	CustomID      string
	Title         string
	Inputs        []TextInput
}

// Ack records the first response to one interaction.
type Ack struct {
	InteractionID string
	UserID        string
	Kind          int // interaction type
	Type          int // callback type
	// Latency runs from the interaction's creation to its callback.
	Latency time.Duration
	// Late reports a callback after the acknowledgement deadline, which
	// Discord refuses (the user saw "interaction failed").
	Late bool
}

// Command is an application command registered by the bot.
type Command struct {
	ID                       string
	GuildID                  string // "" for a global command
	Name                     string
	Description              string
	NameLocalizations        map[string]string
	DescriptionLocalizations map[string]string
	// DefaultMemberPermissions is the permission bit set that hides the
	// command from members without it ("" when unset).
	DefaultMemberPermissions string
	// Options are the command's options, in order.
	Options []CommandOption
	// Contexts are where the command may run (ContextGuild…), nil when
	// unset (everywhere).
	Contexts []int
	// IntegrationTypes are the installs that offer the command
	// (InstallGuild, InstallUser), nil when unset.
	IntegrationTypes []int
}

// Interaction contexts and installation types as Discord numbers them.
const (
	ContextGuild          = 0 // a server channel
	ContextBotDM          = 1 // the direct messages with the bot
	ContextPrivateChannel = 2 // other private channels (user installs)
	InstallGuild          = 0 // installed in a server
	InstallUser           = 1 // installed by a user
)

// CommandOption is one option of a registered command.
type CommandOption struct {
	Name              string
	Type              int // 3 string, 4 integer
	Description       string
	Required          bool
	NameLocalizations map[string]string
	// DescriptionLocalizations are the description in other locales.
	DescriptionLocalizations map[string]string
	// Choices maps each choice's value (as text) to its name.
	Choices map[string]string
}

// Attachment is a file a user attaches to a direct message.
type Attachment struct {
	Filename    string
	ContentType string
	Size        int
	// DurationSecs marks a voice message.
	DurationSecs float64
	// Data is what the attachment's URL serves (see AttachmentURL).
	Data []byte
}
