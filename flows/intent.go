package flows

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"consultbot/internal/fold"
)

// What a typed message means at the current prompt. People type rather
// than tap, in their own words, with typos and without accents: every
// prompt reads a message against its own options first (by number where
// the options are the answer, by label, by the usual words for them), then
// against the commands typed without their slash, requests for help and
// greetings. Only at an open question does what is left become an answer,
// and a message that is only a yes, a no or an emoji is checked first.

// readingKind says what a typed message was read as.
type readingKind int

const (
	readAnswer      readingKind = iota // a contribution, stored at once
	readCheck                          // only yes/no/ok or emoji: asked before storing
	readOption                         // one of the current prompt's options
	readCommand                        // a command typed without its slash
	readHelp                           // a request for help about the current prompt
	readGreeting                       // hello, I am back
	readLeave                          // bye, I stop here, where no pause is offered
	readUnclear                        // at a prompt of options only: none matched
	readSeveral                        // several profiles at once: opts, none for « les deux »
	readAbout                          // a question about the consultation itself: topic
	readNoBack                         // « retour » where there is nothing to go back to
	readNoOption                       // at a prompt of options only: a number no option has (« 0 », « -1 », « 99 »)
	readOneAtATime                     // at a prompt of options only: several numbers (« 2 et 3 »): opts
	readThanks                         // at a prompt of options only: only thanks
	readAnyTheme                       // at the menu: any theme will do (« peu importe », « dans l'ordre »)
	readHowTo                          // a question about a command with an effect (« je peux effacer mes données ? »): topic
	readChange                         // a correction of the profile or the académie: topic, opt (the profile) or place
	readOtherNumber                    // at a prompt of options only: a number of something else (« on passe au thème 2 » at the profile)
	readWord                           // what a word of the bot's own means (« c'est quoi une académie ? »): topic
	readKin                            // at the profile prompt, family who are not the parents (« sa grand-mère »): opts, parent and other
	readTheme                          // what a theme is about (« c'est quoi le thème 3 ? »): topic, its id, "" for the one in sight
)

// backWords ask for the step before, where no button offers it.
var backWords = wordSet("retour revenir precedent precedente retourner back previous")

// reading is what a typed message means at the current prompt.
type reading struct {
	kind readingKind
	opt  opt   // readOption
	cmd  Event // readCommand
	// opts are the profiles named (readSeveral) or the options numbered
	// (readOneAtATime); topic is what is asked (readAbout: aboutAnonymous…).
	opts  []opt
	topic string // readCommand: the words typed
	// place is the place a correction of the académie names (« en fait
	// je suis à Bordeaux »), "" when it names none (« changer
	// d'académie »).
	place string
}

// readText reads text at a prompt offering opts. open says the prompt
// also takes free text (an open question, its edit, the académie): there
// bare numbers are answers, not option numbers.
func readText(text string, opts []opt, open bool, q *Questionnaire) reading {
	rd := readOne(text, "", opts, open, q)
	if rd.kind != readAnswer && rd.kind != readCheck && rd.kind != readUnclear && rd.kind != readOtherNumber ||
		utf8.RuneCountInString(text) > 2*maxIntentLen {
		return rd
	}
	// « bonjour, je reviens », « laisse tomber, je garde ma réponse »: a
	// message of several clauses reads as one thing when each of them does
	// (greetings go with anything).
	clauses := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",;.!?…\n", r) })
	if len(clauses) < 2 {
		return rd
	}
	if !open && rd.kind == readUnclear {
		// « Bonjour, c'est ma petite-fille qui m'a dit de venir. C'est
		// quoi exactement ? »: what comes before the question only says
		// why it is asked.
		if r := readOne(clauses[len(clauses)-1], "", opts, open, q); r.kind == readWord || r.kind == readAbout {
			return r
		}
	}
	var joint *reading
	for _, c := range clauses {
		key := readingKey(c)
		if normalizeKey(key) == "" {
			continue
		}
		r := readOne(c, key, opts, open, q)
		switch {
		case r.kind == readGreeting:
			continue
		case r.kind == readOtherNumber && rd.kind == readOtherNumber:
			// « je suis parent, je veux aller au thème 1 »: the profile
			// is given; the theme comes in its turn.
			continue
		case r.kind == readAnswer || r.kind == readUnclear:
			return rd
		case joint == nil:
			joint = &r
		case !reflect.DeepEqual(*joint, r):
			return rd
		}
	}
	if joint == nil {
		if rd.kind == readOtherNumber {
			return rd
		}
		return reading{kind: readGreeting}
	}
	return *joint
}

// maxIntentLen bounds what may read as something other than an answer:
// options, commands, help and greetings are said in a few words, and a
// longer message is read at no cost.
const maxIntentLen = 120

// readOne reads one message or clause. key is its readingKey, or "" to
// have it folded here, once it is short enough to be read: a message is
// folded once for all the readings below.
func readOne(text, key string, opts []opt, open bool, q *Questionnaire) reading {
	if len(text) > maxIntentLen*4 || utf8.RuneCountInString(text) > maxIntentLen {
		if open {
			return reading{kind: readAnswer}
		}
		return reading{kind: readUnclear}
	}
	if key == "" {
		key = readingKey(text)
	}
	n := normalizeKey(key)
	if id, ok := themeAboutAsked(n, open, q); ok {
		// Before the words and the options: « c'est quoi ce thème ? »
		// is about this theme, not the word; « c quoi la gouvernance »
		// at the menu opens nothing yet.
		return reading{kind: readTheme, topic: id}
	}
	if t, ok := wordAsked(n, open); ok {
		// Before the options and the help: « c'est quoi un thème ? » at
		// the menu opens no theme, and is answered in one line.
		return reading{kind: readWord, topic: t}
	}
	if t, ok := howTo(text, n); ok {
		// Before the options: « est-ce que j'accepte quelque chose ? »
		// neither accepts nor refuses, « je peux effacer mes données ? »
		// erases nothing.
		return reading{kind: readHowTo, topic: t}
	}
	if t, ok := aboutTopic(n); ok && t == aboutHere {
		// « y a quelqu'un ? », « hello? is anyone there »: whether
		// anyone answers, not who reads the answers.
		return reading{kind: readAbout, topic: t}
	}
	if i := slices.IndexFunc(opts, func(o opt) bool { return o.action == actMenu }); i >= 0 && menuAsked(n) {
		// « je veux retourner au menu » where a button goes there (the
		// review): that button, not how to go back.
		return reading{kind: readOption, opt: opts[i]}
	}
	if rd, ok := processQuestion(text, n, true); ok {
		// Before the options: « on peut revenir en arrière ? » explains
		// the way back rather than taking it.
		return rd
	}
	if rd, ok := correction(text, n, q); ok {
		// Before the numbers: « oups, j'habite dans le 93 ».
		return rd
	}
	if !open {
		// « -1 » folds to « 1 »: a sign makes it no option number.
		if signedNumber(text) {
			return reading{kind: readNoOption}
		}
		if otherNumber(n, opts) {
			// « on passe au thème 2 » at the profile: the 2 is a
			// theme's, not the second profile.
			return reading{kind: readOtherNumber}
		}
		// « le 2 et le 3 » before « je veux le 3 », which ends the same way.
		if nums, ok := optionNumbers(n); ok {
			var named []opt
			for _, i := range nums {
				if i < 1 || i > len(opts) {
					return reading{kind: readNoOption}
				}
				named = append(named, opts[i-1])
			}
			if len(named) == 1 {
				return reading{kind: readOption, opt: named[0]}
			}
			if named[0].action == actProfile {
				// « 1 et 3 »: a parent who teaches, as when both are named.
				return reading{kind: readSeveral, opts: named}
			}
			return reading{kind: readOneAtATime, opts: named}
		}
		if i, ok := optionNumber(n); ok {
			if i >= 1 && i <= len(opts) {
				return reading{kind: readOption, opt: opts[i-1]}
			}
			return reading{kind: readNoOption}
		}
	}
	if !open && thanksWords[key] {
		// Only thanks: read before the labels, where « merci » would
		// match « Non merci », and before normalize drops it as a filler.
		// A thank-you decides nothing for the person.
		return reading{kind: readThanks}
	}
	if o, ok := yesNo(n, opts); ok {
		return reading{kind: readOption, opt: o}
	}
	if i := slices.IndexFunc(opts, func(o opt) bool { return o.action == actConfirm }); i >= 0 && approves(n) {
		// « ok », « parfait », « ça me va » at the review, as below
		// the recap.
		return reading{kind: readOption, opt: opts[i]}
	}
	if o, ok := matchOption(n, opts, open, q); ok {
		return reading{kind: readOption, opt: o}
	}
	if !open {
		if o, ok := matchOption(labelKey(text), opts, open, q); ok {
			return reading{kind: readOption, opt: o}
		}
	}
	if ev, ok := typedCommand(n); ok {
		return reading{kind: readCommand, cmd: ev, topic: n}
	}
	if t, ok := aboutTopic(n); ok {
		return reading{kind: readAbout, topic: t}
	}
	if isHelp(text, n) {
		return reading{kind: readHelp}
	}
	if backWords[n] {
		// « retour » where no button goes back: from the review, the
		// menu; before it, nowhere (it would otherwise read as « I am
		// back », a greeting).
		for _, o := range opts {
			if o.action == actMenu {
				return reading{kind: readOption, opt: o}
			}
		}
		return reading{kind: readNoBack}
	}
	if isGreeting(n) {
		return reading{kind: readGreeting}
	}
	if doneWords[n] {
		// « j'ai fini », « c'est tout »: no answer, but the pause where
		// it is offered, a goodbye elsewhere.
		for _, o := range opts {
			if o.action == actPause {
				return reading{kind: readOption, opt: o}
			}
		}
		return reading{kind: readLeave}
	}
	if isLeaving(n) {
		// The words of the pause button, where it is not offered.
		return reading{kind: readLeave}
	}
	if asksPrevious(n) {
		// « attendez, je n'ai pas répondu à la question d'avant ».
		for _, o := range opts {
			if o.action == actBack {
				return reading{kind: readOption, opt: o}
			}
		}
	}
	if leavesNow(n) {
		// « faut que j'y aille là »: the pause where it is offered, a
		// goodbye elsewhere.
		for _, o := range opts {
			if o.action == actPause {
				return reading{kind: readOption, opt: o}
			}
		}
		return reading{kind: readLeave}
	}
	if rd, ok := processQuestion(text, n, false); ok {
		// « je veux effacer ma réponse »: a request about the
		// conversation that no option or command carries out.
		return rd
	}
	if !open {
		if named, ok := severalProfiles(n, opts, q); ok && len(named) == 1 {
			return reading{kind: readOption, opt: named[0]}
		} else if ok {
			return reading{kind: readSeveral, opts: named}
		}
		if choices, ok := kinProfiles(n, opts); ok {
			return reading{kind: readKin, opts: choices}
		}
		if o, ok := labelWords(n, opts, q); ok {
			return reading{kind: readOption, opt: o}
		}
		if o, ok := keyword(n, opts, q); ok {
			return reading{kind: readOption, opt: o}
		}
		if len(opts) > 0 && opts[0].action == actTheme && lastTheme[n] {
			// « le dernier thème »: the last one offered.
			return reading{kind: readOption, opt: opts[len(opts)-1]}
		}
		if len(opts) > 0 && opts[0].action == actTheme && anyThemeSaid(n) {
			return reading{kind: readAnyTheme}
		}
		return reading{kind: readUnclear}
	}
	if needsCheck(n) || thanksWords[key] {
		// « merci beaucoup », whose « merci » normalize drops, too.
		return reading{kind: readCheck}
	}
	return reading{kind: readAnswer}
}

// emojiWords reads the emoji people use for yes, no and thanks, and the
// signs people type for a word.
var emojiWords = strings.NewReplacer(
	"👍", " ok ", "👌", " ok ", "✅", " ok ", "🆗", " ok ", "✔", " ok ", "☑", " ok ",
	"👎", " non ", "❌", " non ", "🚫", " non ", "✖", " non ",
	"🙏", " merci ", "🙂", " ", "😊", " ", "😀", " ", "😉", " ",
	// « a+ », « je reviens + tard »: the plus said as a word.
	"+", " plus ",
)

// fillers are words of politeness or hesitation that change nothing to
// what a short message means, at its start or end.
var fillers = map[string]bool{
	"merci": true, "merci beaucoup": true, "svp": true, "stp": true, "s il vous plait": true,
	"s il te plait": true, "sil vous plait": true, "sil te plait": true, "please": true, "pls": true,
	"plz": true, "thanks": true, "thank you": true, "thx": true, "mrc": true, "mci": true, "euh": true,
	"heu": true, "bah": true, "ben": true, "alors": true, "eh bien": true, "et bien": true,
	"hmm": true, "hum": true, "madame": true, "monsieur": true, "ah": true, "oh": true, "well": true,
	"um": true, "uh": true, "so": true,
}

