package secret

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Placeholder replaces a secret in redacted text.
const Placeholder = "[redacted]"

// MinLen is the shortest secret a Redactor replaces. Real tokens and keys
// are far longer; a shorter value (a placeholder in a test, "x") would
// blank that text out of every log line without protecting anything.
const MinLen = 8

// Redactor replaces secrets in text. The zero value and nil redact
// nothing. It is safe for concurrent use.
type Redactor struct {
	// forms are the secrets in every spelling, longest first, so that a
	// form containing another is replaced whole.
	forms []string
}

// NewRedactor returns a Redactor for secrets; empty ones and those
// shorter than MinLen are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if len(s) < MinLen {
			continue
		}
		for _, f := range forms(s) {
			if !slices.Contains(r.forms, f) {
				r.forms = append(r.forms, f)
			}
		}
	}
	slices.SortFunc(r.forms, func(a, b string) int { return len(b) - len(a) })
	return r
}

// forms lists how s may be spelled in an error or a log line.
func forms(s string) []string {
	unquote := func(q string) string { return q[1 : len(q)-1] }
	js, _ := json.Marshal(s) // a string always marshals
	return []string{
		s,
		url.PathEscape(s),
		url.QueryEscape(s),
		(&url.URL{Path: s}).EscapedPath(), // how net/http prints a URL's path
		unquote(strconv.Quote(s)),         // %q
		unquote(strconv.QuoteToASCII(s)),  // %+q
		unquote(string(js)),
	}
}

// String returns s with every form of every secret replaced by
// Placeholder.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Placeholder)
		}
	}
	return s
}

// Error returns err with its message redacted; errors.Is and errors.As
// still see err. nil stays nil, and an error that holds no secret is
// returned as is.
func (r *Redactor) Error(err error) error {
	if err == nil || r == nil {
		return err
	}
	msg := err.Error()
	if red := r.String(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Handler returns a slog.Handler that redacts the message and every
// attribute (strings, errors and any other value as it would be printed)
// before handing the record to next.
func (r *Redactor) Handler(next slog.Handler) slog.Handler {
	return &handler{r: r, next: next}
}

type handler struct {
	r    *Redactor
	next slog.Handler
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.r.attr(a)
	}
	return &handler{r: h.r, next: h.next.WithAttrs(red)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{r: h.r, next: h.next.WithGroup(name)}
}

// attr redacts one attribute, resolving LogValuers first.
func (r *Redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		v = slog.StringValue(r.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		red := make([]slog.Attr, len(group))
		for i, g := range group {
			red[i] = r.attr(g)
		}
		v = slog.GroupValue(red...)
	case slog.KindAny:
		// As the handlers print it: an error by its message, anything
		// else with %+v. Only a value that holds a secret is replaced.
		var s string
		if err, ok := v.Any().(error); ok {
			s = err.Error()
		} else {
			s = fmt.Sprintf("%+v", v.Any())
		}
		if red := r.String(s); red != s {
			v = slog.StringValue(red)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
