package digest

import (
	"cmp"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"strings"
	"unsafe"
)

// A part is the text side of a digest over one period, computed once and
// kept, so that a digest over many periods (the whole store) merges the
// parts of the periods that have one instead of reading, tokenising and
// scoring their answers again: per question, the number of text answers
// with a meaningful word, the vocabulary (each word's answers and
// spellings) and the quote candidates with their words. It says nothing
// of counts, participants or progress, which every digest reads from the
// store's small records.
//
// A part depends on which answers were hidden and which participants
// banned when it was built: whoever keeps it must drop it when one of its
// period's answers changes in any of these ways (storage does, in the
// transaction of the change).
type part struct {
	questions map[questionKey]*questionAcc
}

func (p *part) question(k questionKey) *questionAcc {
	qa := p.questions[k]
	if qa == nil {
		qa = &questionAcc{index: map[string]int32{}}
		p.questions[k] = qa
	}
	return qa
}

// partV is the first byte of an encoded part.
const partV = 1

// StartPart starts a part: the texts of the answers added until EndPart
// are kept apart, for EndPart to encode and merge. Counts are unchanged.
// A digest restricted to a theme does not see the other themes' texts:
// build parts with digests of every theme only.
func (a *Accumulator) StartPart() {
	a.part = &part{questions: map[questionKey]*questionAcc{}}
}

// EndPart ends the part StartPart began, merges it into the digest as
// MergePart would and returns it encoded, for MergePart to merge into a
// later digest. Merging the encoded part, rather than the part in memory,
// makes a digest the same whether its parts were built now or earlier.
func (a *Accumulator) EndPart() ([]byte, error) {
	if a.part == nil {
		return nil, errors.New("digest part: EndPart without StartPart")
	}
	b := a.part.encode()
	a.part = nil
	// Just encoded: no dry run through it first, as MergePart does.
	if err := a.mergePart(b, false); err != nil {
		return nil, err
	}
	return b, nil
}

// MergePart adds an encoded part (see EndPart) to the digest: the words
// and quote candidates of its period's text answers, for the questions
// the digest covers. The answers of that period must still be added,
// without their text, for the counts.
//
// Word counts and spellings add up exactly. Quote candidates are merged
// as answers are added: once a question holds 2×64 they are pruned to the
// best 64 by the statistics known so far. A part itself holds at most
// 2×64 candidates per question, pruned the same way by its own period's
// statistics. So the quotes are exactly those of a digest computed
// answer by answer while each question has fewer than 2×64 text answers
// in all; beyond, both approximate, each by its own prunings.
//
// A part that cannot be decoded is an error and leaves the digest as it
// was: it is read through once before anything is merged.
func (a *Accumulator) MergePart(b []byte) error {
	if err := a.mergePart(b, true); err != nil {
		return err
	}
	return a.mergePart(b, false)
}

