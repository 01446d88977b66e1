package places

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed places.tsv.gz
var tableGz []byte

// loadedTable parses the embedded table once, on first use.
var loadedTable = sync.OnceValue(func() *table {
	t, err := parseTable(tableGz)
	if err != nil {
		panic("places: embedded table: " + err.Error()) // a broken build, caught by every test
	}
	return t
})

// Internal kinds, in the order records are stored.
const (
	kAcademie uint8 = iota
	kRegion
	kDepartement
	kCommune
	kArrondissement
)

var kinds = [...]Kind{KindAcademie, KindRegion, KindDepartement, KindCommune, KindArrondissement}

// rec is one place. Strings are substrings of the decompressed table, so
// 35,000 places cost a few allocations.
type rec struct {
	name, code string
	kind       uint8
	aca        int8  // index in academieDefs, -1 for none
	dept       int32 // record of the département, -1 for académies and régions
	region     int32 // record of the région, -1 if none
	parent     int32 // arrondissement → its commune; -1 otherwise
	pop        int32 // inhabitants of a commune or arrondissement
	rank       int32 // population used to rank: own, or the sum of what it covers
}

// entry is one name a place is known by, in its compact key form.
type entry struct {
	key    string
	bounds uint64 // bit n set when a word of the name ends after n bytes of key
	rec    int32
	tier   uint8
}

// How a candidate matched, best first. Names and prefixes compete together.
const (
	tierName   uint8 = iota // official name or usual alias
	tierPrefix              // the first words of a name ("Boulogne" → Boulogne-Billancourt)
	tierFormer              // a former commune merged into another
	tierFuzzy               // a name with typos
)

type postcode struct {
	code int32
	rec  int32
}

// table holds the places and the indexes Lookup reads.
type table struct {
	recs                                    []rec
	acaStart, regStart, deptStart, comStart int
	regionAcas                              map[int32][]int32 // région record → académie records, when several
	deptByCode                              map[string]int32

	entries  []entry // sorted by key
	gramOff  []int32 // gramPost[gramOff[g]:gramOff[g+1]] lists the entries holding trigram g
	gramPost []int32 // sorted by key length, then entry index
	postcode []postcode
	scratch  sync.Pool // *scratch for fuzzy
	sounds   []sound   // phonetic keys of big places' names, sorted
}

