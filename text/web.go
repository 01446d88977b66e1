package text

// Web holds what the web page says itself, around the conversation: its
// chrome, labels and buttons, its landing page and its answers to bad
// requests. Everything else on the page comes from the conversation.
type Web struct {
	// Buttons are the labels of the page's command buttons (under
	// Commands), by the command's canonical name. Texts that name one of
	// these commands show this label on the page; the language button is
	// named in the language it switches to.
	Buttons map[string]string
	// Quote is how a text names a command on the page: %s is its
	// button's label, or the word the conversation understands typed.
	Quote string

	SkipLink     string
	Conversation string
	You          string // before the person's own messages
	YourAnswer   string // heading of the answer area
	ChooseOne    string // legend of the option buttons
	OtherChoices string // their legend below a text box
	TypeAnswer   string // label of the text box at an open question
	MaxChars     string // %d characters
	TypeMessage  string // label of the text box elsewhere
	TypeHint     string // what may be typed at a choice prompt
	Send         string
	Commands     string // heading of the command buttons
	Download     string // %s file name, %s size
	Kilobytes    string // %d
	Footer       string
	NoScript     string // shown when scripts are off
	// Landing is the landing page's introduction, one paragraph a line.
	Landing      string
	Start        string
	HaveCode     string
	CodeLabel    string
	CodeHint     string
	UseCode      string
	OtherDevice  string
	OtherDeviceP string
	GetCode      string
	YourCode     string // %s code
	CodeValid    string // %s time, in TimeLayout; %s HaveCode, where to type it
	TimeLayout   string
	Retrying     string
	Offline      string
	Reconnected  string
	Gap          string
	Erased       string
	Continue     string
	Redirecting  string
	ErrorTitle   string
	BackHome     string
	TooLong      string // %d length, %d limit
	Empty        string
	BadCode      string
	// Expired: the page (its form) is too old, or cookies are off.
	Expired       string
	NoCookie      string
	CrossOrigin   string
	TooMany       string
	TooBig        string
	BadRequest    string
	NotFound      string
	NotAllowed    string
	NotSaved      string
	Restarting    string
	Unavailable   string
	DocumentGone  string
	TooManyStream string
}
