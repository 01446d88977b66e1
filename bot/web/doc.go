// Package web is the channel that runs the consultation in a browser, for
// people on neither Telegram nor Discord: a link in a school newsletter
// opens it on any phone. The page, its style and its script are served by
// the binary itself (html/template, go:embed): no external resource, no
// tracking, one strictly necessary cookie.
//
// Adapter translates HTTP into Inbound events for the engine and is the
// engine's Sender for bot.ChannelWeb; the conversation itself is the same
// as on every channel. A visitor is an anonymous random token (32 bytes)
// in an HttpOnly, SameSite=Strict cookie, and the participant id is its
// keyed hash (bot.ParticipantID), so the token is never stored.
//
// Every message the page sends carries an event id made by the page and is
// retried with that id until acknowledged, so a double click, a reload or
// a lost connection never stores it twice: the engine drops an event id it
// has applied. Replies reach the page as server-sent events. Delivering a
// reply means keeping it in memory, in a bounded ring of recent replies per
// person; a page that reconnects gets those after the last it saw
// (Last-Event-ID is the outbox sequence). When it missed some the ring no
// longer holds (the server restarted, or they aged out), the page is told
// and the conversation shows the current prompt again. Without JavaScript
// the page works with plain form posts: each post redirects to the page,
// which shows the conversation and the current prompt's buttons.
//
// Posts are checked for their origin and an anti-forgery token derived
// from the session; every response carries a strict Content-Security-Policy
// (no inline script or style); requests are flood-controlled per address
// and per person; bodies are bounded; and every refusal is explained in
// plain French or English, never with a Go error. What the page says
// itself comes from the text catalogue (text.Web) like every other text;
// each event from the page sets flows.Event.CommandButtons, so the
// conversation names the page's buttons, never slash commands. The short
// codes that
// carry a conversation to another device live in memory only: a restart
// forgets them.
package web
