package places

import (
	"fmt"
	"slices"
	"strings"
)

// index builds the name index (entries, sorted by key) and the trigram
// index that finds fuzzy candidates without scanning every name.
func (t *table) index(formers [][2]string) error {
	type pending struct {
		start, end int
		bounds     uint64
		rec        int32
		tier       uint8
	}
	buf := make([]byte, 0, 32*len(t.recs))
	list := make([]pending, 0, len(t.recs)*9/8+len(formers))
	add := func(toks []string, rec int32, tier uint8) {
		if len(toks) == 0 {
			return
		}
		start := len(buf)
		var bounds uint64
		for _, w := range toks {
			buf = append(buf, w...)
			if n := len(buf) - start; n < 64 {
				bounds |= 1 << n
			}
		}
		list = append(list, pending{start, len(buf), bounds, rec, tier})
	}
	addName := func(name string, rec int32) {
		toks := normalize(name)
		add(toks, rec, tierName)
		if len(toks) > 1 && (toks[0] == "le" || toks[0] == "la" || toks[0] == "les" || toks[0] == "l") {
			add(toks[1:], rec, tierName) // "Réunion", "Havre"
		}
		if i := strings.Index(name, " ("); i > 0 { // "Château-Chinon (Ville)"
			add(normalize(name[:i]), rec, tierName)
		}
	}
	for i := range t.recs {
		addName(t.recs[i].name, int32(i))
	}
	for name, ids := range extraNames {
		for _, id := range ids {
			r := t.byID(id)
			if r < 0 {
				return fmt.Errorf("extra name %q: unknown place %s", name, id)
			}
			add(normalize(name), r, tierName)
		}
	}
	for _, f := range formers {
		r := t.communeByCode(f[0])
		if r < 0 {
			return fmt.Errorf("former commune %q: unknown commune %s", f[1], f[0])
		}
		add(normalize(f[1]), r, tierFormer)
	}

	keys := string(buf)
	t.entries = make([]entry, len(list))
	for i, p := range list {
		t.entries[i] = entry{keys[p.start:p.end], p.bounds, p.rec, p.tier}
	}
	slices.SortFunc(t.entries, func(a, b entry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		if a.rec != b.rec {
			return int(a.rec - b.rec)
		}
		return int(a.tier) - int(b.tier)
	})
	t.entries = slices.CompactFunc(t.entries, func(a, b entry) bool { return a.key == b.key && a.rec == b.rec })
	t.indexTrigrams()
	t.indexSounds()
	return nil
}

// Trigrams are taken over the key padded with '^' and '$', so a key of n
// letters has n trigrams. Letters only: keys with digits are not fuzzy.
const (
	gramBase = 28 // '^', a-z, '$'
	numGrams = gramBase * gramBase * gramBase
)

func gramSym(c byte) int {
	switch {
	case c == '^':
		return 0
	case c == '$':
		return gramBase - 1
	default:
		return int(c-'a') + 1
	}
}

// grams appends to dst the distinct trigrams of key, or returns nil if key
// has anything but letters.
func grams(dst []int, key string) []int {
	prev := byte('^')
	for i := 0; i < len(key); i++ {
		if key[i] < 'a' || key[i] > 'z' {
			return nil
		}
	}
	for i := 0; i < len(key); i++ {
		next := byte('$')
		if i+1 < len(key) {
			next = key[i+1]
		}
		dst = append(dst, gramSym(prev)*gramBase*gramBase+gramSym(key[i])*gramBase+gramSym(next))
		prev = key[i]
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// fuzzyEntry reports whether an entry takes part in typo matching: official
// names and aliases of at least three letters; former communes and keys
// with digits (arrondissements) only match exactly.
func fuzzyEntry(e entry) bool { return e.tier == tierName && len(e.key) >= 3 }

func (t *table) indexTrigrams() {
	// Entries by key length (a counting sort), so that a query reads only
	// the part of each posting list whose lengths are within reach.
	var byLen [65]int32
	n := 0
	for _, e := range t.entries {
		if fuzzyEntry(e) {
			byLen[min(len(e.key), 64)]++
			n++
		}
	}
	for i, c := 1, byLen[0]; i < len(byLen); i++ {
		byLen[i], c = c, c+byLen[i]
	}
	byLen[0] = 0
	order := make([]int32, n)
	for i, e := range t.entries {
		if fuzzyEntry(e) {
			l := min(len(e.key), 64)
			order[byLen[l]] = int32(i)
			byLen[l]++
		}
	}

	// The distinct trigrams of each entry, in order, computed once.
	seen := make([]int32, numGrams) // entry+1 that last listed the trigram
	flat := make([]int32, 0, 16*n)
	ends := make([]int32, n)
	t.gramOff = make([]int32, numGrams+1)
	for i, e := range order {
		k := t.entries[e].key
		if strings.IndexFunc(k, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
			prev := byte('^')
			for j := 0; j < len(k); j++ {
				next := byte('$')
				if j+1 < len(k) {
					next = k[j+1]
				}
				g := gramSym(prev)*gramBase*gramBase + gramSym(k[j])*gramBase + gramSym(next)
				prev = k[j]
				if seen[g] != e+1 {
					seen[g] = e + 1
					flat = append(flat, int32(g))
					t.gramOff[g+1]++
				}
			}
		}
		ends[i] = int32(len(flat))
	}
	for i := 1; i <= numGrams; i++ {
		t.gramOff[i] += t.gramOff[i-1]
	}
	t.gramPost = make([]int32, t.gramOff[numGrams])
	fill := slices.Clone(t.gramOff[:numGrams])
	start := int32(0)
	for i, e := range order {
		for _, g := range flat[start:ends[i]] {
			t.gramPost[fill[g]] = e
			fill[g]++
		}
		start = ends[i]
	}
}
