package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"
)

// Transcriber defaults.
const (
	// DefaultTranscribeTimeout bounds one run of the transcriber: a few
	// times what whisper.cpp takes for a minute of speech on two cores.
	DefaultTranscribeTimeout = 2 * time.Minute
	// DefaultTranscribers is how many transcriptions run at once: each
	// takes a core or more.
	DefaultTranscribers = 1
	// maxTranscript bounds what is read of the transcriber's output.
	maxTranscript = 64 << 10
	// fileArg in the command stands for the audio file's path; without
	// it, the path is the last argument.
	fileArg = "{file}"
)

// Transcriber runs a speech-to-text program the operator installed (for
// example whisper.cpp behind a small script), on this machine only: the
// audio never leaves it. The program gets the audio file's path and
// prints the transcript on its standard output. At most a few run at
// once, each under a timeout, with an environment that holds no secret.
type Transcriber struct {
	argv    []string
	timeout time.Duration
	sem     chan struct{}
}

// NewTranscriber returns a Transcriber running argv (its first element
// the program, "{file}" in any element standing for the audio's path,
// which is appended otherwise), at most concurrency at once (default
// DefaultTranscribers), each for at most timeout (default
// DefaultTranscribeTimeout).
func NewTranscriber(argv []string, timeout time.Duration, concurrency int) (*Transcriber, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("transcriber: no program given")
	}
	if timeout <= 0 {
		timeout = DefaultTranscribeTimeout
	}
	if concurrency <= 0 {
		concurrency = DefaultTranscribers
	}
	return &Transcriber{argv: append([]string(nil), argv...), timeout: timeout, sem: make(chan struct{}, concurrency)}, nil
}

// Transcribe runs the program on the audio file at path and returns what
// it printed, spaces trimmed. A program that fails, prints nothing or
// outlives the timeout is an error saying so; it is killed with the
// processes it started.
func (t *Transcriber) Transcribe(ctx context.Context, path string) (string, error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-t.sem }()

	run, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	args := make([]string, 0, len(t.argv))
	found := false
	for _, a := range t.argv[1:] {
		if strings.Contains(a, fileArg) {
			found = true
			a = strings.ReplaceAll(a, fileArg, path)
		}
		args = append(args, a)
	}
	if !found {
		args = append(args, path)
	}
	cmd := exec.CommandContext(run, t.argv[0], args...)
	cmd.Env = cleanEnv()
	cmd.Dir = os.TempDir()
	stdout := &capped{max: maxTranscript}
	stderr := &capped{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A script's children keep its output open: kill them all, and stop
	// waiting for the pipes soon after.
	killGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.Is(run.Err(), context.DeadlineExceeded):
		return "", fmt.Errorf("transcriber %s took longer than %s and was stopped", t.name(), t.timeout)
	case err != nil:
		msg := strings.Join(strings.Fields(strings.ToValidUTF8(stderr.String(), "")), " ")
		if msg != "" {
			msg = ": " + shortText(msg, 200)
		}
		return "", fmt.Errorf("transcriber %s failed (%v)%s", t.name(), err, msg)
	}
	text := strings.TrimSpace(strings.ToValidUTF8(stdout.String(), ""))
	if text == "" {
		return "", fmt.Errorf("transcriber %s printed nothing", t.name())
	}
	return text, nil
}

// name is the program's name, for reasons and logs.
func (t *Transcriber) name() string { return fmt.Sprintf("%q", t.argv[0]) }

// cleanEnv is the transcriber's environment: what a program needs to
// run, never the bot's tokens and keys.
func cleanEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// capped keeps the first max bytes written to it and drops the rest.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (c *capped) String() string { return c.buf.String() }

// shortText cuts s to at most n characters.
func shortText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
