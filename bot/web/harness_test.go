package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

var testKey = []byte("web-test-participant-id-key-0123456789")

// harness runs the web channel over a real engine and a real bbolt file,
// served on loopback.
type harness struct {
	t    testing.TB
	db   *storage.DB
	eng  *bot.Engine
	web  *Adapter
	srv  *httptest.Server
	opts Options
	// current serves the requests: restart replaces it.
	current atomic.Pointer[Adapter]
}

// restart stands for a restart of the program on the same database: the
// engine stops, open connections drop, a new engine and a new web channel
// (empty memory) take over the same address.
func (h *harness) restart() {
	h.t.Helper()
	h.srv.CloseClientConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.eng.Close(ctx); err != nil {
		h.t.Fatal(err)
	}
	h.eng = bot.New(h.db, flows.NewMachine(nil, flows.Config{}), nil)
	a, err := New(h.eng, h.db, h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.eng.AddSender(bot.ChannelWeb, a)
	if err := h.eng.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.web = a
	h.current.Store(a)
	h.srv.CloseClientConnections()
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "web.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := bot.New(db, flows.NewMachine(nil, flows.Config{}), nil)
	if opts.IDKey == nil {
		opts.IDKey = testKey
	}
	a, err := New(eng, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	eng.AddSender(bot.ChannelWeb, a)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: db, eng: eng, web: a, opts: opts}
	h.current.Store(a)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("WEB_DEBUG") != "" {
			t.Logf("%s %s %s", time.Now().Format("15:04:05.000"), r.Method, r.URL)
		}
		h.current.Load().ServeHTTP(w, r)
	}))
	h.srv = srv
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.eng.Close(ctx); err != nil {
			t.Errorf("close engine: %v", err)
		}
		if err := db.Check(); err != nil {
			t.Errorf("bbolt check: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close db: %v", err)
		}
	})
	return h
}

// participantOf returns the participant id of a session cookie value.
func (h *harness) participantOf(token string) string {
	return bot.ParticipantID(bot.ChannelWeb, token, testKey)
}

// answers returns the participant's stored answers by question id.
func (h *harness) answers(participant string) map[string]flows.Answer {
	h.t.Helper()
	s, ok, err := h.db.Session(participant)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]flows.Answer{}
	if !ok {
		return out
	}
	for _, a := range s.Answers {
		out[a.Question] = a
	}
	return out
}

// browserless is a visitor with no script: plain GETs and form posts,
// redirects followed, cookies kept.
type browserless struct {
	t      testing.TB
	h      *harness
	client *http.Client
	page   string // the last page's HTML
	status int
}

func (h *harness) visitor() *browserless {
	jar, _ := cookiejar.New(nil)
	return &browserless{t: h.t, h: h, client: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

func (b *browserless) get(path string) {
	b.t.Helper()
	resp, err := b.client.Get(b.h.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	b.read(resp)
}

func (b *browserless) read(resp *http.Response) {
	b.t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	b.page, b.status = string(body), resp.StatusCode
}

// post sends a form as the browser does, from the page's own origin.
func (b *browserless) post(path string, form url.Values) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.h.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	b.read(resp)
}

// token returns the session cookie's value, "" without one.
func (b *browserless) token() string {
	u, _ := url.Parse(b.h.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == CookieName {
			return c.Value
		}
	}
	return ""
}

var (
	formRE   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	buttonRE = regexp.MustCompile(`(?s)<button type="submit"(?: name="([^"]+)" value="([^"]*)")?[^>]*>(.*?)</button>`)
	tagRE    = regexp.MustCompile(`<[^>]+>`)
)

// form is one form of the page, with the submit button chosen.
type form struct {
	action string
	values url.Values
}

// press finds the button labelled label on the page and returns the form
// it submits, as the browser would send it.
func (b *browserless) press(label string) form {
	b.t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(b.page, -1) {
		for _, btn := range buttonRE.FindAllStringSubmatch(m[2], -1) {
			if html.UnescapeString(strings.TrimSpace(btn[3])) != label {
				continue
			}
			f := form{action: m[1], values: url.Values{}}
			for _, in := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
				f.values.Set(in[1], html.UnescapeString(in[2]))
			}
			if btn[1] != "" {
				f.values.Set(btn[1], html.UnescapeString(btn[2]))
			}
			return f
		}
	}
	b.t.Fatalf("no button %q on the page:\n%s", label, b.text())
	return form{}
}

// click presses a button and posts its form.
func (b *browserless) click(label string) {
	b.t.Helper()
	f := b.press(label)
	b.post(f.action, f.values)
}

// typeText fills the text box and sends it.
func (b *browserless) typeText(text string) form {
	b.t.Helper()
	label := textsFR.Send
	if strings.Contains(b.page, `<html lang="en">`) {
		label = textsEN.Send
	}
	f := b.press(label)
	f.values.Set("text", text)
	b.post(f.action, f.values)
	return f
}

// text is the page's visible text, tags removed, for assertions and
// failure messages.
func (b *browserless) text() string {
	return html.UnescapeString(tagRE.ReplaceAllString(b.page, ""))
}

// buttons lists the labels of the answer area's option buttons.
func (b *browserless) buttons() []string {
	var out []string
	for _, m := range formRE.FindAllStringSubmatch(b.page, -1) {
		if !strings.Contains(m[0], `class="choices"`) {
			continue
		}
		for _, btn := range buttonRE.FindAllStringSubmatch(m[2], -1) {
			out = append(out, html.UnescapeString(strings.TrimSpace(btn[3])))
		}
	}
	return out
}
