// Package telegramtest provides an in-process fake of the Telegram Bot API,
// named after net/http/httptest, for unit tests, end-to-end tests, the load
// tool and the interactive demo.
//
// A Server listens on 127.0.0.1 and answers the Bot API methods ikmbot uses
// the way Telegram does: requests are parsed as go-telegram/bot sends them
// (multipart/form-data, with nested objects such as reply_markup as JSON text
// in a form field), replies are {"ok":true,"result":...} or
// {"ok":false,"error_code":N,"description":"..."}, and the cheap validations
// that catch real bugs are applied with Telegram's own error texts (empty or
// too long text, malformed HTML or MarkdownV2, callback_data over 64 bytes,
// "message is not modified", a callback query answered twice).
//
// Point the library at it with
//
//	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
//	defer srv.Close()
//	b, err := tg.New(telegramtest.Token,
//		tg.WithServerURL(srv.URL()),
//		tg.WithHTTPClient(time.Minute, srv.Client()))
//
// The server keeps, per chat, the messages a person would see (current text
// and inline keyboard after edits; deleted messages gone), so a simulated
// User can read the chat and press buttons by their label:
//
//	u := srv.User(1001, "Sari", "id")
//	u.Send("/start")
//	// ... wait for the bot to answer ...
//	u.Tap("Sangat sesuai")
//
// Updates are queued and served by getUpdates with Telegram's offset, limit
// and long-poll semantics; builders such as User.TextUpdate make the same
// updates without queueing them, for tests that call handlers directly.
//
// Every call is recorded (Calls, CallsSince, WaitCall) and can be rendered as
// stable text with FormatCall and FormatUpdate for golden transcripts. Faults
// (Fail, FailRate) make chosen methods answer 429, 5xx or any other error.
//
// Two options make the fake behave like Telegram seen from far away, for
// the load tool: WithFloodLimits refuses sends and edits beyond Telegram's
// flood limits (TelegramLimits: about 30 a second in all, about one a
// second in a chat) with 429 and retry_after, and WithRoundTrip makes every
// call take a network round trip. Both are off by default, so tests see an
// instant, unlimited Telegram.
//
// The fake never talks to the network beyond its own listener: Client returns
// an *http.Client that refuses every other host, so a misconfigured test
// cannot reach api.telegram.org. Unknown methods and unparseable requests are
// reported through the Reporter (a *testing.T fails), and answered 404 or 400.
//
// The package does not import testing; the Reporter interface is what it needs
// from a *testing.T.
package telegramtest
