package flows

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"consultbot/text"
)

// DefaultMaxText is the default limit of a text answer, in characters.
const DefaultMaxText = 4000

// Limits on what is quoted back or stored besides answers.
const (
	maxSourceLen   = 64  // a deep-link payload, as Telegram allows
	maxQuoteLen    = 500 // text quoted back from a stale form
	maxReviewLen   = 100 // an answer shown on a review line
	maxRecapLen    = 70  // an answer on a line of the review above the next theme
	maxCurrentLen  = 300 // the current answer shown with its question
	maxListLen     = 150 // an answer in /mes_reponses, so that a theme fits in a Discord message
	maxFileIDLen   = 256 // a platform's voice file id
	maxAcademieLen = 100 // the longest message read whole as a place
)

// Config tunes a Machine.
type Config struct {
	// ClosesAt ends the consultation: from then on every event gets a
	// polite closing message and nothing changes. Zero means never.
	ClosesAt time.Time
	// MaxText bounds a text answer in characters; zero means DefaultMaxText.
	MaxText int
	// DefaultLang is the language of newcomers whose platform gives no
	// English hint; empty means French.
	DefaultLang string
	// Privacy fills the consent text (who, how long, contact).
	Privacy Privacy
	// Location is the consultation's time zone, in which every time and
	// date is shown; nil means UTC.
	Location *time.Location
	// Voice says what becomes of voice answers (see VoiceSettings).
	Voice VoiceSettings
	// Reminders says when reminders may be sent (see ReminderSettings);
	// the zero value never offers them.
	Reminders ReminderSettings
}

// Machine runs the conversation of the consultation. It is immutable and
// safe for concurrent use.
type Machine struct {
	q   *Questionnaire
	cfg Config
}

