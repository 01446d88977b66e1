package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"consultbot/admin"
	"consultbot/organiser"
	"consultbot/text"
)

// english is the environment of a command line that speaks English; the
// tests of what a message says, rather than of its language, read it.
var english = map[string]string{"LANG": "en_GB.UTF-8"}

// TestOperatorMistakesInTheirLanguage runs the commands an operator or an
// organiser types with the usual mistakes, once in French (the default)
// and once in English (LANG=en_GB.UTF-8), and reads what they are told:
// every problem of a configuration with its line, key and what to write,
// a missing file, the checks at start, migrate and --voice-dir, in the
// language of the command line and without the other language's words.
func TestOperatorMistakesInTheirLanguage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte(`[consultation]
closes_at = "30/06/2027"
max_answer_length = -1

[telegram]
tokne = "x"
global_rate = "fast"
organiser_chats = [1, "two"]

[digest]
time_zone = "Paris"
daily = "18h"

[reminders]
quiet_days = ["dimanche", "funday"]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	syntax := filepath.Join(dir, "syntax.toml")
	if err := os.WriteFile(syntax, []byte("[telegram]\ntoken = \"1:x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(dir, "tokens.toml")
	if err := os.WriteFile(tokens, []byte("[telegram]\ntoken = \"${TELEGRAM_TOKEN}\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Telegram where nothing listens: run cannot connect at start.
	unreachable := filepath.Join(dir, "unreachable.toml")
	if err := os.WriteFile(unreachable, []byte("[telegram]\ntoken = \"${TELEGRAM_TOKEN}\"\napi_endpoint = \"http://"+freeAddr(t)+"/bot%s/%s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dbPath := seedDB(t)
	seeded, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.db") // a copy cut short
	if err := os.WriteFile(cut, seeded[:len(seeded)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(dir, "shared.db") // readable by others
	if err := os.WriteFile(shared, seeded, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o644); err != nil {
		t.Fatal(err)
	}
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	type said struct {
		args []string
		env  map[string]string
		want []string // in the error, or on stderr when the command succeeds
	}
	noIDKey := map[string]string{"TELEGRAM_TOKEN": "123:abc", "CONSULTBOT_ID_KEY": ""}
	trimmed := map[string]string{"TELEGRAM_TOKEN": " 123:abc\r\n"}
	reachable := map[string]string{"TELEGRAM_TOKEN": "123456:TEST"}
	for _, tc := range []struct {
		lang    string
		env     map[string]string
		foreign []string // words of the other language that must not show
		cases   []said
	}{{
		lang:    "fr",
		foreign: []string{" line ", "unknown", "must be", "is not", "wrong type", "required", "did you mean"},
		cases: []said{
			{args: []string{"check-config", "-config", bad}, want: []string{
				"configuration invalide :",
				`configuration « ` + bad + ` », ligne 2 : consultation.closes_at : « 30/06/2027 » n'est pas une date et heure RFC 3339 (par exemple 2026-06-30T23:59:59+02:00)`,
				"ligne 3 : consultation.max_answer_length : -1 doit être un nombre entre 1 et 4000 (caractères ; le formulaire de réponse de Discord s'arrête à 4000)",
				"ligne 6, colonne 1 : clé « telegram.tokne » inconnue : vouliez-vous dire « telegram.token » ?",
				"ligne 7, colonne 15 : telegram.global_rate : mauvais type : il faut un nombre, pas un texte",
				"ligne 8, colonne 23 : telegram.organiser_chats : mauvais type : il faut une liste de nombres entiers ([1, 2]), pas une liste contenant un texte",
				"ligne 11 : digest.time_zone : fuseau horaire « Paris » inconnu (un nom IANA comme Europe/Paris)",
				`ligne 12 : digest.daily : l'heure quotidienne « 18h » n'est pas de la forme HH:MM (par exemple "18:00")`,
				"ligne 15 : reminders.quiet_days : « funday » n'est pas un jour de la semaine (lundi … dimanche, ou en anglais monday … sunday)",
			}},
			{args: []string{"check-config", "-config", filepath.Join(dir, "none.toml")}, want: []string{
				"» : ce fichier n'existe pas ; vérifiez le chemin donné à -config",
			}},
			{args: []string{"check-config", "-config", syntax}, want: []string{
				"ligne 2, colonne", "(TOML mal formé : vérifiez les guillemets, les crochets et le = de cette ligne)",
			}},
			{args: []string{"run", "-config", tokens, "-db", filepath.Join(dir, "run.db")}, env: noIDKey, want: []string{
				"security.id_key : est vide : les identifiants Telegram et Discord ne sont gardés que sous forme d'empreintes à clé",
				"définissez CONSULTBOT_ID_KEY",
			}},
			{args: []string{"check-config", "-config", tokens}, env: trimmed, want: []string{
				"consultbot : attention : telegram.token : les espaces ou retours à la ligne autour du jeton ont été retirés",
			}},
			{args: []string{"migrate", "--to", "bolt:" + filepath.Join(dir, "x.db")}, want: []string{
				"migrate : indiquez --from, bolt:FICHIER ou etcd:https://HÔTE:2379,… ; par exemple consultbot migrate --from bolt:consultbot.db",
			}},
			{args: []string{"migrate", "--from", "consultbot.db", "--to", "bolt:x.db"}, want: []string{
				"migrate : --from « consultbot.db » n'est ni bolt:FICHIER ni etcd:https://HÔTE:2379,…",
			}},
			{args: []string{"migrate", "--from", "bolt:a.db", "--to", "bolt:a.db"}, want: []string{
				"migrate : --from et --to désignent la même base",
			}},
			{args: []string{"migrate", "--from", "bolt:a.db", "--to", "etcd:ftp://x"}, want: []string{
				"migrate : --to : les réglages [storage] qu'il reprend sont invalides :",
				"storage.endpoints : « ftp://x » n'est pas l'adresse client d'un membre",
			}},
			{args: []string{"export", "-db", dbPath, "--out", filepath.Join(dir, "a.csv"), "--voice-dir", notADir}, want: []string{
				"export : impossible de créer --voice-dir « " + notADir + " » (not a directory) ; indiquez un dossier où vous pouvez écrire",
			}},
			{args: []string{"exprot", "--out", "a.csv"}, want: []string{
				"consultbot : commande « exprot » inconnue : vouliez-vous dire consultbot export ?",
			}},
			{args: []string{"backup", "-db", dbPath, "--out", filepath.Join(dir, "missing", "copy.db")}, want: []string{
				"backup : --out « " + filepath.Join(dir, "missing", "copy.db") + " » : le dossier " + filepath.Join(dir, "missing") + " n'existe pas ; créez-le (mkdir -p",
			}},
			{args: []string{"run", "-config", unreachable, "-db", filepath.Join(dir, "tg.db")}, env: reachable, want: []string{
				"telegram : connexion impossible au démarrage (", ") ; vérifiez le jeton (TELEGRAM_TOKEN, tel que @BotFather le donne) et que cette machine joint api.telegram.org",
			}},
			{args: []string{"stats", "-db", cut}, want: []string{
				"stats : le fichier de la base « " + cut + " » est endommagé (", ") : restaurez la dernière sauvegarde (arrêtez le bot, mettez la copie à sa place, relancez-le",
			}},
			{args: []string{"export", "-db", shared, "--out", filepath.Join(dir, "b.csv")}, want: []string{
				"export : la base « " + shared + " » est lisible par le groupe ou les autres (droits 0644), alors qu'elle contient toutes les réponses : lancez chmod 600",
			}},
		},
	}, {
		lang:    "en",
		env:     english,
		foreign: []string{"ligne", "inconnu", "doit", "n'est pas", "mauvais type", "obligatoire", "vouliez-vous", "indiquez"},
		cases: []said{
			{args: []string{"check-config", "-config", bad}, want: []string{
				"config invalid:",
				`config "` + bad + `" line 2: consultation.closes_at: "30/06/2027" is not an RFC 3339 time (e.g. 2026-06-30T23:59:59+02:00)`,
				"line 3: consultation.max_answer_length: -1 must be a number between 1 and 4000 (characters; Discord's answer form stops at 4000)",
				`line 6 column 1: unknown key "telegram.tokne": did you mean "telegram.token"?`,
				"line 7 column 15: telegram.global_rate: wrong type: expected a number, got a string",
				"line 8 column 23: telegram.organiser_chats: wrong type: expected a list of whole numbers ([1, 2]), got a list holding a string",
				`line 11: digest.time_zone: unknown time zone "Paris" (an IANA name such as Europe/Paris)`,
				`line 12: digest.daily: daily time "18h" is not HH:MM (such as "18:00")`,
				`line 15: reminders.quiet_days: "funday" is not a day of the week (monday … sunday, or in French lundi … dimanche)`,
			}},
			{args: []string{"check-config", "-config", filepath.Join(dir, "none.toml")}, want: []string{
				`: no such file; check the path given to -config`,
			}},
			{args: []string{"check-config", "-config", syntax}, want: []string{
				"line 2 column", "(malformed TOML: check the quotes, brackets and = of this line)",
			}},
			{args: []string{"run", "-config", tokens, "-db", filepath.Join(dir, "run.db")}, env: noIDKey, want: []string{
				"security.id_key: is empty: Telegram and Discord user ids are stored only as keyed hashes",
				"set CONSULTBOT_ID_KEY",
			}},
			{args: []string{"check-config", "-config", tokens}, env: trimmed, want: []string{
				"consultbot: warning: telegram.token: spaces or line breaks around the token were removed",
			}},
			{args: []string{"migrate", "--to", "bolt:" + filepath.Join(dir, "x.db")}, want: []string{
				"migrate: --from is required (bolt:FILE or etcd:https://HOST:2379,…), for example consultbot migrate --from bolt:consultbot.db",
			}},
			{args: []string{"migrate", "--from", "consultbot.db", "--to", "bolt:x.db"}, want: []string{
				`migrate: --from "consultbot.db" is neither bolt:FILE nor etcd:https://HOST:2379,…`,
			}},
			{args: []string{"migrate", "--from", "bolt:a.db", "--to", "bolt:a.db"}, want: []string{
				"migrate: --from and --to are the same database",
			}},
			{args: []string{"migrate", "--from", "bolt:a.db", "--to", "etcd:ftp://x"}, want: []string{
				"migrate: --to: the [storage] settings it takes are invalid:",
				`storage.endpoints: "ftp://x" is not a member's client URL`,
			}},
			{args: []string{"export", "-db", dbPath, "--out", filepath.Join(dir, "a.csv"), "--voice-dir", notADir}, want: []string{
				`export: --voice-dir "` + notADir + `" cannot be created (not a directory); give a directory you may write to`,
			}},
			{args: []string{"exprot", "--out", "a.csv"}, want: []string{
				`consultbot: unknown command "exprot": did you mean consultbot export?`,
			}},
			{args: []string{"backup", "-db", dbPath, "--out", filepath.Join(dir, "missing", "copy.db")}, want: []string{
				`backup: --out "` + filepath.Join(dir, "missing", "copy.db") + `": the directory ` + filepath.Join(dir, "missing") + ` does not exist; create it (mkdir -p`,
			}},
			{args: []string{"run", "-config", unreachable, "-db", filepath.Join(dir, "tg.db")}, env: reachable, want: []string{
				"telegram: cannot connect at start (", "); check the token (TELEGRAM_TOKEN, as @BotFather gives it) and that this machine reaches api.telegram.org",
			}},
			{args: []string{"stats", "-db", cut}, want: []string{
				"stats: the database file is damaged: ", `; restore the last backup of "` + cut + `" (stop the bot, put the copy in its place, start it again`,
			}},
			{args: []string{"export", "-db", shared, "--out", filepath.Join(dir, "b.csv")}, want: []string{
				`export: open db "` + shared + `": file mode 0644 lets group or others read it, and it holds every answer; run chmod 600`,
			}},
		},
	}} {
		for _, c := range tc.cases {
			env := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
			for k, v := range tc.env {
				env[k] = v
			}
			for k, v := range c.env {
				env[k] = v
			}
			_, stderr, err := runCommand(t, env, c.args...)
			got := stderr
			if err != nil {
				got += err.Error()
			}
			for _, want := range c.want {
				if !strings.Contains(got, want) {
					t.Errorf("%s %q said:\n%s\nwant %q", tc.lang, c.args, got, want)
				}
			}
			for _, w := range tc.foreign {
				if strings.Contains(got, w) {
					t.Errorf("%s %q said %q, a word of the other language:\n%s", tc.lang, c.args, w, got)
				}
			}
		}
	}
}

