// Package voice keeps the audio of voice answers while the platforms
// still serve it, and has it transcribed by a program the operator
// installs.
//
// Storage records a voice job in the same transaction as the voice
// answer (see storage.DB.Apply), so a crash between the commit and the
// fetch loses nothing: Service.Run picks up every job at start. A job's
// audio is fetched from its platform's Source in the background, with
// retries under a bound, and written next to the database in a private
// directory (0700, files 0600), named by answer id and never by user.
// What cannot be fetched (too long, too large, refused, or still failing
// when the bound is reached) is recorded with its reason and time.
//
// When a transcriber is configured, each kept file is passed to it; its
// standard output is the transcript, handed to the engine as a
// flows.EventTranscript with an id of its own, so that it is applied
// once, through the one pipeline: the participant confirms it (or not)
// and only a confirmed transcript becomes the answer's text.
//
// Files leave the directory when storage puts them in its trash (the
// answer was erased, changed, or its transcript confirmed with the
// delete-once-confirmed option, or retention expired); Run deletes them
// after that commit, and sweeps files no record names at start.
package voice
