// Package bot is ikmbot's conversation: an update parsed by package telegram
// is turned into survey inputs inside one store transaction, and the events
// that come back are rendered into Bot API calls (telegram.Outbox) that the
// telegram.Sender makes after the commit.
//
// Rules the package keeps:
//   - one write transaction per update; nothing is sent before it commits;
//   - a repeated update_id, a double tap or a press on an old keyboard
//     changes nothing (callback data carries the session and the step);
//   - updates of one chat are handled in order, different chats in parallel
//     (telegram.Dispatcher), and a panic in a handler is recovered;
//   - the index is never computed here: figures come from store aggregates
//     through package survey.
//   - admin commands and admin buttons check the sender's role (roles.go)
//     against what they name, every time: city admins from the config, unit
//     admins from the store; a forged button gets a refusal and nothing else;
//   - messages to someone other than the sender (alerts, grants, the daily
//     digest) are queued in the store and sent by RunNotices, never on the
//     sender's update;
//   - files (exports, posters, backups) are drawn after the commit, in read
//     transactions of their own, after the update is reported done, so that
//     they hold up no other chat (exports.go, Dispatcher).
//
// The fake Bot API in telegram/telegramtest lets tests and the demo run the
// real bot without Telegram.
package bot
