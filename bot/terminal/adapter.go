package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/text"
)

// Handler applies one inbound event; *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error)
}

// DefaultName is the participant name used when Options.Name is empty.
const DefaultName = "local"

// Options configures an Adapter.
type Options struct {
	// Name tells participants apart ("-as NAME"); the participant id is
	// "terminal:<Name>".
	Name string
	// Lang is the language hint sent with events ("fr", "en") until a
	// reply shows another (the hint follows what the person reads); empty
	// lets the conversation use its default.
	Lang string
	// Hint is printed first; empty prints the package's own (Hint with
	// the line editor, a shorter one when input is read line by line),
	// just before the first reply, in that reply's language.
	Hint   string
	Logger *slog.Logger
	// Now stamps events; default time.Now.
	Now func() time.Time
	// DocumentDir is where files sent with a reply (the participant's data
	// as JSON, a digest's chart) are written, readable by the owner only;
	// empty: the current directory.
	DocumentDir string
	// DocumentPrefix, when set, begins the name of every file written
	// there: the database's file name, so that the files of databases
	// sharing a directory stay apart, and an erasure in one never
	// deletes the other's.
	DocumentPrefix string
	// Sessions, when set, tells what is stored of the person: the goodbye
	// then says whether answers are kept, and after an erasure the « mes
	// données » file written here earlier is deleted too.
	Sessions bot.Sessions
	// Organiser, when set, makes the adapter an organisers' console
	// (consultbot chat -organiser): every line goes to the organisers'
	// service as from a member of the team in their own place, and the
	// conversation is not started. The engine still delivers the answers,
	// through the outbox.
	Organiser Organiser
}

// Adapter runs one participant's conversation over a reader and a writer.
// It is the engine's Sender for bot.ChannelTerminal.
type Adapter struct {
	handler     Handler
	in          io.Reader
	out         io.Writer // the editor when there is one
	ed          *editor   // nil: input read line by line
	inFd        int       // with ed: the terminal put in raw mode
	participant string
	address     string
	lang        string
	hint        string // Options.Hint; empty: the package's own, in the language of the first reply
	logger      *slog.Logger
	now         func() time.Time
	docDir      string
	docPrefix   string
	org         Organiser
	sessions    bot.Sessions

	mu sync.Mutex
	// What the last reply that asked something expects: its options,
	// whether it takes text, and the text's limit in characters.
	options    []flows.Option
	expectText bool
	maxLen     int
	prompt     *flows.Reply  // the last reply that asked something
	hintDue    bool          // the package's own hint waits for the first reply's language
	shownLang  string        // of the last reply whose language was told
	printed    uint64        // highest outbox seq written to out
	notify     chan struct{} // closed and replaced whenever printed moves
	n          int           // events sent, for unique ids
	written    int           // documents written, to tell whether an event wrote one
}

var _ bot.Sender = (*Adapter)(nil)

// New returns an adapter that feeds h with what is read from in and prints
// replies to out. When in and out are both terminals, Run reads with a line
// editor; otherwise each line read is one message.
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
		docPrefix:   opts.DocumentPrefix,
		org:         opts.Organiser,
		sessions:    opts.Sessions,
		shownLang:   baseLang(opts.Lang),
		notify:      make(chan struct{}),
	}
	inFd, inTTY := ttyFd(in)
	outFd, outTTY := ttyFd(out)
	if inTTY && outTTY {
		a.ed = newEditor(in, out, outFd)
		a.out = a.ed.t
		a.inFd = inFd
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
// person coming back lands where they stopped), then handles every message
// until input ends (nil: end of a pipe, Ctrl-D or Ctrl-C in the editor) or
// ctx is cancelled (ctx.Err()); either way it says goodbye. Each message's
// replies are printed before the next is read. A terminal put in raw mode
// for the editor is restored before Run returns, or panics.
func (a *Adapter) Run(ctx context.Context) (err error) {
	src, closeSrc, err := a.open()
	if err != nil {
		return err
	}
	defer closeSrc()
	defer func() {
		if err == nil || ctx.Err() != nil {
			a.goodbye(ctx.Err() != nil)
		}
	}()

	if a.hint != "" {
		a.print(a.hint + "\n")
	} else {
		// Said in the language of the conversation found again (someone
		// who switched to English before quitting reads English), so it
		// is printed with the first reply.
		a.mu.Lock()
		a.hintDue = true
		a.mu.Unlock()
	}
	if a.org != nil {
		// The organisers' help first, as a team's place answers anything
		// that is not a command.
		if err := a.organiserMessage(ctx, ""); err != nil {
			return err
		}
	} else if _, err := a.handle(ctx, flows.Event{Kind: flows.EventCommand, Command: flows.CmdResume, Reopen: true}); err != nil {
		return err
	}
	a.mu.Lock()
	a.printHint() // no reply came (the engine failed to apply the resume)
	a.mu.Unlock()
	for {
		msg, err := src.next(ctx)
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return fmt.Errorf("read input: %w", err)
		}
		if err := a.message(ctx, src, msg); err != nil {
			return err
		}
	}
}

