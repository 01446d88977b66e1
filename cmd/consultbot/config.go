package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/pelletier/go-toml/v2"

	"consultbot/secret"
	"consultbot/text"
)

// DefaultConfigPath is the file read when -config is not given, if it exists.
const DefaultConfigPath = "consultbot.toml"

// Secret is a string that never prints: fmt, slog and %#v all show it
// redacted, so a config dumped into a log line cannot leak a token.
type Secret string

const redacted = secret.Placeholder

// String returns a placeholder instead of the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the secret.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue keeps slog from printing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Config is the whole configuration of consultbot, as read from TOML.
type Config struct {
	Consultation ConsultationConfig `toml:"consultation"`
	Storage      StorageConfig      `toml:"storage"`
	Log          LogConfig          `toml:"log"`
	Telegram     TelegramConfig     `toml:"telegram"`
	Discord      DiscordConfig      `toml:"discord"`
	Digest       DigestConfig       `toml:"digest"`
	Privacy      PrivacyConfig      `toml:"privacy"`
	Security     SecurityConfig     `toml:"security"`
	Delivery     DeliveryConfig     `toml:"delivery"`
	// Operations (backup.go, metrics.go).
	Backup  BackupConfig  `toml:"backup"`
	Metrics MetricsConfig `toml:"metrics"`
	Voice   VoiceConfig   `toml:"voice"`
	Web     WebConfig     `toml:"web"`
	// Reminders (reminders.go).
	Reminders RemindersConfig `toml:"reminders"`

	// src is where the values came from, when a file: Validate then puts
	// the line of each offending key in front of its problem.
	src *configSource
	// warnings are what LoadConfig fixed by itself (spaces around a
	// token), for the command to print; they never hold a value.
	warnings []*ConfigError
}

// PrivacyConfig names who answers for the processing (shown in the consent
// text) and sets the retention periods that run enforces (see
// docs/PRIVACY.md).
type PrivacyConfig struct {
	// Controller is the data controller's name; empty: "the organisers".
	Controller string `toml:"controller"`
	// Contact is where participants write about their data (an address
	// or a URL); empty: not shown.
	Contact string `toml:"contact"`
	// RetentionDaysAfterClose is how long after closes_at the platform
	// addresses left in the database are kept.
	RetentionDaysAfterClose int `toml:"retention_days_after_close"`
	// InactiveDays is how long a draft (no theme confirmed) may stay
	// untouched before it is erased; 0 never erases drafts.
	InactiveDays int `toml:"inactive_days"`
}

// ConsultationConfig describes the consultation itself.
type ConsultationConfig struct {
	// Questionnaire is a questionnaire JSON file; empty means the embedded one.
	Questionnaire string `toml:"questionnaire"`
	// ClosesAt is an RFC 3339 time after which answers are refused; empty
	// means never.
	ClosesAt        string `toml:"closes_at"`
	DefaultLanguage string `toml:"default_language"`
	MaxAnswerLength int    `toml:"max_answer_length"`
}

// LogConfig sets the logger.
type LogConfig struct {
	Level string `toml:"level"`
}

// TelegramConfig configures the Telegram channel; it is on when Token is set.
type TelegramConfig struct {
	Token              Secret  `toml:"token"`
	APIEndpoint        string  `toml:"api_endpoint"`
	Mode               string  `toml:"mode"`
	WebhookListen      string  `toml:"webhook_listen"`
	WebhookURL         string  `toml:"webhook_url"`
	WebhookSecret      Secret  `toml:"webhook_secret"`
	OrganiserChats     []int64 `toml:"organiser_chats"`
	AllowedChats       []int64 `toml:"allowed_chats"`
	OrganiserUsers     []int64 `toml:"organiser_users"`
	GlobalRate         float64 `toml:"global_rate"`
	ChatRate           float64 `toml:"chat_rate"`
	GroupRatePerMinute float64 `toml:"group_rate_per_minute"`
	// PaidBroadcast sends, with allow_paid_broadcast, the live replies the
	// free 30/s would delay, up to PaidBroadcastStarsPerDay a day.
	PaidBroadcast            bool `toml:"paid_broadcast"`
	PaidBroadcastStarsPerDay int  `toml:"paid_broadcast_stars_per_day"`
}

