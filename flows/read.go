package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// More button actions: the consent details, removing one answer, the
// quick check of a short answer, the language switch and a place.
const (
	actMore    = "more"    // the consent's details
	actRemove  = "remove"  // remove the answer being edited
	actStore   = "store"   // yes, the short message is my answer
	actRetype  = "retype"  // no, I will write my answer again
	actLangYes = "langyes" // switch to the pending language
	actLangNo  = "langno"  // keep the current language
	actPlace   = "place"   // arg: a place id
	actHeldYes = "heldyes" // offer the sentence kept at another theme
	actHeldNo  = "heldno"  // drop it and show the theme chosen
)

// text handles a typed message: it is read at the current prompt, and
// only what reads as an answer is stored.
func (st *step) text(raw string) {
	s := &st.s
	m := st.msg()
	if !utf8.ValidString(raw) {
		st.say(m.Unreadable)
		return
	}
	text := sanitizeText(raw)
	if IsBlank(text) && !strings.Contains(text, "?") {
		st.say(m.EmptyText)
		return
	}
	if s.Stage == StagePaused && utf8.RuneCountInString(text) <= maxIntentLen {
		if id, ok := themeAsked(normalize(text), st.m.q); ok {
			// « on passe au thème 4 » after a pause: that theme, not
			// the question left.
			st.toTheme(id)
			return
		}
	}
	if s.Stage == StagePaused {
		// Any message after a pause resumes the conversation, unless it
		// asks for something else.
		switch rd := st.read(text); rd.kind {
		case readCommand:
			st.typedCommand(rd.cmd)
		case readHelp:
			st.help()
		case readLeave:
			st.say(m.Bye) // still paused: « au revoir » is no return
		case readThanks:
			st.say(m.ThanksBack + " " + m.Bye) // « merci » is no return either
		case readAbout:
			st.about(rd.topic)
			st.resume()
		case readWord:
			st.explainWord(rd.topic)
			st.resume()
		case readTheme:
			st.explainTheme(rd.topic)
		case readHowTo:
			st.say(st.howToText(rd.topic))
			st.resume()
		case readChange:
			st.change(rd)
		case readUnclear:
			st.resumeWith(text)
		default:
			st.resume()
		}
		return
	}
	// Requests to change or remove one answer are short: a long message
	// is not folded for them.
	short := ""
	if utf8.RuneCountInString(text) <= maxIntentLen {
		short = normalize(text)
	}
	if s.Stage == StageQuestion || s.Stage == StageEdit {
		// « modifier 2 », « changer la réponse 3 »: a change of an earlier
		// answer of this theme, not an answer.
		if n, ok := editNumber(short); ok && st.pending() == nil && !st.asksReview(text) {
			th := st.m.q.Theme(s.Theme)
			if rt := st.reviewed(); rt != nil && s.Stage == StageQuestion {
				// The numbered answers in sight are the recap's.
				th = rt
			}
			if n >= 1 && n <= len(th.Questions) {
				if s.Stage == StageQuestion {
					// Once changed, back here: see Session.From.
					s.From, s.FromReviewed = AnswerKey(s.Theme, s.Question), s.Reviewed
				}
				s.Stage, s.Theme, s.Question, s.Reviewed = StageEdit, th.ID, th.Questions[n-1].ID, ""
				st.showQuestion()
				return
			}
		}
	}
	if s.Stage == StageQuestion && st.pending() == nil {
		// « supprimer 2 »: the same numbers, removed rather than changed,
		// then that theme's review.
		if n, ok := removeNumber(short); ok {
			th := st.m.q.Theme(s.Theme)
			if rt := st.reviewed(); rt != nil {
				th = rt
			}
			if n >= 1 && n <= len(th.Questions) {
				s.Theme, s.Reviewed = th.ID, ""
				st.remove(th.Questions[n-1].ID)
				return
			}
		}
	}
	if s.Stage == StageQuestion && st.reviewed() != nil && st.pending() == nil && (validateWords[short] || approves(short)) {
		// « valider » below the recap of the theme just completed: it is
		// validated now, as moving on would, and the question stays.
		st.validateReviewed()
		st.showQuestion()
		return
	}
	if s.Stage == StageQuestion && st.pending() == nil {
		if removesPrevious(short) {
			// « efface ma dernière réponse »: asked first, nothing stored.
			st.askRemovePrevious()
			return
		}
		if k, rest, ok := revisitSaid(text); ok && st.revisit(k, rest) {
			// « je reviens sur la question 1 : en fait on a deux ordis »:
			// that question, with the text offered there.
			return
		}
	}
	if (s.Stage == StageQuestion || s.Stage == StageEdit) && st.pending() == nil {
		if id, ok := themeAsked(short, st.m.q); ok {
			// « je veux aller au thème 4 »: that theme, as chosen at the
			// menu; nothing is stored.
			st.toTheme(id)
			return
		}
	}
	if st.ahead(text) || st.profileWithOpinion(text) {
		return
	}
	if s.Stage == StageReview {
		if n, ok := removeNumber(short); ok {
			th := st.m.q.Theme(s.Theme)
			if n >= 1 && n <= len(th.Questions) {
				held, mark := st.pending(), len(st.out)
				st.remove(th.Questions[n-1].ID)
				if held != nil && held.Kind == PendingAdd {
					// A sentence waiting for its question still waits:
					// asked where it goes, rather than the review.
					kept := st.out[:mark]
					for _, r := range st.out[mark:] {
						if len(r.Options) == 0 {
							kept = append(kept, r)
						}
					}
					st.out = kept
					st.holdAtReview(held.Text)
				}
				return
			}
		}
	}
	if p := st.pending(); p != nil && p.Kind == PendingAdd && menuAsked(short) {
		// « je veux retourner au menu » while a sentence waits for its
		// question: the menu, the sentence kept for the theme chosen.
		st.typedCommand(Event{Kind: EventCommand, Command: CmdMenu})
		return
	}
	if p := st.pending(); p != nil && p.Kind == PendingAdd && st.addTypedWords(p, short) {
		return
	}
	if p := st.pending(); p != nil && p.Kind == PendingLong && st.now.Sub(p.At) <= longSplitWindow && st.now.Sub(p.At) >= 0 {
		st.say(m.LongContinued + "\n\n" + text)
		p.At = st.now
		st.wayOn = true // the text is being shortened for the question above
		return
	}
	if st.keepsCurrent(short) {
		st.keepCurrent()
		return
	}
	rd := st.read(text)
	if p := st.pending(); p != nil && p.Kind == PendingRemovePrev && rd.kind == readOption && rd.opt.action == actRmPrev && nods(text) {
		// « ok », « 👍 »: a nod removes nothing for good; asked once
		// more, plainly.
		st.removePrevAgain(p.Answer)
		return
	}
	if st.opinionAtReview(text, rd) {
		rd = reading{kind: readUnclear}
	}
	if p := st.pending(); p != nil && p.Kind == PendingCheck && rd.kind != readOption && rd.kind != readCommand {
		// « Est-ce votre réponse ? » offers only yes and no, said in any
		// words; « passer », « retour » or « plus tard » typed there are
		// the question's own ways on, and a reflex (« bof », « attends »)
		// is not understood: none is a new answer to store.
		r, opts := st.questionPrompt()
		if cr := st.checkReading(text); cr.kind != readAnswer {
			rd = cr
		} else if qr := readText(text, opts, r.Expect == ExpectText, st.m.q); qr.kind == readOption {
			s.Pending = nil
			// Shown as the tap shows it (« ✓ Passer »), above what
			// became of the text in question.
			_, st.chosen = st.tapOf(Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: qr.opt.action, arg: qr.opt.arg}.String()})
			st.say(st.checkDropped(p, m))
			rd = qr
		} else if rd.kind == readCheck || hesitates(short) {
			rd = reading{kind: readUnclear}
		}
	}
	if p := st.pending(); p != nil && p.Kind == PendingPlace && rd.kind == readOption && slices.Contains(p.Places, placeAbroad) &&
		readPlace(text).alsoAbroad {
		// « Argentine » typed again is no pick of the button « Argentine
		// (73) »: the name still says either.
		rd = reading{kind: readUnclear}
	}
	if st.justWelcomed() && (rd.kind == readGreeting || rd.kind == readUnclear) {
		if l := writtenIn(text); l != "" && l != s.Lang && !s.LangSaid {
			// The welcome came before the person said anything (the
			// terminal shows it at once); their first words, in the
			// other language, choose it: welcome again in it, or the
			// consent's details for a question.
			s.Lang, s.LangSaid = l, true
			if rd.kind == readUnclear && strings.Contains(text, "?") {
				st.consentDetails()
				return
			}
			st.firstContact(Event{})
			return
		}
		if rd.kind == readGreeting {
			// The consent is just above: asked again in one line.
			st.say(m.Hello)
			r, opts := st.consentPrompt()
			r.Text = st.pmsg().ConsentAgain
			st.show(r, opts)
			return
		}
	}
	switch rd.kind {
	case readOption:
		ev := Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: rd.opt.action, arg: rd.opt.arg}.String()}
		if len(st.out) == 0 {
			// Shown as a tap shows it (« ✓ Enseignant ou enseignante »
			// for « CPE »): how the words were understood.
			_, st.chosen = st.tapOf(ev)
		}
		st.handle(ev)
	case readCommand:
		if st.goOnFromMenu(rd) {
			return
		}
		st.typedCommand(rd.cmd)
	case readHelp:
		st.help()
	case readGreeting:
		if s.Stage == StageConsent || s.Stage == StageProfile || s.Stage == StageAcademie {
			st.say(m.Hello)
		} else {
			st.say(m.Greeting)
		}
		st.reshow()
	case readLeave:
		if s.Stage == StageReview && st.pending() == nil {
			// No pause button at the review, but leaving there is
			// pausing: coming back shows the review again.
			st.pause()
			return
		}
		st.say(m.Bye)
		st.reshow()
	case readAbout:
		if s.Stage == StageConsent && rd.topic != aboutHere {
			// The details answer what is kept, why and by whom.
			st.consentDetails()
			return
		}
		st.about(rd.topic)
		st.reshow()
	case readWord:
		st.explainWord(rd.topic)
		st.reshow()
	case readTheme:
		st.explainTheme(rd.topic)
	case readSeveral:
		st.severalProfiles(rd.opts)
	case readKin:
		st.say(fmt.Sprintf(m.ProfileKin, rd.opts[0].label, rd.opts[1].label))
		st.reshow()
	case readHowTo:
		st.howTo(rd.topic)
	case readChange:
		st.change(rd)
	case readNoBack:
		st.say(m.NoBack)
		st.reshow()
	case readThanks:
		st.say(m.ThanksBack)
		st.reshow()
	case readAnyTheme:
		st.firstOpenTheme()
	case readNoOption:
		if p := st.pending(); p != nil && p.Kind == PendingPlace && !signedNumber(text) {
			// « 93 » among homonyms: a département, not an option.
			st.placeAgain(p, text)
			return
		}
		if st.atReview() {
			// The review's numbers are the questions': its line says so.
			st.remindReview(fmt.Sprintf(m.ReviewNoSuchOption, shorten(sanitizeLine(text), 60), st.reviewWays()))
			return
		}
		if _, opts := st.current(); len(opts) > 1 {
			numbers := "1" + m.OrJoin + "2"
			if len(opts) > 2 {
				numbers = fmt.Sprintf(m.NumberRange, len(opts))
			}
			st.say(fmt.Sprintf(m.NoSuchOption, shorten(sanitizeLine(text), 60), numbers))
			st.reshow()
			return
		}
		st.unclear(text)
	case readOtherNumber:
		if st.firstSteps() {
			// « on passe au thème 2 » before the menu: the themes come
			// once these steps are done.
			st.say(m.NotYet)
			st.reshow()
			return
		}
		st.unclear(text)
	case readOneAtATime:
		_, opts := st.current()
		var nums []string
		for _, o := range rd.opts {
			nums = append(nums, strconv.Itoa(slices.Index(opts, o)+1))
		}
		st.say(fmt.Sprintf(m.OneAtATime, strings.Join(nums[:len(nums)-1], ", ")+m.OrJoin+nums[len(nums)-1]))
		st.reshow()
	case readUnclear:
		if p := st.pending(); p != nil && p.Kind == PendingPlace {
			// « 93 », « celui du 93 », « seine saint denis »: read as a
			// place again, then matched with the places offered.
			st.placeAgain(p, text)
			return
		}
		if s.Stage == StageConsent && strings.Contains(text, "?") {
			// A question about what is kept is answered by the details.
			st.consentDetails()
			return
		}
		if s.Stage == StageMenu && aboutTheMenu(text) {
			// « je ne sais pas lequel choisir »: about the choice, not
			// the subject.
			st.help()
			return
		}
		if st.holdAtReview(text) {
			// More to say, not a way on: kept, and asked where it goes.
			return
		}
		if s.Stage == StageMenu && st.holdAtMenu(text) {
			// An opinion, not a theme: kept for the theme chosen next
			// (see Session.Held), as at the académie.
			st.say(m.MenuHeld)
			st.reshow()
			return
		}
		st.unclear(text)
	default:
		st.freeText(text, rd.kind == readCheck)
	}
}

