package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
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
	Town     bool   // a commune or an arrondissement
	Pop      int    // a town's inhabitants
}

// placeReading is what a message typed at the académie names.
type placeReading struct {
	text     string // the message folded, its lead (« je suis à ») cut
	decline  bool   // « je préfère pas dire », « pas envie de donner ma ville »
	dontKnow bool   // « je ne sais pas trop où on dépend »
	abroad   bool   // « à l'étranger », or a country no French place is named after
	// alsoAbroad marks a well-known place abroad that French communes
	// are named after too (« Argentine », « Montréal »): matches holds
	// those communes, and the person is asked which.
	alsoAbroad bool
	matches    []placeMatch // the places it may name
	// rest counts the words of a sentence around the place it names
	// (« j'habite à Lyon et mes enfants n'ont pas d'ordinateur »); 0 when
	// the whole message is the place.
	rest int
}

// found reports a reading that names a place, in France or not.
func (pr placeReading) found() bool { return pr.abroad || len(pr.matches) > 0 }

// readPlace reads text as an answer to the académie prompt: the whole
// message as a place, else a place said inside a sentence.
func readPlace(text string) placeReading {
	n := normalize(text)
	if declinePlace[n] || declinesPlace(n) {
		return placeReading{text: n, decline: true}
	}
	// « -1 » is no département 01.
	if signedNumber(text) {
		return placeReading{text: n}
	}
	if utf8.RuneCountInString(text) <= maxAcademieLen {
		if pr := readPlaceWhole(n, text); pr.found() {
			return pr
		}
	}
	if pr, ok := placeInSentence(text); ok {
		return pr
	}
	return placeReading{text: n, dontKnow: placeDontKnow(n)}
}

// readPlaceWhole reads n, a message folded, as naming one place and
// nothing else; text is the message as typed, which tells a name
// written as a name (« Ligné ») from a word (« en ligne »).
func readPlaceWhole(n, text string) (pr placeReading) {
	lead := ""
	for _, l := range placeLeads {
		if rest, ok := strings.CutPrefix(n, l+" "); ok {
			n, lead = rest, l
			break
		}
	}
	defer func() {
		if nameLead(lead) {
			// « en ligne », « prof en mer », « en garde alternée »: a
			// commune is said « à Ligné », « à Mer »; after « en » or
			// « dans » a town counts only named exactly, and a small
			// one only written as a name.
			pr.matches = slices.DeleteFunc(pr.matches, func(p placeMatch) bool {
				return p.Town && !townNamed(p, pr.text, text)
			})
		}
	}()
	if abroad[n] {
		// Before the places: « l'étranger » is also a village of the
		// Indre, Le Tranger.
		return placeReading{text: n, abroad: true}
	}
	n = spokenDepartement(n)
	matches := lookupPlaces(n)
	if foreign[n] || foreignPhrases[n] {
		// « Belgique », « je suis au Canada », « Manchester »: outside
		// France, unless French communes have that very name (Argentine,
		// Savoie; Montréal, Aude), which are offered beside « abroad ».
		homonyms := slices.DeleteFunc(matches, func(p placeMatch) bool { return foldKey(p.Name) != n || p.Academie == "" })
		if len(homonyms) == 0 {
			return placeReading{text: n, abroad: true}
		}
		return placeReading{text: n, matches: homonyms, alsoAbroad: true}
	}
	return placeReading{text: n, matches: matches}
}

