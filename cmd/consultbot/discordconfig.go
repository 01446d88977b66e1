package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"net"
	"strings"
)

// interactionsOn reports whether run serves Discord's interactions
// endpoint: on every replica, leading or not.
func (d DiscordConfig) interactionsOn() bool {
	return d.Token != "" && d.InteractionsListen != ""
}

// publicKey decodes PublicKey, the application's Ed25519 public key as the
// Developer Portal shows it (64 hexadecimal digits).
func (d DiscordConfig) publicKey() (ed25519.PublicKey, bool) {
	b, err := hex.DecodeString(strings.TrimSpace(d.PublicKey))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, false
	}
	return ed25519.PublicKey(b), true
}

func (d DiscordConfig) validateInteractions() []error {
	var errs []error
	bad := func(key, format string, args ...any) { errs = append(errs, invalid(key, format, args...)) }
	if d.InteractionsListen == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(d.InteractionsListen); err != nil || port == "" {
		bad("discord.interactions_listen", "%q is not host:port (e.g. 127.0.0.1:8081)", d.InteractionsListen)
	}
	if !strings.HasPrefix(d.InteractionsPath, "/") {
		bad("discord.interactions_path", "%q does not start with / (e.g. /interactions)", d.InteractionsPath)
	}
	if d.PublicKey == "" {
		bad("discord.public_key", "required with interactions_listen: the application's public key (Developer Portal → General Information), or ${DISCORD_PUBLIC_KEY}")
	} else if _, ok := d.publicKey(); !ok {
		bad("discord.public_key", "is not 64 hexadecimal digits (Developer Portal → General Information → Public Key)")
	}
	return errs
}
