package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// minWordLen is the shortest word counted, in letters.
const minWordLen = 3

// maxQuoteLen bounds a quote's length in characters, "…" included.
const maxQuoteLen = 280

// accentFold maps the accented letters of French (and a few neighbours) to
// their base letters, so that "élève", "eleve" and "ÉLÈVE" count as one word.
var accentFold = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a", "å", "a",
	"ç", "c",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ì", "i",
	"ô", "o", "ö", "o", "ó", "o", "ò", "o", "õ", "o",
	"ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ÿ", "y", "ñ", "n",
	"œ", "oe", "æ", "ae",
)

// foldAccents removes the accents of a lower-cased word, whether they are
// precomposed ("é") or combining marks after the letter (a decomposed
// "é", as some keyboards send).
func foldAccents(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(func(r rune) rune {
				if unicode.Is(unicode.Mn, r) {
					return -1
				}
				return r
			}, accentFold.Replace(s))
		}
	}
	return s
}

// token is one meaningful word of a text: its counting key (lower-cased,
// accent-folded) and its surface form for display (lower-cased, accents
// kept).
type token struct {
	key, form string
}

// tokenize splits text into runs of letters, lower-cases them and keeps the
// meaningful ones: at least minWordLen letters, not a stop word. Digits and
// punctuation separate words, so numbers never count; elided articles
// ("l'école") and hyphenated words split at the apostrophe or hyphen.
func tokenize(text string, emit func(token)) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		start = -1
		if utf8.RuneCountInString(w) < minWordLen {
			return
		}
		form := strings.ToLower(w)
		key := foldAccents(form)
		if isStopWord(key) {
			return
		}
		emit(token{key: key, form: form})
	}
	for i, r := range text {
		if unicode.IsLetter(r) || (start >= 0 && unicode.Is(unicode.Mn, r)) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
}

// pluralStem returns the singular key a plural key folds into: the key
// without its final "s" or "x", when that stem is itself a word of the
// vocabulary. The rule is deliberately simple (it folds "élèves" into
// "élève" and "jeux" into "jeu", not "chevaux" into "cheval"), and because
// it needs the stem to occur it never invents a word.
func pluralStem(key string, known func(string) bool) string {
	n := len(key)
	if n <= minWordLen || (key[n-1] != 's' && key[n-1] != 'x') {
		return key
	}
	if stem := key[:n-1]; known(stem) {
		return stem
	}
	return key
}

// normalizeSpace collapses every run of white space (newlines included) to
// one space, so that a quote stays on one line and its markup cannot break.
func normalizeSpace(s string) string {
	prevSpace := true // leading space is trimmed too
	for _, r := range s {
		sp := unicode.IsSpace(r)
		if sp && (r != ' ' || prevSpace) {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = sp
	}
	if prevSpace && s != "" {
		return strings.TrimRight(s, " ")
	}
	return s
}

// shorten returns s cut to at most max characters at a word boundary, with
// "…" appended, and whether it was cut. A single word longer than the limit
// is cut inside the word rather than dropped.
func shorten(s string, max int) (string, bool) {
	if utf8.RuneCountInString(s) <= max {
		return s, false
	}
	// Keep room for the ellipsis.
	limit := max - 1
	cut, n := 0, 0
	for i := range s {
		if n == limit {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > len(head)/2 {
		head = head[:sp]
	}
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' && r != '»' && r != '"'
	})
	return head + "…", true
}
