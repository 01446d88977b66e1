package discordtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const gatewayPath = "/gateway-ws/"

// gateway is the state of the bot's gateway session; guarded by Server.mu.
type gateway struct {
	sessionID  string
	seq        int64
	sent       []frame    // dispatched in this session, for RESUME
	pending    []dispatch // not yet sent on any connection
	conn       *gwConn    // the identified or resumed connection
	conns      []*gwConn
	identifies int
	resumes    int
	intents    int
}

type dispatch struct {
	t string
	d json.RawMessage
}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

type gwConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

func (c *gwConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (g *gateway) allConns() []*gwConn {
	out := g.conns
	g.conns = nil
	return out
}

func (s *Server) gatewayURL() string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + gatewayPath
}

// Identifies counts the IDENTIFY packets received.
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.identifies
}

// Resumes counts the successful RESUMEs.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.resumes
}

// Intents is the intents bit set of the last IDENTIFY.
func (s *Server) Intents() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.intents
}

// Connected reports whether a gateway session is live on a connection.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.conn != nil
}

// WaitConnected waits until the bot has identified or resumed.
func (s *Server) WaitConnected(timeout time.Duration) error {
	return s.Wait(timeout, s.Connected)
}

// Reconnect asks the bot to reconnect (op 7). Dispatches made until it has
// resumed are queued, and those it had not processed are replayed on
// RESUME.
func (s *Server) Reconnect() error {
	s.mu.Lock()
	c := s.gw.conn
	s.gw.conn = nil
	s.notify()
	s.mu.Unlock()
	if c == nil {
		return errors.New("discordtest: no gateway connection")
	}
	return c.write(map[string]any{"op": 7, "d": nil})
}

// InvalidateSession sends op 9 (invalid session, not resumable): the bot
// must identify again and gets a new session.
func (s *Server) InvalidateSession() error {
	s.mu.Lock()
	c := s.gw.conn
	s.gw.conn = nil
	s.gw.sessionID = ""
	s.notify()
	s.mu.Unlock()
	if c == nil {
		return errors.New("discordtest: no gateway connection")
	}
	return c.write(map[string]any{"op": 9, "d": false})
}

// Dispatch sends the bot an event of type t with data d, as Discord does
// for event types the fake does not model (a new type Discord added, say),
// to see how the bot copes with it.
func (s *Server) Dispatch(t string, d any) { s.dispatch(t, d) }

// dispatch queues an event for the bot and sends it if a session is live.
func (s *Server) dispatch(t string, d any) {
	raw, _ := json.Marshal(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.pending = append(s.gw.pending, dispatch{t: t, d: raw})
	s.flushLocked()
}

// flushLocked sends the pending dispatches on the live connection.
func (s *Server) flushLocked() {
	c := s.gw.conn
	if c == nil {
		return
	}
	for len(s.gw.pending) > 0 {
		d := s.gw.pending[0]
		s.gw.pending = s.gw.pending[1:]
		f := s.frameLocked(d.t, d.d)
		if err := c.write(f); err != nil {
			// The frame stays in sent: a RESUME replays it.
			s.gw.conn = nil
			return
		}
	}
}

func (s *Server) frameLocked(t string, d json.RawMessage) frame {
	s.gw.seq++
	seq := s.gw.seq
	f := frame{Op: 0, D: d, S: &seq, T: &t}
	s.gw.sent = append(s.gw.sent, f)
	return f
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	s.gw.conns = append(s.gw.conns, c)
	s.mu.Unlock()
	defer func() {
		ws.Close()
		s.mu.Lock()
		if s.gw.conn == c {
			s.gw.conn = nil
			s.notify()
		}
		s.mu.Unlock()
	}()
	if q.Get("v") != "9" || q.Get("encoding") != "json" {
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4012, "Invalid API version"))
		return
	}
	hello := map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}, "s": nil, "t": nil}
	if err := c.write(hello); err != nil {
		return
	}
	for {
		var in struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := ws.ReadJSON(&in); err != nil {
			return
		}
		switch in.Op {
		case 1:
			if err := c.write(map[string]any{"op": 11}); err != nil {
				return
			}
		case 2:
			if !s.identify(c, in.D) {
				return
			}
		case 6:
			s.resume(c, in.D)
		}
	}
}

func (s *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var d struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	_ = json.Unmarshal(raw, &d)
	if strings.TrimPrefix(d.Token, "Bot ") != s.Token {
		c.wmu.Lock()
		_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		c.wmu.Unlock()
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.identifies++
	s.gw.intents = d.Intents
	s.gw.sessionID = randomToken()[:32]
	s.gw.seq = 0
	s.gw.sent = nil
	ready, _ := json.Marshal(map[string]any{
		"v": 9, "user": s.botUser(), "session_id": s.gw.sessionID,
		"resume_gateway_url": strings.TrimSuffix(s.gatewayURL(), "/"),
		"shard":              []int{0, 1},
		"application":        map[string]any{"id": s.AppID, "flags": 0},
		"guilds":             []any{map[string]any{"id": s.GuildID, "unavailable": true}},
		"private_channels":   []any{},
	})
	if err := c.write(s.frameLocked("READY", ready)); err != nil {
		return false
	}
	s.gw.conn = c
	s.notify()
	s.flushLocked()
	return true
}

func (s *Server) resume(c *gwConn, raw json.RawMessage) {
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(raw, &d)
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.SessionID == "" || d.SessionID != s.gw.sessionID || strings.TrimPrefix(d.Token, "Bot ") != s.Token {
		_ = c.write(map[string]any{"op": 9, "d": false})
		return
	}
	for _, f := range s.gw.sent {
		if *f.S > d.Seq {
			if err := c.write(f); err != nil {
				return
			}
		}
	}
	t := "RESUMED"
	seq := s.gw.seq
	if err := c.write(frame{Op: 0, D: json.RawMessage(`{}`), S: &seq, T: &t}); err != nil {
		return
	}
	s.gw.resumes++
	s.gw.conn = c
	s.notify()
	s.flushLocked()
}
