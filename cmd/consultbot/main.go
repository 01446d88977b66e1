package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
	// The digest schedule names a time zone (Europe/Paris by default): embed
	// the zone database so the binary does not depend on the host's tzdata.
	_ "time/tzdata"

	"consultbot/admin"
	"consultbot/bot"
	"consultbot/bot/terminal"
	"consultbot/flows"
	"consultbot/internal/fold"
	"consultbot/metrics"
	"consultbot/organiser"
	"consultbot/secret"
	"consultbot/storage"
	"consultbot/storage/etcdkv"
	"consultbot/text"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module's build information is used.
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(NewMain().Execute(ctx, os.Args[1:], stop))
}

// Execute runs the command line args as the consultbot program does and
// returns its exit status: 0 once done (help asked for included), 2 for
// a mistake on the command line, 1 when the command failed, which it says
// on Stderr. Everything it prints ends with one line break. stopSignals,
// when set, runs as the command ends, before the shutdown: a second Ctrl-C
// during it kills at once, as people expect.
func (m *Main) Execute(ctx context.Context, args []string, stopSignals func()) int {
	if err := m.ParseFlags(ctx, args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		sayLine(m.Stderr, err.Error())
		return 2
	}
	err := m.Run(ctx)
	if stopSignals != nil {
		stopSignals()
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		sayLine(m.Stderr, fmt.Sprintf(m.t().Failed+"%v", "consultbot", err))
		return 1
	}
	return 0
}

// sayLine writes msg and one line break, whatever line breaks msg ends
// with.
func sayLine(w io.Writer, msg string) {
	fmt.Fprintln(w, strings.TrimRight(msg, "\r\n"))
}

// Main is the program: the parsed command line, then everything Run opens
// and Close shuts down. Its fields are set by NewMain and may be replaced by
// tests before Run.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv resolves ${NAME} in the configuration.
	Getenv func(string) string
	// ShutdownTimeout bounds how long Close waits for the channels to stop
	// and the outbox to drain; zero takes [delivery] shutdown_timeout.
	ShutdownTimeout time.Duration

	command string
	// lang is the language of what the command line says (cliLang).
	lang       string
	configPath string
	dbPath     string // -db, overrides storage.path
	as         string // -as, the terminal participant's name
	org        orgFlags

	logger *slog.Logger
	// redact removes the configuration's secrets from every log line and
	// from the error Run and Close return; loadAll builds it.
	redact *secret.Redactor
	// restoreSDKLogs undoes the routing of an SDK's package-level logger.
	restoreSDKLogs func()
	db             *storage.DB
	cluster        *etcdkv.Backend // the etcd backend of db, nil on bbolt
	migrate        struct{ from, to string }
	// lead is this replica's leadership with the etcd backend; leading,
	// when set (tests), is closed once it leads.
	lead     *leadership
	leading  chan struct{}
	engine   *bot.Engine
	stopChan context.CancelFunc // stops the channels started by run
	chanWG   sync.WaitGroup

	// delivering is set once the engine delivers: on bbolt at once, on
	// etcd once this replica leads (readiness, see newMetrics).
	delivering atomic.Bool

	// organisers runs organiser commands and periodic digests; run sets it
	// before the channels (see organiserService).
	organisers *organiser.Service
	// shutdownTimeout is [delivery] shutdown_timeout, which run reads.
	shutdownTimeout time.Duration

	// Operations (admin.go, metrics.go, backup.go): the admin socket, the
	// metrics and their listener; opsMu guards metricsSrv.
	admin      *admin.Server
	metrics    *metrics.Metrics
	opsMu      sync.Mutex
	metricsSrv *metrics.Server
}

// NewMain returns a Main wired to the process's standard streams and
// environment.
func NewMain() *Main {
	return &Main{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
	}
}

// cliLang is the language of the command line's messages: the first of
// LC_ALL, LC_MESSAGES and LANG that is set, as POSIX orders them, when it
// names English ("en_GB.UTF-8"); French, the organisers' language,
// otherwise (also for C, POSIX and C.UTF-8, a server's usual setting).
func cliLang(getenv func(string) string) string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			return text.Lang(v)
		}
	}
	return text.FR
}

// t is the catalogue of the command line's messages.
func (m *Main) t() *text.CLI { return &text.For(m.lang).CLI }

