package digest

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"consultbot/flows"
	"consultbot/text"
)

// Limits of what a digest shows and keeps.
const (
	maxQuotes = 3 // quotes per question
	maxWords  = 8 // frequent words per question
	// minWordAnswers is how many answers must use a word for it to be
	// called frequent: a word from one answer is that answer's, not a trend.
	minWordAnswers = 2
	// keepCandidates bounds the quote candidates kept per question. The
	// buffer grows to twice this size and is then pruned back to the best
	// keepCandidates, so memory per question stays bounded whatever the
	// number of answers.
	keepCandidates = 64
	// minQuoteTerms is the number of meaningful words below which an answer
	// is quoted only when no longer answer is left: "Oui, d'accord" says
	// little on its own, however central its one word is.
	minQuoteTerms = 3
	// nearDuplicate is the cosine similarity from which a candidate is
	// skipped as a near-duplicate of a quote already chosen.
	nearDuplicate = 0.8
)

// Accumulator computes a digest from answers fed one at a time, so that a
// large store can be read in short transactions. Add the participants
// first (they carry the banned flag and the progress per theme), then the
// answers in any order, then call Finish once.
//
// Hidden answers and banned participants' answers are left out of counts,
// words and quotes. Answers created at or after Until are ignored; those
// created in [Since, Until) are new.
//
// Quotes are chosen by centrality, never at random: each new text answer of
// a question is a TF-IDF vector over its meaningful words (sub-linear term
// frequency, smoothed inverse document frequency over the question's new
// answers), and its score is the cosine similarity to the question's
// centroid, the vector of each word's share of answers times its IDF. The
// answers that say what many others say, in their words, come first; ties
// go to the lower answer id, near-duplicates of a chosen quote are skipped,
// answers too long to quote whole come after those that fit, and answers
// with fewer than three meaningful words come last. To bound
// memory, once a question holds 2×64 candidates they are scored with the
// statistics known so far and the best 64 kept; with fewer answers the
// choice is exact.
type Accumulator struct {
	q            *flows.Questionnaire
	since, until time.Time
	// activeAfter: an unfinished theme of someone whose last action's
	// day starts after it is in progress (Idle before Until, or before
	// the accumulator's creation with no Until, less the day Active
	// rounds down).
	activeAfter time.Time
	theme       string
	lang        string

	banned       map[string]bool
	contributors map[string]*contributor
	period       int // contributions in the period
	total        int
	byChannel    map[string]*counter
	byProfile    map[string]*counter
	byAcademie   map[string]*counter
	themes       map[string]*themeAcc
	questions    map[questionKey]*questionAcc

	// seq numbers the text answers added, and doc lists the terms of the
	// one being added (see termStat.seen).
	seq   uint64
	doc   []int32
	terms []termCount // the one being added's, copied to its arena
	// part, when set, receives the text of the answers added, for a
	// partial result (see StartPart).
	part *part
	// names shares the ids read from parts (see name).
	names map[string]string
	// scratch is reused by every pruning (see questionAcc.prune), so that
	// a large digest's garbage does not grow with its answers: the
	// participants writing meanwhile share the garbage collector's work.
	scratch rankScratch
}

// rankScratch holds the buffers scorer.rank fills.
type rankScratch struct {
	ranked []ranked
	slab   []termWeight
}

type questionKey struct{ theme, question string }

// contributor is a participant who contributed, under the channel,
// profile and académie of their first answer: the earliest created, then
// the lowest id, so that the order answers are added in does not matter.
type contributor struct {
	channel, profile, academie string
	first                      time.Time
	firstID                    uint64
	inPeriod                   bool
}

type counter struct{ period, total int }

type themeAcc struct {
	newAnswers, total  int
	started, confirmed int
	skipped            int
	unasked            int
	inProgress         int
	unfinished         int            // abandoned: not back for Idle
	drops              map[string]int // question id ("" for the review) → participants who stopped there
}