// DiscordConfig configures the Discord channel; it is on when Token is set.
type DiscordConfig struct {
	Token               Secret   `toml:"token"`
	APIBase             string   `toml:"api_base"`
	ApplicationID       string   `toml:"application_id"`
	GuildIDs            []string `toml:"guild_ids"`
	OrganiserChannelIDs []string `toml:"organiser_channel_ids"`
	OrganiserRoleIDs    []string `toml:"organiser_role_ids"`
	// Interactions endpoint (discordconfig.go): served by every replica
	// when InteractionsListen is set.
	InteractionsListen string `toml:"interactions_listen"`
	InteractionsPath   string `toml:"interactions_path"`
	PublicKey          string `toml:"public_key"`
}

// Telegram modes.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// DefaultConfig returns the configuration used when no file is given. The
// tokens refer to environment variables, so that a deployment can run on
// environment alone and a fresh clone runs `chat` with no file at all.
func DefaultConfig() Config {
	return Config{
		Consultation: ConsultationConfig{
			DefaultLanguage: "fr",
			MaxAnswerLength: 4000,
		},
		Storage: defaultStorage(),
		Log:     LogConfig{Level: "info"},
		Telegram: TelegramConfig{
			Token:              "${TELEGRAM_TOKEN}",
			Mode:               ModePolling,
			WebhookSecret:      "${TELEGRAM_WEBHOOK_SECRET}",
			GlobalRate:         30,
			ChatRate:           1,
			GroupRatePerMinute: 20,
		},
		Discord: DiscordConfig{
			Token:            "${DISCORD_TOKEN}",
			InteractionsPath: "/interactions",
			PublicKey:        "${DISCORD_PUBLIC_KEY}",
		},
		Digest:    defaultDigestConfig(),
		Security:  defaultSecurityConfig(),
		Delivery:  defaultDeliveryConfig(),
		Backup:    defaultBackupConfig(),
		Voice:     defaultVoiceConfig(),
		Web:       defaultWebConfig(),
		Reminders: defaultRemindersConfig(),
		Privacy: PrivacyConfig{
			RetentionDaysAfterClose: 30,
			InactiveDays:            90,
		},
	}
}

// LoadConfig reads path over DefaultConfig and expands ${ENV} references
// with getenv. An empty path means DefaultConfigPath if that file exists,
// else the defaults alone. It does not call Validate, except when the file
// has unknown keys or values of the wrong type: the error then also holds
// what Validate finds in the rest of the file, so that one run names every
// mistake. A TOML syntax error alone stops everything.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	if path == "" {
		if _, err := os.Stat(DefaultConfigPath); err == nil {
			path = DefaultConfigPath
		}
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return cfg, &ConfigError{File: path, Problem: text.NoConfigFile}
		} else if err != nil {
			return cfg, &ConfigError{File: path, Problem: text.ConfigUnreadable, Args: []any{errors.Unwrap(err)}}
		}
		if err := decodeConfig(path, data, &cfg); err != nil {
			if cfg.src == nil {
				return cfg, err // a syntax error: nothing more can be said
			}
			expandEnv(reflect.ValueOf(&cfg).Elem(), getenv)
			cfg.trimTokens()
			cfg.Storage.Password = Secret(getenv(EtcdPasswordEnv))
			errs := append(problems(err), problems(cfg.Validate())...)
			sortByLine(errs)
			return cfg, errors.Join(errs...)
		}
	}
	expandEnv(reflect.ValueOf(&cfg).Elem(), getenv)
	cfg.trimTokens()
	cfg.Storage.Password = Secret(getenv(EtcdPasswordEnv))
	return cfg, nil
}