// goodbye says it on a line of its own. With the editor, the prompt left
// on the last line goes; when ctx ended a read, what was being typed is
// redrawn after the goodbye (x/term keeps it), then the line is ended.
func (a *Adapter) goodbye(interrupted bool) {
	if a.ed != nil {
		a.ed.t.SetPrompt("")
	}
	bye := a.texts().Goodbye
	switch {
	case a.org != nil:
		bye = a.texts().OrganiserGoodbye
	case a.sessions != nil:
		// « Vos réponses sont enregistrées » only when some are.
		if s, ok, err := a.sessions.Session(a.participant); err == nil && (!ok || len(s.Answers) == 0) {
			bye = a.texts().GoodbyeNothing
		} else if err != nil {
			a.logger.Error("read session", "platform", bot.ChannelTerminal, "err", err)
		}
	}
	a.print(bye + "\n")
	if a.ed != nil && interrupted {
		a.mu.Lock()
		defer a.mu.Unlock()
		if _, err := io.WriteString(a.ed.out, "\r\n"); err != nil {
			a.logger.Error("print", "platform", bot.ChannelTerminal, "err", err)
		}
	}
}

// open returns where messages come from and what undoes it: with the
// editor, the terminal goes into raw mode with bracketed paste on.
func (a *Adapter) open() (source, func(), error) {
	if a.ed == nil {
		l := newLines(a.in)
		return l, l.close, nil
	}
	state, err := term.MakeRaw(a.inFd)
	if err != nil {
		return nil, nil, fmt.Errorf("terminal raw mode: %w", err)
	}
	var once sync.Once
	restore := func() {
		once.Do(func() {
			a.ed.t.SetBracketedPasteMode(false)
			if err := term.Restore(a.inFd, state); err != nil {
				a.logger.Error("restore terminal", "platform", bot.ChannelTerminal, "err", err)
			}
		})
	}
	a.ed.onPanic = restore
	a.ed.t.SetBracketedPasteMode(true)
	return a.ed, func() {
		a.ed.close()
		restore()
	}, nil
}

// message handles one message. A blank one sends nothing and shows the
// current question again, as the person who pressed Enter looks for it.
func (a *Adapter) message(ctx context.Context, src source, msg string) error {
	line := strings.TrimRight(msg, "\r\n")
	trimmed := strings.TrimSpace(line)
	if trimmed == "" {
		if a.org == nil {
			a.reprompt()
		}
		return nil
	}
	if a.org != nil {
		return a.organiserMessage(ctx, trimmed)
	}
	if !utf8.ValidString(line) || strings.ContainsRune(line, unreadableMark) {
		// Bytes that are no text (see input; from a pipe they come as
		// they are): nothing is sent, and the rest of the line comes
		// back to be corrected.
		tx := a.texts()
		rest := strings.ReplaceAll(strings.ToValidUTF8(line, ""), string(unreadableMark), "")
		if strings.TrimSpace(rest) != "" && src.giveBack(rest) {
			a.print(tx.Unreadable + "\n" + tx.CleanedBack + "\n\n")
		} else {
			a.print(tx.Unreadable + "\n\n")
		}
		a.reprompt()
		return nil
	}
	if strings.HasPrefix(trimmed, "/") {
		if ev, ok := flows.ParseCommand(trimmed); ok {
			_, err := a.handle(ctx, ev)
			return err
		}
	}
	a.mu.Lock()
	expectText, maxLen := a.expectText, a.maxLen
	a.mu.Unlock()
	// Where text is expected a number is an answer ("3" children); the
	// options there are words to type, which the conversation reads.
	if !expectText {
		if tok, ok := a.optionToken(trimmed); ok {
			_, err := a.handle(ctx, flows.Event{Kind: flows.EventChoice, Token: tok})
			return err
		}
	}
	if n := flows.TextLength(line); expectText && maxLen > 0 && n > maxLen {
		a.giveBack(src, line, fmt.Sprintf(a.texts().TooLong, n, maxLen))
		return nil
	}
	saved, err := a.handle(ctx, flows.Event{Kind: flows.EventText, Text: line})
	if err == nil && !saved {
		// The person sees it on screen; with the editor they get it back
		// to send again.
		src.giveBack(line)
	}
	return err
}

