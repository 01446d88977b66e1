package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"consultbot/internal/fault"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token the server accepts; "123456:TEST" by default.
	Token string
	// BotUsername is what getMe reports; "consultbot_test_bot" by default.
	BotUsername string
	// Limits are the flood limits enforced on sending methods.
	Limits Limits
	// OnMessage, when set, is called (without any lock held) each time the
	// bot sends a message or edits one (with the message as edited), for
	// the load command's simulated people and latency figures.
	OnMessage func(Message)
	// Faults makes a share of the sending, editing, polling and callback
	// requests fail at random (500, 502 with an HTML page, timeouts,
	// broken JSON, reset connections), from a seed. Faults().Always makes
	// every request of one method fail.
	Faults fault.Options
}

// Limits are Telegram's sending limits as the fake enforces them, modelled
// on what Telegram documents (core.telegram.org/bots/faq, "My bot is
// hitting limits"): "no more than 30 messages per second" overall, "avoid
// sending more than one message per second" in one chat ("short bursts
// are tolerated"), "no more than 20 messages per minute" in one group.
// So the overall and group limits are sliding windows (never more than
// GlobalBurst messages in any GlobalBurst/Global seconds, never more than
// GroupBurst in any GroupBurst/GroupPerMinute minutes), not token buckets
// that would let twice the ceiling through in the first second; the
// per-chat limit is a token bucket, the tolerated burst on top of 1/s.
// Messages (sendMessage, sendPhoto, sendDocument) count against all three;
// edits count against the overall window only (Telegram documents no
// per-chat limit for them; counting them overall is the cautious reading);
// answerCallbackQuery and the other methods are not limited. A message
// sent with allow_paid_broadcast=true (Bot API 7.11, "up to 1000 messages
// per second, ignoring broadcasting limits for a fee of 0.1 Telegram Stars
// per message") counts against the paid window (Paid in any second)
// instead of the overall one, and still against its chat's and group's;
// an edit cannot be paid and ignores the parameter. A zero field takes its
// default.
type Limits struct {
	Global         float64 // messages per second over all chats (30)
	GlobalBurst    int     // messages in one window of GlobalBurst/Global seconds (30: 30 in any second)
	Paid           int     // paid messages in any second (1000)
	PerChat        float64 // messages per second in one chat (1)
	PerChatBurst   int     // tolerated burst in one chat (3)
	GroupPerMinute float64 // messages per minute in one group (20)
	GroupBurst     int     // messages in one window of GroupBurst/GroupPerMinute minutes (20: 20 in any minute)
}

func (l Limits) withDefaults() Limits {
	if l.Global == 0 {
		l.Global = 30
	}
	if l.GlobalBurst == 0 {
		l.GlobalBurst = 30
	}
	if l.Paid == 0 {
		l.Paid = 1000
	}
	if l.PerChat == 0 {
		l.PerChat = 1
	}
	if l.PerChatBurst == 0 {
		l.PerChatBurst = 3
	}
	if l.GroupPerMinute == 0 {
		l.GroupPerMinute = 20
	}
	if l.GroupBurst == 0 {
		l.GroupBurst = 20
	}
	return l
}

// Button is one inline keyboard button as the bot sent it.
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// Entity is a formatting entity of a message (offsets in UTF-16 units).
type Entity struct {
	Type   string
	Offset int
	Length int
}

// Message is a message the bot sent, as it currently stands.
type Message struct {
	ChatID int64
	ID     int
	// Kind is "text", "photo" or "document".
	Kind string
	// Text is the visible text (after HTML parsing); for files, the caption.
	Text string
	// Raw is the text as the bot sent it; ParseMode its parse mode.
	Raw       string
	ParseMode string
	Entities  []Entity
	Keyboard  [][]Button
	// File holds the bytes of an uploaded photo or document (nil when it
	// was sent by file id or URL).
	File []byte
	// Edits counts successful edits of the text or keyboard.
	Edits int
	Sent  time.Time
	// ReplyTo is the id of the message this one answers (quoted above it),
	// 0 for none.
	ReplyTo int
}

