package flows

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"consultbot/text"
)

// Privacy describes the processing of answers, for the consent text and
// the privacy commands. It comes from the [privacy] configuration; zero
// values fall back to neutral wording.
type Privacy struct {
	// Controller names who is responsible for the processing ("Ministère
	// de l'Éducation nationale, DNE"); empty: the consultation's organisers.
	Controller string
	// Contact is where to write about one's data (an e-mail address or a
	// URL); empty: not shown.
	Contact string
	// InactiveDays is how long a draft (a participation with no theme
	// confirmed) may stay untouched before it is erased; zero: never.
	InactiveDays int
	// RetentionDaysAfterClose is how long after ClosesAt the platform ids
	// are kept (so that people can still ask for their data or its
	// erasure); after that, answers are no longer linked to an account.
	RetentionDaysAfterClose int
}

// Button actions of the privacy commands.
const (
	actErase = "erase" // arg: fingerprint of the session, see eraseMark
	actKeep  = "keep"  // cancel the erasure
)

// DataFileName is the name of the JSON file "my data" sends.
const DataFileName = "mes-donnees-consultbot.json"

// eraseMark ties an erase button to the session that offered it: after
// an erasure the person starts afresh and their prompt numbers start
// again from zero, so an old "Oui, tout effacer" button must not match a
// new session's prompt by chance.
func eraseMark(s Session, now time.Time) string {
	at := s.CreatedAt
	if at.IsZero() {
		at = now // Step stamps CreatedAt with now at the end of this step.
	}
	return strconv.FormatInt(at.UnixMilli(), 36)
}

// privacy handles "my data" and "erase my data" (the commands, the
// confirmation buttons and the help while it is pending) at every stage,
// even once the consultation is closed: participants' rights outlive it.
// It reports whether ev was one of them.
func (st *step) privacy(ev Event) bool {
	s := &st.s
	switch {
	case ev.Kind == EventCommand && (ev.Command == CmdMyData || ev.Command == CmdErase):
		if s.Stage == StageNew {
			// Nothing is stored, and asking must not store anything.
			st.say(st.pmsg().NothingStored)
			s.Stage = StageErased
			return true
		}
		if ev.Command == CmdMyData {
			st.myData()
			if !st.m.Closed(st.now) && !s.Banned {
				st.reshowAfterList()
			}
		} else {
			st.askErase()
		}
		return true
	case ev.Kind == EventCommand && ev.Command == CmdHelp && st.erasePending():
		st.eraseHelp()
		return true
	case ev.Kind == EventText && st.erasePending() && utf8.ValidString(ev.Text):
		// Typed words answer the confirmation too, even once closed.
		_, opts := st.erasePrompt()
		rd := readText(ev.Text, opts, false, st.m.q)
		if rd.kind == readOption && rd.opt.action == actErase && !clearlyErase(ev.Text, opts, st.m.q) {
			// « effacer une seule réponse », « can I just delete one
			// answer? »: erasing everything takes a clear yes; the help
			// says what it removes.
			rd = reading{kind: readHelp}
		}
		if rd.kind == readOption && rd.opt.action == actErase && nods(ev.Text) {
			// « ok », « 👍 », « d'acc »: a nod, not yet a yes to
			// losing everything; asked once more, plainly.
			st.eraseAgain()
			return true
		}
		switch rd.kind {
		case readOption:
			return st.privacy(Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: rd.opt.action, arg: rd.opt.arg}.String()})
		case readHelp:
			st.eraseHelp()
			return true
		case readCommand:
			if rd.cmd.Command == CmdResume {
				// « reprendre », « continuer »: back to where one was,
				// nothing erased, as « Annuler ».
				return st.privacy(Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: actKeep}.String()})
			}
		}
		return false
	case ev.Kind == EventChoice:
		t, ok := parseToken(ev.Token)
		if !ok || (t.action != actErase && t.action != actKeep) || t.prompt != s.Prompt || s.Stage == StageNew {
			return false // a stale one is answered as any stale button
		}
		if t.action == actErase {
			if t.arg != eraseMark(*s, st.now) {
				return false
			}
			st.erase()
			return true
		}
		st.say(st.pmsg().Kept)
		before := st.pendingBefore()
		s.Pending = nil
		if !st.m.Closed(st.now) {
			// Back where the person was, a text in question asked
			// about again.
			st.s.Pending = before
			st.reshow()
		}
		return true
	}
	return false
}

