package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/voice"
)

var _ voice.Source = (*Adapter)(nil)

// OpenVoice fetches the audio of a voice note: getFile gives its path,
// then the file is downloaded from .../file/bot<token>/<path>. Its errors
// never hold the token, which is in that URL, and read as the delivery
// policy reads a send's (see classify): a refusal for good, a wait asked
// for, or a failure that may pass.
func (a *Adapter) OpenVoice(ctx context.Context, ref voice.Ref) (io.ReadCloser, error) {
	resp, err := a.rawRequest(ctx, "getFile", tgbotapi.Params{"file_id": ref.FileID})
	if err != nil {
		return nil, classify(err, false)
	}
	var f tgbotapi.File
	if err := json.Unmarshal(resp.Result, &f); err != nil {
		return nil, fmt.Errorf("telegram getFile: %w", err)
	}
	switch {
	case f.FilePath == "":
		return nil, &sendError{err: errors.New("telegram getFile: no file path in the answer"), permanent: true}
	case strings.HasPrefix(f.FilePath, "/"):
		// A self-hosted Bot API server in local mode gives the path on
		// its own disk, which this process may not see.
		return nil, &sendError{err: errors.New("telegram getFile: the Bot API server keeps files on its own disk (local mode)"), permanent: true}
	}
	u := fmt.Sprintf(a.fileEndpoint(), a.opts.Token, escapePath(f.FilePath))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, a.clean(fmt.Errorf("telegram file: %w", err))
	}
	dl, err := a.client.Do(req)
	if err != nil {
		return nil, a.clean(fmt.Errorf("telegram file: %w", err))
	}
	if dl.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(dl.Body, maxErrorBody))
		dl.Body.Close()
		return nil, downloadError(dl, excerpt(body, a.opts.Token))
	}
	return dl.Body, nil
}

// downloadError reads a failed download's status: 429 asks to wait, 5xx
// and 401/408 may pass, any other 4xx is for good.
func downloadError(resp *http.Response, excerpt string) error {
	e := &sendError{err: fmt.Errorf("telegram file: http %d: %s", resp.StatusCode, excerpt)}
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		e.after = time.Duration(max(secs, 1)) * time.Second
	case c >= 400 && c < 500 && c != http.StatusUnauthorized && c != http.StatusRequestTimeout:
		e.permanent = true
	}
	return e
}

// fileEndpoint is the download URL's format string (token, path), on the
// same server as the API: api.telegram.org, a self-hosted server or a
// test fake.
func (a *Adapter) fileEndpoint() string {
	ep := a.opts.APIEndpoint
	switch {
	case ep == "":
		return tgbotapi.FileEndpoint
	case strings.Contains(ep, "/bot%s/%s"):
		return strings.Replace(ep, "/bot%s/%s", "/file/bot%s/%s", 1)
	case strings.Contains(ep, "%s"):
		return tgbotapi.FileEndpoint
	}
	return strings.TrimRight(ep, "/") + "/file/bot%s/%s"
}

// escapePath escapes each segment of a file path for a URL.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
