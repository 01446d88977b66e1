package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
)

// apiPrefix is the REST root discordgo builds every endpoint from (its
// endpoint variables are computed once, so they are left alone and the
// transport moves requests instead).
const apiPrefix = "https://discord.com/api/v"

// transport sends requests for Discord's API to base instead.
type transport struct {
	base *url.URL // nil: no rewriting
	next http.RoundTripper
}

func newTransport(base string) http.RoundTripper {
	next := http.DefaultTransport
	if base == "" {
		return next
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil {
		return next // Validate has refused it already
	}
	return &transport{base: u, next: next}
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	full := r.URL.String()
	if !strings.HasPrefix(full, apiPrefix) {
		return t.next.RoundTrip(r)
	}
	// Drop "https://discord.com/api/v9"; keep the path after the version.
	rest := strings.TrimPrefix(full, apiPrefix)
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	u, err := url.Parse(t.base.String() + rest)
	if err != nil {
		return nil, fmt.Errorf("rewrite discord url: %w", err)
	}
	r2 := r.Clone(r.Context())
	r2.URL = u
	r2.Host = u.Host
	return t.next.RoundTrip(r2)
}

// restError is a REST failure with what the caller decides on, and with
// no URL, since interaction and webhook URLs carry tokens.
type restError struct {
	status     int
	code       int
	message    string // Discord's message, or the start of a body that is not JSON
	retryAfter time.Duration
	permanent  bool // refused for good whatever the status (a malformed address)
	err        error
}

func (e *restError) Error() string {
	switch {
	case e.retryAfter > 0:
		return fmt.Sprintf("discord rate limit, retry after %v", e.retryAfter)
	case e.status != 0:
		return fmt.Sprintf("discord http %d (code %d): %s", e.status, e.code, e.message)
	default:
		return e.err.Error()
	}
}

func (e *restError) Unwrap() error { return e.err }

// RetryAfter tells the engine how long Discord asked to wait.
func (e *restError) RetryAfter() time.Duration { return e.retryAfter }

// Status is the HTTP status of Discord's answer, 0 without one.
func (e *restError) Status() int { return e.status }

// Permanent reports a refusal that no retry will change: the person does
// not accept direct messages from the bot (50007) or is unknown, the
// channel is gone (10003), the interaction unknown (10062), the message
// malformed or too long (400, 50035), access missing (403). The engine
// then degrades the reply or gives it up. A 401 says the bot's token is
// wrong, not the message, and 429 and 5xx may pass.
func (e *restError) Permanent() bool {
	switch e.code {
	case codeCannotMessageUser, codeUnknownChannel, codeUnknownUser, codeUnknownInteraction:
		return true
	}
	switch e.status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusRequestEntityTooLarge:
		return true
	}
	return e.permanent
}

// Discord JSON error codes the adapter acts on.
const (
	codeUnknownChannel     = 10003
	codeUnknownUser        = 10013
	codeCannotMessageUser  = 50007
	codeUnknownWebhook     = 10015
	codeUnknownMessage     = 10008
	codeUnknownInteraction = 10062
	codeAlreadyAcked       = 40060
	codeInvalidWebhookTok  = 50027
)

