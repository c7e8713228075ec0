package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/store"
)

// Retry policy for Bot API calls. Telegram's 429 carries retry_after, which
// is honoured up to maxRetryAfter; 5xx and network errors back off
// exponentially. A reply that cannot be sent after that is logged and
// dropped: the state it reflects is committed, and the person's next action
// shows the current question again.
const (
	maxAttempts   = 4
	firstBackoff  = 200 * time.Millisecond
	maxRetryAfter = 30 * time.Second
)

// DefaultCallTimeout bounds one Bot API call. Telegram answers in well under
// a second; without a bound, a connection that silently died would hold the
// update (and one of the Dispatcher's places) until the HTTP client's own
// timeout, a minute later, while the person's button spins; Telegram stops
// accepting an answer to a press after some seconds.
const DefaultCallTimeout = 10 * time.Second

// deliver makes the calls of one update in order. Only the person's own chat
// is involved, so there is nothing to gain from parallel sends.
func (b *Bot) deliver(ctx context.Context, chatID int64, out outbox) {
	for _, c := range out.calls {
		msgID, err := b.do(ctx, c)
		switch {
		case err == nil:
		case errors.Is(err, tg.ErrorForbidden):
			// The person blocked the bot: nothing more can reach them, and
			// their open survey is closed (answers kept as incomplete).
			b.log.Info("chat unreachable, replies dropped", "method", c.kind.method(), "err", err)
			b.closeBlocked(chatID)
			return
		default:
			b.log.Warn("reply not sent", "method", c.kind.method(), "err", err)
			continue
		}
		if c.question && msgID != 0 {
			b.recordQuestion(chatID, c.sid, msgID)
		}
	}
}

// recordQuestion remembers which message shows the open question, so a
// later typed answer can strip its keyboard. It runs after the send, in a
// transaction of its own, and only if the same session is still open.
func (b *Bot) recordQuestion(chatID int64, sid string, msgID int) {
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

func (k callKind) method() string {
	return [...]string{"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "sendDocument", "sendPhoto"}[k]
}

// do makes one call with retries and returns the id of a sent message.
func (b *Bot) do(ctx context.Context, c call) (int, error) {
	backoff := firstBackoff
	var err error
	for attempt := 1; ; attempt++ {
		// Only new messages count against the per-chat pace: edits answer
		// a tap the person just made, and must feel instant.
		if err := b.pace.wait(ctx, c.chatID, c.kind == callSend || c.kind == callSendDocument, b.metrics); err != nil {
			return 0, err
		}
		var id int
		timeout := b.cfg.CallTimeout
		if c.kind == callSendDocument || c.kind == callSendPhoto {
			timeout *= 4
		}
		callCtx, cancel := context.WithTimeout(ctx, timeout)
		id, err = b.once(callCtx, c)
		cancel()
		if err == nil || isNotModified(err) {
			return id, nil
		}
		b.metrics.apiError(c.kind.method(), err)
		if c.kind == callEdit && isGone(err) {
			// The person deleted the message, or it is too old to edit:
			// show the same content as a new message instead.
			c.kind, c.msgID = callSend, 0
			continue
		}
		if attempt >= maxAttempts || !retryable(err) {
			return 0, err
		}
		wait := backoff
		var tooMany *tg.TooManyRequestsError
		if errors.As(err, &tooMany) {
			wait = min(time.Duration(tooMany.RetryAfter)*time.Second, maxRetryAfter)
		} else {
			backoff *= 2
		}
		b.metrics.retry(c.kind.method())
		b.log.Debug("retrying call", "method", c.kind.method(), "attempt", attempt, "wait", wait, "err", err)
		if wait >= time.Second {
			// Telegram's retry_after can be half a minute. The update is
			// committed; let the Poller go on to other chats' updates, and
			// the Dispatcher give this one's place to another, while this
			// reply waits. (A crash during the wait loses the reply, as
			// one given up after maxAttempts is lost: the person's next
			// action shows the current question again.)
			reportEarly(ctx)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (b *Bot) once(ctx context.Context, c call) (int, error) {
	switch c.kind {
	case callSend:
		m, err := b.api.SendMessage(ctx, &tg.SendMessageParams{
			ChatID: c.chatID, Text: c.text, ParseMode: models.ParseModeHTML,
			ReplyMarkup: sendMarkup(c.keyboard), LinkPreviewOptions: noPreview,
		})
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	case callEdit:
		_, err := b.api.EditMessageText(ctx, &tg.EditMessageTextParams{
			ChatID: c.chatID, MessageID: c.msgID, Text: c.text, ParseMode: models.ParseModeHTML,
			ReplyMarkup: editMarkup(c.keyboard), LinkPreviewOptions: noPreview,
		})
		return c.msgID, err
	case callEditMarkup:
		_, err := b.api.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{
			ChatID: c.chatID, MessageID: c.msgID, ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}},
		})
		if err != nil && isGone(err) {
			return 0, nil // nothing left to tidy
		}
		return c.msgID, err
	case callAnswer:
		_, err := b.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: c.callbackID, Text: c.text, ShowAlert: c.alert})
		if err != nil && strings.Contains(err.Error(), "query is too old") {
			return 0, nil // a redelivered press; the spinner is long gone
		}
		return 0, err
	case callSendDocument:
		m, err := b.api.SendDocument(ctx, &tg.SendDocumentParams{
			ChatID:   c.chatID,
			Document: &models.InputFileUpload{Filename: c.filename, Data: bytes.NewReader(c.data)},
			Caption:  c.text, ParseMode: models.ParseModeHTML,
		})
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	case callSendPhoto:
		m, err := b.api.SendPhoto(ctx, &tg.SendPhotoParams{
			ChatID:  c.chatID,
			Photo:   &models.InputFileUpload{Filename: c.filename, Data: bytes.NewReader(c.data)},
			Caption: c.text, ParseMode: models.ParseModeHTML,
		})
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	}
	return 0, nil
}

var noPreview = &models.LinkPreviewOptions{IsDisabled: tg.True()}

// sendMarkup leaves reply_markup out of a message without buttons.
func sendMarkup(kb *models.InlineKeyboardMarkup) models.ReplyMarkup {
	if kb == nil {
		return nil
	}
	return kb
}

// editMarkup sends an empty keyboard when an edit has none: leaving
// reply_markup out would keep the old buttons alive.
func editMarkup(kb *models.InlineKeyboardMarkup) models.ReplyMarkup {
	if kb == nil {
		return models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
	}
	return kb
}

func isNotModified(err error) bool {
	return errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified")
}

func isGone(err error) bool {
	return errors.Is(err, tg.ErrorBadRequest) &&
		(strings.Contains(err.Error(), "message to edit not found") || strings.Contains(err.Error(), "message can't be edited"))
}

// retryable reports whether a failed call may succeed if made again: rate
// limits, Telegram's own faults and the network, but not a 400 or 403.
func retryable(err error) bool {
	var tooMany *tg.TooManyRequestsError
	if errors.As(err, &tooMany) {
		return true
	}
	for _, final := range []error{tg.ErrorBadRequest, tg.ErrorForbidden, tg.ErrorUnauthorized, tg.ErrorNotFound, tg.ErrorConflict, context.Canceled} {
		if errors.Is(err, final) {
			return false
		}
	}
	return true
}