// Labels lists the keyboard's button texts, row by row.
func (m Message) Labels() []string {
	var out []string
	for _, row := range m.Keyboard {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

func (m Message) clone() Message {
	m.Entities = slices.Clone(m.Entities)
	m.File = slices.Clone(m.File)
	m.Keyboard = cloneKeyboard(m.Keyboard)
	return m
}

func cloneKeyboard(k [][]Button) [][]Button {
	if k == nil {
		return nil
	}
	out := make([][]Button, len(k))
	for i, row := range k {
		out[i] = slices.Clone(row)
	}
	return out
}

// User is a simulated Telegram user. Its private chat with the bot has the
// same id as the user.
type User struct {
	ID           int64
	FirstName    string
	Username     string
	LanguageCode string
}

func (u User) wire() wireUser {
	name := u.FirstName
	if name == "" {
		name = "User" + strconv.FormatInt(u.ID, 10)
	}
	return wireUser{ID: u.ID, FirstName: name, Username: u.Username, LanguageCode: u.LanguageCode}
}

// Group is a simulated group chat; its ID is negative, as Telegram's are.
type Group struct {
	ID    int64
	Title string
	// Type is "group" or "supergroup" (the default).
	Type string
}

type pendingUpdate struct {
	u           wireUpdate
	redelivered bool
	served      bool
}

type callbackState struct {
	answered bool
	text     string
}

type bucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

// take removes a token, or says how long until one is available.
func (b *bucket) take(now time.Time) (time.Duration, bool) {
	if !b.last.IsZero() {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	} else {
		b.tokens = b.burst
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second)), false
}

// window is a sliding-window limit: at most n events in any span.
type window struct {
	n     int
	span  time.Duration
	times []time.Time // accepted events of the last span, oldest first
}

// wait says how long until one more event fits (0: now).
func (w *window) wait(now time.Time) time.Duration {
	i := 0
	for i < len(w.times) && !w.times[i].Add(w.span).After(now) {
		i++
	}
	w.times = w.times[i:]
	if len(w.times) < w.n {
		return 0
	}
	return w.times[len(w.times)-w.n].Add(w.span).Sub(now)
}

func (w *window) take(now time.Time) { w.times = append(w.times, now) }

// Server is a fake Telegram Bot API server listening on 127.0.0.1.
type Server struct {
	opts   Options
	limits Limits
	srv    *httptest.Server
	botID  int64

	mu         sync.Mutex
	changed    chan struct{}
	nextUpdate int
	pending    []pendingUpdate
	all        map[int]wireUpdate
	polling    bool
	webhookURL string
	webhookSec string
	// allowed are the update types the bot last asked for (getUpdates'
	// or setWebhook's allowed_updates); empty: every type. As Telegram
	// does, updates of other types are not queued from then on.
	allowed    map[string]bool
	nextMsgID  map[int64]int // groups: one count per chat
	privateID  int           // private chats: one count for the bot, as on Telegram
	userMsgs   map[int64]map[int]bool
	chatTypes  map[int64]string
	sent       map[int64][]*Message
	callbacks  map[string]*callbackState
	nextCB     int
	commands   map[string][]wireBotCommand
	files      map[string]wireFile
	fileData   map[string][]byte // by file path: what file downloads serve
	nextFile   int
	buckets    map[string]*bucket
	windows    map[string]*window
	count429   int
	requests   map[string]int
	sentTotal  int
	paidTotal  int
	blocked    map[int64]bool        // users who blocked the bot (Block)
	refuse     map[int64]*apiError   // the next message to a chat is refused so (RefuseNext)
	refuseText map[int64]textRefusal // messages to a chat showing a text are refused so (RefuseText)
	faults     *fault.Injector
}

// NewServer starts a fake Bot API server on loopback. Close it when done.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "123456:TEST"
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "consultbot_test_bot"
	}
	s := &Server{
		opts:       opts,
		limits:     opts.Limits.withDefaults(),
		botID:      123456,
		changed:    make(chan struct{}),
		nextUpdate: 700000,
		all:        map[int]wireUpdate{},
		nextMsgID:  map[int64]int{},
		userMsgs:   map[int64]map[int]bool{},
		chatTypes:  map[int64]string{},
		sent:       map[int64][]*Message{},
		callbacks:  map[string]*callbackState{},
		commands:   map[string][]wireBotCommand{},
		files:      map[string]wireFile{},
		buckets:    map[string]*bucket{},
		windows:    map[string]*window{},
		requests:   map[string]int{},
		faults:     fault.New(opts.Faults),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("telegramtest: listen on loopback: %v", err))
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(s.serveHTTP)}}
	s.srv.Start()
	return s
}

