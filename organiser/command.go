package organiser

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"consultbot/internal/fold"
)

// ErrNotCommand is returned by ParseCommand for text that is not an
// organiser command at all, so that an adapter can hand it to the
// participants' conversation instead. Any other error is a malformed
// organiser command, and its message is a reply for the organiser, in
// the language of the command's name (French unless the name is English).
var ErrNotCommand = errors.New("not an organiser command")

// commandNames maps what organisers type, without the slash, accents
// folded and lower case, to canonical names.
var commandNames = map[string]string{
	"synthese": CmdDigest, "digest": CmdDigest,
	"stats": CmdStats, "statistiques": CmdStats,
	"masquer": CmdHide, "hide": CmdHide,
	"afficher": CmdUnhide, "demasquer": CmdUnhide, "unhide": CmdUnhide,
	"bannir": CmdBan, "ban": CmdBan,
	"debannir": CmdUnban, "unban": CmdUnban,
}

// englishNames are the command names only English uses; a malformed
// command typed with one of them is answered in English.
var englishNames = map[string]bool{"digest": true, "hide": true, "unhide": true, "ban": true, "unban": true}

// ParseCommand parses an organiser command as typed in a chat: a slash, a
// name in French or English (accents optional, "@botname" allowed after it
// as Telegram groups send it), then arguments. "/synthese [thème]" takes an
// optional theme id or number; "/masquer", "/afficher", "/bannir" and
// "/debannir" take an answer id ("123" or "n°123"). It returns ErrNotCommand
// for anything else, and for a malformed organiser command an error whose
// message is a reply saying how to write it, in French, or in English when
// the command's name is English (/hide).
func ParseCommand(text string) (Command, error) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return Command{}, ErrNotCommand
	}
	fields := strings.Fields(text[1:])
	if len(fields) == 0 {
		return Command{}, ErrNotCommand
	}
	word := fields[0]
	if at := strings.IndexByte(word, '@'); at >= 0 {
		word = word[:at]
	}
	folded := foldName(word)
	name, ok := commandNames[folded]
	if !ok {
		return Command{}, ErrNotCommand
	}
	lang := "fr"
	if englishNames[folded] {
		lang = "en"
	}
	args := fields[1:]
	cmd := Command{Name: name}
	switch name {
	case CmdDigest:
		if len(args) > 1 {
			return Command{}, errors.New(tr(lang,
				"Indiquez un seul thème. Par exemple : /"+word+" 2 pour le thème 2, ou /"+word+" seul pour tous les thèmes.",
				"Give one theme only. For example: /"+word+" 2 for theme 2, or /"+word+" alone for every theme."))
		}
		if len(args) == 1 {
			cmd.Theme = args[0]
		}
	case CmdStats:
		if len(args) > 0 {
			return Command{}, errors.New(tr(lang, "Écrivez /"+word+" seul, sans rien après.", "Send /"+word+" alone, with nothing after it."))
		}
	default:
		if len(args) != 1 {
			return Command{}, errors.New(tr(lang,
				fmt.Sprintf("Indiquez le numéro d'une réponse, par exemple /%s 123. Ce numéro figure à côté de chaque citation de la synthèse.", word),
				fmt.Sprintf("Give the number of one answer, for example /%s 123. The number is shown beside each quote in the digest.", word)))
		}
		id, err := parseAnswerID(args[0])
		if err != nil {
			return Command{}, errors.New(tr(lang,
				fmt.Sprintf("« %s » n'est pas un numéro de réponse. Écrivez par exemple /%s 123.", args[0], word),
				fmt.Sprintf("“%s” is not an answer number. Write for example /%s 123.", args[0], word)))
		}
		cmd.AnswerID = id
	}
	return cmd, nil
}

// parseAnswerID accepts "123", "#123", "n°123" and "no123".
func parseAnswerID(s string) (uint64, error) {
	s = strings.ToLower(s)
	for _, p := range []string{"n°", "no", "nº", "#"} {
		s = strings.TrimPrefix(s, p)
	}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, errors.New("not an answer id")
	}
	return id, nil
}

// foldName lower-cases a command name and drops the accents French
// keyboards add (/synthèse, /débannir, /démasquer).
func foldName(s string) string {
	return fold.String(s)
}