// ParseFlags reads the global flags, the command and its flags. Help,
// asked for with help or -h, goes to Stdout and returns flag.ErrHelp.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	if m.Getenv != nil {
		m.lang = cliLang(m.Getenv)
	} else {
		m.lang = text.FR
	}
	global := flag.NewFlagSet("consultbot", flag.ContinueOnError)
	// The flag package's own lines are English: the usage is the
	// catalogue's, and an error is said in flagError's words.
	global.SetOutput(io.Discard)
	global.Usage = func() { m.usage(m.Stdout) }
	global.StringVar(&m.configPath, "config", "", m.t().Flags.Config)
	if err := global.Parse(args); errors.Is(err, flag.ErrHelp) {
		return err
	} else if err != nil {
		return m.flagError(global, err)
	}
	if global.NArg() == 0 {
		m.usage(m.Stderr)
		return errors.New(m.t().MissingCommand)
	}
	m.command, args = global.Arg(0), global.Args()[1:]
	if m.command == "help" {
		return m.help(args)
	}
	fs := m.flagSet(m.command)
	if fs == nil {
		if near := nearCommand(m.command); near != "" {
			return fmt.Errorf(m.t().CommandMeant, m.command, near)
		}
		m.usage(m.Stderr)
		return fmt.Errorf(m.t().UnknownCommand, m.command)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		m.commandHelp(m.Stdout, m.command, fs)
		return err
	} else if err != nil {
		return m.flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(m.t().UnexpectedArgs, m.command, strings.Join(fs.Args(), " "))
	}
	return nil
}

// flagSet returns the flags of command, bound to m, or nil when there is
// no such command. Every command but version reads the configuration,
// and takes -config after its name as well as before.
func (m *Main) flagSet(command string) *flag.FlagSet {
	fs := flag.NewFlagSet("consultbot "+command, flag.ContinueOnError)
	// The flag package's own messages are English and would come twice
	// (its line, then main's): the command says it once, in its language.
	fs.SetOutput(io.Discard)
	help := &m.t().Flags
	if command != "version" {
		fs.StringVar(&m.configPath, "config", m.configPath, help.Config)
	}
	switch command {
	case "chat":
		fs.StringVar(&m.dbPath, "db", "", help.DB)
		fs.StringVar(&m.as, "as", terminal.DefaultName, help.As)
		fs.BoolVar(&m.org.console, "organiser", false, help.Organiser)
	case "run", "compact":
		fs.StringVar(&m.dbPath, "db", "", help.DB)
	case "migrate":
		fs.StringVar(&m.migrate.from, "from", "", help.From)
		fs.StringVar(&m.migrate.to, "to", "", help.To)
	case "check-config", "version":
	case "stats":
		fs.StringVar(&m.dbPath, "db", "", help.DB)
		fs.StringVar(&m.org.lang, "lang", m.lang, help.Lang)
	case "backup":
		fs.StringVar(&m.dbPath, "db", "", help.DB)
		fs.StringVar(&m.org.out, "out", "", help.BackupOut)
	default:
		if !m.orgCommands(command, fs) {
			return nil
		}
	}
	return fs
}

// help is consultbot help: the usage with every command, or with a
// command's name, that command's help.
func (m *Main) help(args []string) error {
	switch len(args) {
	case 0:
		m.usage(m.Stdout)
		return flag.ErrHelp
	case 1:
		if fs := m.flagSet(args[0]); fs != nil {
			m.commandHelp(m.Stdout, args[0], fs)
			return flag.ErrHelp
		}
		if near := nearCommand(args[0]); near != "" {
			return fmt.Errorf(m.t().CommandMeant, args[0], near)
		}
		return fmt.Errorf(m.t().HelpOf, args[0])
	}
	return fmt.Errorf(m.t().UnexpectedArgs, "help", strings.Join(args[1:], " "))
}

// usage writes what consultbot is, how to call it, and its commands, one
// a line with what it does.
func (m *Main) usage(w io.Writer) {
	t := m.t()
	var b strings.Builder
	b.WriteString(t.Usage)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-13s %s\n", c, t.Commands[c])
	}
	b.WriteString(t.UsageEnd)
	sayLine(w, b.String())
}

