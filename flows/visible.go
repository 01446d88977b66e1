package flows

import "unicode"

// IsBlank reports whether s shows nothing at all when displayed: empty,
// or only spaces and invisible characters. What shows: letters, digits,
// punctuation and symbols, emoji included. What does not: spaces and line
// breaks, control and format characters (zero-width space U+200B, word
// joiner U+2060, byte order mark U+FEFF, soft hyphen U+00AD, the tag
// characters U+E0000–U+E007F, bidi marks), combining marks and variation
// selectors alone, private-use and unassigned code points, and the letters
// and symbols drawn blank on purpose (fillers below). Text that shows
// nothing is treated as empty. Adapters use it where they decide on their
// own whether a message holds text.
func IsBlank(s string) bool {
	for _, r := range s {
		if isVisible(r) {
			return false
		}
	}
	return true
}

func isVisible(r rune) bool {
	if blankGlyph[r] {
		return false
	}
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
}

// blankGlyph are letters and symbols (so not caught by their category)
// that fonts draw as nothing: they are used to post "empty" messages.
var blankGlyph = map[rune]bool{
	'\u115F': true, // HANGUL CHOSEONG FILLER
	'\u1160': true, // HANGUL JUNGSEONG FILLER
	'\u3164': true, // HANGUL FILLER
	'\uFFA0': true, // HALFWIDTH HANGUL FILLER
	'\u2800': true, // BRAILLE PATTERN BLANK
	'\u180E': true, // MONGOLIAN VOWEL SEPARATOR (Cf today, a space before Unicode 6.3)
}
