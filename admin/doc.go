// Package admin is the local door of a running bot: a unix socket next to
// the database, mode 0600, through which the command line asks the bot
// for what it cannot read itself while the bot holds the database's lock
// (an export, the printed digest, statistics, a hot backup). There is no
// network listener: only the database's owner (and root) can connect, and
// each side checks the other's user id with the kernel's peer credentials.
//
// One connection carries one request, a line of JSON, and its answer, a
// stream of frames: data, then either the end with a short summary or an
// error, so that an answer cut short is never taken for a whole one.
package admin
