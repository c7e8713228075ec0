package telegram

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
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

// Sender makes Bot API calls with retries, under the Pacer. It knows nothing
// of surveys: what the bot must remember about a call is reported through
// the hooks.
type Sender struct {
	API         *tg.Bot
	Pace        *Pacer        // nil: no pacing
	CallTimeout time.Duration // 0: DefaultCallTimeout; uploads get four times as long
	Log         *slog.Logger  // nil: slog.Default()
	Metrics     *Metrics      // nil: no metrics

	// Sent is called after a marked message was sent (Call.Mark), with its
	// message id.
	Sent func(chatID int64, mark string, msgID int)
	// Blocked is called when the person blocked the bot: nothing more can
	// reach them, and the rest of the update's calls are dropped.
	Blocked func(chatID int64)
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Deliver makes the calls of one update in order. Only the person's own
// chat is involved, so there is nothing to gain from parallel sends.
// release, if not nil, reports the update done early when a call must wait
// out a long retry_after (see Dispatcher).
func (s *Sender) Deliver(ctx context.Context, release func(), chatID int64, calls []Call) {
	for _, c := range calls {
		msgID, err := s.Do(ctx, release, c)
		switch {
		case err == nil:
		case errors.Is(err, tg.ErrorForbidden):
			s.log().Info("chat unreachable, replies dropped", "method", c.Method.String(), "err", err)
			if s.Blocked != nil {
				s.Blocked(chatID)
			}
			return
		default:
			s.log().Warn("reply not sent", "method", c.Method.String(), "err", err)
			continue
		}
		if c.Mark != "" && msgID != 0 && s.Sent != nil {
			s.Sent(chatID, c.Mark, msgID)
		}
	}
}

// Render draws the files that the transaction decided to send. It runs
// after the commit: drawing a poster takes tens of milliseconds, which
// every other chat's commit in the same bbolt batch would wait for. A file
// that cannot be drawn becomes a message saying so.
func (s *Sender) Render(calls []Call) {
	for i := range calls {
		c := &calls[i]
		if c.Render == nil || c.Data != nil {
			continue
		}
		data, err := c.Render()
		if err == nil && len(data) == 0 {
			err = errors.New("empty file")
		}
		if err != nil {
			s.log().Error("file not drawn", "file", c.Filename, "err", err)
			*c = Call{Method: SendMessage, ChatID: c.ChatID, Text: c.RenderFailed}
			continue
		}
		c.Data = data
	}
}

// Do makes one call with retries and returns the id of a sent message.
// release, if not nil, is called before waiting out a retry_after of a
// second or more.
func (s *Sender) Do(ctx context.Context, release func(), c Call) (int, error) {
	backoff := firstBackoff
	var err error
	for attempt := 1; ; attempt++ {
		// Only new messages count against the per-chat pace: edits answer
		// a tap the person just made, and must feel instant.
		if err := s.Pace.wait(ctx, c.ChatID, c.Method == SendMessage || c.Method == SendDocument, s.Metrics); err != nil {
			return 0, err
		}
		var id int
		timeout := s.CallTimeout
		if timeout <= 0 {
			timeout = DefaultCallTimeout
		}
		if c.Method == SendDocument || c.Method == SendPhoto {
			timeout *= 4
		}
		callCtx, cancel := context.WithTimeout(ctx, timeout)
		id, err = s.once(callCtx, c)
		cancel()
		if err == nil || isNotModified(err) {
			return id, nil
		}
		s.Metrics.apiError(c.Method.String(), err)
		if c.Method == EditMessageText && isGone(err) {
			// The person deleted the message, or it is too old to edit:
			// show the same content as a new message instead.
			c.Method, c.MsgID = SendMessage, 0
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
		s.Metrics.retry(c.Method.String())
		s.log().Debug("retrying call", "method", c.Method.String(), "attempt", attempt, "wait", wait, "err", err)
		if wait >= time.Second && release != nil {
			// Telegram's retry_after can be half a minute. The update is
			// committed; let the Poller go on to other chats' updates, and
			// the Dispatcher give this one's place to another, while this
			// reply waits. (A crash during the wait loses the reply, as
			// one given up after maxAttempts is lost: the person's next
			// action shows the current question again.)
			release()
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (s *Sender) once(ctx context.Context, c Call) (int, error) {
	switch c.Method {
	case SendMessage:
		m, err := s.API.SendMessage(ctx, &tg.SendMessageParams{
			ChatID: c.ChatID, Text: c.Text, ParseMode: models.ParseModeHTML,
			ReplyMarkup: sendMarkup(c.Keyboard), LinkPreviewOptions: noPreview,
		})
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	case EditMessageText:
		_, err := s.API.EditMessageText(ctx, &tg.EditMessageTextParams{
			ChatID: c.ChatID, MessageID: c.MsgID, Text: c.Text, ParseMode: models.ParseModeHTML,
			ReplyMarkup: editMarkup(c.Keyboard), LinkPreviewOptions: noPreview,
		})
		return c.MsgID, err
	case EditMessageReplyMarkup:
		_, err := s.API.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{
			ChatID: c.ChatID, MessageID: c.MsgID, ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}},
		})
		if err != nil && isGone(err) {
			return 0, nil // nothing left to tidy
		}
		return c.MsgID, err
	case AnswerCallbackQuery:
		_, err := s.API.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: c.CallbackID, Text: c.Text, ShowAlert: c.Alert})
		if err != nil && strings.Contains(err.Error(), "query is too old") {
			return 0, nil // a redelivered press; the spinner is long gone
		}
		return 0, err
	case SendDocument:
		m, err := s.API.SendDocument(ctx, &tg.SendDocumentParams{
			ChatID:   c.ChatID,
			Document: &models.InputFileUpload{Filename: c.Filename, Data: bytes.NewReader(c.Data)},
			Caption:  c.Text, ParseMode: models.ParseModeHTML,
		})
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	case SendPhoto:
		m, err := s.API.SendPhoto(ctx, &tg.SendPhotoParams{
			ChatID:  c.ChatID,
			Photo:   &models.InputFileUpload{Filename: c.Filename, Data: bytes.NewReader(c.Data)},
			Caption: c.Text, ParseMode: models.ParseModeHTML,
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