// NewMachine returns a Machine asking q's questions, with cfg's defaults
// filled in. q must be valid (see Questionnaire.Validate); nil means the
// default questionnaire.
func NewMachine(q *Questionnaire, cfg Config) *Machine {
	if q == nil {
		q = DefaultQuestionnaire()
	}
	if cfg.MaxText <= 0 {
		cfg.MaxText = DefaultMaxText
	}
	if cfg.DefaultLang != LangEN {
		cfg.DefaultLang = LangFR
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	cfg.Reminders = cfg.Reminders.withDefaults()
	return &Machine{q: q, cfg: cfg}
}

// Questionnaire returns the questionnaire the machine asks.
func (m *Machine) Questionnaire() *Questionnaire { return m.q }

// Config returns the machine's configuration, defaults filled in.
func (m *Machine) Config() Config { return m.cfg }

// Closed reports whether the consultation is closed at now.
func (m *Machine) Closed(now time.Time) bool {
	return !m.cfg.ClosesAt.IsZero() && !now.Before(m.cfg.ClosesAt)
}

// Step advances the conversation s by one event ev happening at now, and
// returns the new session and the replies to send, in order. It never
// modifies s's maps, so the caller may step the same session again.
func (m *Machine) Step(s Session, ev Event, now time.Time) (Session, []Reply) {
	next, out := m.step(s, ev, now)
	for i := range out {
		out[i].Lang = next.Lang
	}
	return next, out
}

func (m *Machine) step(s Session, ev Event, now time.Time) (Session, []Reply) {
	switch ev.Kind {
	case EventTranscript:
		return m.transcriptStep(s, ev, now)
	case EventReminder, EventUnreachable:
		return m.reminderStep(s, ev, now)
	}
	if ev.Kind == EventText && ev.Token == "" {
		if c, ok := ParseCommand(ev.Text); ok {
			// A typed command keeps what the channel said of the message.
			c.Lang, c.Later, c.CommandButtons, c.DiscordLocale, c.Media = ev.Lang, ev.Later, ev.CommandButtons, ev.DiscordLocale, ev.Media
			ev = c
		}
	}
	st := &step{m: m, s: cloneSession(s), now: now, later: ev.Later, buttons: ev.CommandButtons, discord: ev.DiscordLocale,
		profile: s.Profile, academie: s.Academie}
	st.repair(ev)
	if m.Closed(now) {
		if st.privacy(ev) {
			// Rights outlive the consultation: only the prompt numbers of
			// the erase buttons, or the erasure itself, change.
			if st.s.Stage == StageErased {
				return st.s, st.out
			}
			s.Prompt, s.Pending = st.s.Prompt, st.s.Pending
			return s, st.out
		}
		// Nothing else changes once closed, not even the timestamps; and
		// nothing at all is stored of someone who had no session.
		st.closed(ev)
		if st.s.Stage == StageNew {
			st.s.Stage = StageErased
			return st.s, st.out
		}
		return s, st.out
	}
	if s.Banned {
		// A ban silences the consultation, not the person's rights: the
		// privacy commands still work, as once closed.
		if st.privacy(ev) {
			if st.s.Stage == StageErased {
				return st.s, st.out
			}
			s.Prompt, s.Pending = st.s.Prompt, st.s.Pending
			return s, st.out
		}
		return s, []Reply{bannedReply(s.Lang)}
	}
	if st.repeatedTap(ev) {
		// The tap just applied, again: nothing changes, nothing is said
		// (its reply is on its way or in sight), not even the timestamps.
		return s, nil
	}
	st.cameBack(ev)
	// Only a real tap takes the tapped message's place: typed words read
	// as a button are stepped as one, but answered with a new message.
	st.tapped, st.chosen = st.tapOf(ev)
	at := spot{}
	if s.Stage == StageQuestion || s.Stage == StageEdit {
		at = spot{s.Stage, s.Theme, s.Question}
	}
	st.handle(ev)
	st.noDeadEnd(ev)
	st.markAsked()
	st.markUnasked()
	if st.s.Stage != StageEdit {
		st.s.From, st.s.FromReviewed = "", ""
	}
	if !st.s.belowRecap() {
		// Gone elsewhere than the question below the review: the theme
		// stays complete, not validated, as when leaving its review.
		st.s.Reviewed = ""
	}
	st.actedAt(at, ev)
	st.s.Tap, st.s.TapAt = "", time.Time{}
	if st.tapped {
		st.s.Tap, st.s.TapAt = ev.Token, now
	}
	st.fileNotKept(ev)
	st.out = foldNotes(st.out)
	st.markTap()
	if st.s.Stage == StageErased {
		return st.s, st.out
	}
	if st.s.CreatedAt.IsZero() {
		st.s.CreatedAt = now
	}
	st.s.UpdatedAt = now
	return st.s, st.out
}

// markAsked records the question the person stands at as asked (see
// Session.Asked): shown to answer or to change.
func (st *step) markAsked() {
	s := &st.s
	if s.Stage != StageQuestion && s.Stage != StageEdit || st.m.q.Question(s.Theme, s.Question) == nil {
		return
	}
	if s.Asked == nil {
		s.Asked = map[string]bool{}
	}
	s.Asked[AnswerKey(s.Theme, s.Question)] = true
}

// markUnasked records false in Asked the questions of the validated
// themes that were never asked (see Session.Asked).
func (st *step) markUnasked() {
	s := &st.s
	if s.Asked == nil {
		return // stored before Asked existed, and nothing asked since
	}
	for id := range s.Confirmed {
		th := st.m.q.Theme(id)
		if th == nil {
			continue
		}
		for _, q := range th.Questions {
			if k := AnswerKey(id, q.ID); !s.WasAsked(id, q.ID) {
				s.Asked[k] = false
			}
		}
	}
}

// spot is where a person stands in the questionnaire.
type spot struct {
	stage           Stage
	theme, question string
}

// actedAt marks the theme of at started when the person moved on in it
// from one of its questions (at, before ev): typed, spoke or sent
// something, or tapped a button of the current prompt, and went to
// another of its questions, its review, or past its last question (an
// answer, a skip, going back). Staying at the question (a re-prompt, help,
// « valider » below the previous theme's recap, a question about the
// bot) or leaving at once (pause, menu, a command) is not starting it:
// being shown a question is not taking part in its theme.
func (st *step) actedAt(at spot, ev Event) {
	if at.theme == "" {
		return
	}
	switch ev.Kind {
	case EventText, EventVoice, EventMedia:
	case EventChoice:
		if !st.tapped {
			return
		}
	default:
		return
	}
	s := &st.s
	now := spot{s.Stage, s.Theme, s.Question}
	switch {
	case s.Reviewed == at.theme:
		// Past its last question, below its recap.
	case now.theme != at.theme || now == at:
		return
	case now.stage != StageQuestion && now.stage != StageEdit && now.stage != StageReview:
		return
	}
	st.start(at.theme)
}

// start records that the person started theme, once.
func (st *step) start(theme string) {
	if _, ok := st.s.Started[theme]; ok {
		return
	}
	if st.s.Started == nil {
		st.s.Started = map[string]time.Time{}
	}
	st.s.Started[theme] = st.now
}

// fileNotKept says first, in the reply to a text that came with a file
// (a caption), that the file is not kept: only the text was read.
func (st *step) fileNotKept(ev Event) {
	if ev.Media == "" || (ev.Kind != EventText && ev.Kind != EventCommand) || len(st.out) == 0 {
		return
	}
	note := st.msg().FileNotKept
	if isNote(st.out[0]) {
		st.out[0].Text = note + "\n" + st.out[0].Text
		return
	}
	st.out = slices.Insert(st.out, 0, Reply{Text: note})
}

// noDeadEnd shows the current prompt again after a reply to the person
// that asks nothing (an empty or unreadable message, the language already
// spoken, an unknown command, a file where none is read…): every reply
// ends where the person can go on. Replies that need none (see
// step.wayOn), a reply with a file (/mes_donnees), a pause and the stages
// without a prompt are left as they are.
func (st *step) noDeadEnd(ev Event) {
	switch ev.Kind {
	case EventText, EventChoice, EventVoice, EventMedia, EventCommand, EventEdited:
	default:
		return
	}
	switch st.s.Stage {
	case StageConsent, StageProfile, StageAcademie, StageMenu, StageQuestion, StageEdit, StageReview:
	default:
		return
	}
	if st.wayOn || len(st.out) == 0 {
		return
	}
	for _, r := range st.out {
		if len(r.Options) > 0 || r.Expect != ExpectNothing || r.Document != nil {
			return
		}
	}
	st.reshow()
}

// foldNotes folds a short note (text only) into the prompt that follows
// it, as its Lead, so that « Merci, c'est noté. » and the next question
// arrive as one message.
func foldNotes(out []Reply) []Reply {
	folded := out[:0:0]
	for i := 0; i < len(out); i++ {
		r := out[i]
		if i+1 < len(out) && isNote(r) && out[i+1].Lead == "" && (out[i+1].Title != "" || len(out[i+1].Options) > 0) {
			next := out[i+1]
			next.Lead = r.Text
			folded = append(folded, next)
			i++
			continue
		}
		folded = append(folded, r)
	}
	return folded
}

// isNote reports a reply that is only a short text.
func isNote(r Reply) bool {
	return r.Lead == "" && r.Title == "" && len(r.Options) == 0 && r.Expect == "" && r.Document == nil &&
		utf8.RuneCountInString(r.Text) <= maxNoteLen
}

// maxNoteLen bounds what foldNotes folds: longer texts keep their own
// message.
const maxNoteLen = 300

func cloneSession(s Session) Session {
	s.Answers = maps.Clone(s.Answers)
	s.Confirmed = maps.Clone(s.Confirmed)
	s.Started = maps.Clone(s.Started)
	s.Asked = maps.Clone(s.Asked)
	if s.Pending != nil {
		p := *s.Pending
		p.Places = slices.Clone(p.Places)
		s.Pending = &p
	}
	return s
}

// step holds the state of one call of Step.
type step struct {
	m   *Machine
	s   Session
	now time.Time
	out []Reply
	// later: the channel can write to the person later (Event.Later).
	later bool
	// buttons: the channel shows the commands as buttons
	// (Event.CommandButtons).
	buttons bool
	// discord: the locale of the person's Discord app
	// (Event.DiscordLocale).
	discord string
	// wayOn is set by replies that need no prompt after them: help,
	// which explains the prompt in sight (its buttons still hold), the
	// lists that end with their own way on (/mes_reponses), and an
	// over-long text given back to shorten for the question above.
	wayOn bool
	// tapped is set when the event is a tap on a button of the current
	// prompt; chosen is then what the first reply's Lead shows of it,
	// unless a step's own note says it already (emptied). Words typed
	// and read as a button set chosen too: the person sees how they
	// were understood, in a new message.
	tapped bool
	chosen string
	// saved, when set, notes a stored answer in place of « Merci, c'est
	// noté. » (an answer typed after a pause says the conversation
	// resumed).
	saved string
	// profile and academie are the session's before the event: a
	// correction of either is told to reach the earlier answers too
	// (see earlierToo).
	profile, academie string
}

// catalog is the catalogue in the person's language, naming the
// commands as their channel offers them.
func (st *step) catalog() *text.Catalog { return catalogFor(st.s.Lang, st.buttons, st.discord) }

func (st *step) msg() *messages { return &st.catalog().Flow }

func (st *step) say(text string) { st.out = append(st.out, Reply{Text: text}) }

// opt is an option before its token is numbered.
type opt struct{ action, arg, label string }

// ask sends r with options under a new prompt number, which makes every
// earlier button stale and ends any pending confirmation.
func (st *step) ask(r Reply, opts ...opt) {
	if r.Hint == "" && r.Expect != ExpectText && len(opts) > 0 && st.firstSteps() {
		// Before the menu, « menu » typed is not taken yet.
		r.Hint = st.msg().ChoiceHintFirstSteps
	}
	st.s.Prompt++
	st.s.Pending = nil
	for _, o := range opts {
		t := token{prompt: st.s.Prompt, action: o.action, arg: o.arg}
		r.Options = append(r.Options, Option{Token: t.String(), Label: o.label})
	}
	st.out = append(st.out, r)
}

// show asks a prompt built by one of the …Prompt functions.
func (st *step) show(r Reply, opts []opt) { st.ask(r, opts...) }

// repair brings a session read from storage back to a state the machine
// can work from: an unknown stage, theme or question (after the
// questionnaire changed, say) falls back to the menu.
func (st *step) repair(ev Event) {
	s := &st.s
	if s.Prompt < 0 {
		s.Prompt = 0
	}
	if s.Stage == StageErased {
		// Storage never keeps an erased session; should one come back
		// anyway, the person starts afresh.
		*s = Session{Participant: s.Participant, Prompt: s.Prompt}
	}
	if s.Stage == StageNew {
		s.Lang = st.m.cfg.DefaultLang
		hint := ev.Lang
		if hint == "" {
			hint = ev.DiscordLocale
		}
		if strings.HasPrefix(strings.ToLower(hint), "en") {
			s.Lang = LangEN
		}
		if ev.Kind == EventText {
			// A first message clearly in one language opens in it,
			// whatever the app's language: « hello » typed on a phone
			// set to French is read in English, « bonjour » on one set
			// to English in French.
			if l := writtenIn(ev.Text); l != "" {
				s.Lang, s.LangSaid = l, true
			}
		}
	}
	if s.Lang != LangFR && s.Lang != LangEN {
		s.Lang = st.m.cfg.DefaultLang
	}
	switch s.Stage {
	case StageNew, StageConsent, StageDeclined, StageProfile, StageAcademie, StageMenu:
	case StageQuestion, StageEdit, StagePaused, StageReview:
		if st.m.q.Theme(s.Theme) == nil || (s.Stage != StageReview && st.m.q.Question(s.Theme, s.Question) == nil) {
			s.Stage, s.Theme, s.Question = StageMenu, "", ""
		}
	default:
		s.Stage = StageMenu
		if s.ConsentAt.IsZero() {
			s.Stage = StageNew
		}
	}
	if s.Stage == StageMenu && st.m.q.Question(s.Theme, s.Question) == nil {
		s.Theme, s.Question = "", ""
	}
	if s.Stage != StageProfile && s.Stage != StageAcademie && (s.Stage != StagePaused || s.Back != StageReview) {
		s.Back = ""
	}
	if s.Stage != StageAcademie && s.Stage != StageMenu {
		s.Held = ""
	}
	if s.Held == "" {
		s.HeldForMenu = false
	}
	if s.Stage != StageEdit || st.m.q.Question(splitKey(s.From)) == nil {
		s.From, s.FromReviewed = "", ""
	}
	if s.Reviewed != "" && (st.m.q.Theme(s.Reviewed) == nil || s.Reviewed == s.Theme || !s.belowRecap()) {
		s.Reviewed = ""
	}
	if s.Asked == nil {
		// Stored before Asked existed: every question of the themes
		// started counts as asked, as it was read then (WasAsked).
		for id := range s.StartedThemes() {
			if th := st.m.q.Theme(id); th != nil {
				if s.Asked == nil {
					s.Asked = map[string]bool{}
				}
				for _, q := range th.Questions {
					s.Asked[AnswerKey(id, q.ID)] = true
				}
			}
		}
	}
}

func (st *step) handle(ev Event) {
	s := &st.s
	if ev.Kind == EventCommand && ev.Command == CmdResume && ev.Reopen && st.pending() != nil &&
		s.Stage != StageNew && s.Stage != StageDeclined && s.Stage != StageErased {
		// The channel showing where the person stands, unasked: what
		// waits for their yes or no is shown again, never dropped.
		st.reshow()
		return
	}
	if ev.Kind == EventCommand && ev.Command == CmdResume && st.pendingBefore() != nil {
		// /reprendre at an erasure asked over a text in question: back
		// to that text, as « Annuler » and « reprendre » typed.
		ev = Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: actKeep}.String()}
	}
	if mark := len(st.out); ev.Kind == EventCommand && st.leavePending(ev) {
		// What was cancelled and what the command says, in one message.
		defer func() { st.out = append(st.out[:mark], joinNotes(st.out[mark:])...) }()
	}
	if st.privacy(ev) || st.reminders(ev) {
		return
	}
	switch {
	case s.Stage == StageNew && (ev.Kind == EventChoice || ev.Kind == EventText && ev.Token != ""):
		// A button or form of a conversation that no longer exists (erased,
		// or never kept): a tap is not asking to take part, so nothing is
		// stored.
		st.say(st.pmsg().NoSession)
		s.Stage = StageErased
	case s.Stage == StageNew:
		st.firstContact(ev)
	case ev.Kind == EventCommand:
		st.command(ev)
	case s.Stage == StageDeclined && ev.Kind == EventText && wantsToJoin(ev.Text):
		st.firstContact(Event{Kind: EventCommand, Command: CmdStart})
	case s.Stage == StageDeclined:
		st.declinedReminder()
	case ev.Kind == EventEdited:
		st.say(st.msg().Edited)
	case s.Stage == StagePaused && ev.Kind != EventText:
		// Any tap or message after a pause resumes the conversation.
		st.resume()
	case ev.Kind == EventChoice:
		st.choice(ev.Token)
	case ev.Kind == EventText && ev.Token != "":
		// A Discord modal submit: the text answers the prompt the modal was
		// opened from, which must still be the current one.
		if n, ok := promptOf(ev.Token); !ok || n != s.Prompt {
			st.staleForm(ev.Text)
			return
		}
		st.text(ev.Text)
	case ev.Kind == EventText:
		st.text(ev.Text)
	default:
		st.input(ev)
	}
}

