package flows

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Going back to an answer to add to it, or to take it out: « Compléter »
// beside replacing, « Je reviens sur la question 1 : en fait on a deux
// ordis », « efface ma dernière réponse ».

// Actions of these confirmations.
const (
	actAppend   = "append"   // add what comes next to the answer in sight
	actReplace  = "replace"  // the text in question replaces the answer
	actRmPrev   = "rmprev"   // yes, remove that earlier answer
	actKeepPrev = "keepprev" // no, keep it
)

// Kinds of these confirmations.
const (
	// PendingAppend waits for the text to add to the answer in sight.
	PendingAppend = "append"
	// PendingRevise asks what to do with the text (Text) typed for the
	// question in sight, which has an answer: replace it or add to it.
	PendingRevise = "revise"
	// PendingRemovePrev asks to confirm removing the answer to the
	// question Answer (an AnswerKey) of the theme in progress.
	PendingRemovePrev = "rmprev"
)

// appendable reports whether the question in sight has a written answer
// that text can be added to.
func (st *step) appendable() bool {
	s := &st.s
	if s.Stage != StageQuestion && s.Stage != StageEdit {
		return false
	}
	_, _, q, _ := st.position()
	a, ok := s.Answers[AnswerKey(s.Theme, q.ID)]
	return ok && !q.IsChoice() && a.Voice == nil && a.Text != ""
}

// appendPrompt asks for the text to add to the answer in sight.
func (st *step) appendPrompt() (Reply, []opt) {
	r, _ := st.questionPrompt()
	r.Text = st.msg().AppendAsk
	return r, []opt{{actRetype, "", st.msg().Cancel}}
}

// revisePrompt asks whether text replaces the answer in sight or is
// added to it, in one message: the question, its answer, the text and
// what to do with it. The answer comes without the usual line on how to
// replace it or add to it, which the question below says in its place.
func (st *step) revisePrompt(text string) (Reply, []opt) {
	m := st.msg()
	r, _ := st.questionPrompt()
	_, _, q, _ := st.position()
	r.Text = q.Prompt.In(st.s.Lang)
	if a, ok := st.s.Answers[AnswerKey(st.s.Theme, q.ID)]; ok {
		r.Text += "\n\n" + fmt.Sprintf(m.ReviseCurrent, st.answerText(q, a, maxCurrentLen))
	}
	r.Text += "\n" + fmt.Sprintf(m.ReviseAsk, shorten(sanitizeLine(text), maxReviewLen))
	return r, []opt{{actReplace, "", m.Replace}, {actAppend, "", m.Append}, {actRetype, "", m.Cancel}}
}

// appended returns the answer in sight with text added after it.
func (st *step) appended(text string) string {
	a := st.s.Answers[AnswerKey(st.s.Theme, st.s.Question)]
	return strings.TrimRight(a.Text, " \n") + "\n" + text
}

// storeAppended adds text to the answer in sight, or gives it back to
// shorten when both together would be too long.
func (st *step) storeAppended(text string) {
	_, _, q, _ := st.position()
	whole := st.appended(text)
	if n := utf8.RuneCountInString(whole); n > st.m.cfg.MaxText {
		m := st.msg()
		st.say(fmt.Sprintf(m.AppendTooLong, n, st.m.cfg.MaxText))
		st.say(m.GiveBack + "\n\n" + text)
		p := st.pending()
		st.show(st.current())
		st.setPending(p)
		return
	}
	st.saved = st.msg().Appended
	st.store(q, Answer{Text: whole})
}