// Close shuts the server down, interrupting pending long polls.
func (s *Server) Close() {
	s.faults.Close()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the API endpoint format string for tgbotapi
// (NewBotAPIWithClient): base URL + "/bot%s/%s".
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotUsername is the bot's username, as getMe reports it.
func (s *Server) BotUsername() string { return s.opts.BotUsername }

// notify wakes every waiter; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond returns true or ctx ends. cond is evaluated
// without the server's lock held, so it may call the inspection methods.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: wait: %w", ctx.Err())
		}
	}
}

// WaitMessages waits until the bot has sent at least n messages to chatID
// and returns them all.
func (s *Server) WaitMessages(ctx context.Context, chatID int64, n int) ([]Message, error) {
	var msgs []Message
	err := s.Wait(ctx, func() bool {
		msgs = s.Messages(chatID)
		return len(msgs) >= n
	})
	if err != nil {
		return msgs, fmt.Errorf("waiting for %d messages in chat %d, have %d: %w", n, chatID, len(msgs), err)
	}
	return msgs, nil
}

// Messages returns the messages the bot sent to chatID, oldest first, as
// they currently stand (edits applied).
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.sent[chatID]))
	for _, m := range s.sent[chatID] {
		out = append(out, m.clone())
	}
	return out
}

// LastMessage returns the last message the bot sent to chatID.
func (s *Server) LastMessage(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.sent[chatID]
	if len(ms) == 0 {
		return Message{}, false
	}
	return ms[len(ms)-1].clone(), true
}

// TooManyRequests counts the 429 answers given so far.
func (s *Server) TooManyRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count429
}

// Requests counts the calls of an API method so far.
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method]
}

// SentTotal counts the messages the bot sent, over all chats.
func (s *Server) SentTotal() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentTotal
}

// PaidMessages counts the messages the bot sent with
// allow_paid_broadcast, each charged 0.1 Star by Telegram.
func (s *Server) PaidMessages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paidTotal
}

// PendingUpdates counts the updates not yet confirmed by the bot.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// CallbackAnswered reports whether the callback query with that id was
// answered.
func (s *Server) CallbackAnswered(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.callbacks[id]
	return c != nil && c.answered
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string
	Description string
}

// Commands returns the command menu set for a language code ("" is the
// default menu).
func (s *Server) Commands(lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []BotCommand
	for _, c := range s.commands[lang] {
		out = append(out, BotCommand(c))
	}
	return out
}

// ChatCommands returns the command menu set for one chat (scope "chat")
// and a language code ("" is that chat's default menu).
func (s *Server) ChatCommands(chatID int64, lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []BotCommand
	for _, c := range s.commands[fmt.Sprintf("chat:%d|%s", chatID, lang)] {
		out = append(out, BotCommand(c))
	}
	return out
}

// Webhook returns the webhook URL and secret the bot registered ("" when
// none).
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.webhookSec
}

// serveHTTP routes /bot<token>/<method>.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || token != s.opts.Token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	s.mu.Lock()
	s.requests[method]++
	s.notify()
	s.mu.Unlock()
	s.faults.Serve(w, r, method, faultable[method], func(w http.ResponseWriter, status int) {
		writeError(w, status, http.StatusText(status), 0)
	}, func(w http.ResponseWriter, r *http.Request) { s.serveMethod(w, r, method) })
}

