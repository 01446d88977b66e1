package flows

import (
	"fmt"
	"slices"
	"strings"
)

// Questions about commands that have an effect, and corrections of the
// profile or the académie, typed at any prompt. A question is answered,
// never run: « je peux effacer mes données ? » erases nothing, « est-ce
// que j'accepte quelque chose ? » gives no consent. A correction says
// something about the person, not about the subject: only clear
// phrasings count (« en fait je suis enseignant », « changer de
// profil »), and what is corrected is noted before going back to where
// the person was.

// Topics of a question about a command (readHowTo).
const (
	howToErase     = "erase"
	howToMyData    = "mydata"
	howToConsent   = "consent"
	howToReminders = "reminders"
)

// questionLeads make a message a question whatever follows: « comment
// effacer mes réponses », « est-ce que j'accepte quelque chose ».
var questionLeads = []string{"comment on fait pour", "comment faire pour", "comment je fais pour", "comment est ce qu on",
	"comment", "est ce que je peux", "est ce qu on peut", "est ce que", "est ce qu", "c est quoi", "c quoi", "qu est ce que",
	"qu est ce qu", "a quoi sert", "a quoi ca sert", "ca veut dire quoi", "pourquoi", "how do i", "how can i", "how to",
	"how do you", "can i", "could i", "what is", "what s", "what does", "is it possible to", "do i"}

// askLeads make a question only with a question mark: « je peux
// effacer mes données ? », where « je peux effacer mes données » asks
// for it.
var askLeads = []string{"je peux", "on peut", "peut on", "puis je", "il faut", "faut il", "je dois", "i can", "we can"}

// Words of the questions about each command: an erasing verb with what
// is erased (« mes données », « tout »); the data kept; the consent.
var (
	eraseVerbs   = wordSet("effacer efface effacez supprimer supprime supprimez retirer enlever detruire delete erase remove wipe")
	eraseObjects = []string{"mes donnees", "mes reponses", "mon compte", "mes infos", "mes informations", "ma participation",
		"toutes mes", "tout", "everything", "my data", "my answers", "my account", "all my", "vos donnees", "les donnees"}
	consentNouns  = wordSet("consentement consent")
	consentVerbs  = wordSet("consentir accord accepte accepter acceptez accepting refuser refuse")
	reminderWords = wordSet("rappel rappels relance relances reminder reminders")
	personWords   = wordSet("j je me moi mon ma i my vous votre you your")
)

// howTo reads a question about a command that has an effect, and its
// topic.
func howTo(raw, n string) (string, bool) {
	words := strings.Fields(n)
	if len(words) == 0 || len(words) > 12 {
		return "", false
	}
	rest, asked := "", false
	for _, l := range questionLeads {
		if r, ok := strings.CutPrefix(n, l+" "); ok {
			rest, asked = r, true
			break
		}
	}
	if !asked && strings.Contains(raw, "?") {
		rest, asked = n, true
		for _, l := range askLeads {
			if r, ok := strings.CutPrefix(n, l+" "); ok {
				rest = r
				break
			}
		}
	}
	if !asked {
		return "", false
	}
	padded := " " + rest + " "
	has := func(set map[string]bool, in string) bool {
		return slices.ContainsFunc(strings.Fields(in), func(w string) bool { return set[w] })
	}
	short := len(strings.Fields(rest)) <= 3 // « tout effacer », not « effacer tout des tablettes »
	switch {
	case has(eraseVerbs, rest) && slices.ContainsFunc(eraseObjects, func(o string) bool {
		return strings.Contains(padded, " "+o+" ") && (short || o != "tout" && o != "everything")
	}):
		return howToErase, true
	case has(consentNouns, rest) || has(consentVerbs, rest) && has(personWords, n):
		// « est-ce que j'accepte quelque chose ? », not « comment faire
		// accepter les écrans aux parents ? ».
		return howToConsent, true
	}
	if has(reminderWords, rest) {
		return howToReminders, true
	}
	if ev, ok := typedCommand(rest); ok && ev.Command == CmdMyData {
		return howToMyData, true
	}
	return "", false
}

