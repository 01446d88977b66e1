package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"consultbot/internal/fault"
)

// apiError is Discord's JSON error body.
type apiError struct {
	status  int
	code    int
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.message) }

// errDeprecatedFollowUp refuses a follow-up sent while the deferred
// response is still "thinking…".
var errDeprecatedFollowUp = badRequest("a deferred response is filled with PATCH /webhooks/{application.id}/{interaction.token}/messages/@original, not a follow-up")

func badRequest(format string, a ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: 50035, message: "Invalid Form Body: " + fmt.Sprintf(format, a...)}
}

var (
	errUnknownInteraction = &apiError{status: http.StatusNotFound, code: 10062, message: "Unknown interaction"}
	errAlreadyAcked       = &apiError{status: http.StatusBadRequest, code: 40060, message: "Interaction has already been acknowledged."}
	errUnknownWebhook     = &apiError{status: http.StatusNotFound, code: 10015, message: "Unknown Webhook"}
	// errEarly is Unknown Webhook for a request that came while the
	// interactions endpoint's response was still on its way: a race the
	// bot cannot avoid, counted apart (Early) rather than as a broken rule.
	errEarly          = &apiError{status: http.StatusNotFound, code: 10015, message: "Unknown Webhook"}
	errUnknownChannel = &apiError{status: http.StatusNotFound, code: 10003, message: "Unknown Channel"}
	errUnknownMessage = &apiError{status: http.StatusNotFound, code: 10008, message: "Unknown Message"}
	errUnauthorized   = &apiError{status: http.StatusUnauthorized, code: 0, message: "401: Unauthorized"}
	errNotFound       = &apiError{status: http.StatusNotFound, code: 0, message: "404: Not Found"}
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == gatewayPath {
		s.serveGateway(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, attachmentsPath) {
		s.serveAttachment(w, r)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v9")
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
		return
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	name := routeName(r.Method, seg)
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" && (name == RouteFollowUp || name == RouteEditFollowUp || name == RouteMessage) {
		name += FileSuffix
	}
	s.mu.Lock()
	s.calls[name]++
	s.mu.Unlock()
	if s.opts.OnRoute != nil {
		s.opts.OnRoute(name)
	}
	s.faults.Serve(w, r, name, faultable[name], func(w http.ResponseWriter, status int) {
		writeJSON(w, status, map[string]any{"message": fmt.Sprintf("%d: %s", status, http.StatusText(status)), "code": 0})
	}, func(w http.ResponseWriter, r *http.Request) { s.serveREST(w, r, path, seg) })
}

// Routes, as fault injection names them.
const (
	RouteCallback     = "POST interaction callback"
	RouteFollowUp     = "POST follow-up"
	RouteEditFollowUp = "PATCH follow-up"
	RouteMessage      = "POST channel message"
	RouteEditMessage  = "PATCH channel message"
	RouteOpenDM       = "POST direct message channel"
	// FileSuffix ends the name of a follow-up (sent or edited) or channel message that
	// uploads a file (RouteFollowUp + FileSuffix), so that uploads can
	// fail on their own while text goes.
	FileSuffix = " with a file"
)

// faultable are the routes that fail at random under Options.Faults: what
// the bot does all the time, not its start-up calls.
var faultable = map[string]bool{
	RouteCallback: true, RouteFollowUp: true, RouteEditFollowUp: true,
	RouteMessage: true, RouteEditMessage: true, RouteOpenDM: true,
	RouteFollowUp + FileSuffix: true, RouteEditFollowUp + FileSuffix: true, RouteMessage + FileSuffix: true,
}

// routeName names a REST request for fault injection: one of the Route
// constants, else the method and path with ids folded away.
func routeName(method string, seg []string) string {
	n := len(seg)
	switch {
	case n == 4 && seg[0] == "interactions" && seg[3] == "callback" && method == http.MethodPost:
		return RouteCallback
	case n == 3 && seg[0] == "webhooks" && method == http.MethodPost:
		return RouteFollowUp
	case n == 5 && seg[0] == "webhooks" && method == http.MethodPatch:
		return RouteEditFollowUp
	case n == 3 && seg[0] == "channels" && seg[2] == "messages" && method == http.MethodPost:
		return RouteMessage
	case n == 4 && seg[0] == "channels" && seg[2] == "messages" && method == http.MethodPatch:
		return RouteEditMessage
	case n == 3 && seg[0] == "users" && seg[1] == "@me" && seg[2] == "channels" && method == http.MethodPost:
		return RouteOpenDM
	}
	return method + " /" + snowflakes.ReplaceAllString(strings.Join(seg, "/"), "id")
}

// Faults is the server's fault injector: Always(RouteFollowUp,
// fault.Status500) makes every follow-up fail; Counts reports what was
// injected.
func (s *Server) Faults() *fault.Injector { return s.faults }

// serveREST answers one REST request.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, path string, seg []string) {
	if s.limited(w, r.Method, path) {
		return
	}
	// Interaction callbacks and webhooks authenticate by their token.
	if seg[0] != "interactions" && seg[0] != "webhooks" && r.Header.Get("Authorization") != "Bot "+s.Token {
		s.fail(w, r, errUnauthorized)
		return
	}
	s.record(r, path)
	v, err := s.route(r, seg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("X-RateLimit-Limit", "50")
	w.Header().Set("X-RateLimit-Remaining", "49")
	w.Header().Set("X-RateLimit-Reset-After", "1.000")
	w.Header().Set("X-RateLimit-Bucket", bucketName(r.Method, path))
	if v == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ae, ok := err.(*apiError)
	if !ok {
		ae = &apiError{status: http.StatusBadRequest, code: 50035, message: err.Error()}
	}
	s.mu.Lock()
	if ae == errEarly {
		s.early++
	} else {
		s.rejected = append(s.rejected, r.Method+" "+r.URL.Path+": "+ae.message)
	}
	s.notify()
	s.mu.Unlock()
	writeJSON(w, ae.status, map[string]any{"message": ae.message, "code": ae.code})
}

// bucketName names a rate-limit bucket by route, with ids folded away as
// Discord's major parameters would not be, which is close enough here.
func bucketName(method, path string) string {
	return fmt.Sprintf("%x", fnv32(method+" "+snowflakes.ReplaceAllString(path, "id")))
}

var snowflakes = regexp.MustCompile(`\d{6,}`)

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// limited answers 429 when a configured rate limit applies.
func (s *Server) limited(w http.ResponseWriter, method, path string) bool {
	s.mu.Lock()
	var rule *limitRule
	for _, l := range s.limits {
		if l.n > 0 && (l.method == "*" || l.method == method) && strings.HasPrefix(path, l.prefix) {
			rule = l
			l.n--
			s.rateLimited++
			s.notify()
			break
		}
	}
	s.mu.Unlock()
	if rule == nil {
		return false
	}
	secs := rule.retryAfter.Seconds()
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(rule.retryAfter).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", bucketName(method, path))
	scope := "user"
	if rule.global {
		scope = "global"
		h.Set("X-RateLimit-Global", "true")
	}
	h.Set("X-RateLimit-Scope", scope)
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": rule.global, "code": 0,
	})
	return true
}

