package digest

// textKey names one interface text of the digest.
type textKey int

const (
	textNotGiven textKey = iota
	textTerminal
	textReview
	textTitle      // from, to
	textTitleUntil // to
	textTitleSince // from
	textTitleAll
	textThemeOnly
	textKeyFigures
	textParticipants // period, counted; total
	textContribs     // period, counted; total
	textByChannel
	textByProfile
	textByAcademie
	textBreakdownLine // label; period contributions and participants, total contributions and participants, all counted
	textOthers        // how many académies
	textByTheme
	textThemeLine  // title, new (counted), total
	textCompletion // rate; French: confirmed (counted), started; English: confirmed, started (counted)
	textNoStart
	textDropOff      // title; French: count (counted), unfinished; English: count, unfinished (counted)
	textQuestionHead // title, new (counted), total
	textWords
	textNoQuote
	textContinued
	textHideHint // example id
	// Nouns as "singular|plural", for count.
	textContribution
	textParticipant
	textNewAnswer
	textDropOffWord
	textAt     // between a date and its time
	textZoneOf // a time zone named by its city
)

// texts holds every heading and label in French and English. French is the
// consultation's language; organisers may read English.
var texts = map[textKey]map[string]string{
	textNotGiven:      {"fr": "non renseigné", "en": "not given"},
	textTerminal:      {"fr": "Terminal", "en": "Terminal"},
	textReview:        {"fr": "relecture finale", "en": "final review"},
	textTitle:         {"fr": "📊 Synthèse du %s au %s", "en": "📊 Digest from %s to %s"},
	textTitleUntil:    {"fr": "📊 Synthèse jusqu’au %s", "en": "📊 Digest up to %s"},
	textTitleSince:    {"fr": "📊 Synthèse depuis le %s", "en": "📊 Digest since %s"},
	textTitleAll:      {"fr": "📊 Synthèse", "en": "📊 Digest"},
	textThemeOnly:     {"fr": "Thème : %s", "en": "Theme: %s"},
	textKeyFigures:    {"fr": "En bref", "en": "At a glance"},
	textParticipants:  {"fr": "👥 %s sur la période · %s au total", "en": "👥 %s in the period · %s in total"},
	textContribs:      {"fr": "💬 %s sur la période · %s au total", "en": "💬 %s in the period · %s in total"},
	textByChannel:     {"fr": "Par canal", "en": "By channel"},
	textByProfile:     {"fr": "Par profil", "en": "By profile"},
	textByAcademie:    {"fr": "Par académie", "en": "By académie"},
	textBreakdownLine: {"fr": "• %s : %s (%s) sur la période · %s (%s) au total", "en": "• %s: %s (%s) in the period · %s (%s) in total"},
	textOthers:        {"fr": "%d autres académies", "en": "%d other académies"},
	textByTheme:       {"fr": "Par thème", "en": "By theme"},
	textThemeLine:     {"fr": "%s : %s · %s au total", "en": "%s: %s · %s in total"},
	textCompletion:    {"fr": "terminé par %[2]s sur %[3]s (%[1]s)", "en": "completed by %[4]s of %[5]s (%[1]s)"},
	textNoStart:       {"fr": "personne ne l’a commencé", "en": "nobody started it"},
	textDropOff:       {"fr": "abandon le plus fréquent : « %[1]s » (%[2]s sur %[3]s)", "en": "most frequent drop-off: “%[1]s” (%[4]s of %[5]s)"},
	textQuestionHead:  {"fr": "❓ %s — %s · %s au total", "en": "❓ %s — %s · %s in total"},
	textWords:         {"fr": "🔤 Mots fréquents : ", "en": "🔤 Frequent words: "},
	textNoQuote:       {"fr": "Pas de citation : les réponses sont vocales ou sans mot significatif.", "en": "No quote: the answers are voice notes or have no meaningful word."},
	textContinued:     {"fr": " (suite)", "en": " (continued)"},
	textHideHint:      {"fr": "Pour masquer une réponse, envoyez /masquer suivi de son numéro (par exemple /masquer %d).", "en": "To hide an answer, send /hide followed by its number (for example /hide %d)."},
	textContribution:  {"fr": "contribution|contributions", "en": "contribution|contributions"},
	textParticipant:   {"fr": "participant|participants", "en": "participant|participants"},
	textNewAnswer:     {"fr": "nouvelle réponse|nouvelles réponses", "en": "new answer|new answers"},
	textDropOffWord:   {"fr": "abandon|abandons", "en": "drop-off|drop-offs"},
	textAt:            {"fr": "à", "en": "at"},
	textZoneOf:        {"fr": "heure de %s", "en": "%s time"},
}
