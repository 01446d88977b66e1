package discordtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"consultbot/internal/fault"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token the fake accepts ("Bot " + Token in the
	// Authorization header). Default "test-token".
	Token string
	// TokenLife is how long an interaction token accepts follow-ups and
	// edits. Default 15 minutes, as on Discord.
	TokenLife time.Duration
	// AckDeadline is how long an interaction waits for its callback.
	// Default 3 seconds, as on Discord.
	AckDeadline time.Duration
	// HeartbeatInterval is announced in HELLO. Default 41.25 s.
	HeartbeatInterval time.Duration
	// OnCreate, when set, is called (without any lock held) each time
	// the bot creates a message in a channel or a direct message, after
	// the fake recorded it and before it answers: a test can hold the
	// answer there, as a kill after Discord created the message.
	OnCreate func(Message)
	// OnRoute, when set, is called (without any lock held) with the
	// route of each REST request (the Route constants, else its method
	// and path), before the fake handles it: a test can hold a request
	// there, before it takes effect, as a slow network does.
	OnRoute func(route string)
	// NonceWindow is how long a message created with enforce_nonce keeps
	// its nonce: within it, a create by the same author with the same
	// nonce returns that message and creates none. Discord says "the
	// past few minutes"; default 2 minutes.
	NonceWindow time.Duration
	// Faults makes a share of the bot's interaction callbacks, follow-ups,
	// channel messages, edits and direct-message openings fail at random
	// (500, 502 with an HTML page, timeouts, broken JSON, reset
	// connections), from a seed. Faults().Always makes every request of
	// one route fail (see the Route constants).
	Faults fault.Options
}

// Server is a fake Discord: REST API under /api/v9 and a gateway websocket,
// on 127.0.0.1. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the fake, "http://127.0.0.1:PORT"; the REST
	// API lives under URL + "/api/v9".
	URL string
	// AppID is the application id, which is also the bot user's id.
	AppID string
	// Token is the bot token without its "Bot " prefix.
	Token string
	// GuildID and ChannelID are the guild and text channel users meet the
	// bot in by default.
	GuildID   string
	ChannelID string

	opts     Options
	http     *httptest.Server
	upgrader websocket.Upgrader
	idSeq    atomic.Uint64

	mu           sync.Mutex
	changed      chan struct{}
	users        map[string]*User
	dmByUser     map[string]string
	dmUser       map[string]string
	interactions map[string]*interaction
	byToken      map[string]*interaction
	messages     []*Message
	msgByID      map[string]*Message
	userMsgs     map[string][]*Message // visible messages per recipient, in order
	userChanged  map[string]chan struct{}
	modals       map[string]Modal // by user id: the last modal opened
	acks         []Ack
	commands     map[string][]Command // by guild id, "" global
	requests     []Request            // JSON requests received, in order
	channels     map[string]bool      // guild text channels added by AddChannel
	limits       []*limitRule
	rateLimited  int
	calls        map[string]int // REST requests received, by route name
	rejected     []string
	early        int               // webhook requests that came before the endpoint's response
	closedDMs    map[string]bool   // users who accept no direct message (CloseDMs)
	attachments  map[string][]byte // by path under attachmentsPath
	fetches      int               // downloads of attachments
	lastAttached map[string]string // channel id → URL of the last attachment
	order        int
	gw           gateway
	faults       *fault.Injector
	endpoint     *endpoint           // nil: interactions come through the gateway
	nonces       map[string]*Message // enforced nonces of the bot's messages, by nonce
	nonceHits    int                 // creates answered with an existing message
}

type interaction struct {
	id, token string
	kind      int
	user      User
	place     Place
	created   time.Time
	acked     bool
	ackType   int
	posting   bool // posted to the interactions endpoint, response not in yet
	expired   bool
	payload   map[string]any
}

type limitRule struct {
	method, prefix string
	n              int
	retryAfter     time.Duration
	global         bool
}

