package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"consultbot/flows"
	"consultbot/internal/logbuf"
	"consultbot/storage"
)

// TestRunServesTheWebPageWithoutTokens: with no Telegram or Discord token
// and no id key, run serves the chat page on loopback, prints its address,
// warns that the key lasts one run, and a visitor can start; the start is
// on disk after shutdown.
func TestRunServesTheWebPageWithoutTokens(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("consultbot.toml", []byte("[storage]\npath = \"run.db\"\n[web]\nlisten = \"127.0.0.1:0\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout logbuf.Buffer
	m, stderr := newTestMain(t, nil, &stdout)
	m.Getenv = fakeEnv(map[string]string{"CONSULTBOT_ID_KEY": ""})
	if err := m.ParseFlags(context.Background(), []string{"run"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	addr := regexp.MustCompile(`conversation web sur (http://127\.0\.0\.1:\d+/) \(ouvrez-la dans un navigateur\)`)
	var page string
	deadline := time.Now().Add(30 * time.Second)
	for page == "" && time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(stdout.String()); m != nil {
			page = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if page == "" {
		t.Fatalf("run printed no address: %q", stdout.String())
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Commencer") {
		t.Fatalf("landing page: %d\n%s", resp.StatusCode, body)
	}
	form := url.Values{"command": {"start"}, "id": {"start-from-the-test"}}
	resp, err = client.PostForm(page+"send", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "J&#39;accepte") {
		t.Fatalf("after Commencer: %d\n%s", resp.StatusCode, body)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !strings.Contains(stderr.String(), "CONSULTBOT_ID_KEY is not set") {
		t.Errorf("no warning about the key lasting one run:\n%s", stderr)
	}
	// A clean stop warns of nothing: the listener run closes is no fault.
	if strings.Contains(stderr.String(), "web shutdown") {
		t.Errorf("a clean stop logged a warning:\n%s", stderr)
	}
	db, err := storage.Open(filepath.Join(dir, "run.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	err = db.ForEachSession(context.Background(), func(s flows.Session) error {
		if strings.HasPrefix(s.Participant, "web:") && s.Stage == flows.StageConsent {
			n++
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Errorf("web sessions waiting for consent on disk: %d (%v), want 1", n, err)
	}
}

// TestWebConfig: the [web] settings are checked with the others, and a
// page open beyond this machine needs a lasting id key.
func TestWebConfig(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, "[web]\nenabled = true\nlisten = \"8080\"\ntrusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\", \"proxy\"]\n"), fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, want := range []string{`web.listen: "8080" is not host:port`, `web.trusted_proxies: "proxy"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %s", err, want)
		}
	}

	t.Chdir(t.TempDir())
	m, _ := newTestMain(t, nil, io.Discard)
	m.Getenv = fakeEnv(map[string]string{"CONSULTBOT_ID_KEY": ""})
	if err := m.ParseFlags(context.Background(), []string{"-config", writeConfig(t, "[storage]\npath = \"x.db\"\n[web]\nlisten = \"0.0.0.0:0\"\n"), "run"}); err != nil {
		t.Fatal(err)
	}
	err = m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "CONSULTBOT_ID_KEY") {
		t.Errorf("a public page without an id key: run returned %v, want a refusal naming CONSULTBOT_ID_KEY", err)
	}
}
