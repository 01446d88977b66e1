package digest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"consultbot/text"
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

// tx is the digest's catalogue in r's language.
func (r renderer) tx() *text.Digest { return &text.For(r.lang).Digest }

// t formats a text of the catalogue; one without arguments is as written.
func (r renderer) t(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
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

// plural returns one or many to go after the number n: French uses the
// singular for 0 and 1 (« 0 nouvelle réponse »), English for 1 only
// ("0 answers").
func plural(lang string, n int, one, many string) string {
	if n == 1 || (n == 0 && lang == "fr") {
		return one
	}
	return many
}

// count formats n followed by the singular or plural of k ("one|many"),
// the number in bold when asked.
func (r renderer) count(n int, noun string, bold bool) string {
	one, many, _ := strings.Cut(noun, "|")
	s := r.num(n)
	if bold {
		s = r.m.bold(s)
	}
	return s + " " + plural(r.lang, n, one, many)
}

func (r renderer) percent(f float64) string {
	p := strconv.Itoa(int(f*100 + 0.5))
	if r.lang == "fr" {
		return p + "\u00a0%"
	}
	return p + "%"
}

// when writes a date and its time in full, in t's own time zone:
// « 27 novembre 2026 à 18:00 », "27 November 2026 at 18:00".
func (r renderer) when(t time.Time) string { return r.date(t, true) }

// date writes t as when does, the year left out unless withYear (the
// start of a period that ends in the same year: « du 27 novembre à
// 18:00 au 28 novembre 2026 à 18:00 »).
func (r renderer) date(t time.Time, withYear bool) string {
	tx := r.tx()
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = tx.FirstDay
	}
	month := strings.Split(tx.Months, "|")[t.Month()-1]
	if withYear {
		month += " " + strconv.Itoa(t.Year())
	}
	return day + " " + month + " " + tx.At + " " + t.Format("15:04")
}