// TestFlagsHelpInTheirLanguage: « consultbot <commande> -h » describes
// each flag in the command line's language, its value named in that
// language and its default said once, in words.
func TestFlagsHelpInTheirLanguage(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want []string
	}{
		{nil, []string{"export", "-h"}, []string{
			"Options de consultbot export :",
			"  -out FICHIER\n    \tFICHIER de sortie, créé lisible par son seul propriétaire ; - pour la sortie standard\n",
			"  -separator SÉPARATEUR\n    \tSÉPARATEUR des champs CSV : un caractère, ou tab (par défaut : ;)\n",
			"  -raw\n    \tcellules CSV telles qu'enregistrées",
		}},
		{english, []string{"export", "-h"}, []string{
			"Flags of consultbot export:",
			"  -out FILE\n    \toutput FILE, created readable by its owner only; - for standard output\n",
		}},
		{nil, []string{"stats", "-h"}, []string{"  -lang LANGUE\n    \tLANGUE : fr ou en (par défaut : la langue de LANG, sinon fr)\n"}},
		{english, []string{"migrate", "-h"}, []string{"  -from SOURCE\n    \tthe SOURCE: bolt:FILE or etcd:https://HOST:2379,…\n"}},
	} {
		stdout, _, err := runCommand(t, tc.env, tc.args...)
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v %q: %v, want the help", tc.env, tc.args, err)
		}
		for _, want := range tc.want {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v %q printed:\n%s\nwant %q", tc.env, tc.args, stdout, want)
			}
		}
		if strings.Contains(stdout, "(default \"") || strings.Contains(stdout, "en anglais") {
			t.Errorf("%v %q printed the flag package's English default:\n%s", tc.env, tc.args, stdout)
		}
	}
}

