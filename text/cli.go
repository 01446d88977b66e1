package text

// CLI holds what the consultbot command line says to the person at the
// terminal: its usage, the errors of its commands (what was wrong, what is
// valid and what to type) and the summaries of export, digest, backup and
// compact, and the help of their flags. Errors of the layers below (a file
// that cannot be opened, a damaged database) keep their English wording
// after the command's context.
type CLI struct {
	// Usage is what consultbot help prints: what consultbot is and how
	// to call it; the commands follow, each with its line of Commands,
	// then UsageEnd (the global flag, how to get a command's help).
	Usage    string
	UsageEnd string
	// Commands says in one line what each command does, by its name, as
	// consultbot help lists it and as the command's help starts;
	// CommandNotes adds, for some, what more that help says below it.
	Commands     map[string]string
	CommandNotes map[string]string
	// CommandUsage is how to call a command (%[1]s) that takes flags,
	// CommandBare one that takes none.
	CommandUsage string
	CommandBare  string

	MissingCommand string
	UnknownCommand string // %q command
	CommandMeant   string // %[1]q command, %[2]s the command probably meant
	UnexpectedArgs string // %[1]s command, %[2]q the arguments
	Failed         string // %s command, prefixed to an error from below
	LangFlag       string // %[1]s command, %[2]q value
	HeldByBot      string // %[1]s command, %[2]q database file
	NoAdminSocket  string // %q database, %s socket path
	// What is wrong with the admin socket (admin.SocketError), by problem.
	SocketTooLong    string // %[1]s socket, %[2]d its length in bytes, %[3]d the most
	SocketDirNotDir  string // %s directory
	SocketDirOwner   string // %[1]s directory, %[2]d its owner, %[3]d this user
	SocketDirOpen    string // %[1]s directory, %04[2]o its mode
	SocketInTheWay   string // %s path
	SocketOpen       string // %[1]s socket, %04[2]o its mode
	SocketOtherUser  string // %[1]s socket, %[2]d its owner, %[3]d this user
	SocketOtherOwner string // %[1]s socket, %[2]d its owner, %[3]d the database's
	SocketOtherPeer  string // %[1]s socket, %[2]d the user serving it, %[3]d its owner
	BotCutShort      string // the running bot stopped before the end of its answer
	RunningBotSaid   string // %s what the running bot answered (in its words)
	NoDatabase       string // %q database file
	DBDamaged        string // %[1]q database file, %[2]s what is wrong (English)
	DBMode           string // %[1]q database file, %[2]o its mode
	DBInUse          string // %q database file
	DBOpen           string // %q database file, %v why (from below, English)
	// What is wrong with a flag, for « consultbot » (%[1]s) or one of its
	// commands (« consultbot export »): no such flag (%[2]s), one near it
	// (%[3]s), no value given (%[3]s the kind of value its help names), a
	// value refused (%[3]s), a word that is no flag. BadFlag says any
	// other error of the flag package (%[2]v, English).
	FlagUnknown string
	FlagMeant   string
	FlagNoValue string
	FlagValue   string
	FlagSyntax  string
	BadFlag     string
	FlagsOf     string // %s command; its flags follow
	HelpOf      string // %[1]q what was given to help, which is no command
	Flags       Flags

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
	OutNoDir        string // %[1]s command, %[2]q file, %[3]s its directory
	OutSymlink      string
	OutDirectory    string
	OutPipe         string
	OutDevice       string
	OutNotRegular   string
	OutIsDatabase   string

	LostLead        string // the etcd lease expired: this replica stops
	TelegramConnect string // %w why (from below, English)
	ChannelStopped  string // %s channel, %w why (from below, English)
	ChannelsSlow    string // the channels did not stop within the shutdown timeout

	BackupNeedsOut string
	BackedUp       string // %s database, %s copy, %s size, %s duration
	Compacted      string // %s database, %s size before, %s size after
	SizeUnits      string // bytes|KiB|MiB|GiB, as sizes are written
	DecimalMark    string

	// The configuration's problems: where each stands, then its wording.
	ConfigAt        string // %q file, %d line
	ConfigColumn    string // %d column, after ConfigAt
	ConfigIn        string // %q file, for a problem of the whole file
	Then            string // %s a place or key, %s what is wrong there
	UnknownKey      string // %q key
	UnknownKeyMeant string // %q key, %q the key probably meant
	Warning         string // %s what was corrected (a problem, key first)
	Problems        map[Problem]string

	PaidBroadcasts string // %d Stars a day, %d messages
	WebChatOn      string // %s the page's address
	WebListen      string // %q address, %v why (from the system, English)

	MigrateNeeds    string // %s flag
	MigrateNotSpec  string // %s flag, %q value
	MigrateSide     string // %s flag; the problems follow, one a line
	MigrateSame     string
	MigrateNoSource string // %s the file given to --from
	MigrateTable    string // the table's columns, separated by tabs
	Migrated        string // %s source, %s destination, %d keys, %d buckets

	VoiceDirCreate string // %q directory, %v why (from the system, English)
	VoiceDirNotDir string // %q directory
	VoiceDirOwn    string // %q directory
	VoiceDirCopy   string // %q directory, %v why (from the system, English)
}

