package organiser

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"consultbot/internal/fold"
	"consultbot/text"
)

// Arg says what an organiser command takes after its name.
type Arg int

// Argument kinds.
const (
	ArgNone   Arg = iota // nothing
	ArgTheme             // optional: a theme's number ("2") or id
	ArgAnswer            // required: an answer's number ("123", "#123", "n°123")
	ArgText              // required: free text, the rest of the line (line breaks kept)
	ArgDraft             // required: an announcement's number ("3")
)

// Role is what a person may do, as the channel that saw them says: the
// adapters know the platform's permissions (organiser chats and users on
// Telegram, channels and roles on Discord), organiser decides with them.
type Role int

// Roles, each allowed what the one before it may do.
const (
	Anyone    Role = iota // a participant, a stranger
	Organiser             // a member of the organising team
)

// Spec describes one organiser command. Commands is the one table the
// parser, the organisers' help, Telegram's command menu and Discord's
// slash commands are generated from; the descriptions are in the text
// catalogue, under the command's ID.
type Spec struct {
	// ID is the command's canonical name, one of the Cmd constants.
	ID string
	// FR and EN are the names organisers type, without the slash:
	// lowercase [a-z0-9_], as Telegram and Discord accept them.
	FR, EN string
	// Aliases are other names accepted as typed ("statistiques").
	Aliases []string
	// Arg is what the command takes.
	Arg Arg
	// Who may run it.
	Who Role
}

// commands is the table, in the order menus and the help show it.
var commands = []Spec{
	{ID: CmdDigest, FR: "synthese", EN: "digest", Arg: ArgTheme, Who: Organiser},
	{ID: CmdStats, FR: "stats", EN: "stats", Aliases: []string{"statistiques"}, Who: Organiser},
	{ID: CmdHide, FR: "masquer", EN: "hide", Arg: ArgAnswer, Who: Organiser},
	{ID: CmdUnhide, FR: "afficher", EN: "unhide", Aliases: []string{"demasquer"}, Arg: ArgAnswer, Who: Organiser},
	{ID: CmdBan, FR: "bannir", EN: "ban", Arg: ArgAnswer, Who: Organiser},
	{ID: CmdUnban, FR: "debannir", EN: "unban", Arg: ArgAnswer, Who: Organiser},
	{ID: CmdAnnounce, FR: "annonce", EN: "announce", Arg: ArgText, Who: Organiser},
	{ID: CmdAnnounceSend, FR: "annonce_envoyer", EN: "announce_send", Arg: ArgDraft, Who: Organiser},
}

// Commands returns the organiser commands, in the order menus show them.
func Commands() []Spec { return append([]Spec(nil), commands...) }

// Name returns what organisers type in lang, without the slash.
func (s Spec) Name(lang string) string {
	if text.IsEnglish(lang) {
		return s.EN
	}
	return s.FR
}

// Text returns the command's texts in lang: its argument as the help
// writes it, its menu description and its line of help.
func (s Spec) Text(lang string) text.Command {
	return text.For(lang).Organiser.Commands[s.ID]
}

// Lookup finds a command by a name a platform sends back (Discord's
// French base name or its English localisation) or as typed (accents and
// capitals allowed).
func Lookup(name string) (Spec, bool) {
	name = fold.String(name)
	for _, s := range commands {
		if name == s.FR || name == s.EN {
			return s, true
		}
		for _, a := range s.Aliases {
			if name == a {
				return s, true
			}
		}
	}
	return Spec{}, false
}

// ErrNotCommand is returned by ParseCommand for text that is not an
// organiser command at all, so that an adapter can hand it to the
// participants' conversation instead.
var ErrNotCommand = errors.New("not an organiser command")

// Problem is what is wrong with a malformed organiser command.
type Problem int

// Problems of a malformed command.
const (
	NeedsOneTheme Problem = iota + 1 // /synthese 1 2
	TakesNothing                     // /stats tout
	NeedsAnAnswer                    // /masquer, /masquer 1 2
	NotAnAnswerID                    // /masquer abc
	NeedsText                        // /annonce alone
	NeedsDraft                       // /annonce_envoyer, /annonce_envoyer x
)

// UsageError is a malformed organiser command, as data: the service
// answers it with the catalogue's explanation of how to write the
// command, in the language of the name typed (see Message). Its Error
// text is for logs.
type UsageError struct {
	Spec    Spec
	Typed   string // the command's name as typed, without the slash
	Lang    string // FR, or EN when the name typed is English
	Problem Problem
	Arg     string // NotAnAnswerID: the argument given
}

