package text

// Channel holds what the channels and the engine say themselves, around
// the conversation and the organisers' answers.
type Channel struct {
	// FloodNotice tells a person sending many messages at once that they
	// are handled in order.
	FloodNotice string

	Telegram Telegram
	Discord  Discord
	Terminal Terminal
}

// Telegram holds what the Telegram channel says itself.
type Telegram struct {
	// GroupInvite answers a group message addressed to the bot, with
	// GroupButton opening a private chat.
	GroupInvite string
	GroupButton string
	// PrivateResults asks an organiser who ran a command in a public
	// group to open a private chat with the bot first; %s is its link.
	PrivateResults string
	// TeamNote follows the organisers' help in a team's group.
	TeamNote string
}

// Discord holds what the Discord channel says itself.
type Discord struct {
	// StartCommand names the consultation's start as a slash command
	// (Discord's picker has no /start); StartMenu describes it.
	StartCommand string
	StartMenu    string
	// AnswerButton opens the form to type an answer; AnswerTitle is the
	// form's title when the question gives none.
	AnswerButton string
	AnswerTitle  string
	// NotHere answers a command from a server the bot does not serve.
	NotHere string
	// Sorry says an action could not be recorded (a store failure).
	Sorry string
}

// Terminal holds what the terminal says itself.
type Terminal struct {
	Hint      string // with the line editor
	PipedHint string // input read line by line (a pipe, a file)
	// Answer, or AnswerMax with the limit (%d characters), ends a reply
	// that takes text; OrType then introduces its options, as words.
	Answer    string
	AnswerMax string
	OrType    string
	// TooLong: %d length, %d limit. GivenBack follows it in the editor,
	// PrintedBack in piped mode before the text itself.
	TooLong     string
	GivenBack   string
	PrintedBack string
	// Unreadable says a typed or pasted line held bytes that are no text
	// (invalid UTF-8) and was not sent; CleanedBack follows it when the
	// rest of the line is given back in the editor.
	Unreadable  string
	CleanedBack string
	NotSaved    string // a message the engine could not record
	SavedFile   string // %s path
	// DataFileErased follows an erasure when the person's « mes données »
	// file was still on this computer: it is deleted with the rest; %s
	// path.
	DataFileErased string
	// Goodbye ends the conversation when answers are stored;
	// GoodbyeNothing when none is (nothing answered yet, or all erased).
	Goodbye        string
	GoodbyeNothing string
	// OrganiserHint is printed first in organiser mode (chat -organiser);
	// %s is the database file. OrganiserNote follows the organisers' help;
	// OrganiserGoodbye ends the session.
	OrganiserHint    string
	OrganiserNote    string
	OrganiserGoodbye string
}
