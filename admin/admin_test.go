package admin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func listen(t *testing.T, dir string, handlers map[string]Handler) *Server {
	t.Helper()
	s, err := Listen(filepath.Join(dir, "consult.db.sock"), handlers, nil)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestCallStreamsTheAnswerAndItsSummary(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 20_000) // several frames
	s := listen(t, t.TempDir(), map[string]Handler{
		"echo": func(ctx context.Context, p map[string]string, w io.Writer) (string, error) {
			if _, err := w.Write(big); err != nil {
				return "", err
			}
			return "sent " + p["what"], nil
		},
	})
	fi, err := os.Lstat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("socket mode %04o, want 0600", perm)
	}
	var got bytes.Buffer
	summary, err := Call(context.Background(), s.Path(), os.Geteuid(), Request{Op: "echo", Params: map[string]string{"what": "everything"}}, &got)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if summary != "sent everything" || !bytes.Equal(got.Bytes(), big) {
		t.Errorf("got %d bytes and %q, want %d bytes and %q", got.Len(), summary, len(big), "sent everything")
	}
}

func TestAFailureMidwayIsAnErrorNotAShortAnswer(t *testing.T) {
	s := listen(t, t.TempDir(), map[string]Handler{
		"half": func(ctx context.Context, _ map[string]string, w io.Writer) (string, error) {
			w.Write([]byte("the first rows"))
			return "", errors.New("disk on fire")
		},
	})
	_, err := Call(context.Background(), s.Path(), -1, Request{Op: "half"}, io.Discard)
	var re *RemoteError
	if !errors.As(err, &re) || re.Message != "disk on fire" {
		t.Errorf("Call = %v, want the bot's error", err)
	}
	_, err = Call(context.Background(), s.Path(), -1, Request{Op: "nope"}, io.Discard)
	if !errors.As(err, &re) || !strings.Contains(re.Message, `unknown command "nope"`) {
		t.Errorf("unknown op: %v", err)
	}
}

func TestCloseEndsRequestsInFlightAndRemovesTheSocket(t *testing.T) {
	started := make(chan struct{})
	ended := make(chan error, 1)
	s, err := Listen(filepath.Join(t.TempDir(), "db.sock"), map[string]Handler{
		"slow": func(ctx context.Context, _ map[string]string, w io.Writer) (string, error) {
			close(started)
			<-ctx.Done()
			ended <- ctx.Err()
			return "", ctx.Err()
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	callErr := make(chan error, 1)
	go func() {
		_, err := Call(context.Background(), s.Path(), -1, Request{Op: "slow"}, io.Discard)
		callErr <- err
	}()
	<-started
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("handler ended with %v", err)
	}
	if err := <-callErr; err == nil {
		t.Error("a request cut by Close succeeded")
	}
	if _, err := os.Lstat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket still there after Close: %v", err)
	}
	if _, err := Call(context.Background(), s.Path(), -1, Request{Op: "slow"}, io.Discard); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Call after Close = %v, want ErrNotRunning", err)
	}
}

func TestTheClientGoingAwayEndsTheRequest(t *testing.T) {
	started, ended := make(chan struct{}), make(chan struct{})
	s := listen(t, t.TempDir(), map[string]Handler{
		"slow": func(ctx context.Context, _ map[string]string, w io.Writer) (string, error) {
			close(started)
			<-ctx.Done()
			close(ended)
			return "", ctx.Err()
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	if _, err := Call(ctx, s.Path(), -1, Request{Op: "slow"}, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("Call = %v, want context.Canceled", err)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler kept running after its client went away")
	}
}

func TestAStaleSocketIsReplacedAndNothingElseIs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db.sock")
	// A bot killed with SIGKILL leaves its socket behind.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	os.Chmod(path, 0o600)
	if _, err := Call(context.Background(), path, -1, Request{Op: "x"}, io.Discard); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Call on a stale socket = %v, want ErrNotRunning", err)
	}
	s, err := Listen(path, map[string]Handler{"x": func(context.Context, map[string]string, io.Writer) (string, error) { return "ok", nil }}, nil)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	if got, err := Call(context.Background(), path, -1, Request{Op: "x"}, io.Discard); err != nil || got != "ok" {
		t.Errorf("Call = %q, %v", got, err)
	}
	s.Close()

	if err := os.WriteFile(path, []byte("not a socket"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path, nil, nil); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Listen over a regular file = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "not a socket" {
		t.Error("Listen replaced a regular file")
	}
}

func TestUnsafePlacesAreRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(filepath.Join(dir, "db.sock"), nil, nil); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("Listen in a world-writable directory = %v", err)
	}
	os.Chmod(dir, 0o700)
	s := listen(t, dir, map[string]Handler{"x": func(context.Context, map[string]string, io.Writer) (string, error) { return "ok", nil }})

	// A socket opened to others is not trusted, nor its directory.
	os.Chmod(s.Path(), 0o660)
	if _, err := Call(context.Background(), s.Path(), -1, Request{Op: "x"}, io.Discard); err == nil || !strings.Contains(err.Error(), "open to group or others") {
		t.Errorf("Call on a 0660 socket = %v", err)
	}
	os.Chmod(s.Path(), 0o600)
	os.Chmod(dir, 0o777)
	if _, err := Call(context.Background(), s.Path(), -1, Request{Op: "x"}, io.Discard); err == nil || !strings.Contains(err.Error(), "lets group or others create files") {
		t.Errorf("Call in a world-writable directory = %v", err)
	}
	os.Chmod(dir, 0o700)
	// A socket that does not belong to the database's owner.
	if _, err := Call(context.Background(), s.Path(), os.Geteuid()+1, Request{Op: "x"}, io.Discard); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("Call with another owner = %v", err)
	}
	long := filepath.Join(dir, strings.Repeat("d", 120)+".sock")
	if _, err := Listen(long, nil, nil); err == nil || !strings.Contains(err.Error(), "shorter path") {
		t.Errorf("Listen at a long path = %v", err)
	}
}
