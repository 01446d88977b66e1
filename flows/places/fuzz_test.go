package places_test

import (
	"testing"

	"consultbot/flows/places"
)

// FuzzLookup checks that any text gives at most five known places, without
// duplicates, and never panics.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"Montreuil", "st denis 93", "Paris XVe", "75015", "2a", "Bordeau", "Saint-Denis (974)", "15e", "je ne sais pas", "s/", "(", "()", "a (2a)", "Marseile 13e", "ÉÈÊ œ ß", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := places.Lookup(s)
		if len(got) > 5 {
			t.Fatalf("Lookup(%q) returned %d places", s, len(got))
		}
		seen := map[string]bool{}
		for _, p := range got {
			if seen[p.ID] {
				t.Fatalf("Lookup(%q) returned %s twice", s, p.ID)
			}
			seen[p.ID] = true
			if q, ok := places.ByID(p.ID); !ok || q != p {
				t.Fatalf("Lookup(%q) returned %+v, ByID gives %+v, %v", s, p, q, ok)
			}
		}
	})
}
