package digest

import "strings"

// voiceTexts are the digest's words about voice answers, apart from the
// other texts so that they read together.
var voiceTexts = struct {
	share  map[string]string // " (dont %s)": how many of the new answers are voice notes
	noun   map[string]string // "one|many"
	spoken map[string]string // after a quote of a confirmed transcript
}{
	share:  map[string]string{"fr": " (dont %s)", "en": " (%s)"},
	noun:   map[string]string{"fr": "vocale|vocales", "en": "by voice|by voice"},
	spoken: map[string]string{"fr": "dit à l’oral, transcription confirmée", "en": "spoken, transcript confirmed"},
}

// voiceShare says how many of a question's new answers are voice notes,
// or nothing when none is.
func (r renderer) voiceShare(n int) string {
	if n == 0 {
		return ""
	}
	one, many, _ := strings.Cut(voiceTexts.noun[r.lang], "|")
	return strings.Replace(voiceTexts.share[r.lang], "%s", r.num(n)+" "+plural(r.lang, n, one, many), 1)
}
