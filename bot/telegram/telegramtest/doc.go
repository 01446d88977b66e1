// Package telegramtest is a fake Telegram Bot API server on loopback, for
// tests and for the load command.
//
// It speaks the real wire protocol (form or multipart requests to
// /bot<token>/<method>, JSON answers with ok/result or
// ok/error_code/description/parameters), so the real tgbotapi client and the
// adapter in package telegram are exercised end to end. getUpdates keeps
// updates until a higher offset confirms them and long-polls like Telegram;
// sendMessage validates text, HTML and keyboards like Telegram; sending is
// rate limited like Telegram, answering 429 with retry_after. Tests act as
// users (SendText, TapButton, SendVoice, GroupMessage…), inspect what the
// bot did (Messages, AnsweredCallbacks, Commands) and wait on conditions
// with a deadline (WaitMessages, Wait) instead of sleeping.
package telegramtest