func (s *Server) route(r *http.Request, seg []string) (any, error) {
	m := r.Method
	n := len(seg)
	switch {
	case n == 1 && seg[0] == "gateway" && m == http.MethodGet:
		return map[string]any{"url": s.gatewayURL()}, nil
	case n == 2 && seg[0] == "gateway" && seg[1] == "bot" && m == http.MethodGet:
		return map[string]any{
			"url": s.gatewayURL(), "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 86400000, "max_concurrency": 1},
		}, nil
	case n == 2 && seg[0] == "users" && seg[1] == "@me" && m == http.MethodGet:
		return s.botUser(), nil
	case n == 3 && seg[0] == "users" && seg[1] == "@me" && seg[2] == "channels" && m == http.MethodPost:
		return s.createDM(r)
	case n == 3 && seg[0] == "channels" && seg[2] == "messages" && m == http.MethodPost:
		v, err := s.createMessage(r, seg[1])
		if mj, ok := v.(map[string]any); ok && err == nil && s.opts.OnCreate != nil {
			s.mu.Lock()
			created := *s.msgByID[mj["id"].(string)]
			s.mu.Unlock()
			s.opts.OnCreate(created)
		}
		return v, err
	case n == 4 && seg[0] == "channels" && seg[2] == "messages" && m == http.MethodPatch:
		return s.editChannelMessage(r, seg[1], seg[3])
	case seg[0] == "applications" && n >= 3 && seg[n-1] == "commands":
		guild := ""
		if n == 5 && seg[2] == "guilds" {
			guild = seg[3]
		} else if n != 3 {
			return nil, errNotFound
		}
		if seg[1] != s.AppID {
			return nil, &apiError{status: http.StatusForbidden, code: 50001, message: "Missing Access"}
		}
		switch m {
		case http.MethodPut:
			return s.overwriteCommands(r, guild)
		case http.MethodPost:
			return s.createCommand(r, guild)
		case http.MethodGet:
			return s.listCommands(guild), nil
		}
	case n == 4 && seg[0] == "interactions" && seg[3] == "callback" && m == http.MethodPost:
		return nil, s.callback(r, seg[1], seg[2])
	case n == 3 && seg[0] == "webhooks" && m == http.MethodPost:
		return s.followUp(r, seg[1], seg[2])
	case n == 5 && seg[0] == "webhooks" && seg[3] == "messages" && m == http.MethodPatch:
		return s.editWebhookMessage(r, seg[1], seg[2], seg[4])
	case n == 5 && seg[0] == "webhooks" && seg[3] == "messages" && m == http.MethodGet:
		return s.webhookMessage(seg[1], seg[2], seg[4])
	}
	return nil, errNotFound
}

