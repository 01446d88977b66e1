package places

import (
	"strconv"
	"strings"
	"unicode"

	"consultbot/internal/fold"
)

// tokenize lowercases s, removes accents and splits it into words of ASCII
// letters and digits. Any other character separates words, so hyphens,
// spaces, apostrophes (' and ’) and punctuation all compare equal. A word
// is also cut where a digit follows a letter ("paris15" → "paris 15") but
// not where a letter follows a digit ("15e", "2a"). "s/" reads as "sur".
func tokenize(s string) []string {
	// Words are written into one buffer and cut from one string, two
	// allocations per call however many words.
	var bufArr [64]byte
	var endsArr [16]int
	buf, ends := bufArr[:0], endsArr[:0]
	word := func() []byte {
		start := 0
		if len(ends) > 0 {
			start = ends[len(ends)-1]
		}
		return buf[start:]
	}
	flush := func() {
		if len(word()) > 0 {
			ends = append(ends, len(buf))
		}
	}
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case r >= 'a' && r <= 'z':
			buf = append(buf, byte(r))
		case r >= '0' && r <= '9':
			if w := word(); len(w) > 0 && !isDigit(w[len(w)-1]) && !isDigit(w[0]) {
				flush()
			}
			buf = append(buf, byte(r))
		case r == '/' && string(word()) == "s":
			buf = append(buf, "ur"...)
			flush()
		default:
			if f, ok := fold.Rune(r); ok {
				buf = append(buf, f...)
				continue
			}
			flush()
		}
	}
	flush()
	all := string(buf)
	toks := make([]string, len(ends))
	start := 0
	for i, end := range ends {
		toks[i], start = all[start:end], end
	}
	return toks
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// abbreviations expands the short forms people type.
var abbreviations = map[string]string{
	"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes",
	"fd": "ferrand", "mt": "mont", "ss": "sous",
}

