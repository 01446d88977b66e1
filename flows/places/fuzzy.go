package places

import (
	"slices"
	"strings"
)

// maxEdits is how many typos a name of n letters may carry: about one per
// five letters, none under four.
func maxEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n <= 9:
		return 1
	case n <= 14:
		return 2
	default:
		return 3
	}
}

// fuzzyMinRank is the population a place needs to be matched with typos
// from a text of n letters. Short words are often ordinary words ("merci" is
// one letter away from Mercy, "demain" from Denain, "village" from Villabé,
// "Londres" from Ondres): they only reach big places.
func fuzzyMinRank(n int) int32 {
	switch {
	case n <= 4:
		return 100_000
	case n <= 6:
		return 50_000
	case n <= 9:
		return 20_000
	case n <= 12:
		return 2_000
	default:
		return 0
	}
}

// scratch is the per-call state of fuzzy, pooled so a lookup allocates
// little.
type scratch struct {
	counts  []uint8 // shared trigrams, per entry
	touched []int32
	grams   []int
}

// fuzzy returns the places whose name is within maxEdits of k, counting a
// swap of two neighbouring letters as one edit, at the smallest distance
// that finds any. Candidates come from the trigram index: a name within d
// edits of k is at most d letters longer or shorter and shares at least
// max(len) - 4d of its trigrams, so few names are compared letter by letter.
func (t *table) fuzzy(k string) []cand {
	maxD := maxEdits(len(k))
	if maxD == 0 {
		return nil
	}
	s, _ := t.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{counts: make([]uint8, len(t.entries))}
	}
	defer t.scratch.Put(s)
	s.grams = grams(s.grams[:0], k)
	if len(s.grams) == 0 {
		return nil
	}
	t.countGrams(s, len(k)-maxD, len(k)+maxD)
	defer func() {
		for _, e := range s.touched {
			s.counts[e] = 0
		}
	}()
	minRank := fuzzyMinRank(len(k))
	var out []cand
	for d := 1; d <= maxD && len(out) == 0; d++ {
		for _, e := range s.touched {
			en := &t.entries[e]
			// Distinct trigrams of a key are about as many as its letters.
			// A typo seldom hits the first letter: « Rome » is no
			// Drôme.
			if abs(len(en.key)-len(k)) > d || int(s.counts[e]) < min(len(s.grams), max(len(k), len(en.key))-4*d) ||
				t.recs[en.rec].rank < minRank || en.key[0] != k[0] {
				continue
			}
			if osa(k, en.key, d) == d {
				out = append(out, cand{rec: en.rec, tier: tierFuzzy, dist: uint8(d)})
			}
		}
	}
	if len(out) == 0 && len(k) >= 6 {
		// « Marseil », « Montpel »: the end of a big city's name left out.
		for _, e := range s.touched {
			s.counts[e] = 0
		}
		t.countGrams(s, len(k)+1, len(k)+truncatedMax)
		for _, e := range s.touched {
			en := &t.entries[e]
			if strings.HasPrefix(en.key, k) && t.recs[en.rec].rank >= truncatedMinRank {
				out = append(out, cand{rec: en.rec, tier: tierFuzzy, dist: uint8(len(en.key) - len(k))})
			}
		}
	}
	return out
}

// A name typed without its last letters (up to truncatedMax) still finds a
// place of at least truncatedMinRank inhabitants.
const (
	truncatedMax     = 3
	truncatedMinRank = 100_000
)

// countGrams counts, for every entry whose key is minLen to maxLen bytes
// long, the trigrams it shares with s.grams, and lists them in s.touched.
func (t *table) countGrams(s *scratch, minLen, maxLen int) {
	s.touched = s.touched[:0]
	for _, g := range s.grams {
		post := t.gramPost[t.gramOff[g]:t.gramOff[g+1]]
		lo, _ := slices.BinarySearchFunc(post, minLen, func(e int32, n int) int { return len(t.entries[e].key) - n })
		for _, e := range post[lo:] {
			if len(t.entries[e].key) > maxLen {
				break
			}
			if s.counts[e] == 0 {
				s.touched = append(s.touched, e)
			}
			s.counts[e]++
		}
	}
}

// osa is the optimal string alignment distance between a and b (insertions,
// deletions, substitutions and swaps of neighbours), or limit+1 once it is
// sure to exceed limit. Only the band of cells within limit of the diagonal
// is computed.
func osa(a, b string, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	const far = 1 << 20
	var buf [3][64]int
	var rows [3][]int
	for i := range rows {
		if len(b)+1 <= len(buf[i]) {
			rows[i] = buf[i][:len(b)+1]
		} else {
			rows[i] = make([]int, len(b)+1)
		}
	}
	prev2, prev, cur := rows[0], rows[1], rows[2]
	for j := range prev {
		prev[j] = j
		prev2[j], cur[j] = far, far
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		if lo > 1 {
			cur[lo-1] = far
		} else {
			cur[0] = i
		}
		rowMin := far
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if hi < len(b) {
			cur[hi+1] = far
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
