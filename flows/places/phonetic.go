package places

import (
	"slices"
	"strings"
)

// sound is one name in the phonetic index: a place people may write the
// way it sounds ("Bordo", "Marseye", "Tuluz", "Clermon Feran").
type sound struct {
	key string
	rec int32
	n   int // the length of the name's own key
}

// soundMinRank is the population a place needs to be in the phonetic
// index at all; soundsLike asks more of short keys.
const soundMinRank = 10_000

// soundsLikeMinRank is the population a place needs to be matched by how
// a text of n letters sounds. French spelling writes one sound many ways,
// so short keys meet ordinary words ("merci" sounds like Mercy): only big
// places, and none under four letters.
func soundsLikeMinRank(n int) int32 {
	switch {
	case n < 4:
		return -1
	case n <= 6:
		return 50_000
	default:
		return soundMinRank
	}
}

// indexSounds lists the phonetic keys of the names of places of at least
// soundMinRank inhabitants, sorted.
func (t *table) indexSounds() {
	t.sounds = t.sounds[:0]
	for _, e := range t.entries {
		if e.tier != tierName || t.recs[e.rec].rank < soundMinRank {
			continue
		}
		if p := phonetic(e.key); p != "" {
			t.sounds = append(t.sounds, sound{p, e.rec, len(e.key)})
		}
	}
	slices.SortFunc(t.sounds, func(a, b sound) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return int(a.rec - b.rec)
	})
	t.sounds = slices.Compact(t.sounds)
}

// soundsLike returns the big places whose name sounds like k, read as
// French: it comes after exact names and typos.
func (t *table) soundsLike(k string) []cand {
	p := phonetic(k)
	minRank := soundsLikeMinRank(len(p))
	if p == "" || minRank < 0 {
		return nil
	}
	i, _ := slices.BinarySearchFunc(t.sounds, p, func(s sound, p string) int { return strings.Compare(s.key, p) })
	var out []cand
	for ; i < len(t.sounds) && t.sounds[i].key == p; i++ {
		// Written as it sounds, a name gets shorter, not longer: the
		// silent endings « Manchester » loses do not make it the Manche.
		if t.recs[t.sounds[i].rec].rank >= minRank && len(k) <= t.sounds[i].n+soundLonger {
			out = append(out, cand{rec: t.sounds[i].rec, tier: tierFuzzy, dist: soundDist})
		}
	}
	return out
}

// soundLonger is how many letters more than a place's name a text may
// have and still sound like it.
const soundLonger = 2

// soundDist ranks a phonetic match after every typo fuzzy can find.
const soundDist = 8

