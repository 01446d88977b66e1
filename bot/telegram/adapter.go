package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
	"consultbot/organiser"
	"consultbot/secret"
)

// Modes of receiving updates.
const (
	ModePolling = "polling" // getUpdates long polling (the default)
	ModeWebhook = "webhook" // Telegram posts updates to an HTTP listener
)

// Handler applies one inbound event and returns once it is committed;
// *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error)
}

// Organiser takes the organisers' commands; *organiser.Service
// implements it. The adapter says who wrote and where; the Service
// decides, runs the command in the background and posts its answer
// through the engine's outbox, laid out by Layout.
type Organiser interface {
	Submit(ctx context.Context, req organiser.Request) (organiser.Outcome, error)
}

// Options configures an Adapter. Only Token is required.
type Options struct {
	// Token is the bot token from @BotFather. It is a secret: it never
	// appears in logs or errors.
	Token string
	// APIEndpoint is the base URL of the Bot API server, such as
	// "http://127.0.0.1:8081" for a self-hosted server or a test fake, or a
	// tgbotapi format string ("…/bot%s/%s"). Empty: api.telegram.org.
	APIEndpoint string
	// Mode is ModePolling (default) or ModeWebhook.
	Mode string
	// WebhookListen is where Run serves the webhook (webhook mode). Empty:
	// Run serves nothing and the caller mounts WebhookHandler itself.
	WebhookListen string
	// WebhookURL is the public URL given to setWebhook (webhook mode).
	WebhookURL string
	// WebhookSecret is the secret Telegram sends back in the
	// X-Telegram-Bot-Api-Secret-Token header (webhook mode, required).
	WebhookSecret string
	// OrganiserChats are the organisers' group chats, which are not told
	// to talk privately.
	OrganiserChats []int64
	// OrganiserUsers are organisers wherever they write to the bot (in a
	// private chat, or in a group addressing it). Everyone in an
	// OrganiserChats chat is an organiser too.
	OrganiserUsers []int64
	// Organiser takes the organiser commands (/synthese, /stats,
	// /masquer…); nil leaves them to the conversation, which does not
	// know them.
	Organiser Organiser
	// AllowedChats, when not empty, are the only group chats the bot
	// answers in (with OrganiserChats); other groups get nothing. Private
	// chats are always allowed.
	AllowedChats []int64
	// IDKey keys the participant ids (bot.ParticipantID), so that no
	// Telegram user id is stored. A secret: it never appears in logs.
	IDKey []byte
	// Limits bound the sending rate; zero fields take Telegram's limits.
	Limits Limits
	// Paid turns paid broadcasts on, within a daily budget (see Paid);
	// the zero value keeps them off.
	Paid Paid
	// PollTimeout is the getUpdates long-poll timeout (default 25 s).
	PollTimeout time.Duration
	// ProbeWait is how long an announcement interrupted by a stop waits,
	// after the restart, for a message id newer than its claim before
	// its probe tries the whole cap instead (settle.go); zero:
	// DefaultProbeWait.
	ProbeWait time.Duration
	// ReplyHold is how long a reply waits for its chat's interrupted
	// announcement to be settled before it goes first (settle.go); zero:
	// DefaultReplyHold. Keep it below ProbeWait: the reply's id then
	// bounds the probe, and a reply never waits for a probe of the whole
	// cap.
	ReplyHold time.Duration
	// Logger receives the adapter's logs; nil discards them.
	Logger *slog.Logger
	// Observer learns of every Bot API call and of the link to Telegram
	// coming up or down (metrics, readiness); nil observes nothing.
	Observer bot.Observer
}

// Limits are the client-side sending limits, kept at or below Telegram's.
type Limits struct {
	GlobalRate         float64 // messages per second overall (30)
	ChatRate           float64 // messages per second in one chat (1)
	ChatBurst          int     // messages one chat may receive at once (2)
	GroupRatePerMinute float64 // messages per minute in one group (20)
}

// withDefaults replaces what is not a positive rate; "!(x > 0)" also
// catches NaN.
func (l Limits) withDefaults() Limits {
	if !(l.GlobalRate > 0) {
		l.GlobalRate = 30
	}
	if !(l.ChatRate > 0) {
		l.ChatRate = 1
	}
	if l.ChatBurst <= 0 {
		l.ChatBurst = 2
	}
	if !(l.GroupRatePerMinute > 0) {
		l.GroupRatePerMinute = 20
	}
	return l
}