// firstOpenTheme opens the first theme not validated, saying so: the way
// on the menu suggests.
func (st *step) firstOpenTheme() {
	s := &st.s
	for i, th := range st.m.q.Themes {
		if _, done := s.Confirmed[th.ID]; !done {
			st.say(fmt.Sprintf(st.msg().AnyTheme, i+1, th.Title.In(s.Lang)))
			st.enterTheme(th.ID)
			return
		}
	}
	st.reshow() // every theme is validated, as the menu says
}

// restartWords ask to start over, not to go on: typed at the menu they
// show it, as /start does.
var restartWords = wordSet("recommencer")

// goOnFromMenu takes « start », « commencer », « reprendre » typed at
// the menu as a person means them there, and reports whether it did: the
// question left in progress again, else the first theme not validated
// (/start and /reprendre, with their slash, show the menu back).
func (st *step) goOnFromMenu(rd reading) bool {
	s := &st.s
	if s.Stage != StageMenu || st.pending() != nil || restartWords[rd.topic] ||
		rd.cmd.Command != CmdStart && rd.cmd.Command != CmdResume {
		return false
	}
	if st.m.q.Question(s.Theme, s.Question) != nil {
		st.resume()
		return true
	}
	st.firstOpenTheme()
	return true
}

// toTheme goes to theme id, asked for by its number away from the menu,
// as a tap on its button there would: its first unanswered question, or
// its review.
func (st *step) toTheme(id string) {
	if len(st.out) == 0 {
		st.chosen = st.m.q.Theme(id).Title.In(st.s.Lang)
	}
	st.start(id)
	st.enterTheme(id)
}