// TestDigestSpeaksTheCommandLinesLanguage: digest --print without --lang
// writes the digest in the language of the command line, as stats does.
func TestDigestSpeaksTheCommandLinesLanguage(t *testing.T) {
	dbPath := seedDB(t)
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{{nil, "Synthèse"}, {english, "Digest"}} {
		out, _, err := runCommand(t, tc.env, "digest", "-db", dbPath, "--print")
		if err != nil || !strings.Contains(out, tc.want) {
			t.Errorf("%v: digest --print: %v, want %q in:\n%s", tc.env, err, tc.want, out)
		}
	}
}

// TestSizesInTheirLanguage: backup and compact write sizes as French
// readers write them (« 16,5 Mio ») or as English ones do (16.5 MiB).
func TestSizesInTheirLanguage(t *testing.T) {
	for _, tc := range []struct {
		n      int64
		fr, en string
	}{
		{512, "512 o", "512 B"},
		{64 << 10, "64 Kio", "64 KiB"},
		{33 << 19, "16,5 Mio", "16.5 MiB"},
		{3 << 29, "1,5 Gio", "1.5 GiB"},
	} {
		if got := sizeIn(tc.n, &text.For(text.FR).CLI); got != tc.fr {
			t.Errorf("%d bytes in French: %q, want %q", tc.n, got, tc.fr)
		}
		if got := sizeIn(tc.n, &text.For(text.EN).CLI); got != tc.en {
			t.Errorf("%d bytes in English: %q, want %q", tc.n, got, tc.en)
		}
	}
}