// faultable are the methods that fail at random under Options.Faults:
// what the bot does all the time, not its start-up calls.
var faultable = map[string]bool{
	"getUpdates": true, "sendMessage": true, "sendPhoto": true, "sendDocument": true,
	"editMessageText": true, "editMessageReplyMarkup": true, "answerCallbackQuery": true,
}

// Faults is the server's fault injector: Always("sendDocument",
// fault.Status500) makes every upload of a document fail, as Telegram does
// for a file it cannot take; Counts reports what was injected.
func (s *Server) Faults() *fault.Injector { return s.faults }

// serveMethod answers one Bot API method.
func (s *Server) serveMethod(w http.ResponseWriter, r *http.Request, method string) {
	p, err := readParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	var (
		result any
		apiErr *apiError
	)
	switch method {
	case "getMe":
		result = wireUser{ID: s.botID, IsBot: true, FirstName: "Consultation", Username: s.opts.BotUsername}
	case "getUpdates":
		result, apiErr = s.getUpdates(r.Context(), p)
	case "sendMessage":
		result, apiErr = s.sendMessage(p)
	case "editMessageText":
		result, apiErr = s.editMessageText(p)
	case "editMessageReplyMarkup":
		result, apiErr = s.editMessageReplyMarkup(p)
	case "answerCallbackQuery":
		result, apiErr = s.answerCallbackQuery(p)
	case "setMyCommands":
		result, apiErr = s.setMyCommands(p)
	case "getMyCommands":
		result, apiErr = s.getMyCommands(p)
	case "setWebhook":
		result, apiErr = s.setWebhook(p)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhookURL, s.webhookSec = "", ""
		s.notify()
		s.mu.Unlock()
		result = true
	case "sendPhoto":
		result, apiErr = s.sendFile(p, r, "photo")
	case "sendDocument":
		result, apiErr = s.sendFile(p, r, "document")
	case "getFile":
		result, apiErr = s.getFile(p)
	default:
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if apiErr != nil {
		writeError(w, apiErr.code, apiErr.desc, apiErr.retryAfter)
		return
	}
	writeJSON(w, http.StatusOK, wireResponse{OK: true, Result: result})
}

type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, code int, desc string, retryAfter int) {
	resp := wireResponse{OK: false, ErrorCode: code, Description: desc}
	if retryAfter > 0 {
		resp.Parameters = &wireResponseParameters{RetryAfter: retryAfter}
	}
	writeJSON(w, code, resp)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// params holds a request's parameters, from a query string, a form, a
// multipart form or a JSON object, as Telegram accepts all four.
type params map[string]string

func readParams(r *http.Request) (params, error) {
	p := params{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]json.RawMessage
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if len(body) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				p[k] = str
			} else {
				p[k] = string(v)
			}
		}
		return p, nil
	case "multipart/form-data":
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			return nil, fmt.Errorf("parse multipart: %w", err)
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("parse form: %w", err)
		}
	}
	for k, v := range r.Form {
		if len(v) > 0 {
			p[k] = v[0]
		}
	}
	return p, nil
}

func (p params) int64(key string) (int64, bool) {
	n, err := strconv.ParseInt(p[key], 10, 64)
	return n, err == nil
}

func (s *Server) getUpdates(ctx context.Context, p params) (any, *apiError) {
	offset, _ := p.int64("offset")
	limit, ok := p.int64("limit")
	if !ok || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := p.int64("timeout")
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	allowed, err := allowedUpdates(p)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	if allowed != nil {
		s.allowed = allowed
	}
	if s.webhookURL != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if s.polling {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	}
	s.polling = true
	s.notify()
	defer func() {
		s.mu.Lock()
		s.polling = false
		s.mu.Unlock()
	}()
	// The offset confirms every update below it, and served redeliveries.
	kept := s.pending[:0]
	for _, pu := range s.pending {
		if pu.redelivered && pu.served || !pu.redelivered && offset > 0 && int64(pu.u.UpdateID) < offset {
			continue
		}
		kept = append(kept, pu)
	}
	s.pending = kept
	for len(s.pending) == 0 {
		ch := s.changed
		s.mu.Unlock()
		wait := time.Until(deadline)
		if wait <= 0 {
			return []wireUpdate{}, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ch:
			t.Stop()
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return []wireUpdate{}, nil
		}
		s.mu.Lock()
	}
	out := []wireUpdate{}
	for i := range s.pending {
		if int64(len(out)) == limit {
			break
		}
		out = append(out, s.pending[i].u)
		s.pending[i].served = true
	}
	s.mu.Unlock()
	return out, nil
}

