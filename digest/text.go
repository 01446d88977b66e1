package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"consultbot/internal/fold"
)

// minWordLen is the shortest word counted, in letters.
const minWordLen = 3

// maxQuoteLen bounds a quote's length in characters, "…" included.
const maxQuoteLen = 280

// foldAccents removes the accents of a lower-cased word, whether they are
// precomposed ("é") or combining marks after the letter (a decomposed
// "é", as some keyboards send).
func foldAccents(s string) string { return fold.String(s) }

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
	words(text, func(w string) {
		if t, ok := classify(w); ok {
			emit(t)
		}
	})
}

// words calls emit with each run of letters of text, as typed.
func words(text string, emit func(string)) {
	start := -1
	for i, r := range text {
		if 'a' <= r && r <= 'z' || unicode.IsLetter(r) || (start >= 0 && unicode.Is(unicode.Mn, r)) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			emit(text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		emit(text[start:])
	}
}

// classify returns the token of a word as typed, and false when it is not
// meaningful (too short, a stop word).
func classify(w string) (token, bool) {
	// Most words are lower-case ASCII: they are their own key and form,
	// with no copy.
	form, key := w, w
	if !lowerASCII(w) {
		if utf8.RuneCountInString(w) < minWordLen {
			return token{}, false
		}
		form = strings.ToLower(w)
		key = foldAccents(form)
	} else if len(w) < minWordLen {
		return token{}, false
	}
	if isStopWord(key) {
		return token{}, false
	}
	return token{key: key, form: form}, true
}

// lowerASCII reports whether w has only ASCII characters and no capital.
func lowerASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
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
	for i := 0; i < len(s); {
		c, size := s[i], 1
		sp := false
		switch {
		case c < utf8.RuneSelf:
			sp = c == ' ' || '\t' <= c && c <= '\r'
		case c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3:
			// The lead bytes of the other spaces unicode.IsSpace knows
			// (U+0085, U+00A0, U+1680, U+2000–U+3000); accented letters
			// have others and are skipped a byte at a time.
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return strings.Join(strings.Fields(s), " ")
			}
		}
		if sp && (c != ' ' || prevSpace) {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = sp
		i += size
	}
	if prevSpace && s != "" {
		return strings.TrimRight(s, " ")
	}
	return s
}

// shorten returns s cut to at most max characters, and whether it was
// cut. A quote is never cut inside a word or a sentence when it can be
// helped: it keeps the whole sentences that fit, followed by " …", when
// they make at least half of max; otherwise it stops at the last word
// that fits, followed by "…". Only a text with no space before the limit
// (a long link) is cut inside a word.
func shorten(s string, max int) (string, bool) {
	if utf8.RuneCountInString(s) <= max {
		return s, false
	}
	if head, ok := sentencesWithin(s, max-2, max/2); ok {
		return head + " …", true
	}
	// prefix is the longest head of s that leaves room for the ellipsis.
	prefix := s[:runeOffset(s, max-1)]
	head := prefix
	if next, _ := utf8.DecodeRuneInString(s[len(prefix):]); !unicode.IsSpace(next) {
		// The limit falls inside a word: drop that word.
		if sp := strings.LastIndexFunc(prefix, unicode.IsSpace); sp > 0 {
			head = prefix[:sp]
		}
	}
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && !isCloser(r)
	})
	if head == "" {
		head = prefix
	}
	return head + "…", true
}

// sentencesWithin returns the longest head of s made of whole sentences
// that has at most max characters, provided it has at least min.
func sentencesWithin(s string, max, min int) (string, bool) {
	best, n := -1, 0
	for i, r := range s {
		if n >= max {
			break
		}
		n++
		if !strings.ContainsRune(".!?…", r) {
			continue
		}
		// The sentence ends after its closing brackets and quotes, if
		// any (a French « » closes after a space), when a space follows.
		end, count := i+utf8.RuneLen(r), n
		for end < len(s) && count < max {
			c, size := utf8.DecodeRuneInString(s[end:])
			if unicode.IsSpace(c) && strings.HasPrefix(s[end+size:], "»") && count+2 <= max {
				end += size + len("»")
				count += 2
				continue
			}
			if !isCloser(c) {
				break
			}
			end += size
			count++
		}
		if c, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && unicode.IsSpace(c) && count >= min {
			best = end
		}
	}
	if best < 0 {
		return "", false
	}
	return s[:best], true
}

// isCloser reports whether r closes a bracket or a quotation.
func isCloser(r rune) bool { return strings.ContainsRune(")]»\"”’", r) }

// runeOffset returns the byte offset of the n-th rune of s, or len(s).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
