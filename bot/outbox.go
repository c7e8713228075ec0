package bot

import "github.com/go-telegram/bot/models"

// callKind is a Bot API call the bot makes in reply to an update.
type callKind int

const (
	callSend         callKind = iota // sendMessage
	callEdit                         // editMessageText
	callEditMarkup                   // editMessageReplyMarkup
	callAnswer                       // answerCallbackQuery
	callSendDocument                 // sendDocument (reports, posters)
	callSendPhoto                    // sendPhoto (QR codes)
)

// call is one Bot API call, decided inside the transaction and made after
// the commit.
type call struct {
	kind     callKind
	chatID   int64
	msgID    int
	text     string
	keyboard *models.InlineKeyboardMarkup // nil: no keyboard (an edit removes it)

	callbackID string
	alert      bool

	// question marks a sendMessage that carries the current question of
	// session sid: its message id is recorded so later answers edit it.
	question bool
	sid      string

	filename string
	data     []byte

	// render makes data after the commit (see Bot.renderFiles), for files
	// too slow to draw inside a transaction that other chats wait for;
	// renderFailed is sent instead when drawing fails.
	render       func() ([]byte, error)
	renderFailed string
}

// outbox collects the calls for one update, in the order they are made,
// and what happened to surveys, for the metrics.
type outbox struct {
	calls  []call
	events surveyEvents

	// notices says the update queued notices for admins (notice.go), to be
	// sent once the update's own replies are out.
	notices bool
}

func (o *outbox) send(chatID int64, text string, kb *models.InlineKeyboardMarkup) {
	o.calls = append(o.calls, call{kind: callSend, chatID: chatID, text: text, keyboard: kb})
}

func (o *outbox) sendQuestion(chatID int64, sid, text string, kb *models.InlineKeyboardMarkup) {
	o.calls = append(o.calls, call{kind: callSend, chatID: chatID, text: text, keyboard: kb, question: true, sid: sid})
}

func (o *outbox) edit(chatID int64, msgID int, text string, kb *models.InlineKeyboardMarkup) {
	o.calls = append(o.calls, call{kind: callEdit, chatID: chatID, msgID: msgID, text: text, keyboard: kb})
}

// removeKeyboard strips the buttons from an old message so that only the
// current question has live buttons.
func (o *outbox) removeKeyboard(chatID int64, msgID int) {
	if msgID == 0 {
		return
	}
	o.calls = append(o.calls, call{kind: callEditMarkup, chatID: chatID, msgID: msgID})
}

// answer stops the button's spinner; Telegram shows text as a toast, or as
// an alert box when alert is set. It goes first: the person is waiting.
func (o *outbox) answer(callbackID, text string, alert bool) {
	c := call{kind: callAnswer, callbackID: callbackID, text: text, alert: alert}
	o.calls = append([]call{c}, o.calls...)
}

func (o *outbox) answered() bool {
	for _, c := range o.calls {
		if c.kind == callAnswer {
			return true
		}
	}
	return false
}

// keyboard builds an inline keyboard from rows of buttons.
func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	var kept [][]models.InlineKeyboardButton
	for _, r := range rows {
		if len(r) > 0 {
			kept = append(kept, r)
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kept}
}

func button(text, data string) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: text, CallbackData: data}
}