// checkReading reads at « Est-ce votre réponse ? » the yes in any words
// (« c'est bon », « ça me va », « c'est bon pour moi ») and the buttons'
// numbers, which keep or rewrite the text in question; anything else
// reads as an answer, for the caller to read further. The text in
// question is never lost to a reflex: only a real new answer takes its
// place.
func (st *step) checkReading(text string) reading {
	_, opts := st.current()
	if signedNumber(text) {
		return reading{kind: readNoOption}
	}
	n := ""
	if utf8.RuneCountInString(text) <= maxIntentLen {
		n = normalize(text)
	}
	if i, ok := optionNumber(n); ok {
		if i >= 1 && i <= len(opts) {
			return reading{kind: readOption, opt: opts[i-1]}
		}
		return reading{kind: readNoOption}
	}
	p := st.pending()
	offered := p != nil && p.Held
	if i := slices.IndexFunc(opts, func(o opt) bool { return o.action == actStore }); i >= 0 && (approves(n) || doneWords[n] || offered && takeWords[n]) {
		// « c'est tout », « j'ai fini » after a short text: « yes,
		// that's my answer », stored and said so, not a pause that
		// would drop it unsaid. « remplacer », « ajouter » at a text
		// offered for the question (kept from earlier, or written for
		// it from another): take it, not store the word.
		return reading{kind: readOption, opt: opts[i]}
	}
	return reading{kind: readAnswer}
}

