package flows

// Canonical command names. Adapters and ParseCommand map the names people
// type or tap (French first, English too) to these.
const (
	CmdStart    = "start"    // welcome and consent, or resume; Args carries a deep-link payload
	CmdHelp     = "help"     // what can be done here
	CmdMenu     = "menu"     // the theme menu with progress
	CmdResume   = "resume"   // back to where the person stopped
	CmdAnswers  = "answers"  // the person's answers so far
	CmdLanguage = "language" // switch between French and English
	CmdMyData   = "mydata"   // everything stored about the person, as messages and a JSON file
	CmdErase    = "erase"    // erase everything about the person, after a confirmation
)

// The API the rest of the program relies on (implemented in this package):
//
//	func DefaultQuestionnaire() *Questionnaire                  // the embedded questionnaire
//	func LoadQuestionnaire(r io.Reader) (*Questionnaire, error) // parse + Validate
//	func (q *Questionnaire) Validate() error                    // every problem at once (errors.Join)
//	func NewMachine(q *Questionnaire, cfg Config) *Machine      // nil q: the default questionnaire
//	func (m *Machine) Step(s Session, ev Event, now time.Time) (Session, []Reply)
//	func ParseCommand(text string) (Event, bool)                // "/aide" → {Kind: EventCommand, Command: CmdHelp}
//	func CommandList() []CommandInfo                            // for Telegram setMyCommands and Discord registration
//
// Also provided: Config{ClosesAt, MaxText, DefaultLang, Privacy, Voice};
// VoiceSettings{Kept, Transcribed, DeletedOnceConfirmed} and EventTranscript,
// the transcript of a voice answer offered for confirmation (PendingTranscript);
// Privacy{Controller, Contact, InactiveDays, RetentionDaysAfterClose};
// CommandInfo{Name, NameFR, NameEN, DescriptionFR, DescriptionEN};
// (*Machine).Questionnaire, Config and Closed(now); NormalizeAcademie and
// Academies; AnswerKey and DataFileName; the questionnaire types
// Questionnaire (Theme, Question, QuestionCount, Profile), Theme, Question
// (IsChoice, Choice), Choice and Text (Text.In(lang)); Recap, the block a
// reply shows above its prompt (a theme's review above the next theme's
// first question, whose answer validates it: Session.Reviewed).
