package discord

import (
	"context"
	"crypto/ed25519"
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
	"consultbot/flows"
	"consultbot/organiser"
)

// Handler is what the adapter needs from the engine.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error)
}

// speaker is what a Handler may also tell: the language a person's
// conversation speaks, for the notices the adapter writes on its own;
// *bot.Engine does.
type speaker interface {
	Lang(participant string) string
}

// Options configures an Adapter.
type Options struct {
	// Token is the bot token from the Developer Portal, without "Bot ".
	Token string
	// ApplicationID is the application's id (also the bot user's id).
	ApplicationID string
	// APIBase replaces "https://discord.com/api/v9" in every REST call, for
	// a self-hosted proxy or the fake in discordtest ("http://127.0.0.1:PORT/api/v9").
	// The gateway URL is whatever the API's /gateway returns.
	APIBase string
	// GuildIDs are the guilds where slash commands are registered; none
	// means globally (which Discord takes up to an hour to propagate).
	// When not empty they are also the only guilds the bot serves:
	// interactions from any other guild are refused with a short
	// ephemeral note and nothing is applied. Direct messages are always
	// served.
	GuildIDs []string
	// OrganiserChannelIDs and OrganiserRoleIDs say who may run the
	// organiser commands: anyone in one of those channels, or any member
	// with one of those roles.
	OrganiserChannelIDs []string
	OrganiserRoleIDs    []string
	// Organiser takes the organiser commands; nil leaves them
	// unregistered.
	Organiser Organiser
	// Questionnaire gives /synthese its theme choices; nil offers none.
	Questionnaire *flows.Questionnaire
	// IDKey keys the participant ids (bot.ParticipantID), so that no
	// Discord user id is stored. A secret: it never appears in logs.
	IDKey []byte
	// PublicKey is the application's public key (Developer Portal,
	// General Information), which checks the signature of every request
	// to the interactions endpoint (InteractionsHandler).
	PublicKey ed25519.PublicKey
	// InteractionsListen, when set, is where ServeInteractions listens
	// ("127.0.0.1:8081"), serving InteractionsPath (default
	// "/interactions").
	InteractionsListen string
	InteractionsPath   string
	// MaxAnswerLen caps the modal's text input (Discord's own cap is 4000).
	MaxAnswerLen int
	// HandleTimeout bounds one event's commit. Default 10 s.
	HandleTimeout time.Duration
	// Logger receives the adapter's logs. Default slog.Default().
	Logger *slog.Logger
	// Observer learns of every REST call and of the gateway coming up or
	// down (metrics, readiness); nil observes nothing.
	Observer bot.Observer
}

// Validate reports every problem of the options at once.
func (o Options) Validate() error {
	var errs []error
	if o.Token == "" {
		errs = append(errs, errors.New("discord: token is empty"))
	}
	if strings.HasPrefix(o.Token, "Bot ") {
		errs = append(errs, errors.New(`discord: token must not start with "Bot "`))
	}
	if !isSnowflake(o.ApplicationID) {
		errs = append(errs, fmt.Errorf("discord: application id %q is not a Discord id", o.ApplicationID))
	}
	for _, g := range o.GuildIDs {
		if !isSnowflake(g) {
			errs = append(errs, fmt.Errorf("discord: guild id %q is not a Discord id", g))
		}
	}
	if o.APIBase != "" {
		if u, err := url.Parse(o.APIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("discord: api base %q is not an http(s) URL", o.APIBase))
		}
	}
	if o.InteractionsListen != "" && len(o.PublicKey) != ed25519.PublicKeySize {
		errs = append(errs, fmt.Errorf("discord: the interactions endpoint needs the application's public key (%d bytes, got %d)", ed25519.PublicKeySize, len(o.PublicKey)))
	}
	if p := o.InteractionsPath; p != "" && !strings.HasPrefix(p, "/") {
		errs = append(errs, fmt.Errorf("discord: interactions path %q does not start with /", p))
	}
	if o.MaxAnswerLen < 0 {
		errs = append(errs, fmt.Errorf("discord: max answer length %d is negative", o.MaxAnswerLen))
	}
	return errors.Join(errs...)
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Organiser takes the organisers' commands; *organiser.Service
// implements it. The adapter says who invoked a command and where; the
// Service decides, runs it in the background and posts its answer through
// the engine's outbox, laid out by Layout.
type Organiser interface {
	Submit(ctx context.Context, req organiser.Request) (organiser.Outcome, error)
}

// Adapter is the Discord channel: it feeds the engine from the gateway and,
// as a bot.Sender, delivers the engine's replies.
type Adapter struct {
	h    Handler
	opts Options
	log  *slog.Logger
	dg   *discordgo.Session

	// base is the context of event handling, set by Run.
	baseMu sync.Mutex
	base   context.Context
	lanes  map[string]*lane
	wg     sync.WaitGroup
	// ixWG counts the commits the interactions endpoint started
	// (endpoint.go); ServeInteractions waits for them.
	ixWG sync.WaitGroup

	mu       sync.Mutex
	dmByUser map[string]string // user id → DM channel id
	// low keeps reminders and announcements to the rate live replies
	// leave (low.go).
	low    lowGate
	locale map[string]string // participant → last client locale seen
	// lang holds, by participant, the language of the last reply sent
	// to them, the conversation's: the notices the adapter sends on its
	// own are written in it (see langOf).
	lang     map[string]string
	progress bot.Progress // messages of each reply already delivered
	// acks holds, by token, the interactions this process acknowledged
	// in the last 15 minutes, so that their replies wait for the
	// acknowledgement (see waitAcked).
	acks map[string]*ackWait
}

