// Package flows holds the consultation itself: the questionnaire (themes and
// their questions, embedded as data), the interface texts in French and
// English, and the conversation as a pure state machine.
//
// Machine.Step takes a participant's Session, one Event and the current time,
// and returns the new Session and the Replies to send. It performs no I/O and
// reads no clock, so the same input always gives the same output: the engine
// in package bot persists the result in one transaction before anything is
// sent. A person's mistake (unknown command, stale button, empty or oversize
// text) is answered with a re-prompt reply, never with a Go error.
//
// flows imports only the standard library.
package flows