// Flags is the help of the commands' flags, one a flag, as -h prints it.
// A word in backquotes names the flag's value ("database `FILE`").
type Flags struct {
	Config, DB, As, Organiser, From, To, Lang, DigestLang string
	BackupOut, ExportOut, Format, Separator, VoiceDir     string
	Raw, Print, Theme                                     string
}

// Problem names one kind of mistake in the configuration; CLI.Problems
// words it in each language, as a format whose arguments the problem
// carries. An argument that is itself a Problem (the reason of a range,
// the types of a wrong-type value) is worded in the same language.
type Problem string

// The configuration's problems. Each is worded without its key, which
// the report writes in front of it with the file and line.
const (
	NotRFC3339            Problem = "not_rfc3339"             // %q value
	NotOneOf              Problem = "not_one_of"              // %q value, %s the values allowed
	OutOfRange            Problem = "out_of_range"            // %v value, %v low, %v high, %s a Why… problem
	WhyAnswerLength       Problem = "why_answer_length"       // the reasons of OutOfRange…
	WhyGlobalRate         Problem = "why_global_rate"         //
	WhyChatRate           Problem = "why_chat_rate"           //
	WhyGroupRate          Problem = "why_group_rate"          //
	WhyPaidRequired       Problem = "why_paid_required"       //
	WhyPaid               Problem = "why_paid"                //
	WhyDays               Problem = "why_days"                //
	WhyInactiveDays       Problem = "why_inactive_days"       //
	WhyBackupHours        Problem = "why_backup_hours"        //
	WhyBackupKeep         Problem = "why_backup_keep"         //
	WhyDigestHours        Problem = "why_digest_hours"        //
	WhyFloodBurst         Problem = "why_flood_burst"         //
	WhyFloodRate          Problem = "why_flood_rate"          //
	WhySeconds            Problem = "why_seconds"             //
	WhyLease              Problem = "why_lease"               //
	WhyMaxPerPerson       Problem = "why_max_per_person"      //
	WhyAfterDays          Problem = "why_after_days"          //
	WhyVoiceBytes         Problem = "why_voice_bytes"         //
	WhyTranscriptions     Problem = "why_transcriptions"      // … to here
	BackupOnEtcd          Problem = "backup_on_etcd"          //
	TelegramToken         Problem = "telegram_token"          //
	NotHTTPURL            Problem = "not_http_url"            // %q value
	ZeroChatID            Problem = "zero_chat_id"            //
	NotUserID             Problem = "not_user_id"             // %d value
	WebhookListen         Problem = "webhook_listen"          //
	WebhookURL            Problem = "webhook_url"             // %q value
	WebhookSecret         Problem = "webhook_secret"          //
	DiscordToken          Problem = "discord_token"           //
	ApplicationIDMissing  Problem = "application_id_missing"  //
	NotDiscordID          Problem = "not_discord_id"          // %q value
	NotOneLine            Problem = "not_one_line"            //
	NotTimeZone           Problem = "not_time_zone"           // %q value
	NotDailyTime          Problem = "not_daily_time"          // %q value
	NotHostPort           Problem = "not_host_port"           // %q value, %s an example
	HostName              Problem = "host_name"               // %q value, %s an example
	NotPath               Problem = "not_path"                // %q value, %s an example
	PublicKeyMissing      Problem = "public_key_missing"      //
	PublicKeyHex          Problem = "public_key_hex"          //
	NotClock              Problem = "not_clock"               // %q value, %q an example
	UntilNotAfterFrom     Problem = "until_not_after_from"    // %q until, %q from
	NotWeekday            Problem = "not_weekday"             // %q value
	EveryDayQuiet         Problem = "every_day_quiet"         //
	IDKeyShort            Problem = "id_key_short"            // %d length, %d minimum
	IDKeyForRun           Problem = "id_key_for_run"          //
	IDKeyForWeb           Problem = "id_key_for_web"          // %s listen address
	EmptyPath             Problem = "empty_path"              //
	EndpointsMissing      Problem = "endpoints_missing"       //
	NotEndpoint           Problem = "not_endpoint"            // %q value
	PlainHTTPWithTLS      Problem = "plain_http_with_tls"     // %q value
	NotPrefix             Problem = "not_prefix"              // %q value
	CertWithoutKey        Problem = "cert_without_key"        //
	CannotRead            Problem = "cannot_read"             // %q file, %v why (from the system, English)
	NoPEM                 Problem = "no_pem"                  // %q file
	BadCertificate        Problem = "bad_certificate"         // %v why (English)
	PasswordMissing       Problem = "password_missing"        // %s variable
	UsernameMissing       Problem = "username_missing"        // %s variable
	NotDuration           Problem = "not_duration"            // %q value, %q an example
	DurationRange         Problem = "duration_range"          // %s value, %s low, %s high
	ShutdownTimeout       Problem = "shutdown_timeout"        // %q value
	VoiceDirIsDatabase    Problem = "voice_dir_is_database"   // %q value
	ProgramEmpty          Problem = "program_empty"           //
	ProgramNotFound       Problem = "program_not_found"       // %q program
	DeleteNeedsTranscript Problem = "delete_needs_transcript" //
	NotProxy              Problem = "not_proxy"               // %q value
	BackupDirCreate       Problem = "backup_dir_create"       // %q directory, %v why (English)
	BackupDirOpen         Problem = "backup_dir_open"         // %q directory, %04o mode, %q directory
	DefinedTwice          Problem = "defined_twice"           //
	Syntax                Problem = "syntax"                  // %s the TOML parser's words (English)
	WrongType             Problem = "wrong_type"              // %s expected (Type…), %s found (Type…)
	TypeString            Problem = "type_string"             // the types of WrongType…
	TypeQuoted            Problem = "type_quoted"             //
	TypeWhole             Problem = "type_whole"              //
	TypeNumber            Problem = "type_number"             //
	TypeDecimal           Problem = "type_decimal"            //
	TypeBool              Problem = "type_bool"               //
	TypeStrings           Problem = "type_strings"            //
	TypeWholes            Problem = "type_wholes"             //
	TypeList              Problem = "type_list"               //
	TypeListOf            Problem = "type_list_of"            // %s the element's type (Type…)
	TypeSection           Problem = "type_section"            //
	TypeTable             Problem = "type_table"              //
	TypeDate              Problem = "type_date"               //
	TypeOther             Problem = "type_other"              // %s the type as Go names it; … to here
	NoConfigFile          Problem = "no_config_file"          //
	ConfigUnreadable      Problem = "config_unreadable"       // %v why (English)
	QuestionnaireInvalid  Problem = "questionnaire_invalid"   // %q file, %v what is wrong (English)
	TokenTrimmed          Problem = "token_trimmed"           //
)
