package bot

import "github.com/ikmbot/ikmbot/store"

// The Sender's hooks: what the bot remembers about calls once they are
// made. Each runs after the send, in a transaction of its own.

// questionSent remembers which message shows the open question of session
// sid, so a later typed answer can strip its keyboard; only if the same
// session is still open.
func (b *Bot) questionSent(chatID int64, sid string, msgID int) {
	err := b.store.Update(func(tx *store.Tx) error {
		chat, err := tx.Chat(chatID)
		if err != nil || chat.Session == nil || chat.Session.ID != sid {
			return err
		}
		chat.QuestionMsg = msgID
		return tx.PutChat(chat)
	})
	if err != nil {
		b.log.Warn("question message not recorded", "err", err)
	}
}

// closeBlocked ends the conversation with a person who blocked the bot:
// the open survey is kept as incomplete and the chat record goes.
func (b *Bot) closeBlocked(chatID int64) {
	err := b.store.Update(func(tx *store.Tx) error {
		chat, err := tx.Chat(chatID)
		if err != nil || chat.Session == nil {
			return err
		}
		if chat.Session.Answered() {
			if err := tx.AddIncomplete(chat.Session.Partial(chat.Session.Updated)); err != nil {
				return err
			}
		}
		return tx.DeleteChat(chatID)
	})
	if err != nil {
		b.log.Warn("closing a blocked chat failed", "err", err)
	}
}
