package places

// academieDef is one of the 30 académies: its canonical name (the one flows
// uses), the slug of its ID and the départements it covers.
type academieDef struct {
	name, slug string
	depts      []string
}

// academieDefs lists the 30 académies, sorted by name. Saint-Pierre-et-
// Miquelon (975) belongs to Normandie and Saint-Barthélemy (977) and
// Saint-Martin (978) to Guadeloupe (code de l'éducation). Wallis-et-Futuna
// (986), French Polynesia (987) and New Caledonia (988) have a
// vice-rectorat instead of an académie: their Academie is empty.
var academieDefs = []academieDef{
	{"Aix-Marseille", "aix-marseille", []string{"04", "05", "13", "84"}},
	{"Amiens", "amiens", []string{"02", "60", "80"}},
	{"Besançon", "besancon", []string{"25", "39", "70", "90"}},
	{"Bordeaux", "bordeaux", []string{"24", "33", "40", "47", "64"}},
	{"Clermont-Ferrand", "clermont", []string{"03", "15", "43", "63"}},
	{"Corse", "corse", []string{"2A", "2B"}},
	{"Créteil", "creteil", []string{"77", "93", "94"}},
	{"Dijon", "dijon", []string{"21", "58", "71", "89"}},
	{"Grenoble", "grenoble", []string{"07", "26", "38", "73", "74"}},
	{"Guadeloupe", "guadeloupe", []string{"971", "977", "978"}},
	{"Guyane", "guyane", []string{"973"}},
	{"La Réunion", "la-reunion", []string{"974"}},
	{"Lille", "lille", []string{"59", "62"}},
	{"Limoges", "limoges", []string{"19", "23", "87"}},
	{"Lyon", "lyon", []string{"01", "42", "69"}},
	{"Martinique", "martinique", []string{"972"}},
	{"Mayotte", "mayotte", []string{"976"}},
	{"Montpellier", "montpellier", []string{"11", "30", "34", "48", "66"}},
	{"Nancy-Metz", "nancy-metz", []string{"54", "55", "57", "88"}},
	{"Nantes", "nantes", []string{"44", "49", "53", "72", "85"}},
	{"Nice", "nice", []string{"06", "83"}},
	{"Normandie", "normandie", []string{"14", "27", "50", "61", "76", "975"}},
	{"Orléans-Tours", "orleans-tours", []string{"18", "28", "36", "37", "41", "45"}},
	{"Paris", "paris", []string{"75"}},
	{"Poitiers", "poitiers", []string{"16", "17", "79", "86"}},
	{"Reims", "reims", []string{"08", "10", "51", "52"}},
	{"Rennes", "rennes", []string{"22", "29", "35", "56"}},
	{"Strasbourg", "strasbourg", []string{"67", "68"}},
	{"Toulouse", "toulouse", []string{"09", "12", "31", "32", "46", "65", "81", "82"}},
	{"Versailles", "versailles", []string{"78", "91", "92", "95"}},
}

// vicerectorats are the départements (collectivités) whose schools depend on
// a vice-rectorat rather than one of the 30 académies.
var vicerectorats = map[string]bool{"986": true, "987": true, "988": true}

// extraNames are other names people use for a place: a former académie or
// région, an acronym, the short name of a collectivité. Each maps to the
// IDs it names; a name naming several académies is ambiguous on purpose.
var extraNames = map[string][]string{
	"aix":                      {"a-aix-marseille"},
	"clermont":                 {"a-clermont"},
	"idf":                      {"r-11"},
	"region parisienne":        {"r-11"},
	"banlieue parisienne":      {"r-11"},
	"bdx":                      {"a-bordeaux"},
	"tlse":                     {"a-toulouse"},
	"mtp":                      {"a-montpellier"},
	"montpel":                  {"a-montpellier"},
	"aix en pce":               {"c-13001"},
	"aix en prov":              {"c-13001"},
	"paca":                     {"r-93"},
	"centre":                   {"r-24"},
	"alsace":                   {"a-strasbourg"},
	"aquitaine":                {"a-bordeaux"},
	"auvergne":                 {"a-clermont"},
	"basse normandie":          {"a-normandie"},
	"haute normandie":          {"a-normandie"},
	"bourgogne":                {"a-dijon"},
	"champagne ardenne":        {"a-reims"},
	"franche comte":            {"a-besancon"},
	"languedoc roussillon":     {"a-montpellier"},
	"languedoc":                {"a-montpellier"},
	"limousin":                 {"a-limoges"},
	"lorraine":                 {"a-nancy-metz"},
	"midi pyrenees":            {"a-toulouse"},
	"nord pas de calais":       {"a-lille"},
	"picardie":                 {"a-amiens"},
	"poitou charentes":         {"a-poitiers"},
	"rhone alpes":              {"a-lyon", "a-grenoble"},
	"cote d azur":              {"a-nice"},
	"polynesie":                {"d-987"},
	"tahiti":                   {"d-987"},
	"caledonie":                {"d-988"},
	"wallis":                   {"d-986"},
	"saint barth":              {"d-977"},
	"saint pierre miquelon":    {"d-975"},
	"territoire belfort":       {"d-90"},
	"ile de la reunion":        {"d-974"},
	"reunion island":           {"d-974"},
	"french polynesia":         {"d-987"},
	"new caledonia":            {"d-988"},
	"french guiana":            {"d-973"},
	"corsica":                  {"a-corse"},
	"brittany":                 {"r-53"},
	"normandy":                 {"r-28"},
	"provence alpes cote azur": {"r-93"},
}
