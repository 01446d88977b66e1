package fold

import "testing"

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"École":                    "ecole",
		"ÉLÈVE":                    "eleve",
		"e\u0301le\u0300ve":        "eleve", // decomposed, as some keyboards send
		"Cœur":                     "coeur",
		"Côte-d’Or":                "cote-d’or",
		"Straße":                   "strasse",
		"déjà vu, naïve, Noël":     "deja vu, naive, noel",
		"plain ascii":              "plain ascii",
		"Ñandú":                    "nandu",
		"日本":                       "日本",
		"":                         "",
		"synthèse/débannir":        "synthese/debannir",
		"DÉMASQUER":                "demasquer",
		"\u00e9\u00e8\u00ea\u00eb": "eeee",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRuneLeavesOtherRunesAlone(t *testing.T) {
	for _, r := range "az09 -'’«»€😀" {
		if f, ok := Rune(r); ok {
			t.Errorf("Rune(%q) = %q, true; want it left alone", r, f)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"token", "token", 0}, {"tokn", "token", 1}, {"tokne", "token", 1}, {"discrod", "discord", 1},
		{"webhok_url", "webhook_url", 1}, {"bordo", "bordeaux", 4}, {"", "abc", 3},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
