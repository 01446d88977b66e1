package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Request is one command for the running bot.
type Request struct {
	// Op names the Handler.
	Op string `json:"op"`
	// Params are the command's flags. They may hold a secret (the export's
	// pseudonym key): a Handler never logs them.
	Params map[string]string `json:"params,omitempty"`
}

// Handler answers one request: it writes the answer's bytes to w and
// returns a one-line summary for the person who asked, or an error.
// ctx ends when the server closes or the client goes away.
type Handler func(ctx context.Context, params map[string]string, w io.Writer) (summary string, err error)

// maxRequest bounds the request line.
const maxRequest = 64 << 10

// Server serves the admin socket of one database.
type Server struct {
	path     string
	sock     fs.FileInfo // the socket file Listen put in place
	ln       *net.UnixListener
	handlers map[string]Handler
	log      *slog.Logger
	uid      int

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Listen creates the socket at path, mode 0600, and serves handlers on it
// until Close. The directory must be safe (see checkDir); a socket left at
// path by a bot that was killed is replaced, anything else there is
// refused. The caller must hold the database's lock: one bot per database.
func Listen(path string, handlers map[string]Handler, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := checkLength(path); err != nil {
		return nil, err
	}
	uid := os.Geteuid()
	if err := checkDir(filepath.Dir(path), uid); err != nil {
		return nil, err
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	dir, err := bindDir(path)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	// The socket goes away with Close, by its final name (see Close).
	ln.SetUnlinkOnClose(false)
	err = os.Chmod(tmp, 0o600)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = os.Lstat(path)
	}
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{path: path, sock: fi, ln: ln, handlers: handlers, log: logger, uid: uid, ctx: ctx, cancel: cancel}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			if s.ctx.Err() == nil {
				s.log.Error("admin socket: accept", "err", err)
			}
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

// handle answers one connection: one request, one answer.
func (s *Server) handle(c *net.UnixConn) {
	defer c.Close()
	if uid, err := peerUID(c); err != nil || (uid >= 0 && uid != s.uid && uid != 0) {
		s.log.Warn("admin socket: refused a connection from another user", "peer_uid", uid, "err", err)
		return
	}
	// The request comes at once; the answer may take minutes.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReaderSize(io.LimitReader(c, maxRequest), 4096).ReadBytes('\n')
	if err != nil {
		s.log.Warn("admin socket: read request", "err", err)
		return
	}
	c.SetReadDeadline(time.Time{})
	bw := bufio.NewWriterSize(c, maxFrame+5)
	fail := func(err error) {
		writeFrame(bw, frameError, []byte(err.Error()))
		bw.Flush()
	}
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		fail(fmt.Errorf("malformed request: %v", err))
		return
	}
	h := s.handlers[req.Op]
	if h == nil {
		fail(fmt.Errorf("unknown command %q (a newer consultbot may know it: restart the bot after an upgrade)", req.Op))
		return
	}
	// The client going away ends the request: nobody reads the answer.
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	go func() {
		var b [1]byte
		c.Read(b[:]) // returns when the client closes its end
		cancel()
	}()
	start := time.Now()
	summary, err := h(ctx, req.Params, frameWriter{bw})
	if err != nil {
		s.log.Warn("admin request failed", "op", req.Op, "err", err)
		fail(err)
		return
	}
	if err := writeFrame(bw, frameEnd, []byte(summary)); err == nil {
		err = bw.Flush()
		if err != nil {
			s.log.Warn("admin request: the client went away", "op", req.Op, "err", err)
			return
		}
	}
	s.log.Info("admin request", "op", req.Op, "took", time.Since(start).Round(time.Millisecond))
}

// Close stops accepting requests, ends those in flight (their clients get
// an error) and waits for them, then removes the socket, if it is still
// the one Listen created.
func (s *Server) Close() error {
	s.cancel()
	err := s.ln.Close()
	s.wg.Wait()
	if sameFile(s.path, s.sock) {
		if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
	}
	if err != nil {
		return fmt.Errorf("close admin socket: %w", err)
	}
	return nil
}