// Validate reports every problem of the options at once.
func (o Options) Validate() error {
	var errs []error
	if o.Token == "" {
		errs = append(errs, errors.New("telegram token is empty"))
	}
	switch o.Mode {
	case "", ModePolling:
	case ModeWebhook:
		if o.WebhookURL == "" {
			errs = append(errs, errors.New("telegram webhook mode needs a webhook URL"))
		}
		if !validSecret(o.WebhookSecret) {
			errs = append(errs, errors.New("telegram webhook secret must be 1-256 characters of A-Z a-z 0-9 _ -"))
		}
	default:
		errs = append(errs, fmt.Errorf("telegram mode %q is neither %q nor %q", o.Mode, ModePolling, ModeWebhook))
	}
	switch {
	case o.Paid.MessagesPerDay < 0:
		errs = append(errs, errors.New("telegram paid broadcast budget is negative"))
	case o.Paid.MessagesPerDay > 0 && o.Paid.Ledger == nil:
		errs = append(errs, errors.New("telegram paid broadcasts need a ledger to keep the day's spend"))
	}
	return errors.Join(errs...)
}

func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Adapter connects the Telegram bot to the engine: Run receives updates
// and hands them to the Handler; Send delivers the engine's replies. It
// implements bot.Sender for bot.ChannelTelegram.
type Adapter struct {
	opts       Options
	h          Handler
	log        *slog.Logger
	api        *tgbotapi.BotAPI // template: requests go through call
	client     *http.Client
	username   string
	organisers map[int64]bool
	orgUsers   map[int64]bool
	allowed    map[int64]bool // group chats answered; nil: every group
	lim        *limiter
	redact     *secret.Redactor // the token and webhook secret

	progress bot.Progress // messages of each reply already delivered
	ids      msgIDs       // private-chat message ids seen (settle.go)
	gate     *chatGate    // one lane at a time per private chat (settle.go)
}

var _ bot.Sender = (*Adapter)(nil)

// New checks the options, connects to the Bot API (getMe) and returns an
// adapter that hands updates to h.
func New(ctx context.Context, h Handler, opts Options) (*Adapter, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("telegram options: %w", err)
	}
	if opts.Mode == "" {
		opts.Mode = ModePolling
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 25 * time.Second
	}
	if opts.ProbeWait <= 0 {
		opts.ProbeWait = DefaultProbeWait
	}
	if opts.ReplyHold <= 0 {
		opts.ReplyHold = DefaultReplyHold
	}
	opts.Limits = opts.Limits.withDefaults()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	endpoint := opts.APIEndpoint
	switch {
	case endpoint == "":
		endpoint = tgbotapi.APIEndpoint
	case !strings.Contains(endpoint, "%s"):
		endpoint = strings.TrimRight(endpoint, "/") + "/bot%s/%s"
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	a := &Adapter{
		opts: opts,
		h:    h,
		log:  logger.With("platform", bot.ChannelTelegram),
		// The timeout bounds a hung request; it exceeds the long poll,
		// which ends on its own after PollTimeout.
		client:     &http.Client{Transport: bot.ObserveRequests(bot.ChannelTelegram, opts.Observer, apiMethod, bot.FenceRequests(transport)), Timeout: opts.PollTimeout + 15*time.Second},
		organisers: map[int64]bool{},
		lim:        newLimiter(opts.Limits),
		redact:     secret.NewRedactor(opts.Token, opts.WebhookSecret),
	}
	a.gate = newChatGate(a.log, a.chatAttr, opts.ReplyHold)
	if opts.Paid.MessagesPerDay > 0 {
		a.lim.paid = &paidLane{window: newWindow(PaidRate, PaidRate), budget: newBudget(ctx, opts.Paid, a.log)}
	}
	for _, id := range opts.OrganiserChats {
		a.organisers[id] = true
	}
	a.orgUsers = map[int64]bool{}
	for _, id := range opts.OrganiserUsers {
		a.orgUsers[id] = true
	}
	if len(opts.AllowedChats) > 0 {
		a.allowed = map[int64]bool{}
		for _, id := range append(opts.AllowedChats, opts.OrganiserChats...) {
			a.allowed[id] = true
		}
	}
	api, err := tgbotapi.NewBotAPIWithClient(opts.Token, endpoint, ctxClient{ctx: ctx, c: a.client, token: opts.Token})
	if err != nil {
		return nil, fmt.Errorf("connect to telegram: %w", a.clean(err))
	}
	a.api = api
	a.username = api.Self.UserName
	a.log.Info("connected to telegram", "bot", a.username)
	return a, nil
}

