package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// needBrowser skips a test when Chromium is missing, except in CI (CI
// set), where the browser tests must run.
func needBrowser(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: .ci/run installs it (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("browser tests skipped: no Chromium at %s (apt-get install chromium; CI runs them)", chromiumPath)
	}
}

// page is one browser tab on the harness's server, with a fresh profile
// (no cookie), and what the page's console reported.
type page struct {
	t   testing.TB
	h   *harness
	ctx context.Context

	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions
	expected []string // what a test causes on purpose
}

// expectConsole lets console entries containing s through: a test that
// drops connections on purpose.
func (p *page) expectConsole(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected = append(p.expected, s)
}

// openBrowser starts headless Chromium for one test and opens a tab of
// width×height.
func (h *harness) openBrowser(width, height int) *page {
	t := h.t
	t.Helper()
	needBrowser(t)
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Flag("accept-lang", "fr-FR,fr"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	ctx, cancelTime := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancelTime)
	p := &page{t: t, h: h, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	go p.watchConsole()
	return p
}

// watchConsole records console errors and warnings (a CSP violation, a
// failed request) and uncaught exceptions: any fails the test.
func (p *page) watchConsole() {
	errs := chromedp.Events(p.ctx, runtime.ExceptionThrown)
	entries := chromedp.Events(p.ctx, cdplog.EntryAdded)
	calls := chromedp.Events(p.ctx, runtime.ConsoleAPICalled)
	note := func(s string) {
		p.mu.Lock()
		p.problems = append(p.problems, s)
		p.mu.Unlock()
	}
	go func() {
		for ev, err := range errs {
			if err != nil {
				return
			}
			note("exception: " + ev.ExceptionDetails.Text)
		}
	}()
	go func() {
		for ev, err := range calls {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				note("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		}
	}()
	for ev, err := range entries {
		if err != nil {
			return
		}
		if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
			note(fmt.Sprintf("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// checkConsole fails the test on any console error seen so far.
func (p *page) checkConsole() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.problems {
		if !slices.ContainsFunc(p.expected, func(s string) bool { return strings.Contains(pr, s) }) {
			p.t.Errorf("browser console: %s", pr)
		}
	}
	p.problems = nil
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.h.srv.URL + path))
}

// eval runs JavaScript in the page and decodes its result.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor waits until the JavaScript condition holds, across the page
// loads a form post causes.
func (p *page) waitFor(what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if p.ctx.Err() != nil {
			break
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("waiting for %s: not after 30s (%v)\npage text:\n%s", what, last, p.text())
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// text is what the page shows.
func (p *page) text() string {
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

// waitLog waits until the conversation shows s.
func (p *page) waitLog(s string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%q in the conversation", s), `(document.getElementById('log')||document.body).innerText.includes(`+jsString(s)+`)`)
}

// button is the XPath of a button labelled label.
func button(label string) string {
	return `//button[normalize-space()=` + jsString(label) + `]`
}

// consent opens the page, starts the conversation and accepts: the
// profile question shows.
func (p *page) consent() {
	p.t.Helper()
	p.open("/")
	p.tap("Commencer")
	p.waitLog("Avant de commencer")
	p.tap("J'accepte")
	p.waitLog("Vous répondez en tant que")
}

// tap clicks the button labelled label.
func (p *page) tap(label string) {
	p.t.Helper()
	p.do(chromedp.Click(button(label), chromedp.NodeVisible))
}

// answer types text in the text box and sends it.
func (p *page) answer(text string) {
	p.t.Helper()
	p.do(
		chromedp.SendKeys(chromedp.CSS("#text"), text, chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS("form.message button[type=submit]"), chromedp.NodeVisible),
	)
}

// focused describes the element that has the focus.
func (p *page) focused() string {
	return eval[string](p, `(function(){var e=document.activeElement;return e?(e.id?'#'+e.id:e.tagName.toLowerCase()+':'+e.textContent.trim()):''})()`)
}

// screenshot saves what the screen shows as a PNG under the test's artefacts
// directory (WEB_ARTEFACTS, or a temporary one) and returns its path.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("WEB_ARTEFACTS")
	if dir == "" {
		dir = p.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
	return path
}

// axeSource returns axe-core's script, installed with npm into a cache
// directory the first time.
func axeSource(t testing.TB) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "consultbot-axe")
	path := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(path); err != nil {
		npm, lerr := exec.LookPath("npm")
		if lerr != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI is set but npm is missing: axe-core cannot be installed")
			}
			t.Skip("accessibility check skipped: npm is missing to install axe-core")
		}
		out, err := exec.Command(npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "axe-core@4").CombinedOutput()
		if err != nil {
			t.Fatalf("npm install axe-core: %v\n%s", err, out)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core (WCAG 2.0, 2.1 A and AA, and best
// practices) on the page and fails on any violation.
func (p *page) checkAccessibility(state string) {
	p.t.Helper()
	src := axeSource(p.t)
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](src+";true")); err != nil {
		p.t.Fatalf("inject axe-core: %v", err)
	}
	raw := eval[string](p, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}).then(r => JSON.stringify(r.violations))`)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		p.t.Fatalf("axe result: %v", err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		p.t.Errorf("axe-core, %s: %s (%s) at %s", state, v.ID, v.Help, strings.Join(where, ", "))
	}
}

// cookie returns the session cookie's value in the browser, "" without.
func (p *page) cookie() string {
	p.t.Helper()
	cookies, err := chromedp.Run(p.ctx, func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{})
		if err != nil {
			return nil, err
		}
		return res.Cookies, nil
	})
	if err != nil {
		p.t.Fatalf("cookies: %v", err)
	}
	for _, c := range cookies {
		if c.Name == CookieName {
			return c.Value
		}
	}
	return ""
}
