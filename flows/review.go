package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// minReviewWords is the fewest words of a sentence typed at the review
// that is kept as more to say (see PendingAdd): a word or two that reads
// as none of its ways on (« bof », « Lyon ») is not understood.
const minReviewWords = 3

// addDropWords decline, at the question of where a sentence typed at the
// review goes, to keep it; a plain « non » is read as the button.
var addDropWords = phraseSet("annuler|annule|laisse tomber|laissez tomber|oublie|oubliez|oublie ca|oubliez ca|rien|" +
	"nulle part|aucune|aucune question|pas besoin|non merci|je ne veux pas l ajouter|ne pas l ajouter|ne l ajoutez pas|" +
	"cancel|never mind|forget it|nowhere|none|no thanks|don t add it")

// addLeads may stand before the number of the question a sentence typed
// at the review goes with: « ajouter à la 3 », « dans la question 2 ».
var addLeads = []string{"ajoutez le a", "ajoute le a", "ajouter le a", "ajoutez a", "ajoute a", "ajouter a", "ajoutez", "ajoute",
	"ajouter", "mettez le a", "mets le a", "mettre a", "mettez le dans", "mets le dans", "dans", "a", "avec", "add it to", "add to",
	"put it in", "in", "to", "with"}

// holdAtReview keeps text typed at the review when it is a sentence that
// reads as none of the review's ways on, most likely more to say about
// the theme: it asks which question it goes with (see PendingAdd). A
// sentence typed while one is held joins it. It reports whether it did.
func (st *step) holdAtReview(text string) bool {
	s := &st.s
	if s.Stage != StageReview || len(strings.Fields(text)) < minReviewWords || hesitates(normalize(text)) {
		return false
	}
	if p := st.pending(); p != nil && p.Kind == PendingAdd {
		text = p.Text + "\n" + text
	} else if st.pending() != nil {
		return false
	}
	if n := utf8.RuneCountInString(text); n > st.m.cfg.MaxText {
		// Nothing is lost: the text comes back to be shortened.
		m := st.msg()
		st.say(fmt.Sprintf(m.TooLong, n, st.m.cfg.MaxText))
		st.say(m.GiveBack + "\n\n" + text)
		st.s.Pending = nil
		st.remind()
		return true
	}
	r, opts := st.addPrompt(text)
	if len(opts) < 2 {
		// No question of the theme takes it: given back, not lost.
		st.s.Pending = nil
		st.say(fmt.Sprintf(st.msg().AddNowhere, shorten(text, maxQuoteLen)))
		st.remind()
		return true
	}
	st.show(r, opts)
	st.setPending(&Pending{Kind: PendingAdd, Text: text})
	return true
}

// addPrompt asks which question of the theme reviewed the sentence text
// goes with: one button per question whose answer may take it (an open
// question, answered in writing or not yet, with room left under the
// length limit), then one to drop it.
func (st *step) addPrompt(text string) (Reply, []opt) {
	m := st.msg()
	th := st.m.q.Theme(st.s.Theme)
	var opts []opt
	for i := range th.Questions {
		if st.addable(&th.Questions[i], text) {
			opts = append(opts, opt{actAddTo, th.Questions[i].ID, fmt.Sprintf(m.AddButton, i+1)})
		}
	}
	opts = append(opts, opt{actAddNo, "", m.AddNo})
	return Reply{Text: fmt.Sprintf(m.AddAsk, shorten(sanitizeLine(text), maxReviewLen))}, opts
}

// addable reports whether text may be added to the answer to q, of the
// current theme.
func (st *step) addable(q *Question, text string) bool {
	if q.IsChoice() {
		return false
	}
	a, ok := st.s.Answers[AnswerKey(st.s.Theme, q.ID)]
	switch {
	case !ok:
		return true
	case a.Voice != nil:
		// A voice note, or its confirmed transcript: text added to it
		// would read as spoken.
		return false
	}
	return utf8.RuneCountInString(a.Text)+1+utf8.RuneCountInString(text) <= st.m.cfg.MaxText
}

