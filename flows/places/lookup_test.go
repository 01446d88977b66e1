package places_test

import (
	"slices"
	"testing"

	"consultbot/flows/places"
)

// TestLookup reads places typed the way people type them: typos, no
// accents, capitals, SMS style, and replies that are not places.
func TestLookup(t *testing.T) {
	tests := []struct {
		in       string
		academie string   // of the first result
		ids      []string // the whole result, best first; nil for no place
	}{
		// Communes, with their homonyms.
		{"Montreuil", "Créteil", []string{"c-93048"}},
		{"MONTREUIL", "Créteil", []string{"c-93048"}},
		{"montreuil 93", "Créteil", []string{"c-93048"}},
		{"Montreuil sous bois", "Créteil", []string{"c-93048"}},
		{"jhabite a montreuil", "Créteil", []string{"c-93048"}},
		{"Saint-Denis", "La Réunion", []string{"c-97411", "c-93066"}},
		{"st denis 93", "Créteil", []string{"c-93066"}},
		{"Saint-Denis (974)", "La Réunion", []string{"c-97411"}},
		{"Saint Denis de la Réunion", "La Réunion", []string{"c-97411"}},
		{"Saint-Pierre", "La Réunion", []string{"c-97416", "c-97502"}},
		{"St Etienne", "Lyon", []string{"c-42218"}},
		{"Ste-Foy-lès-Lyon", "Lyon", []string{"c-69202"}},
		{"ste foy les lyon", "Lyon", []string{"c-69202"}},
		{"aix en provence", "Aix-Marseille", []string{"c-13001"}},
		{"lhay les roses", "Créteil", []string{"c-94038"}},
		{"Neuilly s/ Seine", "Versailles", []string{"c-92051"}},
		{"Boulogne", "Versailles", []string{"c-92012", "c-62160"}},
		{"Saint-Ouen 93", "Créteil", []string{"c-93070"}},
		{"Saint Maur", "Créteil", []string{"c-94068"}},
		{"Cherbourg-Octeville", "Normandie", []string{"c-50129"}},
		{"Marseille", "Aix-Marseille", []string{"c-13055"}},
		{"Pointe-à-Pitre", "Guadeloupe", []string{"c-97120"}},
		{"mamoudzou", "Mayotte", []string{"c-97611"}},
		{"Nouméa", "", []string{"c-98818"}},
		{"Parent 63", "Clermont-Ferrand", []string{"c-63269"}},
		{"93100 Montreuil", "Créteil", []string{"c-93048"}},
		{"saint denis 97400", "La Réunion", []string{"c-97411"}},
		{"Saint-Pierre 97410", "La Réunion", []string{"c-97416"}},
		// Typos.
		{"Bordeau", "Bordeaux", []string{"a-bordeaux"}},
		{"Montpelier", "Montpellier", []string{"a-montpellier"}},
		{"Marseile", "Aix-Marseille", []string{"c-13055"}},
		{"Marseil", "Aix-Marseille", []string{"c-13055"}}, // the end left out
		// Written as they sound.
		{"bordo", "Bordeaux", []string{"a-bordeaux"}},
		{"j'habite à bordo", "Bordeaux", []string{"a-bordeaux"}},
		{"académie de bordo", "Bordeaux", []string{"a-bordeaux"}},
		{"marseye", "Aix-Marseille", []string{"c-13055"}},
		{"tuluz", "Toulouse", []string{"a-toulouse"}},
		{"toulouze", "Toulouse", []string{"a-toulouse"}},
		{"monpelié", "Montpellier", []string{"a-montpellier"}},
		{"strasbour", "Strasbourg", []string{"a-strasbourg"}},
		{"clermon feran", "Clermont-Ferrand", []string{"a-clermont"}},
		{"perpinian", "Montpellier", []string{"c-66136"}},
		{"sintetien", "Lyon", []string{"c-42218"}},
		{"aix en provance", "Aix-Marseille", []string{"c-13001"}},
		{"Strasbour", "Strasbourg", []string{"a-strasbourg"}},
		{"Toulouze", "Toulouse", []string{"a-toulouse"}},
		{"Grenobe", "Grenoble", []string{"a-grenoble"}},
		{"Nante", "Nantes", []string{"a-nantes"}},
		{"Villeurbane", "Lyon", []string{"c-69266"}},
		{"aix en provance", "Aix-Marseille", []string{"c-13001"}},
		{"Saint Germain en laie", "Versailles", []string{"c-78551"}},
		{"Montreil 93", "Créteil", []string{"c-93048"}},
		{"Essone", "Versailles", []string{"d-91"}},
		// Cities abroad are no typo of a French name: a typo seldom hits
		// the first letter, and a name written as it sounds gets shorter.
		{"Rome", "", nil},
		{"Manchester", "", nil},
		// Arrondissements and postcodes.
		{"Paris 15e", "Paris", []string{"c-75115"}},
		{"Paris 15", "Paris", []string{"c-75115"}},
		{"paris15", "Paris", []string{"c-75115"}},
		{"PARIS 15EME", "Paris", []string{"c-75115"}},
		{"Paris XVe", "Paris", []string{"c-75115"}},
		{"75015", "Paris", []string{"c-75115"}},
		{"75015 Paris", "Paris", []string{"c-75115"}},
		// A city's usual five digits, which no commune has: its département.
		{"69000", "Lyon", []string{"d-69"}},
		{"75000", "Paris", []string{"d-75"}},
		{"13000", "Aix-Marseille", []string{"d-13"}},
		{"99999", "", nil},
		// A name that is no commune of the département said after « en »
		// or « dans »: the département, not a namesake elsewhere
		// (Saint-Quentin is in the Aisne).
		{"st quentin en yvelines", "Versailles", []string{"d-78"}},
		{"Vaux dans le Nord", "Lille", []string{"d-59"}},
		{"Montreuil en Seine-Saint-Denis", "Créteil", []string{"c-93048"}},
		{"Montreuil nord", "Créteil", []string{"c-93048"}},
		{"paris 1er", "Paris", []string{"c-75101"}},
		{"Paris Ier", "Paris", []string{"c-75101"}},
		{"75116", "Paris", []string{"c-75116"}},
		{"Lyon 3e", "Lyon", []string{"c-69383"}},
		{"3e arrondissement de Lyon", "Lyon", []string{"c-69383"}},
		{"69003", "Lyon", []string{"c-69383"}},
		{"Lyon 9eme", "Lyon", []string{"c-69389"}},
		{"Marseille 13", "Aix-Marseille", []string{"c-13213"}},
		{"Marseille 13eme", "Aix-Marseille", []string{"c-13213"}},
		{"Marseille XIIIe", "Aix-Marseille", []string{"c-13213"}},
		{"Marseile 13", "Aix-Marseille", []string{"c-13213"}},
		{"13001", "Aix-Marseille", []string{"c-13201"}},
		{"j'habite dans le 15eme", "Paris", []string{"c-75115", "c-13215"}},
		{"Marseille (13)", "Aix-Marseille", []string{"c-13055"}},
		{"montreuil 62", "Lille", []string{"c-62588"}},
		// Départements.
		{"93", "Créteil", []string{"d-93"}},
		{"dans le 93", "Créteil", []string{"d-93"}},
		{"1", "Lyon", []string{"d-01"}},
		{"01", "Lyon", []string{"d-01"}},
		{"2A", "Corse", []string{"d-2a"}},
		{"2a", "Corse", []string{"d-2a"}},
		{"20", "Corse", []string{"d-2b", "d-2a"}},
		{"974", "La Réunion", []string{"d-974"}},
		{"la reunion", "La Réunion", []string{"d-974"}},
		{"Seine-St-Denis", "Créteil", []string{"d-93"}},
		{"seine st denis", "Créteil", []string{"d-93"}},
		{"Corse du sud", "Corse", []string{"d-2a"}},
		{"haute corse", "Corse", []string{"d-2b"}},
		{"val d'oise", "Versailles", []string{"d-95"}},
		{"bouches du rhone", "Aix-Marseille", []string{"d-13"}},
		{"département du Nord", "Lille", []string{"d-59"}},
		{"Paris", "Paris", []string{"d-75"}},
		{"Aube", "Reims", []string{"d-10"}},
		{"Vienne", "Poitiers", []string{"d-86", "c-38544"}},
		{"Tahiti", "", []string{"d-987"}},
		{"Saint-Barth", "Guadeloupe", []string{"d-977"}},
		// Académies, named or through a city.
		{"académie de Aix-Marseille", "Aix-Marseille", []string{"a-aix-marseille"}},
		{"Académie de Créteil", "Créteil", []string{"a-creteil"}},
		{"académie de Paris", "Paris", []string{"a-paris"}},
		{"ac-lyon", "Lyon", []string{"a-lyon"}},
		{"Lyon", "Lyon", []string{"a-lyon"}},
		{"Lyon, France", "Lyon", []string{"a-lyon"}},
		{"Clermont Fd", "Clermont-Ferrand", []string{"a-clermont"}},
		{"Clermont", "Clermont-Ferrand", []string{"a-clermont"}},
		{"Aix", "Aix-Marseille", []string{"a-aix-marseille"}},
		{"académie de Marseille", "Aix-Marseille", []string{"a-aix-marseille"}},
		{"15", "Clermont-Ferrand", []string{"d-15"}},
		{"ville de Paris", "Paris", []string{"c-75056"}},
		// Régions: one académie, or the académies they cover.
		{"Bretagne", "Rennes", []string{"r-53"}},
		{"Normandie", "Normandie", []string{"a-normandie"}},
		{"Ile de France", "Créteil", []string{"a-creteil", "a-paris", "a-versailles"}},
		{"nouvelle aquitaine", "Bordeaux", []string{"a-bordeaux", "a-limoges", "a-poitiers"}},
		{"PACA", "Aix-Marseille", []string{"a-aix-marseille", "a-nice"}},
		{"Rhône-Alpes", "Grenoble", []string{"a-grenoble", "a-lyon"}},
		// Not places.
		{"je ne sais pas", "", nil},
		{"Je sais pas", "", nil},
		{"bonjour", "", nil},
		{"oui", "", nil},
		{"OK", "", nil},
		{"passer", "", nil},
		{"merci", "", nil},
		{"non merci", "", nil},
		{"demain", "", nil},
		{"personne", "", nil},
		{"parent", "", nil},
		{"je suis parent", "", nil},
		{"sans avis", "", nil},
		{"autre", "", nil},
		{"maison", "", nil},
		{"à la campagne", "", nil},
		{"village", "", nil},
		{"Londres", "", nil},
		{"Suisse", "", nil},
		{"hello world", "", nil},
		{"ça dépend", "", nil},
		{"Saint", "", nil},
		{"les", "", nil},
		{"?", "", nil},
		{"", "", nil},
		{"123456", "", nil},
		{"99", "", nil},
		{"j'habite à Montreuil depuis que mes enfants sont petits, avant nous étions à Lyon, et encore avant à Bordeaux", "", nil},
	}
	for _, tt := range tests {
		got := places.Lookup(tt.in)
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		if !slices.Equal(ids, tt.ids) {
			t.Errorf("Lookup(%q) = %v, want %v", tt.in, ids, tt.ids)
			continue
		}
		if len(got) > 0 && got[0].Academie != tt.academie {
			t.Errorf("Lookup(%q)[0].Academie = %q, want %q", tt.in, got[0].Academie, tt.academie)
		}
	}
}