// normalize folds text for reading: lowercase, no accents, emoji read as
// words, punctuation and spaces folded to single spaces, politeness and
// hesitation words dropped at either end.
func normalize(text string) string { return normalizeKey(readingKey(text)) }

// readingKey folds text as normalize does before it drops any word:
// lowercase, no accents, emoji read as words, punctuation and spaces
// folded to single spaces. Thanks are looked up by it, before the
// politeness words go.
func readingKey(text string) string { return foldKey(emojiWords.Replace(text)) }

// normalizeKey is normalize of a text whose readingKey is key.
func normalizeKey(key string) string {
	words := strings.Fields(key)
	for i, w := range words {
		words[i] = unstretched(w)
	}
	if slices.ContainsFunc(words, func(w string) bool { return smsSplit[w] != "" }) {
		var split []string
		for _, w := range words {
			if s := smsSplit[w]; s != "" {
				split = append(split, strings.Fields(s)...)
			} else {
				split = append(split, w)
			}
		}
		words = split
	}
	for changed := true; changed && len(words) > 1; {
		changed = false
		for _, k := range []int{3, 2, 1} {
			if len(words) > k && fillers[strings.Join(words[:k], " ")] {
				words, changed = words[k:], true
				break
			}
			if len(words) > k && fillers[strings.Join(words[len(words)-k:], " ")] {
				words, changed = words[:len(words)-k], true
				break
			}
		}
	}
	return strings.Join(words, " ")
}

// unstretched undoes the last letter of a yes or a no typed several
// times for emphasis: « ouiii », « okkk », « nonnn », « yesss ». Other
// words are left as typed (« pass » is no « pas »).
func unstretched(w string) string {
	u := w
	for len(u) > 2 && u[len(u)-1] == u[len(u)-2] {
		u = u[:len(u)-1]
	}
	if u != w && stretchable[u] {
		return u
	}
	return w
}

// smsSplit are the words of a text message that run two together and
// that the readings know only apart: « jpeux » is « je peux »; and its
// short words for a longer one: « cmb » is « combien ».
var smsSplit = map[string]string{"jpeux": "je peux", "jpourrais": "je pourrais", "jvoudrais": "je voudrais", "cmb": "combien"}

// stretchable are the yes and no people stretch.
var stretchable = wordSet("oui ouais ok okay ui wi non nan nn yes yep yeah no nope")

// numberWords reads numbers written out, French and English, cardinal and
// ordinal.
var numberWords = map[string]int{
	"un": 1, "une": 1, "premier": 1, "premiere": 1, "1er": 1, "1ere": 1, "one": 1, "first": 1, "1st": 1,
	"deux": 2, "deuxieme": 2, "second": 2, "seconde": 2, "2e": 2, "2eme": 2, "two": 2, "2nd": 2,
	"trois": 3, "troisieme": 3, "3e": 3, "3eme": 3, "three": 3, "third": 3, "3rd": 3,
	"quatre": 4, "quatrieme": 4, "4e": 4, "4eme": 4, "four": 4, "fourth": 4, "4th": 4,
	"cinq": 5, "cinquieme": 5, "5e": 5, "5eme": 5, "five": 5, "fifth": 5, "5th": 5,
	"six": 6, "sixieme": 6, "6e": 6, "6eme": 6, "sixth": 6, "6th": 6,
	"sept": 7, "septieme": 7, "7e": 7, "7eme": 7, "seven": 7, "seventh": 7, "7th": 7,
	"huit": 8, "huitieme": 8, "8e": 8, "8eme": 8, "eight": 8, "eighth": 8, "8th": 8,
	"neuf": 9, "neuvieme": 9, "9e": 9, "9eme": 9, "nine": 9, "ninth": 9, "9th": 9,
	"dix": 10, "dixieme": 10, "10e": 10, "10eme": 10, "ten": 10, "tenth": 10, "10th": 10,
}

// numberLead are the words that may stand before an option's number:
// « le 2 », « thème 2 », « n° 2 », « modifier 3 », « option 1 ».
var numberLead = map[string]bool{
	"le": true, "la": true, "l": true, "n": true, "no": true, "num": true, "numero": true, "nr": true,
	"theme": true, "themes": true, "option": true, "choix": true, "reponse": true, "question": true,
	"modifier": true, "changer": true, "corriger": true, "modif": true, "je": true, "prends": true,
	"choisis": true, "veux": true, "the": true, "number": true, "choice": true, "theme n": true,
	"edit": true, "change": true, "answer": true, "c": true, "est": true, "ma": true, "mon": true,
	"profil": true, "profile": true,
}

// optionNumber reads « 2 », « 2. », « n°2 », « thème 2 », « le deuxième ».
func optionNumber(n string) (int, bool) {
	words := strings.Fields(n)
	if len(words) > 1 && (words[len(words)-1] == "one" || words[len(words)-1] == "svp") {
		words = words[:len(words)-1]
	}
	// « premier thème », « le 2e choix ».
	if k := len(words); k > 1 && (words[k-1] == "theme" || words[k-1] == "choix" || words[k-1] == "option") {
		words = words[:k-1]
	}
	// « je veux faire le thème 4 », « je veux changer ma réponse 4 »: a
	// number at the end, right after a word that introduces it.
	if k := len(words); k > 2 && k <= 7 && numberLead[words[k-2]] {
		words = words[k-1:]
	}
	for len(words) > 1 && numberLead[words[0]] {
		words = words[1:]
	}
	if len(words) != 1 {
		return 0, false
	}
	w := words[0]
	if v, ok := numberWords[w]; ok {
		return v, true
	}
	if len(w) > 3 {
		return 0, false
	}
	v, err := strconv.Atoi(w)
	// « 02 » is 2, as a list numbered 01, 02… reads.
	if err != nil || strconv.Itoa(v) != strings.TrimLeft(w, "0") && w != strings.Repeat("0", len(w)) {
		return 0, false
	}
	return v, true
}

// numberNouns are the nouns a number may belong to, with the actions of
// the options they number: « thème 2 » numbers themes, « question 3 »
// and « réponse 3 » the answers of a review, « étape 2 » nothing offered.
var numberNouns = map[string][]string{
	"theme": {actTheme}, "themes": {actTheme}, "topic": {actTheme},
	"question": {actEdit}, "questions": {actEdit}, "reponse": {actEdit}, "reponses": {actEdit}, "answer": {actEdit},
	"etape": nil, "etapes": nil, "partie": nil, "page": nil, "chapitre": nil, "section": nil, "step": nil, "part": nil,
	"profil": {actProfile}, "profile": {actProfile},
}

// otherNumber reports a number that belongs to a noun whose things are
// not the options offered (« je veux aller au thème 2 » at the profile,
// « la question 3 » at the menu): it picks none of them.
func otherNumber(n string, opts []opt) bool {
	words := strings.Fields(n)
	for i, w := range words[:max(0, len(words)-1)] {
		actions, ok := numberNouns[w]
		if !ok {
			continue
		}
		next := words[i+1]
		if (next == "n" || next == "no" || next == "numero") && i+2 < len(words) {
			next = words[i+2]
		}
		if _, isNum := optionNumber(next); !isNum {
			continue
		}
		if !slices.ContainsFunc(opts, func(o opt) bool { return slices.Contains(actions, o.action) }) {
			return true
		}
	}
	return false
}

// signedRE matches a number with a minus sign before it: « -1 », « − 2 ».
var signedRE = regexp.MustCompile(`^\s*[-−–—]\s*[0-9]`)

// signedNumber reports a message that starts with a negative number,
// which folding would read as the positive one.
func signedNumber(text string) bool { return signedRE.MatchString(text) }

// numbersJoin may stand between or before the numbers of several options:
// « 2 et 3 », « le 1 ou le 2 », « thèmes 1, 2 puis 4 ».
var numbersJoin = wordSet("et ou puis plus and or then les le la l themes theme n no numero numeros options option choix")

