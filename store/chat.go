package store

import (
	"fmt"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// Chat is the bot's per-chat state: everything needed to carry a
// conversation across restarts.
type Chat struct {
	ID          int64           // Telegram chat id (key). Kept only while a conversation is open.
	Lang        string          // language the user chose with /bahasa; "" = follow Telegram's language_code
	Mode        string          // small bot-defined state, e.g. "search" while a unit search is awaited
	Pending     string          // bot-defined payload for Mode (e.g. a unit code waiting for "continue or start over")
	QuestionMsg int             // message id of the question being edited in place; 0 = none
	Session     *survey.Session // open survey, nil when none
	LastUpdate  int64           // highest update_id handled for this chat (idempotency)
	Touched     time.Time       // last time the bot handled something in this chat, for retention

	// Finished and FinishedUnit name the survey this chat completed last,
	// so a press that arrives after a lost thank-you can show it again.
	Finished     string
	FinishedUnit string
}

// Chat returns the chat's state, or Chat{ID: id} when none is stored: a chat
// the bot has never seen is simply a chat with nothing going on.
func (tx *Tx) Chat(id int64) (Chat, error) {
	b := tx.bucket(bucketChats)
	if b == nil {
		return Chat{ID: id}, nil
	}
	v := b.Get(i64key(id))
	if v == nil {
		return Chat{ID: id}, nil
	}
	return tx.s.decodeChat(id, v)
}

// PutChat stores the chat's state, replacing what was there.
func (tx *Tx) PutChat(c Chat) error {
	b, err := tx.writeBucket(bucketChats)
	if err != nil {
		return err
	}
	v, err := encodeChat(c)
	if err != nil {
		return fmt.Errorf("put chat %d: %w", c.ID, err)
	}
	return b.Put(i64key(c.ID), v)
}

// DeleteChat forgets the chat's state; deleting an absent chat is not an
// error, so a repeated cleanup is harmless.
func (tx *Tx) DeleteChat(id int64) error {
	b, err := tx.writeBucket(bucketChats)
	if err != nil {
		return err
	}
	return b.Delete(i64key(id))
}

// ForEachChat calls fn for every stored chat, for the expiry sweep. fn must
// not add or delete chats through tx (a bbolt cursor does not survive that);
// collect ids and change them after ForEachChat returns.
func (tx *Tx) ForEachChat(fn func(Chat) error) error {
	b := tx.bucket(bucketChats)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		id, err := keyU64(k)
		if err != nil {
			return fmt.Errorf("chat key %x: %w", k, err)
		}
		c, err := tx.s.decodeChat(int64(id), v)
		if err != nil {
			return err
		}
		return fn(c)
	})
}
