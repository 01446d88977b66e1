// Package storage keeps the consultation in one bbolt file: sessions,
// answers (indexed by theme, question and participant), the ids of applied
// events, and the outbox of replies not yet delivered. Every inbound event is
// one transaction; see DB.Apply.
package storage