// takeWords take a text offered as a question's answer (see checkReading).
var takeWords = phraseSet("remplacer|remplace|remplacez|remplacer la reponse|completer|complete|completez|ajouter|ajoute|" +
	"ajoutez|ajouter le|mettre|mets le|garder|garde le|gardez le|replace|replace it|add|add it|keep it|use it|take it")

// validateWords validate a theme, wherever it is offered: typed at its
// review (with the words of having finished, actionWords[actConfirm]) or
// below its recap. approves reads the rest (« ok », « parfait »).
var validateWords = phraseSet(validatePhrases)

const validatePhrases = "valider|valide|je valide|validez|on valide|c est valide|ok c est valide|ok valide|c est bon|" +
	"c bon|ok c bon|ok c est bon|c est tout bon|tout est bon|tout bon|confirmer|je confirme|parfait je valide|ok valider|" +
	"confirm|validate|looks good|all good"

// ahead reads a message that answers the onboarding prompt in sight and
// the next one at once: « j'accepte, je suis parent », « ok je suis
// prof » (the consent, then the profile), « parent à Lyon » (the profile,
// then the académie). Both are taken, in order, the prompt between them
// left out, and it reports true; otherwise it does nothing.
func (st *step) ahead(text string) bool {
	s := &st.s
	if st.pending() != nil || s.Stage != StageConsent && s.Stage != StageProfile || s.Back != "" ||
		utf8.RuneCountInString(text) > maxIntentLen {
		return false
	}
	words := strings.Fields(text)
	_, opts := st.current()
	switch readText(text, opts, false, st.m.q).kind {
	case readSeveral, readOneAtATime:
		return false // « 2, 3 » names two profiles, not a profile and a place
	}
	for i := 1; i < len(words); i++ {
		// The consent is said first and in few words: the shortest head
		// leaves the profile whole (« … je suis enseignante en CM2 »);
		// a place comes last: the longest profile leaves it alone.
		k := i
		if s.Stage == StageProfile {
			k = len(words) - i
		}
		head, rest := strings.Join(words[:k], " "), strings.Join(words[k:], " ")
		hr := readText(head, opts, false, st.m.q)
		switch {
		case hr.kind != readOption:
			continue
		case s.Stage == StageConsent && hr.opt.action == actYes:
			rr := readText(rest, profileOpts(st.m.q, s.Lang), false, st.m.q)
			if rr.kind != readOption && rr.kind != readSeveral {
				continue
			}
		case s.Stage == StageProfile && hr.opt.action == actProfile:
			if !placeAhead(head, rest) {
				continue
			}
			// A place whose name holds another (« val de marne »,
			// « seine saint denis »: Marne, Saint-Denis) is the longer
			// one, named whole after a shorter profile.
			for j := 1; j < k; j++ {
				h, r := strings.Join(words[:j], " "), strings.Join(words[j:], " ")
				if wholePlace(r) {
					if rr := readText(h, opts, false, st.m.q); rr.kind == readOption && rr.opt.action == actProfile {
						head, rest, hr = h, r, rr
						break
					}
				}
			}
		default:
			continue
		}
		mark := len(st.out)
		st.handle(Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: hr.opt.action, arg: hr.opt.arg}.String()})
		// The prompt asked by the choice is answered at once: only the
		// notes stay, with the choice.
		kept := st.out[:mark]
		for _, r := range st.out[mark:] {
			if isNote(r) {
				kept = append(kept, r)
			}
		}
		st.out = kept
		if hr.opt.action == actProfile {
			st.say("✓ " + hr.opt.label)
		} else if rr := st.read(rest); rr.kind == readOption && rr.opt.action == actProfile && !placeAhead(rest, "") {
			st.say("✓ " + rr.opt.label)
		}
		st.text(rest)
		st.out = append(st.out[:mark], joinNotes(st.out[mark:])...)
		return true
	}
	return false
}

// placeAhead reports whether rest, typed after a profile, names a place:
// introduced as a place is (« à Lyon », « dans le 93 ») or after a
// comma (« parent, Lyon »), and found; or with no word before it
// (« maman 2 enfants marseille »), named exactly as a place is among
// other words.
func placeAhead(head, rest string) bool {
	if rest == "" {
		// Whether head ends with such a place.
		words := strings.Fields(head)
		for k := len(words) - 1; k >= 1; k-- {
			if placeAhead(strings.Join(words[:k], " "), strings.Join(words[k:], " ")) {
				return true
			}
		}
		return false
	}
	n := normalize(rest)
	led := strings.ContainsAny(head[len(head)-1:], ",;")
	for _, l := range placeLeads {
		if strings.HasPrefix(n, l+" ") {
			led = true
			break
		}
	}
	if led || saidDepartement(rest) {
		return readPlace(rest).found()
	}
	// A bare number may be an age (« maman 35 »), not a département.
	words := strings.Fields(n)
	return len(words) > 0 && len(words) <= maxPlaceWords && wholePlace(rest)
}

