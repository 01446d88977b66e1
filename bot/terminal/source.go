package terminal

import (
	"bufio"
	"context"
	"errors"
	"io"
	"sync"
	"syscall"

	"golang.org/x/term"
)

// source yields what the person sends, one message at a time.
type source interface {
	// next returns the next message, io.EOF once the person is done
	// (end of input, Ctrl-D, Ctrl-C), or ctx.Err().
	next(ctx context.Context) (string, error)
	// giveBack hands text back to the person to edit and send again, and
	// reports whether it could; a source that cannot leaves it to the
	// caller to print it.
	giveBack(text string) bool
}

// lines reads line by line, as from a pipe: one line is one message. It
// reads ahead in its own goroutine, so that a cancelled ctx is noticed
// while a read blocks; on a real stdin that goroutine ends with the
// process.
type lines struct {
	r    io.Reader
	once sync.Once
	ch   chan string
	err  chan error
	done chan struct{}
}

func newLines(r io.Reader) *lines {
	return &lines{r: r, ch: make(chan string), err: make(chan error, 1), done: make(chan struct{})}
}

func (l *lines) start() {
	go func() {
		r := bufio.NewReader(l.r)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				select {
				case l.ch <- line:
				case <-l.done:
					return
				}
			}
			if err != nil {
				l.err <- err
				return
			}
		}
	}()
}

func (l *lines) next(ctx context.Context) (string, error) {
	l.once.Do(l.start)
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case line := <-l.ch:
		return line, nil
	case err := <-l.err:
		l.err <- err // every later call ends too
		return "", err
	}
}

func (l *lines) giveBack(string) bool { return false }

func (l *lines) close() { close(l.done) }

// editor reads with golang.org/x/term's line editor: arrows, Home/End,
// Ctrl-A/E/K/U/W, history on ↑ ↓, and bracketed paste, on a terminal put in
// raw mode. The editor also writes: what the adapter prints goes through
// it, so that output gets the \r\n a raw terminal needs and the line being
// typed is redrawn below it.
type editor struct {
	t   *term.Terminal
	in  *input
	out io.Writer // the terminal, under the editor
	fd  int       // of the output terminal, for its size

	reqs chan string // a read request, with the text to give back
	res  chan result
	done chan struct{}
	once sync.Once

	// onPanic runs before a panic of the reading goroutine goes on, to
	// restore the terminal.
	onPanic func()
	back    string // given back, for the next read
}

type result struct {
	line string
	err  error
}

// prompt is shown at the start of the edit line.
const prompt = "> "

// ttyFd returns the file descriptor of f when it is a terminal.
func ttyFd(f any) (int, bool) {
	c, ok := f.(syscall.Conn)
	if !ok {
		return 0, false
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	fd, tty := 0, false
	// Control, rather than os.File.Fd, leaves the file in the mode it has:
	// Fd would make it blocking, and a read could no longer be woken.
	if err := rc.Control(func(u uintptr) { fd, tty = int(u), term.IsTerminal(int(u)) }); err != nil {
		return 0, false
	}
	return fd, tty
}

func newEditor(in io.Reader, out io.Writer, outFd int) *editor {
	filtered := newInput(in)
	rw := struct {
		io.Reader
		io.Writer
	}{filtered, out}
	return &editor{
		t:    term.NewTerminal(rw, prompt),
		in:   filtered,
		out:  out,
		fd:   outFd,
		reqs: make(chan string),
		res:  make(chan result),
		done: make(chan struct{}),
	}
}

func (e *editor) start() {
	go func() {
		defer func() {
			if p := recover(); p != nil {
				if e.onPanic != nil {
					e.onPanic()
				}
				panic(p)
			}
		}()
		for {
			var back string
			select {
			case back = <-e.reqs:
			case <-e.done:
				return
			}
			if back != "" {
				e.in.giveBack(back)
			}
			if w, h, err := term.GetSize(e.fd); err == nil {
				e.t.SetSize(w, h)
			}
			line, err := e.t.ReadLine()
			if errors.Is(err, term.ErrPasteIndicator) {
				err = nil
			}
			if err == nil {
				line = unmark.Replace(line)
			}
			select {
			case e.res <- result{line, err}:
			case <-e.done:
				return
			}
		}
	}()
}

func (e *editor) next(ctx context.Context) (string, error) {
	e.once.Do(e.start)
	back := e.back
	e.back = ""
	select {
	case e.reqs <- back:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case r := <-e.res:
		return r.line, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (e *editor) giveBack(text string) bool {
	e.back = text
	return true
}

func (e *editor) close() { close(e.done) }