// zone names the time zone of t for people: « heure de Paris », "Paris
// time", "UTC". tz is the digest's IANA time zone; when it is unknown (a
// digest made before digests carried one) the zone t carries is named,
// by its offset if it has no name ("UTC+01:00").
func (r renderer) zone(tz string, t time.Time) string {
	if tz == "" {
		tz = t.Location().String()
	}
	if tz == "UTC" {
		return "UTC"
	}
	if region, city, ok := strings.Cut(tz, "/"); ok && region != "Etc" {
		if i := strings.LastIndexByte(city, '/'); i >= 0 {
			city = city[i+1:]
		}
		return r.t(r.tx().ZoneOf, strings.ReplaceAll(city, "_", " "))
	}
	name, off := t.Zone()
	switch {
	case off == 0:
		return "UTC"
	case name != "" && strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "":
		return name
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
}

// FormatTime writes t for people in lang ("fr" or "en"), with the time
// zone named: « 27 novembre 2026 à 18:00 (heure de Paris) », "27 November
// 2026 at 18:00 (Paris time)". t is shown in its own zone; timeZone is its
// IANA name, as in Digest.TimeZone (empty: the zone t carries is named).
func FormatTime(t time.Time, timeZone, lang string) string {
	r := renderer{lang: "fr"}
	if lang == "en" {
		r.lang = "en"
	}
	return r.when(t) + " (" + r.zone(timeZone, t) + ")"
}

// title is the digest's heading, naming its period, which is what tells
// digests apart (no number), and the time zone of its times (once when
// both share it; the year too).
func (r renderer) title(d Digest) string {
	since, until := r.when(d.Since), r.when(d.Until)
	zs, zu := r.zone(d.TimeZone, d.Since), r.zone(d.TimeZone, d.Until)
	switch {
	case !d.Since.IsZero() && !d.Until.IsZero():
		if zs == zu {
			if d.Since.Year() == d.Until.Year() {
				since = r.date(d.Since, false)
			}
			return r.t(r.tx().Title, since, until) + " (" + zu + ")"
		}
		return r.t(r.tx().Title, since+" ("+zs+")", until+" ("+zu+")")
	case !d.Until.IsZero():
		return r.t(r.tx().TitleUntil, until) + " (" + zu + ")"
	case !d.Since.IsZero():
		return r.t(r.tx().TitleSince, since) + " (" + zs + ")"
	}
	return r.tx().TitleAll
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
		head += "\n" + m.italic(e(r.t(r.tx().ThemeOnly, d.ThemeTitle)))
	}
	secs = append(secs, section{
		head: head + "\n\n" + m.heading(2, e(r.tx().KeyFigures)),
		cont: m.heading(2, e(r.tx().KeyFigures+r.tx().Continued)),
		items: []string{
			r.t(r.tx().Participants, r.count(d.Period.Participants, r.tx().Participant, true), r.num(d.Total.Participants)),
			r.t(r.tx().Contribs, r.count(d.Period.Contributions, r.tx().Contribution, true), r.num(d.Total.Contributions)),
		},
	})

	for _, bd := range []struct {
		k    string
		rows []Breakdown
		max  int
	}{{r.tx().ByChannel, d.ByChannel, 0}, {r.tx().ByProfile, d.ByProfile, 0}, {r.tx().ByAcademie, d.ByAcademie, maxAcademies}} {
		if len(bd.rows) == 0 {
			continue
		}
		rows := bd.rows
		if bd.max > 0 && len(rows) > bd.max+1 {
			rest := Breakdown{Label: r.t(r.tx().Others, len(rows)-bd.max)}
			for _, b := range rows[bd.max:] {
				rest.Period.Contributions += b.Period.Contributions
				rest.Period.Participants += b.Period.Participants
				rest.Total.Contributions += b.Total.Contributions
				rest.Total.Participants += b.Total.Participants
			}
			rows = append(rows[:bd.max:bd.max], rest)
		}
		s := section{head: m.heading(2, e(bd.k)), cont: m.heading(2, e(bd.k+r.tx().Continued))}
		for _, b := range rows {
			s.items = append(s.items, r.t(r.tx().BreakdownLine, e(b.Label),
				r.count(b.Period.Contributions, r.tx().Contribution, true),
				r.count(b.Period.Participants, r.tx().Participant, false),
				r.count(b.Total.Contributions, r.tx().Contribution, false),
				r.count(b.Total.Participants, r.tx().Participant, false)))
		}
		secs = append(secs, s)
	}

	if len(d.Themes) > 0 {
		s := section{head: m.heading(2, e(r.tx().ByTheme)), cont: m.heading(2, e(r.tx().ByTheme+r.tx().Continued))}
		for _, th := range d.Themes {
			line := "• " + r.t(r.tx().ThemeLine, m.bold(e(th.Title)), r.count(th.NewAnswers, r.tx().NewAnswer, true), r.num(th.TotalAnswers))
			if th.Started > 0 {
				line += " · " + r.t(r.tx().Completion, r.percent(th.CompletionRate),
					r.count(th.Confirmed, r.tx().Participant, false), r.num(th.Started),
					r.num(th.Confirmed), r.count(th.Started, r.tx().Participant, false))
			} else {
				line += " · " + r.tx().NoStart
			}
			if th.Skipped > 0 {
				line += " · " + r.t(r.tx().Skipped, r.count(th.Skipped, r.tx().Participant, false))
			}
			if th.Unasked > 0 {
				line += " · " + r.t(r.tx().Unasked, r.count(th.Unasked, r.tx().Participant, false))
			}
			if th.InProgress > 0 {
				line += " · " + r.t(r.tx().InProgress, r.count(th.InProgress, r.tx().Participant, false))
			}
			if th.DropOff != nil {
				do := th.DropOff
				line += " · " + r.t(r.tx().DropOff, e(do.Title),
					r.count(do.Count, r.tx().DropOffWord, false), r.num(do.Unfinished),
					r.num(do.Count), r.count(do.Unfinished, r.tx().DropOffWord, false))
			}
			s.items = append(s.items, line)
		}
		secs = append(secs, s)
	}

	firstID := uint64(0)
	for _, th := range d.Themes {
		if len(th.Questions) == 0 {
			// Every theme is listed, in order: one nobody answered in the
			// period says so rather than going missing.
			secs = append(secs, section{head: m.heading(2, "🗂 "+e(th.Title)) + "\n" + m.italic(e(r.tx().NoNewAnswer))})
			continue
		}
		for i, q := range th.Questions {
			qhead := m.heading(3, r.t(r.tx().QuestionHead, e(q.Title), r.count(q.NewAnswers, r.tx().NewAnswer, false)+r.voiceShare(q.NewVoice), r.num(q.TotalAnswers)))
			s := section{head: qhead, cont: m.heading(3, e(th.Title+" › "+q.Title+r.tx().Continued))}
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
				s.items = append(s.items, r.tx().Words+strings.Join(ws, " · "))
			}
			for _, qt := range q.Quotes {
				if firstID == 0 {
					firstID = qt.AnswerID
				}
				s.items = append(s.items, r.quote(qt))
			}
			if len(q.Quotes) == 0 {
				s.items = append(s.items, m.italic(e(r.tx().NoQuote)))
			}
			secs = append(secs, s)
		}
	}
	if firstID != 0 {
		secs = append(secs, section{head: m.italic(e(r.t(r.tx().HideHint, firstID)))})
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
	if q.Spoken {
		return "🎤 " + open + e(q.Text) + closing + " " + r.m.italic("— "+e(by)+" ("+e(voiceTexts.spoken[r.lang])+")")
	}
	return "💬 " + open + e(q.Text) + closing + " " + r.m.italic("— "+e(by))
}
