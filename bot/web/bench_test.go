package web

import (
	"bufio"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// BenchmarkMessage measures one message through the page's whole path:
// a post as the page's script sends it, the engine's commit on a real
// bbolt file, the reply kept in memory and written to the person's event
// stream, read back by the client. Participants answer in parallel, each
// waiting for its reply before the next message.
func BenchmarkMessage(b *testing.B) {
	for _, n := range []int{1, 64} {
		b.Run(fmt.Sprintf("participants=%d", n), func(b *testing.B) {
			h := newHarness(b, Options{Limits: Limits{AddressRate: 1e9, AddressBurst: 1e9, MessageRate: 1e9, MessageBurst: 1e9}})
			transport := &http.Transport{MaxIdleConnsPerHost: 2 * n}
			b.Cleanup(transport.CloseIdleConnections)
			people := make([]*benchPerson, n)
			for i := range people {
				people[i] = newBenchPerson(b, h, transport)
			}
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N/n + 1
			for _, p := range people {
				wg.Go(func() {
					for range per {
						p.message(b)
					}
				})
			}
			wg.Wait()
		})
	}
}

// benchPerson is a visitor at the académie prompt, answering "/aide"
// over and over (each answer commits, and gets a reply).
type benchPerson struct {
	h      *harness
	v      *browserless
	csrf   string
	events *bufio.Scanner
	n      int
}

func newBenchPerson(b *testing.B, h *harness, transport http.RoundTripper) *benchPerson {
	v := h.visitor()
	v.client.Transport = transport
	v.get("/")
	v.click("Commencer")
	p := &benchPerson{h: h, v: v, csrf: attrOf(v.page, "data-csrf")}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/events?epoch="+attrOf(v.page, "data-epoch")+"&after="+attrOf(v.page, "data-last"), nil)
	resp, err := v.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { resp.Body.Close() })
	p.events = bufio.NewScanner(resp.Body)
	p.events.Buffer(make([]byte, 1<<20), 1<<20)
	return p
}

func (p *benchPerson) message(b *testing.B) {
	p.n++
	form := url.Values{"text": {"/aide"}, "id": {fmt.Sprintf("bench-%p-%d", p, p.n)}}
	req, _ := http.NewRequest(http.MethodPost, p.h.srv.URL+"/send", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", p.csrf)
	resp, err := p.v.client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("post: %d", resp.StatusCode)
		return
	}
	for p.events.Scan() {
		if strings.HasPrefix(p.events.Text(), "event: reply") {
			return
		}
	}
	b.Error("the event stream ended")
}

func attrOf(page, name string) string {
	i := strings.Index(page, name+`="`)
	if i < 0 {
		return ""
	}
	rest := page[i+len(name)+2:]
	return rest[:strings.IndexByte(rest, '"')]
}
