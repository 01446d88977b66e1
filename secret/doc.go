// Package secret keeps tokens and keys out of logs and error messages. A
// Redactor is built once from the secrets of a run (the Telegram and
// Discord tokens, the webhook secret, the id key) and replaces each of them,
// in every form it takes in an SDK's error text, before a line is written:
// as is, URL-escaped (the Telegram token sits in the path of every Bot API
// URL, which net/http prints escaped) and quoted with escapes (%q turns a
// pasted carriage return into the two characters \r). Its slog handler
// applies it to every message and attribute, so that a secret an SDK puts
// in an error cannot reach the log whichever package logs it.
package secret