// paid reports whether a sending request asks for a paid broadcast, as
// Telegram reads a boolean parameter.
func (p params) paid() bool { return p["allow_paid_broadcast"] == "true" }

// allow applies the flood limits of one message to chatID (0: an edit,
// bound by the overall window only); s.mu must be held. A paid message
// counts in the paid window instead of the overall one, and is counted.
func (s *Server) allow(chatID int64, paid bool, now time.Time) *apiError {
	// Check every limit before taking from any, so a refused request
	// costs nothing.
	global := s.windowFor("global", s.limits.GlobalBurst, float64(s.limits.GlobalBurst)/s.limits.Global)
	if paid && chatID != 0 {
		global = s.windowFor("paid", s.limits.Paid, 1)
	} else {
		paid = false
	}
	worst := global.wait(now)
	var chat *bucket
	var group *window
	if chatID != 0 {
		key := "chat:" + strconv.FormatInt(chatID, 10)
		chat = s.buckets[key]
		if chat == nil {
			chat = &bucket{rate: s.limits.PerChat, burst: float64(s.limits.PerChatBurst)}
			s.buckets[key] = chat
		}
		probe := *chat
		if d, ok := probe.take(now); !ok {
			worst = max(worst, d)
		}
		if chatID < 0 {
			group = s.windowFor("group:"+strconv.FormatInt(chatID, 10), s.limits.GroupBurst, float64(s.limits.GroupBurst)/s.limits.GroupPerMinute*60)
			worst = max(worst, group.wait(now))
		}
	}
	if worst > 0 {
		s.count429++
		retry := int(math.Ceil(worst.Seconds()))
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", retry), retryAfter: retry}
	}
	global.take(now)
	if paid {
		s.paidTotal++
	}
	if chat != nil {
		chat.take(now)
	}
	if group != nil {
		group.take(now)
	}
	return nil
}

// windowFor returns the sliding window of key, made on first use; s.mu
// must be held.
func (s *Server) windowFor(key string, n int, seconds float64) *window {
	w := s.windows[key]
	if w == nil {
		w = &window{n: n, span: time.Duration(seconds * float64(time.Second))}
		s.windows[key] = w
	}
	return w
}

