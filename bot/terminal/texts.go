package terminal

import (
	"strings"
	"unicode"

	"consultbot/flows"
)

// Hint is the first line printed when the conversation runs in a terminal
// with the line editor (stdin and stdout both terminals), in French.
const Hint = "consultbot dans le terminal : écrivez votre réponse puis Entrée. " +
	"Les flèches ← → corrigent la ligne, ↑ ↓ retrouvent un message déjà tapé ; " +
	"un texte collé part en un seul message, retours à la ligne compris (affichés ↵). " +
	"Un numéro choisit une option numérotée « 1) … » ; ailleurs il compte comme réponse. " +
	"/aide pour l'aide ; Ctrl-D ou Ctrl-C pour quitter."

// texts holds what the adapter itself says, in one language. Everything
// else comes from the conversation.
type texts struct {
	hint      string // with the line editor
	pipedHint string // input read line by line (a pipe, a file)
	// answer, or answerMax with the limit (%d characters), ends a reply
	// that takes text; orType then introduces its options, as words.
	answer    string
	answerMax string
	orType    string
	// tooLong: %d length, %d limit. givenBack follows it in the editor,
	// printedBack in piped mode before the text itself.
	tooLong     string
	givenBack   string
	printedBack string
	notSaved    string
	savedFile   string // %s path
	goodbye     string
}

var textsFR = texts{
	hint: Hint,
	pipedHint: "consultbot dans le terminal (entrée lue ligne à ligne) : chaque ligne est un message. " +
		"Un numéro choisit une option numérotée « 1) … » ; ailleurs il compte comme réponse. /aide pour l'aide.",
	answer:      "  Écrivez votre réponse",
	answerMax:   "  Écrivez votre réponse (%d caractères au plus)",
	orType:      ", ou tapez :",
	tooLong:     "Votre réponse fait %d caractères ; la limite est de %d. Elle n'a pas été envoyée.",
	givenBack:   "Raccourcissez-la : elle est remise dans la ligne de saisie (↑ la retrouve aussi), puis Entrée pour l'envoyer.",
	printedBack: "La voici, pour la raccourcir :",
	notSaved:    "(Erreur : ce message n'a pas été enregistré, réessayez.)",
	savedFile:   "(Fichier enregistré : %s)",
	goodbye:     "À bientôt ! Vos réponses sont enregistrées : relancez la même commande pour reprendre.",
}

var textsEN = texts{
	hint: "consultbot in the terminal: type your answer, then Enter. " +
		"The ← → arrows edit the line, ↑ ↓ bring back a message typed before; " +
		"pasted text goes as one message, line breaks included (shown as ↵). " +
		"A number picks a numbered option “1) …”; elsewhere it counts as an answer. " +
		"/help for help; Ctrl-D or Ctrl-C to quit.",
	pipedHint: "consultbot in the terminal (input read line by line): each line is a message. " +
		"A number picks a numbered option “1) …”; elsewhere it counts as an answer. /help for help.",
	answer:      "  Type your answer",
	answerMax:   "  Type your answer (%d characters at most)",
	orType:      ", or type:",
	tooLong:     "Your answer is %d characters long; the limit is %d. It was not sent.",
	givenBack:   "Shorten it: it is back in the input line (↑ brings it back too), then press Enter to send it.",
	printedBack: "Here it is, to shorten:",
	notSaved:    "(Error: this message was not saved, please try again.)",
	savedFile:   "(File saved: %s)",
	goodbye:     "See you soon! Your answers are saved: run the same command again to continue.",
}

// textsFor returns the texts of lang ("en", "en-GB"…), French by default.
func textsFor(lang string) *texts {
	if baseLang(lang) == flows.LangEN {
		return &textsEN
	}
	return &textsFR
}

// baseLang reduces "en-GB" to "en"; it returns "" for languages the
// adapter does not speak.
func baseLang(lang string) string {
	lang, _, _ = strings.Cut(strings.ToLower(lang), "-")
	switch lang {
	case flows.LangFR, flows.LangEN:
		return lang
	}
	return ""
}

// guessLang tells the language of a reply from its most common words:
// "fr", "en", or "" when it cannot tell (too short, or as many of each).
// Replies carry no language, and a person may switch with /langue.
func guessLang(r flows.Reply) string {
	words := []string{r.Title, r.Text}
	for _, o := range r.Options {
		words = append(words, o.Label)
	}
	fr, en := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(strings.Join(words, " ")), func(c rune) bool {
		return !unicode.IsLetter(c) && c != '\''
	}) {
		switch w {
		case "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "vous", "votre", "vos",
			"pour", "sur", "dans", "avec", "passer", "retour", "annuler", "plus", "tard", "merci", "réponse", "thème":
			fr++
		case "the", "an", "and", "is", "are", "you", "your", "for", "in", "with", "to", "of",
			"skip", "back", "cancel", "later", "thanks", "thank", "answer", "theme":
			en++
		}
	}
	switch {
	case fr > en:
		return flows.LangFR
	case en > fr:
		return flows.LangEN
	}
	return ""
}