// reprompt prints the last reply that asked something again, without
// what came before its question (the note, the recap), so that the
// person sees what they answer.
func (a *Adapter) reprompt() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prompt == nil {
		return
	}
	r := *a.prompt
	r.Lead, r.Recap = "", nil
	if _, err := io.WriteString(a.out, render(r, a.shownLang)); err != nil {
		a.logger.Error("print", "platform", bot.ChannelTerminal, "err", err)
	}
}

// giveBack tells why text was not sent and hands it back: into the edit
// line with the editor, printed in full otherwise.
func (a *Adapter) giveBack(src source, text, why string) {
	tx := a.texts()
	if src.giveBack(text) {
		a.print(why + "\n" + tx.GivenBack + "\n\n")
		return
	}
	a.print(why + "\n" + tx.PrintedBack + "\n" + text + "\n\n")
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

// handle applies one event and waits until its replies are printed. saved
// is false when the engine failed to apply it (the person is told).
func (a *Adapter) handle(ctx context.Context, ev flows.Event) (saved bool, err error) {
	a.mu.Lock()
	// The language hint is the language the person last read (at first,
	// Options.Lang's): the terminal has no client language, and a
	// conversation that starts afresh (after /effacer, whose confirmation
	// was in that language) would otherwise fall back to French.
	ev.Lang = a.lang
	if a.shownLang != "" {
		ev.Lang = a.shownLang
	}
	a.n++
	id := fmt.Sprintf("%s:%d-%d", a.participant, a.now().UnixNano(), a.n)
	written := a.written
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
			return false, ctx.Err()
		}
		a.logger.Error("handle terminal input", "platform", bot.ChannelTerminal, "err", err)
		a.print(a.texts().NotSaved + "\n")
		return false, nil
	}
	if n := len(applied.Outbox); n > 0 {
		if err := a.waitPrinted(ctx, applied.Outbox[n-1].Seq); err != nil {
			return true, err
		}
	}
	a.forgetDataFile(written)
	return true, nil
}

// forgetDataFile deletes the person's « mes données » file once nothing
// is stored of them (they erased everything), unless the event just
// handled wrote it (a newcomer's first /mes_donnees stores nothing
// either). The file sits next to the database on a computer others may
// use, in the operator's hands rather than the person's: the erasure's
// « toutes vos données sont effacées » must hold for it too.
func (a *Adapter) forgetDataFile(writtenBefore int) {
	if a.sessions == nil {
		return
	}
	a.mu.Lock()
	wrote := a.written != writtenBefore
	a.mu.Unlock()
	if wrote {
		return
	}
	path := a.documentPath(flows.DataFileName)
	if _, err := os.Stat(path); err != nil {
		return // nearly always: no file, no session to read for every line
	}
	if _, ok, err := a.sessions.Session(a.participant); err != nil || ok {
		if err != nil {
			a.logger.Error("read session", "platform", bot.ChannelTerminal, "err", err)
		}
		return
	}
	if err := os.Remove(path); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			a.logger.Error("delete data file", "platform", bot.ChannelTerminal, "err", err)
		}
		return
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	a.print(fmt.Sprintf(a.texts().DataFileErased, path) + "\n\n")
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

// printHint prints the package's own hint, in the language shown, if it
// is still due. a.mu is held.
func (a *Adapter) printHint() {
	if !a.hintDue {
		return
	}
	a.hintDue = false
	hint := textsFor(a.shownLang).PipedHint
	if a.ed != nil {
		hint = textsFor(a.shownLang).Hint
	}
	if _, err := io.WriteString(a.out, hint+"\n"); err != nil {
		a.logger.Error("print", "platform", bot.ChannelTerminal, "err", err)
	}
}

// texts returns the adapter's texts in the language of the last reply, or
// of Options.Lang, or French.
func (a *Adapter) texts() *text.Terminal {
	a.mu.Lock()
	defer a.mu.Unlock()
	return textsFor(a.shownLang)
}

