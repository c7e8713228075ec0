package telegramtest_test

import (
	"context"
	"fmt"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// A user starts the bot, the bot asks a question with buttons, and the user
// taps one; the transcript is what a golden test would keep.
func Example() {
	srv := telegramtest.NewServer()
	defer srv.Close()
	b, err := tg.New(telegramtest.Token, tg.WithServerURL(srv.URL()), tg.WithHTTPClient(time.Minute, srv.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	u := srv.User(1001, "Sari", "id")
	fmt.Println(telegramtest.FormatUpdate(u.Send("/start")))

	since := srv.LastSeq()
	_, err = b.SendMessage(ctx, &tg.SendMessageParams{
		ChatID: u.ID(),
		Text:   "Apakah persyaratan pelayanan mudah dipenuhi?",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
			{Text: "Mudah", CallbackData: "q1:4"}, {Text: "Sulit", CallbackData: "q1:1"},
		}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(telegramtest.FormatCalls(srv.CallsSince(since)))

	tap, err := u.Tap("Mudah")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(telegramtest.FormatUpdate(tap))
	// Output:
	// > user 1001: /start
	// sendMessage chat=1001 -> #2
	//   Apakah persyaratan pelayanan mudah dipenuhi?
	//   [Mudah] [Sulit]
	// > user 1001 taps [Mudah] on #2
}