// component is the union of the component fields the fake reads.
type component struct {
	Type       int         `json:"type"`
	CustomID   string      `json:"custom_id"`
	Label      string      `json:"label"`
	Style      int         `json:"style"`
	URL        string      `json:"url"`
	Disabled   bool        `json:"disabled"`
	MinLength  int         `json:"min_length"`
	MaxLength  int         `json:"max_length"`
	Required   *bool       `json:"required"`
	Value      string      `json:"value"`
	Components []component `json:"components"`
	// Description and Component are a Label's (type 18).
	Description string     `json:"description"`
	Component   *component `json:"component"`
}

// messageBody is the union of the fields of a message create, edit,
// interaction response data and modal.
type messageBody struct {
	Content         *string      `json:"content"`
	Flags           int          `json:"flags"`
	Components      *[]component `json:"components"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
	CustomID string `json:"custom_id"`
	Title    string `json:"title"`
	// Nonce and EnforceNonce are a message create's.
	Nonce        json.RawMessage `json:"nonce"`
	EnforceNonce *bool           `json:"enforce_nonce"`
}

// nonceOf reads a message create's nonce, a string of at most 25
// characters or an integer, as Discord takes it.
func nonceOf(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		if utf8.RuneCountInString(str) > 25 {
			return "", badRequest("nonce: %d characters, at most 25", utf8.RuneCountInString(str))
		}
		return str, nil
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", badRequest("nonce: neither a string nor an integer")
	}
	return strconv.FormatInt(n, 10), nil
}

// readBody decodes a JSON body or a multipart one (payload_json plus
// files[n]).
func readBody(r *http.Request, v any) ([]File, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if params["boundary"] == "" {
			return nil, badRequest("multipart without boundary")
		}
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, badRequest("multipart: %v", err)
		}
		if err := json.Unmarshal([]byte(r.FormValue("payload_json")), v); err != nil {
			return nil, badRequest("payload_json: %v", err)
		}
		var files []File
		for field, hs := range r.MultipartForm.File {
			if !strings.HasPrefix(field, "files[") && !strings.HasPrefix(field, "file") {
				continue
			}
			for _, h := range hs {
				f := File{Name: h.Filename, Size: int(h.Size), ContentType: h.Header.Get("Content-Type")}
				if rc, err := h.Open(); err == nil {
					f.Data, _ = io.ReadAll(rc)
					rc.Close()
				}
				files = append(files, f)
			}
		}
		return files, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, badRequest("read body: %v", err)
	}
	if len(b) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, badRequest("json: %v", err)
	}
	return nil, nil
}

// checkComponents enforces Discord's rules on message components.
func checkComponents(rows []component) ([][]Button, error) {
	if len(rows) > MaxRows {
		return nil, badRequest("components: %d action rows, at most %d", len(rows), MaxRows)
	}
	seen := map[string]bool{}
	var out [][]Button
	for _, row := range rows {
		if row.Type != 1 {
			return nil, badRequest("components: top level must be action rows, got type %d", row.Type)
		}
		if len(row.Components) == 0 || len(row.Components) > MaxRowComponents {
			return nil, badRequest("components: an action row holds 1 to %d components, got %d", MaxRowComponents, len(row.Components))
		}
		var bs []Button
		for _, c := range row.Components {
			if c.Type != 2 {
				return nil, badRequest("components: unsupported component type %d in a message", c.Type)
			}
			if c.Style == 5 {
				if c.URL == "" {
					return nil, badRequest("components: link button without url")
				}
			} else if err := checkCustomID(c.CustomID); err != nil {
				return nil, err
			}
			if seen[c.CustomID] && c.CustomID != "" {
				return nil, badRequest("components: duplicate custom_id %q", c.CustomID)
			}
			seen[c.CustomID] = true
			if l := utf8.RuneCountInString(c.Label); l > MaxButtonLabel {
				return nil, badRequest("components: button label of %d characters, at most %d", l, MaxButtonLabel)
			}
			if c.Label == "" {
				return nil, badRequest("components: button without label")
			}
			bs = append(bs, Button{CustomID: c.CustomID, Label: c.Label, Style: c.Style, Disabled: c.Disabled})
		}
		out = append(out, bs)
	}
	return out, nil
}

func checkCustomID(id string) error {
	if n := utf8.RuneCountInString(id); n < 1 || n > MaxCustomID {
		return badRequest("custom_id of %d characters, must be 1 to %d", n, MaxCustomID)
	}
	return nil
}

// readMessage reads the body of a request that posts a message (a
// channel message, a follow-up) and the message it makes.
func readMessage(r *http.Request) (messageBody, Message, error) {
	var body messageBody
	files, err := readBody(r, &body)
	if err != nil {
		return body, Message{}, err
	}
	m, err := buildMessage(body, files)
	return body, m, err
}

// buildMessage validates a body into a message; edit leaves unset fields
// to the caller.
func buildMessage(b messageBody, files []File) (Message, error) {
	var m Message
	if b.Content != nil {
		if n := utf8.RuneCountInString(*b.Content); n > MaxContent {
			return m, badRequest("content: %d characters, at most %d", n, MaxContent)
		}
		m.Content = *b.Content
	}
	if b.Components != nil {
		rows, err := checkComponents(*b.Components)
		if err != nil {
			return m, err
		}
		m.Rows = rows
	}
	if m.Content == "" && len(m.Rows) == 0 && len(files) == 0 {
		return m, &apiError{status: http.StatusBadRequest, code: 50006, message: "Cannot send an empty message"}
	}
	m.Files = files
	m.Ephemeral = b.Flags&FlagEphemeral != 0
	m.NoMentions = b.AllowedMentions != nil && len(b.AllowedMentions.Parse) == 0
	return m, nil
}

// addMessageLocked stores m as visible now.
func (s *Server) addMessageLocked(m *Message) {
	if m.ID == "" {
		m.ID = s.newID()
	}
	m.Created = time.Now()
	s.order++
	m.order = s.order
	s.messages = append(s.messages, m)
	s.msgByID[m.ID] = m
	if !m.deferred && m.UserID != "" {
		s.userMsgs[m.UserID] = append(s.userMsgs[m.UserID], m)
	}
	s.notifyUserLocked(m.UserID)
	s.notify()
}

func (s *Server) createDM(r *http.Request) (any, error) {
	var body struct {
		RecipientID string `json:"recipient_id"`
	}
	if _, err := readBody(r, &body); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[body.RecipientID]
	if !ok || s.closedDMs[body.RecipientID] {
		return nil, &apiError{status: http.StatusBadRequest, code: 50007, message: "Cannot send messages to this user"}
	}
	id := s.dmChannelLocked(u.ID)
	return map[string]any{
		"id": id, "type": 1, "last_message_id": nil, "flags": 0,
		"recipients": []any{userJSON(*u, false)},
	}, nil
}

func (s *Server) createMessage(r *http.Request, channelID string) (any, error) {
	body, m, err := readMessage(r)
	if err != nil {
		return nil, err
	}
	nonce, err := nonceOf(body.Nonce)
	if err != nil {
		return nil, err
	}
	m.Nonce = nonce
	enforce := nonce != "" && body.EnforceNonce != nil && *body.EnforceNonce
	s.mu.Lock()
	defer s.mu.Unlock()
	if enforce {
		// The same author (the bot) and the same nonce within the
		// window: that message, and no new one.
		if first, ok := s.nonces[nonce]; ok && time.Since(first.Created) < s.opts.NonceWindow {
			s.nonceHits++
			return s.messageJSON(*first), nil
		}
	}
	switch {
	case channelID == s.ChannelID || s.channels[channelID]:
		m.GuildID = s.GuildID
		m.Ephemeral = false // channel messages cannot be ephemeral
	case s.closedDMs[s.dmUser[channelID]]:
		return nil, errCannotMessageUser
	case s.dmUser[channelID] != "":
		m.UserID = s.dmUser[channelID]
	default:
		return nil, errUnknownChannel
	}
	m.ChannelID = channelID
	s.addMessageLocked(&m)
	if enforce {
		s.nonces[nonce] = &m
	}
	return s.messageJSON(m), nil
}

func (s *Server) editChannelMessage(r *http.Request, channelID, messageID string) (any, error) {
	var body messageBody
	files, err := readBody(r, &body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.msgByID[messageID]
	if !ok || m.ChannelID != channelID || m.InteractionID != "" {
		return nil, errUnknownMessage
	}
	if err := s.applyEditLocked(m, body, files); err != nil {
		return nil, err
	}
	return s.messageJSON(*m), nil
}

func (s *Server) applyEditLocked(m *Message, body messageBody, files []File) error {
	next := *m
	if body.Content != nil {
		if n := utf8.RuneCountInString(*body.Content); n > MaxContent {
			return badRequest("content: %d characters, at most %d", n, MaxContent)
		}
		next.Content = *body.Content
	}
	if body.Components != nil {
		rows, err := checkComponents(*body.Components)
		if err != nil {
			return err
		}
		next.Rows = rows
	}
	if len(files) > 0 {
		next.Files = files
	}
	if body.AllowedMentions != nil {
		next.NoMentions = len(body.AllowedMentions.Parse) == 0
	}
	next.Edited = time.Now()
	filled := next.deferred
	if filled {
		next.deferred = false
		s.order++
		next.order = s.order
	}
	*m = next
	if filled && m.UserID != "" {
		s.userMsgs[m.UserID] = append(s.userMsgs[m.UserID], m)
	}
	s.notifyUserLocked(m.UserID)
	s.notify()
	return nil
}

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}\p{Lo}]{1,32}$`)

