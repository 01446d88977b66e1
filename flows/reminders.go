package flows

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"consultbot/text"
)

// CmdReminders turns reminders and announcements off when they are on,
// and offers them when they are off.
const CmdReminders = "reminders"

// Reminders is a participant's consent to reminders and announcements,
// given apart from the consent to take part: only an explicit yes turns
// it on, recorded with its time; /rappels or « stop » withdraws it, and
// so does a platform refusing to deliver to the person for good.
type Reminders struct {
	// OfferedAt is when reminders were offered: they are offered once.
	OfferedAt time.Time `json:"offered_at,omitzero"`
	// ConsentAt is when the person said yes; zero: no consent.
	ConsentAt time.Time `json:"consent_at,omitzero"`
	// WithdrawnAt is when a consent was last withdrawn.
	WithdrawnAt time.Time `json:"withdrawn_at,omitzero"`
	// Due is when the next reminder is to be sent; zero: none. Any event
	// from the person clears it (they came back); a pause, or a theme
	// validated with others left, sets it again.
	Due time.Time `json:"due,omitzero"`
	// Sent counts the reminders sent over the consultation: a reminder
	// counts once queued, and the store takes it back if it drops it
	// unsent (its person came back or withdrew meanwhile).
	Sent int `json:"sent,omitempty"`
}

// On reports whether the person accepted reminders and announcements.
func (r Reminders) On() bool { return !r.ConsentAt.IsZero() }

// ReminderSettings says when reminders may be sent. Times are in the
// consultation's time zone (Config.Location).
type ReminderSettings struct {
	// Max is how many reminders one person gets at most over the
	// consultation; zero turns reminders (and their offer) off.
	Max int
	// AfterDays is how long after a pause the reminder comes; zero: 3.
	AfterDays int
	// From and Until bound the hours reminders are sent in, as minutes
	// after midnight (from included, until excluded); both zero: 9:00 to
	// 20:00.
	From, Until int
	// QuietDays are the days of the week no reminder is sent.
	QuietDays []time.Weekday
}

func (r ReminderSettings) withDefaults() ReminderSettings {
	if r.AfterDays <= 0 {
		r.AfterDays = 3
	}
	if r.From == 0 && r.Until == 0 {
		r.From, r.Until = 9*60, 20*60
	}
	r.From = min(max(r.From, 0), 24*60-1)
	r.Until = min(max(r.Until, r.From+1), 24*60)
	return r
}

// Allowed reports whether a reminder may be sent at t in loc.
func (r ReminderSettings) Allowed(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	mins := lt.Hour()*60 + lt.Minute()
	return !slices.Contains(r.QuietDays, lt.Weekday()) && mins >= r.From && mins < r.Until
}

// NextAllowed returns t if a reminder may be sent then, else the start
// of the next allowed hours, by the wall clock of loc (so 9:00 stays
// 9:00 across a change to or from summer time).
func (r ReminderSettings) NextAllowed(t time.Time, loc *time.Location) time.Time {
	for range 8 {
		if r.Allowed(t, loc) {
			return t
		}
		lt := t.In(loc)
		day := lt.Day()
		if lt.Hour()*60+lt.Minute() >= r.From || slices.Contains(r.QuietDays, lt.Weekday()) {
			day++
		}
		t = time.Date(lt.Year(), lt.Month(), day, r.From/60, r.From%60, 0, 0, loc)
	}
	return t // every day quiet: a configuration check refuses it
}

// Buttons of the reminders.
const (
	actRemindYes  = "remyes"  // yes, remind me
	actRemindNo   = "remno"   // no thanks
	actRemindStop = "remstop" // no more reminders
)

// Pending texts of PendingReminders.
const (
	remindOffer    = "offer"
	remindReminder = "reminder"
	// remindAfterTheme is the offer made once a theme is done with others
	// left: below its review, in place of the next theme's first question
	// (at StageReview), or after « Valider » (at StageMenu). Its answer
	// validates the theme and goes on to the next theme not validated
	// yet, as answering that question, or « Valider », does.
	remindAfterTheme = "after-theme"
)