// questionAcc holds a question's counts and, for its new text answers,
// the vocabulary and the quote candidates. Words are numbered in the order
// they first appear (index), so that candidates and scorers work on small
// integers rather than on strings and maps.
type questionAcc struct {
	newAnswers, total int
	newVoice, voice   int
	docs              int // new text answers with at least one meaningful word
	index             map[string]int32
	terms             []termStat
	// arena holds the quote candidates, with their texts and terms; a
	// pruning copies those it keeps to spare, which then becomes the
	// arena: no garbage per answer once the arenas have grown.
	arena, spare candidateArena
	// typed maps each word as typed to its word index (or -1 when it is
	// not meaningful) and says whether it is spelt as its key: most words
	// then cost one lookup (see classify).
	typed map[string]typedWord
}

type typedWord struct {
	i     int32
	plain bool
	form  string // when not plain
}

// maxTyped bounds questionAcc.typed; beyond it, words are classified
// each time.
const maxTyped = 1 << 14

type termStat struct {
	key string
	// prefix is the key's first 8 bytes, big-endian: comparing them
	// orders most words without comparing strings (see byKey).
	prefix uint64
	df     int // new answers using the word
	// canon is the word this key folds into (see pluralStem): its
	// singular when that is a word of the vocabulary, else itself. Words
	// are only ever added, so it is kept up to date as they come.
	canon int32
	// plain counts the occurrences spelt as the key itself; forms the
	// others (accents kept), nil until one comes.
	plain int
	forms map[string]int
	// seen is the seq of the last answer using the word, and n its
	// occurrences there.
	seen uint64
	n    int
}

type candidate struct {
	id uint64
	// text is the whole answer, white space normalised, in its question's
	// arena; long says it is too long to quote whole (see shorten).
	text              []byte
	long              bool
	spoken            bool
	profile, academie string      // ids: the profile is labelled in Finish
	terms             []termCount // by word index
}

type termCount struct{ i, n int32 }

// candidateArena is where a question's candidates keep their texts and
// terms.
type candidateArena struct {
	cands []candidate
	text  []byte
	terms []termCount
}

// add appends c to the arena, with a copy of text and terms.
func (ar *candidateArena) add(c candidate, text string, terms []termCount) {
	t := len(ar.text)
	ar.text = append(ar.text, text...)
	c.text = ar.text[t:len(ar.text):len(ar.text)]
	ar.keep(c, terms)
}

// move appends c, whose text is in another arena, with a copy of it.
func (ar *candidateArena) move(c candidate) {
	t := len(ar.text)
	ar.text = append(ar.text, c.text...)
	c.text = ar.text[t:len(ar.text):len(ar.text)]
	ar.keep(c, c.terms)
}

func (ar *candidateArena) keep(c candidate, terms []termCount) {
	n := len(ar.terms)
	ar.terms = append(ar.terms, terms...)
	c.terms = ar.terms[n:len(ar.terms):len(ar.terms)]
	ar.cands = append(ar.cands, c)
}

func (ar *candidateArena) reset() {
	clear(ar.cands) // what they pointed to may be another arena's
	ar.cands, ar.text, ar.terms = ar.cands[:0], ar.text[:0], ar.terms[:0]
}

// byKey orders word indexes by their words.
func (qa *questionAcc) byKey(x, y int32) int {
	tx, ty := &qa.terms[x], &qa.terms[y]
	if c := cmp.Compare(tx.prefix, ty.prefix); c != 0 {
		return c
	}
	return cmp.Compare(tx.key, ty.key)
}

// keyPrefix returns the first 8 bytes of key, big-endian, zero-padded:
// ordered as the keys are, since a key holds no zero byte.
func keyPrefix(key string) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(key) {
			p |= uint64(key[i])
		}
	}
	return p
}