// commandHelp writes the help of command: what it does, in one line,
// what more there is to know, how to call it, and its flags.
func (m *Main) commandHelp(w io.Writer, command string, fs *flag.FlagSet) {
	t := m.t()
	var b strings.Builder
	b.WriteString(sentence(t.Commands[command]) + "\n")
	if note := t.CommandNotes[command]; note != "" {
		b.WriteString("\n" + note + "\n")
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		fmt.Fprintf(&b, "\n"+t.CommandBare+"\n", command)
	} else {
		fmt.Fprintf(&b, "\n"+t.CommandUsage+"\n\n"+t.FlagsOf+"\n", command, command)
		printFlags(&b, fs)
	}
	sayLine(w, b.String())
}

// sentence writes a command's line of the catalogue as a sentence: a
// capital first, a full stop last.
func sentence(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:] + "."
}

// flagErrors read the errors of the flag package, whose words are
// English: an unknown flag, a missing value, a value refused, a word that
// is no flag.
var (
	flagUnknown = regexp.MustCompile(`^flag provided but not defined: -(.*)$`)
	flagNoValue = regexp.MustCompile(`^flag needs an argument: -(.*)$`)
	flagValue   = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]*): `)
	flagSyntax  = regexp.MustCompile(`^bad flag syntax: (.*)$`)
)

// flagError says err, an error of fs.Parse, in the command line's
// language: which flag, what was wrong, what to type.
func (m *Main) flagError(fs *flag.FlagSet, err error) error {
	t, msg, cmd := m.t(), err.Error(), fs.Name()
	if g := flagUnknown.FindStringSubmatch(msg); g != nil {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if near := onlyNear(strings.ToLower(g[1]), names, func(n string) int { return min(2, len(n)/3) }); near != "" {
			return fmt.Errorf(t.FlagMeant, cmd, g[1], near)
		}
		return fmt.Errorf(t.FlagUnknown, cmd, g[1])
	}
	if g := flagNoValue.FindStringSubmatch(msg); g != nil {
		value := "…"
		if f := fs.Lookup(g[1]); f != nil {
			value, _ = flag.UnquoteUsage(f)
		}
		return fmt.Errorf(t.FlagNoValue, cmd, g[1], value)
	}
	if g := flagValue.FindStringSubmatch(msg); g != nil {
		if value, err := strconv.Unquote(g[1]); err == nil {
			return fmt.Errorf(t.FlagValue, cmd, g[2], value)
		}
	}
	if g := flagSyntax.FindStringSubmatch(msg); g != nil {
		return fmt.Errorf(t.FlagSyntax, cmd, g[1])
	}
	return fmt.Errorf(t.BadFlag, cmd, err)
}

// commands are the command line's commands, as the usage lists them.
var commands = []string{"chat", "run", "check-config", "export", "digest", "stats", "backup", "compact", "migrate", "version"}

// nearCommand returns the one command within two typos of typed
// (« versio », « exprot »), or "".
func nearCommand(typed string) string {
	return onlyNear(strings.ToLower(typed), commands, func(c string) int { return min(2, len(c)/3) })
}

// onlyNear returns the one of names within typos(name) typos of typed, or
// "" when none or several are: a suggestion is made only when one name
// stands out.
func onlyNear(typed string, names []string, typos func(name string) int) string {
	near := ""
	for _, n := range names {
		if fold.Distance(typed, n) <= typos(n) {
			if near != "" {
				return ""
			}
			near = n
		}
	}
	return near
}

// printFlags lists the flags of fs with their help, as the flag package
// does but without its English "(default …)": each help of the catalogue
// says its default in its own language.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		if _, ok := f.Value.(interface{ IsBoolFlag() bool }); ok {
			value = ""
		}
		fmt.Fprintf(w, "  -%s", f.Name)
		if value != "" {
			fmt.Fprintf(w, " %s", value)
		}
		fmt.Fprintf(w, "\n    \t%s\n", strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// Run executes the command. For chat and run it returns when the
// conversation ends or ctx is cancelled; Close then shuts everything down.
// Its error never holds a secret of the configuration.
func (m *Main) Run(ctx context.Context) error {
	return m.redact.Error(m.worded(m.run(ctx)))
}

// worded words a problem of the configuration that reaches the command
// line on its own (a backup directory open to others, say) in the
// command line's language; other errors are left as they are.
func (m *Main) worded(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) && ce.Error() == err.Error() {
		return &reported{msg: ce.In(m.t()), err: err}
	}
	if errors.Is(err, errLostLead) {
		return &reported{msg: m.t().LostLead, err: err}
	}
	var oe *storage.OpenError
	if errors.As(err, &oe) && oe.Error() == err.Error() {
		return &reported{msg: m.openProblem(oe), err: err}
	}
	var se *admin.SocketError
	if errors.As(err, &se) && se.Error() == err.Error() {
		return &reported{msg: m.socketProblem(se), err: err}
	}
	if errors.Is(err, admin.ErrTruncated) && err.Error() == admin.ErrTruncated.Error() {
		return &reported{msg: m.t().BotCutShort, err: err}
	}
	var re *admin.RemoteError
	if errors.As(err, &re) && re.Error() == err.Error() {
		return &reported{msg: fmt.Sprintf(m.t().RunningBotSaid, re.Message), err: err}
	}
	return err
}

// socketProblem words what is wrong with the admin socket, for run and
// chat that open it and for the commands that reach the bot through it.
func (m *Main) socketProblem(se *admin.SocketError) string {
	t := m.t()
	switch se.Problem {
	case admin.PathTooLong:
		return fmt.Sprintf(t.SocketTooLong, se.Path, se.Len, se.Max)
	case admin.DirNotDir:
		return fmt.Sprintf(t.SocketDirNotDir, se.Path)
	case admin.DirOwner:
		return fmt.Sprintf(t.SocketDirOwner, se.Path, se.Owner, se.User)
	case admin.DirOpen:
		return fmt.Sprintf(t.SocketDirOpen, se.Path, uint32(se.Mode.Perm()))
	case admin.NotSocket:
		return fmt.Sprintf(t.SocketInTheWay, se.Path)
	case admin.SocketOpen:
		return fmt.Sprintf(t.SocketOpen, se.Path, uint32(se.Mode.Perm()))
	case admin.OtherUser:
		return fmt.Sprintf(t.SocketOtherUser, se.Path, se.Owner, se.User)
	case admin.OtherOwner:
		return fmt.Sprintf(t.SocketOtherOwner, se.Path, se.Owner, se.User)
	case admin.OtherPeer:
		return fmt.Sprintf(t.SocketOtherPeer, se.Path, se.User, se.Owner)
	}
	return se.Error()
}

// openProblem words a database that could not be opened: damaged, open
// to others, in use, missing; or else what the layer below said.
func (m *Main) openProblem(oe *storage.OpenError) string {
	t := m.t()
	var damaged *storage.DamagedError
	var mode *storage.ModeError
	switch {
	case errors.As(oe.Err, &damaged):
		return fmt.Sprintf(t.DBDamaged, oe.Path, damaged.Reason)
	case errors.As(oe.Err, &mode):
		return fmt.Sprintf(t.DBMode, oe.Path, mode.Mode)
	case errors.Is(oe.Err, storage.ErrInUse), errors.Is(oe.Err, storage.ErrLockedByWriter):
		return fmt.Sprintf(t.DBInUse, oe.Path)
	case errors.Is(oe.Err, storage.ErrNoFile):
		return fmt.Sprintf(t.NoDatabase, oe.Path)
	}
	return fmt.Sprintf(t.DBOpen, oe.Path, oe.Err)
}

func (m *Main) run(ctx context.Context) error {
	switch m.command {
	case "version":
		_, err := fmt.Fprintln(m.Stdout, "consultbot", Version())
		return err
	case "check-config":
		return m.checkConfig()
	case "chat":
		return m.runChat(ctx)
	case "run":
		err := m.runBot(ctx)
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			// Stopped while starting (a stand-by that had just taken the
			// lead, say): a clean stop, what was committed stays.
			if m.logger != nil {
				m.logger.Info("stopped while starting", "cause", context.Cause(ctx))
			}
			return nil
		}
		return err
	case "export":
		return m.runExport(ctx)
	case "digest":
		return m.runDigest(ctx)
	case "compact":
		return m.runCompact()
	case "stats":
		return m.runStats(ctx)
	case "backup":
		return m.runBackup(ctx)
	case "migrate":
		return m.runMigrate(ctx)
	}
	return fmt.Errorf("unknown command %q", m.command)
}

// Version returns the version set at link time, else the module version and
// VCS revision recorded by the go command.
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " (" + rev + modified + ")"
	}
	return v
}

// loadAll reads and validates the configuration and the questionnaire,
// reporting every problem at once.
func (m *Main) loadAll() (Config, *flows.Questionnaire, error) {
	cfg, err := LoadConfig(m.configPath, m.Getenv)
	m.redact = secret.NewRedactor(string(cfg.Telegram.Token), string(cfg.Discord.Token),
		string(cfg.Telegram.WebhookSecret), string(cfg.Security.IDKey), string(cfg.Storage.Password))
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(m.Stderr, m.t().Warning+"\n", w.In(m.t()))
	}
	if err != nil {
		return cfg, nil, err
	}
	if m.dbPath != "" {
		cfg.Storage.Path = m.dbPath
	}
	verr := cfg.Validate()
	q, qerr := loadQuestionnaire(cfg.Consultation.Questionnaire)
	if err := errors.Join(verr, qerr); err != nil {
		return cfg, nil, err
	}
	return cfg, q, nil
}

func loadQuestionnaire(path string) (*flows.Questionnaire, error) {
	if path == "" {
		return flows.DefaultQuestionnaire(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, invalid("consultation.questionnaire", text.CannotRead, path, errors.Unwrap(err))
	}
	defer f.Close()
	q, err := flows.LoadQuestionnaire(f)
	if err != nil {
		return nil, invalid("consultation.questionnaire", text.QuestionnaireInvalid, path, err)
	}
	return q, nil
}

// configInvalid introduces the configuration's problems, one a line, in
// the language of the command line.
func (m *Main) configInvalid(err error) error {
	return &reported{msg: m.t().ConfigInvalid + "\n" + m.problems(err), err: err}
}

// problems writes the problems joined in err, one a line, each
// *ConfigError in the language of the command line.
func (m *Main) problems(err error) string {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		var ce *ConfigError
		switch e := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, e := range e.Unwrap() {
				walk(e)
			}
		default:
			if errors.As(err, &ce) && ce.Error() == err.Error() {
				lines = append(lines, ce.In(m.t()))
			} else {
				lines = append(lines, err.Error())
			}
		}
	}
	walk(err)
	return strings.Join(lines, "\n")
}

// reported is an error worded for the person at the command line, which
// keeps the error it words for errors.Is and errors.As.
type reported struct {
	msg string
	err error
}

func (e *reported) Error() string { return e.msg }
func (e *reported) Unwrap() error { return e.err }

func (m *Main) checkConfig() error {
	cfg, q, err := m.loadAll()
	if err != nil {
		return m.configInvalid(err)
	}
	_, err = fmt.Fprintf(m.Stdout, m.t().ConfigOK+"\n",
		len(q.Themes), q.QuestionCount(), strings.Join(cfg.Channels(), ", "))
	if t := cfg.Telegram; err == nil && t.Token != "" && t.PaidBroadcast {
		_, err = fmt.Fprintf(m.Stdout, m.t().PaidBroadcasts+"\n",
			t.PaidBroadcastStarsPerDay, t.PaidBroadcastStarsPerDay*10)
	}
	return err
}

// open builds the logger, opens the database and the engine: what chat and
// run share.
func (m *Main) open(cfg Config, q *flows.Questionnaire, minLevel slog.Level) error {
	level, _ := cfg.Log.level() // validated
	m.logger = slog.New(m.redact.Handler(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: max(level, minLevel)})))

	// Headroom, so that a hot backup (a long read transaction) does not
	// hold writers up while the file grows (storage.MmapHeadroom).
	db, cluster, err := cfg.Storage.openStore(storage.Options{
		InitialMmapSize:   storage.MmapHeadroom(cfg.Storage.Path),
		Voice:             cfg.Voice.storageOptions(),
		HoldBehindBacklog: cfg.replicasApply(),
	})
	if err != nil {
		return err
	}
	m.db, m.cluster = db, cluster
	closesAt, _ := cfg.Consultation.closesAt()       // validated
	loc, _ := time.LoadLocation(cfg.Digest.TimeZone) // validated
	machine := flows.NewMachine(q, flows.Config{
		Location:    loc,
		ClosesAt:    closesAt,
		MaxText:     cfg.Consultation.MaxAnswerLength,
		DefaultLang: cfg.Consultation.DefaultLanguage,
		Privacy: flows.Privacy{
			Controller:              cfg.Privacy.Controller,
			Contact:                 cfg.Privacy.Contact,
			InactiveDays:            cfg.Privacy.InactiveDays,
			RetentionDaysAfterClose: cfg.Privacy.RetentionDaysAfterClose,
		},
		Voice:     cfg.Voice.flowsSettings(),
		Reminders: cfg.Reminders.settings(),
	})
	m.engine = bot.New(db, machine, m.logger)
	if cfg.Reminders.MaxPerPerson > 0 {
		m.engine.SetCampaigns(db, bot.CampaignOptions{})
	}
	budget, _ := cfg.Delivery.budget() // validated
	m.engine.SetBudget(budget)
	return nil
}

func (m *Main) runChat(ctx context.Context) error {
	cfg, q, err := m.loadAll()
	if err != nil {
		return m.configInvalid(err)
	}
	// Warnings only: log lines would break up the conversation.
	if err := m.open(cfg, q, slog.LevelWarn); err != nil {
		return err
	}
	if err := m.startAdmin(cfg, q); err != nil {
		// The conversation works without it; only export while it runs
		// does not.
		m.logger.Warn("no admin socket: export, digest, stats and backup cannot reach this chat while it runs", "err", err)
	}
	if m.org.console {
		return m.runOrganiserConsole(ctx, cfg, q)
	}
	term := terminal.New(m.engine, m.Stdin, m.Stdout, terminal.Options{
		Name: m.as,
		// The terminal's own language code, as Telegram's app language
		// is: a newcomer, or someone starting again after erasing
		// everything (their choice of language erased with the rest),
		// is welcomed in the language of LANG.
		Lang:   m.lang,
		Logger: m.logger.With("platform", bot.ChannelTerminal),
		// "My data" files go next to the database, 0600 like it, named
		// after it.
		DocumentDir:    filepath.Dir(cfg.Storage.Path),
		DocumentPrefix: filepath.Base(cfg.Storage.Path),
		Sessions:       m.db,
	})
	m.engine.AddSender(bot.ChannelTerminal, term)
	if err := m.engine.Start(ctx); err != nil {
		return err
	}
	if err := term.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// channel is one platform the run command drives.
type channel struct {
	name   string
	sender bot.Sender
	// run is what the replica that leads runs (the only one, on bbolt).
	run func(ctx context.Context) error
	// serve, when set, receives events on every replica sharing an etcd
	// cluster, from the start, leading or not: each applies what it
	// receives, and the leader delivers for all (Config.replicasApply).
	serve func(ctx context.Context) error
}

// replicasApply reports whether the replicas of this configuration each
// apply the events they receive, standing by or not: with the etcd
// backend, when a channel receives events that any replica may take
// (Telegram's webhook, Discord's interactions endpoint; getUpdates
// admits one poller, the leader). The
// leader then delivers what every replica commits, through the outbox
// feed (bot.Engine.Follow).
func (c Config) replicasApply() bool {
	return c.telegramOnReplicas() || (c.Storage.Backend == BackendEtcd && c.Discord.Token != "" && c.Discord.interactionsOn())
}

// telegramOnReplicas reports whether every replica serves Telegram's
// webhook: etcd storage in webhook mode (polling is the leader's alone).
func (c Config) telegramOnReplicas() bool {
	return c.Storage.Backend == BackendEtcd && c.Telegram.Token != "" && c.Telegram.Mode == ModeWebhook
}

// goChannel runs fn, one of a channel's loops, until ctx (the channels'
// context) ends; a failure before that goes to fail.
func (m *Main) goChannel(ctx context.Context, name string, fn func(context.Context) error, fail func(error)) {
	m.chanWG.Add(1)
	go func() {
		defer m.chanWG.Done()
		m.logger.Info("channel started", "platform", name)
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			fail(fmt.Errorf(m.t().ChannelStopped, name, err))
		}
	}()
}

func (m *Main) runBot(ctx context.Context) error {
	cfg, q, err := m.loadAll()
	if err != nil {
		return m.configInvalid(err)
	}
	if err := cfg.Security.checkRun(cfg); err != nil {
		return m.configInvalid(err)
	}
	if err := m.open(cfg, q, slog.LevelDebug); err != nil {
		return err
	}
	m.shutdownTimeout, _ = cfg.Delivery.shutdown() // validated
	if err := m.engine.SetFlood(cfg.Security.floodLimit()); err != nil {
		return err
	}
	m.logger.Info("starting consultbot", "version", Version(), "config", cfg)
	if err := m.newMetrics(cfg); err != nil {
		return err
	}
	// The channels outlive ctx: Close stops them, after the signal, in
	// order with the engine and the database.
	chanCtx, stopChan := context.WithCancel(context.Background())
	m.stopChan = stopChan
	if err := m.newOrganisers(cfg, q); err != nil {
		return err
	}
	chans, err := m.channels(chanCtx, cfg, q)
	if err != nil {
		return err
	}
	if web, err := m.webChannel(chanCtx, cfg, q); err != nil {
		return err
	} else if web != nil {
		chans = append(chans, *web)
	}
	for _, c := range chans {
		m.engine.AddSender(c.name, c.sender)
	}
	if err := m.startOps(chanCtx, cfg, q); err != nil {
		return err
	}

	// Receiving starts on every replica; a failure meanwhile ends the
	// wait for the lead too.
	failed := make(chan error, 2*len(chans))
	standBy, stopStandingBy := context.WithCancel(ctx)
	defer stopStandingBy()
	fail := func(err error) { failed <- err; stopStandingBy() }
	for _, c := range chans {
		if c.serve != nil {
			m.goChannel(chanCtx, c.name, c.serve, fail)
		}
	}
	m.serveOrganisers(chanCtx)
	if m.cluster != nil {
		// Replicas share the cluster: one leads, the others wait here
		// (applying what they receive, when replicasApply).
		lead, err := m.campaign(standBy, cfg.Storage)
		if ctx.Err() != nil {
			m.logger.Info("shutting down", "cause", context.Cause(ctx))
			return nil
		}
		select {
		case ferr := <-failed:
			return ferr
		default:
		}
		if err != nil {
			return err
		}
		m.lead = lead
		m.engine.Fence(m.lead.held())
		if cfg.replicasApply() {
			m.engine.Follow(m.db)
		}
	}
	if err := m.engine.Start(ctx); err != nil {
		return err
	}
	m.delivering.Store(true)
	if err := m.startVoice(chanCtx, cfg, chans); err != nil {
		return err
	}

	for _, c := range chans {
		m.goChannel(chanCtx, c.name, c.run, fail)
	}
	// Retention stops with the channels, before the database closes.
	m.chanWG.Add(1)
	go func() {
		defer m.chanWG.Done()
		m.retention(chanCtx, cfg, retentionInterval)
	}()
	m.startDigests(chanCtx)
	select {
	case <-ctx.Done():
		m.logger.Info("shutting down", "cause", context.Cause(ctx))
		return nil
	case err := <-failed:
		return err
	case <-m.lead.lost():
		return errLostLead
	case err := <-m.engine.FeedErr():
		return err
	}
}

// Close stops the channels, lets the engine finish the events in flight
// and drain the outbox, then closes the database, all within
// ShutdownTimeout. What is not delivered by then stays in the outbox and is
// sent at the next start: a clean stop all the same.
func (m *Main) Close() error {
	timeout := cmp.Or(max(m.ShutdownTimeout, 0), m.shutdownTimeout, defaultShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	if m.stopChan != nil {
		m.stopChan()
		stopped := make(chan struct{})
		go func() { m.chanWG.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-ctx.Done():
			errs = append(errs, errors.New(m.t().ChannelsSlow))
		}
	}
	if m.engine != nil {
		if err := m.engine.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	// Delivery is drained: the next replica may lead.
	if err := m.lead.resign(ctx); err != nil {
		m.logger.Warn("resign the lead", "err", err)
	}
	// The admin socket and the metrics read the database: they go first.
	errs = append(errs, m.closeAdmin(), m.closeMetrics(ctx))
	if m.db != nil {
		if err := m.db.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if m.restoreSDKLogs != nil {
		m.restoreSDKLogs()
	}
	return m.redact.Error(errors.Join(errs...))
}
