package main

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The config rows of the bad-input suite (issue #7): a file with every
// kind of mistake is refused with every problem named, not only the first.

func TestConfigWithEveryMistake(t *testing.T) {
	// Values of the right types: the decoder accepts the file, and
	// Validate reports every problem at once.
	path := writeConfig(t, `[consultation]
closes_at = "30/06/2027"
max_answer_length = -1

[telegram]
token = "${TELEGRAM_TOKEN}"
mode = "webhook"
api_endpoint = "ftp://api.example.org"
webhook_url = ""
webhook_secret = ""
global_rate = -30
chat_rate = 0
paid_broadcast = true

[discord]
token = "${DISCORD_TOKEN}"
api_base = "discord.example.org"
`)
	cfg, err := LoadConfig(path, fakeEnv(map[string]string{"TELEGRAM_TOKEN": "1:x", "DISCORD_TOKEN": "d"}))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	if err == nil {
		t.Fatal("config with every mistake validated")
	}
	msg := err.Error()
	for _, want := range []string{
		`consultation.closes_at: "30/06/2027" is not an RFC 3339 time`,
		"consultation.max_answer_length: -1",
		`telegram.api_endpoint: "ftp://api.example.org" is not an http(s) URL`,
		"telegram.global_rate: -30 must be a number between 1 and 1000",
		"telegram.chat_rate: 0 must be a number between 0.1 and 100",
		"telegram.paid_broadcast_stars_per_day: 0 must be a number between 1 and 8640000",
		"telegram.webhook_listen: required in webhook mode",
		`telegram.webhook_url: "" is not an https URL`,
		"telegram.webhook_secret: required in webhook mode",
		`discord.api_base: "discord.example.org" is not an http(s) URL`,
		"discord.application_id: required when the Discord channel is on",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report misses %q:\n%s", want, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 11 {
		t.Errorf("%d problems reported, want 11:\n%s", n, msg)
	}

	cfg.Telegram.Mode = "push"
	if msg := cfg.Validate().Error(); !strings.Contains(msg, `telegram.mode: "push" is not one of polling, webhook`) {
		t.Errorf("bad mode not reported:\n%s", msg)
	}
}

func TestConfigDecodeMistakesCarryTheirLine(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want []string
	}{
		"unknown keys": {"[telegram]\ntokne = \"x\"\nmdoe = \"polling\"\n[discrod]\n", []string{
			`line 2 column 1: unknown key "telegram.tokne"`, `line 3 column 1: unknown key "telegram.mdoe"`, `line 4`,
		}},
		"wrong type":               {"[storage]\npath = \"x.db\"\n\n[telegram]\nglobal_rate = \"fast\"\n", []string{"line 5"}},
		"wrong type in a list":     {"[telegram]\norganiser_chats = [1, \"two\"]\n", []string{"line 2"}},
		"closes_at as a TOML date": {"[consultation]\ncloses_at = 2027-06-30T23:59:59+02:00\n", []string{"line 2"}},
		"table instead of a value": {"[consultation.max_answer_length]\n", []string{"line 1"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.body), fakeEnv(nil))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// Issues #2 and #7: wrong types no longer stop the report at the first
// one. One file with two wrong types, two unknown keys and several
// semantic mistakes names all of them, each at its line.
func TestConfigWithEveryKindOfMistake(t *testing.T) {
	path := writeConfig(t, `[consultation]
closes_at = "30/06/2027"
max_answer_length = -1

[telegram]
tokne = "x"
mode = "webhook"
api_endpoint = "ftp://api.example.org"
global_rate = "fast"
chat_rate = 0

[discord]
guild_ids = 123
api_base = "discord.example.org"

[discrod]
token = "x"
`)
	_, err := LoadConfig(path, fakeEnv(nil))
	if err == nil {
		t.Fatal("config with every kind of mistake accepted")
	}
	got := strings.Split(err.Error(), "\n")
	want := []string{
		`line 2: consultation.closes_at: "30/06/2027" is not an RFC 3339 time`,
		`line 3: consultation.max_answer_length: -1 must be a number between 1 and 4000`,
		`line 6 column 1: unknown key "telegram.tokne"`,
		`line 8: telegram.api_endpoint: "ftp://api.example.org" is not an http(s) URL`,
		`line 9 column 15: telegram.global_rate: wrong type: expected a number, got a string`,
		`line 10: telegram.chat_rate: 0 must be a number between 0.1 and 100`,
		`line 13 column 13: discord.guild_ids: wrong type: expected a list of strings in quotes`,
		`line 14: discord.api_base: "discord.example.org" is not an http(s) URL`,
		`line 16 column 2: unknown key "discrod"`,
	}
	if len(got) != len(want) {
		t.Errorf("%d problems reported, want %d:\n%s", len(got), len(want), err)
	}
	for i, w := range want {
		if i >= len(got) || !strings.Contains(got[i], w) {
			t.Errorf("problem %d: want one containing %q, in file order:\n%s", i+1, w, err)
		}
	}
	for _, line := range got {
		if !strings.HasPrefix(line, "config "+strconv.Quote(path)+" line ") {
			t.Errorf("problem without the file and its line: %q", line)
		}
	}
}

// The rest of a file with a wrong type is decoded: a later value is used
// and the semantic problems of the others are still checked.
func TestWrongTypeKeepsTheRestOfTheFile(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want []string
	}{
		"value after a wrong type": {"[telegram]\nglobal_rate = true\n[log]\nlevel = \"loud\"\n", []string{
			"line 2 column 15: telegram.global_rate: wrong type: expected a number, got true or false",
			`line 4: log.level: "loud" is not one of`,
		}},
		"list holding a wrong element, over two lines": {"[telegram]\norganiser_chats = [1,\n  \"two\"]\n", []string{
			"line 3 column 3: telegram.organiser_chats: wrong type: expected a list of whole numbers ([1, 2]), got a list holding a string",
		}},
		"date without quotes": {"[consultation]\ncloses_at = 2027-06-30T23:59:59+02:00\nmax_answer_length = \"4000\"\n", []string{
			`line 2 column 13: consultation.closes_at: wrong type: expected a string in quotes ("…"), got a date or time without quotes`,
			"line 3 column 21: consultation.max_answer_length: wrong type: expected a whole number, got a string",
		}},
		// The key kept its default: no semantic complaint repeats the type error.
		"no echo of a wrong type": {"[telegram]\ntoken = \"1:x\"\nmode = \"webhook\"\nwebhook_listen = \"127.0.0.1:8443\"\nwebhook_secret = \"s\"\nwebhook_url = 443\n", []string{
			"line 6 column 15: telegram.webhook_url: wrong type: expected a string",
		}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.body), fakeEnv(nil))
			if err == nil {
				t.Fatal("accepted")
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tc.want) {
				t.Errorf("%d problems reported, want %d:\n%s", n, len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("report misses %q:\n%s", w, err)
				}
			}
		})
	}
}