// placeInSentence finds a place said inside a sentence: after a lead
// (« j'habite à Lyon et mes enfants… », « parent à Lyon »), or alone
// before a comma (« Lyon, et les écrans… »). Only a place named exactly
// counts there: a typo of a sentence's word is no place.
func placeInSentence(text string) (placeReading, bool) {
	if utf8.RuneCountInString(text) > maxPlaceSentence {
		return placeReading{}, false
	}
	var clauses [][]string
	for c := range strings.FieldsFuncSeq(text, func(r rune) bool { return strings.ContainsRune(",;.!?:()\n", r) }) {
		if w := strings.Fields(normalize(c)); len(w) > 0 {
			clauses = append(clauses, w)
		}
	}
	total := 0
	for _, c := range clauses {
		total += len(c)
	}
	for ci, words := range clauses {
		for i := range words {
			// The place follows a lead, or begins the first clause.
			led, lead := ci == 0 && i == 0 && len(clauses) > 1, 0
			for _, l := range placeLeads {
				lw := strings.Fields(l)
				if i >= len(lw) && strings.Join(words[i-len(lw):i], " ") == l {
					led, lead = true, len(lw)
					break
				}
			}
			if !led {
				continue
			}
			// The longest run of words that names a place, up to a word
			// that goes on with the sentence.
			end := i
			for end < len(words) && end-i < maxPlaceWords && !sentenceGoesOn[words[end]] {
				end++
			}
			for j := end; j > i; j-- {
				name := strings.Join(words[i:j], " ")
				pr := readPlaceWhole(name, text)
				if plainlyNamed(pr, text) {
					// What is said besides the place and its lead.
					pr.rest = total - (j - i) - lead
					return pr, true
				}
			}
		}
	}
	return placeReading{}, false
}

// plainlyNamed reports a place read among other words of text: abroad,
// a code, or a place named exactly. A small town's name is often a word
// too (« en ligne », Ligné): it counts written as a name.
func plainlyNamed(pr placeReading, text string) bool {
	return pr.abroad || isPlaceCode(pr.text) || slices.ContainsFunc(pr.matches, func(p placeMatch) bool {
		return foldKey(p.Name) == pr.text && (!p.Town || townNamed(p, pr.text, text))
	})
}

// townNamed reports whether town p, read as n (folded) in text, is named
// exactly and, when small, written as a name: with a capital
// (« Ligne »), or with the accents of its name (« ligné »), as the word
// it resembles is not.
func townNamed(p placeMatch, n, text string) bool {
	if foldKey(p.Name) != n {
		return false
	}
	if p.Pop >= sentenceTownPop {
		return true
	}
	first, _, _ := strings.Cut(n, " ")
	if capitalized(text, first) {
		return true
	}
	lower := strings.ToLower(p.Name)
	return lower != foldKey(p.Name) && strings.Contains(strings.ToLower(text), lower)
}

// nameLead reports a lead after which a commune is not said: « en »
// (« en Gironde », « en Bretagne ») and « dans » (« dans le 93 »): a
// town read there is more likely a word of the sentence.
func nameLead(l string) bool {
	w := strings.Fields(l)
	return len(w) > 0 && (w[len(w)-1] == "en" || slices.Contains(w, "dans") || slices.Contains(w, "ds"))
}

// Bounds of a place read inside a sentence: the sentence's length, the
// words of the place's name (« Saint-Germain-en-Laye » has four), and
// the inhabitants of a town found there with no capital letter.
const (
	maxPlaceSentence = 400
	maxPlaceWords    = 5
	sentenceTownPop  = 10_000
)

// capitalized reports whether text has word, folded, written with a
// capital letter.
func capitalized(text, word string) bool {
	for w := range strings.FieldsFuncSeq(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) && foldKey(w) == word {
			return true
		}
	}
	return false
}

// sentenceGoesOn are the words after which a sentence goes on past the
// place it names: « à Lyon et mes enfants… », « à Lyon depuis 2010 ».
var sentenceGoesOn = wordSet("et mais ou donc car avec pour parce que qui depuis mes mon ma nos notre on il elle ils " +
	"elles nous je j c ca cela and but with for since my our we i it")

