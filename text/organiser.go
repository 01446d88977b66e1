package text

// Organiser holds the answers to the organisers' commands.
type Organiser struct {
	Refused string // a command that is not the person's
	Failed  string // a command that failed (a store failure)
	Busy    string // the queue is full
	Stopped string // the bot stopped before the command ran or ended
	Unknown string
	Done    string // a result with nothing to say
	// NoSlash answers a command typed without its slash ("masquer 10"):
	// %s is the line with it.
	NoSlash string
	// NoSlashUsage leads the usage note of a command typed without its
	// slash and malformed.
	NoSlashUsage string

	// How to write a malformed command; %s is its name as typed.
	OneTheme      string // %[1]s name (twice)
	TakesNothing  string // %s name
	NeedsAnAnswer string // %s name
	NotAnAnswerID string // %s argument given, %s name

	UnknownTheme  string // %s what was given; the themes follow, one a line
	NoAnswer      string // %d answer id
	Hidden        string // %d id, %s question, %d id
	AlreadyHidden string // %d id
	Unhidden      string // %d id, %s question
	NotHidden     string // %d id
	Banned        string // %d id, %d id
	AlreadyBanned string // %d id
	Unbanned      string // %d id
	NotBanned     string // %d id

	HelpTitle string
	HelpLine  string // %s command and argument, %s what it does
	// Commands describes each command of the organiser command table, by
	// its ID.
	Commands map[string]Command
	// ThemeOption and AnswerOption describe a command's argument where a
	// platform shows it (Discord's slash command options).
	ThemeOption  string
	AnswerOption string

	ChartCaption string // %s the chart's title (Digest.ChartTitle), in the platform's bold
	NoChart      string // in place of a chart that could not be sent
	// PrintFooter ends the digest printed in a terminal when it quotes
	// answers: where to send the hint's /masquer from.
	PrintFooter string

	Stats Stats
	// Announce holds the replies of /annonce and /annonce_envoyer.
	Announce Announce
}

// Command describes one organiser command.
type Command struct {
	Args string // its argument as the help writes it ("[thème]", "N"); empty for none
	Menu string // a short description for command menus (at most 100 characters)
	Help string // what it does, for the organisers' help
}

// Stats holds the texts of /stats. Nouns are "singular|plural".
type Stats struct {
	Title             string
	TitleAsOf         string // %s date and time
	LastDigest        string // %s date and time
	NoPeriodic        string
	ParticipantsSince string // %s participants in total, %s number of them, %s Answered
	AnswersSince      string // %s answers in total, %s New ones
	InTotal           string // %s number and noun
	News              string // %s New ones
	ByChannel         string
	ByProfile         string
	ByAcademie        string
	ByTheme           string
	NotGiven          string
	BreakdownLine     string // %s label, %s participants, %s answers, %s News or nothing
	ThemeLine         string // %d number, %s title, %s answers, %s News or nothing
	NoStart           string
	Completion        string // %s started, %s completed (a number), %s percentage
	Skipped           string // %s participants (counted) who went through skipping every question
	Unasked           string // %s participants (counted) who validated with questions never asked

	Participant string // noun
	// Contributor is the noun of the participants counted in the
	// totals: those who gave at least one answer, fewer than those who
	// started a theme when some skipped everything.
	Contributor string
	Answer      string // noun
	New         string // noun, "new answers"
	Answered    string // noun, "participants who answered"
}