// leavePending ends the pending confirmation when ev, a command, goes elsewhere
// (/menu, /reprendre, /start, /langue, typed with or without the
// slash), saying what its cancel button would (« Rien n'a été effacé. »),
// so that the command is done rather than the confirmation asked again.
// The other commands leave it pending: help explains it, a list shows it
// again below, /effacer asks it again. The choice among homonyms at the
// académie is the onboarding's own step, which these commands show again.
func (st *step) leavePending(ev Event) bool {
	p := st.pending()
	if p == nil || p.Kind == PendingPlace {
		return false
	}
	lang := st.s.Lang
	switch ev.Command {
	case CmdStart, CmdMenu, CmdResume:
	case CmdLanguage:
		lang = languageArg(ev.Args, lang) // said in the language switched to
	default:
		return false
	}
	c := catalogFor(lang, st.buttons, st.discord)
	kind := p.Kind
	if kind == PendingErase {
		st.say(c.Privacy.Kept)
		// What was pending before the erasure was asked ends too: said
		// as it would have been (see Pending.Was).
		kind = p.Was
	}
	switch kind {
	case PendingCheck:
		st.say(st.checkDropped(p, &c.Flow))
	case PendingLanguage:
		if ev.Command != CmdLanguage {
			st.say(c.Flow.LanguageKept)
		}
	case PendingHeld:
		st.say(c.Flow.HeldDropped)
	case PendingAdd, PendingRevise:
		switch {
		case kind == PendingRevise && !p.Held:
			// A text typed at the answer in sight: /menu is not storing it.
		case ev.Command == CmdMenu && (st.s.Stage == StageReview || kind == PendingRevise):
			// A sentence typed at the review, waiting for its question
			// or offered at one: kept at the menu, as one typed there
			// (see Session.Held).
			st.s.Held = p.Text
			st.say(c.Flow.MenuHeld)
		default:
			st.say(c.Flow.HeldDropped)
		}
	}
	// A transcript not confirmed leaves the voice note as it was; an
	// offer of reminders not answered, none asked for.
	st.s.Pending = nil
	return true
}

// firstContact welcomes a newcomer (or someone who declined and came back)
// and asks for consent.
func (st *step) firstContact(ev Event) {
	s := &st.s
	if ev.Kind == EventCommand && ev.Command == CmdStart && ev.Args != "" {
		s.Source = sanitizeSource(ev.Args)
		s.Theme = st.themeFromPayload(ev.Args)
	}
	s.Stage = StageConsent
	st.welcome()
	st.askConsent()
}

// welcome says what the consultation is, in the conversation's language.
func (st *step) welcome() {
	m := st.msg()
	st.out = append(st.out, Reply{Title: m.WelcomeTitle, Text: fmt.Sprintf(m.Welcome, st.m.q.Intro.In(st.s.Lang))})
}

// justWelcomed reports the consent prompt of the welcome, with nothing
// said since: the session was created by that step.
func (st *step) justWelcomed() bool {
	s := &st.s
	return s.Stage == StageConsent && !s.CreatedAt.IsZero() && s.CreatedAt.Equal(s.UpdatedAt)
}

func (st *step) askConsent() {
	st.s.Stage = StageConsent
	st.show(st.consentPrompt())
}

// consentPrompt asks for consent in three short lines, with the details a
// tap away.
func (st *step) consentPrompt() (Reply, []opt) {
	m := st.msg()
	return Reply{Text: fmt.Sprintf(st.pmsg().ConsentShort, st.controller())}, []opt{{actYes, "", m.Accept}, {actNo, "", m.Refuse}, {actMore, "", m.More}}
}

