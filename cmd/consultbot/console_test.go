package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/flows"
)

// console reads what `consultbot chat` prints and cuts it into screens: a
// screen ends with the options of a reply, which is where the bot waits
// for the person.
type console struct {
	t     *testing.T
	lines chan string

	mu         sync.Mutex
	transcript strings.Builder
}

func newConsole(t *testing.T, r io.Reader) *console {
	c := &console{t: t, lines: make(chan string, 100000)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			c.mu.Lock()
			c.transcript.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			c.lines <- sc.Text()
		}
	}()
	return c
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transcript.String()
}

var (
	optionLine = regexp.MustCompile(`^  (\d+)\) (.*)$`)
	// wordsLine lists the options of a reply that takes text, as words to
	// type: "  → passer · retour · continuer plus tard".
	wordsLine = regexp.MustCompile(`^  → (.*)$`)
)

type screen struct {
	text    string
	options []string // labels, numbered from 1, or the words to type
}

func (s screen) option(match func(label string) bool) (int, bool) {
	for i, l := range s.options {
		if match(l) {
			return i + 1, true
		}
	}
	return 0, false
}

// next waits for the next screen. ok is false when the output ended first.
func (c *console) next(timeout time.Duration) (screen, bool) {
	c.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var text strings.Builder
	var opts []string
	for {
		select {
		case line, open := <-c.lines:
			if !open {
				return screen{text: text.String(), options: opts}, false
			}
			if m := optionLine.FindStringSubmatch(line); m != nil {
				if n, _ := strconv.Atoi(m[1]); n == 1 {
					opts = nil // a new reply's options
				}
				opts = append(opts, m[2])
				continue
			}
			if m := wordsLine.FindStringSubmatch(line); m != nil {
				opts = strings.Split(m[1], " · ")
				continue
			}
			if line == "" && len(opts) > 0 {
				return screen{text: text.String(), options: opts}, true
			}
			text.WriteString(line + "\n")
		case <-deadline.C:
			c.t.Fatalf("no screen within %v; output so far:\n%s", timeout, c.String())
		}
	}
}

// qref names a question.
type qref struct{ theme, question string }

// state is what a screen asks for.
type state struct {
	kind string // consent, profile, academie, menu, question, review, done
	q    qref
	pick int // the option to type, for button screens
}

type classifier struct {
	prompts map[string]qref
}

func newClassifier(q *flows.Questionnaire) classifier {
	c := classifier{prompts: map[string]qref{}}
	for _, th := range q.Themes {
		for _, qu := range th.Questions {
			c.prompts[qu.Prompt.In(flows.LangFR)] = qref{th.ID, qu.ID}
		}
	}
	return c
}

// menuLabel matches a theme button: "1. Égal accès au numérique — 2/5".
var menuLabel = regexp.MustCompile(`— \d+/\d+`)

func (c classifier) classify(s screen) (state, error) {
	if n, ok := s.option(func(l string) bool { return l == "J'accepte" }); ok {
		return state{kind: "consent", pick: n}, nil
	}
	if n, ok := s.option(func(l string) bool { return l == "Parent" }); ok {
		return state{kind: "profile", pick: n}, nil
	}
	if strings.Contains(s.text, "Dans quelle académie") {
		return state{kind: "academie"}, nil
	}
	if n, ok := s.option(func(l string) bool { return l == "Valider" }); ok {
		return state{kind: "review", pick: n}, nil
	}
	// Several prompts may be on screen (an acknowledgement quotes nothing,
	// but be strict): the question asked is the last one printed.
	best, at := qref{}, -1
	for p, ref := range c.prompts {
		if i := strings.LastIndex(s.text, p); i > at {
			best, at = ref, i
		}
	}
	if at >= 0 {
		return state{kind: "question", q: best}, nil
	}
	if len(s.options) > 0 && menuLabel.MatchString(s.options[0]) {
		if n, ok := s.option(func(l string) bool { return menuLabel.MatchString(l) && !strings.Contains(l, "✓") }); ok {
			return state{kind: "menu", pick: n}, nil
		}
		return state{kind: "done"}, nil
	}
	return state{}, fmt.Errorf("unrecognised screen:\n%s%q", s.text, s.options)
}
