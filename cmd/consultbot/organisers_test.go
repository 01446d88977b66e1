package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot/telegram/telegramtest"
	"consultbot/text"
)

// TestRunOrganiserCommandsFromConfig runs the real Main's `run` with
// organisers listed in the config: an organiser user gets the figures,
// anyone else a polite refusal.
func TestRunOrganiserCommandsFromConfig(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	t.Chdir(t.TempDir())
	r := startRun(t, srv, "organiser_users = [900]\norganiser_chats = [-500]\n")

	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	organiser := telegramtest.User{ID: 900, LanguageCode: "fr"}
	other := telegramtest.User{ID: 77, LanguageCode: "fr"}
	srv.SendText(organiser, "/stats")
	srv.SendText(other, "/stats")
	for id, refused := range map[int64]bool{900: false, 77: true} {
		msgs, err := srv.WaitMessages(wait, id, 1)
		if err != nil {
			t.Fatalf("%v\nstderr:\n%s", err, r.stderr)
		}
		got := msgs[0].Text == "Cette commande est réservée à l'équipe d'organisation."
		if got != refused {
			t.Errorf("user %d got %q; refused = %v, want %v", id, msgs[0].Text, got, refused)
		}
	}
	r.stop(t, wait)
	if strings.Contains(r.stderr.String(), srv.Token()) {
		t.Error("the token appears in the logs")
	}
}

// runConsole runs `chat -organiser` on dbPath with env, types script and
// returns what the console printed.
func runConsole(t *testing.T, env map[string]string, dbPath, script string) string {
	t.Helper()
	var stdout strings.Builder
	m, stderr := newTestMain(t, strings.NewReader(script), &stdout)
	m.Getenv = fakeEnv(env)
	if err := m.ParseFlags(context.Background(), []string{"chat", "-organiser", "-db", dbPath}); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("chat -organiser: %v\nstderr:\n%s", err, stderr)
	}
	return stdout.String()
}

// TestChatOrganiserRunsTheCommandsOnTheFile: `chat -organiser` is the
// organisers' console on the local file, with no token: the help first,
// then every command through the same service and outbox as on the
// platforms; a hide changes what the next digest and `digest --print`
// show, and the printed digest says how to hide an answer from here.
func TestChatOrganiserRunsTheCommandsOnTheFile(t *testing.T) {
	dbPath := seedDB(t)
	script := strings.Join([]string{"/stats", "/synthese", "/masquer 1", "/masquer abc", "/bannir", "bonjour", "/synthese"}, "\n") + "\n"
	out := runConsole(t, nil, dbPath, script)
	fr := text.For("fr")
	want := []string{
		"mode organisation, sur le fichier",
		"== " + fr.Organiser.HelpTitle + " ==",
		"/masquer N : retirer la réponse n° N des synthèses.",
		"Statistiques de la consultation au ",
		"2 réponses au total.",
		"(Fichier enregistré : ",
		"# 📊 Synthèse",
		"Former les enseignants",
		"Réponse n° 1 masquée",
		"« abc » n'est pas un numéro de réponse.",
		"Indiquez le numéro d'une réponse, par exemple /bannir 123.",
		fr.Channel.Terminal.OrganiserGoodbye,
	}
	at := 0
	for _, w := range want {
		i := strings.Index(out[at:], w)
		if i < 0 {
			t.Fatalf("output lacks %q after byte %d:\n%s", w, at, out)
		}
		at += i + len(w)
	}
	// "bonjour" is no command: the help again. The last digest leaves
	// the hidden answer out.
	if n := strings.Count(out, "== "+fr.Organiser.HelpTitle+" =="); n != 2 {
		t.Errorf("help shown %d times, want at start and for bonjour", n)
	}
	last := out[strings.LastIndex(out, "# 📊 Synthèse"):]
	if strings.Contains(last, "vrai") || !strings.Contains(last, "Former les enseignants") {
		t.Errorf("the digest after /masquer 1:\n%s", last)
	}
	if strings.Contains(out, "Bienvenue") || strings.Contains(out, "Avant de commencer") {
		t.Error("the organisers' console started a consultation")
	}
	chart, err := os.ReadFile(filepath.Join(filepath.Dir(dbPath), "local-synthese.png"))
	if err != nil || !bytes.HasPrefix(chart, []byte("\x89PNG")) {
		t.Errorf("chart file: %d bytes, %v", len(chart), err)
	}

	printed, _, err := runCommand(t, nil, "digest", "-db", dbPath, "--print")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(printed, "\n"+fr.Organiser.PrintFooter+"\n") || strings.Contains(printed, "vrai") {
		t.Errorf("digest --print after the hide:\n%s", printed)
	}
	if n := strings.Count(printed, "Pour masquer une réponse"); n != 1 {
		t.Errorf("digest --print says how to hide an answer %d times, want once (then where to send /masquer from):\n%s", n, printed)
	}
}

// TestChatOrganiserSpeaksTheCommandLinesLanguage: with LANG naming
// English, the organisers' console answers in English, as stats and
// digest --print do.
func TestChatOrganiserSpeaksTheCommandLinesLanguage(t *testing.T) {
	out := runConsole(t, english, seedDB(t), "/stats\n")
	en := text.For("en")
	for _, w := range []string{"== " + en.Organiser.HelpTitle + " ==", en.Channel.Terminal.OrganiserGoodbye} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "mode organisation") || strings.Contains(out, "au total") {
		t.Errorf("the console spoke French:\n%s", out)
	}
}

// TestChatOrganiserCommandWithoutItsSlash: a command typed without its
// slash is recognised and answered with how to type it, not with the
// whole list of commands again; nothing runs, nothing is hidden.
func TestChatOrganiserCommandWithoutItsSlash(t *testing.T) {
	dbPath := seedDB(t)
	out := runConsole(t, nil, dbPath, "masquer 1\nsynthèse\n  stats \nmasquer\nhide 1\nbonjour\n")
	fr := text.For("fr")
	for _, w := range []string{
		"Les commandes commencent par « / » : tapez /masquer 1\n",
		"Les commandes commencent par « / » : tapez /synthèse\n",
		"Les commandes commencent par « / » : tapez /stats\n",
		"Les commandes commencent par « / ». Indiquez le numéro d'une réponse, par exemple /masquer 123.",
		"Les commandes commencent par « / » : tapez /hide 1\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if n := strings.Count(out, "== "+fr.Organiser.HelpTitle+" =="); n != 2 {
		t.Errorf("help shown %d times, want at start and for bonjour only:\n%s", n, out)
	}
	if strings.Contains(out, "masquée") || strings.Contains(out, "Statistiques de la consultation") {
		t.Errorf("a command typed without its slash ran:\n%s", out)
	}
}