// clearlyErase reports whether text, read as the erase button among opts, says
// nothing else: its number, a yes (« oui je suis sûre »), or its words
// (« oui, tout effacer »). A word naming erasing in a longer message or a
// question (« effacer quoi exactement ? ») is no confirmation.
func clearlyErase(text string, opts []opt, q *Questionnaire) bool {
	n := normalize(text)
	if i, ok := optionNumber(n); ok {
		return i >= 1 && i <= len(opts) && opts[i-1].action == actErase
	}
	if strings.Contains(text, "?") {
		return false
	}
	if o, ok := yesNo(n, opts); ok {
		return o.action == actErase
	}
	o, ok := matchOption(n, opts, false, q)
	return ok && o.action == actErase
}

// firmWords say yes as such (« oui », « yes », « je confirme ») or name
// what is confirmed (« effacer », « supprimer »): one of them makes a
// yes clear enough for what cannot be undone.
var firmWords = wordSet("oui ouais ouai yes yeah confirme confirmer absolument effacer effacez efface supprimer supprimez supprime " +
	"erase delete remove")

// nods reports a yes typed as a nod (« ok », « ok merci », « 👍 »,
// « d'acc », « dac », « ouep », « vas-y »): it approves without saying
// what, which is not enough to erase or remove for good. A button's
// number or label is no nod.
func nods(text string) bool {
	n := normalize(text)
	if _, ok := optionNumber(n); ok {
		return false
	}
	return !slices.ContainsFunc(strings.Fields(n), func(w string) bool { return firmWords[w] })
}

// eraseAgain asks the erasure once more after a nod: what is erased, and
// how to confirm it, with the same buttons.
func (st *step) eraseAgain() {
	pm := st.pmsg()
	what := pm.EraseNodWhat
	switch n := len(st.s.Answers); {
	case n == 1:
		what = pm.EraseNodAnswer
	case n > 1:
		what = fmt.Sprintf(pm.EraseNodAnswers, n)
	}
	_, opts := st.erasePrompt()
	st.show(Reply{Title: pm.EraseTitle, Text: what + "\n\n" + fmt.Sprintf(pm.EraseNod, pm.EraseNo)}, opts)
	st.setPending(&Pending{Kind: PendingErase})
}

// erasePending reports whether the erase confirmation is the current
// prompt, its buttons still valid.
func (st *step) erasePending() bool {
	p := st.pending()
	return p != nil && p.Kind == PendingErase
}

func (st *step) askErase() {
	p := &Pending{Kind: PendingErase}
	if was := st.pending(); was != nil && was.Kind != PendingLong {
		// What was pending comes back if the erasure is cancelled (see
		// Pending.Was); asked twice, the erasure keeps it still.
		c := *was
		if c.Kind != PendingErase {
			c.Kind, c.Was = PendingErase, c.Kind
		}
		p = &c
	}
	st.show(st.erasePrompt())
	st.setPending(p)
}

// pendingBefore returns the confirmation that was pending when the
// erasure was asked (see Pending.Was), to ask again once it is
// cancelled, or nil.
func (st *step) pendingBefore() *Pending {
	p := st.pending()
	if p == nil || p.Kind != PendingErase || p.Was == "" {
		return nil
	}
	c := *p
	c.Kind, c.Was = p.Was, ""
	return &c
}

// erasePrompt asks to confirm the erasure of everything.
func (st *step) erasePrompt() (Reply, []opt) {
	pm := st.pmsg()
	text := pm.EraseAsk
	switch n := len(st.s.Answers); {
	case n == 1:
		text = pm.EraseAskAnswer + "\n\n" + text
	case n > 1:
		text = fmt.Sprintf(pm.EraseAskAnswers, n) + "\n\n" + text
	}
	return Reply{Title: pm.EraseTitle, Text: text},
		[]opt{{actErase, eraseMark(st.s, st.now), pm.EraseYes}, {actKeep, "", pm.EraseNo}}
}

// eraseHelp explains the pending erase confirmation. It asks nothing, so
// the buttons stay valid.
func (st *step) eraseHelp() {
	st.wayOn = true
	pm := st.pmsg()
	help := fmt.Sprintf(pm.EraseHelp, pm.EraseYes, pm.EraseNo)
	if len(st.s.Answers) > 0 && !st.m.Closed(st.now) {
		help += " " + fmt.Sprintf(pm.EraseOne, pm.EraseNo)
	}
	st.say(help + "\n\n" + st.commands(false))
}

// erase leaves only what storage needs to find the participant and the
// mark that tells it to delete everything; the prompt number stays so
// that it never goes back within a conversation.
func (st *step) erase() {
	old := st.s
	st.s = Session{Participant: old.Participant, Lang: old.Lang, Stage: StageErased, Prompt: old.Prompt}
	st.say(st.pmsg().Erased)
}