// sanitize turns a discordgo or net/http error into one without URLs.
func sanitize(err error) error {
	if err == nil {
		return nil
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.TooManyRequests != nil {
		ra := rl.RetryAfter
		if ra <= 0 {
			ra = time.Second
		}
		return &restError{retryAfter: ra, err: errors.New("rate limited")}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		e := &restError{err: errors.New("discord rest error")}
		if re.Response != nil {
			e.status = re.Response.StatusCode
		}
		if re.Message != nil && (re.Message.Code != 0 || re.Message.Message != "") {
			e.code = re.Message.Code
			e.message = re.Message.Message
		} else {
			// Not Discord's JSON (a proxy's page): the body never holds
			// the token, which goes in a header.
			e.message = bot.Excerpt(re.ResponseBody)
		}
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &restError{err: fmt.Errorf("discord %s: %w", strings.ToLower(ue.Op), ue.Err)}
	}
	return err
}

// codeOf returns the Discord error code of a sanitised error, or 0.
func codeOf(err error) int {
	var e *restError
	if errors.As(err, &e) {
		return e.code
	}
	return 0
}

// SDKLogWarning is discordgo's warning level: RouteSDKLogs with it keeps
// errors and warnings (gateway disconnects, reconnects, failed resumes).
const SDKLogWarning = discordgo.LogWarning

// RouteSDKLogs sends discordgo's own log lines to logger, at or above
// level (discordgo.LogError 0 … LogDebug 3), until the returned function
// is called. discordgo keeps its logger in a package variable: it is set
// once to a router that hands each line to every logger routed at that
// moment, so that two runs in one process whose lives overlap (a stopping
// one and the next, in tests) never take each other's routing away.
func RouteSDKLogs(logger *slog.Logger, level int) (restore func()) {
	sdkRoutes.mu.Lock()
	defer sdkRoutes.mu.Unlock()
	if sdkRoutes.to == nil {
		sdkRoutes.to = map[int]sdkRoute{}
		discordgo.Logger = routeSDKLine
	}
	sdkRoutes.next++
	id := sdkRoutes.next
	sdkRoutes.to[id] = sdkRoute{logger: logger, level: level}
	return func() {
		sdkRoutes.mu.Lock()
		defer sdkRoutes.mu.Unlock()
		delete(sdkRoutes.to, id)
	}
}

// sdkRoutes are the loggers discordgo's lines go to.
var sdkRoutes struct {
	mu   sync.Mutex
	to   map[int]sdkRoute
	next int
}

type sdkRoute struct {
	logger *slog.Logger
	level  int
}

// routeSDKLine is discordgo's logger: one of its lines, to every route
// that takes its level.
func routeSDKLine(msgL, _ int, format string, a ...any) {
	if interactionDecodeError(msgL, format, a) {
		return
	}
	sdkRoutes.mu.Lock()
	routes := make([]sdkRoute, 0, len(sdkRoutes.to))
	for _, r := range sdkRoutes.to {
		if msgL <= r.level {
			routes = append(routes, r)
		}
	}
	sdkRoutes.mu.Unlock()
	if len(routes) == 0 {
		return
	}
	lvl := slog.LevelDebug
	switch msgL {
	case discordgo.LogError:
		lvl = slog.LevelError
	case discordgo.LogWarning:
		lvl = slog.LevelWarn
	case discordgo.LogInformational:
		lvl = slog.LevelInfo
	}
	for i := range a {
		a[i] = sdkLogArg(a[i])
	}
	line := fmt.Sprintf(format, a...)
	for _, r := range routes {
		r.logger.Log(context.Background(), lvl, line, "platform", "discord", "source", "discordgo")
	}
}

// sdkUnmarshalError is the format of the line discordgo v0.29.0 logs
// (wsapi.go, onEvent) when a gateway event does not decode into its type.
const sdkUnmarshalError = "error unmarshalling %s event, %s"

// interactionDecodeError reports whether a discordgo log line is its
// error for an interaction it could not decode. Every modal submit the
// bot's own forms send back carries Label components (type 18), unknown
// to discordgo v0.29.0, which logs « unknown component type: 18 » as an
// error and dispatches the interaction with no data. The adapter reads
// that data itself from the raw event (onRawInteraction), and says in its
// own warning, with the interaction's id and type, when it cannot
// (« interaction without readable data »): the SDK's line adds nothing
// but noise on every answer.
func interactionDecodeError(msgL int, format string, a []any) bool {
	return msgL == discordgo.LogError && format == sdkUnmarshalError && len(a) > 0 && a[0] == "INTERACTION_CREATE"
}

// sdkLogArg keeps gateway payloads out of discordgo's log lines: it prints
// the raw data of events it does not know (or did not expect) at warning
// level, and that data carries user ids and names.
func sdkLogArg(a any) any {
	omit := func(n int) string { return fmt.Sprintf("[%d bytes of gateway data omitted]", n) }
	switch v := a.(type) {
	case *discordgo.Event:
		return fmt.Sprintf("[event op %d %s omitted]", v.Operation, v.Type)
	case json.RawMessage:
		return omit(len(v))
	case []byte:
		return omit(len(v))
	case string:
		if t := strings.TrimSpace(v); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			return omit(len(v))
		}
	}
	return a
}
