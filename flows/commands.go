package flows

import (
	"strings"
	"unicode"
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

// CommandList returns the commands in the order menus should show them.
func CommandList() []CommandInfo {
	return []CommandInfo{
		{CmdStart, "start", "start", "Commencer ou reprendre la consultation", "Start or resume the consultation"},
		{CmdMenu, "menu", "menu", "Choisir un thème", "Choose a theme"},
		{CmdResume, "reprendre", "resume", "Reprendre là où vous en étiez", "Continue where you left off"},
		{CmdAnswers, "mes_reponses", "answers", "Voir mes réponses", "See my answers"},
		{CmdLanguage, "langue", "language", "English / français", "Français / English"},
		{CmdMyData, "mes_donnees", "my_data", "Tout ce que nous gardons sur vous", "Everything we keep about you"},
		{CmdErase, "effacer", "erase", "Effacer toutes vos données", "Erase all your data"},
		{CmdHelp, "aide", "help", "Aide et liste des commandes", "Help and list of commands"},
	}
}