// More topics of a question about the conversation itself (readHowTo):
// changing or removing one answer, correcting the profile or the
// académie, going back, changing theme.
const (
	howToChange   = "change"
	howToCorrect  = "correct"
	howToNavigate = "navigate"
)

// processTopic is a topic of the conversation and the words that name it.
type processTopic struct {
	topic string
	words map[string]bool
}

// Questions about the conversation itself, in the person's own words:
// « Est-ce que mes réponses seront lues par quelqu'un du ministère ? »,
// « combien de questions il reste ? », « on peut revenir en arrière ? »,
// « je peux changer d'académie ? ». What decides is the vocabulary: every
// word is one of the conversation (processTopics) or one that carries no
// subject (processGlue); a single word about the subject (« écrans »,
// « parents », « devoirs ») makes it an answer, question or not:
// « Comment faire accepter les écrans aux parents ? ».
var (
	// processTopics name each topic, strongest first: a message is read
	// as the first topic one of its words names.
	processTopics = []processTopic{
		{howToCorrect, wordSet("profil academie departement ville statut role region profile academy location")},
		{howToNavigate, wordSet("theme themes menu sujet")},
		{howToChange, changeWords},
		{howToErase, wordSet("effacer efface effacez effacent supprimer supprime supprimez perdu perdue perdus perdre perd " +
			"delete erase erased deleted lost lose wipe")},
		{howToNavigate, wordSet("revenir retour retourner arriere precedente precedent back previous")},
		{aboutLength, wordSet("arreter arrete arret stop stopper pause tard quitter combien reste " +
			"restent restantes temps long longue duree obligatoire obligatoires oblige obligee later quit many left " +
			"compulsory mandatory remaining finish")},
		{aboutBot, wordSet("robot bot humain humaine vraie personne quelqu derriere ia chatgpt gpt machine automatique lu lue lues " +
			"lus lira liront lire lit lisent voit verra verront ministere gouvernement human real someone anyone ai " +
			"read reads ministry")},
		{aboutAnonymous, wordSet("anonyme anonymes anonymat confidentiel confidentielle confidentiels nom identite apparait apparaitre " +
			"anonymous confidential name identity private")},
	}
	// leftWords ask how many questions are left rather than how many
	// there are.
	leftWords   = wordSet("reste restent restantes restants encore left remaining more")
	changeWords = wordSet("changer change modifier modifie corriger corrige edit modify correct")
	// processGlue are the words that go with them: pronouns, articles,
	// auxiliaries, question words, and the conversation's own nouns.
	processGlue = wordSet("je j tu t vous on il ils elle y a as ai avez ont est es sont c ce ca cela que qu qui quoi si " +
		"ne n pas mes ma mon me m les la le l des de du d un une au aux en par pour sur avec dans tout toute tous toutes " +
		"peux peut pouvez puis dois doit devez faut faire fait fais comment quand ou pourquoi combien possible " +
		"vraiment bien encore apres avant moi toi nous vos votre etre sera seront va vont veux voudrais voulez veut " +
		"aimerais donc alors bon ben mais et ok fait sinon juste question questions reponse reponses donnees " +
		"repondre plus autre cette ces celle pendant consultation questionnaire quelque part " +
		"i me my you your we it is are will be can could do does how what who when where if the a an to of for all " +
		"still there this that way answer answers again go really not or")
	// interrogatives make a message a question without a question mark:
	// « comment arrêter », « combien de questions il reste ».
	interrogatives = wordSet("comment combien qui quand pourquoi est how what who when can could do does is are will")
)

