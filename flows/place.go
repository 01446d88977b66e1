package flows

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// placeMatch is one place a typed message may name.
type placeMatch struct {
	ID       string // token-safe id, for a button
	Label    string // tells homonyms apart: « Saint-Denis (93) »
	Name     string // the place's name, for the acknowledgement
	Academie string // canonical académie name; empty when unknown
	Dept     string // the département's number (« 93 », « 988 »)
	IsAcad   bool   // the place is an académie itself
}

// place reads a place typed at the académie prompt: one académie is
// recorded at once, several are asked about with buttons.
func (st *step) place(text string) {
	m := st.msg()
	n := normalize(text)
	if declinePlace[n] {
		st.afterOnboarding()
		return
	}
	var matches []placeMatch
	// « -1 » is no département 01.
	if utf8.RuneCountInString(text) <= maxAcademieLen && !signedNumber(text) {
		for _, l := range placeLeads {
			if rest, ok := strings.CutPrefix(n, l+" "); ok {
				n = rest
				break
			}
		}
		if abroad[n] {
			// Before the places: « l'étranger » is also a village of
			// the Indre, Le Tranger.
			st.say(m.AcademieAbroad)
			st.afterOnboarding()
			return
		}
		matches = lookupPlaces(n)
	}
	var ids []string
	academies := map[string]bool{}
	for _, p := range matches {
		if p.Academie != "" {
			academies[p.Academie] = true
			ids = append(ids, p.ID)
		}
	}
	switch {
	case len(academies) == 0 && len(matches) > 0 && !slices.ContainsFunc(matches, func(p placeMatch) bool { return p.Dept != matches[0].Dept }):
		// New Caledonia, French Polynesia, Wallis-et-Futuna: found, with
		// a vice-rectorat and no académie to record.
		st.say(fmt.Sprintf(m.AcademieVice, matches[0].Label))
		st.afterOnboarding()
	case len(matches) == 0 && (foreign[n] || foreignPhrases[n]):
		// « Belgique », « je suis au Canada »: outside France.
		st.say(m.AcademieAbroad)
		st.afterOnboarding()
	case len(academies) == 0:
		st.askAcademie(fmt.Sprintf(m.AcademieNo, shorten(sanitizeLine(text), 40)))
	case len(academies) == 1:
		// The académie itself when it was named, else the best place.
		best := matches[0]
		for _, p := range matches {
			if p.IsAcad {
				best = p
			}
		}
		st.setAcademie(best)
	default:
		st.show(st.placePrompt(ids))
		st.setPending(&Pending{Kind: PendingPlace, Places: ids})
	}
}

// declinePlace are the ways to say one would rather not tell.
var declinePlace = map[string]bool{
	"non": true, "non merci": true, "pas envie": true, "je prefere pas dire": true, "je prefere ne pas dire": true,
	"je prefere pas": true, "je ne veux pas dire": true, "je veux pas dire": true, "je ne souhaite pas repondre": true,
	"confidentiel": true, "secret": true, "pas de reponse": true, "aucune": true, "aucun": true, "ca ne vous regarde pas": true,
	"rather not say": true, "prefer not to say": true, "no thanks": true, "no": true,
}

// abroad are the ways to say one lives outside France, once a lead such
// as « j'habite à » is cut off.
var abroad = map[string]bool{
	"etranger": true, "l etranger": true, "a l etranger": true, "hors de france": true, "hors france": true,
	"pas en france": true, "en dehors de la france": true, "expatrie": true, "expatriee": true, "expat": true,
	"abroad": true, "outside france": true, "outside of france": true, "not in france": true,
}

// foreign are countries and cities abroad people name instead of saying
// « à l'étranger », once a lead is cut off. They are read only when no
// French place has the name.
var foreign = wordSet("belgique belgium suisse switzerland luxembourg allemagne germany espagne spain italie italy " +
	"portugal angleterre england ecosse scotland irlande ireland londres london bruxelles brussels geneve geneva " +
	"lausanne canada quebec montreal maroc morocco algerie algeria tunisie tunisia senegal liban lebanon usa " +
	"amerique america chine china japon japan australie australia bresil brazil mexique mexico dubai " +
	"madagascar cameroun gabon mali niger congo benin togo haiti etranger")

