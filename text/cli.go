package text

// CLI holds what the consultbot command line says to the person at the
// terminal: its usage, the errors of its commands (what was wrong, what is
// valid and what to type) and the summaries of export, digest, backup and
// compact. The flags' own help stays English, as the flag package prints
// it. Errors of the layers below (a file that cannot be opened, a damaged
// database) keep their English wording after the command's context.
type CLI struct {
	Usage string // the whole usage, commands and global flags

	MissingCommand string
	UnknownCommand string // %q command
	UnexpectedArgs string // %[1]s command, %[2]q the arguments
	Failed         string // %s command, prefixed to an error from below
	LangFlag       string // %[1]s command, %[2]q value
	HeldByBot      string // %[1]s command, %[2]q database file
	NoAdminSocket  string // %q database, %s socket path
	NoDatabase     string // %q database file
	BadFlag        string // %[1]s command, %[2]v the flag package's error (English)
	FlagsOf        string // %s command; its flags follow, in English

	ConfigOK      string // %d themes, %d questions, %s channels
	ConfigInvalid string // followed by the problems, one a line

	DigestNeedsPrint string
	UnknownTheme     string // %q what was given; the themes follow, one a line
	ThemeLine        string // %d number, %s id, %s title
	ThemeExample     string

	ExportNeedsOut  string
	ExportFormat    string // %q value
	ExportSeparator string // %q value
	KeyMissing      string // %[1]s variable name (several times)
	KeyShort        string // %[1]s variable name, %[2]d bytes, %[3]d minimum
	Exported        string // %d count, %s noun
	ExportedTo      string // %d count, %s noun, %s file
	ExportedAnswer  string // noun, "answer|answers"
	VoiceCopied     string // %d count, %s VoiceNoun, %s directory
	VoiceNoun       string
	VoiceWhileRuns  string
	OutRefused      string // %[1]s command, %[2]q file, %[3]s why; then OutStdout for export
	OutStdout       string
	OutSymlink      string
	OutDirectory    string
	OutPipe         string
	OutDevice       string
	OutNotRegular   string
	OutIsDatabase   string

	BackupNeedsOut string
	BackedUp       string // %s database, %s copy, %s size, %s duration
	Compacted      string // %s database, %s size before, %s size after
}
