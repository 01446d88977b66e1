package telegram

import (
	"html"
	"strings"
	"testing"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/flows/flowstest"
)

func TestRenderSplitsLongTextAtParagraphsAndEscapes(t *testing.T) {
	para := strings.Repeat("Une phrase & <b>balise</b> qui dure. ", 30) // about 1100 characters
	text := strings.TrimSpace(strings.Repeat(strings.TrimSpace(para)+"\n\n", 8))
	r := flows.Reply{
		Title:   "Relecture <1>",
		Text:    text,
		Options: []flows.Option{{Token: "ok.1", Label: "Valider"}, {Token: "menu.1", Label: "Menu"}},
	}
	parts := render(r)
	if len(parts) < 3 {
		t.Fatalf("got %d parts, want the text split in several", len(parts))
	}
	var visible []string
	for i, p := range parts {
		plain := html.UnescapeString(strings.NewReplacer("<b>", "", "</b>", "").Replace(p.html))
		if n := utf16Len(plain); n > maxText {
			t.Errorf("part %d has %d characters", i, n)
		}
		if strings.Contains(p.html, "<b>balise") || strings.Count(p.html, "<b>") > 1 {
			t.Errorf("part %d lets user text through as markup", i)
		}
		if (p.keyboard != nil) != (i == len(parts)-1) {
			t.Errorf("part %d keyboard = %v; want it on the last part only", i, p.keyboard)
		}
		// Every cut falls between paragraphs.
		if i > 0 && !strings.HasPrefix(plain, "Une phrase") {
			t.Errorf("part %d starts mid-paragraph: %q", i, plain[:40])
		}
		visible = append(visible, plain)
	}
	if !strings.HasPrefix(parts[0].html, "<b>Relecture &lt;1&gt;</b>\n\n") {
		t.Errorf("title = %q", parts[0].html[:40])
	}
	joined := strings.TrimPrefix(strings.Join(visible, "\n\n"), "Relecture <1>\n\n")
	if joined != text {
		t.Error("splitting lost or changed text")
	}
}

func TestSplitTextFallsBackToLinesWordsAndRunes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"fits", "abc", []string{"abc"}},
		{"paragraphs", "aaaa\n\nbbbb", []string{"aaaa", "bbbb"}},
		{"lines", "aaaa\nbbbb", []string{"aaaa", "bbbb"}},
		{"words", "aaa bbb ccc", []string{"aaa", "bbb", "ccc"}},
		{"runes", "ééééééé", []string{"ééééé", "éé"}},
		{"surrogates", "😀😀😀", []string{"😀😀", "😀"}},
	}
	for _, tc := range tests {
		got := splitText(tc.in, 5, 5)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: splitText(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestKeyboardLayout(t *testing.T) {
	short := keyboard([]flows.Option{{Token: "a", Label: "Oui"}, {Token: "b", Label: "Non"}, {Token: "c", Label: "1"}, {Token: "d", Label: "2"}})
	if len(short.InlineKeyboard) != 1 {
		t.Errorf("short labels: %d rows, want 1", len(short.InlineKeyboard))
	}
	long := keyboard([]flows.Option{{Token: "a", Label: "Personnel de direction ou d'inspection"}, {Token: "b", Label: "Autre"}, {Token: "", Label: "no token"}})
	if len(long.InlineKeyboard) != 2 {
		t.Errorf("long labels: %d rows, want 2 (one per button, tokenless dropped)", len(long.InlineKeyboard))
	}
	if keyboard(nil) != nil {
		t.Error("no options should give no keyboard")
	}
}

// TestAddressesOfATap: the replies to a tap go to the chat, the one in
// the tapped message's place edits that message, and reminders reach the
// private chat, whatever message was tapped.
func TestAddressesOfATap(t *testing.T) {
	addr := tapAddress(42, 7)
	a := &Adapter{}
	if got, err := parseAddress(addr); err != nil || got != (chatAddress{chat: 42, tapped: 7}) {
		t.Errorf("parseAddress(%q) = %+v, %v; want chat 42, tapped 7", addr, got, err)
	}
	if got := a.Line(bot.Outgoing{Address: addr}); got != "42" {
		t.Errorf("Line(%q) = %q, want the chat's line 42", addr, got)
	}
	for _, in := range []string{addr, "42", "42:9"} {
		if got, ok := a.LaterAddress(in); !ok || got != "42" {
			t.Errorf("LaterAddress(%q) = %q, %v; want the private chat 42", in, got, ok)
		}
	}
	if _, ok := a.LaterAddress("-100@7"); ok {
		t.Error("LaterAddress of a group: want none")
	}
}

// A theme's review in short above the next question is one message, in
// the worst case the conversation makes (nine answers as long as allowed,
// full of markup): the lead, the recap's title in bold and its text, a
// rule, then the prompt, every piece escaped.
func TestRenderRecapAboveThePromptInOneMessage(t *testing.T) {
	r := flowstest.Recap(flows.LangFR, "<b>pas gras</b> & une réponse")
	parts := render(r)
	if len(parts) != 1 || parts[0].keyboard == nil {
		t.Fatalf("got %d parts, want one message with its keyboard", len(parts))
	}
	h := parts[0].html
	if err := flowstest.InOrder(h, "Merci, c&#39;est noté.\n\n<b>Thème 2 terminé · Enseigner et apprendre avec le numérique</b>\n1. ",
		"&lt;b&gt;pas gras&lt;/b&gt; &amp;", "valide ce thème.\n\n"+recapRule+"\n\n<b>Thème 3 : Travailler ensemble, collaborer · Question 1/5</b>\n\n"); err != nil {
		t.Error(err)
	}
	if strings.Count(h, "<b>") != 2 {
		t.Errorf("want exactly the two titles bold:\n%s", h)
	}

	// A recap too long to share a message comes first, on its own.
	r.Recap.Text = strings.Repeat(r.Recap.Text+"\n", 3)
	parts = render(r)
	if len(parts) < 2 || !strings.HasPrefix(parts[0].html, "Merci, c&#39;est noté.\n\n") || parts[0].keyboard != nil ||
		!strings.HasPrefix(parts[len(parts)-1].html, "<b>Thème 3 : Travailler") || parts[len(parts)-1].keyboard == nil {
		t.Errorf("long recap: want its own messages first, then the prompt with its keyboard; got %d parts", len(parts))
	}
	for i, p := range parts {
		if n := utf16Len(html.UnescapeString(strings.NewReplacer("<b>", "", "</b>", "").Replace(p.html))); n > maxText {
			t.Errorf("part %d has %d characters", i, n)
		}
	}
}
