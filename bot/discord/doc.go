// Package discord is the Discord channel for educators: it connects to
// Discord's gateway with discordgo, turns slash commands, button clicks,
// modal submissions and direct messages into neutral events for the engine,
// and delivers the engine's replies as ephemeral interaction follow-ups or
// direct messages, with buttons and "Answer" modals.
//
// Every interaction is acknowledged at once (a deferred response, or a modal
// for an "Answer" button), before the engine commits; the replies follow
// from the outbox once committed. Inside a guild every message to an
// educator is ephemeral, so that one teacher's answers never show to the
// channel. This is the only package that imports discordgo.
package discord