// parseText validates a message text as Telegram does and returns its
// visible form and entities.
func parseText(text, parseMode, entitiesJSON string) (string, []wireEntity, *apiError) {
	visible := text
	var entities []wireEntity
	switch strings.ToLower(parseMode) {
	case "":
		if entitiesJSON != "" {
			if err := json.Unmarshal([]byte(entitiesJSON), &entities); err != nil {
				return "", nil, badRequest("can't parse entities JSON object")
			}
		}
	case "html":
		v, ents, err := parseHTML(text)
		if err != nil {
			return "", nil, badRequest("%v", err)
		}
		visible, entities = v, ents
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	if strings.TrimSpace(visible) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if utf16Len(visible) > 4096 {
		return "", nil, badRequest("message is too long")
	}
	return visible, entities, nil
}

func parseKeyboard(raw string) ([][]Button, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var kb wireKeyboard
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var out [][]Button
	for _, row := range kb.InlineKeyboard {
		var r []Button
		for _, b := range row {
			if b.Text == "" {
				return nil, badRequest("can't parse inline keyboard button: Text must be non-empty")
			}
			if b.CallbackData == "" && b.URL == "" {
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			if b.URL == "" && len(b.CallbackData) > 64 {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
			r = append(r, Button(b))
		}
		out = append(out, r)
	}
	return out, nil
}

func wireKeyboardOf(k [][]Button) *wireKeyboard {
	if len(k) == 0 {
		return nil
	}
	kb := &wireKeyboard{InlineKeyboard: make([][]wireButton, len(k))}
	for i, row := range k {
		for _, b := range row {
			kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], wireButton(b))
		}
	}
	return kb
}

func entitiesOf(ws []wireEntity) []Entity {
	var out []Entity
	for _, e := range ws {
		out = append(out, Entity{Type: e.Type, Offset: e.Offset, Length: e.Length})
	}
	return out
}

func wireEntitiesOf(es []Entity) []wireEntity {
	var out []wireEntity
	for _, e := range es {
		out = append(out, wireEntity{Type: e.Type, Offset: e.Offset, Length: e.Length})
	}
	return out
}

// wireOf renders a bot message as Telegram returns it; s.mu must be held.
func (s *Server) wireOf(m *Message) *wireMessage {
	wm := &wireMessage{
		MessageID:   m.ID,
		From:        &wireUser{ID: s.botID, IsBot: true, FirstName: "Consultation", Username: s.opts.BotUsername},
		Date:        m.Sent.Unix(),
		Chat:        s.wireChat(m.ChatID),
		ReplyMarkup: wireKeyboardOf(m.Keyboard),
	}
	switch m.Kind {
	case "photo":
		wm.Photo = []wirePhotoSize{{FileID: fmt.Sprintf("bot-photo-%d-%d", m.ChatID, m.ID), FileUniqueID: "bp" + strconv.Itoa(m.ID), Width: 640, Height: 480}}
		wm.Caption = m.Text
	case "document":
		wm.Document = &wireDocument{FileID: fmt.Sprintf("bot-doc-%d-%d", m.ChatID, m.ID), FileUniqueID: "bd" + strconv.Itoa(m.ID)}
		wm.Caption = m.Text
	default:
		wm.Text = m.Text
		wm.Entities = wireEntitiesOf(m.Entities)
	}
	return wm
}

func (s *Server) wireChat(id int64) wireChat {
	typ := s.chatTypes[id]
	if typ == "" {
		typ = "private"
	}
	c := wireChat{ID: id, Type: typ}
	if typ == "private" {
		c.FirstName = "User" + strconv.FormatInt(id, 10)
	} else {
		c.Title = "Group " + strconv.FormatInt(-id, 10)
	}
	return c
}

func (s *Server) chatOf(p params) (int64, *apiError) {
	id, ok := p.int64("chat_id")
	if !ok {
		return 0, badRequest("chat_id is empty")
	}
	if _, known := s.chatTypes[id]; !known {
		return 0, badRequest("chat not found")
	}
	if s.blocked[id] {
		return 0, &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	}
	return id, nil
}

// parseTextAndKeyboard reads the text of a sendMessage or
// editMessageText call, its entities and its keyboard.
func parseTextAndKeyboard(p params) (string, []wireEntity, [][]Button, *apiError) {
	visible, ents, apiErr := parseText(p["text"], p["parse_mode"], p["entities"])
	if apiErr != nil {
		return "", nil, nil, apiErr
	}
	kb, apiErr := parseKeyboard(p["reply_markup"])
	if apiErr != nil {
		return "", nil, nil, apiErr
	}
	return visible, ents, kb, nil
}

func (s *Server) sendMessage(p params) (any, *apiError) {
	visible, ents, kb, apiErr := parseTextAndKeyboard(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	chatID, apiErr := s.chatOf(p)
	if apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	if apiErr := s.refused(chatID, visible); apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	if apiErr := s.allow(chatID, p.paid(), time.Now()); apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	m := &Message{
		ChatID: chatID, ID: s.newMessageID(chatID), Kind: "text",
		Text: visible, Raw: p["text"], ParseMode: p["parse_mode"], Entities: entitiesOf(ents),
		Keyboard: kb, Sent: time.Now(),
	}
	m.ReplyTo, _ = strconv.Atoi(p["reply_to_message_id"])
	return s.recordSent(m)
}

// recordSent stores a sent message, unlocks s.mu and reports it.
func (s *Server) recordSent(m *Message) (any, *apiError) {
	s.sent[m.ChatID] = append(s.sent[m.ChatID], m)
	s.sentTotal++
	wm := s.wireOf(m)
	c := m.clone()
	s.notify()
	s.mu.Unlock()
	if s.opts.OnMessage != nil {
		s.opts.OnMessage(c)
	}
	return wm, nil
}

// newMessageID numbers a new message of chatID, the bot's or a user's;
// s.mu must be held. As on Telegram, the messages of all the bot's
// private chats (positive chat ids) share one increasing count, so the
// ids of one private chat have gaps; a group counts its own.
func (s *Server) newMessageID(chatID int64) int {
	if chatID > 0 {
		s.privateID++
		return s.privateID
	}
	s.nextMsgID[chatID]++
	return s.nextMsgID[chatID]
}

// newUserMessageID numbers a user's message in chatID and remembers it
// as theirs; s.mu must be held.
func (s *Server) newUserMessageID(chatID int64) int {
	id := s.newMessageID(chatID)
	if s.userMsgs[chatID] == nil {
		s.userMsgs[chatID] = map[int]bool{}
	}
	s.userMsgs[chatID][id] = true
	return id
}

// findSent returns the bot message to edit, or Telegram's error: a
// person's own message cannot be edited by the bot, and an id that is no
// message of this chat (another chat's, or none yet) is not found; s.mu
// must be held.
func (s *Server) findSent(p params) (*Message, *apiError) {
	chatID, apiErr := s.chatOf(p)
	if apiErr != nil {
		return nil, apiErr
	}
	id, _ := p.int64("message_id")
	for _, m := range s.sent[chatID] {
		if int64(m.ID) == id {
			return m, nil
		}
	}
	if s.userMsgs[chatID][int(id)] {
		return nil, badRequest("message can't be edited")
	}
	return nil, badRequest("message to edit not found")
}

func (s *Server) editMessageText(p params) (any, *apiError) {
	visible, ents, kb, apiErr := parseTextAndKeyboard(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	m, apiErr := s.findSent(p)
	if apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	if m.Kind != "text" {
		s.mu.Unlock()
		return nil, badRequest("there is no text in the message to edit")
	}
	if m.Text == visible && slices.Equal(m.Entities, entitiesOf(ents)) && keyboardsEqual(m.Keyboard, kb) {
		s.mu.Unlock()
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	if apiErr := s.allow(0, false, time.Now()); apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	m.Text, m.Raw, m.ParseMode, m.Entities, m.Keyboard = visible, p["text"], p["parse_mode"], entitiesOf(ents), kb
	return s.recordEdit(m)
}

// recordEdit counts an edit of m, unlocks s.mu and reports it.
func (s *Server) recordEdit(m *Message) (any, *apiError) {
	m.Edits++
	wm := s.wireOf(m)
	c := m.clone()
	s.notify()
	s.mu.Unlock()
	if s.opts.OnMessage != nil {
		s.opts.OnMessage(c)
	}
	return wm, nil
}

func (s *Server) editMessageReplyMarkup(p params) (any, *apiError) {
	kb, apiErr := parseKeyboard(p["reply_markup"])
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	m, apiErr := s.findSent(p)
	if apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	if keyboardsEqual(m.Keyboard, kb) {
		s.mu.Unlock()
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	if apiErr := s.allow(0, false, time.Now()); apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	m.Keyboard = kb
	return s.recordEdit(m)
}

func keyboardsEqual(a, b [][]Button) bool {
	return slices.EqualFunc(a, b, func(x, y []Button) bool { return slices.Equal(x, y) })
}

func (s *Server) answerCallbackQuery(p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.callbacks[p["callback_query_id"]]
	if c == nil || c.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	c.answered, c.text = true, p["text"]
	s.notify()
	return true, nil
}

func (s *Server) setMyCommands(p params) (any, *apiError) {
	var cmds []wireBotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := len([]rune(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, apiErr := commandsKey(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[key] = cmds
	s.notify()
	return true, nil
}

// commandsKey names the menu a setMyCommands or getMyCommands call
// addresses: its language code, for the default scope or one chat's.
func commandsKey(p params) (string, *apiError) {
	if p["scope"] == "" || p["scope"] == "null" {
		return p["language_code"], nil
	}
	var scope struct {
		Type   string `json:"type"`
		ChatID int64  `json:"chat_id"`
	}
	if err := json.Unmarshal([]byte(p["scope"]), &scope); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch scope.Type {
	case "default":
		return p["language_code"], nil
	case "chat":
		if scope.ChatID == 0 {
			return "", badRequest("chat not found")
		}
		return fmt.Sprintf("chat:%d|%s", scope.ChatID, p["language_code"]), nil
	}
	return "", badRequest("unsupported BotCommandScope type %q", scope.Type)
}

func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Server) getMyCommands(p params) (any, *apiError) {
	key, apiErr := commandsKey(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.commands[key]
	if out == nil {
		out = []wireBotCommand{}
	}
	return out, nil
}

func (s *Server) setWebhook(p params) (any, *apiError) {
	url := p["url"]
	sec := p["secret_token"]
	if url != "" && !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://127.0.0.1") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	if len(sec) > 256 || strings.ContainsFunc(sec, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	allowed, err := allowedUpdates(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.webhookSec = url, sec
	if allowed != nil {
		s.allowed = allowed
	}
	s.notify()
	return true, nil
}

func (s *Server) sendFile(p params, r *http.Request, kind string) (any, *apiError) {
	ok := p[kind] != ""
	if r.MultipartForm != nil && len(r.MultipartForm.File[kind]) > 0 {
		ok = true
	}
	if !ok {
		return nil, badRequest("there is no %s in the request", kind)
	}
	// The caption is parsed like a text (HTML when asked), but may be
	// empty and holds at most 1024 visible characters.
	caption, ents := p["caption"], []wireEntity(nil)
	if strings.EqualFold(p["parse_mode"], "html") {
		v, e, err := parseHTML(caption)
		if err != nil {
			return nil, badRequest("can't parse caption entities: %v", err)
		}
		caption, ents = v, e
	} else if p["parse_mode"] != "" {
		return nil, badRequest("unsupported parse_mode")
	}
	if utf16Len(caption) > 1024 {
		return nil, badRequest("message caption is too long")
	}
	var data []byte
	if r.MultipartForm != nil && len(r.MultipartForm.File[kind]) > 0 {
		f, err := r.MultipartForm.File[kind][0].Open()
		if err != nil {
			return nil, badRequest("can't read the uploaded %s", kind)
		}
		data, err = io.ReadAll(f)
		f.Close()
		if err != nil || len(data) == 0 {
			return nil, badRequest("the uploaded %s is empty", kind)
		}
	}
	s.mu.Lock()
	chatID, apiErr := s.chatOf(p)
	if apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	if apiErr := s.allow(chatID, p.paid(), time.Now()); apiErr != nil {
		s.mu.Unlock()
		return nil, apiErr
	}
	m := &Message{ChatID: chatID, ID: s.newMessageID(chatID), Kind: kind, Text: caption, Raw: p["caption"], ParseMode: p["parse_mode"], File: data, Sent: time.Now()}
	m.Entities = entitiesOf(ents)
	m.ReplyTo, _ = strconv.Atoi(p["reply_to_message_id"])
	return s.recordSent(m)
}

func (s *Server) getFile(p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[p["file_id"]]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	return f, nil
}

// allowedUpdates reads the allowed_updates parameter (a JSON list of
// update types); nil when absent, which keeps the previous setting.
func allowedUpdates(p params) (map[string]bool, *apiError) {
	raw, ok := p["allowed_updates"]
	if !ok || raw == "" {
		return nil, nil
	}
	var types []string
	if err := json.Unmarshal([]byte(raw), &types); err != nil {
		return nil, badRequest("can't parse allowed_updates: %v", err)
	}
	out := map[string]bool{} // empty: every type again
	for _, t := range types {
		out[t] = true
	}
	return out, nil
}

// typeOf names an update's type as allowed_updates does.
func (u wireUpdate) typeOf() string {
	switch {
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	}
	return "message"
}
