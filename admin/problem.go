package admin

import (
	"fmt"
	"io/fs"
)

// Problem names what is wrong with the admin socket or its directory, so
// that the command line can say it in its own language (SocketError).
type Problem int

// The problems a SocketError reports. Each says which of its fields are
// set besides Path.
const (
	// PathTooLong: the socket's path is Len bytes, over Max.
	PathTooLong Problem = iota + 1
	// DirNotDir: Path, the socket's directory, is not a directory.
	DirNotDir
	// DirOwner: Path, the socket's directory, belongs to Owner, neither
	// User nor root.
	DirOwner
	// DirOpen: Path, the socket's directory, lets group or others create
	// files (Mode) and is not sticky.
	DirOpen
	// NotSocket: something that is not a socket is at Path.
	NotSocket
	// SocketOpen: the socket at Path is open to group or others (Mode).
	SocketOpen
	// OtherUser: the socket at Path belongs to Owner, not to User, who
	// runs the command.
	OtherUser
	// OtherOwner: the socket at Path belongs to Owner, the database to
	// User.
	OtherOwner
	// OtherPeer: the socket at Path is served by User, not by its owner
	// Owner.
	OtherPeer
)

// SocketError is a problem with the admin socket that the person running
// the command can see to: it carries what the message needs, and its
// Error is the English one logs show.
type SocketError struct {
	Problem     Problem
	Path        string
	Owner, User int
	Mode        fs.FileMode
	Len, Max    int
}

func (e *SocketError) Error() string {
	switch e.Problem {
	case PathTooLong:
		return fmt.Sprintf("admin socket %q: the path is %d bytes long, more than the %d a unix socket allows; move the database to a shorter path", e.Path, e.Len, e.Max)
	case DirNotDir:
		return fmt.Sprintf("admin socket directory %q is not a directory", e.Path)
	case DirOwner:
		return fmt.Sprintf("admin socket directory %q belongs to user %d, not to this user (%d) or root", e.Path, e.Owner, e.User)
	case DirOpen:
		return fmt.Sprintf("admin socket directory %q (mode %04o) lets group or others create files; run chmod 700 %q", e.Path, e.Mode.Perm(), e.Path)
	case NotSocket:
		return fmt.Sprintf("admin socket %q: something that is not a socket is in the way; remove it", e.Path)
	case SocketOpen:
		return fmt.Sprintf("admin socket %q (mode %04o) is open to group or others; refusing to use it", e.Path, e.Mode.Perm())
	case OtherUser:
		return fmt.Sprintf("admin socket %q belongs to user %d, not to you (%d): run the command as that user", e.Path, e.Owner, e.User)
	case OtherOwner:
		return fmt.Sprintf("admin socket %q belongs to user %d, the database to user %d; refusing to use it", e.Path, e.Owner, e.User)
	case OtherPeer:
		return fmt.Sprintf("admin socket %q is served by user %d, not by its owner %d; refusing to use it", e.Path, e.User, e.Owner)
	}
	return fmt.Sprintf("admin socket %q: problem %d", e.Path, e.Problem)
}