// processQuestion reads a question about the conversation itself, and
// what answers it. asked says the message is asked, not requested:
// « on peut revenir en arrière ? » is explained, « je veux revenir en
// arrière » goes back (the caller reads requests after the options).
func processQuestion(raw, n string, asked bool) (reading, bool) {
	words := strings.Fields(n)
	if len(words) < 2 || len(words) > 16 {
		return reading{}, false
	}
	if asked != (strings.Contains(raw, "?") || interrogatives[words[0]] || strings.HasPrefix(n, "est ce")) {
		return reading{}, false
	}
	if !asked {
		if _, lead := stripLead(n); !lead {
			return reading{}, false
		}
	}
	named := func(w string) bool {
		return slices.ContainsFunc(processTopics, func(t processTopic) bool { return t.words[w] })
	}
	if slices.ContainsFunc(words, func(w string) bool { return !named(w) && !processGlue[w] }) {
		return reading{}, false // a word about something else: the subject
	}
	topic := ""
	for _, t := range processTopics {
		has := func(w string) bool { return t.words[w] }
		if t.topic == howToCorrect && !slices.ContainsFunc(words, func(w string) bool { return changeWords[w] }) {
			continue // « c'est quoi une académie ? » asks for no change
		}
		if slices.ContainsFunc(words, has) {
			topic = t.topic
			break
		}
	}
	switch topic {
	case "":
		return reading{}, false
	case aboutLength:
		if slices.ContainsFunc(words, func(w string) bool { return leftWords[w] }) {
			// « combien il reste de questions ? »: how many are left, not
			// how many there are.
			topic = aboutLeft
		}
		return reading{kind: readAbout, topic: topic}, true
	case aboutBot, aboutAnonymous:
		return reading{kind: readAbout, topic: topic}, true
	case howToNavigate:
		return reading{kind: readHelp}, true
	case howToErase:
		if slices.Contains(words, "reponse") || slices.Contains(words, "answer") {
			// One answer, not everything: how to change it.
			return reading{kind: readHowTo, topic: howToChange}, true
		}
	}
	return reading{kind: readHowTo, topic: topic}, true
}

// howTo answers a question about a command: what it does and how to run
// it. At the consent, the details of what is kept answer it.
func (st *step) howTo(topic string) {
	switch {
	case st.s.Stage == StageConsent:
		st.consentDetails()
		return
	case st.erasePending(), topic == howToChange && (st.s.Stage == StageReview || st.s.Stage == StageEdit):
		// What erasing removes, with the confirmation's buttons; how to
		// change an answer, where answers are changed.
		st.help()
		return
	}
	st.say(st.howToText(topic))
	st.reshow()
}

// howToText is the answer to a question about a command: reminders
// where the channel cannot write later are not offered at all.
func (st *step) howToText(topic string) string {
	switch {
	case topic == howToReminders && !st.later:
		return st.rmsg().Unavailable
	case topic == howToChange:
		return st.msg().AnswersNext
	case topic == howToCorrect:
		return st.pmsg().DataCorrect
	}
	return st.msg().HowTo[topic]
}

// Topics of a correction (readChange).
const (
	changeProfile  = "profile"
	changeAcademie = "academie"
)

// changePhrases ask to correct the profile or the académie without
// saying to what.
var changePhrases = phraseTopics(map[string]string{
	changeProfile: "changer de profil|changer mon profil|changer le profil|changer profil|modifier mon profil|modifier le profil|" +
		"modifier profil|corriger mon profil|corriger le profil|mauvais profil|mon profil|profil|je me suis trompe de profil|" +
		"je me suis trompee de profil|changer de statut|modifier mon statut|changer de role|change my profile|change profile|" +
		"wrong profile|edit my profile|profile|my profile",
	changeAcademie: "changer d academie|changer mon academie|changer l academie|changer academie|modifier mon academie|" +
		"modifier l academie|corriger mon academie|corriger l academie|mauvaise academie|mon academie|academie|" +
		"je me suis trompe d academie|je me suis trompee d academie|changer de departement|changer mon departement|" +
		"modifier mon departement|changer de ville|changer ma ville|changer de region|changer de lieu|change my academie|" +
		"change academie|change my academy|change academy|change my location|wrong academie|wrong academy|my academie",
})

