package secret

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A token pasted with a trailing carriage return, and one with characters
// that net/http escapes in a URL.
const (
	tokenCR      = "123456:SECRET-cr-token-9f3a\r"
	tokenEscaped = "123456:SECRET été/token+1"
)

func TestRedactorRemovesEveryFormOfTheToken(t *testing.T) {
	r := NewRedactor(tokenCR, tokenEscaped)
	_, parseErr := url.Parse("https://api.telegram.org/bot" + tokenCR + "/getMe")
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/bot"+tokenEscaped+"/getMe", nil)
	_, dialErr := http.DefaultClient.Do(req) // nothing listens on port 1
	for name, text := range map[string]string{
		"raw":               "token " + tokenCR + " and " + tokenEscaped,
		"url.Parse (%q)":    parseErr.Error(),
		"net/http url":      dialErr.Error(),
		"PathEscape":        url.PathEscape(tokenEscaped) + " " + url.PathEscape(tokenCR),
		"QueryEscape":       "a?t=" + url.QueryEscape(tokenEscaped) + "&c=" + url.QueryEscape(tokenCR),
		"%q":                fmt.Sprintf("%q %q", tokenCR, tokenEscaped),
		"strconv.Quote":     strconv.Quote(tokenCR) + strconv.Quote(tokenEscaped),
		"%+q (ASCII)":       fmt.Sprintf("%+q %+q", tokenCR, tokenEscaped),
		"quoted inside URL": fmt.Sprintf("%q", "https://x/bot"+tokenEscaped+"/m"),
	} {
		got := r.String(text)
		for _, leak := range []string{"SECRET-cr-token", "SECRET été", "SECRET%20", "SECRET+%C3", "SECRET \\u00e9", "SECRET \\xc3"} {
			if strings.Contains(got, leak) {
				t.Errorf("%s: %q still holds the token (%q)", name, got, leak)
			}
		}
		if !strings.Contains(got, Placeholder) {
			t.Errorf("%s: %q: nothing replaced (the test text holds no token?)", name, got)
		}
	}
}

func TestRedactorLeavesOtherTextAndShortValues(t *testing.T) {
	r := NewRedactor("", "x", "1:x")
	if got := r.String("exit 1:x"); got != "exit 1:x" {
		t.Errorf("short values redacted: %q", got)
	}
	var nilR *Redactor
	if got := nilR.String("abc"); got != "abc" {
		t.Errorf("nil redactor changed text: %q", got)
	}
	plain := errors.New("connection refused")
	if got := NewRedactor(tokenCR).Error(plain); got != plain {
		t.Errorf("an error without secret was wrapped: %v", got)
	}
}

func TestRedactedErrorKeepsItsCause(t *testing.T) {
	cause := errors.New("boom")
	err := NewRedactor(tokenCR).Error(fmt.Errorf("get %q: %w", tokenCR, cause))
	if strings.Contains(err.Error(), "SECRET") || !errors.Is(err, cause) {
		t.Errorf("Error() = %q, errors.Is(cause) = %v", err, errors.Is(err, cause))
	}
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

func TestHandlerRedactsMessagesAndAttributes(t *testing.T) {
	var buf bytes.Buffer
	r := NewRedactor(tokenCR, tokenEscaped)
	log := slog.New(r.Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	_, parseErr := url.Parse("https://api.telegram.org/bot" + tokenCR + "/getMe")
	log = log.With("token", tokenEscaped).WithGroup("g")
	log.Debug("connect to "+tokenCR, "err", parseErr, "url", url.PathEscape(tokenEscaped),
		"any", stringer{tokenEscaped}, "list", []string{tokenCR}, slog.Group("inner", "t", tokenCR), "n", 3)
	out := buf.String()
	if strings.Contains(out, "SECRET") {
		t.Errorf("log line holds the token:\n%s", out)
	}
	if strings.Count(out, Placeholder) < 7 || !strings.Contains(out, "g.n=3") {
		t.Errorf("log line:\n%s", out)
	}
}