// NewServer starts a fake Discord on 127.0.0.1. Close it when done.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.TokenLife == 0 {
		opts.TokenLife = 15 * time.Minute
	}
	if opts.AckDeadline == 0 {
		opts.AckDeadline = 3 * time.Second
	}
	if opts.NonceWindow == 0 {
		opts.NonceWindow = 2 * time.Minute
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	s := &Server{
		Token:        opts.Token,
		opts:         opts,
		changed:      make(chan struct{}),
		users:        map[string]*User{},
		dmByUser:     map[string]string{},
		dmUser:       map[string]string{},
		interactions: map[string]*interaction{},
		byToken:      map[string]*interaction{},
		msgByID:      map[string]*Message{},
		userMsgs:     map[string][]*Message{},
		userChanged:  map[string]chan struct{}{},
		modals:       map[string]Modal{},
		commands:     map[string][]Command{},
		channels:     map[string]bool{},
		calls:        map[string]int{},
		faults:       fault.New(opts.Faults),
		nonces:       map[string]*Message{},
	}
	s.AppID = s.newID()
	s.GuildID = s.newID()
	s.ChannelID = s.newID()
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.http.URL
	return s
}

// Close shuts the gateway connections and the HTTP server down.
func (s *Server) Close() {
	s.faults.Close()
	s.mu.Lock()
	conns := s.gw.allConns()
	s.gw.conn = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.http.Close()
}

// discordEpoch is the first millisecond of 2015, the origin of snowflakes.
const discordEpoch = 1420070400000

// newID returns a fresh snowflake whose timestamp is now.
func (s *Server) newID() string {
	n := s.idSeq.Add(1)
	ms := uint64(time.Now().UnixMilli() - discordEpoch)
	return strconv.FormatUint(ms<<22|(n&0x3fffff), 10)
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "aW50ZXJhY3Rpb24" + hex.EncodeToString(b)
}

// notify wakes every waiter; callers hold s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// notifyUserLocked wakes the waiters on one user's messages and modals.
func (s *Server) notifyUserLocked(userID string) {
	if ch, ok := s.userChanged[userID]; ok {
		close(ch)
		delete(s.userChanged, userID)
	}
}

// WaitUser blocks until cond holds for what userID sees, evaluated after
// each change to it, or timeout passes; it returns the messages last seen.
// Unlike Wait it wakes only for that user, so that many simulated users
// can wait at once.
func (s *Server) WaitUser(userID string, timeout time.Duration, cond func([]Message) bool) ([]Message, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs := s.messagesLocked(userID)
		ch, ok := s.userChanged[userID]
		if !ok {
			ch = make(chan struct{})
			s.userChanged[userID] = ch
		}
		s.mu.Unlock()
		if cond(msgs) {
			return msgs, nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return s.Messages(userID), fmt.Errorf("discordtest: condition on %s's messages not met within %v", userID, timeout)
		}
	}
}

// WaitModal waits until a modal is open for userID.
func (s *Server) WaitModal(userID string, timeout time.Duration) (Modal, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		m, ok := s.modals[userID]
		ch, chOK := s.userChanged[userID]
		if !chOK {
			ch = make(chan struct{})
			s.userChanged[userID] = ch
		}
		s.mu.Unlock()
		if ok {
			return m, nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return Modal{}, fmt.Errorf("discordtest: no modal opened for %s within %v", userID, timeout)
		}
	}
}

// Wait blocks until cond, evaluated under the server's lock after every
// change, holds or timeout passes.
func (s *Server) Wait(timeout time.Duration, cond func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			if cond() {
				return nil
			}
			return fmt.Errorf("discordtest: condition not met within %v", timeout)
		}
	}
}

// RateLimit makes the next n requests whose method and path (after
// /api/v9) start with route answer 429 with retry_after, for example
// RateLimit("POST /webhooks/", 2, 50*time.Millisecond, false). A global
// limit carries X-RateLimit-Global. Method "*" matches any method.
func (s *Server) RateLimit(route string, n int, retryAfter time.Duration, global bool) {
	method, prefix, _ := strings.Cut(route, " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &limitRule{method: method, prefix: prefix, n: n, retryAfter: retryAfter, global: global})
}

// Calls counts the REST requests received on a route, named as for
// fault injection: one of the Route constants (RouteEditFollowUp
// includes the edits of @original), or the method and path with ids
// folded away.
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

// NonceHits counts the message creates that carried an enforced nonce
// the bot had used within the window, and got that message back instead
// of a new one.
func (s *Server) NonceHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nonceHits
}

// Early counts the follow-ups and edits refused because they came while
// the interactions endpoint's response to their interaction was still on
// its way (404 Unknown Webhook, as on Discord): the bot tries them again.
func (s *Server) Early() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.early
}