func parseTable(gz []byte) (*table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	raw.Grow(4 * len(gz))
	if _, err := raw.ReadFrom(zr); err != nil {
		return nil, err
	}
	data := raw.String() // one copy: every name and code below is a substring of it
	lines := strings.Count(data, "\n")
	t := &table{
		recs:       make([]rec, 0, lines+len(academieDefs)),
		postcode:   make([]postcode, 0, lines+strings.Count(data, ",")),
		deptByCode: map[string]int32{},
		regionAcas: map[int32][]int32{},
	}

	for i, a := range academieDefs {
		t.recs = append(t.recs, rec{name: a.name, code: a.slug, kind: kAcademie, aca: int8(i), dept: -1, region: -1, parent: -1})
	}
	acaOfDept := map[string]int8{}
	for i, a := range academieDefs {
		for _, d := range a.depts {
			acaOfDept[d] = int8(i)
		}
	}
	t.regStart = len(t.recs)
	regionByCode := map[string]int32{}
	var parents []string    // INSEE code of each arrondissement's commune
	var formers [][2]string // former commune: parent code, name
	var f []string
	for line := range strings.Lines(data) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		f = f[:0]
		for field := range strings.SplitSeq(line, "\t") {
			f = append(f, field)
		}
		bad := func(n int) error {
			if len(f) != n {
				return fmt.Errorf("line %q: %d fields, want %d", line, len(f), n)
			}
			return nil
		}
		switch f[0] {
		case "R":
			if err := bad(3); err != nil {
				return nil, err
			}
			regionByCode[f[1]] = int32(len(t.recs))
			t.recs = append(t.recs, rec{name: f[2], code: f[1], kind: kRegion, aca: -1, dept: -1, region: int32(len(t.recs)), parent: -1})
		case "D":
			if err := bad(4); err != nil {
				return nil, err
			}
			if t.deptStart == 0 {
				t.deptStart = len(t.recs)
			}
			aca, ok := acaOfDept[f[1]]
			if !ok {
				if !vicerectorats[f[1]] {
					return nil, fmt.Errorf("département %s has no académie", f[1])
				}
				aca = -1
			}
			region, ok := regionByCode[f[2]]
			if !ok {
				region = -1
			}
			i := int32(len(t.recs))
			t.deptByCode[f[1]] = i
			t.recs = append(t.recs, rec{name: f[3], code: f[1], kind: kDepartement, aca: aca, dept: i, region: region, parent: -1})
		case "C", "A":
			if t.comStart == 0 {
				t.comStart = len(t.recs)
			}
			r := rec{name: f[3], code: f[1], kind: kCommune, parent: -1}
			if f[0] == "A" {
				if err := bad(6); err != nil {
					return nil, err
				}
				r.kind = kArrondissement
			} else if err := bad(5); err != nil {
				return nil, err
			}
			pop, err := strconv.Atoi(f[2])
			if err != nil {
				return nil, fmt.Errorf("line %q: %w", line, err)
			}
			r.pop, r.rank = int32(pop), int32(pop)
			d, ok := t.deptByCode[deptOf(r.code)]
			if !ok {
				return nil, fmt.Errorf("commune %s: unknown département", r.code)
			}
			r.dept, r.aca, r.region = d, t.recs[d].aca, t.recs[d].region
			i := int32(len(t.recs))
			if f[4] != "" {
				for p := range strings.SplitSeq(f[4], ",") {
					n, err := strconv.Atoi(p)
					if err != nil || len(p) != 5 {
						return nil, fmt.Errorf("commune %s: bad postcode %q", r.code, p)
					}
					t.postcode = append(t.postcode, postcode{int32(n), i})
				}
			}
			if r.kind == kArrondissement {
				r.parent = -2 - int32(len(parents)) // resolved below
				parents = append(parents, f[5])
			}
			t.recs = append(t.recs, r)
		case "F":
			if err := bad(3); err != nil {
				return nil, err
			}
			formers = append(formers, [2]string{f[1], f[2]})
		default:
			return nil, fmt.Errorf("line %q: unknown record", line)
		}
	}
	if t.deptStart == 0 || t.comStart == 0 {
		return nil, fmt.Errorf("table has no départements or no communes")
	}
	for i := t.comStart; i < len(t.recs); i++ {
		r := &t.recs[i]
		if r.parent <= -2 {
			p := t.communeByCode(parents[-2-r.parent])
			if p < 0 {
				return nil, fmt.Errorf("arrondissement %s: unknown commune", r.code)
			}
			r.parent = p
		}
		if r.kind == kCommune { // arrondissements are already counted in their commune
			t.recs[r.dept].rank += r.pop
		}
	}
	for i := t.deptStart; i < t.comStart; i++ {
		d := t.recs[i]
		if d.aca >= 0 {
			t.recs[d.aca].rank += d.rank
		}
		if d.region >= 0 {
			t.recs[d.region].rank += d.rank
			if d.aca >= 0 && !slices.Contains(t.regionAcas[d.region], int32(d.aca)) {
				t.regionAcas[d.region] = append(t.regionAcas[d.region], int32(d.aca))
			}
		}
	}
	for r, acas := range t.regionAcas {
		if len(acas) == 1 {
			t.recs[r].aca = int8(acas[0])
			delete(t.regionAcas, r)
		} else {
			slices.Sort(acas) // académies are stored by name
		}
	}
	slices.SortFunc(t.postcode, func(a, b postcode) int { return int(a.code - b.code) })
	return t, t.index(formers)
}

// deptOf derives the département code from an INSEE commune code.
func deptOf(code string) string {
	if strings.HasPrefix(code, "97") || strings.HasPrefix(code, "98") {
		return code[:3]
	}
	return code[:2]
}

// communeByCode returns the record of the commune or arrondissement with
// that INSEE code, or -1.
func (t *table) communeByCode(code string) int32 {
	lo := t.comStart
	i, ok := slices.BinarySearchFunc(t.recs[lo:], code, func(r rec, c string) int { return strings.Compare(r.code, c) })
	if !ok {
		return -1
	}
	return int32(lo + i)
}

// id builds the public ID of record i.
func (t *table) id(i int32) string {
	r := &t.recs[i]
	switch r.kind {
	case kAcademie:
		return "a-" + r.code
	case kRegion:
		return "r-" + r.code
	case kDepartement:
		return "d-" + strings.ToLower(r.code)
	default:
		return "c-" + strings.ToLower(r.code)
	}
}

// place builds the public Place of record i.
func (t *table) place(i int32) Place {
	r := &t.recs[i]
	p := Place{ID: t.id(i), Kind: kinds[r.kind], Name: r.name, Population: int(r.pop)}
	if r.dept >= 0 {
		p.Departement = t.recs[r.dept].code
	}
	if r.aca >= 0 {
		p.Academie = academieDefs[r.aca].name
	}
	return p
}