// addTypedWords reads, while a sentence typed at the review waits for its
// question, the number of a question (« 3 », « la question 3 », « ajouter
// à la 2 »), a change of one answer (« modifier 2 ») and the words that
// drop the sentence, which the buttons' own reading would misnumber (a
// button's number is not its question's once a question is left out).
// It reports whether it handled text.
func (st *step) addTypedWords(p *Pending, short string) bool {
	s := &st.s
	m := st.msg()
	th := st.m.q.Theme(s.Theme)
	edit := func(n int) bool {
		if n < 1 || n > len(th.Questions) {
			return false
		}
		// That answer opened, with the sentence offered there: it is
		// what the person wants to add.
		q := &th.Questions[n-1]
		s.Stage, s.Question = StageEdit, q.ID
		a, answered := s.Answers[AnswerKey(th.ID, q.ID)]
		if q.IsChoice() || answered && (a.Voice != nil || a.Text == "") ||
			utf8.RuneCountInString(p.Text) > st.m.cfg.MaxText {
			// It cannot go there: given back, to reuse.
			st.say(fmt.Sprintf(m.AddNotThere, n, shorten(p.Text, maxQuoteLen)))
			st.showQuestion()
			return true
		}
		st.offerWritten(p.Text, true)
		return true
	}
	verb := short
	if rest, ok := stripLead(short); ok {
		verb = rest
	}
	if verb, _, _ = strings.Cut(verb, " "); editVerbs[verb] {
		// « modifier 2 »: that answer changed, as at the review.
		if n, ok := editNumber(short); ok && edit(n) {
			return true
		}
	}
	if addDropWords[strings.TrimSuffix(short, " merci")] {
		st.dropAdd()
		return true
	}
	n, ok := addNumber(short)
	if !ok {
		// « je reviens à la question 2 »: going there is changing it.
		if n, ok := editNumber(short); ok && edit(n) {
			return true
		}
		return false
	}
	if n >= 1 && n <= len(th.Questions) && st.addable(&th.Questions[n-1], p.Text) {
		st.addTo(p, th.Questions[n-1].ID)
		return true
	}
	var nums []string
	for i := range th.Questions {
		if st.addable(&th.Questions[i], p.Text) {
			nums = append(nums, strconv.Itoa(i+1))
		}
	}
	list := nums[0]
	if len(nums) > 1 {
		list = strings.Join(nums[:len(nums)-1], ", ") + m.OrJoin + nums[len(nums)-1]
	}
	st.say(fmt.Sprintf(m.AddNoSuch, n, list, m.AddNo))
	st.reshow()
	return true
}

// navigationWords say that a message naming the review's « Menu » or
// « Valider » asks to go there (« je voudrais revenir au menu »), rather
// than says something about the theme with that word in it (« je trouve
// le menu de la cantine trop cher »).
var navigationWords = wordSet("retour retourner revenir reviens revenons aller allons allez va vais voir afficher affiche ouvrir " +
	"ouvre montrer montre montrez acceder liste principal autre autres choisir passer veux voudrais voudrait aimerais " +
	"peux pouvez go back show open take return want see list main")

// minOpinionWords is the fewest words of a sentence typed at the review
// that, naming « Valider » by one of its words only, is read as more to
// say rather than as validating (« je valide mais les tablettes sont
// trop chères pour les familles »).
const minOpinionWords = 7

// opinionAtReview reports a sentence typed at the review that names one
// of its buttons only by a word within it (see keyword), and says
// something else: kept (see holdAtReview) rather than taken for the
// button.
func (st *step) opinionAtReview(text string, rd reading) bool {
	if st.s.Stage != StageReview || rd.kind != readOption || (rd.opt.action != actMenu && rd.opt.action != actConfirm) {
		return false
	}
	if p := st.pending(); p != nil && p.Kind != PendingAdd {
		return false
	}
	n := normalize(text)
	words := strings.Fields(n)
	if len(words) < minReviewWords+2 || slices.ContainsFunc(words, func(w string) bool { return navigationWords[w] }) {
		return false
	}
	if rd.opt.action == actConfirm && len(words) < minOpinionWords {
		return false
	}
	_, opts := st.reviewPrompt()
	if _, ok := yesNo(n, opts); ok || approves(n) || validateWords[n] {
		return false
	}
	if _, ok := matchOption(n, opts, false, st.m.q); ok {
		return false
	}
	if _, ok := matchOption(labelKey(text), opts, false, st.m.q); ok {
		return false
	}
	_, ok := labelWords(n, opts, st.m.q)
	return !ok
}

// addNumber reads the number of a question said to take a sentence typed
// at the review.
func addNumber(n string) (int, bool) {
	for _, l := range addLeads {
		if rest, ok := strings.CutPrefix(n, l+" "); ok {
			n = rest
			break
		}
	}
	return optionNumber(n)
}

// addTo adds the sentence p holds to the answer to question id of the
// current theme, at its end, or makes it that answer, then shows the
// review again with it.
func (st *step) addTo(p *Pending, id string) {
	s := &st.s
	m := st.msg()
	th := st.m.q.Theme(s.Theme)
	key := AnswerKey(s.Theme, id)
	a := Answer{Theme: s.Theme, Question: id, Text: p.Text, CreatedAt: st.now, UpdatedAt: st.now}
	note := m.AddedNew
	if old, ok := s.Answers[key]; ok {
		a.Text = old.Text + "\n" + p.Text
		if !old.CreatedAt.IsZero() {
			a.CreatedAt = old.CreatedAt
		}
		note = m.Added
	}
	if s.Answers == nil {
		s.Answers = map[string]Answer{}
	}
	s.Answers[key] = a
	s.Pending = nil
	st.chosen = "" // the note says it
	st.say(fmt.Sprintf(note, th.questionIndex(id)+1))
	st.showReview()
}

// dropAdd drops the sentence typed at the review, as the person asked,
// and names the review's ways on again.
func (st *step) dropAdd() {
	st.s.Pending = nil
	st.chosen = "" // the note says it
	st.say(st.msg().AddDropped)
	st.remind()
}