// OffersReminders reports whether p is the reminders offer, waiting for a
// yes or a no: it then stands in for the prompt of the session's stage.
func (p *Pending) OffersReminders() bool {
	return p != nil && p.Kind == PendingReminders && (p.Text == remindOffer || p.Text == remindAfterTheme)
}

func (st *step) rmsg() *text.Reminders { return &st.catalog().Reminders }

// dueAfterPause is when a reminder asked for now comes: AfterDays later
// by the wall clock, within the allowed hours; zero if that is not before
// the consultation closes.
func (st *step) dueAfterPause() time.Time {
	rs, loc := st.m.cfg.Reminders, st.m.cfg.Location
	due := rs.NextAllowed(st.now.In(loc).AddDate(0, 0, rs.AfterDays), loc)
	if c := st.m.cfg.ClosesAt; !c.IsZero() && !due.Before(c) {
		return time.Time{}
	}
	return due
}

// cameBack clears the reminder due: the person is here. Asking what is
// kept, or about reminders, is not coming back to the consultation.
func (st *step) cameBack(ev Event) {
	if ev.Kind == EventCommand && (ev.Command == CmdMyData || ev.Command == CmdReminders) {
		return
	}
	st.s.Reminders.Due = time.Time{}
}

// offerReminders, after a pause (paused) or a theme validated, offers
// reminders if they never were, or schedules the next reminder if the
// person accepted them. It reports whether it asked the offer, which
// then stands in for the stage's prompt.
func (st *step) offerReminders(paused bool) bool {
	if !paused && st.allConfirmed() {
		return false
	}
	st.scheduleReminder()
	if !st.canOffer() {
		return false
	}
	if !paused {
		st.s.Stage = StageMenu // the offer stands in for the menu
		st.offer(remindAfterTheme)
		return true
	}
	st.offer(remindOffer)
	return true
}

// scheduleReminder sets when the next reminder comes, for a person who
// accepted them and has not had them all.
func (st *step) scheduleReminder() {
	if r := &st.s.Reminders; r.On() && r.Sent < st.m.cfg.Reminders.Max {
		r.Due = st.dueAfterPause()
	}
}

// canOffer reports whether reminders may be offered now: never offered
// yet, on a channel that can write later, with time for one before the
// consultation closes.
func (st *step) canOffer() bool {
	r := st.s.Reminders
	return st.m.cfg.Reminders.Max > 0 && !r.On() && st.later && r.OfferedAt.IsZero() && !st.dueAfterPause().IsZero()
}

// offer asks the reminders offer of kind (remindOffer or
// remindAfterTheme), once, in place of the stage's prompt.
func (st *step) offer(kind string) {
	st.s.Reminders.OfferedAt = st.now
	p := &Pending{Kind: PendingReminders, Text: kind}
	st.show(st.remindersPrompt(p))
	st.setPending(p)
}

// remindersPrompt is the offer, or the buttons under a reminder.
func (st *step) remindersPrompt(p *Pending) (Reply, []opt) {
	rm := st.rmsg()
	if p.Text == remindReminder {
		return st.reminderReply(), []opt{{actResume, "", st.msg().ResumeLabel}, {actRemindStop, "", rm.Stop}}
	}
	r := Reply{Text: st.offerText()}
	opts := []opt{{actRemindYes, "", rm.Yes}, {actRemindNo, "", rm.No}}
	switch st.s.Stage {
	case StagePaused:
		r.Text = st.pausedText() + "\n\n" + r.Text
		opts = append(opts, opt{actResume, "", st.msg().ResumeLabel})
	case StageReview:
		// Below the theme just completed, in place of the next theme's
		// first question: either answer goes on to it.
		th := st.m.q.Theme(st.s.Theme)
		r.Recap = st.recap(th)
		opts = append(opts, st.reviewOpt(th))
	default:
		opts = append(opts, opt{actMenu, "", rm.Later})
	}
	return r, opts
}

