package flows

import (
	"strings"
	"unicode"

	"consultbot/text"
)

// commandAliases maps what people type after the slash to canonical names.
var commandAliases = map[string]string{
	"start":        CmdStart,
	"menu":         CmdMenu,
	"aide":         CmdHelp,
	"help":         CmdHelp,
	"reprendre":    CmdResume,
	"resume":       CmdResume,
	"mesreponses":  CmdAnswers,
	"mes_reponses": CmdAnswers,
	"mes-reponses": CmdAnswers,
	"answers":      CmdAnswers,
	"langue":       CmdLanguage,
	"language":     CmdLanguage,
	"lang":         CmdLanguage,
	"mes_donnees":  CmdMyData,
	"mesdonnees":   CmdMyData,
	"mes-donnees":  CmdMyData,
	"my_data":      CmdMyData,
	"mydata":       CmdMyData,
	"effacer":      CmdErase,
	"erase":        CmdErase,
	"rappels":      CmdReminders,
	"rappel":       CmdReminders,
	"reminders":    CmdReminders,
}

// ParseCommand recognises a command line such as "/aide" or
// "/start@consult_bot theme-2" and returns the event for it, with the
// canonical command name and the rest of the line in Args. A line that
// starts with a slash but names no known command gives an EventCommand whose
// Command is what was typed. It reports false when text is not a command.
func ParseCommand(text string) (Event, bool) {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	if !strings.HasPrefix(text, "/") {
		return Event{}, false
	}
	name, args, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 {
		name, args = name[:i], name[i+1:]+" "+args
	}
	if at := strings.IndexByte(name, '@'); at >= 0 {
		name = name[:at]
	}
	ev := Event{Kind: EventCommand, Command: name, Args: strings.TrimSpace(args)}
	if c, ok := commandAliases[strings.ToLower(name)]; ok {
		ev.Command = c
	}
	return ev, true
}

// CommandInfo describes one command for the platforms' command menus
// (Telegram setMyCommands, Discord application commands).
type CommandInfo struct {
	// Name is the canonical name (one of the Cmd constants).
	Name string
	// NameFR and NameEN are what people type, without the slash: lowercase
	// [a-z0-9_], accepted by Telegram and Discord alike.
	NameFR string
	NameEN string
	// DescriptionFR and DescriptionEN are short descriptions for menus.
	DescriptionFR string
	DescriptionEN string
}

// CommandList returns the commands in the order menus should show them,
// with their descriptions from the catalogue.
func CommandList() []CommandInfo {
	var list []CommandInfo
	fr, en := &text.For(text.FR).Flow, &text.For(text.EN).Flow
	for _, c := range []string{CmdStart, CmdMenu, CmdResume, CmdAnswers, CmdLanguage, CmdMyData, CmdErase, CmdReminders, CmdHelp} {
		list = append(list, CommandInfo{
			Name:   c,
			NameFR: fr.CommandNames[c], NameEN: en.CommandNames[c],
			DescriptionFR: fr.MenuEntries[c], DescriptionEN: en.MenuEntries[c],
		})
	}
	return list
}
