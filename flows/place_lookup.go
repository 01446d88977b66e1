package flows

import (
	"strings"

	"consultbot/flows/places"
	"consultbot/internal/fold"
)

// Academies returns the canonical names of the 30 académies, sorted.
func Academies() []string { return places.Academies() }

// AcademieCode returns the stable code of the académie of that canonical
// name ("aix-marseille", "la-reunion"), "" for a name that is no
// académie's: the one exports write beside the name.
func AcademieCode(name string) string { return places.AcademieCode(name) }

// NormalizeAcademie turns what a person typed (a commune, a département
// number or name, an académie or a région, in any case, with or without
// accents, with small typos) into the canonical name of the académie. It
// reports false when nothing matches or the places it may name lie in
// several académies.
func NormalizeAcademie(input string) (string, bool) {
	a := ""
	for _, p := range places.Lookup(input) {
		switch {
		case p.Academie == "":
		case a == "":
			a = p.Academie
		case a != p.Academie:
			return "", false
		}
	}
	return a, a != ""
}

// lookupPlaces finds the places text may name.
func lookupPlaces(text string) []placeMatch {
	var out []placeMatch
	for _, p := range places.Lookup(text) {
		out = append(out, placeMatchOf(p))
	}
	return out
}

// placeByID returns the place with that id.
func placeByID(id string) (placeMatch, bool) {
	p, ok := places.ByID(id)
	if !ok {
		return placeMatch{}, false
	}
	return placeMatchOf(p), true
}

func placeMatchOf(p places.Place) placeMatch {
	return placeMatch{ID: p.ID, Label: p.Label(), Name: p.Name, Academie: p.Academie, Dept: p.Departement, IsAcad: p.Kind == places.KindAcademie,
		Town: p.Kind == places.KindCommune || p.Kind == places.KindArrondissement, Pop: p.Population}
}

// foldKey lowercases s, removes French accents and turns every run of
// punctuation or spaces into one space, so that "Côte d’Or" and "cote-d-or"
// compare equal.
func foldKey(s string) string {
	return strings.Join(strings.FieldsFunc(fold.String(s), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}), " ")
}
