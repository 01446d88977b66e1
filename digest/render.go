package digest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Message size limits, in characters. They are measured in UTF-16 code
// units, which is how Telegram counts and never less than what Discord
// counts, so an emoji cannot tip a message over.
const (
	TelegramLimit = 4096
	DiscordLimit  = 2000
)

// maxAcademies is the number of académies listed before the rest are
// summed up as "others".
const maxAcademies = 10

// markup is one output syntax. bold and italic wrap text already escaped.
type markup struct {
	escape       func(string) string
	bold, italic func(string) string
	heading      func(level int, s string) string
	// item marks up one item line; nil leaves it as is.
	item func(string) string
}

// telegramEscaper escapes what Telegram's HTML parse mode requires; the
// apostrophes French is full of stay as they are.
var telegramEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

var telegramMarkup = markup{
	escape:  telegramEscaper.Replace,
	bold:    func(s string) string { return "<b>" + s + "</b>" },
	italic:  func(s string) string { return "<i>" + s + "</i>" },
	heading: func(_ int, s string) string { return "<b>" + s + "</b>" },
}

var discordMarkup = markup{
	escape:  escapeDiscord,
	bold:    func(s string) string { return "**" + s + "**" },
	italic:  func(s string) string { return "_" + s + "_" },
	heading: func(_ int, s string) string { return "**" + s + "**" },
}

var markdownMarkup = markup{
	escape: escapeMarkdown,
	bold:   func(s string) string { return "**" + s + "**" },
	italic: func(s string) string { return "_" + s + "_" },
	heading: func(level int, s string) string {
		return strings.Repeat("#", level) + " " + s
	},
	// Items become list items, so that a Markdown viewer keeps one line
	// per figure or quote.
	item: func(s string) string { return "- " + strings.TrimPrefix(s, "• ") },
}

// discordEscaper makes user text inert on Discord: every markdown character
// gets a backslash (which also breaks autolinks at "://" and the <@id>,
// <#id> and <t:…> mention syntaxes), and a zero-width space after "@" stops
// @everyone, @here and @name pings.
var discordEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, "~", `\~`, "`", "\\`", `|`, `\|`,
	`>`, `\>`, `<`, `\<`, `#`, `\#`, `-`, `\-`, `[`, `\[`, `]`, `\]`,
	`(`, `\(`, `)`, `\)`, `:`, `\:`, `@`, "@\u200b",
)

func escapeDiscord(s string) string { return discordEscaper.Replace(s) }

// markdownEscaper keeps user text literal in CommonMark.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, "~", `\~`, "`", "\\`", `|`, `\|`,
	`<`, `\<`, `>`, `\>`, `#`, `\#`, `[`, `\[`, `]`, `\]`,
)

func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// msgLen measures a message as Telegram does, in UTF-16 code units.
func msgLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// section is a unit the splitter keeps whole when it can. When a section
// alone exceeds the limit it is split between items, and each further part
// starts with cont; an item (a quote, a figure line) is never cut.
type section struct {
	head, cont string
	items      []string
}

func (s section) String() string {
	if len(s.items) == 0 {
		return s.head
	}
	return s.head + "\n" + strings.Join(s.items, "\n")
}

// RenderTelegram renders d as Telegram HTML messages of at most
// TelegramLimit characters each. User text is escaped.
func RenderTelegram(d Digest) []string {
	return split(build(d, telegramMarkup), TelegramLimit)
}

// RenderDiscord renders d as Discord markdown messages of at most
// DiscordLimit characters each. User text is escaped so that neither
// markdown nor mentions take effect.
func RenderDiscord(d Digest) []string {
	return split(build(d, discordMarkup), DiscordLimit)
}

// RenderMarkdown renders d as one Markdown document, for the terminal.
func RenderMarkdown(d Digest) string {
	secs := build(d, markdownMarkup)
	parts := make([]string, len(secs))
	for i, s := range secs {
		parts[i] = s.String()
	}
	return strings.Join(parts, "\n\n") + "\n"
}

