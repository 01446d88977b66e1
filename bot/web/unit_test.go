package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/flows/flowstest"
)

func TestClientAddress(t *testing.T) {
	a, err := New(nil, nil, Options{IDKey: testKey, TrustedProxies: prefixes(t, "10.0.0.0/8")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ remote, xff, want string }{
		{"192.0.2.7:5000", "", "192.0.2.7"},
		{"192.0.2.7:5000", "203.0.113.9", "192.0.2.7"},                          // not a trusted proxy: its header is ignored
		{"10.1.2.3:5000", "203.0.113.9", "203.0.113.9"},                         // the proxy's client
		{"10.1.2.3:5000", "198.51.100.1, 203.0.113.9, 10.9.9.9", "203.0.113.9"}, // proxies' hops skipped, a forged left part ignored
		{"10.1.2.3:5000", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},          // IPv6 counts by /64
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := a.clientAddr(r); got != tc.want {
			t.Errorf("clientAddr(%s, XFF %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestCodes(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := newCodes(func() time.Time { return now })
	code, exp := c.issue("token-a")
	if len(code) != codeLen || strings.Trim(code, codeAlphabet) != "" || !exp.Equal(now.Add(codeTTL)) {
		t.Fatalf("issued %q until %v", code, exp)
	}
	again, _ := c.issue("token-a")
	if _, ok := c.redeem(code); ok {
		t.Errorf("a replaced code still works")
	}
	typed := strings.ToLower(again[:4]) + " - " + again[4:]
	if tok, ok := c.redeem(typed); !ok || tok != "token-a" {
		t.Errorf("redeem(%q) = %q %v", typed, tok, ok)
	}
	if _, ok := c.redeem(again); ok {
		t.Errorf("a code worked twice")
	}
	for _, bad := range []string{"", "ABCD", "ABCD-EFG0", "ABCDEFGHJ"} {
		if normalizeCode(bad) != "" {
			t.Errorf("normalizeCode(%q) accepted", bad)
		}
	}
}

func TestHubKeepsABoundedRing(t *testing.T) {
	h := newHub(3, time.Now)
	for seq := uint64(1); seq <= 5; seq++ {
		h.deliver(outgoing("web:a", seq))
	}
	vw := h.view("web:a", 0)
	if len(vw.entries) != 3 || vw.entries[0].Seq != 3 || vw.floor != 2 || vw.last != 5 {
		t.Errorf("ring: %d entries from %d, floor %d, last %d", len(vw.entries), vw.entries[0].Seq, vw.floor, vw.last)
	}
	h.deliver(outgoing("web:a", 4)) // sent again after a restart: kept once
	if n := len(h.view("web:a", 0).entries); n != 3 {
		t.Errorf("a redelivered reply was kept again: %d entries", n)
	}
	h.deliver(outgoing("web:b", 6))
	if vw := h.view("web:b", 0); vw.floor != 5 {
		t.Errorf("a new record's floor = %d, want the last sequence seen before it (5)", vw.floor)
	}
}

func outgoing(participant string, seq uint64) bot.Outgoing {
	return bot.Outgoing{Seq: seq, Channel: bot.ChannelWeb, Participant: participant, Address: participant, Reply: flows.Reply{Text: "r"}}
}

// A theme's review in short comes above the next question in the same
// message, set apart in its own block, every piece escaped.
func TestMessageShowsTheRecapAboveThePrompt(t *testing.T) {
	r := flowstest.Recap(flows.LangFR, "<b>une heure</b>")
	html, err := render("message", messageOf(textsFor("fr"), entry{Seq: 3, Reply: r}))
	if err != nil {
		t.Fatal(err)
	}
	if err := flowstest.InOrder(html, "<p>Merci, c&#39;est noté.</p>",
		`<div class="recap">`, "<strong>Thème 2 terminé · Enseigner et apprendre avec le numérique</strong>", "&lt;b&gt;une heure&lt;/b&gt;", "valide ce thème.</p>\n</div>",
		"<strong>Thème 3\u00a0: Travailler ensemble, collaborer · Question 1/5</strong>"); err != nil {
		t.Error(err)
	}
}
