// Package telegram is ikmbot's transport: it brings Telegram updates in and
// takes Bot API calls out, and knows nothing of surveys.
//
//   - Poller fetches updates with getUpdates and confirms none before it is
//     safe: with an Inbox it keeps each batch durably first and then goes on
//     polling without waiting for the handlers; without one it waits for
//     the batch. WebhookHandler receives updates when a webhook is set and
//     answers non-2xx when one could not be stored.
//   - Dispatcher runs updates of one chat in order and of different chats in
//     parallel, at most a fixed number at once; a handler releases its place
//     once its update is committed (Handler).
//   - Parse turns an update into the Update the bot acts on.
//   - Outbox collects the Calls a handler decides on; Sender makes them after
//     the commit, with retries, skipping edits that would change nothing,
//     and reports back through hooks (a marked message sent, a chat that
//     blocked the bot) rather than writing anywhere itself.
//   - Pacer keeps sends and edits under Telegram's flood limits, overall and
//     per chat, replies to respondents first; a 429 slows it down.
//   - Metrics, BufferedClient.
//
// The fake Bot API in telegramtest lets tests and the demo run the real bot
// without Telegram.
package telegram
