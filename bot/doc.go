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
package bot
