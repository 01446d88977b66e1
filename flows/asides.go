package flows

import (
	"slices"
	"strconv"
	"strings"
)

// Asides: what people say at an open question in their own words that is
// not an answer. They leave (« faut que j'y aille là »), ask what a word
// of the question means (« qu'est-ce que vous appelez les services
// numériques ? »), ask for the question before (« attendez, je n'ai pas
// répondu à la question d'avant ») or another one by its number (« je
// reviens à la question 2 »), or shrug (« 🤷 »). Each is read by the same
// rule: a word or phrase that says it, and every other word one that goes
// with it. A single word about the subject (« écrans », « devoirs »,
// « parents », « formation ») keeps the message an answer: « mon fils doit
// partir tôt et n'a pas le temps de… » is one.

// onlyOf reports whether n holds one of cores (whole words) and only
// words of cores or glue, numbers (« 5 min », « 7h ») included, in at
// most max words.
func onlyOf(n string, cores []string, glue map[string]bool, max int) bool {
	words := strings.Fields(n)
	if len(words) == 0 || len(words) > max {
		return false
	}
	padded := " " + n + " "
	if !slices.ContainsFunc(cores, func(c string) bool { return strings.Contains(padded, " "+c+" ") }) {
		return false
	}
	for _, w := range words {
		if !glue[w] && strings.Trim(w, "0123456789h") != "" &&
			!slices.ContainsFunc(cores, func(c string) bool { return strings.Contains(" "+c+" ", " "+w+" ") }) {
			return false
		}
	}
	return true
}

// Leaving for now, said loosely: « jdois partir chercher les petits »,
// « pas le temps là je reviens + tard », « gotta go ». The pause button's
// own words are read with the options; these are the rest.
var (
	leaveCores = []string{"y aller", "yaller", "partir", "parte", "filer", "file", "reviens", "jreviens", "reviendrai",
		"repasse", "repasserai", "reprends", "reprendrai", "continue", "continuerai", "finirai", "finis", "termine",
		"terminerai", "plus tard", "tout a l heure", "ce soir", "demain", "pas le temps", "pas trop le temps",
		"pas dispo", "occupe", "occupee", "presse", "pressee", "vous laisse", "te laisse", "vous laisser",
		"te laisser", "m arrete", "a plus", "stop", "aille", "dois aller", "y vais", "bye",
		"gotta go", "got to go", "have to go", "need to go", "must go", "have to leave", "need to leave", "brb",
		"be right back", "back later", "be back", "come back", "later", "tonight", "tomorrow", "busy", "no time",
		"have to pick up", "gtg", "g2g", "ttyl",
		// A goodbye after thanks: « ok merci, au revoir », « merci bonne soirée ».
		"au revoir", "aurevoir", "a bientot", "a la prochaine", "bonne soiree", "bonne journee", "bonne nuit",
		"bonne fin de journee", "bonne fin de soiree", "bonne apres midi", "bon week end", "bonne soiree a vous",
		"ciao", "tchao", "salut", "goodbye", "good bye", "bye bye", "good night", "see you", "see ya", "cya",
		"have a good evening", "have a nice evening", "have a good day", "have a nice day"}
	leaveGlue = wordSet("je j jai ai jdois jsuis g dois doit faut il que ke qu y jy vais chercher recuperer les le la l des de du " +
		"a au aux mon ma mes fils fille petits petite petit enfants gosses bebe ecole creche nounou garderie travail " +
		"boulot bosser taf taff desole desolee dsl excusez excuse moi bon ben bah maintenant tout suite apres dans " +
		"min mn minutes minute heure heures une un c est bain repas pret prete diner manger bus train arrive rdv " +
		"rendez vous medecin courses peux pas suis trop matin week end pour aujourd hui bonne soiree journee nuit " +
		"urgence vite soir ce on va se alors voila oups mince zut ok bien bisous merci la a plus " +
		"i m ll im have has to go got need must leave now right sorry the my kids children son daughter pick up " +
		"school work for bit back soon see you will be talk this it finish few minutes in an hour off run " +
		"vous toi prochaine fin apres midi week thanks thank nice good evening day night a lot okay")
	// firstPerson are the words of someone speaking of themself; a
	// message about children leaving (« les petits doivent partir ») is
	// about the subject unless it has one.
	firstPerson = wordSet("je j jdois jsuis jreviens jy g chui chuis moi i m im ll")
	peopleWords = wordSet("petits petite petit enfants gosses bebe fils fille kids children son daughter")
)