// trimTokens removes the spaces and line breaks a paste leaves around a
// token (one copied from a Windows file ends with a carriage return, which
// made every Bot API URL unparsable) and notes it, without the value.
func (c *Config) trimTokens() {
	for _, t := range []struct {
		key   string
		token *Secret
	}{{"telegram.token", &c.Telegram.Token}, {"discord.token", &c.Discord.Token}} {
		if s := strings.TrimSpace(string(*t.token)); s != string(*t.token) {
			*t.token = Secret(s)
			c.warnings = append(c.warnings, invalid(t.key, text.TokenTrimmed))
		}
	}
}

// Warnings are what LoadConfig corrected by itself, to tell the operator.
func (c Config) Warnings() []*ConfigError { return c.warnings }

// decodeConfig decodes data into cfg with go-toml's strict decoding,
// rejecting unknown keys with their position, so that a typo ("tokne") is
// not silently ignored. The file is scanned once for the position of
// every key (which Validate's problems then name) and decoded once. Only
// a file holding a value of the wrong type is decoded again, expression
// by expression: go-toml stops at the first such value, and one run must
// name every mistake of a well-formed file, each at its line, and decode
// the rest. cfg.src is set when the file is well-formed TOML.
func decodeConfig(path string, data []byte, cfg *Config) error {
	base := *cfg
	exprs, at, twice, syntaxErr := scanConfig(data)
	src := &configSource{path: path, at: at, mistyped: map[string]bool{}}
	if syntaxErr == nil && twice != nil {
		// It parses, but cannot be decoded: reported alone, even when a
		// wrong type comes before it.
		twice.File = path
		return twice
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(cfg)
	if err == nil {
		cfg.src = src
		return nil
	}
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		// Strict errors come last, once everything else decoded.
		cfg.src = src
		errs := make([]error, 0, len(strict.Errors))
		for _, e := range strict.Errors {
			line, col := e.Position()
			errs = append(errs, unknownKey(path, strings.Join(e.Key(), "."), line, col))
		}
		return errors.Join(errs...)
	}
	*cfg = base
	if syntaxErr == nil {
		if errs := decodeEach(path, exprs, cfg, src); len(errs) > 0 {
			cfg.src = src
			return errors.Join(errs...)
		}
		*cfg = base
	} else {
		// A syntax error, reported alone even when a wrong type comes
		// before it: decoding into a map, which takes any type, reaches
		// it and says where.
		var doc map[string]any
		if merr := toml.Unmarshal(data, &doc); merr != nil {
			err = merr
		}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return &ConfigError{File: path, Line: line, Column: col, Problem: text.Syntax, Args: []any{strings.TrimPrefix(de.Error(), "toml: ")}}
	}
	return fmt.Errorf("config %q: %w", path, err)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${NAME} in every string of v. Only the braced form is
// expanded, so that a literal "$" in a value (a password, a URL) survives.
func expandEnv(v reflect.Value, getenv func(string) string) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			expandEnv(v.Field(i), getenv)
		}
	case reflect.Slice:
		for i := range v.Len() {
			expandEnv(v.Index(i), getenv)
		}
	case reflect.String:
		s := v.String()
		if strings.Contains(s, "${") {
			v.SetString(envRef.ReplaceAllStringFunc(s, func(m string) string {
				return getenv(m[2 : len(m)-1])
			}))
		}
	}
}

// maxPaidStarsPerDay is a day of paid broadcasts at Telegram's 1000
// messages a second, 0.1 Star each.
const maxPaidStarsPerDay = 8_640_000

