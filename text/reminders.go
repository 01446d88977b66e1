package text

// Reminders holds the texts of the opt-in reminders and announcements:
// the offer, the reminder itself, its withdrawal, what "my data" says
// about it and the heading of an organisers' announcement.
type Reminders struct {
	Offer     string // %d and %s: the delay in days, with Days
	Days      string // noun: "day|days"
	Yes       string // button: yes, remind me
	No        string // button: no thanks
	Later     string // button beside the offer at the menu: choose a theme
	Scheduled string // %s date and time of the reminder
	Consented string // yes, but no reminder is due (nothing left, or too close to the end)
	Declined  string // no thanks
	Help      string // at the offer
	// AnswerFirst answers text typed at the offer shown in place of the
	// next theme's first question, which is not stored: %s yes label,
	// %s no label.
	AnswerFirst string
	Reminder    string // %d themes validated, %d themes in all
	Stop        string // button: no more reminders
	Stopped     string // reminders withdrawn
	NotOn       string // "stop" or /rappels with nothing to stop, where they cannot be offered
	Unavailable string // /rappels on a channel that cannot write later

	LabelReminders string
	DataOn         string // %s time of the consent
	DataOff        string
	DataWithdrawn  string // %s time of the withdrawal
	DataNext       string // %s time of the next reminder
	DataSent       string // %d reminders sent, %s SentNoun
	SentNoun       string // noun: "reminder sent|reminders sent"

	AnnounceTitle  string
	AnnounceFooter string
}

// Announce holds the organisers' replies about announcements. Nouns are
// "singular|plural".
type Announce struct {
	NeedsText   string // %s command name
	TooLong     string // %d length, %d limit
	Draft       string // %d people, %s noun, %s the text, %s send command, %d draft number
	DraftNobody string // nobody accepted reminders yet: %s the text, %s send command, %d draft number
	Queued      string // %d draft number, %d people, %s noun
	// QueuedNobody stands for Queued when nobody accepted reminders.
	QueuedNobody string // %d draft number
	Unknown      string // %d draft number
	Already      string // %d draft number
	NeedsDraft   string // %s command name
	Person       string // noun
	TextOption   string
	DraftOption  string
}