// offerText is the offer's question, with its delay in days.
func (st *step) offerText() string {
	d := st.m.cfg.Reminders.AfterDays
	return fmt.Sprintf(st.rmsg().Offer, d, text.For(st.s.Lang).Count(d, st.rmsg().Days))
}

func (st *step) reminderReply() Reply {
	return Reply{Text: fmt.Sprintf(st.rmsg().Reminder, len(st.confirmedThemes()), len(st.m.q.Themes))}
}

// confirmedThemes lists the themes of the questionnaire validated.
func (st *step) confirmedThemes() []string {
	var ids []string
	for _, th := range st.m.q.Themes {
		if _, ok := st.s.Confirmed[th.ID]; ok {
			ids = append(ids, th.ID)
		}
	}
	return ids
}

// remindersPending reports the pending offer or reminder buttons.
func (st *step) remindersPending() *Pending {
	if p := st.pending(); p != nil && p.Kind == PendingReminders {
		return p
	}
	return nil
}

// How a typed message asks to stop (stopOf).
const (
	stopNone     = iota
	stopBare     // « stop », « arrête »: a goodbye, or an end to the messages
	stopMessages // « stop relances », « je ne veux plus de messages »: the messages
)

// stopVerbs say stop; alone they are a bare stop.
var stopVerbs = map[string]bool{
	"stop": true, "stopper": true, "stoppez": true, "stoppe": true, "arret": true, "arrete": true, "arretez": true,
	"arreter": true, "arretes": true, "halte": true, "cesse": true, "cessez": true, "cesser": true,
}

// stopAlone are the words that may stand beside a stop verb in a bare
// stop: « j'arrête », « on arrête », « stop stop ».
var stopAlone = map[string]bool{"j": true, "je": true, "on": true, "tout": true, "now": true}

// messageNouns name what a clear stop stops: the bot's messages.
var messageNouns = map[string]bool{
	"rappel": true, "rappels": true, "relance": true, "relances": true, "message": true, "messages": true,
	"notification": true, "notifications": true, "notif": true, "notifs": true, "annonce": true, "annonces": true,
	"sms": true, "mail": true, "mails": true, "mp": true, "mps": true,
	"reminder": true, "reminders": true, "announcement": true, "announcements": true,
}

// stopMarkers turn a message noun into a stop: « plus de rappels »,
// « pas de relances », « no more messages », « don't send ».
var stopMarkers = map[string]bool{
	"plus": true, "pas": true, "aucun": true, "aucune": true, "desactiver": true, "desactivez": true, "desactive": true,
	"couper": true, "coupez": true, "supprimer": true, "supprimez": true, "no": true, "don": true, "dont": true,
	"not": true, "off": true,
}

// stopUnsubscribe are words that stop the messages on their own.
var stopUnsubscribe = map[string]bool{
	"desinscrire": true, "desinscription": true, "desinscrivez": true, "desabonner": true, "desabonnez": true,
	"desabonnement": true, "unsubscribe": true, "opt": true, // « opt out »
}

// stopFillers may stand in a clear stop beside its noun and marker, and
// nothing else may: « je ne veux plus de messages de l'ENT le soir » is
// about the school's messages, an answer.
var stopFillers = map[string]bool{
	"je": true, "j": true, "ne": true, "n": true, "veux": true, "voudrais": true, "souhaite": true, "souhaiterais": true,
	"m": true, "me": true, "moi": true, "de": true, "d": true, "des": true, "les": true, "le": true, "la": true,
	"vos": true, "mes": true, "ces": true, "vous": true, "votre": true, "part": true, "du": true, "bot": true, "robot": true,
	"recevoir": true, "envoyer": true, "envoyez": true, "ecrire": true, "ecrivez": true, "merci": true, "svp": true,
	"stp": true, "il": true, "plait": true, "et": true, "ni": true, "ou": true, "tous": true, "toutes": true,
	"please": true, "i": true, "want": true, "any": true, "more": true, "the": true, "your": true, "send": true,
	"get": true, "t": true, "do": true, "to": true, "a": true, "all": true, "or": true, "and": true, "turn": true,
	"out": true, "sending": true, "from": true, "you": true, "s": true, "rien": true, "anything": true,
}

