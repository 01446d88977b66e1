package flows

import (
	"strings"
	"testing"
)

func TestIsBlank(t *testing.T) {
	var tags strings.Builder
	for r := rune(0xE0000); r <= 0xE007F; r++ {
		tags.WriteRune(r)
	}
	for _, tc := range []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"spaces and line breaks", " \t\r\n\u00A0\u2003\u3000\u2028\u2029", 0},
		{"zero-width space", "\u200B\u200B\u200B", 0},
		{"word joiner", "\u2060", 0},
		{"byte order mark", "\uFEFF", 0},
		{"zero-width joiners and non-joiners", "\u200C\u200D", 0},
		{"bidi marks", "\u200E\u200F\u061C\u202A\u202E\u2066\u2069", 0},
		{"soft hyphen", "\u00AD\u00AD", 0},
		{"Hangul filler", "\u3164", 0},
		{"halfwidth Hangul filler", "\uFFA0", 0},
		{"Hangul choseong and jungseong fillers", "\u115F\u1160", 0},
		{"braille blank", "\u2800\u2800", 0},
		{"Mongolian vowel separator", "\u180E", 0},
		{"tag characters", tags.String(), 0},
		{"variation selectors alone", "\uFE0F\uFE0E\U000E0100", 0},
		{"combining marks alone", "\u0301\u0308\u20E3\u0489", 0},
		{"combining grapheme joiner", "\u034F", 0},
		{"control characters", "\x00\x07\x1b\u0085", 0},
		{"private use", "\uE000\U000F0000", 0},
		{"a mix of every kind", " \u200B\u3164\u2800\u00AD\uFE0F\u0301\U000E0041 \n", 0},

		{"a word", "Oui", 3},
		{"accents precomposed", "élève", 5},
		{"accents combining", "e\u0301le\u0300ve", 5},
		{"digits", "2026", 4},
		{"punctuation", "…?!«»", 5},
		{"symbols", "€+=", 3},
		{"emoji", "👍", 1},
		{"emoji with variation selector", "❤\uFE0F", 1},
		{"keycap", "1\uFE0F\u20E3", 1},
		{"family with joiners", "👨\u200D👩\u200D👧", 3},
		{"flag", "🇫🇷", 2},
		{"Hangul syllable", "한", 1},
		{"Arabic", "نعم", 3},
		{"hidden around visible", "\u200Bok\u3164", 2},
		{"a dot", ".", 1},
	} {
		if got := IsBlank(tc.in); got != (tc.want == 0) {
			t.Errorf("%s: IsBlank(%q) = %v", tc.name, tc.in, got)
		}
	}
}
