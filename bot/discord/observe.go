package discord

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

// routeWords are the fixed elements of Discord's REST routes; every other
// element of a path is an id or a token and is named {id}, so that no
// interaction or webhook token ever becomes a metric label and the
// routes stay few.
var routeWords = map[string]bool{
	"applications": true, "channels": true, "commands": true, "callback": true,
	"gateway": true, "bot": true, "guilds": true, "interactions": true,
	"messages": true, "webhooks": true, "users": true, "@me": true,
	"@original": true, "members": true, "roles": true, "reactions": true,
}

// apiRoute names a REST request by its verb and route:
// "POST channels/{id}/messages", "POST interactions/{id}/{id}/callback".
func apiRoute(r *http.Request) string {
	p := r.URL.Path
	if i := strings.Index(p, "/api/v"); i >= 0 {
		p = p[i+len("/api/v"):]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j+1:]
		} else {
			p = ""
		}
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range parts {
		if !routeWords[s] {
			parts[i] = "{id}"
		}
	}
	return r.Method + " " + strings.Join(parts, "/")
}