var (
	// telegramTokenRE is the shape of a token from @BotFather: the bot's
	// id, a colon, the secret part.
	telegramTokenRE = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	webhookSecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	snowflakeRE     = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(key string, p text.Problem, args ...any) { errs = append(errs, invalid(key, p, args...)) }

	if _, err := c.Consultation.closesAt(); err != nil {
		bad("consultation.closes_at", text.NotRFC3339, c.Consultation.ClosesAt)
	}
	switch c.Consultation.DefaultLanguage {
	case "fr", "en":
	default:
		bad("consultation.default_language", text.NotOneOf, c.Consultation.DefaultLanguage, "fr, en")
	}
	// Discord's modal paragraph input stops at 4000 characters.
	errs = appendRange(errs, "consultation.max_answer_length", c.Consultation.MaxAnswerLength, 1, 4000, text.WhyAnswerLength)
	errs = append(errs, c.Storage.validate()...)
	if c.Storage.Backend == BackendEtcd && c.Backup.EveryHours > 0 {
		bad("backup.every_hours", text.BackupOnEtcd)
	}
	if _, err := c.Log.level(); err != nil {
		bad("log.level", text.NotOneOf, c.Log.Level, "debug, info, warn, error")
	}

	t := c.Telegram
	switch t.Mode {
	case ModePolling, ModeWebhook:
	default:
		bad("telegram.mode", text.NotOneOf, t.Mode, "polling, webhook")
	}
	// A token is never quoted in a problem: the report may end up in a
	// log or a support ticket.
	if t.Token != "" && !telegramTokenRE.MatchString(string(t.Token)) {
		bad("telegram.token", text.TelegramToken)
	}
	if t.APIEndpoint != "" && !isHTTPURL(t.APIEndpoint) {
		bad("telegram.api_endpoint", text.NotHTTPURL, t.APIEndpoint)
	}
	// Below these floors one message would wait minutes for its turn;
	// above the ceilings Telegram answers 429 anyway.
	errs = appendRange(errs, "telegram.global_rate", t.GlobalRate, 1, 1000, text.WhyGlobalRate)
	errs = appendRange(errs, "telegram.chat_rate", t.ChatRate, 0.1, 100, text.WhyChatRate)
	errs = appendRange(errs, "telegram.group_rate_per_minute", t.GroupRatePerMinute, 1, 1200, text.WhyGroupRate)
	if t.PaidBroadcast {
		// The ceiling is a day at 1000 paid messages a second: a typo
		// rather than a budget above it.
		errs = appendRange(errs, "telegram.paid_broadcast_stars_per_day", t.PaidBroadcastStarsPerDay, 1, maxPaidStarsPerDay, text.WhyPaidRequired)
	} else if t.PaidBroadcastStarsPerDay < 0 {
		errs = appendRange(errs, "telegram.paid_broadcast_stars_per_day", t.PaidBroadcastStarsPerDay, 0, maxPaidStarsPerDay, text.WhyPaid)
	}
	for name, ids := range map[string][]int64{"organiser_chats": t.OrganiserChats, "allowed_chats": t.AllowedChats} {
		for _, id := range ids {
			if id == 0 {
				bad("telegram."+name, text.ZeroChatID)
			}
		}
	}
	for _, id := range t.OrganiserUsers {
		if id <= 0 {
			bad("telegram.organiser_users", text.NotUserID, id)
		}
	}
	if t.Token != "" && t.Mode == ModeWebhook {
		if t.WebhookListen == "" {
			bad("telegram.webhook_listen", text.WebhookListen)
		}
		if u, err := url.Parse(t.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("telegram.webhook_url", text.WebhookURL, t.WebhookURL)
		}
		if !webhookSecretRE.MatchString(string(t.WebhookSecret)) {
			bad("telegram.webhook_secret", text.WebhookSecret)
		}
	}

	d := c.Discord
	if strings.IndexFunc(string(d.Token), func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsGraphic(r) }) >= 0 {
		bad("discord.token", text.DiscordToken)
	}
	if d.APIBase != "" && !isHTTPURL(d.APIBase) {
		bad("discord.api_base", text.NotHTTPURL, d.APIBase)
	}
	if d.Token != "" && d.ApplicationID == "" {
		bad("discord.application_id", text.ApplicationIDMissing)
	} else if d.ApplicationID != "" && !snowflakeRE.MatchString(d.ApplicationID) {
		bad("discord.application_id", text.NotDiscordID, d.ApplicationID)
	}
	for name, ids := range map[string][]string{
		"guild_ids":             d.GuildIDs,
		"organiser_channel_ids": d.OrganiserChannelIDs,
		"organiser_role_ids":    d.OrganiserRoleIDs,
	} {
		for _, id := range ids {
			if !snowflakeRE.MatchString(id) {
				bad("discord."+name, text.NotDiscordID, id)
			}
		}
	}
	errs = append(errs, d.validateInteractions()...)
	p := c.Privacy
	for name, v := range map[string]string{"controller": p.Controller, "contact": p.Contact} {
		if len([]rune(v)) > 200 || strings.ContainsAny(v, "\r\n") {
			bad("privacy."+name, text.NotOneLine)
		}
	}
	errs = appendRange(errs, "privacy.retention_days_after_close", p.RetentionDaysAfterClose, 0, 3650, text.WhyDays)
	errs = appendRange(errs, "privacy.inactive_days", p.InactiveDays, 0, 3650, text.WhyInactiveDays)
	errs = append(errs, c.Digest.validate()...)
	errs = append(errs, c.Security.validate()...)
	errs = append(errs, c.Delivery.validate()...)
	errs = append(errs, c.Backup.validate()...)
	errs = append(errs, c.Metrics.validate()...)
	errs = append(errs, c.Voice.validate(c.Storage.Path)...)
	errs = append(errs, c.Web.validate()...)
	errs = append(errs, c.Reminders.validate()...)
	// Map iteration above must not make the report order random.
	sortErrors(errs)
	return errors.Join(c.src.place(errs)...)
}