// leavesNow reports a message that only says one is leaving for now.
func leavesNow(n string) bool {
	if !onlyOf(n, leaveCores, leaveGlue, 14) {
		return false
	}
	words := strings.Fields(n)
	return slices.ContainsFunc(words, func(w string) bool { return firstPerson[w] }) ||
		!slices.ContainsFunc(words, func(w string) bool { return peopleWords[w] })
}

// The question before, asked for in a sentence: « attendez je n'ai pas
// répondu à la question d'avant », « I skipped the previous question by
// mistake ».
var (
	previousRefs = []string{"question d avant", "question davant", "question precedente", "la precedente", "precedente",
		"celle d avant", "d avant", "derniere question", "reponse precedente", "previous question", "previous one",
		"last question", "one before", "question before", "previous answer", "answer before",
		// The one just skipped by a slip: « mince je voulais pas passer ».
		"voulais pas passer", "voulais pas sauter", "passe par erreur", "saute par erreur", "passe trop vite",
		"didn t mean to skip", "did not mean to skip", "skipped by mistake"}
	previousGlue = wordSet("jvoulais attendez attends attend wait hold on euh bah ben mince oups oops zut ah oh non je j jai ai n ne " +
		"pas repondu repondre a la le l celle oublie oublier saute sauter passe passer zappe zapper fini finir termine " +
		"voulais veux jveux voudrais voulu changer modifier corriger modif change edit ajouter rajouter quelque chose truc un completer ma mon reponse revoir revenir retourner retourne " +
		"reviens retour on sur par erreur sans faire expres appuye trop vite eu temps de y pu question avant d derniere " +
		"juste i didn t did not answer answered skipped skip missed miss by mistake to add something my want go " +
		"back the last one before previous sorry ve forgot forgotten")
)

// asksPrevious reports a message that only asks for the question before.
func asksPrevious(n string) bool { return onlyOf(n, previousRefs, previousGlue, 16) }

// Requests for the meaning of a few words of the question, beside those
// asksMeaning reads: « qu'est-ce que vous appelez X », « X ça veut dire
// quoi », « quels services ? ».
var (
	wordLeads = []string{"qu est ce que vous appelez", "kest ce que vous appelez", "qu est ce que tu appelles",
		"vous appelez quoi", "que voulez vous dire par", "que veux tu dire par", "que vous voulez dire par",
		"vous voulez dire quoi par", "tu veux dire quoi par", "qu entendez vous par", "vous entendez quoi par",
		"qu est ce que vous entendez par", "que signifie", "que signifient", "ca signifie quoi", "ca veut dire quoi",
		"ca veu dire koi", "ca veut dire koi", "sa veut dire quoi", "c est quoi exactement", "qu est ce que c est",
		"qu est ce que ca veut dire", "kesako", "kezako", "quesaco", "ca englobe quoi", "ca comprend quoi",
		"ca inclut quoi", "c est a dire", "expliquez moi", "explique moi", "what do you mean by", "what do you call",
		"what s meant by", "what is meant by", "what counts as", "define", "meaning of"}
	wordTails = []string{"c est quoi", "c quoi", "c koi", "cest quoi", "c est koi", "ca veut dire quoi",
		"ca veut dire koi", "ca veux dire quoi", "sa veut dire quoi", "ca veut dire quoi exactement",
		"ca veut dire quoi pour vous", "c est quoi exactement", "kesako", "kezako", "quesaco", "c est a dire",
		"vous voulez dire quoi", "ca signifie quoi", "what does that mean", "what does it mean", "what s that",
		"what is that", "means what"}
	// wordAsks need a question mark: « quels services ? ».
	wordAsks = []string{"quels", "quelles", "quel genre de", "quel type de", "vous parlez de quels",
		"vous parlez de quelles", "vous parlez de quoi", "what kind of"}
)

