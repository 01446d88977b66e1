package flows

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestNoDeadEnd steps, at every prompt of the typed corpus, the messages
// that change nothing (empty, unreadable, an unknown command, a file, the
// language already spoken, an edited message, a question about the consultation, the web
// page's help) and checks that the replies end with the prompt the person
// stands at: options to tap or a text to type, never a bare note.
func TestNoDeadEnd(t *testing.T) {
	m := NewMachine(nil, Config{})
	events := map[string]Event{
		"empty":           {Kind: EventText, Text: " \u200b "},
		"unreadable":      {Kind: EventText, Text: "caf\xff"},
		"unknown command": {Kind: EventCommand, Command: "nimportequoi"},
		"photo":           {Kind: EventMedia, Media: "photo"},
		"sticker":         {Kind: EventMedia, Media: "sticker"},
		"edited message":  {Kind: EventEdited},
		"same language":   {Kind: EventText, Text: "en français svp"},
		"/langue fr":      {Kind: EventCommand, Command: CmdLanguage, Args: "fr"},
		"anonymous":       {Kind: EventText, Text: "c'est anonyme ?"},
		"duration":        {Kind: EventText, Text: "combien de temps ça prend ?"},
		"stale button":    {Kind: EventChoice, Token: token{prompt: 1, action: actYes}.String()},
		"forged button":   {Kind: EventChoice, Token: "zz.forged"},
	}
	for name, s := range corpusPrompts(t, m) {
		if s.Stage == StagePaused {
			continue // any message resumes; « au revoir » keeps the pause
		}
		for what, ev := range events {
			_, replies := m.Step(s, ev, baseTime.Add(time.Hour))
			if len(replies) == 0 {
				t.Errorf("@%s %s: no reply", name, what)
				continue
			}
			last := replies[len(replies)-1]
			if len(last.Options) == 0 && last.Expect == ExpectNothing {
				t.Errorf("@%s %s: the replies end without a prompt: %q", name, what, last.Text)
			}
		}
	}
}

// TestHelpNamesTheChannelsCommands checks that help, and the answer to an
// unknown command, name the commands as the channel offers them: the web
// page's buttons there, slash commands elsewhere.
func TestHelpNamesTheChannelsCommands(t *testing.T) {
	m := NewMachine(nil, Config{})
	for name, s := range corpusPrompts(t, m) {
		for _, ev := range []Event{{Kind: EventCommand, Command: CmdHelp}, {Kind: EventCommand, Command: "inconnue"}} {
			for _, buttons := range []bool{false, true} {
				ev.CommandButtons = buttons
				_, replies := m.Step(s, ev, baseTime.Add(time.Hour))
				var all strings.Builder
				for _, r := range replies {
					all.WriteString(r.Lead + "\n" + r.Text + "\n")
				}
				slash := strings.Contains(all.String(), "/mes_donnees")
				page := strings.Contains(all.String(), "Mes données")
				if s.Pending != nil {
					// A confirmation's help is about its own buttons.
					if slash && buttons {
						t.Errorf("@%s /%s on the page: slash commands listed:\n%s", name, ev.Command, all.String())
					}
					continue
				}
				if buttons && (slash || !page) || !buttons && (!slash || page) {
					t.Errorf("@%s /%s (buttons %v): want the channel's commands, got:\n%s", name, ev.Command, buttons, all.String())
				}
			}
		}
	}
}

// TestFirstStepsHelpListsWhatWorks: before the menu (consent, profile,
// académie), help names only the commands that already work there, then
// asks the step's question again.
func TestFirstStepsHelpListsWhatWorks(t *testing.T) {
	m := NewMachine(nil, Config{})
	seen := 0
	for name, s := range corpusPrompts(t, m) {
		if s.Pending != nil || s.Back != "" || (s.Stage != StageConsent && s.Stage != StageProfile && s.Stage != StageAcademie) {
			// A profile or académie asked again from the menu is no
			// first step: every command works there.
			continue
		}
		seen++
		for _, buttons := range []bool{false, true} {
			_, replies := m.Step(s, Event{Kind: EventCommand, Command: CmdHelp, CommandButtons: buttons}, baseTime.Add(time.Hour))
			var all strings.Builder
			for _, r := range replies {
				all.WriteString(r.Lead + "\n" + r.Text + "\n")
			}
			for _, dead := range []string{"/menu", "/reprendre", "/mes_reponses", "Mes réponses", "choisir un thème"} {
				if strings.Contains(all.String(), dead) {
					t.Errorf("@%s /aide (buttons %v) names %q, which does nothing yet:\n%s", name, buttons, dead, all.String())
				}
			}
			if last := replies[len(replies)-1]; len(last.Options) == 0 {
				t.Errorf("@%s /aide (buttons %v): the step's question is not asked again:\n%s", name, buttons, all.String())
			}
		}
	}
	if seen < 3 {
		t.Fatalf("the corpus has %d first-step prompts, want consent, profile and académie", seen)
	}
}