// term returns the index of the word key, adding it to the vocabulary
// (a copy, so as not to pin the answer's text) if new.
func (qa *questionAcc) term(key string) int32 {
	if i, ok := qa.index[key]; ok {
		return i
	}
	key = strings.Clone(key)
	i := int32(len(qa.terms))
	qa.index[key] = i
	qa.terms = append(qa.terms, termStat{key: key, prefix: keyPrefix(key), canon: i})
	// The new word may be the singular of words already there, or the
	// plural of one: pluralStem decides, as it would from scratch.
	known := func(k string) bool { _, ok := qa.index[k]; return ok }
	if n := len(key); n > minWordLen && (key[n-1] == 's' || key[n-1] == 'x') {
		if stem := pluralStem(key, known); stem != key {
			qa.terms[i].canon = qa.index[stem]
		}
	}
	for _, suffix := range [...]string{"s", "x"} {
		if j, ok := qa.index[key+suffix]; ok && pluralStem(key+suffix, known) == key {
			qa.terms[j].canon = i
		}
	}
	return i
}

// NewAccumulator returns an accumulator for in's questionnaire, period,
// theme and language, and adds in's participants and answers, if any.
func NewAccumulator(in Input) *Accumulator {
	q := in.Questionnaire
	if q == nil {
		q = flows.DefaultQuestionnaire()
	}
	lang := in.Lang
	if lang != flows.LangEN {
		lang = flows.LangFR
	}
	a := &Accumulator{
		q: q, since: in.Since, until: in.Until, theme: in.Theme, lang: lang,
		activeAfter:  cmp.Or(in.Until, time.Now()).Add(-Idle - 24*time.Hour),
		banned:       map[string]bool{},
		contributors: map[string]*contributor{},
		byChannel:    map[string]*counter{},
		byProfile:    map[string]*counter{},
		byAcademie:   map[string]*counter{},
		themes:       map[string]*themeAcc{},
		questions:    map[questionKey]*questionAcc{},
	}
	for _, th := range q.Themes {
		if a.theme != "" && th.ID != a.theme {
			continue
		}
		a.themes[th.ID] = &themeAcc{drops: map[string]int{}}
		for _, qu := range th.Questions {
			a.questions[questionKey{th.ID, qu.ID}] = &questionAcc{index: map[string]int32{}}
		}
	}
	for _, p := range in.Participants {
		a.AddParticipant(p)
	}
	for _, ans := range in.Answers {
		a.Add(ans)
	}
	return a
}

// AddParticipant records a participant's banned flag and progress. It must
// come before that participant's answers, which are otherwise counted even
// if the participant is banned.
func (a *Accumulator) AddParticipant(p Participant) {
	if p.Banned {
		a.Ban(p.ID)
		return
	}
	for theme, prog := range p.Themes {
		a.AddProgress(theme, prog)
	}
}

// Ban leaves out the participant's answers, which must come after.
func (a *Accumulator) Ban(participant string) { a.banned[participant] = true }

// AddProgress records one participant's progress in one theme they
// started, as AddParticipant does for each of their themes, without
// building a Participant: prog is not kept. A theme the digest does not
// cover is ignored.
func (a *Accumulator) AddProgress(theme string, prog Progress) {
	ta := a.themes[theme]
	if ta == nil {
		return
	}
	th := a.q.Theme(theme)
	ta.started++
	switch {
	case !answeredIn(th, prog.Answered) && (prog.Confirmed || prog.WentThrough):
		ta.skipped++ // seen to the end, every question skipped
	case prog.Confirmed && prog.Unasked:
		// Validated, but some questions were never put to them: not
		// complete, nor abandoned (they did validate).
		ta.unasked++
	case prog.Confirmed:
		ta.confirmed++
	case !prog.Active.IsZero() && prog.Active.After(a.activeAfter):
		ta.inProgress++
	default:
		ta.unfinished++
		ta.drops[dropOffQuestion(th, prog)]++
	}
}

// answeredIn reports whether answered holds a question of th.
func answeredIn(th *flows.Theme, answered []string) bool {
	return slices.ContainsFunc(th.Questions, func(q flows.Question) bool { return slices.Contains(answered, q.ID) })
}

