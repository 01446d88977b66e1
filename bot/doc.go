// Package bot is the engine between the platform adapters and the pure
// conversation in package flows.
//
// For every inbound event it keeps one rule: in a single storage
// transaction, drop the event if its id was already applied, load the
// participant's session, step it, and save the session, the answers and the
// outgoing replies (the outbox); only after the commit are the replies handed
// to the channel's Sender, and marked sent once delivered. Replies still in
// the outbox after a crash are sent again at start-up. Events of one
// participant are applied in order; events of different participants are
// committed together.
//
// Every reply, to a participant or to an organiser (Post, Commit), is
// delivered under one policy (delivery.go), written once for every
// channel: retries with a doubling wait, the waits a platform asks for,
// then degradation (a file sent as text, a picture replaced by a note) and,
// past the attempt budget or after a refusal for good, an undeliverable
// record, so that one reply never holds up the ones behind it. Flood
// control (SetFlood) holds the events of a person who sends too fast in a
// durable backlog and applies them at a steady rate, in order. ParticipantID is the one place a platform user id becomes a
// participant id, a keyed hash, so that user ids are never stored.
package bot
