// Package terminal is the channel that runs the consultation in a terminal,
// with no token and no server: anyone can try the whole conversation with
// `consultbot chat`, and scripts can pipe answers into it.
//
// Adapter reads lines from an io.Reader and turns each into an Inbound
// event for the engine (a number picks one of the options last shown, a
// line starting with "/" is a command, anything else is a text answer). It
// is also the engine's Sender for the terminal channel: it prints each
// reply's title, text and numbered options. After each line it waits until
// the replies that line produced are printed before reading the next, so a
// typed number always refers to the options on screen, even when stdin is a
// pipe that is read faster than the engine delivers.
package terminal