// asksWord reports a request for the meaning of at most five words.
func asksWord(raw, n string) bool {
	return framed(n, wordLeads, noFrame, 5) || framed(n, noFrame, wordTails, 5) ||
		strings.Contains(raw, "?") && framed(n, wordAsks, noFrame, 3) ||
		// « services numériques = ? »
		strings.HasSuffix(strings.TrimRight(raw, " ?"), "=") && framed(n, noFrame, noFrame, 5)
}

// puzzled are the emoji of someone who does not know what to say.
var puzzled = strings.NewReplacer("🤷", " ", "🤔", " ", "❓", " ", "❔", " ", "😕", " ", "🙁", " ", "😵", " ",
	"🧐", " ", "🤨", " ")

// shrugs reports a shrug or a puzzled face, alone or with a hesitation
// or an « I don't know »: « 🤷 », « euh 🤔 », « jsp 🤷 ».
func shrugs(raw string) bool {
	stripped := puzzled.Replace(raw)
	if stripped == raw {
		return false
	}
	n := normalize(stripped)
	return n == "" || hesitates(n) || dontKnow(n)
}

// Going to a question by its number, in a sentence: « je reviens à la
// question 2 en fait », « aller à la 2 », « go to question 2 ».
var (
	gotoLeads = []string{"attendez", "attends", "euh", "wait", "ok", "bon", "je veux", "je voudrais", "jveux",
		"j aimerais", "on peut", "i want to", "i d like to", "let me", "take me to", "can we"}
	gotoVerbs = []string{"je reviens a", "je reviens sur", "on revient a", "on revient sur", "revenir a", "revenir sur",
		"je retourne a", "on retourne a", "retourner a", "retour a", "retour", "aller a", "va a", "on va a",
		"je vais a", "revoir", "voir", "refaire", "reprendre a", "reprendre", "repondre a nouveau a", "repondre a",
		"go to", "go back to", "back to", "redo", "to"}
	gotoTails = []string{"en fait", "again", "svp", "stp", "please", "merci"}
	// questionRef may stand before the number: « la question n° 2 ».
	questionRef = wordSet("la l question n no numero")
)

// gotoNumber reads a request to go to question number k.
func gotoNumber(n string) (int, bool) {
	strip := func(list []string, suffix bool) bool {
		for _, l := range list {
			if suffix {
				if r, ok := strings.CutSuffix(n, " "+l); ok {
					n = r
					return true
				}
			} else if r, ok := strings.CutPrefix(n, l+" "); ok {
				n = r
				return true
			}
		}
		return false
	}
	for strip(gotoLeads, false) || strip(gotoTails, true) {
	}
	verb := strip(gotoVerbs, false)
	words := strings.Fields(n)
	named := slices.Contains(words, "question")
	if k := len(words); k > 1 && words[k-1] == "question" {
		words = words[:k-1] // « la deuxième question »
	}
	if !verb && !named {
		return 0, false // « 2 » at an open question is an answer
	}
	if len(words) == 1 && len(words[0]) > 1 && words[0][0] == 'q' {
		words[0] = words[0][1:] // « q2 »
	}
	if len(words) > 1 && words[0] == "q" {
		words = words[1:]
	}
	// Nothing but the question's number: « la question 2 », « la 2 ».
	if len(words) == 0 || len(words) > 4 || slices.ContainsFunc(words[:len(words)-1], func(w string) bool { return !questionRef[w] }) {
		return 0, false
	}
	return optionNumber(strings.Join(words, " "))
}

// Another theme asked for by its number, at a question: « je veux aller au
// thème 4 », « je préfère faire le thème 2 », « on passe au 3e thème »,
// « can we do theme 5 instead? ». Anything about the subject (« le thème
// 4 est le plus important ») is an answer.
var themeGlue = wordSet("je j jveux veux voudrais voudrait prefere prefererais aimerais faire aller passer passe passons " +
	"on va au aux a le la l les maintenant plutot directement d abord commencer commence continuer continue par " +
	"ok okay bon ben euh en fait finalement attends attendez peux peut pourrait pourrais est ce que voir ouvrir " +
	"sauter direct vers prendre prends choisis choisir je n no numero theme sur plutot " +
	"i d like want rather go to let s do switch move start with the now can we could instead please may")

