// Package fold removes the accents of the Latin letters French (and its
// neighbours) write, so that what people type compares equal with or
// without them: "élève", "eleve" and a decomposed "e\u0301le\u0300ve" are
// one word. It is the one implementation the conversation (flows and
// flows/places), the digest and the organiser commands share.
//
// It uses the standard library only, so that flows, which imports nothing
// else, can use it: golang.org/x/text's NFD decomposition would fold every
// script, but it cannot go into flows, and a table of the letters people
// here actually type, plus dropping combining marks, folds the same words.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// letters maps the lower-case accented letters to their base letters.
var letters = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i", 'ñ': "n",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u", 'ÿ': "y", 'ý': "y",
	'œ': "oe", 'æ': "ae", 'ß': "ss",
}

// Rune returns what a lower-case rune folds to and true when folding
// changes it: an accented letter's base letters ("é" → "e", "œ" → "oe"),
// or nothing for a combining mark (the accent of a decomposed letter).
// Any other rune gives false.
func Rune(r rune) (string, bool) {
	if r < utf8.RuneSelf {
		return "", false
	}
	if s, ok := letters[r]; ok {
		return s, true
	}
	if unicode.Is(unicode.Mn, r) {
		return "", true
	}
	return "", false
}

// String lower-cases s and removes its accents. ASCII text is returned
// as it is once lower-cased, without copying.
func String(s string) string {
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return fold(s)
		}
	}
	return s
}

func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if f, ok := Rune(r); ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
