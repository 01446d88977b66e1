package text

// Flow holds the texts of the conversation (package flows), in one
// language. Texts with verbs take fmt arguments as their comments say.
// Help and HelpChoice are keyed by the conversation's stage.
type Flow struct {
	WelcomeTitle string
	Welcome      string // %s intro of the questionnaire
	Accept       string
	Refuse       string
	Declined     string
	DeclinedHint string

	ProfileAsk string
	Thanks     string
	Academie   string
	AcademieOK string // %s académie
	// AcademieNo notes that what was typed names no place (%s), above
	// AcademieAgain, the question asked again with every way to answer.
	AcademieNo    string
	AcademieAgain string
	// AcademieDeclined answers someone who would rather not say where
	// they are: the académie is skipped.
	AcademieDeclined string
	// AcademieAbroad acknowledges someone outside France, who has no
	// académie.
	AcademieAbroad string
	// AcademieVice acknowledges a place with a vice-rectorat instead of
	// an académie (New Caledonia, French Polynesia, Wallis-et-Futuna): %s
	// the place.
	AcademieVice  string
	AcademieField string
	// AcademieHint says what to type at the académie, beside the input.
	AcademieHint string
	// ChoiceHintFirstSteps says, beside the buttons of a prompt before
	// the menu, what may be typed instead (the web page's usual hint names
	// « menu », which means nothing there yet).
	ChoiceHintFirstSteps string
	Skip                 string

	MenuTitle     string
	Menu          string
	MenuDone      string
	MenuButton    string // %d number, %s title, %d answered, %d total
	ProgressTitle string // %d theme number, %d question number, %d total

	Back          string
	Pause         string
	Cancel        string
	Current       string // %s answer
	CurrentChoice string // %s answer
	CurrentVoice  string // %s answer
	Saved         string
	Changed       string
	// KeptOnSkip says that passing a question answered already keeps
	// its answer.
	KeptOnSkip string
	Skipped    string

	ReviewTitle string // %d theme number
	Review      string
	// ReviewConfirmed stands for Review once the theme is validated.
	ReviewConfirmed string
	SkippedMark     string
	// NotAskedMark stands for SkippedMark on a question never put to
	// the person (they paused or went elsewhere before it), and
	// AnswerButton for EditButton: %d question number. ReviewNotAsked
	// (%s the numbers) and ReviewNotAskedOne (%s the number) offer them.
	NotAskedMark      string
	AnswerButton      string
	ReviewNotAsked    string
	ReviewNotAskedOne string
	// ReviewRemind names the review's buttons after a message it could
	// not read, as the end of a sentence: %d questions; ReviewRemindOne
	// stands for it when the theme has one question. ReviewNotUnderstood
	// and ReviewNoSuchOption lead it on the same line: %s what was
	// typed, %s ReviewRemind.
	ReviewRemind        string
	ReviewRemindOne     string
	ReviewNotUnderstood string
	ReviewNoSuchOption  string
	// A sentence typed at the review, kept rather than lost: AddAsk
	// quotes it (%s) and asks which question it goes to; AddButton
	// (%d question number) adds it at the end of that question's answer,
	// or makes it the answer; AddNo drops it.
	AddAsk    string
	AddButton string
	AddNo     string
	// Added follows the sentence added to an answer (%d question
	// number), AddedNew the sentence become the answer of a question
	// left without one.
	Added    string
	AddedNew string
	// AddDropped says the sentence is not kept; AddHelp explains the
	// question (%s the label of AddNo).
	AddDropped string
	AddHelp    string
	// AddNoSuch answers the number of a question that cannot take the
	// sentence: %d that number, %s the questions that can, %s AddNo.
	AddNoSuch string
	// AddNowhere gives the sentence back (%s) when no question of the
	// theme can take it (choices only, or answers at their length limit).
	AddNowhere string
	// AddNotThere gives the sentence back (%s) when « modifier N » opens
	// question %d, which cannot take it (a choice, a voice answer).
	AddNotThere string
	VoiceMark   string // %d seconds
	EditButton  string // %d question number
	Confirm     string
	MenuLabel   string
	EditTitle   string // %d theme number, %d question number, %d total
	// AnswerTitle replaces EditTitle for a question opened from the
	// review that has no answer yet (« Répondre N »).
	AnswerTitle string
	Confirmed   string // %s theme title
	NextTheme   string // after Confirmed, when the next theme follows at once
	AllDone     string // %s title of the last theme validated
	// The review of a theme just completed, shown above the next theme's
	// first question: answering or skipping that question validates it.
	RecapTitle     string // %d theme number, %s its title
	RecapNote      string // %s the label of ReviewButton
	ReviewButton   string // %d theme number
	NextThemeTitle string // %d theme number, %s its title, %d question number, %d total
	Validated      string // %d theme number: after the answer that validated it

	// PausedReview stands for Paused after a pause at a review, where
	// no question is in sight, and HelpPausedReview for the help there.
	PausedReview     string
	HelpPausedReview string
	// Paused follows a pause: how to come back. A message that is not
	// an answer (help, thanks, a command) does not resume, so it is not
	// promised to.
	Paused string
	// AnswersKept leads Paused and the help of a pause when the person
	// has answered something: nothing is said to be saved otherwise.
	AnswersKept string
	ResumeLabel string
	Resuming    string

	Closed string // %s closing date

	Stale        string
	Garbage      string
	StaleForm    string // %s quoted text
	UseButtons   string
	VoiceNotHere string
	MediaNotHere string
	MediaForText string
	// MessageNotHere and MessageForText answer a message that is no file
	// nor text (a location, a contact, a poll, a die), as MediaNotHere and
	// MediaForText answer a file.
	MessageNotHere string
	MessageForText string
	// FileNotKept comes first in the reply to a text sent with a file (a
	// caption): the text is read as if typed, the file is not kept.
	FileNotKept string
	Edited      string // a sent message was edited: edits are not read
	EmptyText   string
	TooLong     string // %d length, %d limit
	Unreadable  string
	NoVoice     string
	Unknown     string // %s command
	NotYet      string
	LanguageSet string
	// NoBack answers « retour » where there is no step to go back to.
	NoBack string
	// LanguageAlready answers a request for the language already spoken.
	LanguageAlready string
	Commands        string // %s list of commands
	CommandsShort   string
	// CommandButtons and CommandButtonsShort stand for Commands and
	// CommandsShort on a channel that shows the commands as buttons of
	// its own (the web page's « Autres actions », %s Web.Commands): help
	// lists those.
	CommandButtons      string
	CommandButtonsShort string
	// CommandsFirstSteps and CommandButtonsFirstSteps stand for Commands
	// and CommandButtons before the person has a menu (consent, profile,
	// académie, consent refused): they list only the commands that
	// already work there.
	CommandsFirstSteps       string
	CommandButtonsFirstSteps string // %s Web.Commands
	// SeveralProfiles answers someone who names several profiles at the
	// profile question (%s the profiles named); SeveralProfilesAny
	// someone who says « les deux » without naming them.
	SeveralProfiles    string
	SeveralProfilesAny string
	// ProfileKin answers family who are not the parents (« je suis sa
	// grand-mère »): %s the parent profile, %s the other one.
	ProfileKin string
	// ProfileJoin joins the names of two profiles in SeveralProfiles.
	ProfileJoin string
	// About answers a question about the consultation itself, asked at
	// any prompt, by topic: is it anonymous (%s the controller), what is
	// it for (%s the questionnaire's intro), how long is it (%d
	// questions, %d themes).
	AboutAnonymous string
	AboutPurpose   string
	AboutLength    string
	// AboutLeft… answer « combien il reste de questions ? »: in the theme
	// in progress (%s left there, %s left in all, %d questions in all),
	// that theme done (%s left, %d in all), outside a theme (%s left,
	// %d questions, %d themes), or none left; AboutLeftTail follows
	// each. QuestionsOne and QuestionsMany (%d) count the questions.
	AboutLeftTheme  string
	AboutLeftOthers string
	AboutLeftAll    string
	AboutLeftNone   string
	AboutLeftTail   string
	QuestionsOne    string
	QuestionsMany   string
	// AboutBot answers « t'es un robot ? », « qui lit mes réponses ? »:
	// %s who runs the consultation.
	AboutBot string
	// AboutHere answers « y a quelqu'un ? », « hello? is anyone there »:
	// the bot is here, and the prompt follows.
	AboutHere string
	// Words explains in one line one of the bot's own words, by topic:
	// "pseudonym", "academie", "theme", "data", "summary", "profile".
	Words map[string]string
	// HowTo answers a question about a command that has an effect
	// (« je peux effacer mes données ? »), by topic: "erase", "mydata",
	// "consent"; the command is not run.
	HowTo map[string]string
	// ThemeAbout explains in two or three sentences what a theme of the
	// consultation is about, from its introduction, by theme id: asked
	// « c'est quoi le thème 3 ? » or « c'est quoi ce thème ? ».
	ThemeAbout map[string]string
	// ThemeAboutTitle heads that explanation: %d the theme's number, %s
	// its title.
	ThemeAboutTitle string
	// ThemeAboutOpen follows it at the menu, whose buttons stay below:
	// %d the theme's number.
	ThemeAboutOpen string
	// ThemeAboutGo follows it at a question of another theme: %d the
	// theme's number, as one types it to go there.
	ThemeAboutGo string
	// ResumedSaved notes an answer typed after a pause: the conversation
	// resumed at the question it answers, and stored it.
	ResumedSaved string
	// ProfileSet notes a profile corrected by typing: %s the profile.
	ProfileSet string
	// ProfileSame notes a profile corrected to the one already given:
	// nothing changes. %s the profile.
	ProfileSame string
	// AcademieSame notes an académie corrected to the one already
	// given: nothing changes. %s the académie, as AcademieOf writes it.
	AcademieSame string
	// AcademieNone notes a re-asked académie left as it was when none
	// had been given: nothing changes.
	AcademieNone string
	// EarlierToo follows the note of a corrected profile or académie when
	// the person had answered already: the answers given before count
	// under the new one too.
	EarlierToo string
	// ProfileChangeAsk asks for the profile again: %s the current one.
	ProfileChangeAsk string
	// AcademieCurrent notes the académie before it is asked again: %s
	// what was recorded.
	AcademieCurrent string
	// AcademieHeld says a sentence typed at the académie is no place but
	// is kept, to be offered as the first question's answer.
	AcademieHeld string
	// MenuHeld says a sentence typed at the theme menu, an opinion
	// rather than a theme, is kept, to be offered as the answer to the
	// first question of the theme chosen next.
	MenuHeld string
	// ProfileHeld says an opinion typed with the profile (« je suis
	// maman et je trouve qu'il y a trop d'écrans ») is kept, to be
	// offered as the answer to the first question of the theme chosen at
	// the menu.
	ProfileHeld string
	// AnyTheme notes the theme opened for « c'est parti » or « ok » at
	// the menu (the first not validated): %d its number, %s its title.
	AnyTheme string
	// HeldAsk offers that sentence below the question: %s the sentence.
	HeldAsk string
	// HeldDropped says that sentence is dropped, when the person says it
	// is not their answer or goes on without it (skip, back, later).
	HeldDropped string
	// HeldNoRoom says the theme chosen has an answer to every question,
	// and offers the sentence kept at the menu at another theme's first
	// unanswered question: %d the theme chosen, %s the sentence, %d and
	// %s the other theme's number and title. HeldThere and HeldNot are
	// its buttons (%d: that theme's number, the theme chosen's).
	HeldNoRoom string
	HeldThere  string
	HeldNot    string
	// HeldHelp explains that choice.
	HeldHelp string
	// HeldNowhere says no question is left unanswered for the sentence
	// kept at the menu, and gives it back in full (%s) to be copied.
	HeldNowhere   string
	NoAnswers     string
	AnswersTitle  string
	AnswersIntro  string // %d answered, %d total
	AnswersNext   string // ends the list when no prompt follows it
	DateLayout    string
	ThemeHeading  string // %d number, %s title
	ThemeProgress string // %d answered, %d total

	GiveBack      string
	LongContinued string
	More          string
	Remove        string
	// Append is the button that adds to the answer in sight rather than
	// replacing it, AppendAsk asks for the text to add, Appended says it
	// is added, AppendTooLong that both together would be too long (%d
	// characters, %d at most), AppendHelp explains the prompt.
	Append        string
	AppendAsk     string
	Appended      string
	AppendTooLong string
	AppendHelp    string
	// ReviseCurrent quotes the answer in sight above ReviseAsk: %s the
	// answer.
	ReviseCurrent string
	// ReviseAsk asks whether the text typed for an answered question
	// (%s) replaces its answer (Replace) or is added to it (Append);
	// ReviseHelp explains it; AnswerKept says the answer stays as it was.
	ReviseAsk  string
	Replace    string
	ReviseHelp string
	AnswerKept string
	// RemovePrevAsk asks to confirm removing the answer given before
	// (%d question number, %s its title, %s the answer), with
	// RemovePrevYes and RemovePrevNo; RemovePrevHelp explains it, and
	// NothingToRemovePrev says no earlier question of the theme has an
	// answer.
	RemovePrevAsk  string
	RemovePrevYes  string
	RemovePrevNo   string
	RemovePrevHelp string
	// RemovePrevNod follows RemovePrevAsk again after a nod (« ok »,
	// « 👍 »): removing takes a clear yes (%s the keep label).
	RemovePrevNod       string
	NothingToRemovePrev string
	Removed             string
	NothingToRemove     string
	Greeting            string
	Hello               string // a greeting before anything was asked
	// Bye answers a goodbye where no pause is offered: the prompt stays.
	Bye           string
	NotUnderstood string // %s what was typed
	// NoSuchOption answers a number no option has (« 0 », « -1 », « 99 »)
	// where options are offered: %s what was typed, %s the numbers there
	// are (« 1 ou 2 », or NumberRange: « de 1 à 5 »).
	NoSuchOption string
	NumberRange  string // %d the last number
	// OneAtATime answers several option numbers at once (« 2 et 3 »): %s
	// them, joined with OrJoin.
	OneAtATime string
	OrJoin     string
	// ThanksBack answers a bare « merci » where options are offered.
	ThanksBack string
	CheckAsk   string // %s what was typed, %s the question's title
	CheckYes   string
	CheckNo    string
	CheckHelp  string // %s yes label
	Retype     string
	// CheckDropped says the short text in question is not stored when the
	// person goes on without saying yes (« passer », « retour », /menu):
	// %s the text.
	CheckDropped string
	LanguageAsk  map[string]string // by target language, in this language
	LanguageYes  string            // in the target language
	LanguageNo   string
	LanguageKept string
	LanguageHelp string
	PlaceWhich   string
	PlaceHelp    string
	// PlaceOrAbroad asks about a place abroad that French communes are
	// named after too (« Argentine »), offered with PlaceAbroad.
	PlaceOrAbroad   string
	PlaceAbroad     string // the button: the place abroad
	PlaceAbroadHelp string
	AcademieOf      string // %s académie with its preposition
	HelpTitle       string // %s question title
	Explain         string // %s the question in simpler words
	Example         string // %s an example answer
	Original        string // %s the original wording

	// Banned is the only answer a banned participant gets.
	Banned string

	// CommandNames are what people type after the slash for each
	// command (by its canonical name), in this language: lowercase
	// [a-z0-9_], as Telegram and Discord accept them. Texts name a
	// command as "{erase}" (see Naming).
	CommandNames map[string]string
	// MenuEntries describes each command (by its canonical name) in the
	// platforms' command menus.
	MenuEntries map[string]string

	Help map[string]string
	// HelpChoice replaces Help while the current question is answered
	// with buttons, where typing an answer would be refused.
	HelpChoice map[string]string
}

