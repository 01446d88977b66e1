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

// Distance is the optimal string alignment distance between the bytes
// of a and b: insertions, deletions, substitutions and swaps of neighbours,
// the typos of someone typing a word (fold both first to ignore accents).
func Distance(a, b string) int {
	var buf [3][64]int
	rows := [3][]int{buf[0][:0], buf[1][:0], buf[2][:0]}
	for k := range rows {
		if len(b)+1 > cap(rows[k]) {
			rows[k] = make([]int, len(b)+1)
		}
		rows[k] = rows[k][:len(b)+1]
	}
	prev2, prev, cur := rows[0], rows[1], rows[2]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