// stopOf reads n, a typed message normalised, as a request to stop: bare
// (a stop verb, maybe with « je », « on »: « stop », « j'arrête »),
// about the bot's messages (a message noun, or « recevoir », with a stop
// verb or marker and nothing but small words beside them: « stop
// relances », « je ne veux plus de messages », « ne plus rien recevoir »,
// « no more reminders »; or « se désabonner »), or none.
func stopOf(n string) int {
	words := strings.Fields(n)
	if len(words) == 0 || len(words) > 12 {
		return stopNone
	}
	verb, noun, marker, unsubscribe, receive, bare := false, false, false, false, false, true
	for _, w := range words {
		receive = receive || w == "recevoir" || w == "receive"
		known := false
		if stopVerbs[w] {
			verb, known = true, true
		}
		if stopAlone[w] {
			known = true
		} else {
			bare = bare && stopVerbs[w]
		}
		if messageNouns[w] {
			noun, known = true, true
		}
		if stopUnsubscribe[w] {
			unsubscribe, known = true, true
		}
		if stopMarkers[w] {
			marker, known = true, true
		}
		if !known && !stopFillers[w] {
			return stopNone
		}
	}
	switch {
	case bare && verb:
		return stopBare
	case unsubscribe || (noun || receive) && (verb || marker):
		return stopMessages
	}
	return stopNone
}

// reminders handles what is about reminders: the /rappels command, the
// offer's and the reminder's buttons, typed answers to them, and « stop »
// where it means nothing else. It reports whether ev was one of them.
func (st *step) reminders(ev Event) bool {
	s := &st.s
	switch ev.Kind {
	case EventCommand:
		if ev.Command != CmdReminders {
			return false
		}
		st.toggleReminders()
		return true
	case EventChoice:
		t, ok := parseToken(ev.Token)
		if !ok || t.prompt != s.Prompt || st.remindersPending() == nil {
			return false
		}
		return st.remindersChoice(t)
	case EventText:
		if !utf8.ValidString(ev.Text) {
			return false
		}
		n := normalize(sanitizeText(ev.Text))
		if st.remindersPending() != nil {
			_, opts := st.current()
			rd := readText(ev.Text, opts, false, st.m.q)
			if rd.kind == readOption {
				return st.remindersChoice(token{prompt: s.Prompt, action: rd.opt.action, arg: rd.opt.arg})
			}
			if rd.kind == readThanks {
				// A bare thank-you is neither yes nor no: the offer is
				// asked again, its buttons with it.
				st.say(st.msg().ThanksBack)
				st.reshow()
				return true
			}
			if stopOf(n) != stopNone {
				return st.remindersChoice(token{prompt: s.Prompt, action: actRemindStop})
			}
			if st.standsInForNextQuestion(ev.Text, n) {
				// Below a theme just completed, the offer stands in for
				// the next theme's first question, out of sight: the text
				// cannot answer it, and is no yes. One line says what to
				// do; the offer's buttons still hold.
				rm := st.rmsg()
				st.say(fmt.Sprintf(rm.AnswerFirst, rm.Yes, rm.No))
				st.wayOn = true
				return true
			}
			// Anything else leaves the offer unanswered (no consent) and is
			// read at the stage's own prompt.
			s.Pending = nil
			return false
		}
		stop := stopOf(n)
		if stop == stopNone || s.Stage == StageNew || s.Stage == StageDeclined {
			return false
		}
		if !s.Reminders.On() {
			if stop == stopBare {
				return false // read at the prompt: a pause, a goodbye
			}
			st.say(st.rmsg().NotOn)
			st.reshow()
			return true
		}
		// Whoever says stop gets no reminder, nor any announcement,
		// whatever else they meant.
		st.withdraw()
		if stop == stopBare && s.Stage == StageQuestion && st.pending() == nil {
			st.pause() // a goodbye too: the answers are kept
			return true
		}
		st.reshow()
		return true
	}
	return false
}