// wholePlace reports whether text, after its lead (« en », « dans
// le »), is all a place's name: spelt out exactly (« en seine saint
// denis », « val de marne »), or, in several words and no number, a
// département's with a typo or an abbreviation (« seine st denis »,
// « cote d armor »), which no sentence's words resemble. No code: after
// a profile, a bare number may be an age.
func wholePlace(text string) bool {
	n := normalize(text)
	if len(strings.Fields(n)) > maxPlaceWords+3 {
		return false
	}
	pr := readPlaceWhole(n, text)
	if isPlaceCode(pr.text) {
		return false
	}
	if plainlyNamed(pr, text) {
		return true
	}
	return len(strings.Fields(pr.text)) >= 2 && !strings.ContainsAny(pr.text, "0123456789") && len(pr.matches) == 1 &&
		!pr.matches[0].Town && !pr.matches[0].IsAcad
}

// saidDepartement reports text that can only be a département, with no
// lead before it: « 9-3 », « neuf trois », « 2A », a postcode; not a
// bare « 35 », which after « maman » may be an age.
func saidDepartement(text string) bool {
	n := normalize(text)
	d := spokenDepartement(n)
	if !isPlaceCode(d) {
		return false
	}
	return d != n || len(d) == 5 || d == "2a" || d == "2b" || strings.ContainsAny(text, "-.")
}

// joinNotes folds consecutive notes into one, so that what a message
// answering two prompts at once notes comes as one message.
func joinNotes(out []Reply) []Reply {
	var joined []Reply
	for _, r := range out {
		if n := len(joined); n > 0 && isNote(r) && isNote(joined[n-1]) {
			joined[n-1].Text += "\n" + r.Text
			continue
		}
		joined = append(joined, r)
	}
	return joined
}

// resumeWith resumes after a pause with a message that is none of the
// paused prompt's words: an answer to the question they stopped at is
// stored as such, saying so; anything else just resumes.
func (st *step) resumeWith(text string) {
	s := &st.s
	if s.Back == StageReview {
		st.resume() // no question was in sight
		return
	}
	probe := step{m: st.m, s: cloneSession(*s), now: st.now}
	probe.s.Stage = StageQuestion
	r, opts := probe.questionPrompt()
	_, _, q, _ := probe.position()
	if rd := readText(text, opts, r.Expect == ExpectText, st.m.q); rd.kind != readAnswer || q.IsChoice() ||
		utf8.RuneCountInString(text) > st.m.cfg.MaxText {
		st.resume()
		return
	}
	s.Stage = StageQuestion
	st.saved = st.msg().ResumedSaved
	st.store(q, Answer{Text: text})
}

// about answers a question about the consultation itself.
func (st *step) about(topic string) {
	m := st.msg()
	switch topic {
	case aboutAnonymous:
		st.say(fmt.Sprintf(m.AboutAnonymous, st.controller()))
	case aboutPurpose:
		st.say(fmt.Sprintf(m.AboutPurpose, st.m.q.Intro.In(st.s.Lang)))
	case aboutBot:
		st.say(fmt.Sprintf(m.AboutBot, st.controller()))
	case aboutHere:
		st.say(m.AboutHere)
	case aboutLeft:
		st.say(st.leftText())
	default:
		st.say(fmt.Sprintf(m.AboutLength, st.m.q.QuestionCount(), len(st.m.q.Themes)))
	}
}

// leftText says how many questions are left to answer: in the theme in
// progress and in all, a validated theme counting as done.
func (st *step) leftText() string {
	s := &st.s
	m := st.msg()
	count := func(n int) string {
		if n == 1 {
			return m.QuestionsOne
		}
		return fmt.Sprintf(m.QuestionsMany, n)
	}
	left := func(th *Theme) int {
		if _, done := s.Confirmed[th.ID]; done {
			return 0
		}
		return len(th.Questions) - st.answered(th)
	}
	all := 0
	for i := range st.m.q.Themes {
		all += left(&st.m.q.Themes[i])
	}
	total := st.m.q.QuestionCount()
	inTheme := s.Stage == StageQuestion || s.Stage == StageEdit || s.Stage == StageReview ||
		s.Stage == StagePaused && s.Back != StageReview
	var said string
	switch th := st.m.q.Theme(s.Theme); {
	case all == 0:
		said = m.AboutLeftNone
	case !inTheme || th == nil:
		said = fmt.Sprintf(m.AboutLeftAll, count(all), total, len(st.m.q.Themes))
	case left(th) == 0:
		said = fmt.Sprintf(m.AboutLeftOthers, count(all), total)
	default:
		said = fmt.Sprintf(m.AboutLeftTheme, count(left(th)), count(all), total)
	}
	return said + " " + m.AboutLeftTail
}

// explainWord says in one line what one of the bot's own words means,
// from the catalogue; the consultation, anonymity and the consent are
// explained as when asked about otherwise.
func (st *step) explainWord(topic string) {
	m := st.msg()
	if t, ok := m.Words[topic]; ok {
		st.say(t)
	} else if t, ok := m.HowTo[topic]; ok {
		st.say(t)
	} else {
		st.about(topic)
	}
}

