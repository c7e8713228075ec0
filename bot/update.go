package bot

import (
	"strings"

	"github.com/go-telegram/bot/models"
)

// inputKind classifies an update by what the person did.
type inputKind int

const (
	kindIgnored  inputKind = iota // not for us: channel posts, group chats, edits, ...
	kindCommand                   // /start, /batal, ...
	kindText                      // plain text
	kindCallback                  // a button press
	kindMedia                     // sticker, photo, voice, ...: anything without text
)

func (k inputKind) String() string {
	return [...]string{"ignored", "command", "text", "callback", "media"}[k]
}

// incoming is the part of an update the bot acts on. It holds the Telegram
// ids needed to answer, and must never be logged whole.
type incoming struct {
	kind       inputKind
	chatID     int64
	userID     int64
	langCode   string
	text       string // text, or the command's argument
	command    string // lower-case command without "/" and "@botname"
	callbackID string
	data       string // callback data
	messageID  int    // the message a button belongs to
	gone       bool   // that message is too old for the bot to see or edit
}

// parseUpdate extracts what matters from an update. Only private chats are
// served: a survey in a group would expose answers to others.
func parseUpdate(u *models.Update) incoming {
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil {
			return incoming{}
		}
		in := incoming{chatID: m.Chat.ID, userID: m.From.ID, langCode: m.From.LanguageCode, messageID: m.ID}
		text := m.Text
		switch {
		case strings.HasPrefix(text, "/"):
			in.kind = kindCommand
			cmd, arg, _ := strings.Cut(text[1:], " ")
			cmd, _, _ = strings.Cut(cmd, "@")
			in.command = strings.ToLower(cmd)
			in.text = strings.TrimSpace(arg)
		case text != "":
			in.kind = kindText
			in.text = text
		default:
			in.kind = kindMedia
		}
		return in
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		in := incoming{kind: kindCallback, userID: q.From.ID, langCode: q.From.LanguageCode, callbackID: q.ID, data: q.Data}
		if msg := q.Message.Message; msg != nil {
			if msg.Chat.Type != models.ChatTypePrivate {
				return incoming{}
			}
			in.chatID = msg.Chat.ID
			in.messageID = msg.ID
		} else if msg := q.Message.InaccessibleMessage; msg != nil {
			in.chatID = msg.Chat.ID
			in.messageID = msg.MessageID
			in.gone = true
		}
		if in.chatID == 0 {
			// A press on an inline message or a message we cannot see:
			// nothing to update, but the spinner must still stop.
			in.chatID = q.From.ID
		}
		return in
	}
	return incoming{}
}