// controller names who is responsible for the processing.
func (st *step) controller() string {
	if c := st.m.cfg.Privacy.Controller; c != "" {
		return c
	}
	return st.pmsg().DefaultController
}

// consentText states what is kept, why, by whom, for how long and how to
// leave, with the variable parts from Config.Privacy.
func (st *step) consentText() string {
	pm, p := st.pmsg(), st.m.cfg.Privacy
	controller := st.controller()
	var b strings.Builder
	b.WriteString(pm.ConsentIntro)
	b.WriteString("\n" + pm.ConsentWhat)
	b.WriteString("\n" + pm.ConsentName)
	if v := st.voiceConsent(); v != "" {
		b.WriteString("\n" + v)
	}
	b.WriteString("\n" + pm.ConsentWhy)
	who := fmt.Sprintf(pm.ConsentWho, controller)
	if p.Contact != "" {
		who += " " + fmt.Sprintf(pm.ConsentContact, p.Contact)
	}
	b.WriteString("\n" + who)
	b.WriteString("\n" + pm.ConsentHowLong + " " + pm.ConsentKept)
	if p.InactiveDays > 0 {
		b.WriteString(" " + fmt.Sprintf(pm.ConsentInactive, p.InactiveDays))
	}
	if c := st.m.cfg.ClosesAt; !c.IsZero() {
		end := c.AddDate(0, 0, p.RetentionDaysAfterClose)
		b.WriteString(" " + fmt.Sprintf(pm.ConsentUntil, end.In(st.m.cfg.Location).Format(st.msg().DateLayout)))
	} else if p.RetentionDaysAfterClose > 0 {
		b.WriteString(" " + fmt.Sprintf(pm.ConsentAfterClose, p.RetentionDaysAfterClose))
	} else {
		b.WriteString(" " + pm.ConsentAtClose)
	}
	b.WriteString("\n" + pm.ConsentLeave)
	return b.String()
}

// myData sends everything stored about the participant: a readable
// summary, one message per theme with the answers in full, and the same
// data as a JSON file.
func (st *step) myData() {
	s := &st.s
	pm, m, lang := st.pmsg(), st.msg(), s.Lang
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "\n"+pm.LineLayout, label, value)
		}
	}
	b.WriteString(fmt.Sprintf(pm.DataIntro, st.m.cfg.Location) + "\n")
	line(pm.LabelID, s.Participant)
	line(pm.LabelLang, pm.LangName[lang])
	line(pm.LabelStage, pm.StageName[string(s.Stage)])
	line(pm.LabelConsent, st.when(s.ConsentAt))
	if p := st.m.q.Profile(s.Profile); p != nil {
		line(pm.LabelProfile, p.Label.In(lang))
	} else {
		line(pm.LabelProfile, s.Profile)
	}
	line(pm.LabelAcademie, s.Academie)
	// A kept message, named by where it waits (see Session.Held and
	// PendingAdd).
	held := pm.LabelHeld
	if s.Stage == StageMenu || s.HeldForMenu && st.m.q.Theme(s.Theme) == nil {
		held = pm.LabelHeldMenu
	}
	line(held, s.Held)
	if p := st.pending(); p != nil && (p.Kind == PendingAdd || p.Kind == PendingErase && p.Was == PendingAdd) {
		line(fmt.Sprintf(pm.LabelHeldReview, st.m.q.themeIndex(s.Theme)+1), p.Text)
	}
	line(pm.LabelSource, s.Source)
	line(pm.LabelCreated, st.when(s.CreatedAt))
	line(pm.LabelUpdated, st.when(s.UpdatedAt))
	if th := st.m.q.Theme(s.Theme); th != nil {
		pos := th.Title.In(lang)
		if q := st.m.q.Question(s.Theme, s.Question); q != nil {
			pos += " — " + q.Title.In(lang)
		}
		line(pm.LabelPosition, pos)
	}
	line(pm.LabelAnswers, fmt.Sprintf("%d", len(s.Answers)))
	line(st.rmsg().LabelReminders, st.remindersData())
	if n := st.voiceCount(); n > 0 && st.m.cfg.Voice.Kept {
		line(st.vmsg().LabelVoice, fmt.Sprintf(st.vmsg().DataKept, n))
	} else if n > 0 {
		line(st.vmsg().LabelVoice, fmt.Sprintf("%d", n))
	}
	if !s.ConsentAt.IsZero() {
		b.WriteString("\n\n" + pm.DataCorrect)
	}
	st.out = append(st.out, Reply{Title: pm.DataTitle, Text: b.String()})

	seen := map[string]bool{}
	for i := range st.m.q.Themes {
		th := &st.m.q.Themes[i]
		var tb strings.Builder
		for j := range th.Questions {
			q := &th.Questions[j]
			key := AnswerKey(th.ID, q.ID)
			a, ok := s.Answers[key]
			if !ok {
				continue
			}
			seen[key] = true
			st.writeAnswer(&tb, q.Title.In(lang), q, a)
		}
		title := fmt.Sprintf(m.ThemeHeading, i+1, th.Title.In(lang))
		if at, ok := s.Confirmed[th.ID]; ok {
			title += " — " + fmt.Sprintf(pm.ConfirmedOn, st.when(at))
		}
		if tb.Len() > 0 {
			st.out = append(st.out, Reply{Title: title, Text: tb.String()})
		} else if _, ok := s.Confirmed[th.ID]; ok {
			st.out = append(st.out, Reply{Title: title, Text: m.NoAnswers})
		}
	}
	// Answers to questions the questionnaire no longer has are stored all
	// the same, so they are shown too.
	var orphans []string
	for k := range s.Answers {
		if !seen[k] {
			orphans = append(orphans, k)
		}
	}
	if len(orphans) > 0 {
		slices.Sort(orphans)
		var ob strings.Builder
		for _, k := range orphans {
			st.writeAnswer(&ob, k, nil, s.Answers[k])
		}
		st.out = append(st.out, Reply{Title: pm.OtherAnswers, Text: ob.String()})
	}
	st.out = append(st.out, Reply{Text: pm.DataFile, Document: &Document{
		Name: DataFileName,
		MIME: "application/json",
		Data: st.dataJSON(),
	}})
}