// dropOffQuestion returns where a participant who left a theme unfinished
// stopped: the review ("") when they went past its last question, else
// the first question after the last one they answered, in the theme's
// order, or "" when they answered the last question; with no answer, the
// question they are on (they skipped up to it), else the first.
// Counting from the last answer rather than from the first gap means that
// a question someone skipped and came back to later is not blamed, and a
// participant who started without answering anything stopped at the first
// question. Progress.Current is not used: it may point to a question
// reopened from the review, which says nothing about where people give up.
func dropOffQuestion(th *flows.Theme, prog Progress) string {
	if prog.WentThrough {
		return ""
	}
	last := -1
	for j, qu := range th.Questions {
		if slices.Contains(prog.Answered, qu.ID) {
			last = j
		}
	}
	if last < 0 && slices.ContainsFunc(th.Questions, func(q flows.Question) bool { return q.ID == prog.Current }) {
		return prog.Current
	}
	if last+1 >= len(th.Questions) {
		return ""
	}
	return th.Questions[last+1].ID
}

// Add counts one answer. Hidden answers, banned participants' answers and
// answers created at or after Until are ignored. It copies what it keeps
// of ans.Text, whose memory the caller may then reuse (see
// storage.DigestAnswer); the other strings it may keep.
func (a *Accumulator) Add(ans Answer) {
	if ans.Hidden || a.banned[ans.Participant] {
		return
	}
	if !a.until.IsZero() && !ans.CreatedAt.Before(a.until) {
		return
	}
	if a.theme != "" && ans.Theme != a.theme {
		return
	}
	isNew := a.since.IsZero() || !ans.CreatedAt.Before(a.since)

	c := a.contributors[ans.Participant]
	if c == nil {
		c = &contributor{channel: ans.Channel, profile: ans.Profile, academie: ans.Academie, first: ans.CreatedAt, firstID: ans.ID}
		a.contributors[ans.Participant] = c
	} else if ans.CreatedAt.Before(c.first) || ans.CreatedAt.Equal(c.first) && ans.ID < c.firstID {
		c.channel, c.profile, c.academie = ans.Channel, ans.Profile, ans.Academie
		c.first, c.firstID = ans.CreatedAt, ans.ID
	}
	a.total++
	if isNew {
		a.period++
		c.inPeriod = true
	}
	for _, kc := range [...]struct {
		m   map[string]*counter
		key string
	}{{a.byChannel, ans.Channel}, {a.byProfile, ans.Profile}, {a.byAcademie, ans.Academie}} {
		ct := kc.m[kc.key]
		if ct == nil {
			ct = &counter{}
			kc.m[kc.key] = ct
		}
		ct.total++
		if isNew {
			ct.period++
		}
	}

	ta := a.themes[ans.Theme]
	if ta == nil {
		return
	}
	ta.total++
	if isNew {
		ta.newAnswers++
	}
	qa := a.questions[questionKey{ans.Theme, ans.Question}]
	if qa == nil {
		return
	}
	qa.total++
	if ans.Voice {
		qa.voice++
	}
	if !isNew {
		return
	}
	qa.newAnswers++
	if ans.Voice {
		qa.newVoice++
	}
	if ans.Text == "" {
		return
	}
	if a.part != nil {
		// The text goes to the part being built (see StartPart).
		qa = a.part.question(questionKey{ans.Theme, ans.Question})
	}
	a.addText(qa, ans)
}

