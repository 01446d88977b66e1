package admin

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Frame kinds of an answer.
const (
	frameData  = 'D' // payload: bytes of the answer
	frameEnd   = 'O' // payload: the summary; the answer is complete
	frameError = 'E' // payload: what went wrong; the answer is void
)

// maxFrame bounds one frame's payload; data is cut into frames of at most
// this size.
const maxFrame = 64 << 10

// writeFrame writes one frame: its kind, its length (big-endian), its
// payload.
func writeFrame(w io.Writer, kind byte, payload []byte) error {
	var head [5]byte
	head[0] = kind
	binary.BigEndian.PutUint32(head[1:], uint32(len(payload)))
	if _, err := w.Write(head[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

// frameWriter turns writes into data frames.
type frameWriter struct{ w *bufio.Writer }

func (f frameWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), maxFrame)]
		if err := writeFrame(f.w, frameData, chunk); err != nil {
			return n, err
		}
		n += len(chunk)
		p = p[len(chunk):]
	}
	return n, nil
}

// ErrTruncated says the connection ended before the answer's last frame:
// the bot stopped or was killed while it answered.
var ErrTruncated = errors.New("the running bot closed the connection before the end of its answer")

// readFrames copies the data frames of an answer to w and returns the
// summary of its end frame, or the error of its error frame.
func readFrames(r *bufio.Reader, w io.Writer) (string, error) {
	var head [5]byte
	buf := make([]byte, maxFrame)
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return "", ErrTruncated
			}
			return "", err
		}
		n := binary.BigEndian.Uint32(head[1:])
		if n > maxFrame {
			return "", fmt.Errorf("admin answer: frame of %d bytes, more than %d", n, maxFrame)
		}
		p := buf[:n]
		if _, err := io.ReadFull(r, p); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return "", ErrTruncated
			}
			return "", err
		}
		switch head[0] {
		case frameData:
			if _, err := w.Write(p); err != nil {
				return "", err
			}
		case frameEnd:
			return string(p), nil
		case frameError:
			return "", &RemoteError{Message: string(p)}
		default:
			return "", fmt.Errorf("admin answer: unknown frame kind %q", head[0])
		}
	}
}

// RemoteError is a failure the running bot reported for a request.
type RemoteError struct {
	Message string
}

func (e *RemoteError) Error() string { return "the running bot: " + e.Message }
