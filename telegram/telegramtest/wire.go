package telegramtest

import (
	"encoding/json"
	"reflect"

	"github.com/go-telegram/bot/models"
)

// The fake's messages and updates use a dozen of the hundreds of fields of
// go-telegram/bot's models. encoding/json walks every one of them, and
// runs MaybeInaccessibleMessage's own MarshalJSON and then validates its
// output again, on every reply and every pushed button press: a fifth of
// the fake's CPU under ikmload. The wire types below carry just those
// fields, with the models' JSON names, so the JSON decodes to the very
// same models; anything using a field outside them is encoded by
// encoding/json as before (TestWireEncodingDecodesAlike).

type wireMessage struct {
	ID          int                          `json:"message_id"`
	From        *models.User                 `json:"from,omitempty"`
	Date        int                          `json:"date"`
	Chat        models.Chat                  `json:"chat"`
	EditDate    int                          `json:"edit_date,omitempty"`
	Text        string                       `json:"text,omitempty"`
	Entities    []models.MessageEntity       `json:"entities,omitempty"`
	Document    *models.Document             `json:"document,omitempty"`
	Photo       []models.PhotoSize           `json:"photo,omitempty"`
	Caption     string                       `json:"caption,omitempty"`
	ReplyMarkup *models.InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

type wireCallback struct {
	ID           string       `json:"id"`
	From         models.User  `json:"from"`
	Message      *wireMessage `json:"message"`
	ChatInstance string       `json:"chat_instance,omitempty"`
	Data         string       `json:"data,omitempty"`
}

type wireUpdate struct {
	ID            int64         `json:"update_id"`
	Message       *wireMessage  `json:"message,omitempty"`
	CallbackQuery *wireCallback `json:"callback_query,omitempty"`
}

// toWire returns m as a wireMessage, or false if m sets any other field.
func toWire(m *models.Message) (*wireMessage, bool) {
	w := &wireMessage{
		ID: m.ID, From: m.From, Date: m.Date, Chat: m.Chat, EditDate: m.EditDate,
		Text: m.Text, Entities: m.Entities, Document: m.Document, Photo: m.Photo,
		Caption: m.Caption, ReplyMarkup: m.ReplyMarkup,
	}
	rest := *m
	rest.ID, rest.From, rest.Date, rest.Chat, rest.EditDate = 0, nil, 0, models.Chat{}, 0
	rest.Text, rest.Entities, rest.Document, rest.Photo = "", nil, nil, nil
	rest.Caption, rest.ReplyMarkup = "", nil
	return w, reflect.ValueOf(&rest).Elem().IsZero()
}

// encodeMessage is json.Marshal(m), faster for the fake's own messages.
func encodeMessage(m *models.Message) ([]byte, error) {
	if w, ok := toWire(m); ok {
		return json.Marshal(w)
	}
	return json.Marshal(m)
}

// encodeUpdate is json.Marshal(u), faster for the updates the fake's users
// make: a message, or a press of a button under an accessible message.
func encodeUpdate(u *models.Update) ([]byte, error) {
	if w, ok := updateToWire(u); ok {
		return json.Marshal(w)
	}
	return json.Marshal(u)
}

// updateToWire returns u as a wireUpdate, or false if it has anything else.
func updateToWire(u *models.Update) (*wireUpdate, bool) {
	w := &wireUpdate{ID: u.ID}
	rest := *u
	rest.ID, rest.Message, rest.CallbackQuery = 0, nil, nil
	if !reflect.ValueOf(&rest).Elem().IsZero() {
		return nil, false
	}
	if u.Message != nil {
		m, ok := toWire(u.Message)
		if !ok {
			return nil, false
		}
		w.Message = m
	}
	if q := u.CallbackQuery; q != nil {
		if q.InlineMessageID != "" || q.GameShortName != "" ||
			q.Message.Type != models.MaybeInaccessibleMessageTypeMessage || q.Message.Message == nil {
			return nil, false
		}
		m, ok := toWire(q.Message.Message)
		if !ok {
			return nil, false
		}
		w.CallbackQuery = &wireCallback{ID: q.ID, From: q.From, Message: m, ChatInstance: q.ChatInstance, Data: q.Data}
	}
	return w, true
}
