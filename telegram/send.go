package telegram

import (
	"bytes"
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Retry policy for Bot API calls. Telegram's 429 carries retry_after, which
// the Pacer makes the whole sender wait out (up to maxRetryAfter); 5xx and
// network errors back off exponentially. A reply that cannot be sent after
// that is logged and dropped: the state it reflects is committed, and the
// person's next action shows the current question again.
const (
	maxAttempts   = 4
	firstBackoff  = 200 * time.Millisecond
	maxRetryAfter = 30 * time.Second
	// maxTooMany bounds the 429s one call meets before it is given up;
	// they do not count against maxAttempts: with a Pacer, a 429 slows the
	// sender until Telegram stops refusing, and the call's turn comes.
	maxTooMany = 8
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
//
// It remembers what each message it sent or edited shows (recently, and
// until a restart), and does not make an edit that would change nothing:
// a second tap of a button, a tap again on a question whose answer is on
// its way, a redelivered update. Telegram would refuse such an edit as "not
// modified", but only after counting it against the chat's flood limit.
type Sender struct {
	API         *tg.Bot
	Pace        *Pacer        // nil: no pacing, and a 429 is waited out by the call alone
	CallTimeout time.Duration // 0: DefaultCallTimeout; uploads get four times as long
	Log         *slog.Logger  // nil: slog.Default()
	Metrics     *Metrics      // nil: no metrics

	// Sent is called after a marked message was sent (Call.Mark), with its
	// message id.
	Sent func(chatID int64, mark string, msgID int)
	// Blocked is called when the person blocked the bot: nothing more can
	// reach them, and the rest of the update's calls are dropped.
	Blocked func(chatID int64)

	shownMu sync.Mutex
	shown   map[msgKey]shownMsg
}

// msgKey names a message.
type msgKey struct {
	chat int64
	msg  int
}

// shownMsg is what a message shows, as far as the Sender made it so.
type shownMsg struct {
	text   uint64 // hash of the text; 0: not known
	kb     uint64 // hash of the keyboard
	screen string // Call.Screen of the last send or edit
}

// maxShown bounds the messages the Sender remembers; past it, half are
// forgotten (an edit of a forgotten message is simply made).
const maxShown = 20000

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Deliver makes the calls of one update in order. Only the person's own
// chat is involved, so there is nothing to gain from parallel sends.
func (s *Sender) Deliver(ctx context.Context, chatID int64, calls []Call) {
	for _, c := range calls {
		msgID, err := s.Do(ctx, c)
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
			*c = Call{Method: SendMessage, ChatID: c.ChatID, Text: c.RenderFailed, Priority: c.Priority}
			continue
		}
		c.Data = data
	}
}

// Do makes one call with retries and returns the id of a sent message.
// Sends and edits wait for their turn under the Pacer; callback answers,
// which Telegram does not limit, go at once. An edit that would leave the
// message as it is returns at once, without a call.
func (s *Sender) Do(ctx context.Context, c Call) (int, error) {
	if s.unchanged(c) {
		return c.MsgID, nil
	}
	backoff := firstBackoff
	retryFirst := false // a call refused with 429 goes first when its turn comes
	tooMany := 0
	var err error
	for attempt := 1; ; attempt++ {
		if c.Method != AnswerCallbackQuery {
			if err := s.Pace.wait(ctx, c.ChatID, c.Priority, retryFirst, s.Metrics); err != nil {
				return 0, err
			}
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
			s.remember(c, id)
			return id, nil
		}
		s.Metrics.apiError(c.Method.String(), err)
		if c.Method == EditMessageText && isGone(err) {
			// The person deleted the message, or it is too old to edit:
			// show the same content as a new message instead.
			s.forget(c.ChatID, c.MsgID)
			c.Method, c.MsgID = SendMessage, 0
			continue
		}
		var refused *tg.TooManyRequestsError
		if errors.As(err, &refused) && s.Pace != nil {
			tooMany++
			attempt-- // counted apart
		}
		if attempt >= maxAttempts || tooMany >= maxTooMany || !retryable(err) {
			return 0, err
		}
		s.Metrics.retry(c.Method.String())
		if refused != nil {
			wait := min(time.Duration(refused.RetryAfter)*time.Second, maxRetryAfter)
			s.log().Debug("call refused: too many requests", "method", c.Method.String(), "attempt", attempt, "retry_after", wait)
			if s.Pace != nil && c.Method != AnswerCallbackQuery {
				// Everyone waits it out in the Pacer, this call first.
				s.Pace.Slow(c.ChatID, wait)
				retryFirst = true
				continue
			}
			if err := sleepCtx(ctx, wait); err != nil {
				return 0, err
			}
			continue
		}
		s.log().Debug("retrying call", "method", c.Method.String(), "attempt", attempt, "wait", backoff, "err", err)
		if err := sleepCtx(ctx, backoff); err != nil {
			return 0, err
		}
		backoff *= 2
	}
}

// sleepCtx waits d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// unchanged reports whether c is an edit that would leave its message as
// the Sender last made it.
func (s *Sender) unchanged(c Call) bool {
	if c.Method != EditMessageText && c.Method != EditMessageReplyMarkup {
		return false
	}
	s.shownMu.Lock()
	defer s.shownMu.Unlock()
	was, ok := s.shown[msgKey{c.ChatID, c.MsgID}]
	if !ok {
		return false
	}
	if c.Method == EditMessageReplyMarkup {
		return was.kb == keyboardHash(nil)
	}
	if c.Screen != "" && c.Screen == was.screen {
		return true
	}
	return was.text != 0 && was.text == textHash(c.Text) && was.kb == keyboardHash(c.Keyboard)
}

// remember records what c made its message show.
func (s *Sender) remember(c Call, id int) {
	var k msgKey
	var now shownMsg
	switch c.Method {
	case SendMessage:
		if id == 0 {
			return
		}
		k, now = msgKey{c.ChatID, id}, shownMsg{text: textHash(c.Text), kb: keyboardHash(c.Keyboard), screen: c.Screen}
	case EditMessageText:
		k, now = msgKey{c.ChatID, c.MsgID}, shownMsg{text: textHash(c.Text), kb: keyboardHash(c.Keyboard), screen: c.Screen}
	case EditMessageReplyMarkup:
		if id == 0 {
			s.forget(c.ChatID, c.MsgID) // gone
			return
		}
		k = msgKey{c.ChatID, c.MsgID}
		s.shownMu.Lock()
		now = s.shown[k]
		s.shownMu.Unlock()
		now.kb = keyboardHash(nil)
	default:
		return
	}
	s.shownMu.Lock()
	defer s.shownMu.Unlock()
	if s.shown == nil {
		s.shown = map[msgKey]shownMsg{}
	}
	if len(s.shown) >= maxShown {
		n := 0
		for old := range s.shown {
			if n >= maxShown/2 {
				break
			}
			delete(s.shown, old)
			n++
		}
	}
	s.shown[k] = now
}

// forget drops what the Sender knows of a message.
func (s *Sender) forget(chatID int64, msgID int) {
	s.shownMu.Lock()
	defer s.shownMu.Unlock()
	delete(s.shown, msgKey{chatID, msgID})
}

// textHash is a message text's fingerprint; never 0, which means unknown.
func textHash(text string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(text))
	return h.Sum64() | 1
}

// keyboardHash is an inline keyboard's fingerprint: nil and empty are the
// same (no buttons).
func keyboardHash(kb *models.InlineKeyboardMarkup) uint64 {
	h := fnv.New64a()
	if kb != nil {
		for _, row := range kb.InlineKeyboard {
			h.Write([]byte{'\n'})
			for _, b := range row {
				h.Write([]byte(b.Text))
				h.Write([]byte{0})
				h.Write([]byte(b.CallbackData))
				h.Write([]byte{0})
				h.Write([]byte(b.URL))
				h.Write([]byte{'\t'})
			}
		}
	}
	return h.Sum64()
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