type commandBody struct {
	Name                     string            `json:"name"`
	Description              string            `json:"description"`
	NameLocalizations        map[string]string `json:"name_localizations"`
	DescriptionLocalizations map[string]string `json:"description_localizations"`
	DefaultMemberPermissions *string           `json:"default_member_permissions"`
	Type                     int               `json:"type"`
	Options                  []optionBody      `json:"options"`
	// DMPermission is deprecated for Contexts: any value is refused.
	DMPermission     json.RawMessage `json:"dm_permission"`
	Contexts         []int           `json:"contexts"`
	IntegrationTypes []int           `json:"integration_types"`
}

// optionBody is a command option as registered.
type optionBody struct {
	Type                     int               `json:"type"`
	Name                     string            `json:"name"`
	Description              string            `json:"description"`
	NameLocalizations        map[string]string `json:"name_localizations"`
	DescriptionLocalizations map[string]string `json:"description_localizations"`
	Required                 bool              `json:"required"`
	Choices                  []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	} `json:"choices"`
}

// checkOptions enforces Discord's rules on the options of a command.
func checkOptions(cmd string, opts []optionBody) ([]CommandOption, error) {
	if len(opts) > 25 {
		return nil, badRequest("command %q: at most 25 options", cmd)
	}
	var out []CommandOption
	optional := false
	for _, o := range opts {
		if o.Type != 3 && o.Type != 4 {
			return nil, badRequest("command %q: only string and integer options are faked, got type %d", cmd, o.Type)
		}
		if !commandName.MatchString(o.Name) {
			return nil, badRequest("command %q: option name %q invalid", cmd, o.Name)
		}
		for loc, n := range o.NameLocalizations {
			if !commandName.MatchString(n) {
				return nil, badRequest("command %q: option name_localizations[%s] %q invalid", cmd, loc, n)
			}
		}
		if n := utf8.RuneCountInString(o.Description); n < 1 || n > 100 {
			return nil, badRequest("command %q: option %q description of %d characters, must be 1 to 100", cmd, o.Name, n)
		}
		for loc, d := range o.DescriptionLocalizations {
			if n := utf8.RuneCountInString(d); n < 1 || n > 100 {
				return nil, badRequest("command %q: option %q description_localizations[%s] of %d characters", cmd, o.Name, loc, n)
			}
		}
		if o.Required && optional {
			return nil, badRequest("command %q: required options must come before optional ones", cmd)
		}
		optional = optional || !o.Required
		if len(o.Choices) > 25 {
			return nil, badRequest("command %q: option %q has %d choices, at most 25", cmd, o.Name, len(o.Choices))
		}
		co := CommandOption{Name: o.Name, Type: o.Type, Description: o.Description, Required: o.Required,
			NameLocalizations: o.NameLocalizations, DescriptionLocalizations: o.DescriptionLocalizations}
		for _, c := range o.Choices {
			if n := utf8.RuneCountInString(c.Name); n < 1 || n > 100 {
				return nil, badRequest("command %q: option %q choice name of %d characters, must be 1 to 100", cmd, o.Name, n)
			}
			if co.Choices == nil {
				co.Choices = map[string]string{}
			}
			var v any
			if err := json.Unmarshal(c.Value, &v); err != nil {
				return nil, badRequest("command %q: option %q choice value: %v", cmd, o.Name, err)
			}
			co.Choices[fmt.Sprint(v)] = c.Name
		}
		out = append(out, co)
	}
	return out, nil
}