// severalProfiles answers someone who is several profiles at once (a
// parent who teaches): one profile counts for the summary, so they are
// told so and asked again which one they answer as.
func (st *step) severalProfiles(named []opt) {
	m := st.msg()
	if len(named) < 2 {
		st.say(m.SeveralProfilesAny)
		st.reshow()
		return
	}
	names := make([]string, len(named))
	for i, o := range named {
		names[i] = lowerFirst(o.label)
	}
	list := strings.Join(names[:len(names)-1], ", ") + m.ProfileJoin + names[len(names)-1]
	st.say(fmt.Sprintf(m.SeveralProfiles, list))
	st.reshow()
}

// lowerFirst lowercases the first letter of a label used inside a
// sentence (« Parent » in « vous êtes parent et … »).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// asksReview reports text naming the button back to the review above
// the current question (« Modifier mes réponses au thème 1 »), which
// would otherwise read as changing answer 1.
func (st *step) asksReview(text string) bool {
	if st.reviewed() == nil {
		return false
	}
	rd := st.read(text)
	return rd.kind == readOption && rd.opt.action == actReview
}

// longSplitWindow is how soon after an over-long text another one is
// taken for its continuation: a platform sends the parts of a split
// message within a second or two.
const longSplitWindow = 10 * time.Second

// read reads text at the current prompt.
func (st *step) read(text string) reading {
	r, opts := st.current()
	return readText(text, opts, r.Expect == ExpectText, st.m.q)
}

// typedCommand runs a command typed without its slash. Switching the
// language that way is confirmed first: « anglais » may be an answer.
func (st *step) typedCommand(ev Event) {
	if ev.Command == CmdLanguage {
		lang := languageArg(ev.Args, st.s.Lang)
		if lang == st.s.Lang {
			st.say(st.msg().LanguageAlready)
			st.reshow()
			return
		}
		p := &Pending{Kind: PendingLanguage, Text: lang}
		st.show(st.languagePrompt(lang))
		st.setPending(p)
		return
	}
	st.handle(ev)
}

// freeText handles what reads as free text at an open prompt: an answer
// to the current question (checked first when short and unsure), or a
// place at the académie prompt.
func (st *step) freeText(text string, unsure bool) {
	s := &st.s
	m := st.msg()
	if s.Stage == StageAcademie {
		if pr := readPlace(text); unsure && !pr.found() && !pr.decline && !pr.dontKnow {
			// « ok », « merci », « mdr », « 👍 », « euh »: no place, and
			// not one the bot failed to recognise.
			if thanksWords[readingKey(text)] || thanksWords[strings.TrimPrefix(readingKey(text), "ok ")] {
				st.say(m.ThanksBack)
				st.reshow()
				return
			}
			st.help()
			return
		}
		st.place(text)
		return
	}
	if s.Stage != StageQuestion && s.Stage != StageEdit {
		if st.holdAtReview(text) {
			return
		}
		st.say(m.UseButtons)
		st.reshow()
		return
	}
	if p := st.pending(); p != nil && p.Kind == PendingAppend {
		st.storeAppended(text)
		return
	}
	if p := st.pending(); p != nil && p.Kind == PendingRevise && utf8.RuneCountInString(text) <= st.m.cfg.MaxText {
		// Another text for that question: asked about in its turn.
		st.show(st.revisePrompt(text))
		st.setPending(&Pending{Kind: PendingRevise, Text: text})
		return
	}
	_, _, q, _ := st.position()
	if q.IsChoice() {
		st.say(fmt.Sprintf(m.NotUnderstood, shorten(sanitizeLine(text), 60)))
		st.reshow()
		return
	}
	if n := utf8.RuneCountInString(text); n > st.m.cfg.MaxText {
		// Nothing is stored, and nothing is lost: the text comes back to
		// be shortened, and so does any continuation the platform split
		// from it.
		st.say(fmt.Sprintf(m.TooLong, n, st.m.cfg.MaxText))
		st.say(m.GiveBack + "\n\n" + text)
		st.s.Pending = &Pending{Kind: PendingLong, Prompt: s.Prompt, At: st.now}
		st.wayOn = true // the text is being shortened for the question above
		return
	}
	if unsure {
		st.show(st.checkPrompt(text))
		st.setPending(&Pending{Kind: PendingCheck, Text: text})
		return
	}
	st.store(q, Answer{Text: text})
}