// addText adds a new text answer's words and makes it a quote candidate.
func (a *Accumulator) addText(qa *questionAcc, ans Answer) {
	a.seq++
	a.doc = a.doc[:0]
	words(ans.Text, func(w string) {
		tw, ok := qa.typed[w]
		if !ok {
			tw.i = -1
			if t, ok := classify(w); ok {
				tw.i = qa.term(t.key)
				tw.plain = t.form == t.key
				if !tw.plain {
					tw.form = strings.Clone(t.form)
				}
			}
			if len(qa.typed) < maxTyped {
				if qa.typed == nil {
					qa.typed = map[string]typedWord{}
				}
				qa.typed[strings.Clone(w)] = tw
			}
		}
		if tw.i < 0 {
			return
		}
		ts := &qa.terms[tw.i]
		if ts.seen != a.seq {
			ts.seen, ts.n = a.seq, 0
			a.doc = append(a.doc, tw.i)
		}
		ts.n++
		switch {
		case tw.plain:
			ts.plain++
		case ts.forms == nil:
			ts.forms = map[string]int{tw.form: 1}
		default:
			ts.forms[tw.form]++
		}
	})
	if len(a.doc) == 0 {
		return
	}
	qa.docs++
	// Sorted by word, as vectors are: sums run in the same order whatever
	// order the answers came in, so the scores are the same to the bit.
	slices.SortFunc(a.doc, qa.byKey)
	terms := a.terms[:0]
	for _, i := range a.doc {
		qa.terms[i].df++
		terms = append(terms, termCount{i: i, n: int32(qa.terms[i].n)})
	}
	a.terms = terms
	text := normalizeSpace(ans.Text)
	// A text of at most maxQuoteLen bytes has at most as many characters.
	long := len(text) > maxQuoteLen && utf8.RuneCountInString(text) > maxQuoteLen
	qa.arena.add(candidate{
		id: ans.ID, long: long, spoken: ans.Voice,
		profile: ans.Profile, academie: ans.Academie,
	}, text, terms)
	if len(qa.arena.cands) >= 2*keepCandidates {
		qa.prune(&a.scratch)
	}
}

// prune keeps the best keepCandidates candidates, scored with the
// statistics known so far, in the spare arena, which becomes the arena.
func (qa *questionAcc) prune(scratch *rankScratch) {
	s := newScorer(qa, false)
	s.scratch = scratch
	ranked := s.rank(qa.arena.cands)
	qa.spare.reset()
	for _, r := range ranked[:keepCandidates] {
		qa.spare.move(qa.arena.cands[r.i])
	}
	qa.arena, qa.spare = qa.spare, qa.arena
}

// scorer holds a question's TF-IDF statistics, plurals folded, indexed
// like questionAcc.terms (only the words others fold into have any).
type scorer struct {
	qa       *questionAcc
	scratch  *rankScratch // nil: rank allocates
	df       []int        // answers using the word or a plural folded into it
	idf      []float64
	centroid []float64
	norm     float64
}

// newScorer computes the statistics of qa. The centroid's norm scales
// every score alike, so pruning sums it in any order; final sums it word
// by word, so that the scores shown do not depend on the order answers
// came in.
func newScorer(qa *questionAcc, final bool) *scorer {
	n := len(qa.terms)
	s := &scorer{qa: qa, df: make([]int, n), idf: make([]float64, n), centroid: make([]float64, n)}
	canonical := make([]bool, n)
	for i := range qa.terms {
		c := qa.terms[i].canon
		s.df[c] += qa.terms[i].df
		canonical[c] = true
	}
	docs := float64(max(qa.docs, 1))
	var order []int32
	for c := range s.df {
		if !canonical[c] {
			continue
		}
		df := min(s.df[c], qa.docs)
		s.df[c] = df
		idf := math.Log(1 + docs/float64(max(df, 1)))
		s.idf[c] = idf
		s.centroid[c] = float64(df) / docs * idf
		order = append(order, int32(c))
	}
	if final {
		slices.SortFunc(order, qa.byKey)
	}
	for _, c := range order {
		s.norm += s.centroid[c] * s.centroid[c]
	}
	s.norm = math.Sqrt(s.norm)
	return s
}

// termWeight is one coordinate of a TF-IDF vector.
type termWeight struct {
	i int32
	w float64
}