// englishMarkers are words of English sentences that no French message
// holds (identifiers such as the export's column names or the bucket
// names of migrate are not sentences: none of these words is one).
var englishMarkers = []string{" the ", " is ", " are ", " not ", " cannot ", " must ", " you ", " your ",
	" refusing", " failed", " error", " was ", " does ", " no such ", " with ", "warning:", " answers", " exported", " copied",
	// The flag package's own words: « flag needs an argument », « invalid
	// value », « bad flag syntax ».
	"flag ", "invalid ", "syntax"}

// frenchMarkers are the same for an English command line.
var frenchMarkers = []string{" le ", " la ", " les ", " est ", " une ", " pas ", " vous ", " à ", " dans ", " réponses", "attention"}

// sentences drops what an output holds that is no message of the
// command line: log lines, which stay in English.
func sentences(s string) string {
	var b strings.Builder
	for l := range strings.Lines(s) {
		if !strings.HasPrefix(l, "time=") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestEverySubcommandSpeaksTheCommandLinesLanguage runs every subcommand,
// as it succeeds and as it fails in the usual ways, in French (the
// default) and in English (LANG=en_GB.UTF-8), and finds no sentence of
// the other language in what it says: summaries, progress lines and
// errors. The data a command prints (the export's rows, the digest's
// quoted answers) is left out of the English run, where answers are
// French.
func TestEverySubcommandSpeaksTheCommandLinesLanguage(t *testing.T) {
	dir := t.TempDir()
	dbPath := seedDB(t)
	voiceDir := filepath.Join(dir, "ecoute")
	// A database in a directory others may write to: run cannot open its
	// admin socket there safely.
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	web := filepath.Join(dir, "web.toml")
	if err := os.WriteFile(web, []byte("[web]\nlisten = \""+freeAddr(t)+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A path too long for a unix socket.
	long := filepath.Join(dir, strings.Repeat("d", 100))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	key := map[string]string{organiser.PseudonymKeyEnv: testPseudonymKey}
	cases := []struct {
		args []string
		env  map[string]string
		data bool // stdout is data: left out of the English run
	}{
		{args: []string{"version"}},
		{args: []string{"check-config"}},
		{args: []string{"check-config", "-config", filepath.Join(dir, "none.toml")}},
		{args: []string{"help"}},
		{args: []string{"nimporte"}},
		{args: []string{"export", "-db", dbPath, "--out", filepath.Join(dir, "a.csv")}, env: key},
		{args: []string{"export", "-db", dbPath, "--format", "jsonl", "--out", "-"}, env: key, data: true},
		{args: []string{"export", "-db", dbPath, "--out", filepath.Join(dir, "b.csv"), "--voice-dir", voiceDir}, env: key},
		{args: []string{"export", "-db", dbPath, "--out", filepath.Join(dir, "c.csv")}},
		{args: []string{"export", "-db", dbPath, "--format", "xml", "--out", "-"}, env: key},
		{args: []string{"export", "-db", dbPath}, env: key},
		{args: []string{"export", "-db", filepath.Join(dir, "none.db"), "--out", "-"}, env: key},
		{args: []string{"export", "-db", dbPath, "--out", dir}, env: key},
		{args: []string{"export", "-db", dbPath, "--out", "-", "de", "trop"}, env: key},
		{args: []string{"digest", "-db", dbPath}},
		{args: []string{"digest", "-db", dbPath, "--print"}, data: true},
		{args: []string{"digest", "-db", dbPath, "--print", "--theme", "9"}},
		{args: []string{"digest", "-db", dbPath, "--print", "--lang", "de"}},
		{args: []string{"stats", "-db", dbPath}},
		{args: []string{"backup", "-db", dbPath, "--out", filepath.Join(dir, "copy.db")}},
		{args: []string{"backup", "-db", dbPath}},
		{args: []string{"migrate", "--from", "bolt:" + dbPath, "--to", "bolt:" + filepath.Join(dir, "moved.db")}},
		{args: []string{"migrate", "--from", "bolt:" + dbPath}},
		{args: []string{"compact", "-db", filepath.Join(dir, "copy.db")}},
		{args: []string{"chat", "-organiser", "-db", filepath.Join(dir, "copy.db")}},
		{args: []string{"run", "-config", web, "-db", filepath.Join(open, "run.db")}},
		{args: []string{"run", "-config", web, "-db", filepath.Join(long, "run.db")}},
	}
	// Every subcommand's flag mistakes, and the global flag's: no such
	// flag, one near a real one, no value after a flag that takes one, a
	// value refused, a word that is no flag.
	flagMistakes := [][]string{{"-x", "version"}, {"--config"}, {"--confg", "version"}, {"-config=", "--", "---x"}}
	for _, c := range commands {
		flagMistakes = append(flagMistakes, []string{c, "-x"}, []string{c, "---x"}, []string{c, "-config"}, []string{c, "-confi", "a.toml"})
	}
	flagMistakes = append(flagMistakes, []string{"chat", "-db"}, []string{"chat", "-organiser=peut-être"}, []string{"run", "--db"},
		[]string{"export", "--out"}, []string{"export", "-raw=peut-être"}, []string{"export", "--formt", "csv"}, []string{"digest", "--theme"},
		[]string{"digest", "-print=oui"}, []string{"stats", "--lang"}, []string{"backup", "--out"}, []string{"compact", "-db"},
		[]string{"migrate", "--from"}, []string{"migrate", "--to"})
	for _, args := range flagMistakes {
		cases = append(cases, struct {
			args []string
			env  map[string]string
			data bool
		}{args: args})
	}
	for _, c := range cases {
		for _, lang := range []struct {
			env     map[string]string
			markers []string
		}{{nil, englishMarkers}, {english, frenchMarkers}} {
			env := map[string]string{}
			for k, v := range lang.env {
				env[k] = v
			}
			for k, v := range c.env {
				env[k] = v
			}
			// Each run writes its own files again.
			for _, f := range []string{"a.csv", "b.csv", "moved.db"} {
				os.Remove(filepath.Join(dir, f))
			}
			os.RemoveAll(voiceDir)
			stdout, stderr, err := runCommand(t, env, c.args...)
			said := stderr
			if err != nil {
				said += "\n" + err.Error()
			}
			if !c.data || lang.env == nil {
				said = stdout + "\n" + said
			}
			said = sentences(said)
			if strings.TrimSpace(said) == "" && !c.data {
				t.Errorf("%v %q said nothing", lang.env, c.args)
			}
			for _, w := range lang.markers {
				if strings.Contains(said, w) {
					t.Errorf("%v %q said %q, a word of the other language:\n%s", lang.env, c.args, w, said)
				}
			}
		}
	}
}

// TestAdminSocketProblemsInTheirLanguage: every problem with the admin
// socket, which run and chat meet at start and the commands meet when
// they ask the running bot, and a bot that stops mid-answer, are told in
// the command line's language.
func TestAdminSocketProblemsInTheirLanguage(t *testing.T) {
	var errs []error
	for p := admin.PathTooLong; p <= admin.OtherPeer; p++ {
		errs = append(errs, &admin.SocketError{Problem: p, Path: "/srv/consultbot/consultbot.db.sock", Owner: 998, User: 1000, Mode: 0o775, Len: 120, Max: 107})
	}
	errs = append(errs, admin.ErrTruncated, &admin.RemoteError{Message: "export : la clé est trop courte"})
	for _, lang := range []struct {
		env     map[string]string
		markers []string
	}{{nil, englishMarkers}, {english, frenchMarkers}} {
		m, _ := newTestMain(t, strings.NewReader(""), io.Discard)
		m.Getenv = fakeEnv(lang.env)
		if err := m.ParseFlags(context.Background(), []string{"version"}); err != nil {
			t.Fatal(err)
		}
		for _, err := range errs {
			said := m.worded(err).Error()
			if said == err.Error() && lang.env == nil {
				t.Errorf("%v: %q is told as is", lang.env, said)
			}
			for _, w := range lang.markers {
				if strings.Contains(said, w) && !strings.Contains(said, "la clé") {
					t.Errorf("%v: %q says %q, a word of the other language", lang.env, said, w)
				}
			}
		}
	}
}
