package terminal

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// The terminal may hand over a paste, or a key's sequence, in pieces.
// Typed characters reach the editor as a paste, which it takes whole.
func TestInputOneByteAtATime(t *testing.T) {
	in := newInput(iotest.OneByteReader(strings.NewReader(
		"a\x1b[200~x\r\ny\rz\x07\tw\x1b[201~\x1bOD\x1b[4~\x1b[C\r")))
	got, err := io.ReadAll(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "\x1b[200~a\x1b[201~\x1b[200~x↵y↵z⇥w\x1b[201~\x1b[D\x1b[F\x1b[C\r"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestInputGiveBackComesFirst(t *testing.T) {
	in := newInput(strings.NewReader("\x7f\r"))
	in.giveBack("deux\nlignes\x1b")
	got, _ := io.ReadAll(in)
	if want := "\x1b[200~deux↵lignes\x1b[201~\x7f\r"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestInputTypedCharactersAndKeys: typed characters reach the editor as
// pastes, with no limit of length; Enter, Backspace, the control keys and
// every escape sequence, known or not, stay keys, whole.
func TestInputTypedCharactersAndKeys(t *testing.T) {
	in := newInput(strings.NewReader("é à\x7f\x1b[1;5Cb\x1bxy\x01z\r"))
	got, err := io.ReadAll(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "\x1b[200~é à\x1b[201~\x7f\x1b[1;5C\x1b[200~b\x1b[201~\x1bx\x1b[200~y\x1b[201~\x01\x1b[200~z\x1b[201~\r"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