// vector returns a candidate's TF-IDF vector (plurals folded), sorted by
// word, and its norm, in v (as long as the candidate's terms). A
// sorted slice rather than a map keeps pruning cheap.
func (s *scorer) vector(c *candidate, v []termWeight) ([]termWeight, float64) {
	folded := false
	for j, t := range c.terms {
		k := s.qa.terms[t.i].canon
		folded = folded || k != t.i
		v[j] = termWeight{i: k, w: float64(t.n)}
	}
	if folded {
		// A plural and its singular now share a word: sort and merge them.
		slices.SortFunc(v, func(x, y termWeight) int { return s.qa.byKey(x.i, y.i) })
		out := v[:0]
		for _, tw := range v {
			if n := len(out); n > 0 && out[n-1].i == tw.i {
				out[n-1].w += tw.w
				continue
			}
			out = append(out, tw)
		}
		v = out
	}
	var norm float64
	for j := range v {
		w := (1 + math.Log(v[j].w)) * s.idf[v[j].i]
		v[j].w = w
		norm += w * w
	}
	return v, math.Sqrt(norm)
}

type ranked struct {
	i     int
	score float64
	tier  int // see rank
	vec   []termWeight
	norm  float64
}

// Tiers of quote candidates, best first.
const (
	tierWhole     = iota // enough words, quoted whole
	tierShortened        // enough words, but too long to quote whole
	tierFewWords         // fewer than minQuoteTerms meaningful words
)

// rank orders candidates by centrality within tiers: answers with enough
// words that fit whole first, then those that must be shortened, then
// those with few words; within a tier by cosine similarity to the
// centroid, then by answer id. A quote that fits says what its author
// said, without an ellipsis, so it wins over a more central long one.
func (s *scorer) rank(cands []candidate) []ranked {
	n := 0
	for i := range cands {
		n += len(cands[i].terms)
	}
	// One slab for every vector: ranking runs at each pruning.
	var out []ranked
	var slab []termWeight
	if sc := s.scratch; sc != nil {
		sc.ranked = slices.Grow(sc.ranked[:0], len(cands))[:len(cands)]
		sc.slab = slices.Grow(sc.slab[:0], n)[:n]
		out, slab = sc.ranked, sc.slab
	} else {
		out, slab = make([]ranked, len(cands)), make([]termWeight, n)
	}
	for i := range cands {
		k := len(cands[i].terms)
		v, norm := s.vector(&cands[i], slab[:k:k])
		slab = slab[k:]
		var dot float64
		for _, tw := range v {
			dot += tw.w * s.centroid[tw.i]
		}
		score := 0.0
		if norm > 0 && s.norm > 0 {
			score = dot / (norm * s.norm)
		}
		tier := tierWhole
		switch {
		case len(v) < minQuoteTerms:
			tier = tierFewWords
		case cands[i].long:
			tier = tierShortened
		}
		out[i] = ranked{i: i, score: score, tier: tier, vec: v, norm: norm}
	}
	slices.SortFunc(out, func(x, y ranked) int {
		if c := cmp.Compare(x.tier, y.tier); c != 0 {
			return c
		}
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		return cmp.Compare(cands[x.i].id, cands[y.i].id)
	})
	return out
}

// cosine is the cosine similarity of two ranked candidates' vectors,
// merged along their sorted words.
func (s *scorer) cosine(x, y ranked) float64 {
	if x.norm == 0 || y.norm == 0 {
		return 0
	}
	var dot float64
	for i, j := 0, 0; i < len(x.vec) && j < len(y.vec); {
		switch c := s.qa.byKey(x.vec[i].i, y.vec[j].i); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			dot += x.vec[i].w * y.vec[j].w
			i++
			j++
		}
	}
	return dot / (x.norm * y.norm)
}

