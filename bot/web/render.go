package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"consultbot/flows"
)

//go:embed assets
var assets embed.FS

// static holds the files served under /assets/.
var static, _ = fs.Sub(assets, "assets/static")

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"lines": func(s string) []string { return strings.Split(s, "\n") },
}).ParseFS(assets, "assets/*.html"))

// Kinds of page.
const (
	pageChat    = "chat"    // the conversation
	pageLanding = "landing" // before the conversation, or after erasure
	pageError   = "error"   // a bad request, in plain words
	pageBounce  = "bounce"  // reloads itself so the session cookie comes along
)

// pageData is what the page template shows.
type pageData struct {
	Kind     string
	T        *texts
	Title    string
	CSRF     string
	Epoch    string
	Last     uint64
	Messages []messageView
	Answer   *answerView
	Commands *commandsView
	// Error is a bad request's explanation, shown as an alert.
	Error string
	// Notice is a status shown on the landing page (after erasure).
	Notice string
	// Code is the continuation code, with its expiry, once asked for.
	Code, CodeUntil string
	// Start carries a campaign payload (?start=…) into the start form.
	Start string
	// StartID is the event id of the start form.
	StartID string
	// Refresh is where a bounce page goes.
	Refresh string
}

// formView is what every form of the conversation carries: the
// anti-forgery token and the event id the server made for it (the page's
// script replaces it with its own).
type formView struct {
	T    *texts
	CSRF string
	ID   string
}

// commandsView is the form of the page's command buttons.
type commandsView struct {
	formView
	Buttons []commandButton
}

// messageView is one reply on the page.
type messageView struct {
	T    *texts
	Seq  uint64
	Echo string
	// Lead is a short note before the title (an acknowledgement), by line.
	Lead []string
	// Recap is shown above the prompt, set apart from it (flows.Reply.Recap).
	Recap      *recapView
	Title      string
	Paragraphs [][]string
	Document   *documentView
}

type recapView struct {
	Title      string
	Paragraphs [][]string
}

type documentView struct {
	URL, Name, Label string
}

// answerView is the answer area of the current prompt: its buttons and
// its text box.
type answerView struct {
	formView
	Options    []flows.Option
	Legend     string
	ExpectText bool
	Label      string
	Hint       string
	MaxLen     int
	ChoiceID   string
	// Value is text given back to be shortened; Invalid marks it.
	Value   string
	Invalid bool
	// Focus says what the script focuses when the area arrives: the
	// text box ("text") or the first button ("choice").
	Focus string
}

// messageOf renders one kept reply.
func messageOf(tx *texts, e entry) messageView {
	r := e.Reply
	m := messageView{T: tx, Seq: e.Seq, Echo: e.Echo, Title: typography(r.Title)}
	lead := strings.TrimSpace(r.Lead)
	if e.Echo != "" && r.Replaces {
		// The reply to a tap shows the choice (« ✓ Parent ») for the
		// channels that turn the tapped message into it; the page shows
		// the person's own message, the echo, instead: once is enough.
		if first, rest, _ := strings.Cut(lead, "\n"); strings.HasPrefix(first, "✓ ") {
			lead = strings.TrimSpace(rest)
		}
	}
	if lead != "" {
		m.Lead = strings.Split(typography(lead), "\n")
	}
	if rc := r.Recap; rc != nil {
		m.Recap = &recapView{Title: typography(rc.Title), Paragraphs: paragraphs(rc.Text)}
	}
	m.Paragraphs = paragraphs(r.Text)
	if d := r.Document; d != nil {
		kb := max(1, (len(d.Data)+1023)/1024)
		m.Document = &documentView{
			URL:   fmt.Sprintf("/mes_donnees?seq=%d", e.Seq),
			Name:  d.Name,
			Label: fmt.Sprintf(tx.Download, d.Name, fmt.Sprintf(tx.Kilobytes, kb)),
		}
	}
	return m
}

// paragraphs splits text into paragraphs of lines, for the page.
func paragraphs(text string) [][]string {
	var out [][]string
	text = typography(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"))
	for p := range strings.SplitSeq(text, "\n\n") {
		if p = strings.Trim(p, "\n"); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

// frenchSpaces keeps French punctuation on the line of the word before
// it, and guillemets with their words, by turning the space between them
// into a no-break space.
var frenchSpaces = strings.NewReplacer(" :", "\u00a0:", " ;", "\u00a0;", " ?", "\u00a0?", " !", "\u00a0!", "« ", "«\u00a0", " »", "\u00a0»")

// typography prepares the conversation's text for a page that wraps
// lines: French punctuation never starts a line.
func typography(s string) string { return frenchSpaces.Replace(s) }

// answerOf renders the answer area of prompt (nil: no prompt known, only
// the text box).
func (a *Adapter) answerOf(tx *texts, csrf string, prompt *flows.Reply) *answerView {
	v := &answerView{
		formView: formView{T: tx, CSRF: csrf, ID: randomID()},
		ChoiceID: randomID(),
		Label:    tx.TypeMessage,
		Hint:     tx.TypeHint,
		MaxLen:   a.maxLen,
		Focus:    "text",
	}
	if prompt == nil {
		return v
	}
	v.Options = prompt.Options
	if len(v.Options) > 0 {
		v.Focus = "choice"
		v.Legend = tx.ChooseOne
	}
	if prompt.Expect == flows.ExpectText {
		v.ExpectText = true
		v.Focus = "text"
		v.Legend = tx.OtherChoices
		v.Label = tx.TypeAnswer
		if prompt.Field != "" {
			v.Label = prompt.Field
		}
		if prompt.MaxLen > 0 {
			v.MaxLen = prompt.MaxLen
		}
		v.Hint = fmt.Sprintf(tx.MaxChars, v.MaxLen)
	}
	if prompt.Hint != "" {
		// What the conversation says may be typed here (a town at the
		// académie; before the menu, no « menu »).
		v.Hint = prompt.Hint + "."
	}
	return v
}

// render executes a named template into a string.
func render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
