package flows

import (
	"strings"
	"testing"
	"time"
)

// TestNoDeadEnd steps, at every prompt of the typed corpus, the messages
// that change nothing (empty, unreadable, an unknown command, a file, the
// language already spoken, a question about the consultation, the web
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
				slash := strings.Contains(all.String(), "/mes_reponses")
				page := strings.Contains(all.String(), "Mes réponses")
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
