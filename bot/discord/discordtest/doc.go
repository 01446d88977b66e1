// Package discordtest is an in-process fake of Discord for tests and for the
// load command: the REST routes that discordgo v0.29 calls and the gateway
// websocket, both served on 127.0.0.1.
//
// The fake speaks Discord's real wire shapes (snowflakes as strings, RFC 3339
// timestamps, member.user in guilds and user in direct messages), so the real
// discordgo.Session decodes what it sends and the adapter in package discord
// is exercised end to end. It enforces the limits a bot meets in production
// (2000-character content, custom ids of 1–100 characters, five text inputs
// per modal, 4000-character paragraphs, one callback per interaction within
// three seconds, a 15-minute interaction token) and can answer with 429s. A
// test drives it as Discord users would (slash commands, button clicks, modal
// submissions, direct messages) and inspects what each user saw. With
// UseInteractionsEndpoint it posts interactions to the bot's interactions
// endpoint instead, signed with an Ed25519 key the test makes, and takes
// each response as the interaction's callback.
package discordtest