// revisit goes to question k of the theme in progress with text typed
// for it (« je reviens sur la question 1 : en fait on a deux ordis »):
// offered as its answer, or, when it has one, to replace it or add to
// it. Nothing is stored at the question left, where the person comes
// back once done (see Session.From). It reports false, changing
// nothing, when there is no such question to write to.
func (st *step) revisit(k int, text string) bool {
	s := &st.s
	th := st.m.q.Theme(s.Theme)
	if th == nil || k < 1 || k > len(th.Questions) || th.Questions[k-1].IsChoice() ||
		utf8.RuneCountInString(text) > st.m.cfg.MaxText {
		return false
	}
	q := &th.Questions[k-1]
	a, answered := s.Answers[AnswerKey(th.ID, q.ID)]
	if answered && (a.Voice != nil || a.Text == "") {
		return false
	}
	st.start(th.ID)
	if q.ID != s.Question {
		s.From, s.FromReviewed = AnswerKey(s.Theme, s.Question), s.Reviewed
		s.Stage, s.Question, s.Reviewed = StageEdit, q.ID, ""
	}
	st.offerWritten(text, false)
	return true
}

// offerWritten shows the question in sight with text offered there: as its
// answer (« Est-ce votre réponse ? ») when it has none, else to replace
// the answer or complete it. The question takes text (see revisit).
// held marks text as the sentence typed at the review (see Pending.Held).
func (st *step) offerWritten(text string, held bool) {
	if _, answered := st.s.Answers[AnswerKey(st.s.Theme, st.s.Question)]; !answered {
		r, _ := st.questionPrompt()
		_, opts := st.checkPrompt(text)
		r.Text += "\n\n" + fmt.Sprintf(st.msg().HeldAsk, shorten(sanitizeLine(text), maxReviewLen))
		st.show(r, opts)
		// Held: declining it says that it is dropped, whether it was
		// typed at the review (held) or written for this question.
		st.setPending(&Pending{Kind: PendingCheck, Text: text, Held: true})
		return
	}
	st.show(st.revisePrompt(text))
	st.setPending(&Pending{Kind: PendingRevise, Text: text, Held: held})
}

// revisitSaid reads « je reviens sur la question 1 : en fait on a deux
// ordis »: a question to go to by its number, then, after a colon or a
// dash, what to write there.
func revisitSaid(text string) (int, string, bool) {
	i := strings.IndexAny(text, ":–—")
	if i < 0 {
		return 0, "", false
	}
	head, rest := text[:i], strings.TrimSpace(strings.TrimLeft(text[i:], ":–— "))
	if rest == "" || utf8.RuneCountInString(head) > maxIntentLen {
		return 0, "", false
	}
	k, ok := gotoNumber(normalize(head))
	return k, rest, ok
}

// Asking to remove the answer just given: « efface ma dernière réponse »,
// « supprime ma réponse précédente », « delete my last answer ».
var (
	removePrevVerbs = wordSet("efface effacer effacez supprime supprimer supprimez enleve enlever enlevez retire retirer " +
		"retirez annule annuler annulez delete remove erase undo cancel")
	removePrevRefs = []string{"derniere reponse", "reponse precedente", "reponse d avant", "ma reponse d avant",
		"la precedente", "la derniere", "ce que je viens d ecrire", "ce que j ai ecrit avant", "last answer", "previous answer",
		"answer before", "my last one", "what i just wrote"}
	removePrevGlue = wordSet("je j jveux veux voudrais voudrait aimerais peux pouvez vous tu svp stp merci please ma mon la le l " +
		"derniere dernier reponse precedente d avant ce que qu ai viens de ecrire ecrit oups pardon attends attendez " +
		"non en fait plutot s il vous plait te plait i want to d like can you my the last previous answer one what just " +
		"wrote before sorry oops wait actually")
)

// removesPrevious reports a request to remove the answer given before.
func removesPrevious(n string) bool {
	words := strings.Fields(n)
	if !slices.ContainsFunc(words, func(w string) bool { return removePrevVerbs[w] }) {
		return false
	}
	glue := map[string]bool{}
	for w := range removePrevGlue {
		glue[w] = true
	}
	for w := range removePrevVerbs {
		glue[w] = true
	}
	return onlyOf(n, removePrevRefs, glue, 14)
}