// split packs sections into messages of at most limit characters, joining
// sections with a blank line and splitting only between sections, or
// between the items of a section too long on its own.
func split(secs []section, limit int) []string {
	var msgs []string
	cur := ""
	add := func(block string) {
		switch {
		case cur == "":
			cur = block
		case msgLen(cur)+2+msgLen(block) <= limit:
			cur += "\n\n" + block
		default:
			msgs = append(msgs, cur)
			cur = block
		}
	}
	for _, s := range secs {
		if whole := s.String(); msgLen(whole) <= limit {
			add(whole)
			continue
		}
		part := s.head
		for _, it := range s.items {
			if msgLen(part)+1+msgLen(it) <= limit {
				part += "\n" + it
				continue
			}
			add(part)
			part = s.cont + "\n" + it
		}
		add(part)
	}
	if cur != "" {
		msgs = append(msgs, cur)
	}
	return msgs
}

// renderer builds the sections of one digest in one syntax and language.
type renderer struct {
	m    markup
	lang string
}

func (r renderer) t(k textKey, args ...any) string {
	s := texts[k][r.lang]
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// num formats an integer with the language's thousands separator (a narrow
// no-break space in French).
func (r renderer) num(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	sep := ","
	if r.lang == "fr" {
		sep = "\u202f"
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// count formats n followed by the singular or plural of k ("one|many"):
// French uses the singular for 0 and 1, English for 1 only.
func (r renderer) count(n int, k textKey, bold bool) string {
	one, many, _ := strings.Cut(texts[k][r.lang], "|")
	word := many
	if n == 1 || (n == 0 && r.lang == "fr") {
		word = one
	}
	s := r.num(n)
	if bold {
		s = r.m.bold(s)
	}
	return s + " " + word
}

func (r renderer) percent(f float64) string {
	p := strconv.Itoa(int(f*100 + 0.5))
	if r.lang == "fr" {
		return p + "\u00a0%"
	}
	return p + "%"
}

func (r renderer) date(t time.Time) string {
	if r.lang == "fr" {
		return t.Format("02/01/2006 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// title is the digest's heading, naming its period.
func (r renderer) title(d Digest) string {
	switch {
	case !d.Since.IsZero() && !d.Until.IsZero():
		return r.t(textTitle, r.date(d.Since), r.date(d.Until))
	case !d.Until.IsZero():
		return r.t(textTitleUntil, r.date(d.Until))
	case !d.Since.IsZero():
		return r.t(textTitleSince, r.date(d.Since))
	}
	return r.t(textTitleAll)
}

func build(d Digest, m markup) []section {
	r := renderer{m: m, lang: d.Lang}
	if r.lang != "en" {
		r.lang = "fr"
	}
	e := m.escape
	var secs []section

	head := m.heading(1, e(r.title(d)))
	if d.ThemeTitle != "" {
		head += "\n" + m.italic(e(r.t(textThemeOnly, d.ThemeTitle)))
	}
	secs = append(secs, section{
		head: head + "\n\n" + m.heading(2, e(r.t(textKeyFigures))),
		cont: m.heading(2, e(r.t(textKeyFigures)+r.t(textContinued))),
		items: []string{
			r.t(textParticipants, m.bold(r.num(d.Period.Participants)), r.num(d.Total.Participants)),
			r.t(textContribs, m.bold(r.num(d.Period.Contributions)), r.num(d.Total.Contributions)),
		},
	})

	for _, bd := range []struct {
		k    textKey
		rows []Breakdown
		max  int
	}{{textByChannel, d.ByChannel, 0}, {textByProfile, d.ByProfile, 0}, {textByAcademie, d.ByAcademie, maxAcademies}} {
		if len(bd.rows) == 0 {
			continue
		}
		rows := bd.rows
		if bd.max > 0 && len(rows) > bd.max+1 {
			rest := Breakdown{Label: r.t(textOthers, len(rows)-bd.max)}
			for _, b := range rows[bd.max:] {
				rest.Period.Contributions += b.Period.Contributions
				rest.Period.Participants += b.Period.Participants
				rest.Total.Contributions += b.Total.Contributions
				rest.Total.Participants += b.Total.Participants
			}
			rows = append(rows[:bd.max:bd.max], rest)
		}
		s := section{head: m.heading(2, e(r.t(bd.k))), cont: m.heading(2, e(r.t(bd.k)+r.t(textContinued)))}
		for _, b := range rows {
			s.items = append(s.items, r.t(textBreakdownLine, e(b.Label),
				r.count(b.Period.Contributions, textContribution, true),
				r.count(b.Period.Participants, textParticipant, false),
				r.num(b.Total.Contributions), r.num(b.Total.Participants)))
		}
		secs = append(secs, s)
	}

	if len(d.Themes) > 0 {
		s := section{head: m.heading(2, e(r.t(textByTheme))), cont: m.heading(2, e(r.t(textByTheme)+r.t(textContinued)))}
		for _, th := range d.Themes {
			line := "• " + r.t(textThemeLine, m.bold(e(th.Title)), r.count(th.NewAnswers, textNewAnswer, true), r.num(th.TotalAnswers))
			if th.Started > 0 {
				line += " · " + r.t(textCompletion, r.percent(th.CompletionRate), r.num(th.Confirmed), r.count(th.Started, textParticipant, false))
			} else {
				line += " · " + r.t(textNoStart)
			}
			if th.DropOff != nil {
				line += " · " + r.t(textDropOff, e(th.DropOff.Title), r.num(th.DropOff.Count), r.num(th.DropOff.Unfinished))
			}
			s.items = append(s.items, line)
		}
		secs = append(secs, s)
	}

	firstID := uint64(0)
	for _, th := range d.Themes {
		for i, q := range th.Questions {
			qhead := m.heading(3, r.t(textQuestionHead, e(q.Title), r.count(q.NewAnswers, textNewAnswer, false), r.num(q.TotalAnswers)))
			s := section{head: qhead, cont: m.heading(3, e(th.Title+" › "+q.Title+r.t(textContinued)))}
			if i == 0 {
				// The theme's title travels with its first question so that
				// a message never ends on a lone theme heading.
				s.head = m.heading(2, "🗂 "+e(th.Title)) + "\n" + qhead
			}
			if len(q.Words) > 0 {
				ws := make([]string, len(q.Words))
				for j, w := range q.Words {
					ws[j] = e(w.Text) + " (" + r.num(w.Count) + ")"
				}
				s.items = append(s.items, r.t(textWords)+strings.Join(ws, " · "))
			}
			for _, qt := range q.Quotes {
				if firstID == 0 {
					firstID = qt.AnswerID
				}
				s.items = append(s.items, r.quote(qt))
			}
			if len(q.Quotes) == 0 {
				s.items = append(s.items, m.italic(e(r.t(textNoQuote))))
			}
			secs = append(secs, s)
		}
	}
	if firstID != 0 {
		secs = append(secs, section{head: m.italic(e(r.t(textHideHint, firstID)))})
	}
	if m.item != nil {
		for i := range secs {
			for j, it := range secs[i].items {
				secs[i].items[j] = m.item(it)
			}
		}
	}
	return secs
}

// quote renders one quote on one line: the text in guillemets, then who
// said it and the answer's id.
func (r renderer) quote(q Quote) string {
	e := r.m.escape
	open, closing := "« ", " »"
	if r.lang == "en" {
		open, closing = "“", "”"
	}
	var who []string
	if q.Profile != "" {
		who = append(who, q.Profile)
	}
	if q.Academie != "" {
		who = append(who, q.Academie)
	}
	by := "#" + strconv.FormatUint(q.AnswerID, 10)
	if len(who) > 0 {
		by = strings.Join(who, ", ") + " · " + by
	}
	return "💬 " + open + e(q.Text) + closing + " " + r.m.italic("— "+e(by))
}
