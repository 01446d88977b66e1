package web

import (
	"strings"

	"consultbot/flows"
	"consultbot/text"
)

// texts is what the page itself says in one language: the catalogue's
// web texts, whose texts name commands by the page's buttons, and the
// language codes the page is marked with. Everything else comes from the
// conversation.
type texts struct {
	*text.Web
	Lang string
	// OtherLang is the language the page that comes before the
	// conversation offers, by its name (Buttons[language]).
	OtherLang string
}

// pageCommands are the commands the page shows as buttons under
// Web.Commands, in their order; the help lists them in the same order.
var pageCommands = []string{flows.CmdMenu, flows.CmdAnswers, flows.CmdHelp, flows.CmdLanguage, flows.CmdMyData, flows.CmdErase}

var (
	textsFR = texts{Web: &text.ForNaming(text.FR, text.Buttons).Web, Lang: flows.LangFR, OtherLang: flows.LangEN}
	textsEN = texts{Web: &text.ForNaming(text.EN, text.Buttons).Web, Lang: flows.LangEN, OtherLang: flows.LangFR}
)

// textsFor returns the texts of lang ("en", "en-GB"…), French otherwise.
func textsFor(lang string) *texts {
	if baseLang(lang) == flows.LangEN {
		return &textsEN
	}
	return &textsFR
}

// commandButton is one of the page's command buttons.
type commandButton struct {
	Command, Label string
	// Lang marks the language button, written in the language it offers.
	Lang string
}

// buttons returns the page's command buttons, in order.
func (tx *texts) buttons() []commandButton {
	var bs []commandButton
	for _, c := range pageCommands {
		b := commandButton{Command: c, Label: tx.Buttons[c]}
		if c == flows.CmdLanguage {
			b.Lang = tx.OtherLang
		}
		bs = append(bs, b)
	}
	return bs
}

// baseLang reduces "en-GB" to "en"; it returns "" for languages the page
// does not speak.
func baseLang(lang string) string {
	lang, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	switch lang {
	case flows.LangFR, flows.LangEN:
		return lang
	}
	return ""
}

// acceptLanguage returns the first language of an Accept-Language header
// that the page speaks, or "".
func acceptLanguage(header string) string {
	for part := range strings.SplitSeq(header, ",") {
		tag, q, _ := strings.Cut(part, ";")
		if strings.TrimSpace(q) == "q=0" {
			continue
		}
		if l := baseLang(tag); l != "" {
			return l
		}
	}
	return ""
}