// answerKeys lists the session's answer keys in questionnaire order, then
// those of questions the questionnaire no longer has, sorted.
func (st *step) answerKeys() []string {
	keys := make([]string, 0, len(st.s.Answers))
	seen := map[string]bool{}
	for _, th := range st.m.q.Themes {
		for _, q := range th.Questions {
			k := AnswerKey(th.ID, q.ID)
			if _, ok := st.s.Answers[k]; ok {
				keys = append(keys, k)
				seen[k] = true
			}
		}
	}
	var orphans []string
	for k := range st.s.Answers {
		if !seen[k] {
			orphans = append(orphans, k)
		}
	}
	slices.Sort(orphans)
	return append(keys, orphans...)
}

// writeAnswer appends one answer in full, with its times, as a paragraph.
func (st *step) writeAnswer(b *strings.Builder, title string, q *Question, a Answer) {
	pm := st.pmsg()
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	when := fmt.Sprintf(pm.AnsweredOn, st.when(a.CreatedAt))
	if !a.UpdatedAt.Equal(a.CreatedAt) {
		when += ", " + fmt.Sprintf(pm.ChangedOn, st.when(a.UpdatedAt))
	}
	fmt.Fprintf(b, "• %s (%s)\n", title, when)
	switch {
	case a.Voice != nil:
		b.WriteString(fmt.Sprintf(st.msg().VoiceMark, a.Voice.Duration))
		if a.Transcribed() {
			b.WriteString("\n" + fmt.Sprintf(st.vmsg().DataTranscript, a.Text))
		}
	case a.Choice != "" && q != nil && q.Choice(a.Choice) != nil:
		b.WriteString(q.Choice(a.Choice).Label.In(st.s.Lang))
	case a.Choice != "":
		b.WriteString(a.Choice)
	default:
		b.WriteString(a.Text)
	}
}

// when formats a time for people, in the consultation's time zone, so
// that it reads the same whatever the server's.
func (st *step) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(st.m.cfg.Location).Format(st.pmsg().TimeLayout)
}

// dataExport is the JSON file of "my data": every field of the session,
// ids with their labels, in a stable order.
type dataExport struct {
	Notice      string            `json:"notice"`
	Participant string            `json:"participant"`
	Language    string            `json:"language"`
	Stage       string            `json:"stage"`
	ConsentAt   *time.Time        `json:"consent_at,omitempty"`
	Profile     *labelled         `json:"profile,omitempty"`
	Academie    string            `json:"academie,omitempty"`
	Source      string            `json:"source,omitempty"`
	Position    *dataPosition     `json:"position,omitempty"`
	CreatedAt   *time.Time        `json:"created_at,omitempty"`
	UpdatedAt   *time.Time        `json:"updated_at,omitempty"`
	Confirmed   []dataConfirmed   `json:"confirmed_themes"`
	Reminders   *Reminders        `json:"reminders,omitempty"`
	Answers     []dataAnswer      `json:"answers"`
	Controller  string            `json:"controller,omitempty"`
	Contact     string            `json:"contact,omitempty"`
	Commands    map[string]string `json:"commands"`
}