// themeAsked reports the theme a message only asks to go to, by its
// number (« thème 4 », « 4e thème »).
func themeAsked(n string, q *Questionnaire) (string, bool) {
	words := strings.Fields(n)
	if len(words) < 2 || len(words) > 12 {
		return "", false
	}
	num, at := 0, -1
	for i, w := range words {
		if w != "theme" && w != "topic" {
			continue
		}
		// « thème 4 », « thème n° 4 », « 4e thème ».
		for _, j := range []int{i + 1, i + 2, i - 1} {
			if j < 0 || j >= len(words) || j == i+2 && words[i+1] != "n" && words[i+1] != "no" && words[i+1] != "numero" {
				continue
			}
			if v, ok := numberWords[words[j]]; ok {
				num, at = v, j
			} else if v, err := strconv.Atoi(words[j]); err == nil && len(words[j]) <= 2 {
				num, at = v, j
			} else {
				continue
			}
			break
		}
		if at >= 0 {
			break
		}
	}
	if at < 0 || num < 1 || num > len(q.Themes) {
		return "", false
	}
	for i, w := range words {
		if i != at && !themeGlue[w] && w != "topic" {
			return "", false
		}
	}
	return q.Themes[num-1].ID, true
}

// Questions about why the question asks about something: « what does
// furniture have to do with it? », « qu'est-ce que les meubles ont à voir
// avec ça ? », « quel rapport avec les meubles ? ». The help says the
// question in simpler words. A few words only are asked about, and the
// French « rapport » needs its question mark: « je ne vois pas le
// rapport avec la réussite des élèves » says something.
var (
	relevanceLeads = []string{"what does", "what do", "what has", "what have", "what s", "what is", "how does", "how do"}
	relevanceTails = []string{"have to do with it", "have to do with this", "have to do with that", "has to do with it",
		"got to do with it", "got to do with this", "got to do with that", "to do with it", "to do with this",
		"to do with anything", "have to do with anything", "have to do with the question", "to do with the question",
		"relate to the question", "relate to this", "fit in", "fit in here"}
	relevanceFR = []string{"a voir avec ca", "ont a voir avec ca", "a voir la dedans", "ont a voir la dedans",
		"a voir avec la question", "ont a voir avec la question", "vient faire la dedans", "viennent faire la dedans",
		"vient faire ici", "viennent faire ici"}
	relevanceFRLeads = []string{"qu est ce que", "qu est ce qu", "pourquoi", "en quoi"}
	rapportLeads     = []string{"quel rapport avec", "quel est le rapport avec", "c est quoi le rapport avec",
		"je vois pas le rapport avec", "je ne vois pas le rapport avec", "le rapport avec", "rapport avec"}
)

// asksRelevance reports a question about why the question asks about a
// few words of it.
func asksRelevance(raw, n string) bool {
	return framed(n, relevanceLeads, relevanceTails, 4) || framed(n, relevanceFRLeads, relevanceFR, 4) ||
		strings.Contains(raw, "?") && framed(n, rapportLeads, noFrame, 4)
}

// noFrame is a frame's side with nothing on it (see framed).
var noFrame = []string{""}

// framed reports whether n is one of leads, then 1 to max words, then one
// of tails, each lead and tail a whole word or words; an empty lead or
// tail stands for none.
func framed(n string, leads, tails []string, max int) bool {
	for _, l := range leads {
		rest, ok := n, true
		if l != "" {
			rest, ok = strings.CutPrefix(n, l+" ")
		}
		if !ok {
			continue
		}
		for _, t := range tails {
			mid, ok := rest, true
			if t != "" {
				mid, ok = strings.CutSuffix(rest, " "+t)
			}
			if k := len(strings.Fields(mid)); ok && k >= 1 && k <= max {
				return true
			}
		}
	}
	return false
}
