package terminal

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// Marks stand in the edit line for what a single line cannot show: a
// pasted answer keeps its line breaks and tabs as these, and they become
// line breaks and tabs again when the answer is sent.
const (
	newlineMark = "↵"
	tabMark     = "⇥"
)

// unreadableMark stands in the edit line for a byte that is no UTF-8:
// the editor would stop at the byte itself, and at U+FFFD too, which it
// takes for an unfinished character. The adapter refuses a line that
// holds it.
const unreadableMark = '\uFFFC'

var (
	pasteStart = []byte("\x1b[200~")
	pasteEnd   = []byte("\x1b[201~")

	unmark = strings.NewReplacer(newlineMark, "\n", tabMark, "\t")
	remark = strings.NewReplacer("\r\n", newlineMark, "\r", newlineMark, "\n", newlineMark, "\t", tabMark)
)

// keyAliases are the sequences some terminals send for keys that
// golang.org/x/term's editor knows under another sequence (it would
// otherwise ignore Home and End, and type the letter of an arrow sent in
// application mode).
var keyAliases = []struct{ from, to string }{
	{"\x1bOA", "\x1b[A"}, {"\x1bOB", "\x1b[B"}, {"\x1bOC", "\x1b[C"}, {"\x1bOD", "\x1b[D"},
	{"\x1bOH", "\x1b[H"}, {"\x1bOF", "\x1b[F"},
	{"\x1b[1~", "\x1b[H"}, {"\x1b[7~", "\x1b[H"},
	{"\x1b[4~", "\x1b[F"}, {"\x1b[8~", "\x1b[F"},
}

// input sits between the terminal and the editor. Inside a bracketed paste
// it turns line breaks and tabs into marks, so that the editor keeps the
// whole paste on its edit line (it would otherwise end the line at the
// first break and send the rest as further messages), and drops other
// control characters, which would garble the line; outside a paste it
// rewrites keyAliases. It can also give a text back to the editor, as a
// paste, for the person to edit.
//
// Read is called by one goroutine at a time (the editor's), and so is
// giveBack, between two reads.
type input struct {
	r       io.Reader
	raw     []byte // read from r, not yet translated: the start of a sequence
	out     []byte // translated, not yet returned
	buf     []byte
	pasting bool
	cr      bool  // the last pasted byte was \r: a \n right after is the same break
	err     error // from r, returned once out is drained
}

func newInput(r io.Reader) *input {
	return &input{r: r, buf: make([]byte, 4096)}
}

// Read returns translated bytes.
func (in *input) Read(p []byte) (int, error) {
	for len(in.out) == 0 {
		if in.err != nil {
			return 0, in.err
		}
		n, err := in.r.Read(in.buf)
		in.raw = append(in.raw, in.buf[:n]...)
		in.err = err
		in.translate(err != nil)
	}
	n := copy(p, in.out)
	in.out = in.out[n:]
	return n, nil
}

// giveBack queues text as a paste, ahead of what the person types next.
func (in *input) giveBack(text string) {
	b := append([]byte(nil), pasteStart...)
	b = append(b, markControls(text)...)
	b = append(b, pasteEnd...)
	in.out = append(b, in.out...)
}

// markControls replaces line breaks and tabs with their marks and drops
// the other control characters.
func markControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, remark.Replace(s))
}

// translate moves what it can from raw to out. An incomplete sequence at
// the end of raw waits for the next read, unless final.
//
// Outside a paste, what is typed reaches the editor as a paste too: the
// editor stops taking typed keys at 4,096 characters (a line that long
// is typed, not only pasted: an answer written in one go), while it takes
// a paste whole. Only characters go so: Enter, the control keys and the
// escape sequences of the arrows stay keys.
func (in *input) translate(final bool) {
	typed := -1 // where in out the typed characters being wrapped start
	wrap := func() {
		if typed >= 0 {
			in.out = append(in.out, pasteEnd...)
			typed = -1
		}
	}
	char := func(b []byte) {
		if !in.pasting && typed < 0 {
			in.out = append(in.out, pasteStart...)
			typed = len(in.out)
		}
		in.out = append(in.out, b...)
	}
	defer wrap()
	for len(in.raw) > 0 {
		c := in.raw[0]
		if c >= utf8.RuneSelf {
			// The editor stops reading at a byte that is no UTF-8 and
			// waits, the rest of the line stuck behind it: such a byte
			// becomes unreadableMark. A character cut between two reads
			// waits for its end.
			if !final && !utf8.FullRune(in.raw) {
				return
			}
			r, size := utf8.DecodeRune(in.raw)
			if r == utf8.RuneError {
				char(utf8.AppendRune(nil, unreadableMark))
				size = 1
			} else {
				char(in.raw[:size])
			}
			in.raw = in.raw[size:]
			in.cr = false
			continue
		}
		if in.pasting {
			if c == 0x1b {
				switch {
				case bytes.HasPrefix(in.raw, pasteEnd):
					in.out = append(in.out, pasteEnd...)
					in.raw = in.raw[len(pasteEnd):]
					in.pasting, in.cr = false, false
					continue
				case !final && bytes.HasPrefix(pasteEnd, in.raw):
					return
				}
			}
			switch {
			case c == '\r':
				in.out = append(in.out, newlineMark...)
			case c == '\n':
				if !in.cr {
					in.out = append(in.out, newlineMark...)
				}
			case c == '\t':
				in.out = append(in.out, tabMark...)
			case c < 0x20 || c == 0x7f:
			default:
				in.out = append(in.out, c)
			}
			in.cr = c == '\r'
			in.raw = in.raw[1:]
			continue
		}
		if c >= 0x20 && c != 0x7f {
			char(in.raw[:1])
			in.raw = in.raw[1:]
			continue
		}
		wrap()
		if c != 0x1b {
			in.out = append(in.out, c)
			in.raw = in.raw[1:]
			continue
		}
		if bytes.HasPrefix(in.raw, pasteStart) {
			in.out = append(in.out, pasteStart...)
			in.raw = in.raw[len(pasteStart):]
			in.pasting = true
			continue
		}
		wait := !final && bytes.HasPrefix(pasteStart, in.raw)
		alias := false
		for _, k := range keyAliases {
			if bytes.HasPrefix(in.raw, []byte(k.from)) {
				in.out = append(in.out, k.to...)
				in.raw = in.raw[len(k.from):]
				alias = true
				break
			}
			wait = wait || !final && strings.HasPrefix(k.from, string(in.raw))
		}
		if alias {
			continue
		}
		// Any other sequence goes to the editor whole, up to its last
		// byte as the editor finds it (a letter or ~), so that none of
		// its characters is taken for typed text.
		end := bytes.IndexFunc(in.raw[1:], func(r rune) bool {
			return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '~'
		})
		switch {
		case end >= 0 && !wait:
			in.out = append(in.out, in.raw[:end+2]...)
			in.raw = in.raw[end+2:]
		case !final:
			return
		default:
			in.out = append(in.out, in.raw...)
			in.raw = nil
		}
	}
}
