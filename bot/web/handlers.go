package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// maxBody bounds a post: a 4000-character answer, percent-encoded, fits
// several times over.
const maxBody = 128 << 10

// deliveryWait bounds how long a request waits for the replies of an
// event to reach memory before it shows the page anyway.
const deliveryWait = 5 * time.Second

// contentSecurityPolicy allows the page's own files only: no inline
// script or style, no frames, forms posted only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

var (
	eventIDRE  = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)
	campaignRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	tokenRE    = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)
)

// buttonCommands are the commands the page's buttons send.
var buttonCommands = map[string]bool{
	flows.CmdStart: true, flows.CmdMenu: true, flows.CmdResume: true, flows.CmdAnswers: true,
	flows.CmdLanguage: true, flows.CmdMyData: true, flows.CmdErase: true, flows.CmdHelp: true,
}

func (a *Adapter) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.page)
	mux.HandleFunc("POST /send", a.send)
	mux.HandleFunc("GET /events", a.events)
	mux.HandleFunc("GET /mes_donnees", a.document)
	mux.HandleFunc("POST /code", a.issueCode)
	mux.HandleFunc("POST /continuer", a.redeemCode)
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.HandleFunc("/", a.unknown)
	return mux
}

// secure sets the security headers of every response and applies the
// per-address flood limit.
func (a *Adapter) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if !a.byAddr.allow(a.clientAddr(r)) {
			h.Set("Retry-After", "5")
			a.fail(w, r, a.hintTexts(r), http.StatusTooManyRequests, refusal{kind: tooMany})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hintTexts picks the page's language from the request alone (a ?lang=
// or a posted lang, then the browser's languages): for the pages shown
// before the conversation, and for errors.
func (a *Adapter) hintTexts(r *http.Request) *texts {
	return textsFor(a.hintLang(r))
}

func (a *Adapter) hintLang(r *http.Request) string {
	if l := baseLang(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if r.Method == http.MethodPost && r.PostForm != nil {
		if l := baseLang(r.PostForm.Get("lang")); l != "" {
			return l
		}
	}
	if l := acceptLanguage(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return a.lang
}

// textsOf returns the texts in the participant's conversation language.
func (a *Adapter) textsOf(r *http.Request, participant string) *texts {
	s, ok, err := a.sessions.Session(participant)
	if err != nil || !ok || s.Lang == "" {
		return a.hintTexts(r)
	}
	return textsFor(s.Lang)
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// fail answers a bad request in plain words: a JSON error for the page's
// script, otherwise a page.
func (a *Adapter) fail(w http.ResponseWriter, r *http.Request, tx *texts, status int, why refusal) {
	msg := why.message(tx)
	if wantsJSON(r) || r.URL.Path == "/events" {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	a.renderPage(w, status, pageData{Kind: pageError, T: tx, Error: msg})
}

// refusal says why a request was not applied, as data: what the person
// reads comes from the texts, never from a Go error.
type refusal struct {
	kind          refusalKind
	length, limit int // of a text over its limit (tooLong)
}

// refusalKind names a reason to refuse a request.
type refusalKind int

// The reasons a request is refused.
const (
	badRequest refusalKind = iota
	tooMany
	tooBig
	crossOrigin
	expired
	noCookie
	notFound
	notAllowed
	notSaved
	restarting
	unavailable
	documentGone
	tooManyStreams
	badCode
	empty
	tooLong
)

func (f refusal) message(tx *texts) string {
	switch f.kind {
	case tooMany:
		return tx.TooMany
	case tooBig:
		return tx.TooBig
	case crossOrigin:
		return tx.CrossOrigin
	case expired:
		return tx.Expired
	case noCookie:
		return tx.NoCookie
	case notFound:
		return tx.NotFound
	case notAllowed:
		return tx.NotAllowed
	case notSaved:
		return tx.NotSaved
	case restarting:
		return tx.Restarting
	case unavailable:
		return tx.Unavailable
	case documentGone:
		return tx.DocumentGone
	case tooManyStreams:
		return tx.TooManyStream
	case badCode:
		return tx.BadCode
	case empty:
		return tx.Empty
	case tooLong:
		return fmt.Sprintf(tx.TooLong, f.length, f.limit)
	}
	return tx.BadRequest
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// renderPage writes a whole page. It is built in memory first, so that a
// template failure is a clean error page, not half a page.
func (a *Adapter) renderPage(w http.ResponseWriter, status int, data pageData) {
	if data.Title == "" {
		data.Title = a.title.In(data.T.Lang)
	}
	html, err := render("page", data)
	if err != nil {
		a.log.Error("render page", "err", err)
		status = http.StatusInternalServerError
		html = "<!DOCTYPE html><html lang=\"" + data.T.Lang + "\"><title>" + data.T.ErrorTitle + "</title><p>" + data.T.Unavailable + "</p></html>"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(html))
}

// unknown answers every other address.
func (a *Adapter) unknown(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/", "/send", "/events", "/mes_donnees", "/code", "/continuer":
		w.Header().Set("Allow", map[bool]string{true: "POST", false: "GET, HEAD"}[r.URL.Path == "/send" || r.URL.Path == "/code" || r.URL.Path == "/continuer"])
		a.fail(w, r, a.hintTexts(r), http.StatusMethodNotAllowed, refusal{kind: notAllowed})
		return
	}
	a.fail(w, r, a.hintTexts(r), http.StatusNotFound, refusal{kind: notFound})
}

// page shows the conversation, or the landing page to someone who has
// not started.
func (a *Adapter) page(w http.ResponseWriter, r *http.Request) {
	v := a.identify(r)
	q := r.URL.Query()
	start := q.Get("start")
	if !campaignRE.MatchString(start) {
		start = ""
	}
	if v.token == "" {
		// A link followed from another site comes without the SameSite
		// Strict cookie: reload from here once, so that a returning
		// person finds their conversation rather than a new one.
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" && q.Get("r") == "" {
			u := url.Values{"r": {"1"}}
			if start != "" {
				u.Set("start", start)
			}
			if l := baseLang(q.Get("lang")); l != "" {
				u.Set("lang", l)
			}
			a.renderPage(w, http.StatusOK, pageData{Kind: pageBounce, T: a.hintTexts(r), Refresh: "/?" + u.Encode()})
			return
		}
		a.renderPage(w, http.StatusOK, pageData{Kind: pageLanding, T: a.hintTexts(r), Start: start, StartID: randomID()})
		return
	}
	s, ok, err := a.sessions.Session(v.participant)
	if err != nil {
		a.log.Error("read session", "err", err)
		a.fail(w, r, a.hintTexts(r), http.StatusInternalServerError, refusal{kind: unavailable})
		return
	}
	if !ok {
		a.renderPage(w, http.StatusOK, pageData{Kind: pageLanding, T: a.hintTexts(r), CSRF: v.csrf, Start: start, StartID: randomID()})
		return
	}
	tx := textsFor(s.Lang)
	vw := a.hub.view(v.participant, 0)
	if len(vw.entries) == 0 {
		// Nothing in memory (a restart, a long absence): show where the
		// person stands.
		if _, err := a.resume(r.Context(), v, a.hintLang(r)); err != nil {
			a.log.Warn("resume on page load", "err", err)
		}
		vw = a.hub.view(v.participant, 0)
	}
	a.renderPage(w, http.StatusOK, a.chatData(tx, v, vw))
}

// chatData is the conversation page of v.
func (a *Adapter) chatData(tx *texts, v visitor, vw view) pageData {
	d := pageData{
		Kind:     pageChat,
		T:        tx,
		CSRF:     v.csrf,
		Epoch:    a.epoch,
		Last:     max(vw.last, vw.floor),
		Answer:   a.answerOf(tx, v.csrf, vw.prompt),
		Commands: &commandsView{formView{T: tx, CSRF: v.csrf, ID: randomID()}, tx.buttons()},
	}
	for _, e := range vw.entries {
		d.Messages = append(d.Messages, messageOf(tx, e))
	}
	if code, until, ok := a.codes.active(v.token); ok {
		d.Code = formatCode(code)
		d.CodeUntil = until.In(a.loc).Format(tx.TimeLayout)
	}
	return d
}

// apply hands one event of v to the engine; echo is what the page shows
// of the person's message. Every event from the page says that the page
// offers the commands as its own buttons, so that whatever the replies
// tell the person to tap or type names those, never a slash command.
func (a *Adapter) apply(ctx context.Context, v visitor, id string, ev flows.Event, echo string) (bot.Applied, error) {
	ev.CommandButtons = true
	in := bot.Inbound{
		ID:          v.participant + ":" + id,
		Channel:     bot.ChannelWeb,
		Participant: v.participant,
		Address:     v.participant,
		Event:       ev,
		At:          a.now(),
	}
	a.hub.expect(v.participant, in.ID, echo)
	applied, err := a.handler.Handle(ctx, in)
	if err != nil || applied.Duplicate || len(applied.Outbox) == 0 {
		a.hub.unexpect(v.participant, in.ID)
	}
	return applied, err
}

// resume asks the conversation to show the current prompt again, and
// waits (a little) until it is in memory.
func (a *Adapter) resume(ctx context.Context, v visitor, lang string) (bot.Applied, error) {
	applied, err := a.apply(ctx, v, "resume-"+randomID(), flows.Event{Kind: flows.EventCommand, Command: flows.CmdResume, Lang: lang, Reopen: true}, "")
	if err != nil {
		return applied, err
	}
	a.waitDelivered(ctx, v, applied)
	return applied, nil
}

// waitDelivered waits until the replies of applied are in memory, for
// deliveryWait at most.
func (a *Adapter) waitDelivered(ctx context.Context, v visitor, applied bot.Applied) {
	n := len(applied.Outbox)
	if n == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, deliveryWait)
	defer cancel()
	if err := a.hub.wait(ctx, v.participant, applied.Outbox[n-1].Seq); err != nil {
		a.log.Warn("replies not delivered in time; the page shows them later", "err", err)
	}
}

// sendResult is what the page's script gets back for a message.
type sendResult struct {
	OK     bool   `json:"ok"`
	Seq    uint64 `json:"seq,omitempty"` // the last reply of the message
	Lang   string `json:"lang,omitempty"`
	Erased bool   `json:"erased,omitempty"`
}

// send takes one message from the page: a tapped button, typed text or a
// command, as a form post (then a redirect to the page) or from the
// page's script (then JSON).
func (a *Adapter) send(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if !a.formOK(w, r) {
		return
	}
	tx := a.hintTexts(r)
	v := a.identify(r)
	command := r.PostForm.Get("command")
	if v.token == "" {
		// Only the start button comes before the cookie.
		if command != flows.CmdStart {
			a.fail(w, r, tx, http.StatusForbidden, refusal{kind: noCookie})
			return
		}
		v = a.visitorOf(newToken())
		a.setCookie(w, r, v.token)
	} else if !v.csrfOK(r) {
		a.fail(w, r, tx, http.StatusForbidden, refusal{kind: expired})
		return
	}
	if !a.byPerson.allow(v.participant) {
		w.Header().Set("Retry-After", "2")
		a.fail(w, r, tx, http.StatusTooManyRequests, refusal{kind: tooMany})
		return
	}
	id := r.PostForm.Get("id")
	if !eventIDRE.MatchString(id) {
		a.fail(w, r, tx, http.StatusBadRequest, refusal{kind: badRequest})
		return
	}
	ev, echo, why, given := a.event(r, v)
	if why != nil {
		a.refuse(w, r, v, *why, given)
		return
	}
	ev.Lang = a.hintLang(r)

	applied, err := a.apply(r.Context(), v, id, ev, echo)
	if errors.Is(err, bot.ErrClosed) {
		w.Header().Set("Retry-After", "2")
		a.fail(w, r, tx, http.StatusServiceUnavailable, refusal{kind: restarting})
		return
	}
	if err != nil {
		a.log.Error("apply web message", "err", err)
		a.fail(w, r, tx, http.StatusInternalServerError, refusal{kind: notSaved})
		return
	}
	var first, last uint64
	if n := len(applied.Outbox); n > 0 {
		first, last = applied.Outbox[0].Seq, applied.Outbox[n-1].Seq
	}
	s, ok, err := a.sessions.Session(v.participant)
	if err == nil && !ok {
		a.erased(w, r, v, applied)
		return
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, sendResult{OK: true, Seq: last, Lang: s.Lang})
		return
	}
	a.waitDelivered(r.Context(), v, applied)
	target := "/#answer"
	if first > 0 {
		target = "/#m" + strconv.FormatUint(first, 10)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// formOK checks that a post comes from the page and reads its form.
func (a *Adapter) formOK(w http.ResponseWriter, r *http.Request) bool {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		a.fail(w, r, a.hintTexts(r), http.StatusForbidden, refusal{kind: crossOrigin})
		return false
	}
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			a.fail(w, r, a.hintTexts(r), http.StatusRequestEntityTooLarge, refusal{kind: tooBig})
		} else {
			a.fail(w, r, a.hintTexts(r), http.StatusBadRequest, refusal{kind: badRequest})
		}
		return false
	}
	return true
}

// event translates the posted form into an event: a command button, an
// option button, or typed text (a typed "/aide" is a command). It
// returns why instead when the message cannot be sent, with the text to
// give back.
func (a *Adapter) event(r *http.Request, v visitor) (ev flows.Event, echo string, why *refusal, given string) {
	f := r.PostForm
	switch {
	case f.Get("command") != "":
		cmd := f.Get("command")
		if !buttonCommands[cmd] {
			return ev, "", &refusal{kind: badRequest}, ""
		}
		ev = flows.Event{Kind: flows.EventCommand, Command: cmd}
		if cmd == flows.CmdStart {
			if p := f.Get("start"); campaignRE.MatchString(p) {
				ev.Args = p
			}
		}
		return ev, commandLabel(a.hintTexts(r), cmd), nil, ""
	case f.Has("choice"):
		tok := f.Get("choice")
		if !tokenRE.MatchString(tok) {
			return ev, "", &refusal{kind: badRequest}, ""
		}
		if p := a.hub.promptOf(v.participant); p != nil {
			for _, o := range p.Options {
				if o.Token == tok {
					echo = o.Label
				}
			}
		}
		return flows.Event{Kind: flows.EventChoice, Token: tok}, echo, nil, ""
	}
	text := strings.ReplaceAll(f.Get("text"), "\r\n", "\n")
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return ev, "", &refusal{kind: empty}, ""
	}
	if strings.HasPrefix(trimmed, "/") {
		if cmd, ok := flows.ParseCommand(trimmed); ok {
			return cmd, trimmed, nil, ""
		}
	}
	limit := a.maxLen
	if p := a.hub.promptOf(v.participant); p != nil && p.Expect == flows.ExpectText && p.MaxLen > 0 {
		limit = p.MaxLen
	}
	if n := flows.TextLength(text); n > limit {
		return ev, "", &refusal{kind: tooLong, length: n, limit: limit}, text
	}
	return flows.Event{Kind: flows.EventText, Text: text}, trimmed, nil, ""
}