// optionNumbers reads several option numbers in one message: « 2 et 3 »,
// « 1,2 », « 3-4 », « le 1 et le 2 », distinct and in the order typed.
// It reports false unless there are at least two numbers and nothing else
// but the words that join them.
func optionNumbers(n string) ([]int, bool) {
	var out []int
	count := 0
	for _, w := range strings.Fields(n) {
		if numbersJoin[w] {
			continue
		}
		v, ok := optionNumber(w)
		if !ok {
			return nil, false
		}
		count++
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, count >= 2
}

// Words that answer a yes/no confirmation.
var (
	yesWords = []string{
		"oui", "ouais", "ouai", "ouaip", "oue", "ui", "wi", "ok", "okay", "oki", "okey", "dac", "d accord", "daccord",
		"accord", "j accepte", "jaccepte", "accepte", "accepter", "j accepte tout", "oui j accepte", "bien sur oui",
		"volontiers", "parfait", "tres bien", "oui oui", "carrement", "vas y", "allez", "c est parti",
		"je veux bien", "oui je veux bien", "exact", "exactement", "tout a fait", "absolument", "confirme",
		"je confirme", "yes", "yep", "yeah", "yea", "sure", "of course", "i agree", "agree", "go",
		"go ahead", "sounds good", "fine", "fine by me", "that s fine", "alright", "all right", "let s go", "lets go", "ok let s go",
	}
	noWords = []string{
		"non", "nan", "nn", "no", "nope", "pas d accord", "je refuse", "refuse", "refuser", "refus",
		"non merci", "jamais", "surtout pas", "non non", "pas question", "hors de question", "i refuse",
		"no thanks", "don t", "dont", "nah", "no way", "no thank you", "not interested", "i decline", "i don t agree",
	}
)

// actionWords are the usual words for each button action, beside its
// label, in French and English.
var actionWords = map[string][]string{
	actYes:  yesWords,
	actNo:   noWords,
	actMore: {"en savoir plus", "savoir plus", "plus d infos", "plus d info", "plus d informations", "infos", "info", "informations", "details", "detail", "lire", "lire plus", "la suite", "more", "tell me more", "more info", "learn more", "read more", "details please"},
	actSkip: {"passer", "passe", "je passe", "on passe", "pass", "passez", "suivant", "suivante", "question suivante", "la suivante",
		"sans avis", "pas d avis", "aucun avis", "je n ai pas d avis", "j ai pas d avis", "joker", "skip", "next", "next question", "skip it", "ignorer", "sauter", "je saute", "pas de reponse", "sans reponse",
		"je prefere pas repondre", "je prefere ne pas repondre", "je ne veux pas repondre", "je veux pas repondre", "pas envie de repondre",
		"pas de commentaire", "no comment", "i d rather not answer", "i d rather not", "rather not", "je prefere pas", "je prefere ne pas", "rather not say", "prefer not to say", "i prefer not to answer", "question d apres",
		"je passe a la suivante", "passe a la suivante", "on passe a la suivante", "je passe a la question suivante", "au suivant",
		"suivante svp", "je passe celle ci", "je passe cette question", "on passe", "je passe mon tour", "next one",
		"sauter celle la", "sauter celle ci", "sauter cette question", "sauter la question", "passer celle la", "passer celle ci",
		"passer cette question", "passer la question", "je saute celle la", "je saute celle ci", "je saute cette question",
		"on saute", "on saute celle la", "on saute cette question", "passer a la suivante", "aller a la suivante",
		"skip this one", "skip this question", "skip that one", "move on", "next please"},
	actBack: {"retour", "revenir", "precedent", "precedente", "question precedente", "la precedente", "revenir en arriere",
		"en arriere", "retourner", "back", "go back", "previous", "previous question", "annuler", "annule", "cancel",
		"question d avant", "la question d avant", "revenir a la question d avant", "revenir a la question precedente",
		"ne rien changer", "garder", "garder l ancienne", "je garde l ancienne", "je garde", "je garde ma reponse", "laisser",
		"laisse", "laisse tomber", "laisser tomber", "laisser comme ca", "laisse comme ca", "laisse comme c etait", "on laisse", "keep", "keep it as it was",
		"on revient en arriere", "on revient a la question precedente", "on revient a la precedente", "revenir a la precedente",
		"retour a la question precedente", "retour a la question d avant", "retourner a la question precedente", "la question davant",
		"previous one", "the previous question", "go back to the previous question"},
	actPause: {"continuer plus tard", "plus tard", "a plus tard", "pause", "stop", "je continue plus tard", "je reviendrai",
		"je reviens plus tard", "je dois partir", "je dois y aller",
		"faut que j y aille", "il faut que j y aille", "faut que je parte", "il faut que je parte", "je dois filer", "je file", "j arrete", "arreter", "on arrete", "a plus", "a plus tard merci",
		"je finirai plus tard", "je finis plus tard", "je continuerai plus tard", "je continuerai demain", "je finirai demain", "demain",
		"je reprendrai plus tard", "je reprendrai demain", "pas le temps", "pas le temps maintenant", "je n ai pas le temps",
		"bye", "au revoir", "a bientot", "a demain", "later", "continue later", "i ll continue later", "see you", "goodbye", "i have to go",
		"quitter", "je quitte", "on quitte", "sortir", "je sors", "fin", "fin pour aujourd hui", "je m en vais", "j y vais", "ciao", "tchao",
		"bonne nuit", "je m arrete la", "on s arrete la", "j arrete la", "arret", "quit", "exit", "i m done for now", "i have to leave",
		"je reprendrai ce soir", "je finirai ce soir", "je continuerai ce soir", "je reviendrai ce soir", "je reviens ce soir",
		"je reviens demain", "je reviendrai demain", "je reviendrai", "pas le temps la", "je n ai pas le temps la", "j ai pas le temps",
		"j ai pas le temps la", "jai pas le temps", "pas maintenant", "je finis ce soir", "je termine plus tard", "je terminerai plus tard",
		"later please", "not now", "i ll finish later", "i ll finish tomorrow", "i ll come back later", "i ll be back"},
	actResume: {"reprendre", "je reprends", "continuer", "on continue", "on reprend", "je continue", "c est reparti",
		"resume", "continue", "go on", "let s go", "lets go", "let s continue", "on y va", "je veux finir", "je veux finir mes reponses",
		"je veux continuer", "finir mes reponses"},
	actConfirm: append(strings.Split(validatePhrases, "|"), "terminer", "termine", "fini", "j ai fini", "c est fini", "done"),
	actReview: {"modifier mes reponses", "modifier", "corriger mes reponses", "revoir mes reponses", "relire mes reponses",
		"change my answers", "edit my answers", "review my answers"},
	actMenu:  {"menu", "le menu", "retour au menu", "aller au menu", "themes", "les themes", "autre theme", "changer de theme", "main menu", "back to menu", "menu please"},
	actErase: append([]string{"tout effacer", "effacer", "effacer tout", "oui effacer", "oui tout effacer", "supprimer", "supprimer tout", "erase", "erase everything", "delete"}, yesWords...),
	actKeep:  append([]string{"garder", "non garder", "annuler", "ne rien effacer", "keep", "cancel", "keep everything"}, noWords...),
	actRemove: {"supprimer", "supprime", "supprime ma reponse", "supprime ce que j ai ecrit", "supprimer ce que j ai ecrit", "efface", "efface ma reponse",
		"efface ce que j ai ecrit", "retire ma reponse", "retire", "supprimer ma reponse", "supprimer la reponse", "supprimer cette reponse", "effacer ma reponse", "effacer la reponse", "effacer cette reponse", "enlever", "enlever ma reponse", "retirer", "retirer ma reponse", "vider", "delete my answer", "remove", "remove my answer", "remove answer", "delete answer"},
	actStore:   append([]string{"c est ma reponse", "oui c est ma reponse", "c est bien ma reponse", "enregistrer", "enregistrez", "garder", "gardez", "c est ca", "voila", "that s my answer", "keep it", "save", "save it", "c ma reponse", "oui c ma reponse"}, yesWords...),
	actRetype:  append([]string{"reecrire", "je reecris", "je vais reecrire", "corriger", "je corrige", "retype", "rewrite", "i ll rewrite", "je me suis trompe", "je me suis trompee", "erreur", "oups"}, noWords...),
	actLangYes: append([]string{"english", "anglais", "in english", "en anglais", "francais", "en francais", "french", "in french"}, yesWords...),
	actHeldYes: append([]string{"oui au theme", "autre theme", "l autre theme", "proposez le", "propose le", "yes in theme"}, yesWords...),
	actHeldNo:  append([]string{"ne pas le garder", "ne le gardez pas", "voir le theme", "laisse tomber", "show the theme", "drop it"}, noWords...),
	actLangNo:  append([]string{"rester", "rester en francais", "garder le francais", "stay", "stay in english", "keep english", "keep french"}, noWords...),
	actRemindYes: append([]string{"rappelez moi", "oui rappelez moi", "oui un rappel", "un rappel", "oui rappel", "remind me", "yes remind me",
		"oui volontiers", "je veux bien un rappel"}, yesWords...),
	actAppend: {"completer", "completer ma reponse", "je veux completer", "je voudrais completer", "ajouter", "rajouter",
		"ajouter a ma reponse", "ajouter quelque chose", "rajouter quelque chose", "je veux ajouter", "je voudrais ajouter",
		"je veux rajouter quelque chose", "compléter", "a la suite", "mettre a la suite", "add", "add to it", "add to my answer",
		"append", "add something", "complete"},
	actReplace:  {"remplacer", "remplace", "remplacez", "remplacer ma reponse", "a la place", "replace", "replace it", "replace my answer", "instead"},
	actRmPrev:   append([]string{"supprimer", "oui supprimer", "oui la supprimer", "la supprimer", "effacer", "oui effacer", "remove it", "yes remove it", "delete it"}, yesWords...),
	actKeepPrev: append([]string{"garder", "la garder", "non la garder", "je la garde", "keep", "keep it", "no keep it"}, noWords...),
	actRemindNo: append([]string{"pas de rappel", "non pas de rappel", "sans rappel", "no reminder", "no reminders", "non merci pas de rappel"}, noWords...),
	actRemindStop: {"ne plus recevoir de rappels", "ne plus recevoir", "plus de rappels", "stop", "stop rappels", "arreter les rappels",
		"desabonner", "me desabonner", "unsubscribe", "no more reminders", "stop reminders"},
}

// profileWords are the usual ways to say who one is, by profile id: the
// jobs of a school each under the option that fits (a CPE, an AED or an
// AESH are school staff, not teachers; a professeur documentaliste is a
// teacher), and the family that has the child in its care under parent.
var profileWords = map[string][]string{
	"parent": {"parent", "parents", "maman", "papa", "mum", "mummy", "daddy", "mere", "pere", "mere de famille", "pere de famille",
		"un parent", "parent d eleve", "parent d eleves", "mom", "dad", "mother", "father", "mere d eleve", "pere d eleve",
		"maman d eleve", "papa d eleve", "tuteur", "tutrice", "tuteur legal", "tutrice legale", "responsable legal", "responsable legale",
		"beau pere", "belle mere", "beau parent", "beau papa", "belle maman", "famille d accueil", "mere d accueil", "pere d accueil",
		"assistant familial", "assistante familiale", "parent adoptif", "mere adoptive", "pere adoptif", "parent d accueil",
		"guardian", "legal guardian", "stepmother", "stepfather", "stepmum", "stepmom", "stepdad", "step parent", "stepparent",
		"foster parent", "foster mother", "foster father", "foster family", "foster carer"},
	"eleve": {"eleve", "eleves", "collegien", "collegienne", "lyceen", "lyceenne", "etudiant", "etudiante", "pupil", "student", "un eleve", "une eleve"},
	"enseignant": {"enseignant", "enseignante", "prof", "profs", "professeur", "professeure", "professeur des ecoles", "prof des ecoles", "pe",
		"maitre", "maitresse", "instit", "instituteur", "institutrice", "teacher", "un enseignant", "une enseignante", "documentaliste",
		"professeur documentaliste", "professeure documentaliste", "prof documentaliste", "prof doc", "enseignant specialise",
		"enseignante specialisee", "maitre specialise", "maitresse specialisee", "enseignant referent", "enseignante referente",
		"professeur principal", "professeure principale", "prof principal", "prof principale", "remplacant", "remplacante",
		"teaching assistant"},
	"direction": {"direction", "directeur", "directrice", "principal", "principale", "proviseur", "proviseure", "inspecteur", "inspectrice",
		"chef d etablissement", "cheffe d etablissement", "perdir", "ien", "ipr", "ia ipr", "dasen", "head teacher", "headteacher",
		"inspector", "principal adjoint", "principale adjointe", "proviseur adjoint", "proviseure adjointe", "directeur adjoint",
		"directrice adjointe", "adjoint de direction", "adjointe de direction", "directeur d ecole", "directrice d ecole",
		"inspecteur de l education nationale", "inspectrice de l education nationale", "deputy head", "headmaster", "headmistress"},
	"personnel": {"personnel", "personnel de l ecole", "psychologue", "psychologue scolaire", "psy en", "psyen", "psychologue de l education nationale",
		"conseiller d orientation", "conseillere d orientation", "copsy", "aesh", "atsem", "aed", "ased", "surveillant", "surveillante", "pion", "pionne",
		"cpe", "conseiller principal d education", "conseillere principale d education", "vie scolaire", "assistant d education",
		"assistante d education", "infirmiere", "infirmier", "infirmiere scolaire", "infirmier scolaire", "medecin scolaire",
		"assistante sociale", "assistant social", "assistant de service social", "assistante de service social", "agent", "agente",
		"agent d entretien", "agente d entretien", "agent de service", "agent technique", "cantiniere", "cantinier", "dame de cantine",
		"cuisinier", "cuisiniere", "gestionnaire", "intendant", "intendante", "secretaire", "secretaire de direction", "assistante de direction", "gardien", "gardienne", "concierge",
		"laborantin", "laborantine", "technicien", "technicienne", "school staff", "staff", "avs", "assistant", "assistante",
		"animateur", "animatrice", "school nurse", "nurse", "school counsellor", "counsellor", "caretaker", "dinner lady"},
	"collectivite": {"collectivite", "mairie", "commune", "departement", "region", "elu", "elue", "local authority", "council", "collectivite territoriale", "municipal", "municipale", "conseil", "departemental", "regional", "maire", "adjoint"},
	"partenaire":   {"association", "entreprise", "asso", "edtech", "societe", "startup", "start up", "company", "association or company", "partenaire", "benevole", "entrepreneur", "editeur"},
	"autre": {"autre", "autres", "other", "aucun", "rien de tout ca", "none", "citoyen", "citoyenne", "retraite", "retraitee", "curieux", "curieuse",
		"nounou", "chercheur", "chercheuse", "researcher", "nanny", "childminder", "baby sitter", "babysitter", "assistante maternelle",
		"assistant maternel", "garde d enfants", "au pair", "jeune fille au pair"},
}

// kinWords are the family who are not the parents: a grandmother may
// bring up the child or only be visiting, so she is asked which of
// parent and other fits rather than told.
var kinWords = []string{"grand mere", "grand pere", "grands parents", "grand parent", "grand parents", "grandmere", "grandpere", "mamie",
	"mamy", "mami", "papi", "papy", "pepe", "tante", "tata", "tonton", "oncle", "grand frere", "grande soeur",
	"parrain", "marraine", "grandma", "grandpa", "granny", "grandmother", "grandfather", "grandparent", "grandparents", "grandad",
	"granddad", "aunt", "auntie", "uncle", "big brother", "big sister", "godmother", "godfather"}

// themeWords are the usual ways to name a theme of the default
// questionnaire without its title, by theme id: a theme another
// questionnaire does not have is never offered, so its words never match.
var themeWords = map[string][]string{
	"acces":       {"egalite", "l egalite", "egalite d acces", "inegalites", "les inegalites", "fracture numerique", "la fracture numerique", "inclusion", "equality", "digital divide", "the digital divide"},
	"enseigner":   {"pedagogie", "la pedagogie", "apprentissage", "les apprentissages", "teaching", "learning"},
	"collaborer":  {"collaboration", "cooperation", "travail en equipe", "working together", "teamwork"},
	"responsable": {"souverainete", "la souverainete", "sobriete", "ecologie", "responsable", "sovereignty"},
	"gouvernance": {"pilotage", "le pilotage", "prospective", "governance", "foresight"},
}

// optionNames returns the folded names a typed message may use for o.
func optionNames(o opt, q *Questionnaire) []string {
	names := append(labelNames(o, q), actionWords[o.action]...)
	switch o.action {
	case actProfile:
		names = append(names, profileWords[o.arg]...)
	case actTheme:
		names = append(names, themeWords[o.arg]...)
	}
	return names
}

// labelNames returns the folded labels of o, in every language.
func labelNames(o opt, q *Questionnaire) []string {
	names := []string{labelKey(o.label)}
	if q == nil {
		return names
	}
	switch o.action {
	case actProfile:
		if p := q.Profile(o.arg); p != nil {
			for _, t := range p.Label {
				names = append(names, foldKey(t))
			}
		}
	case actTheme:
		if th := q.Theme(o.arg); th != nil {
			for _, t := range th.Title {
				names = append(names, foldKey(t))
			}
			names = append(names, o.arg)
		}
	case actPick:
		for _, th := range q.Themes {
			for _, qu := range th.Questions {
				if c := qu.Choice(o.arg); c != nil {
					for _, t := range c.Label {
						names = append(names, foldKey(t))
					}
				}
			}
		}
	}
	return names
}

// labelKey folds a button label, leaving out its number (« 2. »), its
// check mark and its progress (« — 3/5 »).
func labelKey(label string) string {
	if i := strings.Index(label, " — "); i >= 0 {
		label = label[:i]
	}
	label = strings.TrimPrefix(label, "✓ ")
	k := foldKey(label)
	if i := strings.IndexByte(k, ' '); i > 0 && strings.Trim(k[:i], "0123456789") == "" {
		k = k[i+1:]
	}
	return k
}

// selfWords introduce what one picks: « je suis parent », « en tant que
// prof », « le thème travailler ensemble ».
var selfWords = []string{"je suis un", "je suis une", "je suis", "moi je suis", "suis", "en tant que", "comme", "c est",
	"i am a", "i am an", "i am", "i m a", "i m an", "im a", "i m", "as a", "je choisis", "je prends", "je veux", "le theme", "theme", "le", "la"}

// matchOption finds the option of opts that n names. At an open prompt
// only the whole message counts, so that an answer is never mistaken for
// a button; at other prompts a few words of a longer label do too.
func matchOption(n string, opts []opt, open bool, q *Questionnaire) (opt, bool) {
	if n == "" {
		return opt{}, false
	}
	candidates := []string{n}
	// « non, laisse comme c'était », « ok c'est bon », « bon je passe »: a
	// leading yes, no or hesitation adds nothing to the option it comes
	// with, nor does « je veux ».
	rest := n
	for {
		w, r, ok := strings.Cut(rest, " ")
		if !ok || !leadWords[w] {
			break
		}
		rest = r
		candidates = append(candidates, rest)
	}
	if r, ok := stripLead(rest); ok {
		candidates = append(candidates, r)
	}
	if !open {
		candidates = withoutSelfWords(candidates, n)
	}
	return firstOption(candidates, opts, namesOf(opts, q, optionNames), []func(c, name string) bool{
		func(c, name string) bool { return c == name },
		func(c, name string) bool { return near(c, name) },
	})
}

// labelWords finds the option whose label holds every meaningful word of
// n: « travailler ensemble » for « Travailler ensemble, collaborer ».
func labelWords(n string, opts []opt, q *Questionnaire) (opt, bool) {
	return firstOption(withoutSelfWords([]string{n}, n), opts, namesOf(opts, q, labelNames), []func(c, name string) bool{wordsWithin})
}

// withoutSelfWords adds to candidates n without each self word it starts
// with.
func withoutSelfWords(candidates []string, n string) []string {
	for _, w := range selfWords {
		if rest, ok := strings.CutPrefix(n, w+" "); ok {
			candidates = append(candidates, rest)
		}
	}
	return candidates
}

// namesOf lists the names of every option, as names gives them.
func namesOf(opts []opt, q *Questionnaire, names func(opt, *Questionnaire) []string) [][]string {
	out := make([][]string, len(opts))
	for i, o := range opts {
		out[i] = names(o, q)
	}
	return out
}

// firstOption tries each way of matching in turn, and returns the option
// that the first successful one names, if it names only one.
func firstOption(candidates []string, opts []opt, names [][]string, passes []func(c, name string) bool) (opt, bool) {
	for _, match := range passes {
		for _, c := range candidates {
			found := -1
			for i := range opts {
				if slicesAny(names[i], func(name string) bool { return name != "" && match(c, name) }) {
					if found >= 0 && opts[found] != opts[i] {
						found = -2
						break
					}
					if found == -1 {
						found = i
					}
				}
			}
			if found >= 0 {
				return opts[found], true
			}
		}
	}
	return opt{}, false
}

func slicesAny(s []string, f func(string) bool) bool {
	for _, v := range s {
		if f(v) {
			return true
		}
	}
	return false
}

// stopWords carry no meaning when a few words of a label are typed.
var stopWords = map[string]bool{
	"le": true, "la": true, "les": true, "l": true, "de": true, "du": true, "des": true, "d": true, "et": true,
	"un": true, "une": true, "a": true, "au": true, "aux": true, "en": true, "the": true, "of": true, "and": true,
	"to": true, "avec": true, "pour": true, "sur": true,
}

// wordsWithin reports whether every meaningful word of c is in name (or
// nearly), as « travailler ensemble » is in « travailler ensemble
// collaborer ».
func wordsWithin(c, name string) bool {
	nameWords := strings.Fields(name)
	seen := 0
	for _, w := range strings.Fields(c) {
		if stopWords[w] {
			continue
		}
		if utf8.RuneCountInString(w) < 3 || !slicesAny(nameWords, func(nw string) bool {
			return nw == w || utf8.RuneCountInString(nw) >= 5 && fold.Distance(w, nw) <= 1
		}) {
			return false
		}
		seen++
	}
	return seen > 0
}

// near reports whether a is b with a small typo: none allowed under five
// letters, one under nine, two beyond. Both are folded (see normalize), so
// bytes are letters.
func near(a, b string) bool {
	if a == b {
		return true
	}
	lb := len(b)
	max := 0
	switch {
	case lb >= 9:
		max = 2
	case lb >= 5:
		max = 1
	}
	if max == 0 || absInt(len(a)-lb) > max {
		return false
	}
	return fold.Distance(a, b) <= max
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// commandWords are the commands people type without their slash.
var commandWords = map[string]string{
	"menu": CmdMenu, "le menu": CmdMenu, "retour au menu": CmdMenu, "aller au menu": CmdMenu, "voir le menu": CmdMenu,
	"les themes": CmdMenu, "autre theme": CmdMenu, "changer de theme": CmdMenu, "un autre theme": CmdMenu, "main menu": CmdMenu,
	"reprendre": CmdResume, "je reprends": CmdResume, "on reprend": CmdResume, "continuer": CmdResume, "on continue": CmdResume,
	"je continue": CmdResume, "resume": CmdResume, "continue": CmdResume,
	"mes reponses": CmdAnswers, "voir mes reponses": CmdAnswers, "mes reponse": CmdAnswers, "mesreponses": CmdAnswers,
	"qu est ce que j ai repondu": CmdAnswers, "my answers": CmdAnswers, "show my answers": CmdAnswers, "answers": CmdAnswers,
	"langue": CmdLanguage, "changer de langue": CmdLanguage, "language": CmdLanguage, "english": CmdLanguage,
	"in english": CmdLanguage, "en anglais": CmdLanguage, "english please": CmdLanguage, "speak english": CmdLanguage,
	"francais": CmdLanguage, "en francais": CmdLanguage, "french": CmdLanguage, "in french": CmdLanguage, "parler francais": CmdLanguage,
	"mes donnees": CmdMyData, "mesdonnees": CmdMyData, "mes infos": CmdMyData, "mes informations": CmdMyData,
	"voir mes donnees": CmdMyData, "mes donnees personnelles": CmdMyData, "my data": CmdMyData, "mydata": CmdMyData,
	"effacer": CmdErase, "effacer mes donnees": CmdErase, "effacer tout": CmdErase, "tout effacer": CmdErase,
	"supprimer mes donnees": CmdErase, "supprimer mon compte": CmdErase, "supprimer tout": CmdErase, "tout supprimer": CmdErase,
	"effacer mon compte": CmdErase, "effacer toutes mes donnees": CmdErase, "supprimer toutes mes donnees": CmdErase,
	"effacer toutes mes informations": CmdErase, "rappels": CmdReminders, "mes rappels": CmdReminders,
	"les rappels": CmdReminders, "reminders": CmdReminders, "my reminders": CmdReminders, "erase": CmdErase, "erase my data": CmdErase, "delete my data": CmdErase, "delete everything": CmdErase,
	"start": CmdStart, "demarrer": CmdStart, "commencer": CmdStart, "recommencer": CmdStart, "begin": CmdStart,
}

// typedCommand reads a command typed without its slash. The language
// command says which language it asks for in Args.
func typedCommand(n string) (Event, bool) {
	if rest, lead := stripLead(n); lead {
		n = rest // « je veux tout effacer »
	}
	name, ok := commandWords[n]
	if lang, isLang := languageRequest(n); !ok && isLang {
		return Event{Kind: EventCommand, Command: CmdLanguage, Args: lang}, true
	}
	if !ok {
		// One typo at most: « apprendre » is not « reprendre ».
		for w, c := range commandWords {
			if len(w) >= 8 && absInt(len(n)-len(w)) <= 1 && fold.Distance(n, w) <= 1 {
				name, ok = c, true
				break
			}
		}
	}
	if !ok {
		return Event{}, false
	}
	ev := Event{Kind: EventCommand, Command: name}
	if name == CmdLanguage {
		switch {
		case strings.Contains(n, "english") || strings.Contains(n, "anglais"):
			ev.Args = LangEN
		case strings.Contains(n, "francais") || strings.Contains(n, "french"):
			ev.Args = LangFR
		}
	}
	return ev, true
}

// helpPhrases are whole messages asking what to do or what the question
// means.
var helpPhrases = map[string]bool{
	"aide": true, "help": true, "a l aide": true, "au secours": true, "besoin d aide": true, "j ai besoin d aide": true,
	"aidez moi": true, "help me": true, "i need help": true,
	"je comprends pas": true, "je comprend pas": true, "je ne comprends pas": true, "je ne comprend pas": true,
	"jcomprends pas": true, "jcomprend pas": true, "j comprends pas": true, "j comprend pas": true, "comprends pas": true,
	"comprend pas": true, "jcomprend pa": true, "je comprend pa": true, "je comprends pa": true, "compren pas": true,
	"pas compris": true, "j ai pas compris": true, "jai pas compris": true, "je n ai pas compris": true, "g pas compris": true,
	"pas tout compris": true, "j ai rien compris": true, "jai rien compris": true, "rien compris": true, "je ne comprends rien": true,
	"je comprends rien": true, "je comprend rien": true, "compris pas": true, "jcomprend rien": true, "jcomprends rien": true,
	"j comprends rien": true, "j comprend rien": true, "comprends rien": true, "comprend rien": true, "g rien compris": true,
	"j y comprends rien": true, "je n y comprends rien": true, "c est du charabia": true, "charabia": true,
	"c est a dire": true, "cad": true, "c a d": true, "c est a dire quoi": true, "ca veut dire quoi": true, "ca veux dire quoi": true,
	"qu est ce que ca veut dire": true, "que veut dire la question": true, "qu est ce que vous voulez dire": true,
	"que voulez vous dire": true, "c est quoi": true, "c koi": true, "c quoi": true, "cest quoi": true, "quoi": true, "koi": true,
	"hein": true, "comment ca": true, "pardon": true, "expliquez": true, "expliquer": true, "explication": true,
	"explications": true, "pouvez vous expliquer": true, "vous pouvez expliquer": true, "vous pouvez m expliquer": true,
	"tu peux expliquer": true, "expliquez moi": true, "explique moi": true, "expliquez svp": true,
	"un exemple": true, "exemple": true, "des exemples": true, "par exemple": true, "un exemple svp": true,
	"donnez moi un exemple": true, "vous avez un exemple": true, "avez vous un exemple": true, "exemple de reponse": true,
	"je vois pas": true, "je ne vois pas": true,
	// « … par là ? », once « là » is cut.
	"vous voulez dire quoi par": true, "que voulez vous dire par": true, "qu entendez vous par": true,
	"qu est ce que vous entendez par": true, "vous entendez quoi par": true,
	"que dois je repondre": true, "qu est ce que je dois repondre": true, "je dois repondre quoi": true,
	"je dois faire quoi": true, "que faire": true, "comment on fait": true, "comment faire": true, "comment ca marche": true,
	"comment repondre": true, "on fait comment": true, "je fais comment": true, "what": true, "what do you mean": true,
	"i don t understand": true, "i dont understand": true, "i do not understand": true, "don t understand": true,
	"explain": true, "explain please": true, "can you explain": true, "example": true, "an example": true,
	"give me an example": true, "for example": true,
	"what should i answer": true, "what should i say": true, "how does it work": true, "what does it mean": true,
	"what does this mean": true, "sorry": true, "i m lost": true, "je suis perdu": true, "je suis perdue": true,
	"perdu": true, "perdue": true, "je dois mettre quoi": true, "je mets quoi": true, "quoi mettre": true, "je choisis lequel": true,
	"lequel choisir": true, "lequel": true, "je choisis quoi": true, "je prends lequel": true, "vous pouvez donner un exemple": true,
	"pouvez vous donner un exemple": true, "donnez un exemple": true, "can you give an example": true, "give an example": true,
	"je m y connais pas": true, "je m y connais pas en informatique": true, "je n y connais rien": true,
	"je ne m y connais pas": true, "je peux repondre quand meme": true, "je peux quand meme repondre": true,
	"qu est ce qui va etre efface": true, "qu est ce qui sera efface": true, "ca efface quoi": true, "what will be erased": true,
	"pourquoi": true, "pourquoi vous me demandez ca": true, "pourquoi vous demandez ca": true, "pourquoi vous voulez savoir ca": true,
	"pourquoi cette question": true,
	// Asking for the question in other words.
	"reformuler": true, "reformulez": true, "reformule": true, "pouvez vous reformuler": true, "vous pouvez reformuler": true,
	"tu peux reformuler": true, "pourriez vous reformuler": true, "reformuler la question": true, "reformulez la question": true,
	"pouvez vous reformuler la question": true, "vous pouvez reformuler la question": true, "en d autres mots": true,
	"plus simplement": true, "rephrase": true, "can you rephrase": true, "could you rephrase": true, "rephrase please": true,
	"je ne sais pas quoi repondre": true, "je sais pas quoi repondre": true, "je ne sais pas quoi dire": true,
	"je sais pas quoi dire": true, "je ne vois pas quoi repondre": true, "je vois pas quoi repondre": true, "pourquoi vous voulez savoir": true, "why": true, "why do you ask": true,
}

// helpAbout start a question about a word of the prompt: « ça veut dire
// quoi services numériques ? », « c'est quoi une académie ? ».
var helpAbout = []string{"ca veut dire quoi", "ca veux dire quoi", "que veut dire", "que veulent dire", "qu est ce que c est",
	"qu est ce qu une", "qu est ce qu un", "c est quoi", "c quoi", "cest quoi", "c koi", "c est koi", "what is", "what s",
	"what does", "what are"}

// helpTails may follow a help phrase: « je comprends pas la question ».
var helpTails = []string{"la question", "cette question", "votre question", "ta question", "ce que vous demandez",
	"ce que vous voulez dire", "ce que ca veut dire", "ce que vous voulez", "ce qu il faut repondre", "ce qu il faut faire",
	"bien", "trop", "vraiment", "du tout", "tres bien", "ici", "la", "the question", "this question", "svp", "stp",
	"de la question", "pour cette question", "pour la question", "sur la question", "de reponse", "a ce truc", "a tout ca",
	"a ce questionnaire", "a votre truc", "a ca", "a cela", "a cette question",
	// « c koi ce charabia jcomprend rien »: the second half says the first.
	"jcomprend rien", "jcomprends rien", "je comprends rien", "je comprend rien", "je ne comprends rien", "j y comprends rien",
	"rien compris", "j ai rien compris", "jai rien compris", "g rien compris", "je comprends pas", "jcomprend pas"}

// Requests for the meaning of a few words of the question: « je ne
// comprends pas bien ce que veut dire « à distance » », « I don't
// understand what you mean by remote ». Why one does not understand
// something (« je ne comprends pas pourquoi l'ENT est si compliqué ») is
// an answer.
var (
	meaningLeads = []string{"je ne comprends pas", "je ne comprend pas", "je comprends pas", "je comprend pas", "jcomprends pas",
		"jcomprend pas", "j ai pas compris", "jai pas compris", "je n ai pas compris", "je ne sais pas", "je sais pas",
		"jsp", "chai pas", "j sais pas", "jsais pas", "je vois pas bien",
		"i don t understand", "i dont understand", "i do not understand", "i don t know", "i m not sure",
		"je ne connais pas", "je connais pas", "je ne vois pas", "je vois pas"}
	meaningAdverbs = []string{"tres bien", "bien", "trop", "vraiment", "really", "quite"}
	meaningAsks    = []string{"ce que veut dire", "ce que veulent dire", "ce que ca veut dire", "ce que signifie", "ce que signifient",
		"ce qu on entend par", "ce que vous entendez par", "ce que vous appelez", "ce que vous voulez dire par", "ce qu est", "le mot", "l expression",
		"what you mean by", "what is meant by", "what means", "the word", "what"}
)

// asksMeaning reports a request for the meaning of at most five words.
func asksMeaning(n string) bool {
	led := false
	for _, l := range meaningLeads {
		if rest, ok := strings.CutPrefix(n, l+" "); ok {
			n, led = rest, true
			break
		}
	}
	for _, a := range meaningAdverbs {
		if rest, ok := strings.CutPrefix(n, a+" "); ok {
			n = rest
			break
		}
	}
	// With a lead (« je ne comprends pas ce que veut dire… »), the words
	// asked about may be a few more: « données sur le travail des élèves ».
	most := 5
	if led {
		most = 6
	}
	for _, a := range meaningAsks {
		if rest, ok := strings.CutPrefix(n, a+" "); ok && len(strings.Fields(rest)) <= most {
			return led || a != "what" // « what about free wifi » is an answer
		}
	}
	return false
}

// isHelp reports a request for help: « ? », « aide », « je comprends
// pas la question », « un exemple ? ».
func isHelp(raw, n string) bool {
	if shrugs(raw) {
		return true
	}
	if n == "" {
		return strings.Contains(raw, "?")
	}
	for range 3 {
		if helpPhrases[n] {
			return true
		}
		cut := false
		for _, t := range helpTails {
			if rest, ok := strings.CutSuffix(n, " "+t); ok {
				n, cut = rest, true
				break
			}
		}
		if !cut {
			break
		}
	}
	if helpPhrases[n] || dontKnow(n) {
		return true
	}
	for _, h := range helpAbout {
		if rest, ok := strings.CutPrefix(n, h+" "); ok && len(strings.Fields(rest)) <= 3 {
			return true
		}
	}
	if asksMeaning(n) || asksWord(raw, n) || asksRelevance(raw, n) {
		return true
	}
	if words := strings.Fields(n); len(words) <= 7 && (strings.HasSuffix(n, " exemple") || strings.HasSuffix(n, " example")) {
		return true
	}
	if utf8.RuneCountInString(n) >= 10 {
		for p := range helpPhrases {
			if utf8.RuneCountInString(p) >= 10 && near(n, p) {
				return true
			}
		}
	}
	return false
}

// dontKnowFR reads « I don't know » in French however it is spelt, its
// words run together: « je ne sais pas », « j'en sais rien », « jsp »,
// « chai pas », « ché pa », « je c pas », « sais pas quoi dire ». Only a
// whole message: « ché pa trop mais les écrans… » is an answer.
var dontKnowFR = regexp.MustCompile(`^(moi)?(je|j|ch|g)?(ne|n)?(en|n)?(sais|sai|sait|ses|se|ais|ai|e|c|s)` +
	`(pas|pa|po|p|rien|absolumentrien)(vraiment|trop|dutout|quoi(dire|repondre|mettre|ecrire|penser)?)?$`)

// dontKnowWords are the other ways to say one does not know, their words
// run together as dontKnow reads them.
var dontKnowWords = wordSet("aucuneidee pasdidee jaiaucuneidee jenaiaucuneidee jaipasdidee jenaipasdidee " +
	"jenaipaslamoindreidee paslamoindreidee bonnequestion passur passure jesuispassur jesuispassure jenesuispassur " +
	"jenesuispassure jsuispassur jsuispassure chuipassur chuipassure nsp jsp idk idunno dunno idontknow idonotknow " +
	"dontknow idontreallyknow noidea ihavenoidea ivenoidea noclue ihavenoclue notsure imnotsure iamnotsure notreallysure")

// dontKnowTails may follow an « I don't know », run together: « not sure
// what to say », « pas sûr de quoi dire ».
var dontKnowTails = []string{"whattosay", "whattowrite", "whattoanswer", "whattoput", "whattothink", "dequoidire",
	"dequoirepondre", "dequoimettre", "dequoiecrire", "quoidire", "quoirepondre", "quoimettre", "quoiecrire"}

// notMine say that the subject is not one's own: « pas mon domaine »,
// « not my field ». Alone, they are asked about as « pas concerné » is
// (checkWords); after an « I don't know », they change nothing to it.
var notMine = []string{"c est pas mon domaine", "ce n est pas mon domaine", "pas mon domaine", "pas vraiment mon domaine",
	"pas trop mon domaine", "c est pas mon truc", "pas mon truc", "pas mon rayon", "hors de mon domaine",
	"it s not my field", "not my field", "not really my field", "not my area", "not really my area", "not my thing",
	"not my domain", "not my subject", "outside my field", "outside my area"}

// notMineJoin may join an « I don't know » and a notMine.
var notMineJoin = wordSet("et mais and but so donc")

// dontKnow reports a message that only says one does not know what to
// answer: it asks for the simpler wording and the example. « not my
// field » before or after it changes nothing.
func dontKnow(n string) bool {
	for _, t := range notMine {
		rest, ok := strings.CutSuffix(n, " "+t)
		if !ok {
			rest, ok = strings.CutPrefix(n, t+" ")
		}
		if ok {
			words := strings.Fields(rest)
			words = slices.DeleteFunc(words, func(w string) bool { return notMineJoin[w] })
			n = strings.Join(words, " ")
			break
		}
	}
	j := strings.ReplaceAll(n, " ", "")
	if j == "" {
		return false
	}
	for _, t := range dontKnowTails {
		if head, ok := strings.CutSuffix(j, t); ok && dontKnowWords[head] {
			return true
		}
	}
	return dontKnowWords[j] || dontKnowFR.MatchString(j)
}

// lastTheme name, at the menu, the last theme.
var lastTheme = phraseSet("le dernier|dernier|le dernier theme|dernier theme|le theme dernier|la derniere|derniere|" +
	"je prends le dernier|je veux le dernier|le dernier svp|celui du bas|le dernier de la liste|" +
	"the last one|last one|the last|last|last theme|the last theme")

// anyThemeSaid reports n as « any theme », after a lead (« bon on
// commence », « allez on y va », « ok let's go », « go go go »).
func anyThemeSaid(n string) bool {
	for !anyTheme[n] {
		w, rest, ok := strings.Cut(n, " ")
		if !ok || !leadWords[w] && !anyTheme[w] {
			return false
		}
		n = rest
	}
	return true
}

// anyTheme say, at the menu, that any theme will do or that the person
// wants to start: the first theme not validated is opened.
var anyTheme = map[string]bool{
	"peu importe": true, "n importe": true, "n importe lequel": true, "n importe quel theme": true, "nimporte lequel": true,
	"au hasard": true, "dans l ordre": true, "tous": true, "tout": true, "tous les themes": true,
	"le suivant": true, "suivant": true, "theme suivant": true, "le theme suivant": true, "on commence": true,
	"je commence": true, "commencons": true, "allons y": true, "go": true, "c est parti": true, "on y va": true,
	"ca m est egal": true, "comme vous voulez": true, "a vous de choisir": true, "vous choisissez": true,
	"whatever": true, "any": true, "any of them": true, "anyone": true, "in order": true, "all": true, "all of them": true,
	"next": true, "next theme": true, "let s go": true, "lets go": true, "you choose": true,
	// « ok », « c parti »: the way on the menu suggests, as at a yes;
	// « ouais », « oui oui » as « ok ».
	"oui": true, "oui oui": true, "ouais": true, "ouai": true, "ouais ouais": true, "ouaip": true, "ouep": true,
	"yes": true, "yeah": true, "yep": true,
	"ok": true, "ok ok": true, "okay": true, "oki": true, "ok go": true, "ok on y va": true, "ok c est parti": true, "ok on commence": true,
	"c parti": true, "cest parti": true, "c est parti alors": true, "allez": true, "allez y": true, "vas y": true, "go go": true,
	"on demarre": true, "je demarre": true, "on peut commencer": true, "je suis pret": true, "je suis prete": true,
	"pret": true, "prete": true, "on y va alors": true, "allons y alors": true, "let s start": true, "ready": true, "i m ready": true,
	"choisissez": true, "choisissez pour moi": true, "choisis pour moi": true, "choisis": true, "comme tu veux": true,
	"a toi de choisir": true, "surprenez moi": true, "surprends moi": true, "pas de preference": true, "aucune preference": true,
	"je m en fiche": true, "n importe quoi": true, "au choix": true, "on commence par le debut": true,
	"whatever you want": true, "whatever you like": true, "you pick": true, "pick one": true, "pick for me": true,
	"choose for me": true, "you decide": true, "up to you": true, "it s up to you": true, "your choice": true, "surprise me": true,
	"doesn t matter": true, "it doesn t matter": true, "doesnt matter": true, "it doesnt matter": true, "don t mind": true,
	"i don t mind": true, "i dont mind": true, "i don t care": true, "i dont care": true, "no preference": true,
	"any one": true, "any theme": true, "anything": true, "random": true, "at random": true,
	"from the start": true, "start from the beginning": true,
}

// thanksWords are messages that only thank, folded; doneWords say one
// has finished. At an open question they may be answers (and are checked).
var (
	thanksWords = map[string]bool{
		"merci": true, "merci beaucoup": true, "merci bien": true, "mille mercis": true, "mille merci": true,
		"merci a vous": true, "merci a toi": true, "merci merci": true, "merci pour tout": true, "merci beaucoup a vous": true,
		"mrc": true, "mci": true, "thanks": true, "thank you": true, "thx": true, "thanks a lot": true, "thank you very much": true,
		"many thanks": true, "ty": true,
	}
	doneWords = map[string]bool{
		"j ai fini": true, "jai fini": true, "j ai termine": true, "jai termine": true, "c est tout": true, "c tout": true,
		"cest tout": true, "c est fini": true, "fini": true, "termine": true, "ca sera tout": true, "ce sera tout": true,
		"c est bon pour moi": true, "i m done": true, "im done": true, "i am done": true, "that s all": true,
		"thats all": true, "finished": true, "all done": true, "c est bon j ai fini": true, "ok j ai fini": true,
		"bon j ai fini": true, "voila j ai fini": true, "voila c est tout": true, "j ai fini pour aujourd hui": true,
		"c est bon c est tout": true, "ok c est tout": true,
	}
)

// isLeaving reports a message that only says goodbye or stops for now:
// the words of the pause button.
func isLeaving(n string) bool {
	return slicesAny(actionWords[actPause], func(w string) bool { return w == n })
}

// greetingCore are the words that make a message a greeting; greetingWords
// may come with them, and nothing else.
var (
	greetingCore = map[string]bool{
		"bonjour": true, "bonsoir": true, "salut": true, "coucou": true, "hello": true, "hi": true, "hey": true,
		"re": true, "rebonjour": true, "rebonsoir": true, "resalut": true, "recoucou": true, "revoila": true,
		"reviens": true, "retour": true, "back": true, "bjr": true, "bsr": true, "slt": true, "cc": true, "yo": true,
		"kikou": true, "wesh": true, "allo": true, "morning": true, "evening": true, "hallo": true, "bonjours": true,
	}
	greetingWords = map[string]bool{
		"me": true, "voila": true, "je": true, "suis": true, "de": true, "c": true, "est": true, "moi": true,
		"encore": true, "good": true, "i": true, "m": true, "im": true, "am": true, "again": true, "a": true, "tous": true,
		"tout": true, "le": true, "monde": true, "la": true, "there": true, "it": true, "s": true, "me again": true,
		"ca": true, "va": true, "comment": true, "vous": true, "allez": true, "how": true, "are": true, "you": true,
		"bien": true, "tout le monde": true, "rebonjour": true, "bot": true, "robot": true, "madame": true, "monsieur": true,
		"cher": true, "chere": true, "hello": true, "bonne": true, "journee": true, "soiree": true, "oui": false,
	}
)

// isGreeting reports a message that only greets or says one is back.
func isGreeting(n string) bool {
	core, only := madeOf(n, greetingCore, greetingWords)
	return only && core
}

// madeOf reports whether n is one to eight words, each of core or with
// (only), and whether one of them is of core.
func madeOf(n string, core, with map[string]bool) (hasCore, only bool) {
	words := strings.Fields(n)
	if len(words) == 0 || len(words) > 8 {
		return false, false
	}
	for _, w := range words {
		switch {
		case core[w]:
			hasCore = true
		case !with[w]:
			return false, false
		}
	}
	return hasCore, true
}

// checkWords are the messages that may be an answer but are more likely a
// reflex: a yes, a no, an ok. They are asked about before being stored.
var checkWords = map[string]bool{
	"bof": true, "peut etre": true, "pe": true, "mouais": true, "moui": true, "bien": true, "pas mal": true,
	"ca va": true, "d acc": true, "super": true, "top": true, "cool": true, "parfait": true, "merci": true,
	"voila": true, "c est ca": true, "idem": true, "pareil": true, "rien": true, "rien a dire": true, "aucun": true,
	"aucune": true, "r": true, "ras": true, "nsp": true, "maybe": true, "fine": true, "good": true, "nothing": true,
	"same": true, "x": true, "xx": true, "test": true, "essai": true, "lol": true, "mdr": true, "ptdr": true, "xd": true,
	"azerty": true, "qwerty": true, "asdf": true, "qsdf": true, "bla": true, "blabla": true, "n importe quoi": true,
	"nimporte quoi": true, "rien du tout": true, "hein": true, "rien a ajouter": true, "rien a signaler": true,
	"rien de plus": true, "rien de special": true, "rien de particulier": true, "je n ai rien a dire": true,
	"j ai rien a dire": true, "jai rien a dire": true, "je n ai rien a ajouter": true, "j ai rien a ajouter": true,
	"pas grand chose": true, "nothing to add": true, "nothing to say": true, "nothing else": true,
	// Not caring is asked about: most often a skip.
	"je m en fiche": true, "je m en fous": true, "m en fiche": true, "osef": true, "on s en fiche": true, "balek": true,
	// A slip, said before anything else.
	"oups": true, "oops": true, "mince": true, "zut": true, "oups pardon": true, "oops sorry": true,
	// Not concerned: most often a skip, sometimes meant as the answer.
	"pas concerne": true, "pas concernee": true, "non concerne": true, "non concernee": true,
	"je suis pas concerne": true, "je suis pas concernee": true, "je ne suis pas concerne": true,
	"je ne suis pas concernee": true, "pas concernes": true, "on n est pas concernes": true,
	"pas concerne par cette question": true, "pas concernee par cette question": true,
	"je ne suis pas concerne par cette question": true, "je ne suis pas concernee par cette question": true,
	"je suis pas concerne par cette question": true, "je suis pas concernee par cette question": true, "not concerned": true,
	"not applicable": true, "doesn t apply": true, "does not apply": true,
	// Not one's own subject: « pas mon domaine », « not my field ».
	"c est pas mon domaine": true, "ce n est pas mon domaine": true, "pas mon domaine": true, "pas mon truc": true,
	"c est pas mon truc": true, "pas mon rayon": true, "not my field": true, "it s not my field": true,
	"not my area": true, "not my thing": true, "not my domain": true,
	// Ready to go, or only acknowledging what was said.
	"compris": true, "bien compris": true, "c est compris": true, "entendu": true, "ca marche": true, "pas de souci": true,
	"pas de soucis": true, "pas de probleme": true, "on commence": true, "je suis prete": true, "je suis pret": true,
	"prete": true, "pret": true, "bien recu": true, "let s start": true, "lets start": true, "go on": true,
	"go ahead": true, "let s go": true, "lets go": true, "let s begin": true, "let s do it": true, "let s do this": true,
	"here we go": true, "ready": true, "i m ready": true, "im ready": true, "alright": true, "all right": true,
	"nice": true, "great": true, "got it": true, "understood": true, "sounds good": true, "sure thing": true,
	"then": true, "fine by me": true, "yup": true, "ya": true, "no problem": true, "np": true, "cheers": true,
	"haha": true, "wow": true, "i see": true, "k": true, "kk": true, "never mind": true, "nvm": true, "none": true,
	"n a": true, "testing": true, "carry on": true, "keep going": true, "fire away": true, "go for it": true,
	"proceed": true, "right": true, "of course": true, "please": true,
	// What a phone types for a laugh, a shrug or a nod (« tkt »: don't
	// worry, « osef »: who cares, « jpp »: I can't take it anymore).
	"ah": true, "oh": true, "eh": true, "bon": true, "ah bon": true, "ah ok": true, "oh ok": true, "ah d accord": true,
	"d accord": true, "daccord": true, "dacc": true, "tkt": true, "t inquiete": true, "jpp": true,
	"bref": true, "mdrr": true, "mdrrr": true, "xptdr": true, "lool": true, "hihi": true, "hehe": true, "hahaha": true,
	"oui oui": true, "non non": true, "ok ok": true, "okok": true, "voila voila": true, "c est tout bon": true,
	// Taking back what was about to be said.
	"en fait non": true, "non attends": true, "en fait non attends": true,
}

// needsCheck reports a message worth a quick « is this your answer? »:
// only yes/no words, or nothing but emoji and punctuation.
func needsCheck(n string) bool {
	if n == "" || len(n) >= 3 && strings.Count(n, n[:1]) == len(n) {
		return true // nothing readable, or « aaaa »
	}
	// « ok go on », « yeah sure », « oh ok »: a yes before a reflex.
	for w, rest, ok := strings.Cut(n, " "); ok && (yesCore[w] || w == "oh"); w, rest, ok = strings.Cut(rest, " ") {
		if checkWords[rest] || yesCore[rest] {
			return true
		}
	}
	if checkWords[n] || approves(n) || hesitates(n) || slicesAny(yesWords, func(w string) bool { return w == n }) || slicesAny(noWords, func(w string) bool { return w == n }) {
		return true
	}
	// « oui oui oui », « non merci non »: every word a yes or a no.
	for _, w := range strings.Fields(n) {
		if !slicesAny(yesWords, func(y string) bool { return y == w }) && !slicesAny(noWords, func(y string) bool { return y == w }) {
			return false
		}
	}
	return true
}

// Yes and no said in a few words: « ouais vas-y », « oui je suis sûre »,
// « non je garde tout », « pas du tout ». A message counts when one of its
// words says yes or no and every other word is one that goes with it.
var (
	yesCore = wordSet("oui ouais ouai ouaip ouep ouip ui wi ok okay oki dac dacc acc daccord accord accepte accepter valide valider confirme " +
		"confirmer parfait volontiers absolument exactement exact evidemment certain certaine yes yep yeah yea sure agree accept go alright")
	noCore  = wordSet("non nan nn no nope pas refuse refuser jamais don dont nah trompe trompee")
	yesNoOK = wordSet("je j suis sur sure sure tout a fait pour moi ca marche me va bien vas y allez c est bon parti d l " +
		"merci thanks i it s that my answer ma reponse la le les mes donnees everything delete erase effacer effacez efface " +
		"supprimer supprimez du garde garder gardez keep rien laisse ne veux t do want agree the de moi aussi vraiment bien " +
		"sur certain certaine evidemment go ahead please svp stp fine then")
)

// Approvals of what is in sight, in any words: « c'est bon », « cest bon
// pour moi », « ça me va », « nickel », « parfait », « looks good ». A
// message approves when one of its words (or pairs of words) says so and
// every other word is one that goes with it: « c'est bon pour les
// tablettes » says something else.
var (
	approveCore = wordSet("oui ouais ouai ouaip ouep ouip ok okay oki dac dacc acc daccord accord bien nickel parfait impeccable top super " +
		"genial exact exactement correct juste voila valide valider validez confirme confirmer convient cbon vu " +
		"yes yep yeah good fine great perfect right sure cool")
	approvePhrases = []string{"c est bon", "cest bon", "c bon", "tout bon", "tout est bon", "c est ca", "cest ca", "c ca",
		"ca me va", "ca va", "me va", "garde la", "gardez la", "garde le", "gardez le", "on garde", "je garde", "that s it", "that s right", "looks good", "sounds good", "all good"}
	approveOK = wordSet("c est cest ca sa me m moi pour tout a fait tres trop vraiment comme je j le la l ce cela " +
		"ma reponse ok on garde gardez garder sur bon va it s that is this looks sounds all very for my answer keep")
)

// approves reports a short message that approves what is in sight, as
// « oui » does.
func approves(n string) bool {
	core, only := madeOf(n, approveCore, approveOK)
	if !only {
		return false
	}
	padded := " " + n + " "
	return core || slices.ContainsFunc(approvePhrases, func(p string) bool { return strings.Contains(padded, " "+p+" ") })
}

// hesitations are messages that say nothing yet: « attends », « euh »,
// « hmm ».
var hesitations = wordSet("attends attendez attend euh heu hmm hum bah ben bof quoi hein wait hold on minute seconde sec " +
	"je reflechis une un")

// hesitates reports a message made of hesitations only.
func hesitates(n string) bool {
	words := strings.Fields(n)
	return len(words) > 0 && !slices.ContainsFunc(words, func(w string) bool { return !hesitations[w] })
}

// phraseSet is the set of the phrases of "a|b|c".
func phraseSet(s string) map[string]bool {
	m := map[string]bool{}
	for p := range strings.SplitSeq(s, "|") {
		m[p] = true
	}
	return m
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// yesKinds and noKinds are the actions that a yes or a no chooses.
var (
	yesKinds = []string{actYes, actErase, actStore, actLangYes, actRemindYes, actHeldYes, actRmPrev}
	noKinds  = []string{actNo, actKeep, actRetype, actLangNo, actRemindNo, actHeldNo, actAddNo, actKeepPrev}
)

// yesNo reads a yes or a no said in a few words, at a prompt whose options
// take one.
func yesNo(n string, opts []opt) (opt, bool) {
	words := strings.Fields(n)
	if len(words) == 0 || len(words) > 8 {
		return opt{}, false
	}
	yes, no := false, false
	for _, w := range words {
		switch {
		case noCore[w]:
			no = true
		case yesCore[w]:
			yes = true
		case !yesNoOK[w]:
			return opt{}, false
		}
	}
	kinds := yesKinds
	switch {
	case no:
		kinds = noKinds
	case !yes:
		return opt{}, false
	}
	for _, o := range opts {
		if slicesAny(kinds, func(k string) bool { return k == o.action }) {
			return o, true
		}
	}
	return opt{}, false
}

// menuGlue may go with « menu » in a request to go there: « je veux
// retourner au menu », « back to the menu », « on revient au menu
// principal svp ».
var menuGlue = wordSet("je j veux voudrais voudrait aimerais peux on nous tu vous au a le la l du de aller retourner retourne " +
	"retournons revenir reviens revient revenons retour rentrer va vais allons ouvrir ouvre afficher affiche voir principal " +
	"svp stp merci ok bon alors please i we want to go back the main can let s us return take me open show")

// menuAsked reports a request to go to the menu, in a few words: « menu »
// and words that only say going there.
func menuAsked(n string) bool {
	words := strings.Fields(n)
	return len(words) >= 2 && len(words) <= 10 && slices.Contains(words, "menu") &&
		!slices.ContainsFunc(words, func(w string) bool { return w != "menu" && !menuGlue[w] })
}

// leadWords may open a short message without changing what it asks.
var leadWords = map[string]bool{"oui": true, "non": true, "ok": true, "bon": true, "alors": true, "bah": true, "ben": true,
	"euh": true, "donc": true, "eh": true, "bien": true, "et": true,
	// « attends retour », « oups, passer », « wait no go back »: a reflex
	// before the way on.
	"attends": true, "attendez": true, "attend": true, "oups": true, "oops": true, "mince": true, "zut": true,
	"pardon": true, "desole": true, "desolee": true, "wait": true, "no": true, "sorry": true}

// intentLeads introduce what one wants without changing it: « je veux
// passer », « est-ce que je peux revenir en arrière ».
var intentLeads = []string{"est ce que je peux", "est ce qu on peut", "je voudrais", "je veux", "j aimerais", "je peux", "on peut",
	"peut on", "puis je", "i want to", "i d like to", "can i", "let me"}

// stripLead removes one intent lead from n.
func stripLead(n string) (string, bool) {
	for _, l := range intentLeads {
		if rest, ok := strings.CutPrefix(n, l+" "); ok {
			return rest, true
		}
	}
	return n, false
}

// keywords are single words that name one option among others, strong
// ones first: « maman de 3 enfants » is a parent, « je suis en 3e » a
// pupil, « instit en CM2 » a teacher.
var weakProfileWords = map[string][]string{
	"eleve": {"cp", "ce1", "ce2", "cm1", "cm2", "6e", "5e", "4e", "3e", "6eme", "5eme", "4eme", "3eme", "seconde", "2nde",
		"terminale", "college", "lycee", "year", "grade", "classe"},
}

// keyword reads a short message by a word that names one option only.
func keyword(n string, opts []opt, q *Questionnaire) (opt, bool) {
	words := strings.Fields(otherOne(n))
	if len(words) == 0 || len(words) > max(10, selfDescription(n)) {
		return opt{}, false
	}
	for _, weak := range []bool{false, true} {
		found := -1
		for i, o := range opts {
			var kws []string
			if weak {
				kws = weakProfileWords[o.arg]
				if o.action != actProfile {
					kws = nil
				}
			} else {
				for _, name := range optionNames(o, q) {
					if !strings.Contains(name, " ") && utf8.RuneCountInString(name) >= 4 {
						kws = append(kws, name)
					}
				}
			}
			hit := slicesAny(words, func(w string) bool {
				return !stopWords[w] && slicesAny(kws, func(k string) bool { return w == k || utf8.RuneCountInString(k) >= 6 && near(w, k) })
			})
			if !hit {
				continue
			}
			if found >= 0 && opts[found] != opts[i] {
				return opt{}, false
			}
			found = i
		}
		if found >= 0 {
			return opts[found], true
		}
	}
	return opt{}, false
}

// maxSelfWords bounds a self-description read for a profile: « je suis
// la maman de 2 enfants, un en CM1 et l'autre au collège » is one.
const maxSelfWords = 25

// selfDescription returns maxSelfWords for a message that says who one
// is (« je suis… », « moi c'est… », « I'm… »), which may run long and
// still name a profile, and 0 for any other.
func selfDescription(n string) int {
	for _, l := range selfLeads {
		if strings.HasPrefix(n, l+" ") {
			return maxSelfWords
		}
	}
	for _, l := range []string{"jsuis", "j suis", "chui", "chuis", "en tant que", "nous sommes", "on est", "as a", "we are"} {
		if strings.HasPrefix(n, l+" ") {
			return maxSelfWords
		}
	}
	return 0
}

// otherPronoun is « autre » said of someone already named: « un en CM1
// et l'autre au collège », « the other in secondary ».
var otherPronoun = regexp.MustCompile(`(^| )(l|les|un|une|d|the|one|each) (autre|autres|other|others)( |$)`)

// otherOne leaves out of a longer message the « autre » that names no
// profile (« l'autre au collège »); « un autre » alone stays « Autre ».
func otherOne(n string) string {
	if len(strings.Fields(n)) <= 4 {
		return n
	}
	return otherPronoun.ReplaceAllString(otherPronoun.ReplaceAllString(n, "  "), "  ")
}

// Messages about several profiles at once: « parent d'élève et prof »,
// « enseignante et maman », « je suis les deux ».
var (
	// bothWords say one is several things without naming them.
	bothWords = wordSet("lesdeux les2 both bothofthem lestrois unpeudesdeux unpeudetout unpeutout toutalafois lesdeuxalafois " +
		"plusieurs plusieurschoses plusieursprofils plusieurscasquettes jaiplusieurscasquettes doublecasquette jaiunedoublecasquette " +
		"allofthem several allthree")
	// ofPupils is a pupil named as someone's child or class: « maman
	// d'un élève », « prof de 30 élèves » name no pupil profile.
	ofPupils = regexp.MustCompile(`(^| )(d|de|des|mes|ses|nos)( (un|une|deux|trois|quatre|[0-9]+))? (eleve|eleves|collegien|collegiens|collegienne|collegiennes|lyceen|lyceens|lyceenne|lyceennes|etudiant|etudiants)( |$)`)
)

// severalProfiles reads the profiles a message names at the profile
// prompt, a pupil named as someone's child or class left out: one, or
// several (none for « les deux »). It reports false when the message
// names none and says no « les deux ».
func severalProfiles(n string, opts []opt, q *Questionnaire) ([]opt, bool) {
	if len(opts) == 0 || opts[0].action != actProfile || len(strings.Fields(n)) > max(12, selfDescription(n)) {
		return nil, false
	}
	for _, c := range withoutSelfWords([]string{n}, n) {
		if bothWords[strings.ReplaceAll(c, " ", "")] {
			return nil, true
		}
	}
	n = ofPupils.ReplaceAllString(n, " ")
	n = otherOne(n)
	padded := " " + strings.Join(strings.Fields(n), " ") + " "
	for _, k := range kinWords {
		// « grand-mère » names no mother.
		padded = strings.ReplaceAll(padded, " "+k+" ", "  ")
	}
	type span struct{ i, j, o int }
	var spans []span
	for k, o := range opts {
		for _, name := range optionNames(o, q) {
			if name == "" || stopWords[name] {
				continue
			}
			for from := 0; ; {
				i := strings.Index(padded[from:], " "+name+" ")
				if i < 0 {
					break
				}
				i += from
				spans = append(spans, span{i, i + len(name) + 2, k})
				from = i + 1
			}
		}
	}
	named := map[int]bool{}
	var out []opt
	for _, s := range spans {
		inside := slices.ContainsFunc(spans, func(t span) bool {
			return t.o != s.o && t.i <= s.i && s.j <= t.j && t.j-t.i > s.j-s.i
		})
		if !inside && !named[s.o] {
			named[s.o] = true
		}
	}
	for k, o := range opts {
		if named[k] {
			out = append(out, o)
		}
	}
	return out, len(out) > 0
}

// kinProfiles reads, at the profile prompt, a message that names only
// family who are not the parents, and returns the two profiles between
// which they choose: parent when the child is in their care, other.
func kinProfiles(n string, opts []opt) ([]opt, bool) {
	if len(opts) == 0 || opts[0].action != actProfile || len(strings.Fields(n)) > 12 {
		return nil, false
	}
	padded := " " + n + " "
	if !slices.ContainsFunc(kinWords, func(k string) bool { return strings.Contains(padded, " "+k+" ") }) {
		return nil, false
	}
	var choices []opt
	for _, id := range []string{"parent", "autre"} {
		if i := slices.IndexFunc(opts, func(o opt) bool { return o.arg == id }); i >= 0 {
			choices = append(choices, opts[i])
		}
	}
	return choices, len(choices) == 2
}

// Questions about the consultation itself, asked at any prompt: is it
// anonymous, what is it for, how long is it. They are answered, and the
// prompt shown again; at an open question they are no answer.
const (
	aboutAnonymous = "anonymous"
	aboutPurpose   = "purpose"
	aboutLength    = "length"
	aboutBot       = "bot"
	aboutHere      = "here" // is anyone there?
	aboutLeft      = "left" // how many questions are left?
)

// aboutPhrases are the usual ways to ask them, folded, by topic.
var aboutPhrases = phraseTopics(map[string]string{
	aboutAnonymous: "c est anonyme|c anonyme|cest anonyme|est ce anonyme|est ce que c est anonyme|anonyme|c est bien anonyme|" +
		"c est vraiment anonyme|ca reste anonyme|c est confidentiel|confidentiel|est ce confidentiel|c est anonyme ou pas|" +
		"vous gardez mon nom|vous avez mon nom|mon nom apparait|mes reponses sont anonymes|" +
		"les reponses sont anonymes|les reponses sont elles anonymes|mes reponses sont elles anonymes|mes donnees sont protegees|" +
		"mes donnees sont elles protegees|c est securise|vous gardez mes donnees|vous gardez mon numero|" +
		"is it anonymous|is this anonymous|anonymous|is it confidential|do you keep my name|are my answers anonymous",
	aboutPurpose: "ca sert a quoi|a quoi ca sert|sa sert a quoi|ca sert a koi|ca sert a quoi tout ca|a quoi sert ce questionnaire|" +
		"c est pour quoi|c est pour quoi faire|c pour quoi|c pour quoi faire|pour quoi faire|pourquoi faire|c est quoi ce truc|" +
		"c est quoi ce questionnaire|c est quoi cette consultation|c est quoi ce bot|c est quoi ce robot|c est quoi les etats generaux|" +
		"c est quoi les etats generaux du numerique educatif|c est pour qui|a quoi vont servir mes reponses|a quoi servent mes reponses|" +
		"ca va servir a quelque chose|ca sert a quelque chose|vous allez en faire quoi|vous en faites quoi|" +
		"qu allez vous faire de mes reponses|vous allez faire quoi de mes reponses|" +
		"what is this|what is this for|what s this for|what is it for|what s the point|what are my answers for|" +
		"what will you do with my answers",
	aboutBot: "qui etes vous|vous etes qui|t es qui|tu es qui|c est qui|qui est la|qui parle|je parle a qui|a qui je parle|" +
		"vous etes un robot|tu es un robot|t es un robot|c est un robot|vous etes un bot|t es un bot|tu es un bot|c est un bot|" +
		"t es un humain|tu es un humain|vous etes un humain|vous etes humain|t es humain|c est un humain|c est une vraie personne|" +
		"vous etes une vraie personne|c est une personne|je parle a un humain|je parle a une personne|je parle a quelqu un|je parle a un robot|je parle a une machine|" +
		"c est automatique|c est une ia|t es une ia|vous etes une ia|c est chatgpt|" +
		"c est le ministere|vous etes le ministere|c est l education nationale|vous etes l education nationale|c est officiel|" +
		"c est le gouvernement|c est l etat|c est qui derriere|qui est derriere|qui est derriere tout ca|qui a fait ce bot|" +
		"qui organise|qui organise ca|c est organise par qui|" +
		"qui lit mes reponses|qui va lire mes reponses|qui voit mes reponses|qui va voir mes reponses|qui lira mes reponses|" +
		"qui verra mes reponses|qui lit les reponses|qui va lire|qui lit ca|qui va lire ca|mes reponses vont ou|" +
		"who are you|are you a bot|are you a robot|are you human|are you a person|am i talking to a bot|am i talking to a robot|" +
		"is this a bot|is this a robot|is this automated|is this the ministry|is this official|who is behind this|who runs this|" +
		"who reads my answers|who will read my answers|who sees my answers|who will see my answers|who reads this",
	aboutHere: "il y a quelqu un|y a quelqu un|ya quelqu un|y a qqn|ya qqn|y a qq1|ya qq1|il y a qqn|y a quelqu un la|il y a quelqu un la|" +
		"y a personne|ya personne|il n y a personne|y a du monde|il y a du monde|quelqu un est la|y a quelqu un qui repond|" +
		"vous etes la|tu es la|t es la|t la|vous etes toujours la|tu es toujours la|t es toujours la|vous etes encore la|tu es encore la|" +
		"vous m entendez|vous me recevez|tu m entends|ca repond pas|ca ne repond pas|personne ne repond|" +
		"ca fonctionne|ca fonctionne pas|ca ne fonctionne pas|ca marche pas|ca ne marche pas|est ce que ca marche|est ce que ca fonctionne|" +
		"il y a quelqu un pour me repondre|ohe|youhou|ouhou|hou hou|ho ho|" +
		"is anyone there|anyone there|is anybody there|anybody there|anyone home|anybody home|is someone there|someone there|" +
		"are you there|you there|are you still there|still there|is this working|does this work|is it working|does it work|" +
		"hello anyone|hello anybody|anyone here|anybody here|hello is anyone there|is there anyone|is there anybody",
	aboutLeft: "il reste combien de questions|combien de questions il reste|combien il reste de questions|combien il reste|" +
		"combien il en reste|il en reste combien|il reste combien|reste combien|encore combien de questions|encore combien|" +
		"combien de questions encore|combien de questions restantes|combien reste t il de questions|combien en reste t il|" +
		"c est encore long|cest encore long|c encore long|ca va etre encore long|ca va encore etre long|c est encore loin|" +
		"il en reste beaucoup|il reste beaucoup de questions|il reste beaucoup|ca se termine quand|c est bientot fini|" +
		"c bientot fini|bientot fini|on a bientot fini|j ai bientot fini|on arrive a la fin|c est la fin bientot|" +
		"how many questions left|how many questions are left|how many are left|how many left|how many more questions|" +
		"how many more|how much longer|how much more|is it nearly over|is it almost over|are we nearly done|are we almost done|" +
		"almost done|nearly done|how many to go|how many questions to go|how many remaining|how many questions remaining",
	aboutLength: "combien de temps ca prend|ca prend combien de temps|ca dure combien de temps|combien de temps ca dure|combien de temps|" +
		"c est long|ca va etre long|ca prend du temps|ca prend longtemps|il y a combien de questions|combien de questions|" +
		"y a combien de questions|combien y a t il de questions|" +
		"c est obligatoire|est ce obligatoire|est ce que c est obligatoire|je dois tout remplir|je dois repondre a tout|" +
		"faut il repondre a tout|il faut repondre a tout|je suis oblige de repondre a tout|je suis obligee de repondre a tout|" +
		"on doit repondre a tout|je dois repondre a toutes les questions|c est obligatoire de tout remplir|c est obligatoire de repondre a tout|" +
		"est ce obligatoire de tout remplir|faut il tout remplir|il faut tout remplir|doit on tout remplir|je dois tout faire|faut il tout faire|" +
		"how long does it take|how long is it|how long will it take|how long|how many questions|how many questions are there|" +
		"is it compulsory|is it mandatory|do i have to answer everything|do i have to answer all|do i have to answer all the questions",
})

// phraseTopics maps each phrase of "a|b|c" lists to its topic.
func phraseTopics(byTopic map[string]string) map[string]string {
	m := map[string]string{}
	for topic, phrases := range byTopic {
		for p := range strings.SplitSeq(phrases, "|") {
			m[p] = topic
		}
	}
	return m
}

// aboutLeads may open such a question: « au fait, c'est anonyme ? ».
var aboutLeads = []string{"hello", "allo", "bonjour", "bonsoir", "salut", "coucou", "hi", "hey", "ohe", "euh", "au fait", "et", "mais", "sinon", "juste", "question", "une question", "petite question", "une petite question",
	"j ai une question", "dites moi", "dis moi", "by the way", "and", "but", "just", "quick question", "so", "ok", "d accord", "bon"}

// aboutTopic reads a question about the consultation itself.
func aboutTopic(n string) (string, bool) {
	if n == "" || len(strings.Fields(n)) > 12 {
		return "", false
	}
	candidates := []string{n}
	for _, l := range aboutLeads {
		if rest, ok := strings.CutPrefix(n, l+" "); ok {
			candidates = append(candidates, rest)
		}
	}
	for _, c := range candidates {
		if t, ok := aboutPhrases[c]; ok {
			return t, true
		}
	}
	for _, c := range candidates {
		if utf8.RuneCountInString(c) < 12 {
			continue
		}
		for p, t := range aboutPhrases {
			if utf8.RuneCountInString(p) >= 12 && near(c, p) {
				return t, true
			}
		}
	}
	return "", false
}

// The bot's own words people ask about, folded, by topic: the topics of
// the catalogue's Words, and the consultation itself (aboutPurpose),
// anonymity (aboutAnonymous) and the consent (HowTo "consent"), which
// are explained elsewhere already.
var wordTopics = phraseTopics(map[string]string{
	"pseudonym":    "pseudonyme|pseudonymes|pseudonyme technique|pseudo|pseudonym|pseudonymous",
	"academie":     "academie|academies|academy|academie de l education nationale",
	"theme":        "theme|themes|theme de la consultation",
	"data":         "donnees|donnees personnelles|data|personal data",
	"summary":      "synthese|summary",
	"profile":      "profil|profile",
	"consent":      "consentement|accord|consent",
	aboutAnonymous: "anonyme|anonymat|anonymous|anonymity",
	aboutPurpose: "consultation|etats generaux|etats generaux du numerique educatif|numerique educatif|questionnaire|" +
		"consultation nationale|survey",
})

// Ways to ask what a word means: « c'est quoi une académie ? », « je ne
// comprends pas ce que c'est un pseudonyme », « un thème, ça veut dire
// quoi ? », « what's a pseudonym? ». vagueWords ask about the whole
// thing (« c'est quoi exactement ? »): the consultation, where options
// are shown; at an open question, the question (help).
var (
	ownWordLeads = []string{"je ne comprends pas ce que c est", "je comprends pas ce que c est", "je ne comprends pas ce qu est",
		"je comprends pas ce qu est", "je ne sais pas ce que c est", "je sais pas ce que c est", "je ne sais pas ce qu est",
		"je sais pas ce qu est", "je ne comprends pas", "je comprends pas", "je ne comprends pas le mot", "je ne connais pas le mot",
		"qu est ce que c est", "qu est ce que", "qu est ce qu", "c est quoi", "cest quoi", "c quoi", "c koi", "c est koi",
		"ca veut dire quoi", "ca veux dire quoi", "que veut dire", "que signifie", "ca signifie quoi", "expliquez moi", "explique moi",
		"i don t understand what", "i dont understand what", "i don t know what", "i dont know what", "what is", "what s", "what are",
		"what does", "what do you mean by", "explain"}
	ownWordTails = []string{"c est quoi", "cest quoi", "c quoi", "ca veut dire quoi", "ca veux dire quoi", "ca signifie quoi",
		"exactement", "au juste", "means what", "mean", "means", "is", "are", "exactly", "svp", "s il vous plait", "please"}
	wordArticles = wordSet("un une le la l les votre vos ton ta ce cette cet mon ma mes c est a an the your this my")
	vagueWords   = phraseSet("exactement|au juste|exactly|ce truc|tout ca|ici|this|it|all this|this thing")
)

// wordAsked reads a question about what one of the bot's own words
// means, and its topic. open says the prompt takes free text: there a
// vague « c'est quoi exactement ? » is about the question, not read
// here.
func wordAsked(n string, open bool) (string, bool) {
	if n == "" || len(strings.Fields(n)) > 14 {
		return "", false
	}
	rest, asked := n, false
	for _, g := range []string{"bonjour", "bonsoir", "salut", "coucou", "hello", "hi"} {
		// « bonjour c koi ce truc »: the greeting says nothing more.
		if r, ok := strings.CutPrefix(rest, g+" "); ok {
			rest = r
			break
		}
	}
	for _, l := range ownWordLeads {
		if r, ok := strings.CutPrefix(rest, l+" "); ok {
			rest, asked = r, true
			break
		}
	}
	vague := false
	for cut := true; cut; {
		cut = false
		for _, t := range ownWordTails {
			if r, ok := strings.CutSuffix(rest, " "+t); ok {
				asked, cut, vague = asked || !vagueWords[t], true, vague || vagueWords[t]
				rest = r
				break
			}
		}
	}
	if !asked {
		return "", false
	}
	whole := rest // « ce truc », before « ce » goes as an article
	words := strings.Fields(rest)
	for len(words) > 0 && wordArticles[words[0]] {
		words = words[1:]
	}
	rest = strings.Join(words, " ")
	if t, ok := wordTopics[rest]; ok {
		return t, true
	}
	if !open && (vagueWords[rest] || vagueWords[whole] || rest == "" && vague) {
		return aboutPurpose, true
	}
	return "", false
}

// Requests for a language in a sentence: « langue française », « en
// français svp », « je préfère l'anglais », « can we speak English »,
// « hi, sorry I don't speak French, is there English? ».
var (
	languageNames = map[string]string{"francais": LangFR, "francaise": LangFR, "french": LangFR,
		"anglais": LangEN, "anglaise": LangEN, "english": LangEN}
	languageWords = wordSet("langue la le l en in version parler parlez parle parles speak speaking can could we you i je j veux voudrais " +
		"prefere preferer prefer want would like to continuer continue on peut peux pouvez vous it s est ce que possible ecrire " +
		"ecrivez repondre answer write switch change changer de du passer go please svp stp merci thanks moi me " +
		"hi hello hey bonjour salut sorry desole desolee excuse excusez pardon do does don t dont not ne n pas is there an a any " +
		"available only understand comprends comprend lis read bien tres very well much really c have has y il a une un ok oui yes " +
		"plutot rather instead anyone somebody someone quelqu qui")
	// languageSelf and languageNot make « I don't speak French » say
	// which language one cannot use; « vous ne parlez pas anglais ? »
	// still asks for English.
	languageSelf = wordSet("i je j")
	languageNot  = wordSet("don dont not pas")
)

// languageRequest reads a request for a language said in a sentence
// made only of words about languages, and the language asked for: the
// one named, or the other one when the person says they cannot use the
// one named.
func languageRequest(n string) (string, bool) {
	words := strings.Fields(n)
	if len(words) == 0 || len(words) > 14 {
		return "", false
	}
	want, cannot := "", ""
	self, not := false, false
	for _, w := range words {
		l, ok := languageNames[w]
		switch {
		case ok && self && not:
			if cannot != "" && cannot != l {
				return "", false
			}
			cannot, self, not = l, false, false
		case ok:
			if want != "" && want != l {
				return "", false
			}
			want = l
			self, not = false, false
		case !languageWords[w]:
			return "", false
		case languageSelf[w]:
			self, not = true, false
		case languageNot[w]:
			not = true
		}
	}
	switch {
	case want != "":
		return want, want != cannot
	case cannot == LangFR:
		return LangEN, true
	case cannot == LangEN:
		return LangFR, true
	}
	return "", false
}

// Words that tell the language of a first message. « hello », which
// French speakers say too, counts as English: it is how most English
// speakers open, and one French word in the message keeps French.
var (
	englishWords = wordSet("hello hi hey hiya howdy good morning afternoon evening i im id ill like would want to take " +
		"part participate join in the an and is are am this it what how can could do does you your my me we " +
		"please thanks thank there here about survey give opinion english speak of for with on")
	// englishTails end an English contraction (« I'm », « I'd », « we're »)
	// once folded: they tell nothing alone, as « d'acc » or « re » (back
	// again) are French.
	englishTails = wordSet("s d m ll ve re t")
	frenchWords  = wordSet("bonjour bonsoir salut coucou bjr slt cc je j suis voudrais veux aimerais participer le la les " +
		"un une des du de et est c ce que qui quoi comment pour avec sur dans moi vous tu nous mon ma mes oui non merci " +
		"svp stp francais commencer aide enquete donner avis ca va")
)

// writtenIn tells the language of a short message, "" when it cannot:
// English when at least half its words are English, none French, and
// the other way round. It chooses the language at first contact when the
// platform gives no hint (a Discord direct message carries none).
func writtenIn(text string) string {
	if utf8.RuneCountInString(text) > maxIntentLen {
		return ""
	}
	words := slices.DeleteFunc(strings.Fields(readingKey(text)), func(w string) bool { return englishTails[w] })
	en, fr := 0, 0
	for _, w := range words {
		switch {
		case englishWords[w]:
			en++
		case frenchWords[w]:
			fr++
		}
	}
	switch {
	case en > 0 && fr == 0 && 2*en >= len(words):
		return LangEN
	case fr > 0 && en == 0 && 2*fr >= len(words):
		return LangFR
	}
	return ""
}