func (s *Server) checkCommand(c commandBody, guild string) (Command, error) {
	if c.Type != 0 && c.Type != 1 {
		return Command{}, badRequest("only chat input commands are faked")
	}
	if !commandName.MatchString(c.Name) {
		return Command{}, badRequest("name %q: lowercase letters, digits, - and _, 1 to 32 characters", c.Name)
	}
	for loc, n := range c.NameLocalizations {
		if !commandName.MatchString(n) {
			return Command{}, badRequest("name_localizations[%s] %q invalid", loc, n)
		}
	}
	if n := utf8.RuneCountInString(c.Description); n < 1 || n > 100 {
		return Command{}, badRequest("description of %q: %d characters, must be 1 to 100", c.Name, n)
	}
	for loc, d := range c.DescriptionLocalizations {
		if n := utf8.RuneCountInString(d); n < 1 || n > 100 {
			return Command{}, badRequest("description_localizations[%s] of %q: %d characters", loc, c.Name, n)
		}
	}
	if len(c.DMPermission) > 0 && string(c.DMPermission) != "null" {
		return Command{}, badRequest("command %q: dm_permission is deprecated, use contexts", c.Name)
	}
	for _, x := range c.Contexts {
		if x < ContextGuild || x > ContextPrivateChannel {
			return Command{}, badRequest("command %q: unknown context %d", c.Name, x)
		}
	}
	for _, x := range c.IntegrationTypes {
		if x != InstallGuild && x != InstallUser {
			return Command{}, badRequest("command %q: unknown integration type %d", c.Name, x)
		}
	}
	opts, err := checkOptions(c.Name, c.Options)
	if err != nil {
		return Command{}, err
	}
	cmd := Command{
		ID: s.newID(), GuildID: guild, Name: c.Name, Description: c.Description,
		NameLocalizations: c.NameLocalizations, DescriptionLocalizations: c.DescriptionLocalizations,
		Options: opts, Contexts: c.Contexts, IntegrationTypes: c.IntegrationTypes,
	}
	if c.DefaultMemberPermissions != nil {
		cmd.DefaultMemberPermissions = *c.DefaultMemberPermissions
	}
	return cmd, nil
}