// Username is the bot's username, as getMe reported it.
func (a *Adapter) Username() string { return a.username }

// ctxClient gives every request of the SDK, which takes no context, the
// context of the call that made it, so cancelling it aborts a long poll.
// It reads the answers itself (readAnswer, readError), so that errors
// carry the method, the status and what the body said.
type ctxClient struct {
	ctx   context.Context
	c     *http.Client
	token string
}

func (c ctxClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.c.Do(r.WithContext(c.ctx))
	switch {
	case err != nil:
		return nil, err
	case resp.StatusCode/100 == 2:
		return readAnswer(r, resp, c.token)
	}
	return nil, readError(r, resp, c.token)
}

// bot returns a copy of the SDK client whose requests carry ctx.
func (a *Adapter) bot(ctx context.Context) *tgbotapi.BotAPI {
	b := *a.api
	b.Client = ctxClient{ctx: ctx, c: a.client, token: a.opts.Token}
	return &b
}

// request performs one API call with ctx; its error never holds the token.
func (a *Adapter) request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	resp, err := a.bot(ctx).Request(c)
	return resp, a.clean(err)
}

// rawRequest calls method with params, for what the SDK's configs lack.
func (a *Adapter) rawRequest(ctx context.Context, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	resp, err := a.bot(ctx).MakeRequest(method, params)
	return resp, a.clean(err)
}

// cleanError is an error whose text had the token removed. It unwraps to
// the cause's cause (a *url.Error's Err), which carries no URL.
type cleanError struct {
	msg   string
	cause error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.cause }

// clean removes the token from err, in every form: transport errors
// (*url.Error) quote the request URL, which contains it, escaped by
// net/http or, when the URL does not even parse (a token pasted with a
// carriage return), with %q escapes. Every error of the SDK client goes
// through here.
func (a *Adapter) clean(err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	var he *httpError
	if errors.As(err, &te) || errors.As(err, &he) {
		return err // built from the answer, without the URL
	}
	return &cleanError{msg: a.redact.String(err.Error()), cause: errors.Unwrap(err)}
}

// Run sets the command menu and receives updates until ctx ends: by long
// polling, or in webhook mode by registering the webhook (Lead) and
// serving it when WebhookListen is set (ServeWebhook). It returns nil once
// ctx ends.
func (a *Adapter) Run(ctx context.Context) error {
	if a.opts.Mode == ModeWebhook {
		if err := a.setWebhook(ctx); err != nil || ctx.Err() != nil {
			return err
		}
	}
	menus := make(chan struct{})
	go func() {
		defer close(menus)
		a.setMenus(ctx)
	}()
	defer func() { <-menus }()
	if a.opts.Mode == ModeWebhook {
		return a.ServeWebhook(ctx)
	}
	if _, err := a.request(ctx, tgbotapi.DeleteWebhookConfig{}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("delete telegram webhook before polling: %w", err)
	}
	// Telegram answered: up, until a long poll fails.
	a.observer().Connected(bot.ChannelTelegram, true)
	return a.poll(ctx)
}

// setMenus sets the command menus; a missing menu is cosmetic (the
// commands still work), so failures are only logged.
func (a *Adapter) setMenus(ctx context.Context) {
	if err := a.setCommands(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("set command menu", "err", err)
	}
	if err := a.setOrganiserMenus(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("set organiser command menus", "err", err)
	}
}

// retryDelay doubles d up to a few seconds.
func retryDelay(d time.Duration) time.Duration {
	return min(max(2*d, 100*time.Millisecond), 5*time.Second)
}