// pendingChoice handles the buttons of a pending confirmation (other
// than erasure, which privacy handles). It reports whether t was one.
func (st *step) pendingChoice(t token) bool {
	p := st.pending()
	if p == nil {
		return false
	}
	m := st.msg()
	switch {
	case p.Kind == PendingCheck && t.action == actStore:
		_, _, q, _ := st.position()
		st.store(q, Answer{Text: p.Text})
	case p.Kind == PendingCheck && t.action == actRetype:
		if p.Held {
			st.say(m.HeldDropped)
		} else {
			st.say(m.Retype)
		}
		st.reshowStage()
	case p.Kind == PendingLanguage && t.action == actLangYes:
		st.setLanguage(p.Text)
	case p.Kind == PendingLanguage && t.action == actLangNo:
		st.say(m.LanguageKept)
		st.reshowStage()
	case p.Kind == PendingHeld && t.action == actHeldYes:
		s := &st.s
		s.Pending = nil
		if th := st.heldTheme(s.Theme); th != "" && st.offerHeld(th, p.Text) {
			return true
		}
		st.heldNowhere(s.Theme, p.Text)
	case p.Kind == PendingHeld && t.action == actHeldNo:
		st.say(m.HeldDropped)
		st.s.Pending = nil
		st.showReview()
	case p.Kind == PendingPlace && t.action == actPlace:
		st.pickPlace(p, t.arg)
	case p.Kind == PendingPlace && t.action == actSkip:
		st.afterOnboarding()
	case p.Kind == PendingAdd && t.action == actAddTo:
		th := st.m.q.Theme(st.s.Theme)
		if i := th.questionIndex(t.arg); i < 0 || !st.addable(&th.Questions[i], p.Text) {
			st.say(m.Garbage)
			st.reshow()
			return true
		}
		st.addTo(p, t.arg)
	case p.Kind == PendingAdd && t.action == actAddNo:
		st.dropAdd()
	case p.Kind == PendingTranscript && t.action == actStore:
		st.confirmTranscript(p)
	case p.Kind == PendingTranscript && t.action == actRetype:
		st.correctTranscript(p)
	default:
		return false
	}
	return true
}

// reshowStage shows the stage's own prompt, leaving a pending
// confirmation behind.
func (st *step) reshowStage() {
	st.s.Pending = nil
	st.reshow()
}

// checkDropped says that the text in question at « Est-ce votre réponse
// ? » is not stored, the person having gone on without a yes: a sentence
// kept from earlier is dropped, a short text typed here is not kept.
func (st *step) checkDropped(p *Pending, m *messages) string {
	if p.Held {
		return m.HeldDropped
	}
	return fmt.Sprintf(m.CheckDropped, shorten(sanitizeLine(p.Text), maxReviewLen))
}

// checkPrompt asks whether a short message is the person's answer.
func (st *step) checkPrompt(text string) (Reply, []opt) {
	m := st.msg()
	_, _, q, _ := st.position()
	r := Reply{
		Text:   fmt.Sprintf(m.CheckAsk, shorten(sanitizeLine(text), maxReviewLen), q.Title.In(st.s.Lang)),
		Expect: ExpectText, Field: q.Title.In(st.s.Lang), MaxLen: st.m.cfg.MaxText,
	}
	return r, []opt{{actStore, "", m.CheckYes}, {actRetype, "", m.CheckNo}}
}

// languagePrompt asks, in both languages, whether to switch to lang.
func (st *step) languagePrompt(lang string) (Reply, []opt) {
	to := &catalogFor(lang, st.buttons, st.discord).Flow
	return Reply{Text: st.msg().LanguageAsk[lang] + "\n" + to.LanguageAsk[lang]},
		[]opt{{actLangYes, "", to.LanguageYes}, {actLangNo, "", st.msg().LanguageNo}}
}

// setLanguage switches to lang and shows the stage's prompt again.
func (st *step) setLanguage(lang string) {
	if lang == st.s.Lang {
		st.say(st.msg().LanguageAlready)
		st.reshow()
		return
	}
	st.s.Lang = lang
	st.say(st.msg().LanguageSet)
	if st.s.Stage == StageConsent {
		// The welcome came in the other language: what the consultation
		// is comes again, in this one, before the consent.
		st.welcome()
	}
	st.reshowStage()
}

// languageArg reads the language a command asks for; none named means the
// other one.
func languageArg(arg, current string) string {
	switch foldKey(arg) {
	case LangFR, "francais", "french", "en francais", "in french":
		return LangFR
	case LangEN, "english", "anglais", "en anglais", "in english":
		return LangEN
	}
	if current == LangEN {
		return LangFR
	}
	return LangEN
}

// help explains the current prompt: at an open question, the question in
// simpler words, an example and its original wording; elsewhere what can
// be done there.
func (st *step) help() {
	s := &st.s
	m := st.msg()
	st.wayOn = true
	if p := st.pending(); p != nil {
		switch p.Kind {
		case PendingErase:
			st.eraseHelp()
		case PendingCheck:
			st.say(fmt.Sprintf(m.CheckHelp, m.CheckYes))
		case PendingPlace:
			st.say(st.placeHelp(p))
		case PendingLanguage:
			st.say(m.LanguageHelp)
		case PendingHeld:
			st.say(m.HeldHelp)
		case PendingTranscript:
			st.transcriptHelp()
		case PendingReminders:
			st.say(st.rmsg().Help)
		case PendingAdd:
			st.say(fmt.Sprintf(m.AddHelp, m.AddNo))
		case PendingAppend:
			st.say(m.AppendHelp)
		case PendingRevise:
			st.say(m.ReviseHelp)
		case PendingRemovePrev:
			st.say(m.RemovePrevHelp)
		}
		return
	}
	if s.Stage == StageQuestion || s.Stage == StageEdit {
		_, _, q, _ := st.position()
		if q.IsChoice() {
			st.say(m.HelpChoice[string(s.Stage)] + "\n\n" + st.commands(false))
			return
		}
		var b strings.Builder
		lang := s.Lang
		if e := q.Explain.In(lang); e != "" {
			b.WriteString(fmt.Sprintf(m.Explain, e) + "\n\n")
		}
		if e := q.Example.In(lang); e != "" {
			b.WriteString(fmt.Sprintf(m.Example, e) + "\n\n")
		}
		if o := q.Original.In(lang); o != "" {
			b.WriteString(fmt.Sprintf(m.Original, o) + "\n\n")
		}
		b.WriteString(m.Help[string(s.Stage)] + "\n\n" + st.commands(true))
		st.out = append(st.out, Reply{Title: fmt.Sprintf(m.HelpTitle, q.Title.In(lang)), Text: b.String()})
		return
	}
	h := m.Help[string(s.Stage)]
	if s.Stage == StagePaused {
		if s.Back == StageReview {
			h = m.HelpPausedReview
		}
		h = st.answersKept() + h
	}
	st.say(h + "\n\n" + st.commands(false))
	if st.firstSteps() && s.Stage != StageDeclined {
		// The first steps are a few taps long: the prompt comes back
		// below the help, rather than scrolled out of sight.
		st.wayOn = false
		st.reshow()
	}
}