// consentDetails shows everything about the processing, then asks again.
func (st *step) consentDetails() {
	m := st.msg()
	st.ask(Reply{Text: st.consentText()}, opt{actYes, "", m.Accept}, opt{actNo, "", m.Refuse})
}

func (st *step) decline() {
	old := st.s
	// Nothing of theirs is kept: only what is needed to talk to them again.
	st.s = Session{Participant: old.Participant, Lang: old.Lang, Stage: StageDeclined, Prompt: old.Prompt, CreatedAt: old.CreatedAt}
	m := st.msg()
	st.say(m.Declined + "\n" + m.DeclinedHint)
}

func (st *step) declinedReminder() { st.say(st.msg().Help[string(StageDeclined)]) }

func (st *step) askProfile() {
	st.s.Stage = StageProfile
	st.show(st.profilePrompt())
}

func (st *step) profilePrompt() (Reply, []opt) {
	return Reply{Text: st.msg().ProfileAsk}, profileOpts(st.m.q, st.s.Lang)
}

// askAcademie asks for the académie.
func (st *step) askAcademie() {
	st.s.Stage = StageAcademie
	st.show(st.academiePrompt())
}

func (st *step) academiePrompt() (Reply, []opt) {
	m := st.msg()
	return Reply{Text: m.Academie, Expect: ExpectText, Field: m.AcademieField, Hint: m.AcademieHint, MaxLen: max(st.m.cfg.MaxText, maxAcademieLen)}, []opt{{actSkip, "", m.Skip}}
}

// afterOnboarding opens the theme a deep link named, or the menu; after
// a correction, it goes back to where the person was. A sentence kept at
// the académie is offered below the first question.
func (st *step) afterOnboarding() {
	if st.backFromCorrection() {
		return
	}
	if held := st.s.Held; held != "" && (!st.s.HeldForMenu || st.m.q.Theme(st.s.Theme) != nil) {
		// Typed with the profile, it waits for the theme chosen at the
		// menu; a theme named by a deep link is that one.
		st.s.Held, st.s.HeldForMenu = "", false
		th := st.s.Theme
		if st.m.q.Theme(th) == nil {
			th = st.nextTheme(st.m.q.Themes[len(st.m.q.Themes)-1].ID)
		}
		if st.offerHeld(th, held) {
			return
		}
	}
	if th := st.s.Theme; th != "" && st.m.q.Theme(th) != nil {
		st.enterTheme(th)
		return
	}
	st.s.Theme = ""
	st.showMenu()
}

func (st *step) showMenu() {
	st.s.Stage = StageMenu
	st.show(st.menuPrompt())
}

func (st *step) menuPrompt() (Reply, []opt) {
	s := &st.s
	m := st.msg()
	text, all := m.Menu, true
	opts := make([]opt, 0, len(st.m.q.Themes))
	for i, th := range st.m.q.Themes {
		label := fmt.Sprintf(m.MenuButton, i+1, th.Title.In(s.Lang), st.answered(&th), len(th.Questions))
		if _, ok := s.Confirmed[th.ID]; ok {
			label = "✓ " + label
		} else {
			all = false
		}
		opts = append(opts, opt{actTheme, th.ID, label})
	}
	if all {
		text = m.MenuDone
	}
	return Reply{Title: m.MenuTitle, Text: text}, opts
}

// answered counts the answered questions of th.
func (st *step) answered(th *Theme) int {
	n := 0
	for _, q := range th.Questions {
		if _, ok := st.s.Answers[AnswerKey(th.ID, q.ID)]; ok {
			n++
		}
	}
	return n
}

// enterTheme opens a theme: its review once confirmed or fully answered,
// else its first unanswered question.
func (st *step) enterTheme(id string) {
	th := st.m.q.Theme(id)
	if th == nil {
		st.showMenu()
		return
	}
	if held := st.s.Held; held != "" && st.s.Stage == StageMenu {
		// A sentence typed at the menu, offered below the theme's first
		// question.
		st.s.Held, st.s.HeldForMenu = "", false
		if st.offerHeld(id, held) {
			return
		}
		// Nothing left to answer there: never dropped unsaid.
		st.heldElsewhere(id, held)
		return
	}
	st.s.Theme, st.s.Reviewed = id, ""
	if _, ok := st.s.Confirmed[id]; !ok {
		for _, q := range th.Questions {
			if _, ok := st.s.Answers[AnswerKey(id, q.ID)]; !ok {
				st.s.Stage, st.s.Question = StageQuestion, q.ID
				st.showQuestion()
				return
			}
		}
	}
	st.s.Question = th.Questions[0].ID
	st.showReview()
}

// position returns the current theme and question with their indexes.
func (st *step) position() (th *Theme, ti int, q *Question, qi int) {
	ti = st.m.q.themeIndex(st.s.Theme)
	th = &st.m.q.Themes[ti]
	qi = th.questionIndex(st.s.Question)
	return th, ti, &th.Questions[qi], qi
}

// showQuestion shows the current question, for answering (StageQuestion)
// or for editing from the review (StageEdit).
func (st *step) showQuestion() {
	st.show(st.questionPrompt())
}

func (st *step) questionPrompt() (Reply, []opt) {
	th, ti, q, qi := st.position()
	m, lang := st.msg(), st.s.Lang
	edit := st.s.Stage == StageEdit
	a, answered := st.s.Answers[AnswerKey(th.ID, q.ID)]
	title := fmt.Sprintf(m.ProgressTitle, ti+1, qi+1, len(th.Questions))
	switch {
	case edit && answered:
		title = fmt.Sprintf(m.EditTitle, ti+1, qi+1, len(th.Questions))
	case edit:
		// Opened from the review with no answer (« Répondre N »):
		// nothing to change yet.
		title = fmt.Sprintf(m.AnswerTitle, ti+1, qi+1, len(th.Questions))
	}
	text := q.Prompt.In(lang)
	if answered {
		switch {
		case q.IsChoice():
			text += "\n\n" + fmt.Sprintf(m.CurrentChoice, st.answerText(q, a, maxCurrentLen))
		case a.Voice != nil:
			text += "\n\n" + fmt.Sprintf(m.CurrentVoice, st.answerText(q, a, maxCurrentLen))
		default:
			text += "\n\n" + fmt.Sprintf(m.Current, st.answerText(q, a, maxCurrentLen))
		}
	}
	r := Reply{Title: title, Text: text}
	var opts []opt
	if q.IsChoice() {
		for _, c := range q.Choices {
			opts = append(opts, opt{actPick, c.ID, c.Label.In(lang)})
		}
	} else {
		r.Expect, r.Field, r.MaxLen = ExpectText, q.Title.In(lang), st.m.cfg.MaxText
	}
	switch {
	case edit && answered:
		opts = append(opts, opt{actBack, "", m.Cancel}, opt{actRemove, "", m.Remove})
	case edit:
		opts = append(opts, opt{actBack, "", m.Cancel})
	case answered:
		opts = append(opts, opt{actSkip, "", m.Skip}, opt{actBack, "", m.Back}, opt{actPause, "", m.Pause}, opt{actRemove, "", m.Remove})
	default:
		opts = append(opts, opt{actSkip, "", m.Skip}, opt{actBack, "", m.Back}, opt{actPause, "", m.Pause})
	}
	if st.appendable() {
		// Adding to the answer rather than replacing it.
		opts = append(opts, opt{actAppend, "", m.Append})
	}
	if rt := st.reviewed(); rt != nil && !edit {
		// The theme just completed, reviewed above its successor's
		// question, which the title names.
		r.Recap = st.recap(rt)
		r.Title = fmt.Sprintf(m.NextThemeTitle, ti+1, th.Title.In(lang), qi+1, len(th.Questions))
		opts = append(opts, st.reviewOpt(rt))
	}
	return r, opts
}