// previousAnswered returns the last question before the one in sight,
// in the theme in progress, that has an answer, or nil.
func (st *step) previousAnswered() *Question {
	th, _, _, qi := st.position()
	for i := qi - 1; i >= 0; i-- {
		if _, ok := st.s.Answers[AnswerKey(th.ID, th.Questions[i].ID)]; ok {
			return &th.Questions[i]
		}
	}
	return nil
}

// askRemovePrevious asks to confirm removing the answer given before;
// nothing is removed nor stored yet.
func (st *step) askRemovePrevious() {
	q := st.previousAnswered()
	if q == nil {
		st.say(st.msg().NothingToRemovePrev)
		st.reshow()
		return
	}
	key := AnswerKey(st.s.Theme, q.ID)
	st.show(st.removePrevPrompt(key))
	st.setPending(&Pending{Kind: PendingRemovePrev, Answer: key})
}

// removePrevPrompt asks whether to remove the answer key.
func (st *step) removePrevPrompt(key string) (Reply, []opt) {
	m := st.msg()
	th, qid := splitKey(key)
	q := st.m.q.Question(th, qid)
	a := st.s.Answers[key]
	// An answer typed instead still answers the question in sight.
	qr, _ := st.questionPrompt()
	r := Reply{Expect: qr.Expect, Field: qr.Field, MaxLen: qr.MaxLen, Text: fmt.Sprintf(m.RemovePrevAsk, st.m.q.Theme(th).questionIndex(qid)+1, q.Title.In(st.s.Lang),
		st.answerText(q, a, maxReviewLen))}
	return r, []opt{{actRmPrev, "", m.RemovePrevYes}, {actKeepPrev, "", m.RemovePrevNo}}
}

// removePrevAgain asks once more, after a nod, whether to remove the
// answer key: the answer quoted, and how to confirm.
func (st *step) removePrevAgain(key string) {
	m := st.msg()
	r, opts := st.removePrevPrompt(key)
	r.Text += "\n\n" + fmt.Sprintf(m.RemovePrevNod, m.RemovePrevNo)
	st.show(r, opts)
	st.setPending(&Pending{Kind: PendingRemovePrev, Answer: key})
}

// reviseChoice handles the buttons of these confirmations, and reports
// whether t was one of them.
func (st *step) reviseChoice(t token) bool {
	s := &st.s
	m := st.msg()
	p := st.pending()
	switch {
	case p == nil && t.action == actAppend && st.appendable():
		r, opts := st.appendPrompt()
		st.show(r, opts)
		st.setPending(&Pending{Kind: PendingAppend})
	case p == nil:
		return false
	case p.Kind == PendingRevise && t.action == actRetype && p.Held:
		// The sentence typed at the review stays kept: back there, asked
		// again which question it goes with (or to drop it).
		st.say(m.AnswerKept)
		s.Pending, s.Stage = nil, StageReview
		if !st.holdAtReview(p.Text) {
			st.showReview()
		}
	case p.Kind == PendingAppend && t.action == actRetype,
		p.Kind == PendingRevise && t.action == actRetype:
		st.say(m.AnswerKept)
		s.Pending = nil
		if !st.backFromEdit() {
			st.reshow()
		}
	case p.Kind == PendingRevise && t.action == actReplace:
		_, _, q, _ := st.position()
		st.saved = m.Changed
		st.store(q, Answer{Text: p.Text})
	case p.Kind == PendingRevise && t.action == actAppend:
		st.storeAppended(p.Text)
	case p.Kind == PendingRemovePrev && t.action == actRmPrev:
		delete(s.Answers, p.Answer)
		if len(s.Answers) == 0 {
			s.Answers = nil
		}
		st.say(m.Removed)
		st.reshowStage()
	case p.Kind == PendingRemovePrev && t.action == actKeepPrev:
		st.say(m.AnswerKept)
		st.reshowStage()
	default:
		return false
	}
	return true
}