// correctionMarks say that what follows corrects what was said before:
// « je me suis trompé, je suis enseignant », « I'm actually a teacher ».
// Longest first, so that the whole mark is cut.
var correctionMarks = func() []string {
	marks := []string{"je me suis trompe", "je me suis trompee", "je me suis trompe e", "je me suis plante",
		"je me suis plantee", "je me suis trompe de reponse", "en fait", "en realite", "finalement", "pardon", "oups",
		"erreur", "correction", "je corrige", "rectification", "actually", "sorry", "in fact", "my mistake", "my bad",
		"i made a mistake", "oops", "erreur de ma part", "par erreur", "by mistake", "pour info", "au fait"}
	slices.SortStableFunc(marks, func(a, b string) int { return len(b) - len(a) })
	return marks
}()

// selfLeads say who one is: « je suis enseignante », « I'm a teacher ».
var selfLeads = []string{"je suis un", "je suis une", "je suis", "moi je suis", "moi c est", "suis", "i m a", "i m an", "i am a",
	"i am an", "i m the", "i am the", "i m", "i am", "im a", "im"}

// placeSubjects start a sentence that says where one lives.
var placeSubjects = []string{"je suis", "jsuis", "chui", "j habite", "jhabite", "je vis", "on habite", "on est", "on vit",
	"nous habitons", "nous sommes", "nous vivons", "i live", "i m in", "im in", "i am in", "we live"}

// correction reads a correction of the profile or the académie, with
// the profile or the place it names, if any. text is the message as
// typed, n its normalized form.
func correction(text, n string, q *Questionnaire) (reading, bool) {
	if t, ok := changePhrases[n]; ok {
		return reading{kind: readChange, topic: t}, true
	}
	words := strings.Fields(n)
	if q == nil || len(words) < 2 {
		return reading{}, false
	}
	if rd, ok := correctionSaid(text, q); ok {
		return rd, true
	}
	if len(words) > 12 {
		return reading{}, false
	}
	padded, marked := " "+n+" ", false
	for _, m := range correctionMarks {
		if i := strings.Index(padded, " "+m+" "); i >= 0 {
			padded, marked = padded[:i]+" "+padded[i+len(m)+2:], true
		}
	}
	if !marked {
		return reading{}, false
	}
	rest := strings.Join(strings.Fields(padded), " ")
	for {
		w, r, ok := strings.Cut(rest, " ")
		if !ok || !leadWords[w] && w != "ah" && w != "oh" && w != "mais" && w != "so" {
			break
		}
		rest = r
	}
	if t, ok := changePhrases[rest]; ok {
		return reading{kind: readChange, topic: t}, true
	}
	for _, l := range selfLeads {
		x, ok := strings.CutPrefix(rest, l+" ")
		if !ok || len(strings.Fields(x)) > 4 {
			continue
		}
		opts := profileOpts(q, LangFR)
		if rd := readOne(x, "", opts, false, q); rd.kind == readOption && rd.opt.action == actProfile {
			return reading{kind: readChange, topic: changeProfile, opt: rd.opt}, true
		}
	}
	for _, s := range placeSubjects {
		if !strings.HasPrefix(rest, s+" ") {
			continue
		}
		if pr := readPlace(rest); len(strings.Fields(pr.text)) <= 5 && pr.found() {
			return reading{kind: readChange, topic: changeAcademie, place: rest}, true
		}
		break
	}
	return reading{}, false
}

// profileOpts are the options of the profile prompt, labelled in lang.
func profileOpts(q *Questionnaire, lang string) []opt {
	opts := make([]opt, 0, len(q.Profiles))
	for _, p := range q.Profiles {
		opts = append(opts, opt{actProfile, p.ID, p.Label.In(lang)})
	}
	return opts
}