// reviewed returns the theme reviewed above the current question (see
// Session.Reviewed), or nil.
func (st *step) reviewed() *Theme {
	if st.s.Reviewed == "" || st.s.Reviewed == st.s.Theme {
		return nil
	}
	return st.m.q.Theme(st.s.Reviewed)
}

// recap is th's review in short, shown above what follows it.
func (st *step) recap(th *Theme) *Recap {
	m, lang := st.msg(), st.s.Lang
	text := st.reviewLines(th, maxRecapLen) + "\n\n" + fmt.Sprintf(m.RecapNote, st.reviewOpt(th).label)
	return &Recap{Title: fmt.Sprintf(m.RecapTitle, st.m.q.themeIndex(th.ID)+1, th.Title.In(lang)), Text: text}
}

// reviewOpt is the button that opens th's review again, from below its
// recap.
func (st *step) reviewOpt(th *Theme) opt {
	return opt{actReview, th.ID, fmt.Sprintf(st.msg().ReviewButton, st.m.q.themeIndex(th.ID)+1)}
}

// reviewLines lists th's questions by number with their answers, each
// cut to max characters.
func (st *step) reviewLines(th *Theme, max int) string {
	m, lang := st.msg(), st.s.Lang
	var b strings.Builder
	for i := range th.Questions {
		q := &th.Questions[i]
		answer := m.SkippedMark
		if a, ok := st.s.Answers[AnswerKey(th.ID, q.ID)]; ok {
			answer = st.answerText(q, a, max)
		} else if !st.s.WasAsked(th.ID, q.ID) {
			answer = m.NotAskedMark
		}
		if i > 0 {
			b.WriteString("\n")
		}
		// LineLayout: French puts a space before the colon, English does not.
		fmt.Fprintf(&b, "%d. "+st.pmsg().LineLayout, i+1, q.Title.In(lang), answer)
	}
	return b.String()
}

// answerText renders an answer in at most max characters.
func (st *step) answerText(q *Question, a Answer, max int) string {
	m := st.msg()
	switch {
	case a.Transcribed():
		return st.spokenText(a, max)
	case a.Voice != nil:
		return fmt.Sprintf(m.VoiceMark, a.Voice.Duration)
	case a.Choice != "":
		if c := q.Choice(a.Choice); c != nil {
			return c.Label.In(st.s.Lang)
		}
		return a.Choice
	}
	return shorten(strings.Join(strings.Fields(a.Text), " "), max)
}

func (st *step) showReview() {
	st.s.Stage = StageReview
	st.show(st.reviewPrompt())
}

func (st *step) reviewPrompt() (Reply, []opt) {
	ti := st.m.q.themeIndex(st.s.Theme)
	th := &st.m.q.Themes[ti]
	m, lang := st.msg(), st.s.Lang
	var b strings.Builder
	b.WriteString(th.Title.In(lang) + "\n\n" + st.reviewLines(th, maxReviewLen))
	opts := make([]opt, 0, len(th.Questions)+2)
	var unasked []string
	for i := range th.Questions {
		label := m.EditButton
		if _, answered := st.s.Answers[AnswerKey(th.ID, th.Questions[i].ID)]; !answered {
			// Skipped or never asked: offered to answer now, as the
			// question it opens is titled (« Répondre · Thème … »).
			label = m.AnswerButton
		}
		if !st.s.WasAsked(th.ID, th.Questions[i].ID) {
			// Never put to the person: the note below says so.
			unasked = append(unasked, strconv.Itoa(i+1))
		}
		opts = append(opts, opt{actEdit, th.Questions[i].ID, fmt.Sprintf(label, i+1)})
	}
	review := m.Review
	if _, ok := st.s.Confirmed[th.ID]; ok {
		review = m.ReviewConfirmed
	}
	switch k := len(unasked); {
	case k == 1:
		b.WriteString("\n\n" + fmt.Sprintf(m.ReviewNotAskedOne, unasked[0]))
	case k > 1:
		b.WriteString("\n\n" + fmt.Sprintf(m.ReviewNotAsked, strings.Join(unasked[:k-1], ", ")+st.msg().ProfileJoin+unasked[k-1]))
	}
	b.WriteString("\n\n" + review)
	opts = append(opts, opt{actConfirm, "", m.Confirm}, opt{actMenu, "", m.MenuLabel})
	return Reply{Title: fmt.Sprintf(m.ReviewTitle, ti+1), Text: b.String()}, opts
}

func (st *step) pause() {
	if st.s.Stage == StageReview {
		st.s.Back = StageReview // see Session.Back
	}
	st.s.Stage = StagePaused
	if st.offerReminders(true) {
		return
	}
	st.showPaused()
}

func (st *step) showPaused() {
	st.show(st.pausedPrompt())
}

func (st *step) pausedPrompt() (Reply, []opt) {
	m := st.msg()
	return Reply{Text: st.pausedText()}, []opt{{actResume, "", m.ResumeLabel}}
}

// pausedText says how to come back after a pause, and that the answers
// are saved when there is one.
func (st *step) pausedText() string {
	if st.s.Back == StageReview {
		// No question in sight: the review comes back.
		return st.answersKept() + st.msg().PausedReview
	}
	return st.answersKept() + st.msg().Paused
}

// answersKept says the answers are saved, as a sentence leading another,
// when the person has given one; else nothing.
func (st *step) answersKept() string {
	if len(st.s.Answers) == 0 {
		return ""
	}
	return st.msg().AnswersKept + " "
}

// current builds the prompt the person stands at, as reshow would show
// it: the pending confirmation if one holds, else the stage's prompt.
func (st *step) current() (Reply, []opt) {
	if p := st.pending(); p != nil {
		switch p.Kind {
		case PendingErase:
			return st.erasePrompt()
		case PendingCheck:
			return st.checkPrompt(p.Text)
		case PendingPlace:
			return st.placePrompt(p.Places)
		case PendingLanguage:
			return st.languagePrompt(p.Text)
		case PendingHeld:
			return st.heldPrompt(p.Text)
		case PendingTranscript:
			return st.transcriptPrompt(p)
		case PendingReminders:
			return st.remindersPrompt(p)
		case PendingAdd:
			return st.addPrompt(p.Text)
		case PendingAppend:
			return st.appendPrompt()
		case PendingRevise:
			return st.revisePrompt(p.Text)
		case PendingRemovePrev:
			return st.removePrevPrompt(p.Answer)
		}
	}
	switch st.s.Stage {
	case StageConsent:
		return st.consentPrompt()
	case StageProfile:
		return st.profilePrompt()
	case StageAcademie:
		return st.academiePrompt()
	case StageQuestion, StageEdit:
		return st.questionPrompt()
	case StageReview:
		return st.reviewPrompt()
	case StagePaused:
		return st.pausedPrompt()
	default:
		st.s.Stage = StageMenu
		return st.menuPrompt()
	}
}

// pending returns the confirmation that holds at the current prompt.
func (st *step) pending() *Pending {
	if p := st.s.Pending; p != nil && p.Prompt == st.s.Prompt && p.Prompt > 0 {
		return p
	}
	return nil
}

// reshow repeats the current prompt under a new number, keeping a
// pending confirmation pending.
func (st *step) reshow() {
	if st.s.Stage == StageDeclined {
		st.declinedReminder()
		return
	}
	p := st.pending()
	st.show(st.current())
	st.setPending(p)
}

// remind shows the current prompt again after a message it could not
// read: the review, whose answers are in sight above, comes back as a
// short line naming its buttons rather than as the whole screen again.
func (st *step) remind() {
	if !st.atReview() {
		st.reshow()
		return
	}
	st.remindReview(upperFirst(st.reviewWays()))
}

