// Package fault makes the in-repo platform fakes fail on purpose, the
// ways real platforms and the proxies in front of them fail: an HTTP 500
// with the platform's JSON error, a 502 with an HTML page, a request held
// without an answer and then dropped, a truncated JSON answer, a reset
// connection. Failures are chosen per request, either always for a named
// request (every sendDocument) or at random for a share of them, from a
// seed, so that a test or a soak run can be repeated.
package fault

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Kind is one way a request fails.
type Kind uint8

// The kinds of failure. Status500, BadGateway and Reset fail before the
// request is handled; Timeout and BrokenJSON after, so that the request
// took effect although its answer is lost, as when a proxy times out.
const (
	// Status500 answers 500 with the platform's JSON error body.
	Status500 Kind = iota + 1
	// BadGateway answers 502 with an HTML page, as a front proxy does.
	BadGateway
	// Timeout handles the request, then holds it without an answer until
	// the client gives up or Hang passes, and drops the connection.
	Timeout
	// BrokenJSON handles the request and answers with its body cut in half.
	BrokenJSON
	// Reset drops the connection without an answer.
	Reset
)

// All lists every kind, in order.
var All = []Kind{Status500, BadGateway, Timeout, BrokenJSON, Reset}

// String names the kind for reports.
func (k Kind) String() string {
	switch k {
	case Status500:
		return "500"
	case BadGateway:
		return "502 html"
	case Timeout:
		return "timeout"
	case BrokenJSON:
		return "broken json"
	case Reset:
		return "reset"
	}
	return fmt.Sprintf("fault(%d)", uint8(k))
}

// DefaultHang is how long a Timeout holds a request when Options.Hang is
// zero.
const DefaultHang = time.Second

// Options configure the random faults of an Injector. The zero value
// injects none.
type Options struct {
	// Rate is the share of eligible requests that fail, from 0 to 1.
	Rate float64
	// Seed seeds the draws: the same seed draws the same faults for the
	// same sequence of requests.
	Seed uint64
	// Kinds are drawn uniformly; empty means All.
	Kinds []Kind
	// Hang is how long a Timeout holds a request; DefaultHang when zero.
	Hang time.Duration
}

// Injector decides which requests of a fake fail, and how. Its methods
// are safe for concurrent use.
type Injector struct {
	mu     sync.Mutex
	opts   Options
	rng    *rand.Rand
	always map[string]Kind
	counts map[Kind]int
	// closed ends every Timeout being held (Close).
	closed    chan struct{}
	closeOnce sync.Once
}

// New returns an injector with opts' random faults and no named ones.
func New(opts Options) *Injector {
	if len(opts.Kinds) == 0 {
		opts.Kinds = All
	}
	if opts.Hang <= 0 {
		opts.Hang = DefaultHang
	}
	return &Injector{
		opts:   opts,
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5851f42d4c957f2d)),
		always: map[string]Kind{},
		counts: map[Kind]int{},
		closed: make(chan struct{}),
	}
}

// Close ends the Timeouts being held, and makes later ones end at once: a
// fake's server calls it before it closes, since a held request whose
// body was not read to its end is not cancelled when its client goes.
// A nil injector has nothing to close.
func (in *Injector) Close() {
	if in != nil {
		in.closeOnce.Do(func() { close(in.closed) })
	}
}

// Always makes every request named name fail with k, until Clear.
func (in *Injector) Always(name string, k Kind) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.always[name] = k
}

// Clear stops the failures that Always set for name.
func (in *Injector) Clear(name string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.always, name)
}

// Counts returns how many faults of each kind were injected so far.
func (in *Injector) Counts() map[Kind]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	c := make(map[Kind]int, len(in.counts))
	for k, n := range in.counts {
		c[k] = n
	}
	return c
}

// Total is the number of faults injected so far.
func (in *Injector) Total() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, c := range in.counts {
		n += c
	}
	return n
}

// pick returns the fault for a request named name, or 0 for none; random
// says whether the request may fail at random.
func (in *Injector) pick(name string, random bool) Kind {
	in.mu.Lock()
	defer in.mu.Unlock()
	k, ok := in.always[name]
	if !ok && random && in.opts.Rate > 0 && in.rng.Float64() < in.opts.Rate {
		k = in.opts.Kinds[in.rng.IntN(len(in.opts.Kinds))]
	}
	if k != 0 {
		in.counts[k]++
	}
	return k
}

// Serve handles r with next, unless a fault is due for a request named
// name: then it fails as that fault says. random says whether r may fail
// at random (sends, edits, polls) or only by Always (start-up calls).
// jsonError writes the platform's JSON error body with a status. A nil
// injector never fails.
func (in *Injector) Serve(w http.ResponseWriter, r *http.Request, name string, random bool, jsonError func(http.ResponseWriter, int), next http.HandlerFunc) {
	var k Kind
	if in != nil {
		k = in.pick(name, random)
	}
	switch k {
	case 0:
		next(w, r)
	case Status500:
		jsonError(w, http.StatusInternalServerError)
	case BadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(badGatewayPage))
	case Reset:
		drop(w)
	case Timeout:
		next(httptest.NewRecorder(), r)
		t := time.NewTimer(in.opts.Hang)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-in.closed:
		}
		t.Stop()
		drop(w)
	case BrokenJSON:
		rec := httptest.NewRecorder()
		next(rec, r)
		for key, v := range rec.Header() {
			w.Header()[key] = v
		}
		body := rec.Body.Bytes()
		if len(body) < 2 {
			body = []byte(`{"ok":`)
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(bytes.Clone(body[:len(body)/2]))
	}
}

// badGatewayPage is what nginx answers when the server behind it fails.
const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// drop closes the connection without an answer, with a TCP reset when it
// can.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fault: the response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
