package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// queued is an update waiting for getUpdates, frozen as JSON when pushed so
// later changes to the caller's values cannot race with delivery.
type queued struct {
	id   int64
	kind string // the update's field name, e.g. "message", "callback_query"
	raw  json.RawMessage
}

// notByDefault are the update kinds Telegram delivers only when asked for
// in allowed_updates.
var notByDefault = []string{"chat_member", "message_reaction", "message_reaction_count"}

// Push queues u for getUpdates and returns its update_id, assigning the next
// one (1, 2, ...) if u.ID is 0. A pushed private message is also added to its
// chat, numbered with the chat's next message id if its ID is 0, and a pushed
// callback query's id becomes answerable.
func (s *Server) Push(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(&u)
}

func (s *Server) pushLocked(u *models.Update) int64 {
	if u.ID == 0 {
		u.ID = s.nextUpd
	}
	if u.ID >= s.nextUpd {
		s.nextUpd = u.ID + 1
	}
	if u.Message != nil && u.Message.Chat.ID != 0 {
		msg := *u.Message
		s.incomingLocked(&msg)
		u.Message = &msg
	}
	if cq := u.CallbackQuery; cq != nil && cq.ID != "" {
		if _, ok := s.queries[cq.ID]; !ok {
			s.queries[cq.ID] = &query{chatID: cq.From.ID}
		}
	}
	raw, err := encodeUpdate(u)
	if err != nil {
		s.reporter.Errorf("telegramtest: cannot encode pushed update %d: %v", u.ID, err)
		return u.ID
	}
	s.queue = append(s.queue, queued{id: u.ID, kind: updateKind(u), raw: raw})
	s.notifyLocked()
	return u.ID
}

// incomingLocked adds a user's message to its chat, once.
func (s *Server) incomingLocked(msg *models.Message) {
	c := s.chatLocked(msg.Chat.ID)
	if c.firstName == "" {
		c.firstName = msg.Chat.FirstName
	}
	if msg.ID == 0 {
		msg.ID = c.reserveID()
	}
	if c.byID[msg.ID] != nil {
		return
	}
	m := &message{Message: Message{ID: msg.ID, Kind: messageKind(msg), Text: msg.Text}, date: msg.Date}
	if msg.From != nil && msg.From.IsBot {
		m.FromBot = true
	}
	if m.Text == "" {
		m.Text = msg.Caption
	}
	if msg.Document != nil {
		m.Document = msg.Document.FileName
	}
	if n := len(msg.Photo); n > 0 {
		m.Photo = msg.Photo[n-1].FileID
	}
	c.add(m)
}

func messageKind(m *models.Message) string {
	switch {
	case m.Document != nil:
		return KindDocument
	case len(m.Photo) > 0:
		return KindPhoto
	case m.Sticker != nil:
		return KindSticker
	case m.Voice != nil:
		return KindVoice
	case m.Location != nil:
		return KindLocation
	case m.Text != "":
		return KindText
	}
	return KindOther
}

// updateKind returns the JSON name of the update's one non-nil field.
func updateKind(u *models.Update) string {
	v := reflect.ValueOf(u).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			return name
		}
	}
	return ""
}

// Pending returns the number of queued updates not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendingLocked()
}

func (s *Server) pendingLocked() int { return len(s.queue) }

// Confirmed reports whether update id was confirmed: a getUpdates arrived
// with an offset greater than id.
func (s *Server) Confirmed(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return id < s.offset
}

// WaitConfirmed waits until update id is confirmed, ctx is done or the
// server closes.
func (s *Server) WaitConfirmed(ctx context.Context, id int64) error {
	for {
		s.mu.Lock()
		ok, ch := id < s.offset, s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// getUpdates serves getUpdates: confirm everything below offset, then answer
// at most limit updates, waiting up to timeout seconds for the first one.
// A newer getUpdates ends a waiting one with 409, as on Telegram.
func (s *Server) getUpdates(ctx context.Context, req *request) (any, *apiError) {
	offset, _ := strconv.ParseInt(req.params["offset"], 10, 64)
	limit, _ := strconv.Atoi(req.params["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(req.params["timeout"])

	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.faultLocked("getUpdates"); f != nil {
		if f.Network != NoNetworkFault {
			s.reporter.Errorf("telegramtest: getUpdates takes no network faults, only error answers")
		}
		return nil, f.apiError()
	}
	if s.webhook != "" {
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if raw := req.params["allowed_updates"]; raw != "" {
		var list []string
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return nil, badRequest("can't parse allowed_updates JSON array")
		}
		s.allowed = list
		if len(list) == 0 {
			s.allowed = nil
		}
	}
	s.confirmLocked(offset)
	s.pollGen++
	gen := s.pollGen
	s.notifyLocked()

	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expire = t.C
	}
	for last := timeout <= 0; ; {
		if s.pollGen != gen {
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		batch := s.deliverableLocked(limit)
		if len(batch) > 0 || last {
			return batch, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-expire:
			last = true
		case <-ctx.Done():
			last = true
		case <-s.done:
			last = true
		}
		s.mu.Lock()
	}
}

// confirmLocked applies a getUpdates offset: a positive one confirms and
// forgets every update below it; a negative one keeps only the last -offset.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		if offset > s.offset {
			s.offset = offset
		}
		s.queue = slices.DeleteFunc(s.queue, func(q queued) bool { return q.id < offset })
	case offset < 0:
		if n := int(-offset); len(s.queue) > n {
			s.queue = slices.Delete(s.queue, 0, len(s.queue)-n)
		}
	}
}

// deliverableLocked returns up to limit queued updates, dropping the ones
// allowed_updates excludes, as Telegram does.
func (s *Server) deliverableLocked(limit int) []json.RawMessage {
	s.queue = slices.DeleteFunc(s.queue, func(q queued) bool { return !s.allowedLocked(q.kind) })
	out := []json.RawMessage{}
	for _, q := range s.queue {
		if len(out) == limit {
			break
		}
		out = append(out, q.raw)
	}
	return out
}

func (s *Server) allowedLocked(kind string) bool {
	if s.allowed == nil {
		return !slices.Contains(notByDefault, kind)
	}
	return slices.Contains(s.allowed, kind)
}
