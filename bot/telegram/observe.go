package telegram

import (
	"net/http"
	"strings"

	"consultbot/bot"
)

// observer returns the adapter's Observer, a NopObserver by default.
func (a *Adapter) observer() bot.Observer {
	if a.opts.Observer == nil {
		return bot.NopObserver{}
	}
	return a.opts.Observer
}

// apiMethod names a Bot API request by its method, the last element of
// its path ("/bot<token>/sendMessage"). Only a plain word is kept: the
// token, which is in the path too, must never become a metric label.
func apiMethod(r *http.Request) string {
	p := r.URL.Path
	m := p[strings.LastIndexByte(p, '/')+1:]
	if m == "" || len(m) > 40 || strings.IndexFunc(m, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') }) >= 0 {
		return "other"
	}
	return m
}
