package places

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// cand is a place a text may name: how it matched (tier, and the number of
// edits for a typo) decides which candidates compete.
type cand struct {
	rec  int32
	tier uint8
	dist uint8
}

// variant is one reading of the text: as typed, or without its opening
// words, with the kind those words hinted at.
type variant struct {
	toks []string
	hint Kind
}

// maxResults is the most places Lookup returns.
const maxResults = 5

// maxInput is the longest text read as a place, in bytes: the longest
// commune name has 45 letters, and a longer text is a sentence, not an
// answer to « où habitez-vous ? ».
const maxInput = 120

func (t *table) lookup(input string) []Place {
	if len(input) > maxInput {
		return nil
	}
	toks := normalize(input)
	if len(toks) == 0 || stopwords[key(toks)] || !slices.ContainsFunc(toks, func(w string) bool { return !connectorWords[w] }) {
		return nil
	}
	if c := t.labelled(input); len(c) > 0 {
		return t.finish(c, "")
	}
	// Readings, most literal first: as typed, without the opening words,
	// then without a trailing "France" ("Lyon, France"; but "Île-de-France"
	// matches as typed). Each stage tries every reading before the looser
	// next one: exact names, then typos, then a name followed by other words.
	variants := []variant{{toks: toks}}
	addStripped := func(toks []string) {
		if s, hint := stripLeading(toks); len(s) > 0 && len(s) < len(toks) && (hint != "" || !stopwords[key(s)]) {
			variants = append(variants, variant{s, hint})
		}
	}
	addStripped(toks)
	if n := len(toks); n > 1 && trailingWords[toks[n-1]] {
		variants = append(variants, variant{toks: toks[:n-1]})
		addStripped(toks[:n-1])
	}
	for _, v := range variants {
		if c := t.exact(v.toks); len(c) > 0 {
			return t.finish(c, v.hint)
		}
	}
	for _, v := range variants {
		if c := t.fuzzy(key(v.toks)); len(c) > 0 {
			return t.finish(c, v.hint)
		}
	}
	for _, v := range variants {
		if c := t.soundsLike(key(v.toks)); len(c) > 0 {
			return t.finish(c, v.hint)
		}
	}
	for _, v := range variants {
		if c := t.extraWords(v.toks); len(c) > 0 {
			return t.finish(c, v.hint)
		}
	}
	return nil
}

// labelled reads the form Label gives, "Saint-Denis (93)", "Vergné (17)",
// where the parentheses say the number is a département: "Marseille (13)"
// is the city, "Marseille 13" its 13th arrondissement. Among the places of
// that name in that département, the one spelt exactly so wins.
func (t *table) labelled(input string) []cand {
	s := strings.TrimSpace(input)
	open := strings.LastIndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return nil
	}
	name, code := strings.TrimSpace(s[:open]), strings.ToLower(strings.TrimSpace(s[open+1:len(s)-1]))
	if !isCode(code) || len(code) > 3 {
		return nil
	}
	toks := normalize(name)
	if len(toks) == 0 {
		return nil
	}
	var in []int32
	for _, d := range t.code(code) {
		in = append(in, d.rec)
	}
	cs := t.within(t.nameOrTypo(toks), in)
	if i := slices.IndexFunc(cs, func(c cand) bool { return strings.EqualFold(t.recs[c.rec].name, name) }); i >= 0 {
		return cs[i : i+1]
	}
	return cs
}

