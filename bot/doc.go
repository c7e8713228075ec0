// Package bot is ikmbot's Telegram side: updates come in, are turned into
// survey inputs inside one store transaction, and the events that come back
// are rendered into Bot API calls that are sent after the commit.
//
// Rules the package keeps:
//   - one write transaction per update; nothing is sent before it commits;
//   - a repeated update_id, a double tap or a press on an old keyboard
//     changes nothing (callback data carries the session and the step);
//   - updates of one chat are handled in order, different chats in parallel
//     (see Dispatcher), and a panic in a handler is recovered;
//   - the index is never computed here: figures come from store aggregates
//     through package survey.
//
// The fake Bot API in bot/telegramtest lets tests and the demo run the real
// bot without Telegram.
package bot
