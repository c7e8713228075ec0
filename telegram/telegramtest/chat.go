package telegramtest

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// Message kinds, as Message.Kind reports them.
const (
	KindText     = "text"     // a text message
	KindDocument = "document" // a document, with an optional caption in Text
	KindPhoto    = "photo"    // a photo, with an optional caption in Text
	KindSticker  = "sticker"  // a sticker
	KindVoice    = "voice"    // a voice message
	KindLocation = "location" // a location
	KindOther    = "other"    // anything else
)

// Button is one inline keyboard button as the user sees it.
type Button struct {
	Text string // label
	Data string // callback_data, empty for URL and other buttons
	URL  string // url of a URL button
}

// Message is a message in a chat as a person sees it now: after edits, with
// its current inline keyboard.
type Message struct {
	ID        int
	FromBot   bool       // false for the user's own messages
	Kind      string     // KindText, KindDocument, ...
	Text      string     // text, or the caption of a document or photo
	ParseMode string     // as sent: "", "HTML", "MarkdownV2" or "Markdown"
	Keyboard  [][]Button // current inline keyboard, nil if none
	Document  string     // filename (or file_id) of a document
	Photo     string     // filename (or file_id) of a photo
	Edited    bool
}

// message is the server's record of a message, including what a stale
// client could still show.
type message struct {
	Message
	date      int
	editDate  int
	deleted   bool
	keyboards [][][]Button // every non-empty keyboard the message has had, oldest first
	document  *models.Document
	photo     []models.PhotoSize
}

type chat struct {
	id        int64
	firstName string
	lastMsgID int
	blocked   bool
	msgs      []*message
	byID      map[int]*message
}

// chatLocked returns the chat with id, creating it: any chat id is accepted
// as a private chat with a user who has started the bot.
func (s *Server) chatLocked(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		c = &chat{id: id, byID: make(map[int]*message)}
		s.chats[id] = c
	}
	return c
}

// add appends m to the chat, giving it the next message id if it has none.
func (c *chat) add(m *message) {
	if m.ID == 0 {
		c.lastMsgID++
		m.ID = c.lastMsgID
	} else if m.ID > c.lastMsgID {
		c.lastMsgID = m.ID
	}
	if len(m.Keyboard) > 0 {
		m.keyboards = append(m.keyboards, cloneKeyboard(m.Keyboard))
	}
	c.msgs = append(c.msgs, m)
	c.byID[m.ID] = m
}

// reserveID hands out a message id for a user message that is built now and
// maybe queued later; Telegram numbers a private chat's messages from both
// sides with one counter.
func (c *chat) reserveID() int {
	c.lastMsgID++
	return c.lastMsgID
}

// Chat returns the messages a person sees in the chat, oldest first.
func (s *Server) Chat(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if !m.deleted {
			out = append(out, m.public())
		}
	}
	return out
}

// LastKeyboardMessage returns the newest message in the chat that currently
// has an inline keyboard.
func (s *Server) LastKeyboardMessage(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lastKeyboardLocked(chatID)
	if m == nil {
		return Message{}, false
	}
	return m.public(), true
}

func (s *Server) lastKeyboardLocked(chatID int64) *message {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	for _, m := range slices.Backward(c.msgs) {
		if !m.deleted && len(m.Keyboard) > 0 {
			return m
		}
	}
	return nil
}

func (m *message) public() Message {
	p := m.Message
	p.Keyboard = cloneKeyboard(m.Keyboard)
	return p
}

// model renders the message as the Bot API returns it.
func (s *Server) model(c *chat, m *message, from *models.User) *models.Message {
	out := &models.Message{
		ID:       m.ID,
		From:     from,
		Date:     m.date,
		EditDate: m.editDate,
		Chat:     models.Chat{ID: c.id, Type: models.ChatTypePrivate, FirstName: c.firstName},
		Document: m.document,
		Photo:    m.photo,
	}
	if m.Kind == KindText {
		out.Text = m.Text
	} else {
		out.Caption = m.Text
	}
	if len(m.Keyboard) > 0 {
		out.ReplyMarkup = keyboardModel(m.Keyboard)
	}
	return out
}

func (s *Server) botUser() *models.User {
	return &models.User{ID: BotID, IsBot: true, FirstName: "IKM Test Bot", Username: s.username}
}

func keyboardModel(kb [][]Button) *models.InlineKeyboardMarkup {
	rows := make([][]models.InlineKeyboardButton, len(kb))
	for i, row := range kb {
		for _, b := range row {
			rows[i] = append(rows[i], models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func cloneKeyboard(kb [][]Button) [][]Button {
	if kb == nil {
		return nil
	}
	out := make([][]Button, len(kb))
	for i, row := range kb {
		out[i] = slices.Clone(row)
	}
	return out
}

func keyboardsEqual(a, b [][]Button) bool {
	return slices.EqualFunc(a, b, func(x, y []Button) bool { return slices.Equal(x, y) })
}

// markup is the part of reply_markup the fake understands.
type markup struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text                         string          `json:"text"`
	URL                          string          `json:"url"`
	CallbackData                 *string         `json:"callback_data"`
	WebApp                       json.RawMessage `json:"web_app"`
	LoginURL                     json.RawMessage `json:"login_url"`
	SwitchInlineQuery            *string         `json:"switch_inline_query"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat"`
	SwitchInlineQueryChosenChat  json.RawMessage `json:"switch_inline_query_chosen_chat"`
	CopyText                     *struct {
		Text string `json:"text"`
	} `json:"copy_text"`
	CallbackGame json.RawMessage `json:"callback_game"`
	Pay          bool            `json:"pay"`
}

// parseKeyboard reads the inline keyboard of a reply_markup parameter. It
// returns nil for no markup, an empty inline keyboard, or a reply keyboard
// (the fake tracks inline keyboards only).
func parseKeyboard(raw string) ([][]Button, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var mk markup
	if err := json.Unmarshal([]byte(raw), &mk); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var kb [][]Button
	for _, row := range mk.InlineKeyboard {
		var out []Button
		for _, b := range row {
			if b.CallbackData != nil && len(*b.CallbackData) > 64 {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
			if !b.hasAction() {
				return nil, badRequest("text buttons are unallowed in the inline keyboard")
			}
			if b.URL != "" && !validButtonURL(b.URL) {
				return nil, badRequest("BUTTON_URL_INVALID")
			}
			btn := Button{Text: b.Text, URL: b.URL}
			if b.CallbackData != nil {
				btn.Data = *b.CallbackData
			}
			out = append(out, btn)
		}
		if len(out) > 0 {
			kb = append(kb, out)
		}
	}
	return kb, nil
}

func (b inlineButton) hasAction() bool {
	// go-telegram/bot always sends "copy_text":{"text":""}; only a
	// non-empty copy text makes a copy button.
	return b.URL != "" || (b.CallbackData != nil && *b.CallbackData != "") ||
		len(b.WebApp) > 0 || len(b.LoginURL) > 0 || b.SwitchInlineQuery != nil ||
		b.SwitchInlineQueryCurrentChat != nil || len(b.SwitchInlineQueryChosenChat) > 0 ||
		(b.CopyText != nil && b.CopyText.Text != "") || len(b.CallbackGame) > 0 || b.Pay
}

func validButtonURL(u string) bool {
	for _, p := range []string{"http://", "https://", "tg://"} {
		if len(u) > len(p) && u[:len(p)] == p {
			return true
		}
	}
	return false
}

// parseChatID reads chat_id; only numeric ids are known to the fake.
func parseChatID(params map[string]string) (int64, *apiError) {
	raw := params["chat_id"]
	if raw == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}