// foreignPhrases are the names of several words.
var foreignPhrases = map[string]bool{
	"royaume uni": true, "united kingdom": true, "uk": true, "pays bas": true, "netherlands": true, "etats unis": true,
	"united states": true, "new york": true, "cote d ivoire": true, "ivory coast": true, "emirats arabes unis": true,
}

// placeLeads introduce a place: « je suis à Toulouse », « dans le 59 »,
// and the same typed as a text message: « jsuis à Nantes », « ds le 93 »,
// « j'hab à Lille ». Longest first, so that the whole lead is cut.
var placeLeads = func() []string {
	subjects := []string{"je suis", "jsuis", "j suis", "jsui", "chui", "chuis", "shui", "je vis", "jvis", "j vis",
		"j habite", "jhabite", "j hab", "jhab", "j habites", "on habite", "on est", "on vit", "nous habitons",
		"nous sommes", "nous vivons", "je reside", "j enseigne", "je travaille", "moi c est", "c est"}
	preps := []string{"a", "au", "aux", "en", "dans le", "dans la", "dans l", "dans les", "ds le", "ds la", "ds l", "ds",
		"sur", "pres de", "vers", "de", "du", "d"}
	leads := []string{"dans le", "dans la", "dans l", "ds le", "ds la", "ds l", "ds", "a", "au", "aux", "en", "pres de", "vers",
		"sur", "i live in", "i live", "i m in", "im in", "i am in", "in", "near"}
	for _, s := range subjects {
		leads = append(leads, s)
		for _, p := range preps {
			leads = append(leads, s+" "+p)
		}
	}
	slices.SortStableFunc(leads, func(a, b string) int { return len(b) - len(a) })
	return leads
}()

// placeAgain reads text typed while several places are offered: a place
// of the same académie as one offered picks it (« 93 » for Saint-Denis
// (93)); another place is taken as the answer; anything else asks again.
func (st *step) placeAgain(p *Pending, text string) {
	n := normalize(text)
	for _, l := range []string{"celui du", "celui de", "celle du", "celle de", "celui d", "celle d", "le", "la", "l", "a", "en"} {
		if rest, ok := strings.CutPrefix(n, l+" "); ok {
			n = rest
			break
		}
	}
	matches := lookupPlaces(n)
	academies := map[string]bool{}
	for _, m := range matches {
		if m.Academie != "" {
			academies[m.Academie] = true
		}
	}
	if len(academies) == 1 {
		for _, id := range p.Places {
			if c, ok := placeByID(id); ok && academies[c.Academie] {
				st.setAcademie(c)
				return
			}
		}
		st.place(n)
		return
	}
	m := st.msg()
	st.say(fmt.Sprintf(m.NotUnderstood, shorten(sanitizeLine(text), 60)))
	st.reshow()
}

// placePrompt asks which of several places the person meant.
func (st *step) placePrompt(ids []string) (Reply, []opt) {
	m := st.msg()
	opts := make([]opt, 0, len(ids)+1)
	for _, id := range ids {
		if p, ok := placeByID(id); ok {
			opts = append(opts, opt{actPlace, id, p.Label})
		}
	}
	opts = append(opts, opt{actSkip, "", m.Skip})
	return Reply{Text: m.PlaceWhich}, opts
}

// pickPlace records the place tapped among those offered.
func (st *step) pickPlace(p *Pending, id string) {
	for _, c := range p.Places {
		if c == id {
			if pl, ok := placeByID(id); ok && pl.Academie != "" {
				st.setAcademie(pl)
				return
			}
		}
	}
	st.say(st.msg().Garbage)
	st.reshow()
}

// setAcademie records p's académie and moves on.
func (st *step) setAcademie(p placeMatch) {
	m := st.msg()
	st.s.Academie = p.Academie
	what := fmt.Sprintf(m.AcademieOf, elide(st.s.Lang, p.Academie))
	if !p.IsAcad {
		what = p.Label + ", " + what
	}
	st.say(fmt.Sprintf(m.AcademieOK, what))
	st.afterOnboarding()
}

// elide writes « d'Aix-Marseille » where French elides « de ».
func elide(lang, name string) string {
	if lang != LangFR {
		return name
	}
	r, _ := utf8.DecodeRuneInString(name)
	if strings.ContainsRune("AEIOUYÉÈÊÎÔaeiouyéèêîô", r) {
		return "d'" + name
	}
	return "de " + name
}