// quotes picks up to maxQuotes central answers, skipping near-duplicates.
// Only the answers looked at are shortened (see shorten).
func (s *scorer) quotes() []Quote {
	cands := s.qa.arena.cands
	type pick struct {
		r    ranked
		text string
	}
	var picked []pick
	var out []Quote
	for _, r := range s.rank(cands) {
		if len(out) == maxQuotes {
			break
		}
		c := &cands[r.i]
		text, cut := shorten(string(c.text), maxQuoteLen)
		dup := false
		for _, p := range picked {
			if s.cosine(r, p.r) >= nearDuplicate || wordKeys(text) == wordKeys(p.text) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		picked = append(picked, pick{r, text})
		out = append(out, Quote{
			AnswerID: c.id, Text: text, Shortened: cut, Spoken: c.spoken,
			Profile: c.profile, Academie: c.academie,
			Score: math.Round(r.score*1000) / 1000,
		})
	}
	return out
}

// words returns the most frequent meaningful words used by at least
// minWordAnswers answers, plurals folded into
// their singular, each shown in its most frequent spelling. An answer using
// both the singular and the plural counts once for each, capped at the
// number of answers.
func (s *scorer) words() []Word {
	var keys []int32
	for i := range s.qa.terms {
		if s.qa.terms[i].canon == int32(i) || s.df[i] > 0 {
			keys = append(keys, int32(i))
		}
	}
	slices.SortFunc(keys, func(x, y int32) int {
		if c := cmp.Compare(s.df[y], s.df[x]); c != 0 {
			return c
		}
		return cmp.Compare(s.qa.terms[x].key, s.qa.terms[y].key)
	})
	var out []Word
	for _, k := range keys[:min(len(keys), maxWords)] {
		if s.df[k] < minWordAnswers {
			// Sorted by count: the rest are rarer still.
			break
		}
		out = append(out, Word{Text: s.display(k), Count: s.df[k]})
	}
	return out
}

// display returns how to show the word c: its most frequent
// spelling, plural spellings counting for their singular ("élèves" votes
// for "élève"). Ties go to the spelling with more accented letters, since
// "eleve" is usually "élève" typed in a hurry, then to byte order, so that
// the output never depends on map order.
func (s *scorer) display(c int32) string {
	votes := map[string]int{}
	for i := range s.qa.terms {
		ts := &s.qa.terms[i]
		if ts.canon != c {
			continue
		}
		vote := func(f string, n int) {
			if int32(i) != c {
				f = f[:len(f)-1] // the plural's final s or x, one byte
			}
			votes[f] += n
		}
		if ts.plain > 0 {
			vote(ts.key, ts.plain)
		}
		for f, n := range ts.forms {
			vote(f, n)
		}
	}
	best, bestN, bestAcc := "", -1, -1
	for f, n := range votes {
		acc := len(f) - utf8.RuneCountInString(f)
		if n > bestN || n == bestN && (acc > bestAcc || acc == bestAcc && f < best) {
			best, bestN, bestAcc = f, n, acc
		}
	}
	return best
}

// wordKeys returns the meaningful words of s, folded, in order: two
// answers with the same words are duplicates whatever their punctuation.
func wordKeys(s string) string {
	var b strings.Builder
	tokenize(s, func(t token) { b.WriteString(t.key); b.WriteByte(' ') })
	return b.String()
}

// Finish returns the digest of everything added so far.
func (a *Accumulator) Finish() Digest {
	d := Digest{
		Lang: a.lang, Since: a.since, Until: a.until, Theme: a.theme,
		Period: Figures{Contributions: a.period},
		Total:  Figures{Contributions: a.total},
	}
	if th := a.q.Theme(a.theme); th != nil {
		d.ThemeTitle = th.Title.In(a.lang)
	}
	// Participants are counted once, under the channel, profile and
	// académie of their first answer (see contributor).
	part := [3]map[string]*counter{{}, {}, {}}
	for _, c := range a.contributors {
		d.Total.Participants++
		if c.inPeriod {
			d.Period.Participants++
		}
		for dim, key := range [3]string{c.channel, c.profile, c.academie} {
			ct := part[dim][key]
			if ct == nil {
				ct = &counter{}
				part[dim][key] = ct
			}
			ct.total++
			if c.inPeriod {
				ct.period++
			}
		}
	}
	d.ByChannel = a.breakdown(a.byChannel, part[0], a.channelLabel)
	d.ByProfile = a.breakdown(a.byProfile, part[1], a.profileLabel)
	d.ByAcademie = a.breakdown(a.byAcademie, part[2], a.academieLabel)

	for i := range a.q.Themes {
		th := &a.q.Themes[i]
		ta := a.themes[th.ID]
		if ta == nil {
			continue
		}
		td := ThemeDigest{
			ID: th.ID, Title: th.Title.In(a.lang),
			NewAnswers: ta.newAnswers, TotalAnswers: ta.total,
			Started: ta.started, Confirmed: ta.confirmed, Skipped: ta.skipped, Unasked: ta.unasked, InProgress: ta.inProgress,
		}
		if ta.started > 0 {
			td.CompletionRate = float64(ta.confirmed) / float64(ta.started)
		}
		td.DropOff = a.dropOff(th, ta)
		for _, qu := range th.Questions {
			qa := a.questions[questionKey{th.ID, qu.ID}]
			if qa.newAnswers == 0 {
				continue
			}
			qd := QuestionDigest{
				ID: qu.ID, Title: qu.Title.In(a.lang),
				NewAnswers: qa.newAnswers, TotalAnswers: qa.total,
				NewVoice: qa.newVoice, TotalVoice: qa.voice,
			}
			if qa.docs > 0 {
				s := newScorer(qa, true)
				qd.Words = s.words()
				qd.Quotes = s.quotes()
				for i := range qd.Quotes {
					qd.Quotes[i].Profile = a.quoteProfile(qd.Quotes[i].Profile)
				}
			}
			td.Questions = append(td.Questions, qd)
		}
		d.Themes = append(d.Themes, td)
	}
	return d
}

// dropOff returns the question where most unfinished participants stopped,
// ties to the earlier question.
func (a *Accumulator) dropOff(th *flows.Theme, ta *themeAcc) *DropOff {
	if ta.unfinished == 0 {
		return nil
	}
	var best *DropOff
	consider := func(id, title string) {
		if n := ta.drops[id]; n > 0 && (best == nil || n > best.Count) {
			best = &DropOff{Question: id, Title: title, Count: n, Unfinished: ta.unfinished}
		}
	}
	for _, qu := range th.Questions {
		consider(qu.ID, qu.Title.In(a.lang))
	}
	consider("", a.tx().Review)
	return best
}

func (a *Accumulator) breakdown(contrib, part map[string]*counter, label func(string) string) []Breakdown {
	out := make([]Breakdown, 0, len(contrib))
	for k, c := range contrib {
		b := Breakdown{Key: k, Label: label(k),
			Period: Figures{Contributions: c.period},
			Total:  Figures{Contributions: c.total},
		}
		if p := part[k]; p != nil {
			b.Period.Participants, b.Total.Participants = p.period, p.total
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(x, y Breakdown) int {
		if c := cmp.Compare(y.Total.Contributions, x.Total.Contributions); c != 0 {
			return c
		}
		return cmp.Compare(x.Label, y.Label)
	})
	return out
}

func (a *Accumulator) tx() *text.Digest { return &text.For(a.lang).Digest }

func (a *Accumulator) channelLabel(id string) string {
	switch id {
	case "telegram":
		return "Telegram"
	case "discord":
		return "Discord"
	case "terminal":
		return a.tx().Terminal
	case "":
		return a.tx().NotGiven
	}
	return id
}

func (a *Accumulator) profileLabel(id string) string {
	if id == "" {
		return a.tx().NotGiven
	}
	if p := a.q.Profile(id); p != nil {
		return p.Label.In(a.lang)
	}
	return id
}

// quoteProfile labels a quote's author, or nothing when unknown.
func (a *Accumulator) quoteProfile(id string) string {
	if id == "" {
		return ""
	}
	return a.profileLabel(id)
}

func (a *Accumulator) academieLabel(id string) string {
	if id == "" {
		return a.tx().NotGiven
	}
	return id
}

// Compute returns the digest of a whole snapshot.
func Compute(in Input) Digest { return NewAccumulator(in).Finish() }