// standsInForNextQuestion reports whether text, typed at the offer shown
// below a theme just completed, means nothing at that theme's review
// either (« valider », « supprimer 2 » and the like still do there): the
// person went on answering, as if the next question were in sight. n is
// the sanitised text, normalised.
func (st *step) standsInForNextQuestion(text, n string) bool {
	if p := st.remindersPending(); p == nil || p.Text != remindAfterTheme || st.s.Stage != StageReview {
		return false
	}
	if _, ok := removeNumber(n); ok {
		return false
	}
	r, opts := st.reviewPrompt()
	switch readText(text, opts, r.Expect == ExpectText, st.m.q).kind {
	case readUnclear, readAnswer, readCheck, readNoOption, readOneAtATime:
		return true
	}
	return false
}

// remindersChoice handles a button of the offer or of a reminder.
func (st *step) remindersChoice(t token) bool {
	s := &st.s
	rm := st.rmsg()
	afterTheme := false
	if p := st.remindersPending(); p != nil && p.Text == remindAfterTheme {
		afterTheme = true
	}
	switch t.action {
	case actRemindYes:
		s.Reminders.ConsentAt = st.now
		s.Reminders.WithdrawnAt = time.Time{}
		if s.Reminders.Sent < st.m.cfg.Reminders.Max && st.somethingLeft() {
			s.Reminders.Due = st.dueAfterPause()
		}
		if d := s.Reminders.Due; !d.IsZero() {
			st.say(fmt.Sprintf(rm.Scheduled, st.when(d)))
		} else {
			st.say(rm.Consented)
		}
		st.afterOffer(afterTheme)
	case actRemindNo:
		st.say(rm.Declined)
		st.afterOffer(afterTheme)
	case actRemindStop:
		if s.Reminders.On() {
			st.withdraw()
		} else {
			st.say(rm.NotOn)
		}
		st.afterOffer(afterTheme)
	case actResume:
		s.Pending = nil
		st.resume()
	case actMenu:
		st.showMenu()
	default:
		return false
	}
	return true
}

// afterOffer follows an answer to the offer or the reminder's buttons,
// whose acknowledgement was just said: at the end of a theme, the offer
// in place of the next theme's question, that theme is validated (moving
// on validates it, see finishTheme); then, as after a theme validated by
// « Valider » (and nothing else since), straight on to the next theme not
// validated yet, the acknowledgement and how to choose another as its
// lead. Else the stage's prompt again (the pause stays a pause).
func (st *step) afterOffer(afterTheme bool) {
	from := ""
	switch {
	case afterTheme && st.s.Stage == StageReview:
		from = st.s.Theme
		st.validate(from)
		st.scheduleReminder()
	case afterTheme && st.s.Stage == StageMenu:
		from = st.lastConfirmed()
	}
	if from == "" || st.allConfirmed() {
		st.reshowStage()
		return
	}
	st.s.Pending = nil
	if n := len(st.out); n > 0 && isNote(st.out[n-1]) {
		if st.s.Stage == StageReview {
			st.out[n-1].Text += "\n" + fmt.Sprintf(st.msg().Validated, st.m.q.themeIndex(from)+1)
		}
		st.out[n-1].Text += "\n" + st.msg().NextTheme
	}
	st.enterTheme(st.nextTheme(from))
}

// lastConfirmed returns the theme validated last ("" for none).
func (st *step) lastConfirmed() string {
	var id string
	var at time.Time
	for _, th := range st.m.q.Themes {
		if t, ok := st.s.Confirmed[th.ID]; ok && (id == "" || t.After(at)) {
			id, at = th.ID, t
		}
	}
	return id
}

// somethingLeft reports whether a reminder has anything to remind: a
// pause, or a theme not validated yet.
func (st *step) somethingLeft() bool {
	return st.s.Stage == StagePaused || !st.allConfirmed()
}

