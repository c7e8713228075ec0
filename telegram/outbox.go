package telegram

import "github.com/go-telegram/bot/models"

// Method is a Bot API call the bot makes in reply to an update.
type Method int

// The Bot API methods a reply uses.
const (
	SendMessage            Method = iota // sendMessage
	EditMessageText                      // editMessageText
	EditMessageReplyMarkup               // editMessageReplyMarkup
	AnswerCallbackQuery                  // answerCallbackQuery
	SendDocument                         // sendDocument (reports, posters)
	SendPhoto                            // sendPhoto (QR codes)
)

func (m Method) String() string {
	return [...]string{"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "sendDocument", "sendPhoto"}[m]
}

// Call is one Bot API call, decided inside the transaction and made after
// the commit.
type Call struct {
	Method   Method
	ChatID   int64
	MsgID    int
	Text     string
	Keyboard *models.InlineKeyboardMarkup // nil: no keyboard (an edit removes it)

	CallbackID string
	Alert      bool

	// Mark, when set on a sendMessage, is handed back with the sent
	// message's id to the Sender's Sent hook: the bot marks the message that
	// carries a session's current question, so later answers edit it.
	Mark string

	// Screen names what a sent or edited message shows, when the text alone
	// does not (a thank-you whose live figures move on): an edit of a
	// message that already shows the same screen is not made (see Sender).
	Screen string

	// Priority says who waits for a send or an edit (see Pacer).
	Priority Priority

	Filename string
	Data     []byte

	// Render makes Data after the commit (see Sender.Render), for files
	// too slow to draw inside a transaction that other chats wait for;
	// RenderFailed is sent instead when drawing fails.
	Render       func() ([]byte, error)
	RenderFailed string
}

// Outbox collects the calls for one update, in the order they are made.
type Outbox struct {
	Calls []Call

	// Priority is given to every call added (see SetPriority).
	Priority Priority
}

// SetPriority says who waits for the outbox's sends and edits, those
// added already and those to come.
func (o *Outbox) SetPriority(p Priority) {
	o.Priority = p
	for i := range o.Calls {
		o.Calls[i].Priority = p
	}
}

func (o *Outbox) add(c Call) {
	c.Priority = o.Priority
	o.Calls = append(o.Calls, c)
}

// Send sends a new message, with buttons when kb is not nil.
func (o *Outbox) Send(chatID int64, text string, kb *models.InlineKeyboardMarkup) {
	o.add(Call{Method: SendMessage, ChatID: chatID, Text: text, Keyboard: kb})
}

// SendScreen is Send of a message that shows screen (see Call.Screen).
func (o *Outbox) SendScreen(chatID int64, screen, text string, kb *models.InlineKeyboardMarkup) {
	o.add(Call{Method: SendMessage, ChatID: chatID, Text: text, Keyboard: kb, Screen: screen})
}

// SendMarked is Send with a mark for the Sender's Sent hook.
func (o *Outbox) SendMarked(chatID int64, mark, text string, kb *models.InlineKeyboardMarkup) {
	o.add(Call{Method: SendMessage, ChatID: chatID, Text: text, Keyboard: kb, Mark: mark})
}

// Edit replaces a message's text and buttons.
func (o *Outbox) Edit(chatID int64, msgID int, text string, kb *models.InlineKeyboardMarkup) {
	o.add(Call{Method: EditMessageText, ChatID: chatID, MsgID: msgID, Text: text, Keyboard: kb})
}

// EditScreen is Edit to a message that shows screen (see Call.Screen).
func (o *Outbox) EditScreen(chatID int64, msgID int, screen, text string, kb *models.InlineKeyboardMarkup) {
	o.add(Call{Method: EditMessageText, ChatID: chatID, MsgID: msgID, Text: text, Keyboard: kb, Screen: screen})
}

// RemoveKeyboard strips the buttons from an old message so that only the
// current question has live buttons.
func (o *Outbox) RemoveKeyboard(chatID int64, msgID int) {
	if msgID == 0 {
		return
	}
	o.add(Call{Method: EditMessageReplyMarkup, ChatID: chatID, MsgID: msgID})
}

// Answer stops the button's spinner; Telegram shows text as a toast, or as
// an alert box when alert is set. It goes first: the person is waiting.
func (o *Outbox) Answer(callbackID, text string, alert bool) {
	c := Call{Method: AnswerCallbackQuery, CallbackID: callbackID, Text: text, Alert: alert}
	o.Calls = append([]Call{c}, o.Calls...)
}

// Answered reports whether the outbox answers a button press.
func (o *Outbox) Answered() bool {
	for _, c := range o.Calls {
		if c.Method == AnswerCallbackQuery {
			return true
		}
	}
	return false
}

// SendFile sends a file (method SendDocument or SendPhoto) that render
// draws after the commit; failed is sent instead if drawing fails.
func (o *Outbox) SendFile(method Method, chatID int64, filename, caption, failed string, render func() ([]byte, error)) {
	o.add(Call{Method: method, ChatID: chatID, Filename: filename, Text: caption, Render: render, RenderFailed: failed})
}

// FirstFile returns the index of the first call whose file is drawn after
// the commit, or -1.
func (o *Outbox) FirstFile() int {
	for i, c := range o.Calls {
		if c.Render != nil {
			return i
		}
	}
	return -1
}

// Keyboard builds an inline keyboard from rows of buttons; empty rows are
// left out.
func Keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	var kept [][]models.InlineKeyboardButton
	for _, r := range rows {
		if len(r) > 0 {
			kept = append(kept, r)
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kept}
}

// Button is an inline button that sends data back when pressed.
func Button(text, data string) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: text, CallbackData: data}
}
