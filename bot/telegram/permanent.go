package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
)

// sendError is a failed sending request as the engine's delivery policy
// reads it (see bot.Sender): a wait Telegram asked for, a refusal for
// good, or else a transient failure; and whether it was a file's upload.
type sendError struct {
	err       error
	after     time.Duration
	permanent bool
	file      bool
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// RetryAfter is how long Telegram asked to wait (429), else zero.
func (e *sendError) RetryAfter() time.Duration { return e.after }

// Permanent reports a refusal no retry will change.
func (e *sendError) Permanent() bool { return e.permanent }

// Attachment reports that the request uploaded a file or a picture.
func (e *sendError) Attachment() bool { return e.file }

// classify reads a request's error: 429 asks to wait; every other 4xx
// answer to a send is about this message or this chat and will not change
// (400 "chat not found", "chat_id is empty", "message is too long", 403
// "bot was blocked by the user"), except 401 and 404, which say the bot's
// token or endpoint is wrong, not the message; everything else (5xx, a
// body that is not JSON, a dropped connection, a timeout) may pass.
func classify(err error, file bool) error {
	se := &sendError{err: err, file: file}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		switch c := te.Code; {
		case c == http.StatusTooManyRequests:
			se.after = time.Duration(max(te.RetryAfter, 1)) * time.Second
		case c >= 400 && c < 500 && c != http.StatusUnauthorized && c != http.StatusNotFound:
			se.permanent = true
		}
	}
	return se
}

// httpError is an answer of the Bot API with a status other than 2xx, read
// by the adapter's HTTP client itself: tgbotapi keeps no status, loses the
// error code of uploads, and reports nothing useful for a body that is not
// JSON (the HTML 502 of a proxy). It unwraps to the *tgbotapi.Error that
// tgbotapi would have built, with the status as its code when the body
// has none.
type httpError struct {
	method  string
	status  int
	excerpt string // the start of a body that is not JSON
	te      *tgbotapi.Error
}

func (e *httpError) Error() string {
	if e.excerpt != "" {
		return fmt.Sprintf("telegram %s: http %d: %s", e.method, e.status, e.excerpt)
	}
	return fmt.Sprintf("telegram %s: http %d: %s", e.method, e.status, e.te.Message)
}

func (e *httpError) Unwrap() error {
	if e.te == nil {
		return nil // a 2xx answer that is not JSON
	}
	return e.te
}

// Status is the HTTP status of the answer.
func (e *httpError) Status() int { return e.status }

// Bounds on how much of an answer is read: an error's, and a success's
// (a getUpdates batch of a hundred long messages stays far below).
const (
	maxErrorBody  = 64 << 10
	maxAnswerBody = 32 << 20
)

// readAnswer reads a 2xx answer whole and checks it is JSON, so that a
// truncated or garbled answer fails with the method, the status and a
// piece of it, rather than tgbotapi's bare "unexpected EOF".
func readAnswer(r *http.Request, resp *http.Response, token string) (*http.Response, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBody))
	resp.Body.Close()
	method := path.Base(r.URL.Path)
	if err != nil {
		return nil, fmt.Errorf("telegram %s: read the answer: %w", method, err)
	}
	if !json.Valid(body) {
		return nil, &httpError{method: method, status: resp.StatusCode, excerpt: "answer is not JSON: " + excerpt(body, token)}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// readError turns a non-2xx answer into an httpError; token is removed
// from the excerpt of a body that is not JSON (a proxy page may quote the
// URL, which holds it).
func readError(r *http.Request, resp *http.Response, token string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	e := &httpError{method: path.Base(r.URL.Path), status: resp.StatusCode}
	var api tgbotapi.APIResponse
	if json.Unmarshal(body, &api) == nil && (api.ErrorCode != 0 || api.Description != "") {
		code := api.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		e.te = &tgbotapi.Error{Code: code, Message: api.Description}
		if api.Parameters != nil {
			e.te.ResponseParameters = *api.Parameters
		}
		return e
	}
	e.excerpt = excerpt(body, token)
	e.te = &tgbotapi.Error{Code: resp.StatusCode, Message: e.excerpt}
	return e
}

// excerpt is bot.Excerpt of body, without token.
func excerpt(body []byte, token string) string {
	if token != "" {
		body = bytes.ReplaceAll(body, []byte(token), []byte("<token>"))
	}
	return bot.Excerpt(body)
}