func (s *Server) commandJSON(c Command) map[string]any {
	v := map[string]any{
		"id": c.ID, "application_id": s.AppID, "version": c.ID, "type": 1,
		"name": c.Name, "description": c.Description,
		"name_localizations": c.NameLocalizations, "description_localizations": c.DescriptionLocalizations,
		"default_member_permissions": nil, "nsfw": false, "options": []any{},
	}
	if c.GuildID != "" {
		v["guild_id"] = c.GuildID
	}
	if c.DefaultMemberPermissions != "" {
		v["default_member_permissions"] = c.DefaultMemberPermissions
	}
	if c.Contexts != nil {
		v["contexts"] = c.Contexts
	}
	if c.IntegrationTypes != nil {
		v["integration_types"] = c.IntegrationTypes
	}
	return v
}

func (s *Server) overwriteCommands(r *http.Request, guild string) (any, error) {
	var body []commandBody
	if _, err := readBody(r, &body); err != nil {
		return nil, err
	}
	if len(body) > 100 {
		return nil, badRequest("at most 100 commands")
	}
	var cmds []Command
	names := map[string]bool{}
	for _, c := range body {
		cmd, err := s.checkCommand(c, guild)
		if err != nil {
			return nil, err
		}
		if names[cmd.Name] {
			return nil, badRequest("duplicate command name %q", cmd.Name)
		}
		names[cmd.Name] = true
		cmds = append(cmds, cmd)
	}
	s.mu.Lock()
	s.commands[guild] = cmds
	s.notify()
	s.mu.Unlock()
	return s.listCommands(guild), nil
}

func (s *Server) createCommand(r *http.Request, guild string) (any, error) {
	var body commandBody
	if _, err := readBody(r, &body); err != nil {
		return nil, err
	}
	cmd, err := s.checkCommand(body, guild)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.commands[guild]
	for i, c := range list {
		if c.Name == cmd.Name {
			cmd.ID = c.ID
			list[i] = cmd
			s.notify()
			return s.commandJSON(cmd), nil
		}
	}
	s.commands[guild] = append(list, cmd)
	s.notify()
	return s.commandJSON(cmd), nil
}

