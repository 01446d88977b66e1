// Package terminal is the channel that runs the consultation in a terminal,
// with no token and no server: anyone can try the whole conversation with
// `consultbot chat`, and scripts can pipe answers into it.
//
// Adapter turns what the person sends into Inbound events for the engine:
// a line starting with "/" is a command; a number picks one of the
// numbered options last shown, except where the bot waits for text, since
// a number is an answer there ("3" children) and the options (Passer,
// Retour…) are shown as words to type; anything else is a text answer,
// kept back with its length and the limit when it is longer than the
// reply allows. Adapter is also the engine's Sender for the terminal
// channel: it prints each reply's title, text and options. After each
// message it waits until the replies it produced are printed before
// reading the next, so a typed number always refers to the options on
// screen, even when stdin is a pipe read faster than the engine delivers.
//
// When stdin and stdout are both terminals, input goes through
// golang.org/x/term's line editor in raw mode (arrows, history, bracketed
// paste, the terminal restored on the way out): a paste is one message,
// line breaks included, and an answer over the limit goes back into the
// edit line. Otherwise each line read is one message.
package terminal