// atReview reports the review in sight, with no confirmation pending.
func (st *step) atReview() bool { return st.s.Stage == StageReview && st.pending() == nil }

// reviewWays names the review's buttons, as the end of a sentence.
func (st *step) reviewWays() string {
	m := st.msg()
	if n := len(st.m.q.Theme(st.s.Theme).Questions); n > 1 {
		return fmt.Sprintf(m.ReviewRemind, n)
	}
	return m.ReviewRemindOne
}

// remindReview asks again at the review, in the one line given, with its
// buttons.
func (st *step) remindReview(line string) {
	_, opts := st.reviewPrompt()
	st.show(Reply{Text: line}, opts)
}

// unclear answers a message read as nothing at the current prompt, what
// was typed quoted, and shows the prompt again; at the review, in one
// line that names its buttons.
func (st *step) unclear(text string) {
	quoted := shorten(sanitizeLine(text), 60)
	if st.atReview() {
		st.remindReview(fmt.Sprintf(st.msg().ReviewNotUnderstood, quoted, st.reviewWays()))
		return
	}
	st.say(fmt.Sprintf(st.msg().NotUnderstood, quoted))
	st.reshow()
}

// upperFirst returns s with its first letter in upper case.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// setPending makes a copy of p (if any) the pending confirmation of the
// prompt just asked.
func (st *step) setPending(p *Pending) {
	if p == nil {
		return
	}
	c := *p
	c.Prompt = st.s.Prompt
	st.s.Pending = &c
}

func (st *step) command(ev Event) {
	s := &st.s
	m := st.msg()
	onboarding := (s.Stage == StageConsent || s.Stage == StageProfile || s.Stage == StageAcademie) && s.Back == ""
	switch ev.Command {
	case CmdStart:
		switch {
		case s.Stage == StageDeclined:
			st.firstContact(ev)
		case onboarding:
			st.reshow()
		default:
			if th := st.themeFromPayload(ev.Args); th != "" {
				st.enterTheme(th)
				return
			}
			st.resume()
		}
	case CmdHelp:
		st.help()
	case CmdMenu:
		if s.Stage == StageDeclined {
			st.declinedReminder()
			return
		}
		if onboarding {
			st.say(m.NotYet)
			st.reshow()
			return
		}
		st.showMenu()
	case CmdResume:
		if s.Stage == StageDeclined {
			st.declinedReminder()
			return
		}
		st.resume()
	case CmdAnswers:
		st.wayOn = true
		listed := st.answers()
		if !st.reshowAfterList() && listed {
			// Nothing follows the list: it ends on the way on.
			last := &st.out[len(st.out)-1]
			last.Text += "\n\n" + m.AnswersNext
		}
	case CmdLanguage:
		st.setLanguage(languageArg(ev.Args, s.Lang))
	default:
		if word := strings.ReplaceAll(ev.Command, "_", " "); ev.Args == "" && st.slashWord(word) {
			// « /stop », « /passer », « /oui »: the word of a way on,
			// typed with a slash out of habit, does what the word does.
			st.handle(Event{Kind: EventText, Text: word})
			return
		}
		st.say(fmt.Sprintf(m.Unknown, shorten(sanitizeLine(ev.Command), 32)) + "\n\n" + st.commands(false))
	}
}

// slashWord reports whether word, typed after a slash as if it were a
// command, reads at the current prompt as one of its ways on (a button,
// a command, help, a pause or a goodbye) rather than as an answer.
func (st *step) slashWord(word string) bool {
	if word == "" || utf8.RuneCountInString(word) > 40 {
		return false
	}
	switch st.read(word).kind {
	case readOption, readCommand, readHelp, readLeave, readThanks, readChange:
		return true
	}
	return false
}

// commands lists the commands as the person's channel offers them:
// slash commands, or the page's own buttons; short for one line.
func (st *step) commands(short bool) string {
	m := st.msg()
	switch {
	case st.firstSteps() && st.buttons:
		return fmt.Sprintf(m.CommandButtonsFirstSteps, st.catalog().Web.Commands)
	case st.firstSteps():
		return m.CommandsFirstSteps
	case st.buttons && short:
		return fmt.Sprintf(m.CommandButtonsShort, st.catalog().Web.Commands)
	case st.buttons:
		return fmt.Sprintf(m.CommandButtons, st.catalog().Web.Commands)
	case short:
		return m.CommandsShort
	}
	return m.Commands
}

// firstSteps reports whether the person has no menu yet (consent,
// profile, académie, or consent refused): the menu, resuming and one's
// answers mean nothing there.
func (st *step) firstSteps() bool {
	if st.s.Back != "" {
		return false // a correction, from where the menu is known
	}
	switch st.s.Stage {
	case StageConsent, StageProfile, StageAcademie, StageDeclined:
		return true
	}
	return false
}

// reshowAfterList brings back the question, or the confirmation
// pending, after a list that asks nothing (/mes_reponses, /mes_donnees),
// so that what is typed next is not taken for an answer to a question
// out of sight. It reports whether it did.
func (st *step) reshowAfterList() bool {
	if st.s.Stage == StageQuestion || st.s.Stage == StageEdit || st.pending() != nil {
		st.reshow()
		return true
	}
	return false
}

// ledBack reports a reply just said that leads back to where the
// conversation was (« Oui, je suis là : … Voici où nous en étions. »):
// « Reprenons là où vous en étiez. » below it would say it twice.
func (st *step) ledBack() bool {
	if n := len(st.out); n > 0 {
		m := st.msg()
		return st.out[n-1].Text == m.AboutHere || st.out[n-1].Text == m.Greeting
	}
	return false
}

// resume goes back to where the person stopped.
func (st *step) resume() {
	s := &st.s
	if st.backFromCorrection() {
		return
	}
	switch s.Stage {
	case StagePaused:
		if !st.ledBack() {
			st.say(st.msg().Resuming)
		}
		s.Stage = StageQuestion
		st.showQuestion()
	case StageMenu:
		if st.m.q.Question(s.Theme, s.Question) != nil {
			s.Stage = StageQuestion
			st.showQuestion()
			return
		}
		st.showMenu()
	default:
		st.reshow()
	}
}

// tapOf reports whether ev taps a button of the current prompt, and
// what the reply's Lead should show of the choice ("" for nothing). A
// tap on an earlier prompt's button, or with a token the current prompt
// never offered, is no such tap.
func (st *step) tapOf(ev Event) (bool, string) {
	if ev.Kind != EventChoice || st.s.Prompt <= 0 || st.s.Stage == StageNew || st.s.Stage == StageDeclined {
		return false, ""
	}
	t, ok := parseToken(ev.Token)
	if !ok || t.prompt != st.s.Prompt {
		return false, ""
	}
	// The current prompt rebuilt on a copy: current() may settle the
	// stage, which is for the step itself to do.
	probe := step{m: st.m, s: cloneSession(st.s), now: st.now}
	_, opts := probe.current()
	for _, o := range opts {
		if o.action != t.action || o.arg != t.arg {
			continue
		}
		switch th := st.m.q.Theme(o.arg); {
		case t.action == actTheme && th != nil:
			// A theme's button also shows its progress: the title says it.
			return true, th.Title.In(st.s.Lang)
		case t.action == actEdit || t.action == actReview:
			// The title says « Modifier » or « Relecture » already.
			return true, ""
		}
		return true, o.label
	}
	return false, ""
}

// tapRepeatWindow is how soon after a tap the same token counts as the
// same tap again: a bouncing finger taps twice within a second, and a
// second click on a button that seemed slow comes within a few.
const tapRepeatWindow = 10 * time.Second