// refuse answers a message that was not sent: JSON for the script, or the
// page again with the explanation and the text given back.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, v visitor, why refusal, given string) {
	tx := a.textsOf(r, v.participant)
	msg := why.message(tx)
	status := http.StatusUnprocessableEntity
	if why.kind == badRequest {
		status = http.StatusBadRequest
	}
	if wantsJSON(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	d := a.chatData(tx, v, a.hub.view(v.participant, 0))
	d.Error = msg
	d.Answer.Value, d.Answer.Invalid = given, given != ""
	a.renderPage(w, status, d)
}

// erased ends the web session of someone whose data was just erased: the
// cookie goes, with everything kept in memory; the farewell is shown.
func (a *Adapter) erased(w http.ResponseWriter, r *http.Request, v visitor, applied bot.Applied) {
	a.waitDelivered(r.Context(), v, applied)
	var farewell []entry
	if n := len(applied.Outbox); n > 0 {
		farewell = a.hub.view(v.participant, applied.Outbox[0].Seq-1).entries
	}
	a.hub.forget(v.participant)
	a.codes.revoke(v.token)
	a.clearCookie(w, r)
	var last uint64
	if n := len(applied.Outbox); n > 0 {
		last = applied.Outbox[n-1].Seq
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, sendResult{OK: true, Seq: last, Erased: true})
		return
	}
	// The page to start again speaks the language of the conversation
	// just erased, which its farewell is written in.
	tx := a.hintTexts(r)
	if n := len(applied.Outbox); n > 0 && applied.Outbox[n-1].Reply.Lang != "" {
		tx = textsFor(applied.Outbox[n-1].Reply.Lang)
	}
	d := pageData{Kind: pageLanding, T: tx, Notice: tx.Erased, StartID: randomID()}
	for _, e := range farewell {
		d.Messages = append(d.Messages, messageOf(tx, e))
	}
	a.renderPage(w, http.StatusOK, d)
}