// remove removes the answer to question id of the current theme and goes
// back to the review.
func (st *step) remove(id string) {
	s := &st.s
	m := st.msg()
	key := AnswerKey(s.Theme, id)
	if _, ok := s.Answers[key]; !ok {
		st.say(m.NothingToRemove)
		st.showReview()
		return
	}
	delete(s.Answers, key)
	if len(s.Answers) == 0 {
		s.Answers = nil
	}
	st.say(m.Removed)
	if !st.backFromEdit() {
		st.showReview()
	}
}

// unanswer removes the answer to the current question and asks it
// again.
func (st *step) unanswer() {
	s := &st.s
	delete(s.Answers, AnswerKey(s.Theme, s.Question))
	if len(s.Answers) == 0 {
		s.Answers = nil
	}
	st.chosen = "" // the note says it
	st.say(st.msg().Removed)
	st.showQuestion()
}

// backFromEdit ends an edit asked from a question (see Session.From):
// the person is back at that question, below the recap they had in
// sight. It reports whether there was such a question.
func (st *step) backFromEdit() bool {
	s := &st.s
	if s.Stage != StageEdit || s.From == "" {
		return false
	}
	th, q := splitKey(s.From)
	if st.m.q.Question(th, q) == nil {
		return false
	}
	s.Stage, s.Theme, s.Question, s.Reviewed = StageQuestion, th, q, s.FromReviewed
	s.From, s.FromReviewed = "", ""
	if s.Reviewed == s.Theme || st.m.q.Theme(s.Reviewed) == nil {
		s.Reviewed = ""
	}
	st.showQuestion()
	return true
}

// editVerbs start a request to change one answer: « modifier 2 ».
var editVerbs = map[string]bool{"modifier": true, "changer": true, "corriger": true, "edit": true, "change": true}

// editNumber reads « modifier 2 », « changer la réponse 3 », and a
// question to go to (« je reviens à la question 2 »: see gotoNumber).
func editNumber(n string) (int, bool) {
	if k, ok := gotoNumber(n); ok {
		return k, true
	}
	if rest, ok := stripLead(n); ok {
		n = rest
	}
	verb, rest, ok := strings.Cut(n, " ")
	if !ok || !editVerbs[verb] {
		return 0, false
	}
	return optionNumber(rest)
}

// joinWords say on their own that one wants to take part after all; the
// phrases with a join sign (joinSigns) need not be listed.
var joinWords = map[string]bool{"start": true, "commencer": true, "demarrer": true, "join": true}

// joinSigns, found in a message from someone who declined, say they
// changed their mind (« je veux bien participer finalement », « j'ai
// changé d'avis », « ok j'accepte ») unless a negation is there too.
var joinSigns = []string{"particip", "j accepte", "jaccepte", "change d avis", "changee d avis", "changer d avis",
	"finalement oui", "oui finalement", "d accord finalement", "ok finalement", "take part", "i agree", "i accept",
	"changed my mind", "count me in", "i want to join"}

// joinNegations make a message with a join sign say the opposite.
var joinNegations = wordSet("pas plus jamais non refuse not no never don dont won wont")

// wantsToJoin reports a message from someone who declined saying they
// want to take part after all.
func wantsToJoin(text string) bool {
	n := normalize(text)
	if joinWords[n] {
		return true
	}
	if _, yes := yesNo(n, []opt{{action: actYes}}); yes {
		return true
	}
	sign := false
	for _, w := range joinSigns {
		if strings.Contains(n, w) {
			sign = true
			break
		}
	}
	if !sign {
		return false
	}
	for _, w := range strings.Fields(n) {
		if joinNegations[w] {
			return false
		}
	}
	return true
}

// removeVerbs start a request to remove one answer from the review:
// « supprimer 2 », « effacer la réponse 3 ».
var removeVerbs = map[string]bool{"supprimer": true, "effacer": true, "enlever": true, "retirer": true, "vider": true, "delete": true, "remove": true}

// removeNumber reads « supprimer 2 » and its kin.
func removeNumber(n string) (int, bool) {
	verb, rest, ok := strings.Cut(n, " ")
	if !ok || !removeVerbs[verb] {
		return 0, false
	}
	return optionNumber(rest)
}
