// Package telegram is ikmbot's transport: it brings Telegram updates in and
// takes Bot API calls out, and knows nothing of surveys.
//
//   - Poller fetches updates with getUpdates and confirms them only once they
//     are handled; WebhookHandler receives them when a webhook is set and
//     answers non-2xx when one could not be stored.
//   - Dispatcher runs updates of one chat in order and of different chats in
//     parallel, at most a fixed number at once; a handler can release its
//     place early (Handler).
//   - Parse turns an update into the Update the bot acts on.
//   - Outbox collects the Calls a handler decides on; Sender makes them after
//     the commit, with retries and under the Pacer's flood limits, and
//     reports back through hooks (a marked message sent, a chat that blocked
//     the bot) rather than writing anywhere itself.
//   - Metrics, BufferedClient.
//
// The fake Bot API in telegramtest lets tests and the demo run the real bot
// without Telegram.
package telegram
