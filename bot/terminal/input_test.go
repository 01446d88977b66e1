package terminal

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// The terminal may hand over a paste, or a key's sequence, in pieces.
func TestInputOneByteAtATime(t *testing.T) {
	in := newInput(iotest.OneByteReader(strings.NewReader(
		"a\x1b[200~x\r\ny\rz\x07\tw\x1b[201~\x1bOD\x1b[4~\x1b[C\r")))
	got, err := io.ReadAll(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "a\x1b[200~x↵y↵z⇥w\x1b[201~\x1b[D\x1b[F\x1b[C\r"
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