// phonetic returns how a key of lowercase ASCII letters sounds, in a rough
// French spelling where each sound has one form: "bordeaux" and "bordo"
// both give "bordo", "toulouse" and "tuluz" "tulus", "marseille" and
// "marseye" "marsei". It returns "" for a key with anything but letters.
// Both sides of a comparison go through it, so what matters is that the
// usual ways of writing one sound meet, not phonetic accuracy.
func phonetic(k string) string {
	for i := 0; i < len(k); i++ {
		if k[i] < 'a' || k[i] > 'z' {
			return ""
		}
	}
	var b strings.Builder
	b.Grow(len(k) + 2)
	at := func(i int, s string) bool { return strings.HasPrefix(k[i:], s) }
	end := func(i int) bool { return i >= len(k) }
	consonantOrEnd := func(i int) bool { return end(i) || !isVowel(k[i]) }
	// nasal: the vowel at i is said through the nose, followed by one n or
	// m and then a consonant or nothing ("an", "ont", not "anne", "ami").
	nasal := func(i int) bool {
		nm := func(j int) bool { return !end(j) && (k[j] == 'n' || k[j] == 'm') }
		return nm(i+1) && consonantOrEnd(i+2) && !nm(i+2)
	}
	for i := 0; i < len(k); {
		c := k[i]
		switch {
		case at(i, "eaux"):
			b.WriteString("o")
			i += 4
		case at(i, "eau"):
			b.WriteString("o")
			i += 3
		case at(i, "au"):
			b.WriteString("o")
			i += 2
		case at(i, "eill"), at(i, "aill"):
			b.WriteString(k[i:i+1] + "i")
			i += 4
		case (at(i, "eil") || at(i, "ail")) && (end(i+3) || (k[i+3] == 'e' && end(i+4))):
			b.WriteString(k[i:i+1] + "i")
			i += 3
		case at(i, "ey") && !end(i+2) && isVowel(k[i+2]):
			b.WriteString("ei")
			i += 2
		case at(i, "ain"), at(i, "ein"), at(i, "aim"), at(i, "eim"):
			if consonantOrEnd(i + 3) {
				b.WriteString("in")
			} else {
				b.WriteString("en")
			}
			i += 3
		case at(i, "ai"), at(i, "ei"), at(i, "ay"), at(i, "ey"):
			b.WriteString("e")
			i += 2
		case at(i, "oi"), at(i, "oy"):
			b.WriteString("wa")
			i += 2
		case at(i, "ou"):
			b.WriteString("u")
			i += 2
		case at(i, "ien") && consonantOrEnd(i+3):
			b.WriteString("ien") // "Saint-Étienne", "Amiens"
			i += 3
		case nasal(i) && (c == 'a' || c == 'e'):
			b.WriteString("an")
			i += 2
		case nasal(i) && (c == 'i' || c == 'y' || c == 'u'):
			b.WriteString("in")
			i += 2
		case nasal(i) && c == 'o':
			b.WriteString("on")
			i += 2
		case at(i, "gn"):
			b.WriteString("ni") // "Perpignan", "Perpinian"
			i += 2
		case at(i, "ph"):
			b.WriteString("f")
			i += 2
		case at(i, "qu"), at(i, "ck"):
			b.WriteString("k")
			i += 2
		case at(i, "sch"):
			b.WriteString("ch")
			i += 3
		case at(i, "sh"), at(i, "ch"):
			b.WriteString("ch")
			i += 2
		case at(i, "gu") && !end(i+2) && (k[i+2] == 'e' || k[i+2] == 'i' || k[i+2] == 'y'):
			b.WriteString("g")
			i += 2
		case c == 'c' || c == 'g':
			soft := !end(i+1) && (k[i+1] == 'e' || k[i+1] == 'i' || k[i+1] == 'y')
			switch {
			case c == 'c' && soft:
				b.WriteByte('s')
			case c == 'c':
				b.WriteByte('k')
			case soft:
				b.WriteByte('j')
			default:
				b.WriteByte('g')
			}
			i++
		case (c == 't' || c == 'd') && i > 0 && k[i-1] == 'n' && !end(i+1) && !isVowel(k[i+1]) && k[i+1] != 'r':
			i++ // "Clermont-Ferrand" is said "Clermon"
		case c == 'h':
			i++
		case c == 'y':
			b.WriteByte('i')
			i++
		case c == 'w':
			b.WriteByte('v')
			i++
		case c == 'z':
			b.WriteByte('s')
			i++
		case c == 'k':
			b.WriteByte('k')
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	s := collapse(b.String())
	// Letters a French name does not say at its end.
	for len(s) > 3 {
		switch {
		case strings.HasSuffix(s, "er"):
			s = s[:len(s)-1]
		case strings.HasSuffix(s, "rg"):
			s = s[:len(s)-1]
		case strings.ContainsRune("estxdz", rune(s[len(s)-1])):
			s = s[:len(s)-1]
		default:
			return collapse(s)
		}
	}
	return collapse(s)
}

func isVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// collapse writes each run of one letter once: "ll" and "l" sound alike.
func collapse(s string) string {
	out := []byte(s)
	return string(slices.Compact(out))
}
