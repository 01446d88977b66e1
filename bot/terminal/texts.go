package terminal

import (
	"strings"
	"unicode"

	"consultbot/flows"
	"consultbot/text"
)

// textsFor returns what the adapter itself says in lang ("en", "en-GB"…),
// French by default; everything else comes from the conversation.
func textsFor(lang string) *text.Terminal {
	if baseLang(lang) == flows.LangEN {
		return &text.For(text.EN).Channel.Terminal
	}
	return &text.For(text.FR).Channel.Terminal
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