func TestLabel(t *testing.T) {
	for id, want := range map[string]string{
		"c-93066":         "Saint-Denis (93)",
		"c-97411":         "Saint-Denis (974)",
		"c-75115":         "Paris 15e Arrondissement (75)",
		"c-2a004":         "Ajaccio (2A)",
		"d-33":            "Gironde (33)",
		"a-creteil":       "Académie de Créteil",
		"a-aix-marseille": "Académie d'Aix-Marseille",
		"a-orleans-tours": "Académie d'Orléans-Tours",
		"r-53":            "Région Bretagne",
	} {
		p, ok := places.ByID(id)
		if !ok {
			t.Errorf("ByID(%q) found nothing", id)
			continue
		}
		if got := p.Label(); got != want {
			t.Errorf("ByID(%q).Label() = %q, want %q", id, got, want)
		}
	}
}

func TestPlaceFields(t *testing.T) {
	p, ok := places.ByID("c-93066")
	want := places.Place{ID: "c-93066", Kind: places.KindCommune, Name: "Saint-Denis", Departement: "93", Academie: "Créteil", Population: 149077}
	if !ok || p != want {
		t.Errorf("ByID(c-93066) = %+v, %v; want %+v", p, ok, want)
	}
	if p, ok := places.ByID("r-11"); !ok || p.Academie != "" || p.Kind != places.KindRegion {
		t.Errorf("ByID(r-11) = %+v, %v; want a région with no single académie", p, ok)
	}
	for _, id := range []string{"", "c-", "c-99999", "C-93066", "c-93066 ", "x-93", "d-2A", "a-clermont-ferrand"} {
		if p, ok := places.ByID(id); ok {
			t.Errorf("ByID(%q) = %+v, want nothing", id, p)
		}
	}
}
