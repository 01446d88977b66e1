package terminal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// Handler applies one inbound event; *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error)
}

// Hint is the line printed when a conversation starts.
const Hint = "consultbot dans le terminal : tapez votre réponse puis Entrée, un numéro pour choisir une option, /aide pour l'aide ; Ctrl-D ou Ctrl-C pour quitter."

// DefaultName is the participant name used when Options.Name is empty.
const DefaultName = "local"

// Options configures an Adapter.
type Options struct {
	// Name tells participants apart ("-as NAME"); the participant id is
	// "terminal:<Name>".
	Name string
	// Lang is the language hint sent with every event ("fr", "en"); empty
	// lets the conversation use its default.
	Lang string
	// Hint is printed first; empty prints the package's Hint.
	Hint   string
	Logger *slog.Logger
	// Now stamps events; default time.Now.
	Now func() time.Time
	// DocumentDir is where files sent with a reply (the participant's data
	// as JSON) are written, readable by the owner only; empty: the
	// current directory.
	DocumentDir string
}

// Adapter runs one participant's conversation over a reader and a writer.
// It is the engine's Sender for bot.ChannelTerminal.
type Adapter struct {
	handler     Handler
	in          io.Reader
	out         io.Writer
	participant string
	address     string
	lang        string
	hint        string
	logger      *slog.Logger
	now         func() time.Time
	docDir      string

	mu      sync.Mutex
	options []flows.Option // of the last reply that offered some
	printed uint64         // highest outbox seq written to out
	notify  chan struct{}  // closed and replaced whenever printed moves
	n       int            // events sent, for unique ids
}

var _ bot.Sender = (*Adapter)(nil)

// New returns an adapter that feeds h with lines read from in and prints
// replies to out.
func New(h Handler, in io.Reader, out io.Writer, opts Options) *Adapter {
	name := opts.Name
	if name == "" {
		name = DefaultName
	}
	a := &Adapter{
		handler:     h,
		in:          in,
		out:         out,
		participant: "terminal:" + name,
		address:     name,
		lang:        opts.Lang,
		hint:        opts.Hint,
		logger:      opts.Logger,
		now:         opts.Now,
		docDir:      opts.DocumentDir,
		notify:      make(chan struct{}),
	}
	if a.hint == "" {
		a.hint = Hint
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// Participant returns the participant id the adapter speaks for.
func (a *Adapter) Participant() string { return a.participant }

// Run prints the hint, shows the current prompt (a resume event, so that a
// person coming back lands where they stopped), then handles every line
// until the reader ends (nil) or ctx is cancelled (ctx.Err()). Each line's
// replies are printed before the next line is read.
func (a *Adapter) Run(ctx context.Context) error {
	if _, err := fmt.Fprintln(a.out, a.hint); err != nil {
		return fmt.Errorf("write hint: %w", err)
	}
	if err := a.handle(ctx, flows.Event{Kind: flows.EventCommand, Command: flows.CmdResume}); err != nil {
		return err
	}

	lines := make(chan string)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	// Reading runs apart so that Ctrl-C is noticed while a terminal read
	// blocks; on a real stdin that goroutine ends with the process.
	go func() {
		r := bufio.NewReader(a.in)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				select {
				case lines <- line:
				case <-done:
					return
				}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				readErr <- err
				return
			}
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("read input: %w", err)
			}
			return nil
		case line := <-lines:
			ev, ok := a.event(line)
			if !ok {
				continue
			}
			if err := a.handle(ctx, ev); err != nil {
				return err
			}
		}
	}
}

// event translates one typed line. Blank lines are ignored, as a shell
// ignores them.
func (a *Adapter) event(line string) (flows.Event, bool) {
	line = strings.TrimRight(line, "\r\n")
	trimmed := strings.TrimSpace(line)
	if trimmed == "" {
		return flows.Event{}, false
	}
	if strings.HasPrefix(trimmed, "/") {
		if ev, ok := flows.ParseCommand(trimmed); ok {
			return ev, true
		}
	}
	if tok, ok := a.optionToken(trimmed); ok {
		return flows.Event{Kind: flows.EventChoice, Token: tok}, true
	}
	return flows.Event{Kind: flows.EventText, Text: line}, true
}

// optionToken maps "2" to the token of the second option shown. Only
// canonical numbers count, so "01" (the Ain département) stays text.
func (a *Adapter) optionToken(s string) (string, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || strconv.Itoa(n) != s {
		return "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if n < 1 || n > len(a.options) {
		return "", false
	}
	return a.options[n-1].Token, true
}

// handle applies one event and waits until its replies are printed.
func (a *Adapter) handle(ctx context.Context, ev flows.Event) error {
	ev.Lang = a.lang
	a.mu.Lock()
	a.n++
	id := fmt.Sprintf("%s:%d-%d", a.participant, a.now().UnixNano(), a.n)
	a.mu.Unlock()

	applied, err := a.handler.Handle(ctx, bot.Inbound{
		ID:          id,
		Channel:     bot.ChannelTerminal,
		Participant: a.participant,
		Address:     a.address,
		Event:       ev,
		At:          a.now(),
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The line is lost to the bot but not to the person, who sees it on
		// screen and can type it again.
		a.logger.Error("handle terminal input", "platform", bot.ChannelTerminal, "err", err)
		if _, werr := fmt.Fprintln(a.out, "(Erreur : ce message n'a pas été enregistré, réessayez.)"); werr != nil {
			return fmt.Errorf("write error notice: %w", werr)
		}
		return nil
	}
	if n := len(applied.Outbox); n > 0 {
		return a.waitPrinted(ctx, applied.Outbox[n-1].Seq)
	}
	return nil
}

func (a *Adapter) waitPrinted(ctx context.Context, seq uint64) error {
	for {
		a.mu.Lock()
		printed, ch := a.printed, a.notify
		a.mu.Unlock()
		if printed >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Send prints one reply. Replies addressed to another terminal participant
// (left in the outbox by an earlier `chat -as other` that was interrupted)
// are dropped: that person sees their current question again when they
// come back, since every start shows it.
func (a *Adapter) Send(ctx context.Context, out bot.Outgoing) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if out.Participant == a.participant {
		if _, err := io.WriteString(a.out, Render(out.Reply)); err != nil {
			return fmt.Errorf("print reply: %w", err)
		}
		if d := out.Reply.Document; d != nil {
			if err := a.writeDocument(d); err != nil {
				return err
			}
		}
		if len(out.Reply.Options) > 0 {
			a.options = out.Reply.Options
		}
	} else {
		a.logger.Debug("drop reply for another terminal participant", "platform", bot.ChannelTerminal, "chat", out.Address)
	}
	if out.Seq > a.printed {
		a.printed = out.Seq
	}
	close(a.notify)
	a.notify = make(chan struct{})
	return nil
}

// Render formats a reply for the terminal: the title, the text, then the
// options numbered from 1, and a blank line.
func Render(r flows.Reply) string {
	var b strings.Builder
	if r.Title != "" {
		b.WriteString("== ")
		b.WriteString(r.Title)
		b.WriteString(" ==\n")
	}
	if r.Text != "" {
		b.WriteString(strings.TrimRight(r.Text, "\n"))
		b.WriteString("\n")
	}
	for i, o := range r.Options {
		fmt.Fprintf(&b, "  %d) %s\n", i+1, o.Label)
	}
	b.WriteString("\n")
	return b.String()
}
