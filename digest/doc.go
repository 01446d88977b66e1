// Package digest computes the organisers' digest of the consultation and
// renders it for Telegram (HTML), Discord (markdown) and the terminal
// (Markdown), with a PNG chart of contributions per theme.
//
// It is pure: it reads no clock, opens no database and imports no platform
// SDK. The caller feeds it a snapshot of participants and answers, in chunks
// if need be (an Accumulator keeps memory bounded per question, so a store of
// a million answers can be read in short transactions that never block the
// participants' writes), and gets back a Digest: plain data that the render
// functions turn into messages within each platform's size limit, split
// between sections and never inside a quote or a tag.
//
// Hidden answers and the answers of banned participants are left out of
// every count, every word list and every quote.
package digest