// withdraw turns reminders and announcements off.
func (st *step) withdraw() {
	r := &st.s.Reminders
	r.ConsentAt, r.Due, r.WithdrawnAt = time.Time{}, time.Time{}, st.now
	st.say(st.rmsg().Stopped)
}

// toggleReminders is /rappels: off when on, else the offer where the
// channel can write later.
func (st *step) toggleReminders() {
	s := &st.s
	switch {
	case s.Stage == StageNew || s.Stage == StageDeclined || s.Stage == StageConsent:
		st.say(st.rmsg().NotOn)
		st.reshow()
	case s.Reminders.On():
		st.withdraw()
		st.reshow()
	case !st.later || st.m.cfg.Reminders.Max <= 0:
		st.say(st.rmsg().Unavailable)
		st.reshow()
	default:
		s.Reminders.OfferedAt = st.now
		p := &Pending{Kind: PendingReminders, Text: remindOffer}
		r, opts := st.remindersPrompt(p)
		if s.Stage != StagePaused {
			// Only yes or no: the stage's prompt comes back after.
			r.Text = st.offerText()
			opts = opts[:2]
		}
		st.show(r, opts)
		st.setPending(p)
	}
}

// reminderStep handles the events that are no one's action: a reminder
// falling due, and a platform refusing to deliver to the person for
// good. Neither counts as the person coming back: UpdatedAt stays.
func (m *Machine) reminderStep(s Session, ev Event, now time.Time) (Session, []Reply) {
	if s.Stage == StageNew {
		// No one, or erased meanwhile: leave no trace.
		return Session{Participant: s.Participant, Stage: StageErased}, nil
	}
	st := &step{m: m, s: cloneSession(s), now: now}
	r := &st.s.Reminders
	if ev.Kind == EventUnreachable {
		if r.On() {
			r.ConsentAt, r.Due, r.WithdrawnAt = time.Time{}, time.Time{}, now
		}
		return st.s, nil
	}
	if r.Due.IsZero() || now.Before(r.Due) {
		return s, nil // came back meanwhile, or not yet
	}
	rs := m.cfg.Reminders
	switch st.s.Stage {
	case StagePaused, StageMenu, StageReview, StageQuestion, StageEdit:
	default:
		r.Due = time.Time{}
		return st.s, nil
	}
	if !r.On() || st.s.Banned || m.Closed(now) || r.Sent >= rs.Max || !st.somethingLeft() {
		r.Due = time.Time{}
		return st.s, nil
	}
	if !rs.Allowed(now, m.cfg.Location) {
		// Fell due while the bot was stopped, say: the next allowed hour.
		r.Due = rs.NextAllowed(now, m.cfg.Location)
		if c := m.cfg.ClosesAt; !c.IsZero() && !r.Due.Before(c) {
			r.Due = time.Time{}
		}
		return st.s, nil
	}
	r.Due = time.Time{}
	r.Sent++
	p := &Pending{Kind: PendingReminders, Text: remindReminder}
	st.show(st.remindersPrompt(p))
	st.setPending(p)
	return st.s, st.out
}

// remindersData is the "my data" line about reminders.
func (st *step) remindersData() string {
	r, rm := st.s.Reminders, st.rmsg()
	var parts []string
	switch {
	case r.On():
		parts = append(parts, fmt.Sprintf(rm.DataOn, st.when(r.ConsentAt)))
		if !r.Due.IsZero() {
			parts = append(parts, fmt.Sprintf(rm.DataNext, st.when(r.Due)))
		}
	case !r.WithdrawnAt.IsZero():
		parts = append(parts, fmt.Sprintf(rm.DataWithdrawn, st.when(r.WithdrawnAt)))
	case !r.OfferedAt.IsZero():
		parts = append(parts, rm.DataOff)
	default:
		return ""
	}
	if r.Sent > 0 {
		parts = append(parts, fmt.Sprintf(rm.DataSent, r.Sent, text.For(st.s.Lang).Count(r.Sent, rm.SentNoun)))
	}
	return strings.Join(parts, " ; ")
}