// A file that is not TOML stops at its first syntax error, alone; a key
// defined twice too.
func TestConfigSyntaxErrorIsReportedAlone(t *testing.T) {
	for name, body := range map[string]string{
		"syntax":            "[telegram]\nglobal_rate = \"fast\"\n[log]\nlevel = = 3\n",
		"key defined twice": "[telegram]\nglobal_rate = \"fast\"\n[log]\nlevel = \"info\"\nlevel = \"debug\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, body), fakeEnv(nil))
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "line 4") && !strings.Contains(err.Error(), "line 5") {
				t.Errorf("want one problem, at its line:\n%s", err)
			}
		})
	}
}

// TestConfigRefusesNaNInfinityAndTinyNumbers: TOML accepts nan, inf and
// 1e-300 as floats; they passed check-config, and a NaN flood_rate turned
// flood control off. Every numeric setting must be a finite number within
// its bounds, and the report says which bounds and why.
func TestConfigRefusesNaNInfinityAndTinyNumbers(t *testing.T) {
	path := writeConfig(t, `[consultation]
max_answer_length = 4001

[security]
flood_rate = nan
flood_burst = 1001

[telegram]
global_rate = inf
chat_rate = -inf
group_rate_per_minute = 1e-300
organiser_users = [-1001234567890]
organiser_chats = [0]

[privacy]
inactive_days = -1
retention_days_after_close = 3651

[digest]
every_hours = 169
`)
	_, _, err := runCommand(t, english, "check-config", "-config", path)
	if err == nil {
		t.Fatal("check-config accepted nan, inf and 1e-300")
	}
	for _, want := range []string{
		"line 2: consultation.max_answer_length: 4001 must be a number between 1 and 4000 (characters",
		"line 5: security.flood_rate: NaN must be a number between 0.1 and 1000 (held messages applied per second)",
		"line 6: security.flood_burst: 1001 must be a number between 1 and 1000",
		"line 9: telegram.global_rate: +Inf must be a number between 1 and 1000 (messages per second overall",
		"line 10: telegram.chat_rate: -Inf must be a number between 0.1 and 100",
		"line 11: telegram.group_rate_per_minute: 1e-300 must be a number between 1 and 1200 (messages per minute in one group",
		"line 12: telegram.organiser_users: -1001234567890 is not a Telegram user id",
		"line 13: telegram.organiser_chats: 0 is not a Telegram chat id",
		"line 16: privacy.inactive_days: -1 must be a number between 0 and 3650",
		"line 17: privacy.retention_days_after_close: 3651 must be a number between 0 and 3650",
		"line 20: digest.every_hours: 169 must be a number between 0 and 168",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("report misses %q:\n%v", want, err)
		}
	}

	// The bounds themselves are accepted.
	path = writeConfig(t, "[security]\nflood_rate = 0.1\n[telegram]\nglobal_rate = 1000\nchat_rate = 0.1\ngroup_rate_per_minute = 1\n")
	if _, _, err := runCommand(t, nil, "check-config", "-config", path); err != nil {
		t.Errorf("check-config refused the bounds: %v", err)
	}
}