// appendRange adds a problem unless v is a finite number between lo and
// hi. NaN compares false with everything and would slip past a plain
// "v <= 0" check (a NaN flood rate turned flood control off); infinities
// and values such as 1e-300 pass a sign check and break the arithmetic of
// rates. The problem names the key, the value and why the bounds.
func appendRange[T int | float64](errs []error, key string, v, lo, hi T, why text.Problem) []error {
	if f := float64(v); !math.IsNaN(f) && f >= float64(lo) && f <= float64(hi) {
		return errs
	}
	return append(errs, invalid(key, text.OutOfRange, v, lo, hi, why))
}

// sortErrors orders problems by key, then problem.
func sortErrors(errs []error) {
	key := func(err error) (string, string) {
		var ce *ConfigError
		if errors.As(err, &ce) {
			return ce.Key, ce.Error()
		}
		return "", err.Error()
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		ka, pa := key(a)
		kb, pb := key(b)
		return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(pa, pb))
	})
}

func isHTTPURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func (c ConsultationConfig) closesAt() (time.Time, error) {
	if c.ClosesAt == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, c.ClosesAt)
}

func (l LogConfig) level() (slog.Level, error) {
	var lv slog.Level
	err := lv.UnmarshalText([]byte(l.Level))
	return lv, err
}

// Channels lists the configured channels; the terminal is always there.
func (c Config) Channels() []string {
	chans := []string{"terminal"}
	if c.Telegram.Token != "" {
		chans = append(chans, "telegram")
	}
	if c.Discord.Token != "" {
		chans = append(chans, "discord")
	}
	if c.webOn() {
		chans = append(chans, "web")
	}
	return chans
}

// String prints the configuration with every secret redacted.
func (c Config) String() string {
	return fmt.Sprintf("%+v", struct {
		Consultation ConsultationConfig
		Storage      StorageConfig
		Log          LogConfig
		Telegram     TelegramConfig
		Discord      DiscordConfig
	}{c.Consultation, c.Storage, c.Log, c.Telegram, c.Discord})
}

// LogValue logs the configuration with every secret redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("storage", c.Storage.name()),
		slog.String("questionnaire", c.Consultation.Questionnaire),
		slog.String("closes_at", c.Consultation.ClosesAt),
		slog.String("log_level", c.Log.Level),
		slog.String("channels", strings.Join(c.Channels(), ",")),
		slog.Any("telegram_token", c.Telegram.Token),
		slog.String("telegram_mode", c.Telegram.Mode),
		slog.Any("telegram_webhook_secret", c.Telegram.WebhookSecret),
		slog.Any("discord_token", c.Discord.Token),
	)
}