// Privacy holds the texts of the privacy features of the conversation:
// consent, "my data", erasure. StageName is keyed by the conversation's
// stage, LangName by language.
type Privacy struct {
	DefaultController string
	ConsentShort      string // %s controller
	ConsentIntro      string
	// ConsentAgain asks for the consent again, its details just above,
	// after a greeting typed right after the welcome.
	ConsentAgain   string
	ConsentWhat    string
	ConsentName    string
	ConsentWhy     string
	ConsentWho     string // %s controller
	ConsentContact string // %s contact
	ConsentHowLong string
	// ConsentKept says how long the answers are kept: until the person
	// erases them (nothing erases a contribution for inactivity).
	ConsentKept string
	// ConsentInactive says that a participation with no theme confirmed
	// is erased after privacy.inactive_days without activity.
	ConsentInactive   string // %d days
	ConsentUntil      string // %s date
	ConsentAfterClose string // %d days
	ConsentAtClose    string
	ConsentLeave      string

	NothingStored string
	// NoSession answers a button (or a form) tapped by someone the bot
	// keeps nothing about, after an erasure say: nothing is stored.
	NoSession       string
	EraseTitle      string
	EraseAsk        string
	EraseAskAnswer  string // one answer
	EraseAskAnswers string // %d answers, more than one
	EraseYes        string
	EraseNo         string
	Erased          string
	Kept            string
	EraseHelp       string // %s yes label, %s no label
	EraseOne        string // %s no label: how to remove one answer instead, while answers can change
	// EraseNod answers a nod (« ok », « 👍 », « d'acc ») to EraseAsk:
	// erasing takes a clear yes, so what is erased is said again
	// (EraseNodWhat, EraseNodAnswer or EraseNodAnswers, %d answers),
	// with how to confirm (%s the cancel label).
	EraseNodWhat    string
	EraseNodAnswer  string
	EraseNodAnswers string // %d answers, more than one
	EraseNod        string // %s no label

	DataTitle     string
	DataIntro     string // %s time zone
	DataFile      string
	DataNotice    string
	OtherAnswers  string
	ConfirmedOn   string // %s time
	AnsweredOn    string // %s time
	ChangedOn     string // %s time
	TimeLayout    string
	LineLayout    string // %s label, %s value
	LabelID       string
	LabelLang     string
	LabelStage    string
	LabelConsent  string
	LabelProfile  string
	LabelAcademie string
	// LabelHeld names a sentence typed at the académie, kept to be offered
	// as the first question's answer.
	LabelHeld string
	// LabelHeldMenu names a sentence typed at the menu (or with the
	// profile), kept to be offered in the theme the person chooses.
	LabelHeldMenu string
	// LabelHeldReview names a sentence typed at the review, kept while
	// the person chooses the question it goes with: %d the theme's number.
	LabelHeldReview string
	// DataCorrect says how to correct the profile or the académie.
	DataCorrect   string
	LabelSource   string
	LabelCreated  string
	LabelUpdated  string
	LabelPosition string
	LabelAnswers  string
	LangName      map[string]string
	StageName     map[string]string
}
