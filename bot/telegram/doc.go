// Package telegram is the channel through which parents take part: it
// turns Telegram Bot API updates into neutral bot.Inbound events for the
// engine and renders flows.Reply values as HTML messages with inline
// keyboards. It is the only package that imports the tgbotapi SDK.
//
// Delivery is exactly-once end to end: the adapter runs its own getUpdates
// loop and asks for the next offset only after every update of a batch has
// been committed by the engine (which dedupes by update id), so a kill at
// any point neither loses nor duplicates an answer. Webhook mode answers 200
// only after the commit. Outgoing messages respect Telegram's flood limits
// on the client side (overall, per chat, per group), honour retry_after and
// retry transient failures; a message that cannot be sent stays in the
// engine's outbox. An announcement interrupted by a kill is looked for in
// its chat before it is sent again, so that it arrives once (settle.go).
// The bot token, which is part of every request URL, never appears in a
// log line or a returned error.
package telegram
