package web

import (
	"bufio"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/flows"
)

// toMenu takes a script-less visitor to the theme menu.
func (b *browserless) toMenu() {
	b.t.Helper()
	b.get("/")
	b.click("Commencer")
	b.click("J'accepte")
	b.click("Parent")
	b.click("Passer")
}

// onboard takes a script-less visitor to the first question of theme 1.
func (b *browserless) onboard() {
	b.t.Helper()
	b.toMenu()
	b.click("1. Égal accès au numérique — 0/5")
	if !strings.Contains(b.text(), "Question 1/5") {
		b.t.Fatalf("not at the first question:\n%s", b.text())
	}
}

// stage returns where the visitor's stored session stands.
func (b *browserless) session() flows.Session {
	b.t.Helper()
	s, _, err := b.h.db.Session(b.h.participantOf(b.token()))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	for _, path := range []string{"/", "/assets/app.js", "/assets/app.css", "/nulle-part", "/mes_donnees?seq=1"} {
		resp, err := b.client.Get(h.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP allows something unsafe: %q", path, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
	b.onboard()
	for _, bad := range []*regexp.Regexp{regexp.MustCompile(`<script(?: [^>]*)?>[^<]`), regexp.MustCompile(`<script>`), regexp.MustCompile(`\sstyle=`), regexp.MustCompile(`<style`), regexp.MustCompile(`\son[a-z]+=`), regexp.MustCompile(`https?://`)} {
		if bad.MatchString(b.page) {
			t.Errorf("the page has %s: inline code, or something from elsewhere", bad)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.get("/")
	f := b.press("Commencer")
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/send", strings.NewReader(f.values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("start set %d cookies, want exactly one", len(cookies))
	}
	c := cookies[0]
	if c.Name != CookieName || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || len(c.Value) != 43 {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, not Secure over http, a 32-byte token", c)
	}
}

func TestSecureCookieBehindTrustedProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies string
		secure  bool
	}{
		{"trusted proxy says https", "127.0.0.0/8", true},
		{"untrusted peer says https", "10.0.0.0/8", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{TrustedProxies: prefixes(t, tc.proxies)})
			form := url.Values{"command": {"start"}, "id": {"start-0123456789"}}
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/send", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-Proto", "https")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if c := resp.Cookies(); len(c) != 1 || c[0].Secure != tc.secure {
				t.Errorf("cookies %+v, want one with Secure=%v", c, tc.secure)
			}
		})
	}
}

// TestRefusedPostsChangeNothing: a post without the anti-forgery token,
// from another site, too big, or too frequent gets a clear French
// explanation, never a Go error, and nothing is applied.
func TestRefusedPostsChangeNothing(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{MessageRate: 0.001, MessageBurst: 12}})
	b := h.visitor()
	b.onboard()
	before := b.session()
	f := b.press("Envoyer")
	post := func(values url.Values, headers map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/send", strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(body))
	}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vs := range f.values {
			out[key] = vs
		}
		out.Set("text", "Une réponse.")
		out.Set(k, v)
		return out
	}
	cases := []struct {
		name    string
		values  url.Values
		headers map[string]string
		status  int
		want    string
	}{
		{"no anti-forgery token", with("csrf", ""), nil, http.StatusForbidden, textsFR.Expired},
		{"wrong anti-forgery token", with("csrf", "forged"), nil, http.StatusForbidden, textsFR.Expired},
		{"from another site", with("id", "another-site-1"), map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, textsFR.CrossOrigin},
		{"too big", with("text", strings.Repeat("é", maxBody)), nil, http.StatusRequestEntityTooLarge, textsFR.TooBig},
		{"bad event id", with("id", "<x>"), nil, http.StatusBadRequest, textsFR.BadRequest},
		{"unknown command", with("command", "drop_tables"), nil, http.StatusBadRequest, textsFR.BadRequest},
		{"script's post without token", with("csrf", ""), map[string]string{"Accept": "application/json"}, http.StatusForbidden, jsonText(textsFR.Expired)},
	}
	for _, tc := range cases {
		status, body := post(tc.values, tc.headers)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %q, want %d with %q", tc.name, status, shorten(body), tc.status, tc.want)
		}
	}
	if after := b.session(); after.Question != before.Question || len(after.Answers) != 0 {
		t.Errorf("refused posts changed the session: question %q → %q, answers %d", before.Question, after.Question, len(after.Answers))
	}
	// Flood: the bucket (12, of which onboarding used 6) runs out.
	var last int
	var lastBody string
	for i := range 8 {
		v := with("id", "flood-message-"+string(rune('a'+i)))
		v.Set("text", "/aide")
		last, lastBody = post(v, nil)
	}
	if last != http.StatusTooManyRequests || !strings.Contains(lastBody, textsFR.TooMany) {
		t.Errorf("flooding: last post %d %q, want 429 with %q", last, shorten(lastBody), textsFR.TooMany)
	}
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

