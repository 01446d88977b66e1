// Package storage keeps the consultation in one bbolt file: sessions,
// answers (indexed by theme, question and participant), the ids of applied
// events, the outbox of replies not yet delivered, the events flood control
// holds back (the backlog), the replies refused for good (undeliverable),
// the organisers' moderation flags and the periodic digests with their
// deliveries. Every inbound event is one transaction; see DB.Apply. Erasing
// a participant (a confirmed /effacer, or an expired draft) is one
// transaction too; see eraseParticipantTx for what it deletes.
//
// Keys are built for prefix scans: answers live under
// theme/question/participant (listing a theme or a question reads only its
// keys), with a second index participant/theme/question; the outbox has one
// bucket per channel keyed by a big-endian sequence, so it reads oldest
// first. Values are versioned JSON records private to this package, and the
// file carries a schema version that a program refuses when it is newer than
// its own. Read views copy everything out of their short read transactions;
// exports walk the answers in chunks (ForEachAnswer) so that no read
// transaction stays open for long.
//
// Digests read a digest index instead (schema 5): every answer by creation
// time with what a digest counts and quotes, and each participant's banned
// flag and progress, as small binary records written in the transaction
// that writes the answer or the session (ForEachDigestAnswer,
// ForEachProgress). A digest thus reads the text of its period's answers
// only. A file of an older schema gets the index when opened for writing,
// in resumable chunks.
//
// A damaged file (truncated, overwritten, emptied) is refused with a
// *DamagedError before bbolt opens it, by plain reads of its meta pages,
// so that nothing grows or rewrites it; reads of the pages are guarded, so
// that a fault or a bbolt panic on a damaged page is an error, not a
// crash; DB.Check reads every page.
package storage