// change corrects the profile or the académie, or asks for it, from
// wherever the person stands; once given, they are back there (see
// Session.Back).
func (st *step) change(rd reading) {
	s := &st.s
	m := st.msg()
	switch {
	case s.Stage == StageConsent:
		// Nothing is kept before the consent: there is nothing to correct.
		st.say(m.NotYet)
		st.reshow()
	case rd.topic == changeAcademie && s.Stage == StageProfile:
		// The académie comes after the profile: one step at a time.
		st.say(m.NotYet)
		st.reshow()
	case rd.topic == changeProfile && rd.opt.action == actProfile:
		s.Profile = rd.opt.arg
		if s.Stage == StageProfile {
			st.profileChosen()
			return
		}
		st.say(st.profileNote())
		st.reshow()
	case rd.topic == changeProfile:
		if s.Stage != StageProfile {
			st.leaveFor(StageProfile)
		}
		r, opts := st.profilePrompt()
		if p := st.m.q.Profile(s.Profile); p != nil {
			r.Text = fmt.Sprintf(m.ProfileChangeAsk, p.Label.In(s.Lang))
		}
		st.show(r, opts)
	case rd.place != "":
		if s.Stage != StageAcademie {
			st.leaveFor(StageAcademie)
		}
		st.place(rd.place)
	default:
		if s.Stage != StageAcademie {
			st.leaveFor(StageAcademie)
		}
		if s.Academie != "" {
			st.say(fmt.Sprintf(m.AcademieCurrent, s.Academie))
		}
		st.askAcademie()
	}
}

// leaveFor goes to an onboarding stage to correct it, remembering where
// to come back to.
func (st *step) leaveFor(stage Stage) {
	if st.s.Back == "" && st.s.Stage != StageProfile && st.s.Stage != StageAcademie {
		st.s.Back = st.s.Stage
	}
	st.s.Stage = stage
}

// keepWords leave a re-asked profile or académie as it was: « c'est
// bon », « rien », « pareil », « annuler », « laisse ».
var keepWords = phraseSet("c est bon|c bon|cest bon|ok c est bon|oui c est bon|non c est bon|c est bon merci|c est ok|ok|okay|oui|non|" +
	"rien|rien a changer|ne rien changer|on ne change rien|je ne change rien|je change rien|rien ne change|pas de changement|aucun changement|" +
	"pareil|c est pareil|c pareil|idem|pareil qu avant|comme avant|toujours pareil|pas de modif|c est juste|c est correct|tout est bon|ca me va|ca va|non ca va|" +
	"annuler|annule|laisse|laisser|laisse tomber|laisser tomber|laisse comme ca|on laisse|je laisse|on laisse comme ca|" +
	"garder|je garde|on garde|garde|je garde le meme|le meme|la meme|finalement non|non finalement|retour|revenir|non merci|" +
	"nothing|no change|keep|keep it|cancel|never mind|nevermind|same|the same|it s fine|fine|no|back|leave it|that s fine|all good")

// keepsCurrent reports words that leave a re-asked profile or académie
// as it was (see keepWords), where a correction asked for it.
func (st *step) keepsCurrent(short string) bool {
	s := &st.s
	if s.Back == "" || s.Stage != StageProfile && s.Stage != StageAcademie {
		return false
	}
	if p := st.pending(); p != nil && p.Kind != PendingPlace {
		return false
	}
	return keepWords[short]
}

// keepCurrent leaves the profile or académie asked again as it was, says
// so, and goes back to where the correction started.
func (st *step) keepCurrent() {
	s, m := &st.s, st.msg()
	switch {
	case s.Stage == StageProfile && st.m.q.Profile(s.Profile) != nil:
		st.say(fmt.Sprintf(m.ProfileSame, st.m.q.Profile(s.Profile).Label.In(s.Lang)))
	case s.Stage == StageAcademie && s.Academie != "":
		st.say(fmt.Sprintf(m.AcademieSame, fmt.Sprintf(m.AcademieOf, elide(s.Lang, s.Academie))))
	case s.Stage == StageAcademie:
		st.say(m.AcademieNone)
	}
	s.Pending = nil
	st.backFromCorrection()
}

// backFromCorrection returns to where the person stood before correcting
// their profile or académie, and reports whether there was such a place.
func (st *step) backFromCorrection() bool {
	b := st.s.Back
	if b == "" {
		return false
	}
	st.s.Back, st.s.Stage = "", b
	st.reshow()
	return true
}

