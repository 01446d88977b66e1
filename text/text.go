// Package text is the catalogue of every text consultbot shows a person,
// one per language: fr.go holds the French catalogue (the consultation's
// language), en.go the English one. The conversation (flows), the
// digest, the organisers' replies, the engine and each channel take their
// texts from here, so that a wording is changed in one place and a test
// (TestEveryTextInBothLanguages) checks that nothing exists in one
// language only.
//
// Texts are grouped by who shows them, in plain structs: a field is a
// key, and a missing translation is a compile error or an empty field the
// test names. Texts that take arguments say so in their comment; they are
// fmt formats. Nouns counted by a number are written "singular|plural".
// A text that tells a person which command to give names it by its
// canonical name in braces ("{erase}"): the catalogue a channel gets
// writes it as that channel offers it, a slash command ("/effacer") or
// the web page's button (« Effacer mes données »); see Naming.
//
// A text never holds a Go error: errors are for logs, and what a person
// reads when something fails is a text of its own (Organiser.Failed,
// Channel.NotSaved…). The package uses the standard library only, so that
// flows may import it.
package text

import "strings"

// Languages the catalogues are written in.
const (
	FR = "fr"
	EN = "en"
)

// Catalog is every text of one language. Read it, never change it.
type Catalog struct {
	// Lang is FR or EN.
	Lang string
	// Naming is how the texts of this catalogue name the commands.
	Naming Naming
	// Flow and Privacy hold the conversation's texts (package flows).
	Flow    Flow
	Privacy Privacy
	// Reminders holds the opt-in reminders' and announcements' texts.
	Reminders Reminders
	// Digest holds the digest's headings and labels.
	Digest Digest
	// Organiser holds the replies to organisers' commands.
	Organiser Organiser
	// Channel holds what the Telegram, Discord and terminal channels and
	// the engine say themselves, around the conversation.
	Channel Channel
	// Web holds what the web page says itself: its chrome, labels and
	// buttons, its landing page and its answers to bad requests.
	Web Web
	// CLI holds what the consultbot command line says.
	CLI CLI
}

// For returns the catalogue of lang: English for "en" and its regional
// forms ("en-GB"), French for anything else. Its texts name the
// conversation's commands as slash commands; ForNaming names them as
// another channel offers them.
func For(lang string) *Catalog { return ForNaming(lang, Slash) }

// IsEnglish reports whether lang, a language code as the platforms send
// it ("en", "en-GB", "en-US"), is English.
func IsEnglish(lang string) bool { return strings.HasPrefix(lang, EN) }

// Lang returns FR or EN for a language code as the platforms send it.
func Lang(code string) string {
	if IsEnglish(code) {
		return EN
	}
	return FR
}

// Count returns the noun of a "singular|plural" text to write after the
// number n: French uses the singular for 0 and 1 (« 0 réponse »),
// English for 1 only ("0 answers").
func (c *Catalog) Count(n int, noun string) string {
	one, many, ok := strings.Cut(noun, "|")
	if !ok {
		return noun
	}
	if n == 1 || (n == 0 && c.Lang == FR) {
		return one
	}
	return many
}