// isPlaceCode reports a département number or postcode, once folded.
func isPlaceCode(n string) bool {
	if n == "2a" || n == "2b" {
		return true
	}
	if len(n) < 2 || len(n) > 5 || len(n) == 4 {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// declineHeads start a refusal to say where one is: « je ne veux pas le
// dire », « pas envie de donner ma ville », « je préfère ne pas répondre
// à ça ».
var declineHeads = []string{"non je ne veux pas", "non je veux pas", "je ne veux pas", "je veux pas", "j veux pas", "veux pas",
	"je prefere ne pas", "je prefere pas", "je ne prefere pas", "jprefere pas", "j prefere pas", "prefere ne pas", "prefere pas", "je n ai pas envie de", "j ai pas envie de",
	"pas envie de", "je ne souhaite pas", "je souhaite pas", "ne souhaite pas", "je ne tiens pas a", "je tiens pas a",
	"i d rather not", "i would rather not", "id rather not", "rather not", "i prefer not to", "i don t want to",
	"i dont want to", "i do not want to", "no i don t want to"}

// declineTold are the words of what one would rather not tell, after a
// decline head.
var declineTold = wordSet("le la l ca cela dire donner repondre a preciser indiquer communiquer ecrire mettre ma mon " +
	"ville commune lieu academie departement adresse ici de d en cette question merci non ou j habite vis suis " +
	"vous te t you your say tell answer give share my city town it that this to where i live am question thanks no")

// declinesPlace reports n, a message folded, saying one would rather not
// tell where one is, in a few words.
func declinesPlace(n string) bool {
	for _, h := range declineHeads {
		rest, ok := strings.CutPrefix(n, h)
		if !ok || rest != "" && rest[0] != ' ' {
			continue
		}
		words := strings.Fields(rest)
		return len(words) <= 6 && !slices.ContainsFunc(words, func(w string) bool { return !declineTold[w] })
	}
	return false
}

// placeDontKnow reports n, a message folded, saying in a few words one
// does not know one's académie: « je ne sais pas trop où on dépend »,
// « aucune idée de l'académie ».
func placeDontKnow(n string) bool {
	words := strings.Fields(n)
	if len(words) > 10 {
		return false
	}
	for k := min(len(words), 6); k >= 1; k-- {
		if dontKnow(strings.Join(words[:k], " ")) || knowNot[strings.Join(words[:k], " ")] {
			return true
		}
	}
	return false
}

// knowNot are other ways to begin saying one does not know one's place.
var knowNot = phraseSet("je ne connais pas|je connais pas|j connais pas|connais pas|je ne suis pas sur|je suis pas sur|" +
	"je sais plus|je ne sais plus|not sure|i m not sure|i am not sure|no idea|i have no idea")

// place reads a place typed at the académie prompt: one académie is
// recorded at once, several are asked about with buttons.
func (st *step) place(text string) {
	m := st.msg()
	pr := readPlace(text)
	if pr.decline {
		st.say(m.AcademieDeclined)
		st.afterOnboarding()
		return
	}
	if pr.dontKnow {
		st.help()
		return
	}
	if pr.rest >= minHeldWords {
		// The rest of the sentence is about the subject: kept too, and
		// offered below the first question.
		st.hold(text)
	}
	if pr.abroad {
		st.abroad()
		return
	}
	matches := pr.matches
	if pr.alsoAbroad {
		// The place abroad is the likelier, its French namesakes are
		// real: one tap either way, nothing recorded on a guess.
		ids := []string{}
		for _, p := range matches {
			ids = append(ids, p.ID)
		}
		ids = append(ids, placeAbroad)
		st.show(st.placePrompt(ids))
		st.setPending(&Pending{Kind: PendingPlace, Places: ids})
		return
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
		st.s.Academie = ""
		st.say(fmt.Sprintf(m.AcademieVice, matches[0].Label) + st.earlierToo())
		st.afterOnboarding()
	case len(academies) == 0 && st.hold(text):
		// A sentence about the subject, not a place: kept for the
		// first question (see Session.Held).
		st.say(m.AcademieHeld)
		st.askAcademie()
	case len(academies) == 0:
		// The question comes again below the note, so that it is what
		// shows when the prompt is shown again.
		st.s.Stage = StageAcademie
		r, opts := st.academiePrompt()
		r.Lead, r.Text = fmt.Sprintf(m.AcademieNo, shorten(sanitizeLine(text), 40)), m.AcademieAgain
		st.ask(r, opts...)
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

// declinePlace are the ways to say one would rather not tell, or that
// nothing needs saying here: the académie is optional, and these skip it
// as « Passer » does.
var declinePlace = phraseSet("non|non merci|nan|nope|pas envie|je prefere pas dire|je prefere ne pas dire|je prefere pas|" +
	"je ne prefere pas dire|je ne veux pas dire|je veux pas dire|je ne souhaite pas repondre|je dirai pas|je ne dirai pas|" +
	"confidentiel|secret|prive|c est prive|c est personnel|perso|pas de reponse|sans reponse|aucune|aucun|" +
	"ca ne vous regarde pas|ca vous regarde pas|ca ne regarde que moi|je garde ca pour moi|je prefere garder ca pour moi|" +
	"je le garde pour moi|je prefere le garder pour moi|" +
	"rien|rien du tout|non rien|rien a dire|nada|c est bon|c bon|cest bon|c est bon comme ca|c bon comme ca|ca ira|ca va|" +
	"non ca ira|non c est bon|pas la peine|pas besoin|pas important|peu importe|sans|sans academie|aucune academie|" +
	"rather not say|prefer not to say|i d rather not say|i prefer not to say|no thanks|no|nah|none|nothing|not telling|" +
	"none of your business|pass|no need|it s fine|that s fine")

// abroad are the ways to say one lives outside France, once a lead such
// as « j'habite à » is cut off.
var abroad = map[string]bool{
	"etranger": true, "l etranger": true, "a l etranger": true, "hors de france": true, "hors france": true,
	"pas en france": true, "en dehors de la france": true, "expatrie": true, "expatriee": true, "expat": true,
	"abroad": true, "outside france": true, "outside of france": true, "not in france": true,
}

// foreign are countries and cities abroad people name instead of saying
// « à l'étranger », once a lead is cut off. They win over a French name
// they merely resemble (Manchester, the Manche). French communes of that
// very name (Argentine in the Savoie, Montréal in the Aude, Venise in the
// Doubs) are offered beside « abroad »; a French town (Vienne, Valence,
// Bruges) is no entry here, and a test keeps the list to places whose
// French namesakes are villages.
var foreign = wordSet("belgique belgium suisse switzerland luxembourg allemagne germany espagne spain italie italy " +
	"portugal angleterre england ecosse scotland irlande ireland londres london bruxelles brussels geneve geneva " +
	"lausanne canada quebec montreal maroc morocco algerie algeria tunisie tunisia senegal liban lebanon usa " +
	"amerique america chine china japon japan australie australia bresil brazil mexique mexico dubai " +
	"madagascar cameroun gabon mali niger congo benin togo haiti etranger " +
	"autriche austria pologne poland grece greece turquie turkey russie russia ukraine roumanie romania " +
	"suede sweden norvege norway danemark denmark finlande finland croatie israel egypte egypt inde india " +
	"vietnam thailande thailand coree korea singapour singapore argentine argentina chili chile colombie colombia " +
	"perou peru cuba qatar mauritanie guinee tchad rwanda burundi djibouti comores seychelles " +
	"kenya nigeria ghana ontario wallonie flandre catalogne baviere californie california floride florida " +
	"texas galles wales afrique africa asie asia " +
	"rome roma manchester berlin madrid dakar alger algiers casablanca lisbonne lisbon lisboa monaco tokyo abidjan " +
	"munich milan bristol sydney boston liverpool tunis rabat marrakech tanger agadir oran bamako niamey " +
	"ouagadougou conakry yaounde douala libreville kinshasa brazzaville lome cotonou antananarivo nouakchott " +
	"barcelone barcelona seville sevilla amsterdam rotterdam antwerp ghent charleroi namur liege " +
	"zurich bale basel berne bern francfort frankfurt hambourg hamburg dusseldorf stuttgart koln wien " +
	"vienna prague budapest varsovie warsaw cracovie bucarest bucharest athenes athens moscou moscow istanbul " +
	"stockholm oslo copenhague copenhagen helsinki dublin edimbourg edinburgh glasgow birmingham leeds " +
	"brighton florence firenze naples napoli venice turin torino beyrouth beirut jerusalem cairo doha " +
	"pekin beijing shanghai seoul bangkok delhi mumbai toronto vancouver ottawa chicago miami " +
	"philadelphie philadelphia seattle houston dallas atlanta melbourne brisbane auckland " +
	"cologne venise venice bologne bologna fribourg freiburg treves trier modene modena cadix cadiz douvres dover " +
	"sion montreux mons rhodes lagos durban")

// foreignPhrases are the names of several words.
var foreignPhrases = phraseSet("royaume uni|united kingdom|uk|pays bas|netherlands|etats unis|united states|new york|" +
	"cote d ivoire|ivory coast|emirats arabes unis|arabie saoudite|saudi arabia|afrique du sud|south africa|" +
	"nouvelle zelande|new zealand|hong kong|tel aviv|le caire|la haye|abu dhabi|los angeles|san francisco|la nouvelle orleans|" +
	"new orleans|rio de janeiro|sao paulo|buenos aires|mexico city|washington dc|ile maurice|l ile maurice|" +
	"saint domingue|porto rico|puerto rico|costa rica|sri lanka|burkina faso|pays de galles|cap vert")

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
	if slices.Contains(p.Places, placeAbroad) && readPlace(text).alsoAbroad {
		// « Argentine » again, or « j'habite à Argentine »: the name
		// tells no more than the first time.
		st.say(st.placeHelp(p))
		st.reshow()
		return
	}
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
	if pr := readPlace(text); pr.abroad || pr.decline {
		// « Canada », « au Québec » below Montréal's homonyms.
		st.s.Pending = nil
		st.place(text)
		return
	}
	m := st.msg()
	st.say(fmt.Sprintf(m.NotUnderstood, shorten(sanitizeLine(text), 60)))
	st.reshow()
}

// placeAbroad stands among the ids of a PendingPlace for « abroad »,
// offered beside French communes named after a place abroad.
const placeAbroad = "abroad"

// abroad records that the person lives outside France: no académie, also
// in place of one given before.
func (st *step) abroad() {
	st.s.Academie, st.s.Pending = "", nil
	st.say(st.msg().AcademieAbroad + st.earlierToo())
	st.afterOnboarding()
}

// placeHelp says how to answer the question about places p offers.
func (st *step) placeHelp(p *Pending) string {
	if slices.Contains(p.Places, placeAbroad) {
		return st.msg().PlaceAbroadHelp
	}
	return st.msg().PlaceHelp
}

// placePrompt asks which of several places the person meant.
func (st *step) placePrompt(ids []string) (Reply, []opt) {
	m := st.msg()
	text := m.PlaceWhich
	opts := make([]opt, 0, len(ids)+1)
	for _, id := range ids {
		if id == placeAbroad {
			text = m.PlaceOrAbroad
			opts = append(opts, opt{actPlace, id, m.PlaceAbroad})
		} else if p, ok := placeByID(id); ok {
			opts = append(opts, opt{actPlace, id, p.Label})
		}
	}
	opts = append(opts, opt{actSkip, "", m.Skip})
	return Reply{Text: text}, opts
}

// pickPlace records the place tapped among those offered.
func (st *step) pickPlace(p *Pending, id string) {
	for _, c := range p.Places {
		if c == id && id == placeAbroad {
			st.abroad()
			return
		}
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
	// The question about homonyms is answered, also on the way back from
	// a correction, which shows the prompt left behind.
	st.s.Academie, st.s.Pending = p.Academie, nil
	what := fmt.Sprintf(m.AcademieOf, elide(st.s.Lang, p.Academie))
	if st.s.Back != "" && p.Academie == st.academie {
		// A correction to the académie already given.
		st.say(fmt.Sprintf(m.AcademieSame, what))
		st.afterOnboarding()
		return
	}
	if !p.IsAcad {
		what = p.Label + ", " + what
	}
	st.say(fmt.Sprintf(m.AcademieOK, what) + st.earlierToo())
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

// Départements said the way people say them: « le 9-3 », « neuf trois »,
// « le 9.3 » (the Seine-Saint-Denis), « treize », « deux b ». digitWords
// and tensWords are the French number words they use.
var (
	digitWords = map[string]int{"zero": 0, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
		"huit": 8, "neuf": 9}
	teenWords = map[string]int{"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16}
	tensWords = map[string]int{"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
)

// spokenDepartement rewrites n, a place folded and its lead cut, as the
// département number it says digit by digit or in words; any other n is
// returned as it is.
func spokenDepartement(n string) string {
	words := strings.Fields(n)
	if len(words) > 1 && (words[0] == "le" || words[0] == "du") {
		words = words[1:]
	}
	digit := func(w string) (int, bool) {
		if len(w) == 1 && w[0] >= '0' && w[0] <= '9' {
			return int(w[0] - '0'), true
		}
		d, ok := digitWords[w]
		return d, ok
	}
	if len(words) == 2 {
		a, okA := digit(words[0])
		b, okB := digit(words[1])
		switch {
		case okA && okB:
			return strconv.Itoa(a) + strconv.Itoa(b)
		case okA && a == 2 && (words[1] == "a" || words[1] == "b"):
			return "2" + words[1] // Corsica
		}
	}
	if v, ok := frenchNumber(words); ok {
		return strconv.Itoa(v)
	}
	return n
}

// frenchNumber reads a number from 10 to 99 written in French words:
// « treize », « dix sept », « trente trois », « quatre vingt treize ».
func frenchNumber(words []string) (int, bool) {
	total, i := 0, 0
	next := func() string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	switch {
	case next() == "quatre" && len(words) > 1 && (words[1] == "vingt" || words[1] == "vingts"):
		total, i = 80, 2
	case tensWords[next()] > 0:
		total, i = tensWords[next()], 1
	}
	if total > 0 && next() == "et" {
		i++
	}
	if v, ok := teenWords[next()]; ok && (total == 0 || total == 60 || total == 80) {
		total, i = total+v, i+1
		if d, ok := digitWords[next()]; ok && v == 10 && d >= 7 {
			total, i = total+d, i+1 // « dix sept », « quatre vingt dix neuf »
		}
	} else if d, ok := digitWords[next()]; ok && total > 0 && d > 0 {
		total, i = total+d, i+1
	}
	return total, i == len(words) && total >= 10 && total <= 99
}

// hold keeps text typed at the académie when it is no place but a
// sentence, most likely an answer to the consultation: it is offered as
// the first question's answer once the académie is given or skipped. A
// sentence kept already (typed with the profile, or a first one at the
// menu) comes first, the new one after it. It reports whether it kept
// text.
func (st *step) hold(text string) bool {
	if st.s.ConsentAt.IsZero() || st.s.Back != "" || len(strings.Fields(text)) < minHeldWords {
		return false
	}
	switch prev := st.s.Held; {
	case prev == text || strings.HasSuffix(prev, "\n"+text):
		return true // read twice (the académie): kept once
	case prev != "":
		text = prev + "\n" + text
	}
	if utf8.RuneCountInString(text) > st.m.cfg.MaxText {
		return false
	}
	st.s.Held = text
	return true
}

// holdAtMenu keeps a sentence typed at the theme menu as hold does, and
// reports whether it did.
func (st *step) holdAtMenu(text string) bool { return st.hold(text) }

// menuWords are about the choice of a theme, not the subject: a sentence
// that holds one asks how to choose.
var menuWords = wordSet("theme themes choisir choisis choisit choix lequel laquelle lesquels difference differences " +
	"commencer commence topic topics choose which")

// aboutTheMenu reports a sentence typed at the menu that asks about it
// (« je ne sais pas lequel choisir », « c'est quoi la différence ? »)
// rather than says something about school.
func aboutTheMenu(text string) bool {
	return strings.Contains(text, "?") || slices.ContainsFunc(strings.Fields(normalize(text)), func(w string) bool { return menuWords[w] })
}

// minHeldWords is the fewest words of a sentence typed at the académie
// that is kept as an answer: a place is said in fewer.
const minHeldWords = 5

// heldElsewhere answers the choice of theme id, which has no question
// left to answer, while a sentence typed at the menu is kept: it is
// offered at another theme's first unanswered question, if the person
// wants, else given back in full above the theme's review.
func (st *step) heldElsewhere(id, held string) {
	s := &st.s
	s.Stage, s.Theme, s.Question, s.Reviewed = StageReview, id, st.m.q.Theme(id).Questions[0].ID, ""
	if st.heldTheme(id) == "" {
		st.heldNowhere(id, held)
		return
	}
	st.show(st.heldPrompt(held))
	st.setPending(&Pending{Kind: PendingHeld, Text: held})
}

// heldNowhere gives the sentence kept at the menu back in full, no
// question being left for it, and shows theme id's review.
func (st *step) heldNowhere(id string, held string) {
	s := &st.s
	s.Stage, s.Theme, s.Question, s.Reviewed = StageReview, id, st.m.q.Theme(id).Questions[0].ID, ""
	st.say(fmt.Sprintf(st.msg().HeldNowhere, held))
	st.showReview()
}

// heldPrompt asks where to offer held, the theme in sight having no
// question left to answer.
func (st *step) heldPrompt(held string) (Reply, []opt) {
	m := st.msg()
	id, other := st.s.Theme, st.heldTheme(st.s.Theme)
	n, o := st.m.q.themeIndex(id)+1, st.m.q.themeIndex(other)+1
	r := Reply{Text: fmt.Sprintf(m.HeldNoRoom, n, shorten(sanitizeLine(held), maxReviewLen), o, st.m.q.Theme(other).Title.In(st.s.Lang))}
	return r, []opt{{actHeldYes, "", fmt.Sprintf(m.HeldThere, o)}, {actHeldNo, "", fmt.Sprintf(m.HeldNot, n)}}
}

// heldTheme returns the theme after id, in order and around, whose first
// unanswered question takes text: where a sentence kept at the menu can
// be offered; "" when none has one.
func (st *step) heldTheme(id string) string {
	themes := st.m.q.Themes
	i := st.m.q.themeIndex(id)
	for k := 1; k < len(themes); k++ {
		th := themes[(i+k)%len(themes)].ID
		if q := st.firstUnanswered(th); q != "" && !st.m.q.Question(th, q).IsChoice() {
			return th
		}
	}
	return ""
}

// offerHeld shows the first question of theme id with the sentence kept
// at the académie below it, asking whether it is the answer (see
// Session.Held). It reports false, offering nothing, when that question
// takes no text.
func (st *step) offerHeld(id, held string) bool {
	q := st.firstUnanswered(id)
	if q == "" || st.m.q.Question(id, q).IsChoice() {
		return false
	}
	st.s.Stage, st.s.Theme, st.s.Question, st.s.Reviewed = StageQuestion, id, q, ""
	r, _ := st.questionPrompt()
	_, opts := st.checkPrompt(held)
	r.Text += "\n\n" + fmt.Sprintf(st.msg().HeldAsk, shorten(sanitizeLine(held), maxReviewLen))
	st.show(r, opts)
	st.setPending(&Pending{Kind: PendingCheck, Text: held, Held: true})
	return true
}