// arrondissementWords and ordinalWords are dropped: "Paris 15e
// arrondissement", "Paris 15 eme" and "Paris 15" all read "paris 15".
var (
	arrondissementWords = set("arrondissement", "arrondissements", "arr", "arrt", "arrdt", "ardt", "arrond", "arrondt")
	ordinalWords        = set("e", "eme", "em", "er", "ere", "ieme", "iem", "me")
	arrondissementCity  = set("paris", "lyon", "marseille")
	romans              = map[string]int{
		"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
		"xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18, "xix": 19, "xx": 20,
	}
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// normalize turns text into the words a name is indexed under: abbreviations
// expanded, ordinals reduced to their number ("15e", "XVe" after a city with
// arrondissements), the word arrondissement dropped, and "15e arrondissement
// de Paris" reordered to "paris 15". Names and what people type go through
// the same function, so they meet in the middle.
func normalize(s string) []string {
	in := tokenize(s)
	out := in[:0]
	for i, t := range in {
		if x, ok := abbreviations[t]; ok {
			t = x
		} else if t == "s" && i > 0 && i < len(in)-1 { // "Neuilly s Seine"
			t = "sur"
		}
		if arrondissementWords[t] {
			continue
		}
		afterCity := len(out) > 0 && arrondissementCity[out[len(out)-1]]
		if len(out) > 0 && ordinalWords[t] && isNumber(out[len(out)-1]) {
			// "Paris 15 eme" is "paris 15"; "15 eme" alone is an ordinal,
			// not département 15.
			if len(out) < 2 || !arrondissementCity[out[len(out)-2]] {
				out[len(out)-1] += "e"
			}
			continue
		}
		switch {
		case isDigit(t[0]):
			t = ordinal(t)
			if n, ok := strings.CutSuffix(t, "e"); ok && afterCity && isNumber(n) {
				t = n // "Paris 15e" → "paris 15"
			}
		case afterCity:
			if n, ok := roman(t); ok {
				t = strconv.Itoa(n)
			}
		}
		out = append(out, t)
	}
	// "15e arrondissement de Paris" → "paris 15".
	if len(out) >= 2 && (isNumber(out[0]) || isOrdinal(out[0])) {
		rest := out[1:]
		if len(rest) == 2 && (rest[0] == "de" || rest[0] == "du") {
			rest = rest[1:]
		}
		if len(rest) == 1 && arrondissementCity[rest[0]] {
			out = []string{rest[0], strings.TrimSuffix(out[0], "e")}
		}
	}
	return out
}

// isOrdinal reports whether w is an ordinal as normalize writes it: "15e".
func isOrdinal(w string) bool {
	n, ok := strings.CutSuffix(w, "e")
	return ok && isNumber(n)
}

// ordinal writes "15e", "1er", "13eme", "15ème" as "15e", "1e", "13e",
// "15e". Other words starting with a digit ("2a", "75015") are kept as
// they are.
func ordinal(t string) string {
	i := 0
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	if i == len(t) || !ordinalWords[t[i:]] {
		return t
	}
	n, err := strconv.Atoi(t[:i])
	if err != nil {
		return t
	}
	return strconv.Itoa(n) + "e"
}

// roman reads a Roman numeral from 1 to 20, with an optional ordinal ending
// ("xve", "ier").
func roman(t string) (int, bool) {
	if n, ok := romans[t]; ok {
		return n, true
	}
	for _, suffix := range []string{"eme", "ere", "er", "e"} {
		if s, ok := strings.CutSuffix(t, suffix); ok {
			if n, ok := romans[s]; ok {
				return n, true
			}
		}
	}
	return 0, false
}

func isNumber(t string) bool {
	for i := 0; i < len(t); i++ {
		if !isDigit(t[i]) {
			return false
		}
	}
	return t != ""
}

// key is the compact form names are compared in: the words glued together,
// so "Saint Denis", "saint-denis" and "SaintDenis" meet.
func key(toks []string) string { return strings.Join(toks, "") }

// leadingWords are the openings people put before a place ("j'habite à",
// "académie de", "dans le"); they are stripped when the whole text names
// nothing. A kind word also hints which kind of place is meant.
var (
	leadingPhrases = [][]string{
		{"j", "habite"}, {"jhabite"}, {"j", "habites"}, {"je", "vis"}, {"je", "suis"}, {"je", "reside"},
		{"on", "habite"}, {"on", "vit"}, {"on", "est"}, {"nous", "habitons"}, {"nous", "vivons"}, {"nous", "sommes"},
		{"i", "live", "in"}, {"c", "est"}, {"cest"}, {"habite"}, {"mon", "academie", "est"},
	}
	kindWords = map[string]Kind{
		"academie": KindAcademie, "ac": KindAcademie, "rectorat": KindAcademie,
		"departement": KindDepartement, "dept": KindDepartement, "dpt": KindDepartement, "dep": KindDepartement, "depart": KindDepartement,
		"region": KindRegion,
		"ville":  KindCommune, "commune": KindCommune, "mairie": KindCommune,
	}
	connectorWords = set("de", "du", "des", "d", "a", "au", "aux", "en", "dans", "le", "la", "les", "l", "sur", "pres", "vers", "ma", "mon", "notre", "in", "the")
	trailingWords  = set("france", "fr")
)

// stripLeading removes the openings of leadingPhrases, kind words and
// connectors from toks and reports the kind hinted at, if any.
func stripLeading(toks []string) ([]string, Kind) {
	var hint Kind
	for changed := true; changed && len(toks) > 1; {
		changed = false
		for _, p := range leadingPhrases {
			if len(toks) > len(p) && equalWords(toks[:len(p)], p) {
				toks, changed = toks[len(p):], true
			}
		}
		if k, ok := kindWords[toks[0]]; ok {
			toks, hint, changed = toks[1:], k, true
		} else if connectorWords[toks[0]] {
			toks, changed = toks[1:], true
		}
	}
	if len(toks) == 1 {
		if _, ok := kindWords[toks[0]]; ok {
			return nil, hint
		}
	}
	return toks, hint
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// stopwords are replies that are not places, even where a tiny commune bears
// the same name (Parent, École, Aucun, Moyen, Faux): someone who lives there
// finds it with its département, "Parent 63".
var stopwords = set(
	"oui", "non", "ok", "okay", "daccord", "dac", "yes", "no", "si",
	"bonjour", "bonsoir", "salut", "hello", "hi", "coucou", "hey",
	"merci", "mercibeaucoup", "nonmerci", "thanks",
	"passer", "jepasse", "passe", "skip", "suivant", "next",
	"aucun", "aucune", "aucuneidee", "rien", "personne", "nimportequoi",
	"jenesaispas", "jesaispas", "saispas", "jsp", "nsp", "pas", "jenesaisplus", "idk", "dontknow", "idontknow",
	"plustard", "peutetre", "sansavis", "secret", "confidentiel", "prive",
	"parent", "parents", "ecole", "college", "lycee", "enseignant", "professeur", "prof",
	"moyen", "faux", "vrai", "bien", "mal", "tresbien", "super", "autre", "ailleurs", "etranger",
	"france", "test", "aide", "help", "stop", "annuler", "cancel", "retour", "menu", "start",
	"saint", "sainte", "ville", "village", "campagne", "grandeville", "petiteville", "banlieue", "province",
	"suisse",
)
