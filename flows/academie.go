package flows

import (
	"strconv"
	"strings"
)

// academies lists the 30 académies by their canonical names.
var academies = []string{
	"Aix-Marseille", "Amiens", "Besançon", "Bordeaux", "Clermont-Ferrand",
	"Corse", "Créteil", "Dijon", "Grenoble", "Guadeloupe", "Guyane",
	"La Réunion", "Lille", "Limoges", "Lyon", "Martinique", "Mayotte",
	"Montpellier", "Nancy-Metz", "Nantes", "Nice", "Normandie",
	"Orléans-Tours", "Paris", "Poitiers", "Reims", "Rennes", "Strasbourg",
	"Toulouse", "Versailles",
}

// academieAliases maps other common names (former académies, one half of a
// double name) to the canonical académie.
var academieAliases = map[string]string{
	"aix": "Aix-Marseille", "marseille": "Aix-Marseille",
	"clermont": "Clermont-Ferrand", "reunion": "La Réunion",
	"nancy": "Nancy-Metz", "metz": "Nancy-Metz",
	"caen": "Normandie", "rouen": "Normandie",
	"orleans": "Orléans-Tours", "tours": "Orléans-Tours",
}

// departements maps each département's code to its name and académie.
var departements = []struct{ code, name, academie string }{
	{"01", "Ain", "Lyon"}, {"02", "Aisne", "Amiens"}, {"03", "Allier", "Clermont-Ferrand"},
	{"04", "Alpes-de-Haute-Provence", "Aix-Marseille"}, {"05", "Hautes-Alpes", "Aix-Marseille"},
	{"06", "Alpes-Maritimes", "Nice"}, {"07", "Ardèche", "Grenoble"}, {"08", "Ardennes", "Reims"},
	{"09", "Ariège", "Toulouse"}, {"10", "Aube", "Reims"}, {"11", "Aude", "Montpellier"},
	{"12", "Aveyron", "Toulouse"}, {"13", "Bouches-du-Rhône", "Aix-Marseille"},
	{"14", "Calvados", "Normandie"}, {"15", "Cantal", "Clermont-Ferrand"},
	{"16", "Charente", "Poitiers"}, {"17", "Charente-Maritime", "Poitiers"},
	{"18", "Cher", "Orléans-Tours"}, {"19", "Corrèze", "Limoges"},
	{"2A", "Corse-du-Sud", "Corse"}, {"2B", "Haute-Corse", "Corse"},
	{"21", "Côte-d'Or", "Dijon"}, {"22", "Côtes-d'Armor", "Rennes"}, {"23", "Creuse", "Limoges"},
	{"24", "Dordogne", "Bordeaux"}, {"25", "Doubs", "Besançon"}, {"26", "Drôme", "Grenoble"},
	{"27", "Eure", "Normandie"}, {"28", "Eure-et-Loir", "Orléans-Tours"},
	{"29", "Finistère", "Rennes"}, {"30", "Gard", "Montpellier"},
	{"31", "Haute-Garonne", "Toulouse"}, {"32", "Gers", "Toulouse"}, {"33", "Gironde", "Bordeaux"},
	{"34", "Hérault", "Montpellier"}, {"35", "Ille-et-Vilaine", "Rennes"},
	{"36", "Indre", "Orléans-Tours"}, {"37", "Indre-et-Loire", "Orléans-Tours"},
	{"38", "Isère", "Grenoble"}, {"39", "Jura", "Besançon"}, {"40", "Landes", "Bordeaux"},
	{"41", "Loir-et-Cher", "Orléans-Tours"}, {"42", "Loire", "Lyon"},
	{"43", "Haute-Loire", "Clermont-Ferrand"}, {"44", "Loire-Atlantique", "Nantes"},
	{"45", "Loiret", "Orléans-Tours"}, {"46", "Lot", "Toulouse"},
	{"47", "Lot-et-Garonne", "Bordeaux"}, {"48", "Lozère", "Montpellier"},
	{"49", "Maine-et-Loire", "Nantes"}, {"50", "Manche", "Normandie"}, {"51", "Marne", "Reims"},
	{"52", "Haute-Marne", "Reims"}, {"53", "Mayenne", "Nantes"},
	{"54", "Meurthe-et-Moselle", "Nancy-Metz"}, {"55", "Meuse", "Nancy-Metz"},
	{"56", "Morbihan", "Rennes"}, {"57", "Moselle", "Nancy-Metz"}, {"58", "Nièvre", "Dijon"},
	{"59", "Nord", "Lille"}, {"60", "Oise", "Amiens"}, {"61", "Orne", "Normandie"},
	{"62", "Pas-de-Calais", "Lille"}, {"63", "Puy-de-Dôme", "Clermont-Ferrand"},
	{"64", "Pyrénées-Atlantiques", "Bordeaux"}, {"65", "Hautes-Pyrénées", "Toulouse"},
	{"66", "Pyrénées-Orientales", "Montpellier"}, {"67", "Bas-Rhin", "Strasbourg"},
	{"68", "Haut-Rhin", "Strasbourg"}, {"69", "Rhône", "Lyon"}, {"70", "Haute-Saône", "Besançon"},
	{"71", "Saône-et-Loire", "Dijon"}, {"72", "Sarthe", "Nantes"}, {"73", "Savoie", "Grenoble"},
	{"74", "Haute-Savoie", "Grenoble"}, {"75", "Paris", "Paris"},
	{"76", "Seine-Maritime", "Normandie"}, {"77", "Seine-et-Marne", "Créteil"},
	{"78", "Yvelines", "Versailles"}, {"79", "Deux-Sèvres", "Poitiers"}, {"80", "Somme", "Amiens"},
	{"81", "Tarn", "Toulouse"}, {"82", "Tarn-et-Garonne", "Toulouse"}, {"83", "Var", "Nice"},
	{"84", "Vaucluse", "Aix-Marseille"}, {"85", "Vendée", "Nantes"}, {"86", "Vienne", "Poitiers"},
	{"87", "Haute-Vienne", "Limoges"}, {"88", "Vosges", "Nancy-Metz"}, {"89", "Yonne", "Dijon"},
	{"90", "Territoire de Belfort", "Besançon"}, {"91", "Essonne", "Versailles"},
	{"92", "Hauts-de-Seine", "Versailles"}, {"93", "Seine-Saint-Denis", "Créteil"},
	{"94", "Val-de-Marne", "Créteil"}, {"95", "Val-d'Oise", "Versailles"},
	{"971", "Guadeloupe", "Guadeloupe"}, {"972", "Martinique", "Martinique"},
	{"973", "Guyane", "Guyane"}, {"974", "La Réunion", "La Réunion"}, {"976", "Mayotte", "Mayotte"},
}

