package telegram

import (
	"strings"

	"github.com/go-telegram/bot/models"
)

// Kind classifies an update by what the person did.
type Kind int

// The kinds of update the bot tells apart.
const (
	KindIgnored  Kind = iota // not for us: channel posts, group chats, edits, ...
	KindCommand              // /start, /batal, ...
	KindText                 // plain text
	KindCallback             // a button press
	KindMedia                // sticker, photo, voice, ...: anything without text
)

func (k Kind) String() string {
	return [...]string{"ignored", "command", "text", "callback", "media"}[k]
}

// Update is the part of a Telegram update the bot acts on. It holds the
// Telegram ids needed to answer, and must never be logged whole.
type Update struct {
	Kind       Kind
	ChatID     int64
	UserID     int64
	LangCode   string
	Text       string // text, or the command's argument
	Command    string // lower-case command without "/" and "@botname"
	CallbackID string
	Data       string // callback data
	MessageID  int    // the message a button belongs to
	Gone       bool   // that message is too old for the bot to see or edit
}

// Parse extracts what matters from an update. Only private chats are
// served: a survey in a group would expose answers to others. Anything
// else parses to an Update with ChatID 0 (KindIgnored).
func Parse(u *models.Update) Update {
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil {
			return Update{}
		}
		in := Update{ChatID: m.Chat.ID, UserID: m.From.ID, LangCode: m.From.LanguageCode, MessageID: m.ID}
		text := m.Text
		switch {
		case strings.HasPrefix(text, "/"):
			in.Kind = KindCommand
			cmd, arg, _ := strings.Cut(text[1:], " ")
			cmd, _, _ = strings.Cut(cmd, "@")
			in.Command = strings.ToLower(cmd)
			in.Text = strings.TrimSpace(arg)
		case text != "":
			in.Kind = KindText
			in.Text = text
		default:
			in.Kind = KindMedia
		}
		return in
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		in := Update{Kind: KindCallback, UserID: q.From.ID, LangCode: q.From.LanguageCode, CallbackID: q.ID, Data: q.Data}
		if msg := q.Message.Message; msg != nil {
			if msg.Chat.Type != models.ChatTypePrivate {
				return Update{}
			}
			in.ChatID = msg.Chat.ID
			in.MessageID = msg.ID
		} else if msg := q.Message.InaccessibleMessage; msg != nil {
			in.ChatID = msg.Chat.ID
			in.MessageID = msg.MessageID
			in.Gone = true
		}
		if in.ChatID == 0 {
			// A press on an inline message or a message we cannot see:
			// nothing to update, but the spinner must still stop.
			in.ChatID = q.From.ID
		}
		return in
	}
	return Update{}
}