// TestPageRepliesNameNoSlashCommand steps, at every prompt of the corpus
// and in both languages, what a person on the web page may send (each of
// the page's buttons, an unknown command, a pause, a goodbye, a question
// about the consultation, the language already spoken, a whole theme
// answered), also once the consultation is closed, and fails where a
// reply, or the file « mes données » sends, names a slash command: the
// page offers its commands as buttons, and the same steps off the page
// name them as slash commands.
func TestPageRepliesNameNoSlashCommand(t *testing.T) {
	var names []string
	for _, c := range CommandList() {
		names = append(names, c.NameFR, c.NameEN)
	}
	slash := regexp.MustCompile(`(?:^|[^\p{L}\p{N}/_.<:])/(` + strings.Join(names, "|") + `)\b`)
	events := map[string]Event{
		"unknown command": {Kind: EventCommand, Command: "nimportequoi"},
		"later":           {Kind: EventText, Text: "plus tard"},
		"goodbye":         {Kind: EventText, Text: "au revoir"},
		"anonymous":       {Kind: EventText, Text: "c'est anonyme ?"},
		"same language":   {Kind: EventText, Text: "en français svp"},
		"answer":          {Kind: EventText, Text: "Une réponse assez longue pour être une vraie réponse."},
	}
	for _, c := range []string{CmdMenu, CmdAnswers, CmdHelp, CmdLanguage, CmdMyData, CmdErase, CmdResume} {
		events["/"+c] = Event{Kind: EventCommand, Command: c}
	}
	open, closed := NewMachine(nil, Config{}), NewMachine(nil, Config{ClosesAt: baseTime.Add(30 * time.Minute)})
	seen := map[bool]int{}
	for name, s := range corpusPrompts(t, open) {
		for _, lang := range []string{LangFR, LangEN} {
			s.Lang = lang
			for what, ev := range events {
				for _, m := range []*Machine{open, closed} {
					for _, buttons := range []bool{true, false} {
						ev.CommandButtons = buttons
						at, all := s, ""
						// Answers until the theme (five questions) is done:
						// its recap and the next theme follow.
						for range 6 {
							var replies []Reply
							at, replies = m.Step(at, ev, baseTime.Add(time.Hour))
							for _, r := range replies {
								all += r.Lead + "\n" + r.Title + "\n" + r.Text + "\n"
								if r.Recap != nil {
									all += r.Recap.Text + "\n"
								}
								if r.Document != nil {
									all += string(r.Document.Data) + "\n"
								}
							}
							if what != "answer" {
								break
							}
						}
						found := slash.FindAllString(all, -1)
						seen[buttons] += len(found)
						if buttons && len(found) > 0 {
							t.Errorf("@%s %s %s (closed %v) on the page names %q:\n%s", name, lang, what, m == closed, found, all)
						}
					}
				}
			}
		}
	}
	t.Logf("slash commands named off the page: %d, on it: %d", seen[false], seen[true])
	if seen[false] < 100 {
		t.Errorf("off the page, the same steps named %d slash commands: the test reaches too few texts", seen[false])
	}
}

// TestPageWordsAreUnderstood: on the web page a text names a command the
// page has no button for by its name without the slash (« reprendre »);
// typed as such, the conversation must take it for that command.
func TestPageWordsAreUnderstood(t *testing.T) {
	for _, lang := range []string{LangFR, LangEN} {
		c := catalogFor(lang, true, "")
		words := 0
		for cmd, name := range c.Flow.CommandNames {
			if _, ok := c.Web.Buttons[cmd]; ok {
				continue
			}
			words++
			if ev, ok := typedCommand(normalize(name)); !ok || ev.Command != cmd {
				t.Errorf("%s: « %s » typed is %+v, want the command %s", lang, name, ev, cmd)
			}
		}
		if words == 0 {
			t.Errorf("%s: every command has a button on the page; this test checks nothing", lang)
		}
	}
}

// TestDiscordHelpNamesThePickersCommands: Discord's command picker names
// the commands by the app's locale, so an English-speaking educator with
// a French app is told the French names they see, and the other way
// round; every reply says the conversation's language.
func TestDiscordHelpNamesThePickersCommands(t *testing.T) {
	m := NewMachine(nil, Config{})
	for _, tt := range []struct {
		lang, locale string
		want, not    []string
	}{
		{LangEN, "fr", []string{"/reprendre", "/mes_reponses", "Commands:"}, []string{"/resume", "/answers"}},
		{LangFR, "en-GB", []string{"/resume", "/answers", "Commandes"}, []string{"/reprendre", "/mes_reponses"}},
	} {
		s := corpusPrompts(t, m)["menu"]
		s.Lang = tt.lang
		// The command from the picker, and typed in a direct message.
		for _, ev := range []Event{
			{Kind: EventCommand, Command: CmdHelp, DiscordLocale: tt.locale},
			{Kind: EventText, Text: "/aide", DiscordLocale: tt.locale},
		} {
			_, replies := m.Step(s, ev, baseTime.Add(time.Hour))
			var all strings.Builder
			for _, r := range replies {
				all.WriteString(r.Lead + "\n" + r.Text + "\n")
				if r.Lang != tt.lang {
					t.Errorf("%s conversation: a reply says it is in %q", tt.lang, r.Lang)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("%s conversation, %s app: help does not say %q:\n%s", tt.lang, tt.locale, w, all.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(all.String(), n) {
					t.Errorf("%s conversation, %s app: help names %q, which the picker does not show:\n%s", tt.lang, tt.locale, n, all.String())
				}
			}
		}
	}
}
