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
	textParticipants // period, total
	textContribs     // period, total
	textByChannel
	textByProfile
	textByAcademie
	textBreakdownLine // label, period contributions, period participants, total contributions, total participants
	textOthers        // count
	textByTheme
	textThemeLine  // title, new, total
	textCompletion // rate, confirmed, started
	textNoStart
	textDropOff      // title, count, unfinished
	textQuestionHead // title, new, total
	textWords
	textNoQuote
	textContinued
	textHideHint // example id
	textContribution
	textParticipant
	textNewAnswer
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
	textParticipants:  {"fr": "👥 Participants : %s sur la période · %s au total", "en": "👥 Participants: %s in the period · %s in total"},
	textContribs:      {"fr": "💬 Contributions : %s sur la période · %s au total", "en": "💬 Contributions: %s in the period · %s in total"},
	textByChannel:     {"fr": "Par canal", "en": "By channel"},
	textByProfile:     {"fr": "Par profil", "en": "By profile"},
	textByAcademie:    {"fr": "Par académie", "en": "By académie"},
	textBreakdownLine: {"fr": "• %s : %s (%s) · total : %s (%s)", "en": "• %s: %s (%s) · total: %s (%s)"},
	textOthers:        {"fr": "autres (%d)", "en": "others (%d)"},
	textByTheme:       {"fr": "Par thème", "en": "By theme"},
	textThemeLine:     {"fr": "%s : %s · %s au total", "en": "%s: %s · %s in total"},
	textCompletion:    {"fr": "%s terminé (%s sur %s)", "en": "%s completed (%s of %s)"},
	textNoStart:       {"fr": "personne ne l’a commencé", "en": "nobody started it"},
	textDropOff:       {"fr": "abandon surtout à « %s » (%s sur %s)", "en": "most drop-offs at “%s” (%s of %s)"},
	textQuestionHead:  {"fr": "❓ %s — %s · %s au total", "en": "❓ %s — %s · %s in total"},
	textWords:         {"fr": "🔤 Mots fréquents : ", "en": "🔤 Frequent words: "},
	textNoQuote:       {"fr": "Pas de citation : réponses vocales ou sans mot significatif.", "en": "No quote: voice notes or answers without a meaningful word."},
	textContinued:     {"fr": " (suite)", "en": " (continued)"},
	textHideHint:      {"fr": "Pour masquer une réponse, envoyez /masquer suivi de son numéro (par exemple /masquer %d).", "en": "To hide an answer, send /hide followed by its number (for example /hide %d)."},
	textContribution:  {"fr": "contribution|contributions", "en": "contribution|contributions"},
	textParticipant:   {"fr": "participant|participants", "en": "participant|participants"},
	textNewAnswer:     {"fr": "nouvelle réponse|nouvelles réponses", "en": "new answer|new answers"},
}
