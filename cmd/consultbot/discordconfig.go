package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"net"
	"strings"

	"consultbot/text"
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
	bad := func(key string, p text.Problem, args ...any) { errs = append(errs, invalid(key, p, args...)) }
	if d.InteractionsListen == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(d.InteractionsListen); err != nil || port == "" {
		bad("discord.interactions_listen", text.NotHostPort, d.InteractionsListen, "127.0.0.1:8081")
	}
	if !strings.HasPrefix(d.InteractionsPath, "/") {
		bad("discord.interactions_path", text.NotPath, d.InteractionsPath, "/interactions")
	}
	if d.PublicKey == "" {
		bad("discord.public_key", text.PublicKeyMissing)
	} else if _, ok := d.publicKey(); !ok {
		bad("discord.public_key", text.PublicKeyHex)
	}
	return errs
}
