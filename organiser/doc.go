// Package organiser serves the consultation's organisers: the digest
// (computed by package digest over a snapshot read from storage in short
// transactions), statistics, moderation (hide an answer, ban its author)
// and the schedule that posts periodic digests to the organisers' Telegram
// chats and Discord channels, each contribution in exactly one of them.
package organiser