func shorten(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func TestUnknownAddressesAnswerInPlainWords(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.get("/nulle-part")
	if b.status != http.StatusNotFound || !strings.Contains(b.text(), textsFR.NotFound) || strings.Contains(b.page, "404 page not found") {
		t.Errorf("unknown page: %d\n%s", b.status, b.text())
	}
	b.get("/send")
	if b.status != http.StatusMethodNotAllowed || !strings.Contains(b.text(), textsFR.NotAllowed) {
		t.Errorf("GET /send: %d\n%s", b.status, b.text())
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/nowhere", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b.read(resp)
	if !strings.Contains(b.text(), textsEN.NotFound) || !strings.Contains(b.page, `<html lang="en">`) {
		t.Errorf("English browser, unknown page:\n%s", b.text())
	}
}

// TestOverLongAnswerIsGivenBack: where the prompt allows 4000 characters
// (the académie takes as long a text as an answer), more are refused with
// the count, and given back in the text box.
func TestOverLongAnswerIsGivenBack(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.get("/")
	b.click("Commencer")
	b.click("J'accepte")
	b.click("Parent")
	if !strings.Contains(b.page, `maxlength="4000"`) {
		t.Errorf("the académie box does not show its limit:\n%s", b.page)
	}
	long := strings.Repeat("Bordeaux ", 450)
	b.typeText(long)
	if b.status != http.StatusUnprocessableEntity || !strings.Contains(b.text(), "4049 caractères\u00a0; la limite est de 4000") {
		t.Errorf("over-long answer: %d\n%s", b.status, b.text())
	}
	if !strings.Contains(b.page, `aria-invalid="true">`+long+`</textarea>`) {
		t.Errorf("the text is not given back in the box")
	}
	if s := b.session(); s.Stage != flows.StageAcademie || s.Academie != "" {
		t.Errorf("the over-long answer changed the session: %+v", s)
	}
}

func TestContinuationCode(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	h := newHarness(t, Options{Now: now})
	phone := h.visitor()
	phone.onboard()
	phone.typeText("Réponse tapée sur le téléphone.")
	f := phone.press("Obtenir un code")
	phone.post(f.action, f.values)
	m := regexp.MustCompile(`Votre code\x{a0}: ([A-Z0-9]{4}-[A-Z0-9]{4})`).FindStringSubmatch(phone.text())
	if m == nil {
		t.Fatalf("no code on the page:\n%s", phone.text())
	}
	code := m[1]
	if where := "saisissez-le sous «\u00a0" + textsFR.HaveCode + "\u00a0»."; !strings.Contains(phone.text(), where) {
		t.Errorf("the code's page does not say where to type it (%q):\n%s", where, phone.text())
	}

	laptop := h.visitor()
	laptop.get("/")
	laptop.post("/continuer", url.Values{"code": {strings.ToLower(strings.Replace(code, "-", " ", 1))}})
	if !strings.Contains(laptop.text(), "Réponse tapée sur le téléphone.") || !strings.Contains(laptop.text(), "Question 2/5") {
		t.Fatalf("the laptop does not continue the phone's conversation:\n%s", laptop.text())
	}
	laptop.typeText("Réponse tapée sur l'ordinateur.")
	if got := h.answers(h.participantOf(phone.token())); len(got) != 2 {
		t.Errorf("the phone's participant has %d answers, want 2", len(got))
	}

	other := h.visitor()
	other.post("/continuer", url.Values{"code": {code}})
	if other.status != http.StatusBadRequest || !strings.Contains(other.text(), textsFR.BadCode) || other.token() != "" {
		t.Errorf("second use of a code: %d, cookie %q\n%s", other.status, other.token(), other.text())
	}

	f = phone.press("Obtenir un code")
	phone.post(f.action, f.values)
	code = regexp.MustCompile(`Votre code\x{a0}: ([A-Z0-9]{4}-[A-Z0-9]{4})`).FindStringSubmatch(phone.text())[1]
	offset.Store(int64(25 * time.Hour))
	other.post("/continuer", url.Values{"code": {code}})
	if other.status != http.StatusBadRequest || other.token() != "" {
		t.Errorf("a code after 25 h: %d, cookie %q", other.status, other.token())
	}
}

func TestMyDataDownload(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.onboard()
	b.typeText("Une réponse à retrouver.")
	b.click("Mes données")
	m := regexp.MustCompile(`href="(/mes_donnees\?seq=\d+)"`).FindStringSubmatch(b.page)
	if m == nil {
		t.Fatalf("no download link:\n%s", b.text())
	}
	resp, err := b.client.Get(h.srv.URL + m[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
		!strings.Contains(resp.Header.Get("Content-Type"), "json") || !strings.Contains(string(body), "Une réponse à retrouver.") {
		t.Errorf("download: %d %v\n%s", resp.StatusCode, resp.Header, shorten(string(body)))
	}
	other := h.visitor()
	other.onboard()
	other.get(m[1])
	if other.status != http.StatusNotFound || strings.Contains(other.page, "Une réponse à retrouver.") {
		t.Errorf("someone else's download: %d", other.status)
	}
}

func TestConversationLanguageDrivesThePage(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.onboard()
	b.click("English")
	if !strings.Contains(b.page, `<html lang="en">`) || !strings.Contains(b.text(), textsEN.YourAnswer) || !strings.Contains(b.text(), "Question 1/5") {
		t.Errorf("after switching to English:\n%s", b.text())
	}
}

// sse reads server-sent events from the visitor's stream.
type sse struct {
	t      testing.TB
	resp   *http.Response
	events chan sseEvent
}

type sseEvent struct{ id, name, data string }

func (b *browserless) stream(query string, lastEventID string) *sse {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.h.srv.URL+"/events?"+query, nil)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	client := &http.Client{Jar: b.client.Jar}
	resp, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	s := &sse{t: b.t, resp: resp, events: make(chan sseEvent, 64)}
	go func() {
		defer close(s.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return s
}

// next returns the next event, failing after a while.
func (s *sse) next() sseEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatal("the event stream ended")
		}
		return ev
	case <-time.After(20 * time.Second):
		s.t.Fatal("no event within 20 s")
	}
	return sseEvent{}
}

func (s *sse) reply() (uint64, replyEvent) {
	s.t.Helper()
	for {
		ev := s.next()
		if ev.name != "reply" {
			continue
		}
		var r replyEvent
		if err := json.Unmarshal([]byte(ev.data), &r); err != nil {
			s.t.Fatal(err)
		}
		return r.Seq, r
	}
}

// TestEventsResumeFromLastEventID: a reconnecting stream gets exactly the
// replies after the last one the page saw; one from an earlier process,
// or from before what memory keeps, is told of the gap and gets the
// current prompt again.
func TestEventsResumeFromLastEventID(t *testing.T) {
	h := newHarness(t, Options{History: 4})
	b := h.visitor()
	b.onboard()
	epoch := h.web.epoch
	vw := h.web.hub.view(h.participantOf(b.token()), 0)
	if len(vw.entries) != 4 {
		t.Fatalf("memory keeps %d replies, want History=4", len(vw.entries))
	}
	secondLast := vw.entries[2].Seq

	s := b.stream("epoch="+epoch+"&after=1", itoa(secondLast))
	if ev := s.next(); ev.name != "epoch" || ev.data != epoch {
		t.Fatalf("first event %+v, want the epoch", ev)
	}
	seq, r := s.reply()
	if seq != vw.entries[3].Seq || !strings.Contains(r.HTML, "Question 1/5") || !strings.Contains(r.Answer, `id="text"`) {
		t.Errorf("resumed with %d %q, want only the last reply, the question, with its answer area", seq, shorten(r.HTML))
	}

	gap := func(name, query, last string) {
		t.Helper()
		s := b.stream(query, last)
		s.next() // epoch
		if ev := s.next(); ev.name != "gap" {
			t.Errorf("%s: got %q, want a gap event", name, ev.name)
		}
		for {
			_, r := s.reply()
			if strings.Contains(r.HTML, "Question 1/5") && r.Answer != "" {
				return
			}
		}
	}
	gap("an earlier process", "epoch=earlier&after=1", itoa(vw.last))
	gap("dropped from memory", "epoch="+epoch, itoa(vw.floor-1))
	if got := h.answers(h.participantOf(b.token())); len(got) != 0 {
		t.Errorf("resuming stored answers: %+v", got)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func prefixes(t *testing.T, list ...string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestEnglishCarriesThroughWelcomeAndErasure: English chosen at the
// consent brings the welcome in English; after erasing everything, the
// page to start again and the new welcome are in English too, whatever
// the browser's languages.
func TestEnglishCarriesThroughWelcomeAndErasure(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.get("/")
	b.click("Commencer")
	b.click("English")
	if !strings.Contains(b.page, `<html lang="en">`) || !strings.Contains(b.text(), "Welcome!") || !strings.Contains(b.text(), "This bot collects your views") {
		t.Fatalf("after English at the consent, no welcome in English:\n%s", b.text())
	}
	b.click("I agree")
	b.click("Parent")
	b.click("Skip")
	b.click(textsEN.Buttons["erase"])
	b.click("Yes, erase everything")
	if b.token() != "" || !strings.Contains(b.page, `<html lang="en">`) || !strings.Contains(b.text(), textsEN.Erased) {
		t.Fatalf("after erasure, the page is not in English:\n%s", b.text())
	}
	b.click(textsEN.Start)
	if !strings.Contains(b.text(), "Welcome!") || !strings.Contains(b.text(), "Before we start, your consent") || strings.Contains(b.text(), "Bienvenue") {
		t.Errorf("starting again after erasure, not welcomed in English:\n%s", b.text())
	}
	if s := b.session(); s.Lang != flows.LangEN {
		t.Errorf("the new conversation speaks %q", s.Lang)
	}
}

// TestHintsFitThePrompt: the hint beside the input says what fits there:
// before the menu, no « menu » (it is not taken yet); at the académie, a
// town or a postcode rather than an answer's length; at a question, the
// length; at the menu, « menu » again.
func TestHintsFitThePrompt(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.visitor()
	b.get("/")
	b.click("Commencer")
	menuHint := strings.ReplaceAll(textsFR.TypeHint, "\u00a0", " ")
	page := func() string { return strings.ReplaceAll(b.text(), "\u00a0", " ") }
	if !strings.Contains(page(), "Vous pouvez aussi écrire le numéro ou le nom d'une réponse, ou « aide ».") || strings.Contains(page(), menuHint) {
		t.Errorf("at the consent, the hint:\n%s", page())
	}
	b.click("J'accepte")
	if strings.Contains(page(), menuHint) {
		t.Errorf("at the profile, the hint names « menu »:\n%s", page())
	}
	b.click("Parent")
	if !strings.Contains(page(), "Écrivez une commune, un code postal ou un département.") || strings.Contains(page(), "caractères au plus") {
		t.Errorf("at the académie, the hint:\n%s", page())
	}
	b.click("Passer")
	if !strings.Contains(page(), menuHint) {
		t.Errorf("at the menu, the hint lacks « menu »:\n%s", page())
	}
	b.click("1. Égal accès au numérique — 0/5")
	if !strings.Contains(page(), "caractères au plus.") {
		t.Errorf("at a question, the hint lacks the length:\n%s", page())
	}
}
