package places

import (
	"regexp"
	"slices"
	"testing"
)

// canonical lists the 30 académies under the names flows uses.
var canonical = []string{
	"Aix-Marseille", "Amiens", "Besançon", "Bordeaux", "Clermont-Ferrand",
	"Corse", "Créteil", "Dijon", "Grenoble", "Guadeloupe", "Guyane",
	"La Réunion", "Lille", "Limoges", "Lyon", "Martinique", "Mayotte",
	"Montpellier", "Nancy-Metz", "Nantes", "Nice", "Normandie",
	"Orléans-Tours", "Paris", "Poitiers", "Reims", "Rennes", "Strasbourg",
	"Toulouse", "Versailles",
}

func allPlaces(t *testing.T) []Place {
	t.Helper()
	tb := loadedTable()
	out := make([]Place, len(tb.recs))
	for i := range tb.recs {
		out[i] = tb.place(int32(i))
	}
	return out
}

func TestAcademies(t *testing.T) {
	var names []string
	for _, p := range allPlaces(t) {
		if p.Kind == KindAcademie {
			names = append(names, p.Name)
		}
	}
	if !slices.Equal(names, canonical) {
		t.Errorf("académies = %q, want %q", names, canonical)
	}
}

// TestDepartementAcademie checks that every département belongs to one of
// the 30 académies, except the three collectivités with a vice-rectorat,
// and that every commune belongs to its département's académie.
func TestDepartementAcademie(t *testing.T) {
	deptAca := map[string]string{}
	for _, p := range allPlaces(t) {
		switch p.Kind {
		case KindDepartement:
			deptAca[p.Departement] = p.Academie
			if vicerectorats[p.Departement] {
				if p.Academie != "" {
					t.Errorf("%s (%s) has académie %q, want none (vice-rectorat)", p.Name, p.Departement, p.Academie)
				}
			} else if !slices.Contains(canonical, p.Academie) {
				t.Errorf("%s (%s) has académie %q, not one of the 30", p.Name, p.Departement, p.Academie)
			}
		case KindCommune, KindArrondissement:
			if a, ok := deptAca[p.Departement]; !ok || a != p.Academie {
				t.Errorf("%s: académie %q, département %s has %q", p.Label(), p.Academie, p.Departement, a)
			}
			if p.Population <= 0 {
				t.Errorf("%s: population %d", p.Label(), p.Population)
			}
		}
	}
	// 101 départements and the six inhabited collectivités.
	if len(deptAca) != 107 {
		t.Errorf("%d départements, want 107", len(deptAca))
	}
	for _, code := range []string{"01", "2A", "2B", "75", "93", "95", "971", "974", "976", "975", "977", "978"} {
		if deptAca[code] == "" {
			t.Errorf("département %s: no académie", code)
		}
	}
}

var idPattern = regexp.MustCompile(`^[a-z0-9-]{1,16}$`)

// TestIDs checks that every place has a unique ID that fits a button and
// comes back through ByID.
func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	all := allPlaces(t)
	if len(all) < 35000 {
		t.Fatalf("%d places, want all communes", len(all))
	}
	for _, p := range all {
		if !idPattern.MatchString(p.ID) {
			t.Errorf("%s: ID %q does not match %s", p.Label(), p.ID, idPattern)
		}
		if seen[p.ID] {
			t.Errorf("ID %q used twice", p.ID)
		}
		seen[p.ID] = true
		if got, ok := ByID(p.ID); !ok || got != p {
			t.Errorf("ByID(%q) = %+v, %v; want %+v", p.ID, got, ok, p)
		}
	}
}

// TestLabelsFindTheirPlace types every label back, as a person might copy
// it: the first result must carry that label and académie.
func TestLabelsFindTheirPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("35,000 lookups")
	}
	for _, p := range allPlaces(t) {
		if p.Kind == KindRegion && p.Academie == "" {
			continue // gives its académies instead
		}
		got := Lookup(p.Label())
		if len(got) == 0 || got[0].Label() != p.Label() || got[0].Academie != p.Academie {
			t.Errorf("Lookup(%q) = %v, want %s first", p.Label(), got, p.ID)
		}
		if len(got) > maxResults {
			t.Errorf("Lookup(%q) returned %d places", p.Label(), len(got))
		}
	}
}