// repeatedTap reports ev as a repeat of the tap last applied (see
// Session.Tap). A tap on an older button, or the same one later, is no
// repeat: it is told it belongs to an earlier question.
func (st *step) repeatedTap(ev Event) bool {
	s := &st.s
	if ev.Kind != EventChoice || s.Tap == "" || ev.Token != s.Tap {
		return false
	}
	since := st.now.Sub(s.TapAt)
	return since >= 0 && since <= tapRepeatWindow
}

// markTap makes the first reply to a tap on the current prompt take that
// prompt's place (see Reply.Replaces); the first reply to a tap or to
// words read as a button shows the choice in its Lead.
func (st *step) markTap() {
	if len(st.out) == 0 {
		return
	}
	r := &st.out[0]
	r.Replaces = st.tapped
	if st.chosen != "" {
		mark := "✓ " + st.chosen
		if r.Lead != "" {
			mark += "\n" + r.Lead
		}
		r.Lead = mark
	}
}

// choice handles a tapped button.
func (st *step) choice(raw string) {
	s := &st.s
	m := st.msg()
	t, ok := parseToken(raw)
	if !ok {
		st.say(m.Garbage)
		st.reshow()
		return
	}
	if t.prompt != s.Prompt {
		st.say(m.Stale)
		st.reshow()
		return
	}
	if st.pendingChoice(t) || st.reviseChoice(t) {
		return
	}
	switch {
	case s.Stage == StageConsent && t.action == actYes:
		s.ConsentAt = st.now
		st.say(m.Thanks)
		st.askProfile()
	case s.Stage == StageConsent && t.action == actNo:
		st.decline()
	case s.Stage == StageConsent && t.action == actMore:
		st.consentDetails()
	case s.Stage == StageProfile && t.action == actProfile && st.m.q.Profile(t.arg) != nil:
		s.Profile = t.arg
		st.profileChosen()
	case s.Stage == StageAcademie && t.action == actSkip && s.Back != "":
		// Skipping a re-asked académie leaves it as it was.
		st.keepCurrent()
	case s.Stage == StageAcademie && t.action == actSkip:
		st.afterOnboarding()
	case s.Stage == StageMenu && t.action == actTheme && st.m.q.Theme(t.arg) != nil:
		st.start(t.arg) // chosen, not merely shown
		st.enterTheme(t.arg)
	case s.Stage == StageQuestion && t.action == actSkip:
		if _, ok := s.Answers[AnswerKey(s.Theme, s.Question)]; ok {
			// Passing is not removing: say what stays.
			st.chosen = ""
			st.say(m.KeptOnSkip)
		}
		st.next()
	case s.Stage == StageQuestion && t.action == actBack:
		st.previous()
	case s.Stage == StageQuestion && t.action == actPause:
		st.pause()
	case (s.Stage == StageQuestion || s.Stage == StageReview) && t.action == actReview && st.m.q.Theme(t.arg) != nil:
		// Back from below a theme's recap (or from the reminders offer
		// in its place) to its full review.
		s.Theme, s.Question, s.Reviewed = t.arg, st.m.q.Theme(t.arg).Questions[0].ID, ""
		st.showReview()
	case (s.Stage == StageQuestion || s.Stage == StageEdit) && t.action == actPick:
		_, _, q, _ := st.position()
		if !q.IsChoice() || q.Choice(t.arg) == nil {
			st.say(m.Garbage)
			st.reshow()
			return
		}
		st.store(q, Answer{Choice: t.arg})
	case s.Stage == StageEdit && t.action == actBack:
		if !st.backFromEdit() {
			st.showReview()
		}
	case s.Stage == StageEdit && t.action == actRemove:
		st.remove(s.Question)
	case s.Stage == StageQuestion && t.action == actRemove:
		// An answer met again with « Retour »: taken out, the question
		// stays, to answer afresh or to pass.
		st.unanswer()
	case s.Stage == StageReview && t.action == actEdit && st.m.q.Question(s.Theme, t.arg) != nil:
		s.Stage, s.Question = StageEdit, t.arg
		st.showQuestion()
	case s.Stage == StageReview && t.action == actConfirm:
		st.confirm()
	case s.Stage == StageReview && t.action == actMenu:
		s.Question = ""
		st.showMenu()
	default:
		st.say(m.Garbage)
		st.reshow()
	}
}

// next moves on from the current question, answered or skipped: to the
// question after it, or past the theme's end (see finishTheme). Moving on
// from below a theme's recap validates that theme.
func (st *step) next() {
	st.validateReviewed()
	th, _, _, qi := st.position()
	if qi+1 < len(th.Questions) {
		st.s.Question = th.Questions[qi+1].ID
		st.showQuestion()
		return
	}
	st.finishTheme()
}

// finishTheme follows the last question of the current theme. While
// another theme is left to validate, the one reply shows the theme's
// review in short and, below it, the next theme's first unanswered
// question, whose answer (or skip) validates the theme: one message per
// answer, with no request spent on « Valider ». The first time, where
// reminders can be offered, the offer takes that question's place, and
// its answer goes on the same way. The last theme to validate, a theme
// validated already, or a next theme with nothing left to answer get the
// full review and its « Valider ».
func (st *step) finishTheme() {
	s := &st.s
	th := st.m.q.Theme(s.Theme)
	next := st.nextTheme(th.ID)
	_, done := s.Confirmed[th.ID]
	q := st.firstUnanswered(next)
	if done || next == th.ID || q == "" {
		st.showReview()
		return
	}
	if st.canOffer() {
		s.Stage, s.Question = StageReview, th.Questions[0].ID
		st.offer(remindAfterTheme)
		return
	}
	s.Theme, s.Question, s.Reviewed = next, q, th.ID
	st.showQuestion()
}

// firstUnanswered returns the first question of theme id without an
// answer, or "".
func (st *step) firstUnanswered(id string) string {
	for _, q := range st.m.q.Theme(id).Questions {
		if _, ok := st.s.Answers[AnswerKey(id, q.ID)]; !ok {
			return q.ID
		}
	}
	return ""
}

// validateReviewed validates the theme reviewed above the current
// question, the person having moved on from it, and says so in the note
// before the next prompt.
func (st *step) validateReviewed() {
	th := st.reviewed()
	st.s.Reviewed = ""
	if th == nil || st.s.Stage != StageQuestion {
		return
	}
	st.validate(th.ID)
	if !st.allConfirmed() {
		st.scheduleReminder()
	}
	note := fmt.Sprintf(st.msg().Validated, st.m.q.themeIndex(th.ID)+1)
	if n := len(st.out); n > 0 && isNote(st.out[n-1]) {
		st.out[n-1].Text += " " + note
		return
	}
	st.say(note)
}

// validate records theme id as validated: the record « Valider » makes,
// which digests, progress and reminders read.
func (st *step) validate(id string) {
	if st.s.Confirmed == nil {
		st.s.Confirmed = map[string]time.Time{}
	}
	st.s.Confirmed[id] = st.now
}

// previous moves to the question before the current one, or to the menu.
func (st *step) previous() {
	st.s.Reviewed = ""
	th, _, _, qi := st.position()
	if qi > 0 {
		st.s.Question = th.Questions[qi-1].ID
		st.showQuestion()
		return
	}
	st.showMenu()
}

func (st *step) confirm() {
	s := &st.s
	th := st.m.q.Theme(s.Theme)
	st.validate(th.ID)
	s.Question = ""
	m := st.msg()
	st.chosen = "" // the note says it
	if len(s.Confirmed) >= len(st.m.q.Themes) && st.allConfirmed() {
		st.say(fmt.Sprintf(m.AllDone, th.Title.In(s.Lang)))
		st.showMenu()
		return
	}
	note := len(st.out)
	st.say(fmt.Sprintf(m.Confirmed, th.Title.In(s.Lang)))
	if st.offerReminders(false) {
		return // the offer stands in for the menu, once
	}
	// Straight on to the next theme, one tap saved; the note says how to
	// choose another.
	st.out[note].Text += "\n" + m.NextTheme
	st.enterTheme(st.nextTheme(th.ID))
}