// profileChosen follows the profile's choice: the académie, or back to
// where a correction started.
func (st *step) profileChosen() {
	if st.s.Back != "" {
		st.say(st.profileNote())
		st.chosen = "" // the note says it
		st.backFromCorrection()
		return
	}
	st.askAcademie()
}

// profileNote notes a corrected profile: set, reaching the earlier
// answers, or the one already given, so that nothing changes.
func (st *step) profileNote() string {
	m, label := st.msg(), st.m.q.Profile(st.s.Profile).Label.In(st.s.Lang)
	if st.s.Profile == st.profile {
		return fmt.Sprintf(m.ProfileSame, label)
	}
	return fmt.Sprintf(m.ProfileSet, label) + st.earlierToo()
}

// earlierToo is what the note of a corrected profile or académie adds
// when the person had answered already: the correction counts for their
// earlier answers too, as the store applies it to all of them. Nothing
// when nothing changed or there is no answer.
func (st *step) earlierToo() string {
	if len(st.s.Answers) == 0 || st.s.Profile == st.profile && st.s.Academie == st.academie {
		return ""
	}
	return " " + st.msg().EarlierToo
}

// A correction said in one's own words, over a few clauses: « oups
// pardon je me suis trompée, je ne suis pas enseignante, je suis CPE donc
// personnel de vie scolaire », « en fait on a déménagé à Toulouse »,
// « Actually I'm not in Lyon, we moved to Villeurbanne last month ».
// Every clause must say who one is or is not, where one lives or has
// moved, or only mark the correction: one clause about anything else
// (« …et l'école n'avait pas de tablettes ») makes it an answer.
var (
	// notSelf say who or where one is not: « je ne suis pas enseignante »,
	// « pas parent », « I'm not in Lyon ».
	notSelf = []string{"je ne suis pas", "je ne suis plus", "je suis pas", "je suis plus", "jsuis pas", "i m not", "i am not",
		"im not", "not", "pas"}
	// saidSelf recall what one said by mistake: « j'ai dit parent ».
	saidSelf = []string{"j ai dit", "jai dit", "j ai mis", "jai mis", "j ai clique sur", "jai clique sur", "j ai choisi",
		"i clicked", "i clicked on", "i said", "i chose", "i picked"}
	// movedTo say where one has moved or now lives.
	movedTo = []string{"on a demenage a", "on a demenage sur", "on a demenage dans", "on a demenage", "j ai demenage a",
		"j ai demenage", "nous avons demenage a", "nous avons demenage", "on vient de demenager a", "je viens de demenager a",
		"on vient de demenager", "we moved to", "i moved to", "we ve moved to", "we live in", "i live in", "we re in",
		"we are in", "i m in", "i am in", "im in"}
	// whenWords date a change: they only mark the correction.
	whenWords = []string{"maintenant", "desormais", "depuis septembre", "depuis peu", "recemment", "le mois dernier",
		"l ete dernier", "l annee derniere", "cette annee", "tout a l heure", "de bouton", "now", "last month",
		"last year", "this year", "recently"}
	// clauseBreaks start a new clause: « … mais à Grenoble », « … donc
	// personnel », « … not a parent », « … je suis prof ».
	clauseBreaks = wordSet("mais donc but so")
	clauseStarts = []string{"je suis", "je ne suis", "i m", "i am", "on a", "we moved", "we live", "i live", "i moved",
		"j ai", "moi c est", "on habite", "j habite", "on est", "on vit", "nous avons", "not", "pas"}
	// notAfter keep « pas » in its clause: « je suis pas », « je n'ai pas ».
	notAfter = wordSet("suis ne n m am jsuis ai est es c")
)