// Academies returns the canonical names of the 30 académies, sorted.
func Academies() []string { return append([]string(nil), academies...) }

// NormalizeAcademie turns what a person typed (a département number or
// name, or an académie name, in any case, with or without accents) into the
// canonical name of the académie. It reports false when nothing matches.
func NormalizeAcademie(input string) (string, bool) {
	key := foldKey(input)
	for _, prefix := range []string{"academie de la ", "academie de ", "academie d ", "academie ", "departement de la ", "departement du ", "departement de ", "departement des ", "departement d ", "departement ", "dept "} {
		key = strings.TrimPrefix(key, prefix)
	}
	if key == "" {
		return "", false
	}
	code := strings.ReplaceAll(key, " ", "")
	if n, err := strconv.Atoi(code); err == nil && n > 0 && n < 1000 {
		code = strconv.Itoa(n)
		if n < 10 {
			code = "0" + code
		}
	}
	for _, d := range departements {
		if strings.EqualFold(d.code, code) {
			return d.academie, true
		}
	}
	for _, a := range academies {
		if foldKey(a) == key {
			return a, true
		}
	}
	if a, ok := academieAliases[key]; ok {
		return a, true
	}
	for _, d := range departements {
		if foldKey(d.name) == key {
			return d.academie, true
		}
	}
	return "", false
}

// foldKey lowercases s, removes French accents and turns every run of
// punctuation or spaces into one space, so that "Côte d’Or" and "cote-d-or"
// compare equal.
func foldKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if f, ok := accentFold[r]; ok {
			b.WriteString(f)
			space = false
			continue
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space && b.Len() > 0 {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

var accentFold = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ô': "o", 'ö': "o", 'ó': "o", 'ù': "u", 'û': "u", 'ü': "u",
	'ú': "u", 'ÿ': "y", 'œ': "oe", 'æ': "ae",
}

// lookupPlaces finds the places text may name.
func lookupPlaces(text string) []placeMatch {
	a, ok := NormalizeAcademie(text)
	if !ok {
		return nil
	}
	return []placeMatch{{ID: "a-" + foldKey(a), Label: a, Name: a, Academie: a, IsAcad: true}}
}

// placeByID returns the place with that id.
func placeByID(id string) (placeMatch, bool) {
	for _, a := range academies {
		if "a-"+foldKey(a) == id {
			return placeMatch{ID: id, Label: a, Name: a, Academie: a, IsAcad: true}, true
		}
	}
	return placeMatch{}, false
}
