package organiser

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNotCommand is returned by ParseCommand for text that is not an
// organiser command at all, so that an adapter can hand it to the
// participants' conversation instead. Any other error is a malformed
// organiser command, and its message is a French reply for the organiser.
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

// ParseCommand parses an organiser command as typed in a chat: a slash, a
// name in French or English (accents optional, "@botname" allowed after it
// as Telegram groups send it), then arguments. "/synthese [thème]" takes an
// optional theme id or number; "/masquer", "/afficher", "/bannir" and
// "/debannir" take an answer id ("123" or "n°123"). It returns ErrNotCommand
// for anything else, and for a malformed organiser command an error whose
// message is a French reply.
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
	name, ok := commandNames[foldName(word)]
	if !ok {
		return Command{}, ErrNotCommand
	}
	args := fields[1:]
	cmd := Command{Name: name}
	switch name {
	case CmdDigest:
		if len(args) > 1 {
			return Command{}, errors.New("Un seul thème à la fois : /synthese, ou /synthese 2 pour le thème 2.")
		}
		if len(args) == 1 {
			cmd.Theme = args[0]
		}
	case CmdStats:
		if len(args) > 0 {
			return Command{}, errors.New("/stats ne prend pas d'argument.")
		}
	default:
		if len(args) != 1 {
			return Command{}, fmt.Errorf("Indiquez le numéro de la réponse : /%s 123 (il figure à côté de chaque citation de la synthèse).", word)
		}
		id, err := parseAnswerID(args[0])
		if err != nil {
			return Command{}, fmt.Errorf("« %s » n'est pas un numéro de réponse : écrivez par exemple /%s 123.", args[0], word)
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
	return strings.NewReplacer("è", "e", "é", "e", "ê", "e").Replace(strings.ToLower(s))
}
