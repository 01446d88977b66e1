package text

import (
	"fmt"
	"reflect"
	"regexp"
)

// Naming is how a channel lets a person give the conversation's
// commands, and so how a text that tells them what to type or tap names
// a command.
type Naming int

// How channels name the conversation's commands.
const (
	// Slash: typed after a slash ("/effacer"), on Telegram, Discord and
	// the terminal.
	Slash Naming = iota
	// Buttons: the web page's own buttons, named by their label
	// (« Effacer mes données »), or, for a command the page has no
	// button for, the word the conversation understands typed
	// (« reprendre »).
	Buttons
	// DiscordFR and DiscordEN: Discord's slash commands as its command
	// picker shows them to an app set to French (or any language but
	// English) or to English, whatever the language of the text: Discord
	// names the registered commands by the app's locale (their
	// name_localizations), and « contribuer » stands for start there.
	DiscordFR
	DiscordEN
)

// DiscordNaming returns the naming of Discord's command picker for an
// app set to locale ("fr", "en-GB").
func DiscordNaming(locale string) Naming {
	if IsEnglish(locale) {
		return DiscordEN
	}
	return DiscordFR
}

// A text names a command by its canonical name in braces, "{erase}";
// the catalogues For and ForNaming return have every such name written
// as the channel offers the command: "/effacer", or on the page, within a
// sentence, « Effacer mes données » (Web.Quote). "{erase:bare}" leaves
// out the quotes, for lists of commands. CommandNames and the page's
// button labels (Web.Buttons) are each written once, in the catalogue;
// the texts refer to them.
var placeholder = regexp.MustCompile(`\{([a-z]+)(:bare)?\}`)

// named holds the catalogues with their commands named: by naming, then
// language.
var named = map[Naming]map[string]*Catalog{
	Slash:     {FR: render(&french, Slash), EN: render(&english, Slash)},
	Buttons:   {FR: render(&french, Buttons), EN: render(&english, Buttons)},
	DiscordFR: {FR: render(&french, DiscordFR), EN: render(&english, DiscordFR)},
	DiscordEN: {FR: render(&french, DiscordEN), EN: render(&english, DiscordEN)},
}

// ForNaming returns the catalogue of lang (see For) whose texts name the
// commands as a channel with naming n offers them.
func ForNaming(lang string, n Naming) *Catalog {
	byLang, ok := named[n]
	if !ok {
		byLang = named[Slash]
	}
	return byLang[Lang(lang)]
}

// Command returns how the catalogue's texts name the conversation's
// command cmd (a canonical name, "erase"): "/effacer", or on the web page
// « Effacer mes données ».
func (c *Catalog) Command(cmd string) string {
	name, _ := c.command(cmd, c.Naming, true)
	return name
}

// command returns how c names the command cmd on a channel with naming
// n, quoted as in a sentence or not, and whether cmd is a command at all.
func (c *Catalog) command(cmd string, n Naming, quoted bool) (string, bool) {
	name, ok := c.Flow.CommandNames[cmd]
	if !ok {
		return "", false
	}
	switch n {
	case Slash:
		return "/" + name, true
	case DiscordFR, DiscordEN:
		picker := &french
		if n == DiscordEN {
			picker = &english
		}
		name = picker.Flow.CommandNames[cmd]
		if cmd == "start" {
			name = picker.Channel.Discord.StartCommand
		}
		return "/" + name, true
	}
	if label, ok := c.Web.Buttons[cmd]; ok {
		name = label
	}
	if !quoted {
		return name, true
	}
	return fmt.Sprintf(c.Web.Quote, name), true
}

// render returns a copy of c whose texts name the commands as naming n
// does. A name in braces that is no command is left as written, for
// TestCommandsNamed to point at.
func render(c *Catalog, n Naming) *Catalog {
	name := func(s string) string {
		return placeholder.ReplaceAllStringFunc(s, func(m string) string {
			sub := placeholder.FindStringSubmatch(m)
			named, ok := c.command(sub[1], n, sub[2] == "")
			if !ok {
				return m
			}
			return named
		})
	}
	out := new(Catalog)
	rewrite(reflect.ValueOf(out).Elem(), reflect.ValueOf(c).Elem(), name)
	out.Naming = n
	return out
}

// rewrite sets dst, a settable copy of src's type, to src with every
// string passed through f; maps are copied, never shared.
func rewrite(dst, src reflect.Value, f func(string) string) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(f(src.String()))
	case reflect.Struct:
		for i := range src.NumField() {
			rewrite(dst.Field(i), src.Field(i), f)
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for iter := src.MapRange(); iter.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			rewrite(v, iter.Value(), f)
			m.SetMapIndex(iter.Key(), v)
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}
