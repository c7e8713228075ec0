package telegramtest

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// User is a simulated person chatting with the bot in a private chat whose
// id is the user's id. Methods named like Send push the update they make and
// return it with its update_id; methods named like TextUpdate only build it
// (update_id 0) for tests that feed handlers directly, and Push queues it.
type User struct {
	srv       *Server
	id        int64
	firstName string
	lang      string
}

// User returns a simulated user; languageCode is the IETF tag Telegram
// reports for the user's app, such as "id" or "en".
func (s *Server) User(id int64, firstName, languageCode string) *User {
	s.mu.Lock()
	c := s.chatLocked(id)
	if c.firstName == "" {
		c.firstName = firstName
	}
	s.mu.Unlock()
	return &User{srv: s, id: id, firstName: firstName, lang: languageCode}
}

// ID returns the user's id, which is also the chat id.
func (u *User) ID() int64 { return u.id }

// Model returns the user as the Bot API describes them.
func (u *User) Model() models.User {
	return models.User{ID: u.id, FirstName: u.firstName, LanguageCode: u.lang}
}

// Chat returns the messages the user sees, oldest first.
func (u *User) Chat() []Message { return u.srv.Chat(u.id) }

// Commands returns the command menu the user sees, resolved by scope and
// language as Telegram does.
func (u *User) Commands() []models.BotCommand {
	u.srv.mu.Lock()
	defer u.srv.mu.Unlock()
	return u.srv.commandsForLocked(u.id, u.lang)
}

func (u *User) chatModel() models.Chat {
	return models.Chat{ID: u.id, Type: models.ChatTypePrivate, FirstName: u.firstName}
}

// message builds a message from the user with a reserved message id.
func (u *User) message() *models.Message {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	from := u.Model()
	return &models.Message{ID: s.chatLocked(u.id).reserveID(), From: &from, Date: s.unix(), Chat: u.chatModel()}
}

// push queues a built update and returns it with its update_id.
func (u *User) push(upd models.Update) models.Update {
	u.srv.mu.Lock()
	defer u.srv.mu.Unlock()
	u.srv.pushLocked(&upd)
	return upd
}

// TextUpdate builds a text message; a text starting with "/" carries a
// bot_command entity for its first word, as Telegram sends it.
func (u *User) TextUpdate(text string) models.Update {
	m := u.message()
	m.Text = text
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(strings.ReplaceAll(text, "\n", " "), " ")
		if len(cmd) > 1 {
			m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: len(utf16.Encode([]rune(cmd)))}}
		}
	}
	return models.Update{Message: m}
}

// Send pushes a text message.
func (u *User) Send(text string) models.Update { return u.push(u.TextUpdate(text)) }

// StickerUpdate builds a sticker message.
func (u *User) StickerUpdate() models.Update {
	m := u.message()
	m.Sticker = &models.Sticker{
		FileID: fmt.Sprintf("CAACAgIAAxkBAAI%dsticker", m.ID), FileUniqueID: fmt.Sprintf("AgAD%dst", m.ID),
		Type: "regular", Width: 512, Height: 512, Emoji: "👍", SetName: "HotCherry", FileSize: 24012,
		Thumbnail: &models.PhotoSize{FileID: fmt.Sprintf("AAMCAgADGQEAAI%dthumb", m.ID), FileUniqueID: fmt.Sprintf("AQAD%dth", m.ID), Width: 128, Height: 128, FileSize: 5416},
	}
	return models.Update{Message: m}
}

// Sticker pushes a sticker message.
func (u *User) Sticker() models.Update { return u.push(u.StickerUpdate()) }

// PhotoUpdate builds a photo message without a caption.
func (u *User) PhotoUpdate() models.Update {
	m := u.message()
	for i, wh := range [][2]int{{90, 68}, {320, 240}, {800, 600}, {1280, 960}} {
		m.Photo = append(m.Photo, models.PhotoSize{
			FileID: fmt.Sprintf("AgACAgUAAxkBAAI%dphoto%d", m.ID, i), FileUniqueID: fmt.Sprintf("AQAD%dph%d", m.ID, i),
			Width: wh[0], Height: wh[1], FileSize: wh[0] * wh[1] / 8,
		})
	}
	return models.Update{Message: m}
}

// Photo pushes a photo message.
func (u *User) Photo() models.Update { return u.push(u.PhotoUpdate()) }

// VoiceUpdate builds a three-second voice message.
func (u *User) VoiceUpdate() models.Update {
	m := u.message()
	m.Voice = &models.Voice{FileID: fmt.Sprintf("AwACAgUAAxkBAAI%dvoice", m.ID), FileUniqueID: fmt.Sprintf("AgAD%dvo", m.ID), Duration: 3, MimeType: "audio/ogg", FileSize: 11520}
	return models.Update{Message: m}
}

// Voice pushes a voice message.
func (u *User) Voice() models.Update { return u.push(u.VoiceUpdate()) }

// LocationUpdate builds a location message (central Jakarta).
func (u *User) LocationUpdate() models.Update {
	m := u.message()
	m.Location = &models.Location{Latitude: -6.175392, Longitude: 106.827153}
	return models.Update{Message: m}
}

// Location pushes a location message.
func (u *User) Location() models.Update { return u.push(u.LocationUpdate()) }