// Each problem is a *ConfigError carrying its key and line as data, so
// that a tool (or a test) reads them without splitting messages.
func TestConfigProblemsCarryTheirKeyAndLine(t *testing.T) {
	path := writeConfig(t, "[telegram]\ntokne = \"x\"\nglobal_rate = \"fast\"\n\n[log]\nlevel = \"loud\"\n")
	_, err := LoadConfig(path, fakeEnv(nil))
	if err == nil {
		t.Fatal("accepted")
	}
	type where struct {
		key     string
		line    int
		unknown bool
	}
	var got []where
	for _, p := range problems(err) {
		var ce *ConfigError
		if !errors.As(p, &ce) {
			t.Fatalf("problem %q is a %T, want a *ConfigError", p, p)
		}
		if ce.File != path {
			t.Errorf("problem %q names file %q, want %q", p, ce.File, path)
		}
		got = append(got, where{ce.Key, ce.Line, ce.Unknown})
	}
	want := []where{{"telegram.tokne", 2, true}, {"telegram.global_rate", 3, false}, {"log.level", 6, false}}
	if !slices.Equal(got, want) {
		t.Errorf("problems = %+v, want %+v", got, want)
	}
}

// Every problem Validate finds names its key and the line to fix, the
// web, metrics, voice and digest settings as much as the others; and a
// wrong daily time does not hide a wrong time zone.
func TestEveryValidationProblemCarriesItsLine(t *testing.T) {
	path := writeConfig(t, `[digest]
daily = "25:00"
time_zone = "Europe/Pariss"

[metrics]
listen = "9090"

[voice]
transcribe_timeout = "soon"
delete_after_transcript = true

[web]
listen = "8080"
trusted_proxies = ["proxy.example.org"]
`)
	cfg, err := LoadConfig(path, fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	got := map[string]int{}
	for _, p := range problems(err) {
		var ce *ConfigError
		if !errors.As(p, &ce) {
			t.Fatalf("problem %q is a %T, want a *ConfigError", p, p)
		}
		got[ce.Key] = ce.Line
	}
	want := map[string]int{
		"digest.daily": 2, "digest.time_zone": 3, "metrics.listen": 6, "voice.transcribe_timeout": 9,
		"voice.delete_after_transcript": 10, "web.listen": 13, "web.trusted_proxies": 14,
	}
	if !maps.Equal(got, want) {
		t.Errorf("problems at %v, want %v:\n%v", got, want, err)
	}
}

// An unknown key says which key was probably meant: the same name in
// another table, or a key or table one or two typos away.
func TestUnknownKeysSuggestTheKeyMeant(t *testing.T) {
	for body, want := range map[string]string{
		"closes_at = \"2027-06-30T23:59:59+02:00\"\n":                 "consultation.closes_at",
		"[delivery]\ncloses_at = \"2027-06-30T23:59:59+02:00\"\n":     "consultation.closes_at",
		"[discord]\ntokn = \"x\"\n":                                   "discord.token",
		"[discrod]\ntoken = \"x\"\n":                                  "discord",
		"[telegram]\nwebhok_url = \"https://example.org/telegram\"\n": "telegram.webhook_url",
		"[digest]\ndaly = \"18:00\"\n":                                "digest.daily",
		"[telegram]\ncolour = \"blue\"\n":                             "",
	} {
		_, err := LoadConfig(writeConfig(t, body), fakeEnv(nil))
		var ce *ConfigError
		if !errors.As(err, &ce) || !ce.Unknown {
			t.Fatalf("%q: %v, want an unknown key", body, err)
		}
		if ce.Suggest != want {
			t.Errorf("%q: suggests %q, want %q", body, ce.Suggest, want)
		}
		if want != "" && !strings.Contains(err.Error(), `did you mean "`+want+`"?`) {
			t.Errorf("%q: message %q does not name %q", body, err, want)
		}
	}
}