type labelled struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
}

type dataPosition struct {
	Theme    string `json:"theme"`
	Question string `json:"question,omitempty"`
}

type dataConfirmed struct {
	Theme      string    `json:"theme"`
	ThemeTitle string    `json:"theme_title,omitempty"`
	At         time.Time `json:"at"`
}

type dataAnswer struct {
	Theme         string    `json:"theme"`
	ThemeTitle    string    `json:"theme_title,omitempty"`
	Question      string    `json:"question"`
	QuestionTitle string    `json:"question_title,omitempty"`
	Text          string    `json:"text,omitempty"`
	Choice        *labelled `json:"choice,omitempty"`
	Voice         *Voice    `json:"voice,omitempty"`
	Transcribed   bool      `json:"transcribed,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (st *step) dataJSON() []byte {
	s, lang, pm := &st.s, st.s.Lang, st.pmsg()
	d := dataExport{
		Notice:      pm.DataNotice,
		Participant: s.Participant,
		Language:    lang,
		Stage:       string(s.Stage),
		ConsentAt:   timePtr(s.ConsentAt),
		Academie:    s.Academie,
		Source:      s.Source,
		CreatedAt:   timePtr(s.CreatedAt),
		UpdatedAt:   timePtr(s.UpdatedAt),
		Confirmed:   []dataConfirmed{},
		Answers:     []dataAnswer{},
		Controller:  st.m.cfg.Privacy.Controller,
		Contact:     st.m.cfg.Privacy.Contact,
		Commands:    map[string]string{"my_data": st.catalog().Command(CmdMyData), "erase": st.catalog().Command(CmdErase)},
	}
	if r := s.Reminders; r != (Reminders{}) {
		d.Reminders = &r
	}
	if st.later || d.Reminders != nil {
		// Where the channel cannot write later (terminal, web page),
		// reminders are never offered: the file does not name them.
		d.Commands["reminders"] = st.catalog().Command(CmdReminders)
	}
	if s.Profile != "" {
		d.Profile = &labelled{ID: s.Profile}
		if p := st.m.q.Profile(s.Profile); p != nil {
			d.Profile.Label = p.Label.In(lang)
		}
	}
	if s.Theme != "" {
		d.Position = &dataPosition{Theme: s.Theme, Question: s.Question}
	}
	themes := make([]string, 0, len(s.Confirmed))
	for th := range s.Confirmed {
		themes = append(themes, th)
	}
	// Questionnaire order; themes it no longer has last.
	slices.SortFunc(themes, func(a, b string) int {
		ia, ib := st.m.q.themeIndex(a), st.m.q.themeIndex(b)
		if st.m.q.Theme(a) == nil {
			ia = len(st.m.q.Themes)
		}
		if st.m.q.Theme(b) == nil {
			ib = len(st.m.q.Themes)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	for _, id := range themes {
		c := dataConfirmed{Theme: id, At: s.Confirmed[id]}
		if th := st.m.q.Theme(id); th != nil {
			c.ThemeTitle = th.Title.In(lang)
		}
		d.Confirmed = append(d.Confirmed, c)
	}
	for _, k := range st.answerKeys() {
		a := s.Answers[k]
		da := dataAnswer{Theme: a.Theme, Question: a.Question, Text: a.Text, Voice: a.Voice, Transcribed: a.Transcribed(), CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
		if th := st.m.q.Theme(a.Theme); th != nil {
			da.ThemeTitle = th.Title.In(lang)
		}
		q := st.m.q.Question(a.Theme, a.Question)
		if q != nil {
			da.QuestionTitle = q.Title.In(lang)
		}
		if a.Choice != "" {
			da.Choice = &labelled{ID: a.Choice}
			if q != nil && q.Choice(a.Choice) != nil {
				da.Choice.Label = q.Choice(a.Choice).Label.In(lang)
			}
		}
		d.Answers = append(d.Answers, da)
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		// Only plain strings, times and ints: this cannot fail.
		panic(fmt.Sprintf("encode my data: %v", err))
	}
	return append(b, '\n')
}

// privacyMessages are the privacy features' texts in one language, from
// the catalogue.
type privacyMessages = text.Privacy

func (st *step) pmsg() *privacyMessages { return &st.catalog().Privacy }
