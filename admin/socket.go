package admin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SocketPath is the admin socket of the database at dbPath: beside it,
// named after it.
func SocketPath(dbPath string) string { return dbPath + ".sock" }

// maxSocketPath is the longest path a unix socket can be bound to or
// dialled at on Linux (sun_path holds 108 bytes, the last one a NUL).
const maxSocketPath = 107

func checkLength(path string) error {
	if len(path) > maxSocketPath {
		return &SocketError{Problem: PathTooLong, Path: path, Len: len(path), Max: maxSocketPath}
	}
	return nil
}

// checkDir refuses a directory where someone else could put a socket of
// their own in place of the bot's: it must belong to uid or root, and no
// one else may write in it unless it is sticky (as /tmp is, where no one
// can remove or replace another's file).
func checkDir(dir string, uid int) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("admin socket directory: %w", err)
	}
	if !fi.IsDir() {
		return &SocketError{Problem: DirNotDir, Path: dir}
	}
	owner, ok := ownerOf(fi)
	if ok && owner != uid && owner != 0 {
		return &SocketError{Problem: DirOwner, Path: dir, Owner: owner, User: uid}
	}
	if perm := fi.Mode(); perm.Perm()&0o022 != 0 && perm&fs.ModeSticky == 0 {
		return &SocketError{Problem: DirOpen, Path: dir, Mode: perm.Perm()}
	}
	return nil
}

// FileOwner returns the user id that owns the file at path, or -1 when it
// cannot be known.
func FileOwner(path string) int {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	if uid, ok := ownerOf(fi); ok {
		return uid
	}
	return -1
}

// checkSocket checks that path is a socket that only its owner can use,
// and returns that owner.
func checkSocket(path string) (owner int, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, ErrNotRunning
	}
	if err != nil {
		return 0, fmt.Errorf("admin socket: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return 0, &SocketError{Problem: NotSocket, Path: path}
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return 0, &SocketError{Problem: SocketOpen, Path: path, Mode: perm}
	}
	owner, _ = ownerOf(fi)
	return owner, nil
}

// removeStale removes a socket left at path by a bot that is gone (killed
// before it could remove it); anything else at path is refused. The caller
// holds the database's lock, so no other bot of that database runs.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return &SocketError{Problem: NotSocket, Path: path}
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("admin socket: remove the stale socket: %w", err)
	}
	return nil
}

// sameFile reports whether path is still the file fi describes.
func sameFile(path string, fi fs.FileInfo) bool {
	now, err := os.Lstat(path)
	return err == nil && os.SameFile(now, fi)
}

// bindDir is where the socket is bound before it is renamed into place:
// a private directory beside it, so that nobody can connect between the
// bind and the chmod.
func bindDir(path string) (string, error) {
	return os.MkdirTemp(filepath.Dir(path), ".adm")
}