// RateLimited counts the 429 responses served.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited
}

// Rejected lists the requests refused as invalid (4xx other than 429),
// each as "METHOD path: reason", so that a test can assert the bot never
// broke a rule.
func (s *Server) Rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rejected)
}

// NewUser registers a simulated user with the given client locale.
func (s *Server) NewUser(name, locale string) User {
	u := User{ID: s.newID(), Name: name, Locale: locale}
	s.mu.Lock()
	s.users[u.ID] = &u
	s.mu.Unlock()
	return u
}

// Guild is the default guild text channel.
func (s *Server) Guild() Place { return Place{GuildID: s.GuildID, ChannelID: s.ChannelID} }

// AddChannel adds another text channel to the guild (an organisers'
// channel, say) and returns it.
func (s *Server) AddChannel() Place {
	id := s.newID()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = true
	return Place{GuildID: s.GuildID, ChannelID: id}
}

// ChannelMessages lists the bot's non-ephemeral messages in a guild
// channel, in the order they appeared.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.ChannelID == channelID && m.GuildID != "" && !m.Ephemeral && !m.deferred {
			out = append(out, *m)
		}
	}
	slices.SortStableFunc(out, func(a, b Message) int { return a.order - b.order })
	return out
}

// DM is the direct-message channel between u and the bot, created on
// first use as Discord does.
func (s *Server) DM(u User) Place {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Place{ChannelID: s.dmChannelLocked(u.ID)}
}

func (s *Server) dmChannelLocked(userID string) string {
	if id, ok := s.dmByUser[userID]; ok {
		return id
	}
	id := s.newID()
	s.dmByUser[userID] = id
	s.dmUser[id] = userID
	return id
}

// Messages lists what userID sees from the bot: its ephemeral messages and
// the messages of its direct-message channel, in the order they appeared.
// A deferred response still "thinking" is left out.
func (s *Server) Messages(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(userID)
}

func (s *Server) messagesLocked(userID string) []Message {
	ms := s.userMsgs[userID]
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out
}

// PublicMessages lists the bot's non-ephemeral messages in guild channels,
// which every member sees.
func (s *Server) PublicMessages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.GuildID != "" && !m.Ephemeral && !m.deferred {
			out = append(out, *m)
		}
	}
	return out
}

// WaitMessages waits until userID sees at least n messages and returns
// them all.
func (s *Server) WaitMessages(userID string, n int, timeout time.Duration) ([]Message, error) {
	got, err := s.WaitUser(userID, timeout, func(ms []Message) bool { return len(ms) >= n })
	if err != nil {
		return got, fmt.Errorf("discordtest: user %s saw %d messages, want %d: %w", userID, len(got), n, err)
	}
	return got, nil
}

// Modal returns the last modal opened for userID.
func (s *Server) Modal(userID string) (Modal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.modals[userID]
	return m, ok
}

// Acks lists the first callback of every acknowledged interaction.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acks)
}

// WaitAck waits for the callback of the interaction.
func (s *Server) WaitAck(interactionID string, timeout time.Duration) (Ack, error) {
	var ack Ack
	err := s.Wait(timeout, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, a := range s.acks {
			if a.InteractionID == interactionID {
				ack = a
				return true
			}
		}
		return false
	})
	if err != nil {
		return ack, fmt.Errorf("discordtest: interaction %s not acknowledged: %w", interactionID, err)
	}
	return ack, nil
}

// Unacknowledged lists the interactions that never got a callback.
func (s *Server) Unacknowledged() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, ix := range s.interactions {
		if !ix.acked {
			ids = append(ids, id)
		}
	}
	return ids
}

// ExpireInteraction ends the life of an interaction's token, as 15
// minutes would: follow-ups and edits then get 404 Unknown Webhook.
func (s *Server) ExpireInteraction(interactionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix, ok := s.interactions[interactionID]; ok {
		ix.expired = true
	}
}

// Commands lists the commands registered in a guild, or the global ones
// when guildID is "".
func (s *Server) Commands(guildID string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[guildID])
}

// WaitCommands waits until at least one command is registered in guildID.
func (s *Server) WaitCommands(guildID string, timeout time.Duration) ([]Command, error) {
	var got []Command
	err := s.Wait(timeout, func() bool {
		got = s.Commands(guildID)
		return len(got) > 0
	})
	return got, err
}