func (e *UsageError) Error() string {
	return fmt.Sprintf("malformed /%s command (problem %d)", e.Typed, e.Problem)
}

// ParseCommand parses an organiser command as typed in a chat: a slash, a
// name in French or English (accents optional, "@botname" allowed after it
// as Telegram groups send it), then arguments as the command's Spec says.
// It returns ErrNotCommand for anything else, and a *UsageError for a
// malformed organiser command.
func ParseCommand(line string) (Command, error) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "/") {
		return Command{}, ErrNotCommand
	}
	fields := strings.Fields(line[1:])
	if len(fields) == 0 {
		return Command{}, ErrNotCommand
	}
	word := fields[0]
	if at := strings.IndexByte(word, '@'); at >= 0 {
		word = word[:at]
	}
	spec, ok := Lookup(word)
	if !ok {
		return Command{}, ErrNotCommand
	}
	lang := text.FR
	if folded := fold.String(word); folded == spec.EN && spec.EN != spec.FR {
		lang = text.EN
	}
	usage := func(p Problem, arg string) error {
		return &UsageError{Spec: spec, Typed: word, Lang: lang, Problem: p, Arg: arg}
	}
	args := fields[1:]
	cmd := Command{Name: spec.ID}
	switch spec.Arg {
	case ArgText:
		// The rest of the line as typed, after the command's name.
		rest := strings.TrimLeft(line[1:], " \t")
		rest = strings.TrimSpace(rest[len(fields[0]):])
		if rest == "" {
			return Command{}, usage(NeedsText, "")
		}
		cmd.Text = rest
	case ArgDraft:
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.Join(args, ""), "#"), 10, 64)
		if len(args) != 1 || err != nil || n == 0 {
			return Command{}, usage(NeedsDraft, strings.Join(args, " "))
		}
		cmd.Draft = n
	case ArgTheme:
		if len(args) > 1 {
			return Command{}, usage(NeedsOneTheme, "")
		}
		if len(args) == 1 {
			cmd.Theme = args[0]
		}
	case ArgNone:
		if len(args) > 0 {
			return Command{}, usage(TakesNothing, "")
		}
	case ArgAnswer:
		if len(args) != 1 {
			return Command{}, usage(NeedsAnAnswer, "")
		}
		id, err := parseAnswerID(args[0])
		if err != nil {
			return Command{}, usage(NotAnAnswerID, args[0])
		}
		cmd.AnswerID = id
	}
	return cmd, nil
}

// check reports what is wrong with a command a platform parsed itself
// (Discord's slash command options), as ParseCommand would.
func check(spec Spec, cmd Command, lang string) error {
	if spec.Arg == ArgAnswer && cmd.AnswerID == 0 {
		return &UsageError{Spec: spec, Typed: spec.Name(lang), Lang: text.Lang(lang), Problem: NeedsAnAnswer}
	}
	if spec.Arg == ArgText && strings.TrimSpace(cmd.Text) == "" {
		return &UsageError{Spec: spec, Typed: spec.Name(lang), Lang: text.Lang(lang), Problem: NeedsText}
	}
	if spec.Arg == ArgDraft && cmd.Draft == 0 {
		return &UsageError{Spec: spec, Typed: spec.Name(lang), Lang: text.Lang(lang), Problem: NeedsDraft}
	}
	return nil
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

// Message is what the organiser who sent a command reads when it fails:
// for a malformed command, how to write it, in the language of the name
// typed; for anything else (a store failure, whose error is for logs),
// an apology in lang.
func Message(err error, lang string) string {
	var u *UsageError
	if !errors.As(err, &u) {
		return text.For(lang).Organiser.Failed
	}
	t := text.For(u.Lang).Organiser
	switch u.Problem {
	case NeedsOneTheme:
		return fmt.Sprintf(t.OneTheme, u.Typed)
	case TakesNothing:
		return fmt.Sprintf(t.TakesNothing, u.Typed)
	case NotAnAnswerID:
		return fmt.Sprintf(t.NotAnAnswerID, u.Arg, u.Typed)
	case NeedsText:
		return fmt.Sprintf(t.Announce.NeedsText, u.Typed)
	case NeedsDraft:
		return fmt.Sprintf(t.Announce.NeedsDraft, u.Typed)
	}
	return fmt.Sprintf(t.NeedsAnAnswer, u.Typed)
}
