package flows

import "testing"

// FuzzToken checks the button-token decoder: whatever arrives (Telegram
// callback data, the token part of a Discord custom id) is either
// rejected or parsed to a token that re-encodes within MaxTokenLen and
// parses back to itself, with the prompt promptOf reads.
func FuzzToken(f *testing.F) {
	for _, s := range []string{
		"1.yes", "2.no", "3.profile.parent", "12.theme.acces", "7.pick.oui", "9.edit.q1",
		"4.skip", "5.back", "6.pause", "8.resume", "10.confirm", "11.menu",
		"007.yes", "1.yes.extra", "1.theme", "x.yes", "1.nope", "", ".", "1..", "999999999.menu",
		"1234567890.menu", "1.theme.../..", "1.pick.\x00", "-1.yes", "+1.yes", " 1.yes",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, pok := promptOf(s)
		tok, ok := parseToken(s)
		if !ok {
			return
		}
		if len(s) > MaxTokenLen {
			t.Fatalf("accepted %d bytes, more than MaxTokenLen", len(s))
		}
		if !pok || p != tok.prompt {
			t.Fatalf("promptOf(%q) = %d, %v; parseToken says prompt %d", s, p, pok, tok.prompt)
		}
		again := tok.String()
		if len(again) > MaxTokenLen {
			t.Fatalf("%q re-encodes to %q, over MaxTokenLen", s, again)
		}
		back, ok := parseToken(again)
		if !ok || back != tok {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, tok, again, back, ok)
		}
		for _, r := range again {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
				t.Fatalf("re-encoded token %q has %q, outside [A-Za-z0-9._-]", again, r)
			}
		}
	})
}