var _ bot.LineSender = (*Adapter)(nil)

// New builds an adapter; it does not touch the network until Run or Send.
func New(h Handler, opts Options) (*Adapter, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.HandleTimeout <= 0 {
		opts.HandleTimeout = 10 * time.Second
	}
	if opts.InteractionsPath == "" {
		opts.InteractionsPath = "/interactions"
	}
	if opts.MaxAnswerLen == 0 || opts.MaxAnswerLen > maxParagraph {
		opts.MaxAnswerLen = maxParagraph
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	dg, err := discordgo.New("Bot " + opts.Token)
	if err != nil {
		return nil, fmt.Errorf("new discord session: %w", err)
	}
	dg.Client = &http.Client{Timeout: 20 * time.Second, Transport: bot.ObserveRequests(bot.ChannelDiscord, opts.Observer, apiRoute, bot.FenceRequests(newTransport(opts.APIBase)))}
	dg.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsDirectMessages
	dg.StateEnabled = false
	// Handlers run in the gateway's reading goroutine, so that events keep
	// their order; they only queue work.
	dg.SyncEvents = true
	// Rate limits are waited out by the caller, under its context: the
	// ack loop, or the engine's outbox retry.
	dg.ShouldRetryOnRateLimit = false
	dg.LogLevel = discordgo.LogWarning
	a := &Adapter{
		h: h, opts: opts, log: logger.With("platform", bot.ChannelDiscord), dg: dg,
		base:     context.Background(),
		lanes:    map[string]*lane{},
		dmByUser: map[string]string{},
		locale:   map[string]string{},
		lang:     map[string]string{},

		acks: map[string]*ackWait{},
	}
	dg.AddHandler(a.onInteraction)
	dg.AddHandler(a.onRawInteraction)
	dg.AddHandler(a.onMessage)
	dg.AddHandler(a.onMessageUpdate)
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		a.log.Info("gateway ready", "guilds", len(r.Guilds))
		a.observer().Connected(bot.ChannelDiscord, true)
	})
	dg.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) { a.log.Info("gateway connected") })
	dg.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.log.Warn("gateway disconnected")
		a.observer().Connected(bot.ChannelDiscord, false)
	})
	dg.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		a.log.Info("gateway session resumed")
		a.observer().Connected(bot.ChannelDiscord, true)
	})
	return a, nil
}

// Run connects to the gateway, registers the slash commands and handles
// events until ctx ends; then it disconnects and waits for the events in
// hand to be committed.
func (a *Adapter) Run(ctx context.Context) error {
	a.baseMu.Lock()
	a.base = context.WithoutCancel(ctx)
	a.baseMu.Unlock()
	if err := a.dg.Open(); err != nil {
		return fmt.Errorf("open discord gateway: %w", sanitize(err))
	}
	regErr := a.registerCommands(ctx)
	if regErr != nil && ctx.Err() == nil {
		a.log.Error("register slash commands", "err", regErr)
	}
	if regErr == nil {
		<-ctx.Done()
	}
	if err := a.dg.Close(); err != nil {
		a.log.Warn("close gateway", "err", sanitize(err))
	}
	a.wg.Wait()
	if regErr != nil && ctx.Err() == nil {
		return regErr
	}
	return nil
}

// lane runs one participant's events in order.
type lane struct {
	jobs []func(context.Context)
}

// enqueue runs job after the participant's earlier jobs, in a goroutine
// that ends when the participant's lane is empty.
func (a *Adapter) enqueue(participant string, job func(context.Context)) {
	a.baseMu.Lock()
	defer a.baseMu.Unlock()
	l, ok := a.lanes[participant]
	if !ok {
		l = &lane{}
		a.lanes[participant] = l
		a.wg.Add(1)
		go a.runLane(participant, l, a.base)
	}
	l.jobs = append(l.jobs, job)
}

func (a *Adapter) runLane(participant string, l *lane, ctx context.Context) {
	defer a.wg.Done()
	for {
		a.baseMu.Lock()
		if len(l.jobs) == 0 {
			delete(a.lanes, participant)
			a.baseMu.Unlock()
			return
		}
		job := l.jobs[0]
		l.jobs = l.jobs[1:]
		a.baseMu.Unlock()
		job(ctx)
	}
}

// handle commits one inbound event, under the handle timeout.
func (a *Adapter) handle(ctx context.Context, in bot.Inbound) error {
	ctx, cancel := context.WithTimeout(ctx, a.opts.HandleTimeout)
	defer cancel()
	applied, err := a.h.Handle(ctx, in)
	if err != nil {
		return fmt.Errorf("handle %s: %w", in.ID, err)
	}
	if applied.Duplicate {
		a.log.Debug("duplicate event dropped", "event", in.ID)
	}
	return nil
}