// TapUpdate builds a press of the button labelled label on the newest
// message in the chat that has an inline keyboard.
func (u *User) TapUpdate(label string) (models.Update, error) {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lastKeyboardLocked(u.id)
	if m == nil {
		return models.Update{}, fmt.Errorf("telegramtest: user %d: no message with a keyboard to tap %q on", u.id, label)
	}
	b, ok := findButton(m.Keyboard, label)
	if !ok {
		return models.Update{}, fmt.Errorf("telegramtest: user %d: no button %q on #%d; buttons: %s", u.id, label, m.ID, labels(m.Keyboard))
	}
	return u.tapLocked(m.ID, b)
}

// Tap pushes a press of the button labelled label on the newest message in
// the chat that has an inline keyboard.
func (u *User) Tap(label string) (models.Update, error) {
	upd, err := u.TapUpdate(label)
	if err != nil {
		return upd, err
	}
	return u.push(upd), nil
}

// TapInUpdate builds a press of the button labelled label on message
// messageID. The button may be one the message no longer shows: every
// keyboard a message has had is kept, newest first, so a test can press a
// stale button the way an out-of-date client can.
func (u *User) TapInUpdate(messageID int, label string) (models.Update, error) {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.chatLocked(u.id).byID[messageID]
	if m == nil {
		return models.Update{}, fmt.Errorf("telegramtest: user %d: no message #%d", u.id, messageID)
	}
	if b, ok := findButton(m.Keyboard, label); ok {
		return u.tapLocked(m.ID, b)
	}
	for _, kb := range slices.Backward(m.keyboards) {
		if b, ok := findButton(kb, label); ok {
			return u.tapLocked(m.ID, b)
		}
	}
	return models.Update{}, fmt.Errorf("telegramtest: user %d: message #%d never had a button %q", u.id, messageID, label)
}

// TapIn pushes a press of the button labelled label on message messageID,
// even if the message's keyboard has since changed (see TapInUpdate).
func (u *User) TapIn(messageID int, label string) (models.Update, error) {
	upd, err := u.TapInUpdate(messageID, label)
	if err != nil {
		return upd, err
	}
	return u.push(upd), nil
}

// TapStale pushes a callback with data for message messageID, which must
// exist in the chat (it may have been edited or deleted since): a press of a
// button the bot no longer expects.
func (u *User) TapStale(messageID int, data string) (models.Update, error) {
	s := u.srv
	s.mu.Lock()
	m := s.chatLocked(u.id).byID[messageID]
	s.mu.Unlock()
	if m == nil {
		return models.Update{}, fmt.Errorf("telegramtest: user %d: no message #%d", u.id, messageID)
	}
	return u.push(u.CallbackUpdate(messageID, data)), nil
}

// CallbackUpdate builds a callback query with any data for any message id,
// without checks: a forged or replayed press.
func (u *User) CallbackUpdate(messageID int, data string) models.Update {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	upd, _ := u.tapLocked(messageID, Button{Data: data})
	return upd
}

// Callback pushes a callback query with any data for any message id.
func (u *User) Callback(messageID int, data string) models.Update {
	return u.push(u.CallbackUpdate(messageID, data))
}

// tapLocked builds the callback query for pressing b on message messageID.
// The query carries the message as it is now, or as inaccessible if it is
// gone, and its id becomes answerable once.
func (u *User) tapLocked(messageID int, b Button) (models.Update, error) {
	s := u.srv
	if b.Data == "" && b.URL != "" {
		return models.Update{}, fmt.Errorf("telegramtest: button %q opens %s; it sends no callback", b.Text, b.URL)
	}
	c := s.chatLocked(u.id)
	var mim models.MaybeInaccessibleMessage
	if m := c.byID[messageID]; m != nil && !m.deleted {
		mim = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: s.model(c, m, s.fromOf(m, u))}
	} else {
		mim = models.MaybeInaccessibleMessage{
			Type:                models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: u.chatModel(), MessageID: messageID},
		}
	}
	s.queryN++
	id := fmt.Sprintf("%d%07d", u.id, s.queryN)
	s.queries[id] = &query{chatID: u.id}
	return models.Update{CallbackQuery: &models.CallbackQuery{
		ID:           id,
		From:         u.Model(),
		Message:      mim,
		ChatInstance: fmt.Sprintf("-%d", 7000000000000000000+u.id),
		Data:         b.Data,
	}}, nil
}

func (s *Server) fromOf(m *message, u *User) *models.User {
	if m.FromBot {
		return s.botUser()
	}
	from := u.Model()
	return &from
}

// Block makes the user block the bot: sends to the chat fail with 403 until
// Unblock, and the bot gets the my_chat_member update that is pushed and
// returned.
func (u *User) Block() models.Update {
	return u.setBlocked(true)
}

// Unblock makes the user unblock the bot and pushes the my_chat_member
// update saying so.
func (u *User) Unblock() models.Update {
	return u.setBlocked(false)
}

func (u *User) setBlocked(blocked bool) models.Update {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(u.id).blocked = blocked
	bot := *s.botUser()
	member := models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &bot}}
	banned := models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &bot}}
	upd := models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: u.chatModel(), From: u.Model(), Date: s.unix(),
		OldChatMember: member, NewChatMember: banned,
	}}
	if !blocked {
		upd.MyChatMember.OldChatMember, upd.MyChatMember.NewChatMember = banned, member
	}
	s.pushLocked(&upd)
	return upd
}

func findButton(kb [][]Button, label string) (Button, bool) {
	for _, row := range kb {
		for _, b := range row {
			if b.Text == label {
				return b, true
			}
		}
	}
	return Button{}, false
}

func labels(kb [][]Button) string {
	var out []string
	for _, row := range kb {
		for _, b := range row {
			out = append(out, "["+b.Text+"]")
		}
	}
	return strings.Join(out, " ")
}
