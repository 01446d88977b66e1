package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"consultbot/bot"
)

// CookieName is the one cookie the page sets: the anonymous session token.
const CookieName = "consultation"

// tokenBytes is the size of a session token: 256 random bits.
const tokenBytes = 32

// newToken returns a fresh session token, base64url without padding.
func newToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(tokenBytes))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return b
}

// randomID returns 16 random bytes in hex, for ids the server makes.
func randomID() string { return hex.EncodeToString(randomBytes(16)) }

// validToken reports whether s looks like a token newToken made: the
// cookie comes from the browser, so it is checked before use.
func validToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// visitor is who sent a request: the session token of their cookie (empty
// without one) and what is derived from it.
type visitor struct {
	token       string
	participant string
	csrf        string
}

// identify reads the session cookie of r.
func (a *Adapter) identify(r *http.Request) visitor {
	c, err := r.Cookie(CookieName)
	if err != nil || !validToken(c.Value) {
		return visitor{}
	}
	return a.visitorOf(c.Value)
}

func (a *Adapter) visitorOf(token string) visitor {
	return visitor{token: token, participant: bot.ParticipantID(bot.ChannelWeb, token, a.idKey), csrf: a.csrfOf(token)}
}

// csrfOf derives the anti-forgery token of a session: a keyed hash of the
// session token, so that nothing needs storing and a restart with the
// same key keeps open pages working.
func (a *Adapter) csrfOf(token string) string {
	mac := hmac.New(sha256.New, a.idKey)
	mac.Write([]byte("web csrf\x00"))
	mac.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:24])
}

// csrfOK checks the anti-forgery token of a post: in the form or in the
// X-CSRF-Token header.
func (v visitor) csrfOK(r *http.Request) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return v.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) == 1
}

// setCookie gives the browser its session token: HttpOnly, SameSite
// Strict, Secure when the page came over https. It lasts as long as the
// consultation may (a year); erasure clears it.
func (a *Adapter) setCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    token,
		Path:     "/",
		MaxAge:   int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   a.isHTTPS(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// clearCookie tells the browser to forget its session.
func (a *Adapter) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   a.isHTTPS(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// fromProxy reports whether r came through a trusted reverse proxy.
func (a *Adapter) fromProxy(r *http.Request) bool {
	if len(a.proxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	return a.trusted(ap.Addr())
}

func (a *Adapter) trusted(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range a.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// isHTTPS reports whether the browser reached the page over https: TLS
// here, or X-Forwarded-Proto from a trusted proxy.
func (a *Adapter) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return a.fromProxy(r) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// clientAddr is the address flood control counts a request against: the
// peer, or the last address a trusted proxy added to X-Forwarded-For. An
// IPv6 address counts as its /64, which one household usually holds.
func (a *Adapter) clientAddr(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := ap.Addr().Unmap()
	if a.trusted(addr) {
		// Walk from the right: the proxies' own hops first.
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = h.Unmap()
			if !a.trusted(addr) {
				break
			}
		}
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