// mergePart merges b, or only reads it through when dry.
func (a *Accumulator) mergePart(b []byte, dry bool) error {
	r := partReader{b: b}
	if r.byte() != partV {
		return errors.New("digest part: unknown version")
	}
	var remap []int32
	for range r.count() {
		k := questionKey{a.name(r.view()), a.name(r.view())}
		qa := a.questions[k] // nil when the digest does not cover it: read and drop
		if dry {
			qa = nil
		}
		docs := r.num()
		terms := r.count()
		remap = slices.Grow(remap[:0], terms)[:terms]
		for j := range terms {
			key := r.view() // term copies it when it is new
			df, plain, forms := r.num(), r.num(), r.count()
			var ts *termStat
			if qa != nil && r.err == nil {
				i := qa.term(key)
				remap[j] = i
				ts = &qa.terms[remap[j]]
				ts.df += df
				ts.plain += plain
			}
			for range forms {
				f, n := r.str(), r.num()
				if ts == nil || r.err != nil {
					continue
				}
				if ts.forms == nil {
					ts.forms = map[string]int{}
				}
				ts.forms[f] += n
			}
		}
		if qa != nil {
			qa.docs += docs
		}
		for range r.count() {
			c := candidate{id: r.u64()}
			flags := r.byte()
			c.long, c.spoken = flags&partLong != 0, flags&partSpoken != 0
			c.profile, c.academie = a.name(r.view()), a.name(r.view())
			text := r.view() // the arena copies it
			n := r.count()
			a.terms = a.terms[:0]
			for range n {
				j, cnt := r.num(), r.num()
				if r.err != nil || j >= terms {
					r.fail()
					break
				}
				a.terms = append(a.terms, termCount{i: remap[j], n: int32(cnt)})
			}
			if qa == nil || r.err != nil {
				continue
			}
			qa.arena.add(c, text, a.terms)
			if len(qa.arena.cands) >= 2*keepCandidates {
				qa.prune(&a.scratch)
			}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

// name returns a copy of a profile, académie, theme or question id read
// from a part, shared with the earlier ones: a few dozen, read again for
// every candidate of every part.
func (a *Accumulator) name(v string) string {
	if s, ok := a.names[v]; ok {
		return s
	}
	s := strings.Clone(v)
	if a.names == nil {
		a.names = map[string]string{}
	}
	if len(a.names) < maxNames {
		a.names[s] = s
	}
	return s
}

// maxNames bounds Accumulator.names.
const maxNames = 4096

// Flags of a candidate in an encoded part.
const (
	partLong   = 1 << 0
	partSpoken = 1 << 1
)

// encode writes the part: version, then per question (in key order) its
// theme and question ids, the number of text answers with a meaningful
// word, its words (key, answers, plain spellings, then each other
// spelling and its count) and its candidates (id, flags, profile,
// académie, text, then its words as indexes into the part's words and
// counts). Numbers are uvarints, strings a uvarint length and bytes.
func (p *part) encode() []byte {
	b := []byte{partV}
	num := func(n int) { b = binary.AppendUvarint(b, uint64(n)) }
	str := func(s string) { num(len(s)); b = append(b, s...) }
	keys := slices.SortedFunc(maps.Keys(p.questions), func(x, y questionKey) int {
		if x.theme != y.theme {
			return cmp.Compare(x.theme, y.theme)
		}
		return cmp.Compare(x.question, y.question)
	})
	num(len(keys))
	for _, k := range keys {
		qa := p.questions[k]
		str(k.theme)
		str(k.question)
		num(qa.docs)
		num(len(qa.terms))
		for i := range qa.terms {
			ts := &qa.terms[i]
			str(ts.key)
			num(ts.df)
			num(ts.plain)
			num(len(ts.forms))
			for _, f := range slices.Sorted(maps.Keys(ts.forms)) {
				str(f)
				num(ts.forms[f])
			}
		}
		num(len(qa.arena.cands))
		for i := range qa.arena.cands {
			c := &qa.arena.cands[i]
			b = binary.AppendUvarint(b, c.id)
			var flags byte
			if c.long {
				flags |= partLong
			}
			if c.spoken {
				flags |= partSpoken
			}
			b = append(b, flags)
			str(c.profile)
			str(c.academie)
			str(string(c.text))
			num(len(c.terms))
			for _, t := range c.terms {
				num(int(t.i))
				num(int(t.n))
			}
		}
	}
	return b
}

// partReader decodes an encoded part; the first malformed field sets err
// and every later read returns zero.
type partReader struct {
	b   []byte
	err error
}

func (r *partReader) fail() {
	if r.err == nil {
		r.err = errors.New("digest part is corrupt")
	}
	r.b = nil
}

func (r *partReader) u64() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *partReader) num() int {
	v := r.u64()
	if v > 1<<40 {
		r.fail()
		return 0
	}
	return int(v)
}

// count reads how many items follow: each takes a byte at least.
func (r *partReader) count() int {
	n := r.num()
	if n > len(r.b) {
		r.fail()
		return 0
	}
	return n
}

func (r *partReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *partReader) str() string { return strings.Clone(r.view()) }

// view returns the next string without copying it: valid as long as the
// encoded part, which is never changed.
func (r *partReader) view() string {
	n := r.count()
	if n > len(r.b) {
		r.fail()
		return ""
	}
	if n == 0 {
		return ""
	}
	s := unsafe.String(&r.b[0], n)
	r.b = r.b[n:]
	return s
}