// print writes what the adapter itself says. A write error is only
// logged: the conversation goes on, and the answers are saved anyway.
func (a *Adapter) print(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := io.WriteString(a.out, s); err != nil {
		a.logger.Error("print", "platform", bot.ChannelTerminal, "err", err)
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
		r := out.Reply
		if l := guessLang(r); l != "" {
			a.shownLang = l
		}
		a.printHint()
		if err := a.printOutgoing(out); err != nil {
			return err
		}
		if len(r.Options) > 0 || r.Expect != flows.ExpectNothing {
			a.prompt = &r
			a.options = r.Options
			a.expectText = r.Expect == flows.ExpectText
			a.maxLen = r.MaxLen
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

// printOutgoing prints a reply's parts in the order of bot.Outgoing: a
// picture saved as a file (its note if there is none), the reply, the
// markup (a digest as Markdown), its file, its plain texts. a.mu is held.
func (a *Adapter) printOutgoing(out bot.Outgoing) error {
	if img := out.Image; img != nil {
		if img.Data != nil {
			if err := a.writeDocument(&flows.Document{Name: img.Name, Data: img.Data}); err != nil {
				return err
			}
		} else if _, err := io.WriteString(a.out, img.Note+"\n\n"); err != nil {
			return fmt.Errorf("print reply: %w", err)
		}
	}
	r := out.Reply
	var b strings.Builder
	if r.Lead != "" || r.Recap != nil || r.Title != "" || r.Text != "" || len(r.Options) > 0 || r.Expect != flows.ExpectNothing || out.Image == nil && len(out.Markup)+len(out.Plain) == 0 && r.Document == nil {
		b.WriteString(render(r, a.shownLang))
	}
	for _, m := range out.Markup {
		b.WriteString(strings.TrimRight(m, "\n") + "\n\n")
	}
	if _, err := io.WriteString(a.out, b.String()); err != nil {
		return fmt.Errorf("print reply: %w", err)
	}
	if d := r.Document; d != nil {
		if err := a.writeDocument(d); err != nil {
			return err
		}
	}
	for _, p := range out.Plain {
		if _, err := io.WriteString(a.out, strings.TrimRight(p, "\n")+"\n\n"); err != nil {
			return fmt.Errorf("print reply: %w", err)
		}
	}
	return nil
}

// recapRule sets a reply's recap apart from the prompt below it.
const recapRule = "──────────"

// render formats a reply for the terminal: the title, the text, then the
// options and a blank line. Options are numbered from 1, except where the
// reply takes text: a number typed there is an answer, so the options
// (Passer, Retour…) are shown as words to type, after the answer's limit.
func render(r flows.Reply, lang string) string {
	var b strings.Builder
	if r.Lead != "" {
		b.WriteString(strings.TrimRight(r.Lead, "\n"))
		b.WriteString("\n")
	}
	if rc := r.Recap; rc != nil {
		// Set apart from the prompt below it by a rule.
		if rc.Title != "" {
			b.WriteString("== " + rc.Title + " ==\n")
		}
		b.WriteString(strings.TrimRight(rc.Text, "\n") + "\n" + recapRule + "\n")
	}
	if r.Title != "" {
		b.WriteString("== ")
		b.WriteString(r.Title)
		b.WriteString(" ==\n")
	}
	if r.Text != "" {
		b.WriteString(strings.TrimRight(r.Text, "\n"))
		b.WriteString("\n")
	}
	if r.Expect == flows.ExpectText {
		tx := textsFor(lang)
		if r.Hint != "" {
			b.WriteString("  " + r.Hint)
		} else if r.MaxLen > 0 {
			fmt.Fprintf(&b, tx.AnswerMax, r.MaxLen)
		} else {
			b.WriteString(tx.Answer)
		}
		if len(r.Options) == 0 {
			b.WriteString(".\n\n")
			return b.String()
		}
		b.WriteString(tx.OrType + "\n  → ")
		for i, o := range r.Options {
			if i > 0 {
				b.WriteString(" · ")
			}
			b.WriteString(lowerFirst(o.Label))
		}
		b.WriteString("\n\n")
		return b.String()
	}
	for i, o := range r.Options {
		fmt.Fprintf(&b, "  %d) %s\n", i+1, unnumbered(o.Label, i+1))
	}
	b.WriteString("\n")
	return b.String()
}

// unnumbered drops a label's own number when it is the option's (the
// menu's « ✓ 1. L'école — 3/3 »): the terminal numbers every option
// already, and « 1) 1. L'école » reads as two choices.
func unnumbered(label string, n int) string {
	mark, rest := "", label
	if after, ok := strings.CutPrefix(rest, "✓ "); ok {
		mark, rest = "✓ ", after
	}
	if after, ok := strings.CutPrefix(rest, strconv.Itoa(n)+". "); ok {
		return mark + after
	}
	return label
}

// lowerFirst lowercases the first letter of a label, to be typed as a
// word (« passer »), and leaves the rest as written (« I'll »).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
