package discord

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/flows/flowstest"
)

func testAdapter(t *testing.T) *Adapter {
	t.Helper()
	a, err := New(nopHandler{}, Options{Token: "t", ApplicationID: "42", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type nopHandler struct{}

func (nopHandler) Handle(context.Context, bot.Inbound) (bot.Applied, error) {
	return bot.Applied{}, nil
}

func buttonsOf(p part) []discordgo.Button {
	var bs []discordgo.Button
	for _, row := range p.components {
		for _, c := range row.(discordgo.ActionsRow).Components {
			bs = append(bs, c.(discordgo.Button))
		}
	}
	return bs
}

func TestRenderSplitsLongRepliesAtParagraphsWithButtonsLast(t *testing.T) {
	a := testAdapter(t)
	para := strings.Repeat("mot ", 299) + "fin." // 1200 characters
	r := flows.Reply{Title: "Vos réponses", Text: para + "\n\n" + para + "\n\n" + para, Options: []flows.Option{{Token: "7.menu", Label: "Menu"}}}
	parts := a.render(r, "1001")
	if len(parts) != 3 {
		t.Fatalf("got %d parts, want 3", len(parts))
	}
	for i, p := range parts {
		if n := utf8.RuneCountInString(p.content); n > maxContent {
			t.Errorf("part %d has %d characters", i, n)
		}
		if !strings.HasSuffix(p.content, "fin.") {
			t.Errorf("part %d not cut at a paragraph end: …%q", i, p.content[len(p.content)-20:])
		}
		if (len(p.components) > 0) != (i == len(parts)-1) {
			t.Errorf("part %d has %d component rows; buttons belong on the last part only", i, len(p.components))
		}
	}
	if !strings.HasPrefix(parts[0].content, "**Vos réponses**\n\n") {
		t.Errorf("title not bold: %q", parts[0].content[:30])
	}
}

func TestSplitWithoutBreaksCutsHard(t *testing.T) {
	s := strings.Repeat("x", 4500)
	got := split(s, maxContent)
	if len(got) != 3 || len(got[0]) != 2000 || len(got[2]) != 500 {
		t.Errorf("split of 4500 characters gave %d parts", len(got))
	}
}

func TestEscapeMarkdownShowsTextAsTyped(t *testing.T) {
	for in, want := range map[string]string{
		"**gras** _it_ ~~barré~~ `code` ||spoiler||": `\*\*gras\*\* \_it\_ \~\~barré\~\~ \` + "`code\\`" + ` \|\|spoiler\|\|`,
		"> citation\n# titre\n- liste\n12. point":    "\\> citation\n\\# titre\n\\- liste\n12\\. point",
		"[lien](http://x) <@123> \\":                 `\[lien\](http://x) \<@123> \\`,
		"texte ordinaire, 3 - 2 = 1":                 "texte ordinaire, 3 - 2 = 1",
	} {
		if got := escapeMarkdown(in); got != want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderTextQuestionHasAnswerButtonCappedAtDiscordLimit(t *testing.T) {
	a := testAdapter(t)
	long := strings.Repeat("Champ très long ", 10)
	r := flows.Reply{
		Text: "Question ?", Expect: flows.ExpectText, Field: long, MaxLen: 10000,
		Options: []flows.Option{{Token: "12.skip", Label: "Passer"}, {Token: "12.back", Label: "Retour"}},
	}
	parts := a.render(r, "1576320186833698826")
	bs := buttonsOf(parts[0])
	if len(bs) != 3 || !strings.Contains(bs[0].Label, "Répondre") {
		t.Fatalf("buttons %+v, want Répondre then the options", bs)
	}
	for _, b := range bs {
		if n := utf8.RuneCountInString(b.CustomID); n < 1 || n > maxCustomID {
			t.Errorf("custom id %q has %d characters", b.CustomID, n)
		}
	}
	id, ok := parseCustomID(bs[0].CustomID)
	if !ok || id.kind != kindAnswer || id.token != "12" || id.maxLen != maxParagraph || !strings.HasPrefix(long, strings.TrimSuffix(id.field, "…")) {
		t.Errorf("answer button id %q parsed as %+v, %v", bs[0].CustomID, id, ok)
	}
	c, ok := parseCustomID(bs[1].CustomID)
	if !ok || c.kind != kindChoice || c.token != "12.skip" || c.tag != userTag("1576320186833698826") {
		t.Errorf("choice id %q parsed as %+v", bs[1].CustomID, c)
	}
}

func TestRenderKeepsAtMost25Buttons(t *testing.T) {
	a := testAdapter(t)
	var opts []flows.Option
	for i := range 30 {
		opts = append(opts, flows.Option{Token: "3.pick.c" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Label: "choix"})
	}
	parts := a.render(flows.Reply{Text: "Choisissez", Options: opts}, "1")
	if len(parts[0].components) != 5 || len(buttonsOf(parts[0])) != 25 {
		t.Errorf("%d rows, %d buttons; want 5 rows of 5", len(parts[0].components), len(buttonsOf(parts[0])))
	}
}

func TestTransportMovesDiscordRequestsToAPIBase(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RequestURI()
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c := &http.Client{Transport: newTransport(srv.URL + "/proxy/api/v9/")}
	resp, err := c.Get("https://discord.com/api/v9/webhooks/42/tok?wait=true")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "/proxy/api/v9/webhooks/42/tok?wait=true" {
		t.Errorf("request reached %q", got)
	}
}

func TestErrorsNeverCarryTheInteractionToken(t *testing.T) {
	a, err := New(nopHandler{}, Options{Token: "t", ApplicationID: "42", APIBase: "http://127.0.0.1:1/api/v9", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	out := bot.Outgoing{Address: "ix:SECRET-INTERACTION-TOKEN", Participant: "discord:7", Reply: flows.Reply{Text: "x"}}
	err = a.Send(context.Background(), out)
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("Send error = %v; want a failure that does not quote the token", err)
	}
}

func TestSanitizeKeepsRetryAfter(t *testing.T) {
	rl := &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{RetryAfter: 1500 * 1e6}, URL: "https://discord.com/api/v9/webhooks/1/SECRET"}}
	err := sanitize(rl)
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(err, &ra) || ra.RetryAfter() != 1500*time.Millisecond || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("sanitize(rate limit) = %v", err)
	}
}

func TestOptionsValidateReportsEveryProblem(t *testing.T) {
	err := Options{Token: "Bot x", ApplicationID: "app", GuildIDs: []string{"g"}, APIBase: "ftp://x"}.Validate()
	for _, want := range []string{`"Bot "`, "application id", "guild id", "api base"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %s", err, want)
		}
	}
}

// A theme's review in short above the next question is one message
// within Discord's 2,000 characters, in the worst case the conversation
// makes (nine answers as long as allowed, full of markdown): the lead, the
// recap's title in bold, its text escaped, a rule, then the prompt.
func TestRenderRecapAboveThePromptInOneMessage(t *testing.T) {
	a := testAdapter(t)
	r := flowstest.Recap(flows.LangFR, "*pas* _gras_ et une réponse")
	parts := a.render(r, "1001")
	if len(parts) != 1 || len(buttonsOf(parts[0])) != 5 {
		t.Fatalf("got %d parts, want one message with its five buttons", len(parts))
	}
	c := parts[0].content
	if n := utf8.RuneCountInString(c); n > maxContent {
		t.Errorf("message has %d characters, over Discord's %d", n, maxContent)
	}
	if err := flowstest.InOrder(c, "Merci, c'est noté.\n\n**Thème 2 terminé · Enseigner et apprendre avec le numérique**\n1\\. ",
		"\\*pas\\* \\_gras\\_", "valide ce thème.\n\n"+recapRule+"\n\n**Thème 3 : Travailler ensemble, collaborer · Question 1/5**\n\n"); err != nil {
		t.Error(err)
	}
}
