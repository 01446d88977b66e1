package places

import (
	"sort"
	"strings"
)

//go:generate go run ./internal/gen -out places.tsv.gz

// Kind tells what sort of place a Place is.
type Kind string

// The kinds of places Lookup knows.
const (
	KindCommune        Kind = "commune"
	KindArrondissement Kind = "arrondissement"
	KindDepartement    Kind = "departement"
	KindAcademie       Kind = "academie"
	KindRegion         Kind = "region"
)

// Place is a commune, a municipal arrondissement of Paris, Lyon or
// Marseille, a département, an académie or a région.
type Place struct {
	// ID is unique, stable across runs of one table and safe to put in a
	// button: it matches ^[a-z0-9-]{1,16}$ ("c-75115", "c-2a004", "d-93",
	// "a-creteil", "r-11").
	ID   string
	Kind Kind
	// Name is the official name with its accents: "Saint-Denis",
	// "Paris 15e Arrondissement", "Seine-Saint-Denis".
	Name string
	// Departement is the code of the département ("93", "2A", "974");
	// empty for académies and régions.
	Departement string
	// Academie is the canonical name of the académie; empty when a région
	// spans several, and for Wallis-et-Futuna, French Polynesia and New
	// Caledonia, which have a vice-rectorat.
	Academie string
	// Population counts the inhabitants of a commune or arrondissement; 0
	// for other kinds.
	Population int
}

// Label is a short button label that tells homonyms apart:
// "Saint-Denis (93)", "Saint-Denis (974)", "Gironde (33)",
// "Académie de Créteil", "Région Bretagne".
func (p Place) Label() string {
	switch p.Kind {
	case KindAcademie:
		if strings.ContainsRune("AEIOUÉ", []rune(p.Name)[0]) {
			return "Académie d'" + p.Name
		}
		return "Académie de " + p.Name
	case KindRegion:
		return "Région " + p.Name
	default:
		return p.Name + " (" + p.Departement + ")"
	}
}

// Lookup reads what a person typed and returns the places it most likely
// names, best first, at most 5; nil when nothing is close enough. When the
// best match is unambiguous it returns just that one.
//
// It ignores case, accents, punctuation, articles and openings such as
// « académie de » or « j'habite à »; it reads « St », « Ste », « Fd », « s/ »,
// arrondissements (« Paris 15e », « Lyon 3 », « Marseille XIIIe »),
// postcodes (« 75015 ») and bare département codes (« 2a », « 974 »); and it
// forgives about one typo per five letters in names of at least four letters,
// and big places written as they sound (« Bordo », « Tuluz », « Clermon
// Feran »).
// Among homonyms, bigger places come first and places with under a
// twentieth of the best one's population are dropped; a région covering
// several académies gives those académies.
func Lookup(input string) []Place {
	return loadedTable().lookup(input)
}

// ByID returns the place with that ID.
func ByID(id string) (Place, bool) {
	t := loadedTable()
	i := t.byID(id)
	if i < 0 {
		return Place{}, false
	}
	return t.place(i), true
}

// byID returns the record index of id, or -1.
func (t *table) byID(id string) int32 {
	kind, _, ok := strings.Cut(id, "-")
	if !ok {
		return -1
	}
	var lo, hi int
	switch kind {
	case "a":
		lo, hi = t.acaStart, t.regStart
	case "r":
		lo, hi = t.regStart, t.deptStart
	case "d":
		lo, hi = t.deptStart, t.comStart
	case "c":
		lo, hi = t.comStart, len(t.recs)
	default:
		return -1
	}
	// Every range is sorted by ID.
	i := lo + sort.Search(hi-lo, func(i int) bool { return t.id(int32(lo+i)) >= id })
	if i < hi && t.id(int32(i)) == id {
		return int32(i)
	}
	return -1
}