// nextTheme returns the first theme not confirmed yet after id, in the
// questionnaire's order and going round; there must be one.
func (st *step) nextTheme(id string) string {
	themes := st.m.q.Themes
	i := st.m.q.themeIndex(id)
	for k := 1; k <= len(themes); k++ {
		th := themes[(i+k)%len(themes)]
		if _, ok := st.s.Confirmed[th.ID]; !ok {
			return th.ID
		}
	}
	return id
}

func (st *step) allConfirmed() bool {
	for _, th := range st.m.q.Themes {
		if _, ok := st.s.Confirmed[th.ID]; !ok {
			return false
		}
	}
	return true
}

// input handles voice notes and other media; typed text goes to text.
func (st *step) input(ev Event) {
	s := &st.s
	m := st.msg()
	switch s.Stage {
	case StageAcademie:
		st.say(m.Help[string(StageAcademie)])
	case StageQuestion, StageEdit:
		_, _, q, _ := st.position()
		if q.IsChoice() {
			st.notHere(ev)
			return
		}
		switch ev.Kind {
		case EventVoice:
			if ev.Voice == nil || ev.Voice.FileID == "" {
				st.say(m.NoVoice)
				return
			}
			st.store(q, Answer{Voice: sanitizeVoice(ev.Voice)})
		case EventMedia:
			if notFile[ev.Media] {
				st.say(m.MessageForText)
				return
			}
			st.say(m.MediaForText)
		default:
			st.say(m.UseButtons)
			st.reshow()
		}
	default:
		st.notHere(ev)
	}
}

// notHere answers input where a button is expected.
func (st *step) notHere(ev Event) {
	m := st.msg()
	switch ev.Kind {
	case EventVoice:
		st.say(m.VoiceNotHere)
	case EventMedia:
		if notFile[ev.Media] {
			st.say(m.MessageNotHere)
		} else {
			st.say(m.MediaNotHere)
		}
	default:
		st.say(m.UseButtons)
	}
	st.reshow()
}

// store saves an answer to q of the current theme, then moves on: to the
// next question, or back to the review after an edit.
func (st *step) store(q *Question, a Answer) {
	s := &st.s
	key := AnswerKey(s.Theme, q.ID)
	a.Theme, a.Question = s.Theme, q.ID
	a.CreatedAt, a.UpdatedAt = st.now, st.now
	old, had := s.Answers[key]
	if had && !old.CreatedAt.IsZero() {
		a.CreatedAt = old.CreatedAt
	}
	if s.Answers == nil {
		s.Answers = map[string]Answer{}
	}
	s.Answers[key] = a
	m := st.msg()
	if s.Stage == StageEdit {
		switch {
		case st.saved != "":
			st.say(st.saved)
		case had:
			st.say(m.Changed)
		default:
			st.say(m.Saved) // a question answered for the first time
		}
		if !st.backFromEdit() {
			st.showReview()
		}
		return
	}
	if st.saved != "" {
		st.say(st.saved)
	} else {
		st.say(m.Saved)
	}
	st.next()
}

// staleForm answers text submitted from a form of an earlier prompt: the
// text is quoted back, since it is not stored, and the current prompt shown.
func (st *step) staleForm(raw string) {
	m := st.msg()
	text := sanitizeText(strings.ToValidUTF8(raw, ""))
	if text == "" {
		st.say(m.Stale)
	} else {
		st.say(fmt.Sprintf(m.StaleForm, shorten(text, maxQuoteLen)))
	}
	st.reshow()
}

// answers lists the person's answers, one reply per theme, and reports
// whether there was any.
func (st *step) answers() bool {
	s := &st.s
	m, lang := st.msg(), s.Lang
	total := 0
	var replies []Reply
	for i := range st.m.q.Themes {
		th := &st.m.q.Themes[i]
		var b strings.Builder
		for j := range th.Questions {
			q := &th.Questions[j]
			if a, ok := s.Answers[AnswerKey(th.ID, q.ID)]; ok {
				total++
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				fmt.Fprintf(&b, "• "+st.pmsg().LineLayout, q.Title.In(lang), st.answerText(q, a, maxListLen))
			}
		}
		if b.Len() > 0 {
			title := fmt.Sprintf(m.ThemeHeading, i+1, th.Title.In(lang)) + " — " + fmt.Sprintf(m.ThemeProgress, st.answered(th), len(th.Questions))
			replies = append(replies, Reply{Title: title, Text: b.String()})
		}
	}
	if total == 0 {
		st.say(m.NoAnswers)
		return false
	}
	st.out = append(st.out, Reply{Title: m.AnswersTitle, Text: fmt.Sprintf(m.AnswersIntro, total, st.m.q.QuestionCount())})
	st.out = append(st.out, replies...)
	return true
}

// closed answers every event once the consultation is closed.
func (st *step) closed(ev Event) {
	if ev.Kind == EventCommand && ev.Command == CmdAnswers {
		st.answers()
		return
	}
	m := st.msg()
	st.say(fmt.Sprintf(m.Closed, st.m.cfg.ClosesAt.In(st.m.cfg.Location).Format(m.DateLayout)))
}

// themeFromPayload finds the theme a deep-link payload names: its id, or
// its number as in "theme-2", "theme2" or "t2".
func (st *step) themeFromPayload(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	if p == "" {
		return ""
	}
	if st.m.q.Theme(p) != nil {
		return p
	}
	for _, prefix := range []string{"theme-", "theme_", "theme", "t"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			if st.m.q.Theme(rest) != nil {
				return rest
			}
			if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= len(st.m.q.Themes) {
				return st.m.q.Themes[n-1].ID
			}
		}
	}
	return ""
}

// sanitizeSource keeps at most 64 characters of [A-Za-z0-9_-].
func sanitizeSource(p string) string {
	var b strings.Builder
	for _, r := range p {
		if b.Len() >= maxSourceLen {
			break
		}
		if r < utf8.RuneSelf && (r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sanitizeText removes control characters other than newline and tab,
// the bidi embedding, override and isolate controls, and surrounding space.
// Those bidi controls carry state past the end of the answer into whatever
// is shown after it (a review line, a digest quote, an export cell) and can
// make text read differently than it is stored; right-to-left scripts need
// none of them, and the stateless marks (LRM, RLM, ALM) are kept.
func sanitizeText(s string) string {
	s = strings.Map(func(r rune) rune {
		if (r == '\n' || r == '\t' || !unicode.IsControl(r)) && !isBidiControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(s)
}

// TextLength is the length of s as the conversation measures it against
// its limit (Config.MaxText): in characters, without control characters
// other than line breaks and tabs, without bidi controls, trimmed.
// Adapters that hold back a text over the limit before sending it count
// with it.
func TextLength(s string) int { return utf8.RuneCountInString(sanitizeText(s)) }

// isBidiControl reports the explicit bidi formatting characters: LRE, RLE,
// PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069).
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// sanitizeLine makes s safe to quote on one line.
func sanitizeLine(s string) string {
	return strings.Join(strings.Fields(sanitizeText(strings.ToValidUTF8(s, ""))), " ")
}

func sanitizeVoice(v *Voice) *Voice {
	id := strings.ToValidUTF8(v.FileID, "")
	for len(id) > maxFileIDLen {
		_, size := utf8.DecodeLastRuneInString(id)
		id = id[:len(id)-size]
	}
	d := v.Duration
	if d < 0 {
		d = 0
	}
	return &Voice{FileID: id, Duration: d}
}

// shorten cuts s to at most max characters, at a word boundary when one is
// near, and marks the cut with an ellipsis.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n\t"); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}
