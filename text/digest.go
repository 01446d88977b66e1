package text

// Digest holds the headings and labels of the digest, as package digest
// renders it for every channel and draws its chart. Nouns are
// "singular|plural".
type Digest struct {
	NotGiven      string
	Terminal      string
	Review        string
	Title         string // from, to
	TitleUntil    string // to
	TitleSince    string // from
	TitleAll      string
	ThemeOnly     string
	KeyFigures    string
	Participants  string // period, counted; total
	Contribs      string // period, counted; total
	ByChannel     string
	ByProfile     string
	ByAcademie    string
	BreakdownLine string // label; period contributions and participants, total contributions and participants, all counted
	Others        string // how many académies
	ByTheme       string
	ThemeLine     string // title, new (counted), total
	Completion    string // rate; French: confirmed (counted), started; English: confirmed, started (counted)
	NoStart       string
	Skipped       string // participants (counted): went through the theme skipping every question
	Unasked       string // participants (counted): validated the theme with questions never asked
	InProgress    string // participants (counted): unfinished, active lately
	DropOff       string // title; French: count (counted), unfinished; English: count, unfinished (counted)
	QuestionHead  string // title, new (counted), total
	Words         string
	NoQuote       string
	NoNewAnswer   string // under a theme nobody answered in the period
	Continued     string
	HideHint      string // example id
	Contribution  string
	Participant   string
	NewAnswer     string
	DropOffWord   string
	At            string // between a date and its time
	ZoneOf        string // a time zone named by its city
	// Months are the names of the months, in order, "|" between them;
	// FirstDay is how the first day of a month is written.
	Months   string
	FirstDay string
	// The chart: its title, its legend and the note when it has no bar.
	ChartTitle  string
	ChartTotal  string
	ChartPeriod string
	ChartEmpty  string
}
