package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotRunning says no bot answers on the socket: there is none, or the
// one there was left by a bot that is gone.
var ErrNotRunning = errors.New("no running consultbot answers on its admin socket")

// Call sends one request to the bot serving the socket at path, copies the
// answer's bytes to w and returns its summary. It refuses a socket that
// is open to group or others, one that does not belong to the owner of
// the directory's database (owner: the user id that owns it; -1 skips
// this), one whose directory is unsafe, and a peer of another user.
// Cancelling ctx abandons the request: the bot stops working on it.
func Call(ctx context.Context, path string, owner int, req Request, w io.Writer) (string, error) {
	if err := checkLength(path); err != nil {
		return "", err
	}
	uid := os.Geteuid()
	sockOwner, err := checkSocket(path)
	if err != nil {
		return "", err
	}
	if sockOwner != uid && uid != 0 {
		return "", &SocketError{Problem: OtherUser, Path: path, Owner: sockOwner, User: uid}
	}
	if owner >= 0 && sockOwner != owner {
		return "", &SocketError{Problem: OtherOwner, Path: path, Owner: sockOwner, User: owner}
	}
	if err := checkDir(filepath.Dir(path), sockOwner); err != nil {
		return "", err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
		return "", ErrNotRunning
	}
	if err != nil {
		return "", fmt.Errorf("admin socket: %w", err)
	}
	c := conn.(*net.UnixConn)
	defer c.Close()
	if peer, err := peerUID(c); err != nil {
		return "", err
	} else if peer >= 0 && peer != sockOwner {
		return "", &SocketError{Problem: OtherPeer, Path: path, Owner: sockOwner, User: peer}
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	line, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	if _, err := c.Write(append(line, '\n')); err != nil {
		return "", callErr(ctx, err)
	}
	summary, err := readFrames(bufio.NewReaderSize(c, maxFrame+5), w)
	if err != nil {
		return "", callErr(ctx, err)
	}
	return summary, nil
}

// callErr prefers ctx's error to the broken connection it caused.
func callErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
