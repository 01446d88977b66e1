package main

import (
	"net"
	"net/netip"
	"strings"

	"consultbot/text"
)

// WebConfig configures the web channel: the chat page served by run.
type WebConfig struct {
	// Enabled turns the channel on. It is on anyway when neither Telegram
	// nor Discord is configured, for a trial on this machine.
	Enabled bool `toml:"enabled"`
	// Listen is the address the page is served on, in plain HTTP: TLS is
	// a reverse proxy's job.
	Listen string `toml:"listen"`
	// TrustedProxies are the addresses or networks of the reverse proxies
	// whose X-Forwarded-For and X-Forwarded-Proto headers are believed.
	TrustedProxies []string `toml:"trusted_proxies"`
}

func defaultWebConfig() WebConfig {
	return WebConfig{Listen: "127.0.0.1:8080"}
}

// webOn reports whether run serves the web channel.
func (c Config) webOn() bool {
	return c.Web.Enabled || (c.Telegram.Token == "" && c.Discord.Token == "")
}

func (w WebConfig) validate() []error {
	var errs []error
	if _, port, err := net.SplitHostPort(w.Listen); err != nil || port == "" {
		errs = append(errs, invalid("web.listen", text.NotHostPort, w.Listen, "127.0.0.1:8080"))
	}
	if _, err := w.proxies(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// proxies parses TrustedProxies: networks ("10.0.0.0/8") or single
// addresses.
func (w WebConfig) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range w.TrustedProxies {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, invalid("web.trusted_proxies", text.NotProxy, s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// loopback reports whether the page listens on this machine only.
func (w WebConfig) loopback() bool {
	host, _, err := net.SplitHostPort(w.Listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