// correctionSaid reads a correction said over a few clauses.
func correctionSaid(text string, q *Questionnaire) (reading, bool) {
	var clauses [][]string
	for c := range strings.FieldsFuncSeq(text, func(r rune) bool { return strings.ContainsRune(",;.!?…:()\n", r) }) {
		words, cur := strings.Fields(normalize(c)), []string(nil)
		for i, w := range words {
			rest := " " + strings.Join(words[i:], " ") + " "
			starts := len(cur) > 0 && slices.ContainsFunc(clauseStarts, func(s string) bool { return strings.HasPrefix(rest, " "+s+" ") }) &&
				!((w == "pas" || w == "not") && notAfter[cur[len(cur)-1]])
			if clauseBreaks[w] || starts {
				clauses, cur = append(clauses, cur), nil
			}
			if !clauseBreaks[w] {
				cur = append(cur, w)
			}
		}
		clauses = append(clauses, cur)
	}
	if len(clauses) > 8 {
		return reading{}, false
	}
	opts := profileOpts(q, LangFR)
	profileOf := func(x string) (opt, bool) {
		if k := len(strings.Fields(x)); k == 0 || k > 4 {
			return opt{}, false
		}
		rd := readOne(x, "", opts, false, q)
		return rd.opt, rd.kind == readOption && rd.opt.action == actProfile
	}
	placeOf := func(x string) bool {
		pr := readPlace(x)
		return len(strings.Fields(x)) <= 6 && len(strings.Fields(pr.text)) <= 3 && pr.found() && !pr.abroad
	}
	cut := func(c string, list []string) (string, bool) {
		for _, l := range list {
			if r, ok := strings.CutPrefix(c, l+" "); ok {
				return r, true
			}
		}
		return c, false
	}
	marked := false
	var said, not []opt
	place := ""
	for _, words := range clauses {
		c := " " + strings.Join(words, " ") + " "
		for _, m := range append(slices.Clone(correctionMarks), whenWords...) {
			if strings.Contains(c, " "+m+" ") {
				c, marked = strings.ReplaceAll(c, " "+m+" ", " "), true
			}
		}
		c = strings.Join(strings.Fields(c), " ")
		for {
			w, r, ok := strings.Cut(c, " ")
			if !ok || !leadWords[w] && w != "ah" && w != "oh" && w != "wait" && w != "attendez" {
				break
			}
			c = r
		}
		if c == "" || leadWords[c] {
			continue
		}
		if x, ok := cut(c, notSelf); ok {
			marked = true
			if o, ok := profileOf(x); ok {
				not = append(not, o)
			} else if _, ok := profileOf(strings.TrimPrefix(x, "a ")); !ok && !placeOf(x) {
				return reading{}, false
			}
			continue
		}
		if x, ok := cut(c, saidSelf); ok {
			o, ok := profileOf(strings.TrimPrefix(x, "sur "))
			if !ok {
				return reading{}, false
			}
			marked, not = true, append(not, o)
			continue
		}
		if x, ok := cut(c, movedTo); ok && placeOf(x) {
			marked, place = true, x
			continue
		}
		if x, ok := cut(c, selfLeads); ok {
			if o, ok := profileOf(x); ok {
				said = append(said, o)
				continue
			}
		}
		if slices.ContainsFunc(placeSubjects, func(s string) bool { return strings.HasPrefix(c, s+" ") }) && placeOf(c) {
			place = c
			continue
		}
		if len(said) > 0 || len(not) > 0 || marked {
			// « … donc personnel de vie scolaire », « … mais à Grenoble ».
			if o, ok := profileOf(c); ok && len(strings.Fields(c)) <= 4 {
				said = append(said, o)
				continue
			}
			if strings.HasPrefix(c, "a ") || strings.HasPrefix(c, "in ") || strings.HasPrefix(c, "dans ") {
				if placeOf(c) {
					place = c
					continue
				}
			}
		}
		return reading{}, false
	}
	if !marked {
		return reading{}, false
	}
	said = slices.DeleteFunc(said, func(o opt) bool { return slices.Contains(not, o) })
	slices.SortFunc(said, func(a, b opt) int { return strings.Compare(a.arg, b.arg) })
	said = slices.Compact(said)
	switch {
	case len(said) == 1 && place == "":
		return reading{kind: readChange, topic: changeProfile, opt: said[0]}, true
	case len(said) > 1:
		return reading{kind: readChange, topic: changeProfile}, true
	case place != "" && len(said) == 0:
		return reading{kind: readChange, topic: changeAcademie, place: place}, true
	}
	return reading{}, false
}
