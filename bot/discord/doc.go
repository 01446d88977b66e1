// Package discord is the Discord channel for educators: it connects to
// Discord's gateway with discordgo, turns slash commands, button clicks,
// modal submissions and direct messages into neutral events for the engine,
// and delivers the engine's replies as ephemeral interaction follow-ups or
// direct messages, with buttons and "Answer" modals.
//
// Interactions come through the gateway or, when Discord is given an
// Interactions Endpoint URL, as signed HTTP requests (InteractionsHandler,
// which any replica may serve); both take one road (react). Either way
// an interaction's event is committed first, in its person's order, and
// the interaction acknowledged after (a deferred response, or the « not
// recorded » notice if the commit failed), or at 1.5 s if the commit is
// still running, within Discord's three seconds (firstResponse); an
// "Answer" button, which commits nothing, is answered at once with its
// modal. The replies follow from the outbox once committed; each
// outbox entry carries what its delivery needs (token, user, kind of
// acknowledgement, place among its event's replies), so any process may
// deliver them. Inside a guild every message to an
// educator is ephemeral, so that one teacher's answers never show to the
// channel. Reminders and announcements go as direct messages created with
// an enforced nonce of their outbox entry, so that one sent again after a
// kill is Discord's first message, not a second (sendChannel). This is
// the only package that imports discordgo.
package discord
