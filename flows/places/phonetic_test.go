package places

import (
	"strings"
	"testing"
)

func TestPhonetic(t *testing.T) {
	for _, group := range [][]string{
		{"bordeaux", "bordo", "bordau"},
		{"marseille", "marseye", "marseil", "marceille"},
		{"toulouse", "tuluz", "toulouze"},
		{"montpellier", "monpelier", "monpelie"},
		{"clermontferrand", "clermonferan"},
		{"saintetienne", "sintetien"},
		{"perpignan", "perpinian"},
		{"poitiers", "poitier"},
	} {
		want := phonetic(group[0])
		for _, w := range group[1:] {
			if got := phonetic(w); got != want {
				t.Errorf("phonetic(%q) = %q, want %q like %q", w, got, want, group[0])
			}
		}
	}
	for _, k := range []string{"paris15", "", "a-b"} {
		if got := phonetic(k); got != "" {
			t.Errorf("phonetic(%q) = %q, want empty", k, got)
		}
	}
}

// TestOrdinaryRepliesDoNotSoundLikePlaces keeps the phonetic stage from
// reading what people type instead of a place as one: no reply here that
// names nothing exactly or with typos may name a place by its sound.
func TestOrdinaryRepliesDoNotSoundLikePlaces(t *testing.T) {
	tab := loadedTable()
	replies := strings.Split("je ne sais pas|aucune idée|à la maison|chez moi|en ville|campagne|banlieue|ailleurs|partout|nulle part|secret|pas envie|pourquoi|comment|bientôt|plus tard|continuer|suivant|retour|menu|aide|stop|annuler|valider|pardon|désolé|salut|coucou|bonsoir|enfant|enseignant|professeur|collège|lycée|école|mairie|région|département|france|europe|étranger|belgique|canada|maroc|algérie|tunisie|sénégal|espagne|allemagne|italie|angleterre|nord|sud|ouest|montagne|mer|plage|forêt|quartier|cité|ici|là-bas|loin|tout près|peut-être|jamais|toujours|rien|quelqu'un|anonyme|confidentiel|privé|d'accord|bien sûr|super|génial|merci|merci beaucoup|au revoir|à bientôt|bonne journée|parents|maman|papa|famille|travail|bureau|usine|hôpital|commerce|retraité|chômage|étudiant|numérique|tablette|ordinateur|portable|internet|téléphone|classe|élève|devoirs|cantine|vacances|lundi|mercredi|dimanche|janvier|septembre|rouge|blanc|beaucoup|un peu|pas du tout|voilà|mouais|ok merci|non pas maintenant|je préfère pas|je ne veux pas|sauter|question suivante|terminer|arrêter|village|personne|demain|bonjour|parent", "|")
	for _, r := range replies {
		toks := normalize(r)
		k := key(toks)
		if len(tab.exact(toks)) > 0 || len(tab.fuzzy(k)) > 0 {
			continue // found before the phonetic stage is reached
		}
		if c := tab.soundsLike(k); len(c) > 0 {
			t.Errorf("%q sounds like %s", r, tab.recs[c[0].rec].name)
		}
	}
}