// extraWords reads a big place followed by a word or two: "Montreuil sous
// bois", "Lyon centre". It comes last, after typos.
func (t *table) extraWords(toks []string) []cand {
	for i := len(toks) - 1; i >= max(1, len(toks)-2); i-- {
		k := key(trimConnectors(toks[:i]))
		if len(k) < 4 { // "Aix la Chapelle" is not in Aix-Marseille
			continue
		}
		var out []cand
		for _, c := range t.named(k) {
			if c.tier == tierName && t.recs[c.rec].rank >= extraWordsMinRank {
				out = append(out, c)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// exact finds what toks names without typos (except in a name read beside
// a code or a containing place, "Montreil 93").
func (t *table) exact(toks []string) []cand {
	k := key(toks)
	if len(toks) == 1 {
		if c := t.code(k); len(c) > 0 {
			return c
		}
		if isOrdinal(k) { // "le 15e": an arrondissement, in whichever city
			var out []cand
			for _, city := range arrondissementCities {
				out = append(out, t.named(city+strings.TrimSuffix(k, "e"))...)
			}
			return out
		}
	}
	if c := t.namedOrStarting(k); len(c) > 0 {
		return c
	}
	if len(toks) < 2 {
		return nil
	}
	// A code after or before a name: "Saint-Denis 93", "93100 Montreuil",
	// "Marseile 13".
	if last := toks[len(toks)-1]; isCode(last) || isOrdinal(last) {
		if c := t.withCode(toks[:len(toks)-1], last); len(c) > 0 {
			return c
		}
	}
	if first := toks[0]; isCode(first) {
		if c := t.withCode(toks[1:], first); len(c) > 0 {
			return c
		}
	}
	// A département, région or académie after the name: "Saint-Denis la
	// Réunion", "Montreuil Seine-Saint-Denis".
	for i := len(toks) - 1; i >= 1; i-- {
		var in []int32
		for _, c := range t.named(key(toks[i:])) {
			if k := t.recs[c.rec].kind; c.tier == tierName && k != kCommune && k != kArrondissement {
				in = append(in, c.rec)
			}
		}
		if len(in) == 0 {
			continue
		}
		if c := t.within(t.nameOrTypo(trimConnectors(toks[:i])), in); len(c) > 0 {
			return c
		}
		j := i - 1
		for j > 0 && articles[toks[j]] {
			j--
		}
		if j > 0 && placeIn[toks[j]] {
			// « Saint-Quentin en Yvelines », « Vaux dans le Nord »: the
			// name is no commune there (not Saint-Quentin, Aisne), but the
			// place it is in was said, after « en » or « dans ».
			var out []cand
			for _, r := range in {
				out = append(out, cand{rec: r})
			}
			return out
		}
	}
	return nil
}

// placeIn are the words before the département or région a place is in,
// with or without an article.
var (
	placeIn  = set("en", "dans")
	articles = set("le", "la", "les", "l")
)

// Populations a place needs to be found by the first words of its name,
// or by its name followed by other words.
const (
	prefixMinRank     = 10_000
	extraWordsMinRank = 20_000
)

// trimConnectors drops the small words that end toks ("Saint-Denis de").
func trimConnectors(toks []string) []string {
	for len(toks) > 1 && connectorWords[toks[len(toks)-1]] {
		toks = toks[:len(toks)-1]
	}
	return toks
}

// namedOrStarting returns the places named k, or whose name starts with
// the words of k.
func (t *table) namedOrStarting(k string) []cand {
	return append(t.named(k), t.prefixed(k, prefixMinRank)...)
}

// prefixed returns the communes of at least minRank inhabitants whose name
// starts with the words of k: "Boulogne" for Boulogne-Billancourt and
// Boulogne-sur-Mer, "Saint-Ouen" for Saint-Ouen-sur-Seine. A lone "Saint"
// or a word under four letters names too many places to mean any.
func (t *table) prefixed(k string, minRank int32) []cand {
	if len(k) < 4 || len(k) >= 64 || k == "saint" || k == "sainte" || k == "saints" || k == "saintes" {
		return nil
	}
	i, _ := slices.BinarySearchFunc(t.entries, k, func(e entry, k string) int { return strings.Compare(e.key, k) })
	var out []cand
	for ; i < len(t.entries) && strings.HasPrefix(t.entries[i].key, k); i++ {
		e := &t.entries[i]
		r := &t.recs[e.rec]
		if len(e.key) > len(k) && e.bounds&(1<<len(k)) != 0 && e.tier == tierName &&
			(r.kind == kCommune || r.kind == kArrondissement) && r.rank >= minRank {
			out = append(out, cand{rec: e.rec, tier: tierPrefix})
		}
	}
	return out
}

// named returns the places known under key k.
func (t *table) named(k string) []cand {
	i, _ := slices.BinarySearchFunc(t.entries, k, func(e entry, k string) int { return strings.Compare(e.key, k) })
	var out []cand
	for ; i < len(t.entries) && t.entries[i].key == k; i++ {
		out = append(out, cand{rec: t.entries[i].rec, tier: t.entries[i].tier})
	}
	return out
}

// nameOrTypo reads toks as a name alone, exactly or else with typos.
func (t *table) nameOrTypo(toks []string) []cand {
	k := key(toks)
	if c := t.namedOrStarting(k); len(c) > 0 {
		return c
	}
	return t.fuzzy(k)
}

// isCode reports whether a word looks like a département code or postcode.
func isCode(w string) bool {
	return isNumber(w) && (len(w) <= 3 || len(w) == 5) || w == "2a" || w == "2b"
}

// code reads a bare département code ("1", "01", "2a", "974", and "20" for
// both Corsican départements) or postcode.
func (t *table) code(w string) []cand {
	if !isCode(w) {
		return nil
	}
	if len(w) == 5 {
		n, _ := strconv.Atoi(w)
		if c := t.postcodeCands(int32(n)); len(c) > 0 {
			return c
		}
		// « 69000 », « 13000 »: no postcode, but a city's usual way to
		// write one; its first digits are the département.
		switch {
		case strings.HasPrefix(w, "97"):
			w = w[:3]
		case strings.HasPrefix(w, "200"), strings.HasPrefix(w, "201"):
			w = "2A"
		case strings.HasPrefix(w, "20"):
			w = "2B"
		default:
			w = w[:2]
		}
		if d, ok := t.deptByCode[w]; ok {
			return []cand{{rec: d}}
		}
		return nil
	}
	if w == "20" {
		return []cand{{rec: t.deptByCode["2A"]}, {rec: t.deptByCode["2B"]}}
	}
	if len(w) == 1 {
		w = "0" + w
	}
	if d, ok := t.deptByCode[strings.ToUpper(w)]; ok {
		return []cand{{rec: d}}
	}
	return nil
}

// postcodeCands returns the communes and arrondissements served by
// postcode n.
func (t *table) postcodeCands(n int32) []cand {
	i, _ := slices.BinarySearchFunc(t.postcode, n, func(p postcode, n int32) int { return cmp.Compare(p.code, n) })
	var out []cand
	for ; i < len(t.postcode) && t.postcode[i].code == n; i++ {
		out = append(out, cand{rec: t.postcode[i].rec})
	}
	return out
}

// withCode reads a name beside a code: an arrondissement number after
// Paris, Lyon or Marseille, a département code or a postcode that narrows
// the homonyms down. A code that contradicts the name is ignored.
func (t *table) withCode(head []string, code string) []cand {
	ordinal := isOrdinal(code)
	num := strings.TrimSuffix(code, "e")
	if n, err := strconv.Atoi(num); err == nil && len(num) <= 2 && n >= 1 && n <= 20 {
		// "Marseile 13", but not "Laon 02" read as "Lyon 2".
		if city := arrondissementCityOf(key(head)); city != "" && (city == key(head) || len(t.named(key(head))) == 0) {
			if c := t.named(city + strconv.Itoa(n)); len(c) > 0 {
				return c
			}
		}
	}
	if ordinal {
		return nil
	}
	k := key(head)
	if len(code) == 5 {
		names := t.nameOrTypo(head)
		n, _ := strconv.Atoi(code)
		var out []cand
		for _, p := range t.postcodeCands(int32(n)) {
			if hasRec(names, p.rec) || hasRec(names, t.recs[p.rec].parent) {
				out = append(out, cand{rec: p.rec})
			}
		}
		if len(out) > 0 {
			return out
		}
		if code[:2] == "97" || code[:2] == "98" {
			code = code[:3]
		} else {
			code = code[:2]
		}
	}
	var in []int32
	for _, d := range t.code(code) {
		in = append(in, d.rec)
	}
	// Within the département, a name may also be the start of a smaller
	// commune's name ("Montreuil 62" for Montreuil-sur-Mer) or carry a typo.
	for _, find := range []func() []cand{
		func() []cand { return t.named(k) },
		func() []cand { return t.prefixed(k, 0) },
		func() []cand { return t.fuzzy(k) },
	} {
		if c := t.within(find(), in); len(c) > 0 {
			return c
		}
	}
	return t.nameOrTypo(head)
}

// arrondissementCities have municipal arrondissements.
var arrondissementCities = [...]string{"paris", "lyon", "marseille"}

// arrondissementCityOf returns "paris", "lyon" or "marseille" when k is one
// of them, typos allowed.
func arrondissementCityOf(k string) string {
	for _, city := range arrondissementCities {
		if k == city || len(k) >= 4 && osa(k, city, maxEdits(len(k))) <= maxEdits(len(k)) {
			return city
		}
	}
	return ""
}

func hasRec(cs []cand, r int32) bool {
	return slices.ContainsFunc(cs, func(c cand) bool { return c.rec == r })
}

// within keeps the candidates that lie in one of the containers
// (départements, régions, académies).
func (t *table) within(cs []cand, containers []int32) []cand {
	var out []cand
	for _, c := range cs {
		r := &t.recs[c.rec]
		for _, k := range containers {
			kr := &t.recs[k]
			switch kr.kind {
			case kDepartement:
				if r.dept == k {
					out = append(out, c)
				}
			case kRegion:
				if r.region == k {
					out = append(out, c)
				}
			case kAcademie:
				if r.aca == kr.aca {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// kindRank orders homonyms of different kinds: the département, académie
// or région named exactly like a commune comes before it, unless the text
// said which kind it meant ("ville de Paris").
func kindRank(k uint8, hint Kind) int {
	if kinds[k] == hint {
		return -1
	}
	return [...]int{kAcademie: 1, kRegion: 2, kDepartement: 0, kCommune: 3, kArrondissement: 3}[k]
}

// finish ranks the candidates and turns them into places: only the best
// way of matching competes; a place under a twentieth of the biggest one's
// population is dropped; of a département, académie and commune sharing a
// name and an académie only the first stays; a région over several
// académies gives way to them.
func (t *table) finish(cs []cand, hint Kind) []Place {
	class := func(c cand) int { // names and prefixes compete together
		return int(max(c.tier, tierPrefix))*256 + int(c.dist)
	}
	best := class(slices.MinFunc(cs, func(a, b cand) int { return cmp.Compare(class(a), class(b)) }))
	var recs []int32
	var exact int64
	for _, c := range cs {
		if class(c) != best {
			continue
		}
		recs = append(recs, c.rec)
		if c.tier == tierName {
			exact = max(exact, int64(t.recs[c.rec].rank))
		}
	}
	slices.Sort(recs)
	recs = slices.Compact(recs)
	// A place named exactly as typed keeps the communes whose name it merely
	// begins unless they are at least half its size: "Saint-Pierre" is the
	// one in La Réunion, not Saint-Pierre-des-Corps.
	recs = slices.DeleteFunc(recs, func(r int32) bool {
		return int64(t.recs[r].rank)*2 < exact && !slices.ContainsFunc(cs, func(c cand) bool { return c.rec == r && c.tier == tierName })
	})
	var top int64
	for _, r := range recs {
		top = max(top, int64(t.recs[r].rank))
	}
	recs = slices.DeleteFunc(recs, func(r int32) bool { return int64(t.recs[r].rank)*20 < top })
	if hint == KindAcademie { // "académie de Marseille"
		var acas []int32
		for _, r := range recs {
			acas = append(acas, t.academiesOf(r)...)
		}
		slices.Sort(acas)
		recs = slices.Compact(acas)
	}
	slices.SortFunc(recs, func(a, b int32) int {
		ra, rb := &t.recs[a], &t.recs[b]
		return cmp.Or(
			cmp.Compare(kindRank(ra.kind, hint), kindRank(rb.kind, hint)),
			cmp.Compare(rb.rank, ra.rank),
			strings.Compare(ra.name, rb.name),
			cmp.Compare(a, b),
		)
	})

	var kept []int32
	for _, r := range recs {
		rr := &t.recs[r]
		if rr.aca >= 0 && slices.ContainsFunc(kept, func(k int32) bool { return t.recs[k].kind != rr.kind && t.recs[k].aca == rr.aca }) {
			continue
		}
		if acas, ok := t.regionAcas[r]; ok {
			for _, a := range acas {
				if !slices.Contains(kept, a) {
					kept = append(kept, a)
				}
			}
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) > maxResults {
		kept = kept[:maxResults]
	}
	out := make([]Place, len(kept))
	for i, r := range kept {
		out[i] = t.place(r)
	}
	return out
}

// academiesOf returns the académie records a place belongs to: its own, or
// those of a région that covers several; none for a vice-rectorat.
func (t *table) academiesOf(r int32) []int32 {
	if acas, ok := t.regionAcas[r]; ok {
		return acas
	}
	if a := t.recs[r].aca; a >= 0 {
		return []int32{int32(a)}
	}
	return []int32{r}
}
