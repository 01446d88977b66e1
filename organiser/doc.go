// Package organiser serves the consultation's organisers: one command
// table (table.go) from which the parser, the help and the platforms'
// command menus are generated; one way in, Service.Submit, to which every
// channel hands what an organiser typed and says who and where they are;
// a bounded pool of workers that runs the commands, one per chat at a
// time; and one way out, the engine's outbox, where every answer is
// committed and then delivered under the engine's policy, laid out by
// each channel's Renderer (a Layout of its few differences).
//
// The commands are the digest (computed by package digest over a
// snapshot read from storage in short transactions), statistics and
// moderation (hide an answer, ban its author). The Service also runs the
// schedule that posts periodic digests to the organisers' Telegram chats
// and Discord channels, each contribution in exactly one of them.
//
// A person reads texts from the catalogue (package text), never a Go
// error: Message maps a failure to what the organiser reads.
package organiser