func (s *Server) listCommands(guild string) []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, c := range s.commands[guild] {
		out = append(out, s.commandJSON(c))
	}
	return out
}

type callbackBody struct {
	Type int             `json:"type"`
	Data json.RawMessage `json:"data"`
}

func (s *Server) callback(r *http.Request, id, token string) error {
	var body callbackBody
	files, err := readBody(r, &body)
	if err != nil {
		return err
	}
	return s.acknowledge(id, token, body, files)
}

// acknowledge takes an interaction's first response, from its callback
// route or as the interactions endpoint's answer.
func (s *Server) acknowledge(id, token string, body callbackBody, files []File) error {
	var data messageBody
	if len(body.Data) > 0 && string(body.Data) != "null" {
		if err := json.Unmarshal(body.Data, &data); err != nil {
			return badRequest("data: %v", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.interactions[id]
	if !ok || ix.token != token {
		return errUnknownInteraction
	}
	ix.posting = false
	if ix.acked {
		return errAlreadyAcked
	}
	latency := time.Since(ix.created)
	if latency > s.opts.AckDeadline {
		s.acks = append(s.acks, Ack{InteractionID: id, UserID: ix.user.ID, Kind: ix.kind, Type: body.Type, Latency: latency, Late: true})
		s.notify()
		return errUnknownInteraction
	}
	switch body.Type {
	case CallbackMessage:
		m, err := buildMessage(data, files)
		if err != nil {
			return err
		}
		s.placeResponseLocked(ix, &m)
		m.Original = true
		s.addMessageLocked(&m)
	case CallbackDeferred:
		m := Message{deferred: true, Original: true, Ephemeral: data.Flags&FlagEphemeral != 0}
		s.placeResponseLocked(ix, &m)
		s.addMessageLocked(&m)
	case CallbackDeferredUpdate, CallbackUpdate:
		if ix.kind != InteractionComponent && ix.kind != InteractionModalSubmit {
			return badRequest("callback type %d needs a component interaction", body.Type)
		}
		if body.Type == CallbackUpdate {
			msgID, _ := ix.payload["message"].(map[string]any)["id"].(string)
			m, ok := s.msgByID[msgID]
			if !ok {
				return errUnknownMessage
			}
			if err := s.applyEditLocked(m, data, files); err != nil {
				return err
			}
		}
	case CallbackModal:
		if ix.kind == InteractionModalSubmit {
			return badRequest("a modal cannot open from a modal submit")
		}
		modal, err := checkModal(body.Data)
		if err != nil {
			return err
		}
		modal.UserID = ix.user.ID
		modal.InteractionID = ix.id
		s.modals[ix.user.ID] = modal
		s.notifyUserLocked(ix.user.ID)
	default:
		return badRequest("unsupported callback type %d", body.Type)
	}
	ix.acked = true
	ix.ackType = body.Type
	s.acks = append(s.acks, Ack{InteractionID: id, UserID: ix.user.ID, Kind: ix.kind, Type: body.Type, Latency: latency})
	s.notify()
	return nil
}

// placeResponseLocked addresses an interaction response or follow-up.
func (s *Server) placeResponseLocked(ix *interaction, m *Message) {
	m.InteractionID = ix.id
	m.ChannelID = ix.place.ChannelID
	m.GuildID = ix.place.GuildID
	if m.Ephemeral || ix.place.GuildID == "" {
		m.UserID = ix.user.ID
	}
}

func checkModal(raw json.RawMessage) (Modal, error) {
	var d struct {
		CustomID   string      `json:"custom_id"`
		Title      string      `json:"title"`
		Components []component `json:"components"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return Modal{}, badRequest("modal: %v", err)
	}
	if err := checkCustomID(d.CustomID); err != nil {
		return Modal{}, err
	}
	if n := utf8.RuneCountInString(d.Title); n < 1 || n > MaxModalTitle {
		return Modal{}, badRequest("modal title of %d characters, must be 1 to %d", n, MaxModalTitle)
	}
	if len(d.Components) < 1 || len(d.Components) > MaxModalInputs {
		return Modal{}, badRequest("a modal holds 1 to %d inputs, got %d", MaxModalInputs, len(d.Components))
	}
	m := Modal{CustomID: d.CustomID, Title: d.Title}
	for _, l := range d.Components {
		// Action rows of labelled text inputs are deprecated for Label
		// components wrapping an unlabelled text input: refused here so
		// that a bot relying on them fails its tests before Discord drops
		// them.
		if l.Type != ComponentLabel || l.Component == nil || l.Component.Type != 4 {
			return Modal{}, badRequest("a modal holds Label components (type 18) wrapping one text input (type 4)")
		}
		if n := utf8.RuneCountInString(l.Label); n < 1 || n > 45 {
			return Modal{}, badRequest("label of %d characters, must be 1 to 45", n)
		}
		if n := utf8.RuneCountInString(l.Description); n > 100 {
			return Modal{}, badRequest("label description of %d characters, at most 100", n)
		}
		c := *l.Component
		if c.Label != "" {
			return Modal{}, badRequest("a text input's label is deprecated: the Label component around it holds it")
		}
		if err := checkCustomID(c.CustomID); err != nil {
			return Modal{}, err
		}
		if c.Style != 1 && c.Style != 2 {
			return Modal{}, badRequest("text input style %d", c.Style)
		}
		if c.MaxLength < 0 || c.MaxLength > MaxParagraph || c.MinLength < 0 || c.MinLength > MaxParagraph {
			return Modal{}, badRequest("text input lengths must be within 0 to %d", MaxParagraph)
		}
		maxLen := c.MaxLength
		if maxLen == 0 {
			maxLen = MaxParagraph
		}
		required := c.Required == nil || *c.Required
		m.Inputs = append(m.Inputs, TextInput{CustomID: c.CustomID, Label: l.Label, Description: l.Description, Style: c.Style, MinLength: c.MinLength, MaxLength: maxLen, Required: required})
	}
	return m, nil
}

// webhookLocked finds the live interaction behind a webhook token.
func (s *Server) webhookLocked(app, token string) (*interaction, error) {
	ix, ok := s.byToken[token]
	if ok && app == s.AppID && !ix.acked && ix.posting {
		return nil, errEarly
	}
	if app != s.AppID || !ok || !ix.acked {
		return nil, errUnknownWebhook
	}
	if ix.expired || time.Since(ix.created) > s.opts.TokenLife {
		return nil, errUnknownWebhook
	}
	return ix, nil
}

func (s *Server) followUp(r *http.Request, app, token string) (any, error) {
	_, m, err := readMessage(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, err := s.webhookLocked(app, token)
	if err != nil {
		return nil, err
	}
	// Discord still lets a follow-up fill a deferred response's
	// "thinking…" placeholder (ignoring its flags), but deprecates it for
	// an edit of @original: refused here so that a bot relying on it
	// fails its tests before Discord drops it.
	for _, old := range s.messages {
		if old.InteractionID == ix.id && old.deferred {
			return nil, errDeprecatedFollowUp
		}
	}
	s.placeResponseLocked(ix, &m)
	s.addMessageLocked(&m)
	if r.URL.Query().Get("wait") != "true" {
		return nil, nil
	}
	return s.messageJSON(m), nil
}

// webhookMessageLocked finds the message messageID (or "@original") an
// interaction's webhook sent. The original response of a component
// interaction acknowledged with an update (types 6 and 7) is the message
// the component is on, as Discord has it.
func (s *Server) webhookMessageLocked(app, token, messageID string) (*Message, error) {
	ix, err := s.webhookLocked(app, token)
	if err != nil {
		return nil, err
	}
	if messageID == "@original" && ix.kind == InteractionComponent && (ix.ackType == CallbackDeferredUpdate || ix.ackType == CallbackUpdate) {
		msgID, _ := ix.payload["message"].(map[string]any)["id"].(string)
		if m, ok := s.msgByID[msgID]; ok {
			return m, nil
		}
		return nil, errUnknownMessage
	}
	for _, m := range s.messages {
		if m.InteractionID != ix.id {
			continue
		}
		if (messageID == "@original" && m.Original) || m.ID == messageID {
			return m, nil
		}
	}
	return nil, errUnknownMessage
}

// webhookMessage answers GET /webhooks/{app}/{token}/messages/{id}.
func (s *Server) webhookMessage(app, token, messageID string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.webhookMessageLocked(app, token, messageID)
	if err != nil {
		return nil, err
	}
	return s.messageJSON(*m), nil
}

func (s *Server) editWebhookMessage(r *http.Request, app, token, messageID string) (any, error) {
	var body messageBody
	files, err := readBody(r, &body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	target, err := s.webhookMessageLocked(app, token, messageID)
	if err != nil {
		return nil, err
	}
	if err := s.applyEditLocked(target, body, files); err != nil {
		return nil, err
	}
	return s.messageJSON(*target), nil
}