// commandLabel is what the page shows of a command button the person
// pressed; nothing for the buttons that are not commands' (start).
func commandLabel(tx *texts, cmd string) string { return tx.Buttons[cmd] }

// document downloads the file a reply carried (the person's data as
// JSON), while it is kept in memory.
func (a *Adapter) document(w http.ResponseWriter, r *http.Request) {
	v := a.identify(r)
	if v.token == "" {
		a.fail(w, r, a.hintTexts(r), http.StatusForbidden, refusal{kind: noCookie})
		return
	}
	seq, err := strconv.ParseUint(r.URL.Query().Get("seq"), 10, 64)
	d, ok := a.hub.document(v.participant, seq)
	if err != nil || !ok {
		a.fail(w, r, a.textsOf(r, v.participant), http.StatusNotFound, refusal{kind: documentGone})
		return
	}
	h := w.Header()
	h.Set("Content-Type", d.MIME)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.Name))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(d.Data)
}

// issueCode gives a started conversation a code to continue it on
// another device.
func (a *Adapter) issueCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if !a.formOK(w, r) {
		return
	}
	v := a.identify(r)
	if v.token == "" {
		a.fail(w, r, a.hintTexts(r), http.StatusForbidden, refusal{kind: noCookie})
		return
	}
	if !v.csrfOK(r) {
		a.fail(w, r, a.hintTexts(r), http.StatusForbidden, refusal{kind: expired})
		return
	}
	if !a.byPerson.allow(v.participant) {
		w.Header().Set("Retry-After", "2")
		a.fail(w, r, a.hintTexts(r), http.StatusTooManyRequests, refusal{kind: tooMany})
		return
	}
	a.codes.issue(v.token)
	http.Redirect(w, r, "/#code", http.StatusSeeOther)
}

// redeemCode continues, on this device, the conversation a code names.
func (a *Adapter) redeemCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if !a.formOK(w, r) {
		return
	}
	tx := a.hintTexts(r)
	if !a.codeTry.allow(a.clientAddr(r)) {
		w.Header().Set("Retry-After", "60")
		a.fail(w, r, tx, http.StatusTooManyRequests, refusal{kind: tooMany})
		return
	}
	token, ok := a.codes.redeem(r.PostForm.Get("code"))
	if !ok {
		v := a.identify(r)
		a.renderPage(w, http.StatusBadRequest, pageData{Kind: pageLanding, T: tx, CSRF: v.csrf, Error: tx.BadCode, StartID: randomID()})
		return
	}
	a.setCookie(w, r, token)
	http.Redirect(w, r, "/#answer", http.StatusSeeOther)
}
