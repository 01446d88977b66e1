package web

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"
)

// codeAlphabet has no letters or digits that read alike (0 O, 1 I L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// Continuation codes: 8 characters (31^8, about 8.5e11 codes), valid for
// a day, used once.
const (
	codeLen = 8
	codeTTL = 24 * time.Hour
)

// codes maps the short codes that carry a session to another device to
// session tokens. They live in memory only: a restart forgets them, and
// the person asks for a new one.
type codes struct {
	mu      sync.Mutex
	byCode  map[string]codeEntry
	byToken map[string]string
	now     func() time.Time
}

type codeEntry struct {
	token   string
	expires time.Time
}

func newCodes(now func() time.Time) *codes {
	return &codes{byCode: make(map[string]codeEntry), byToken: make(map[string]string), now: now}
}

// issue returns a new code for token, replacing the one it had.
func (c *codes) issue(token string) (string, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byToken[token]; ok {
		delete(c.byCode, old)
	}
	for {
		code := randomCode()
		if _, taken := c.byCode[code]; taken {
			continue
		}
		exp := c.now().Add(codeTTL)
		c.byCode[code] = codeEntry{token: token, expires: exp}
		c.byToken[token] = code
		return code, exp
	}
}

// randomCode draws codeLen characters of codeAlphabet uniformly: bytes
// at or above the largest multiple of the alphabet's size are drawn again.
func randomCode() string {
	limit := byte(256 / len(codeAlphabet) * len(codeAlphabet))
	var b strings.Builder
	var one [1]byte
	for b.Len() < codeLen {
		rand.Read(one[:])
		if one[0] < limit {
			b.WriteByte(codeAlphabet[int(one[0])%len(codeAlphabet)])
		}
	}
	return b.String()
}

// active returns the unexpired code of token, if any.
func (c *codes) active(token string) (string, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	code, ok := c.byToken[token]
	if !ok {
		return "", time.Time{}, false
	}
	e := c.byCode[code]
	if !c.now().Before(e.expires) {
		return "", time.Time{}, false
	}
	return code, e.expires, true
}

// redeem returns the token of a code and forgets the code.
func (c *codes) redeem(typed string) (string, bool) {
	code := normalizeCode(typed)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byCode[code]
	if !ok {
		return "", false
	}
	delete(c.byCode, code)
	delete(c.byToken, e.token)
	if !c.now().Before(e.expires) {
		return "", false
	}
	return e.token, true
}

// revoke forgets the code of token (erasure).
func (c *codes) revoke(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if code, ok := c.byToken[token]; ok {
		delete(c.byCode, code)
		delete(c.byToken, token)
	}
}

// sweep forgets expired codes.
func (c *codes) sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for code, e := range c.byCode {
		if !now.Before(e.expires) {
			delete(c.byCode, code)
			delete(c.byToken, e.token)
		}
	}
}

// normalizeCode reads a code as people type it: any case, with spaces or
// a dash.
func normalizeCode(s string) string {
	s = strings.ToUpper(s)
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if len(s) != codeLen || strings.Trim(s, codeAlphabet) != "" {
		return ""
	}
	return s
}

// formatCode shows a code in two groups of four.
func formatCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}
