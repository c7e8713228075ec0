package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // decode uploaded photos' sizes
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// method is a Bot API method the fake implements. fn runs with s.mu held and
// returns the result, the message id it touched, or an error answer.
type method struct {
	name string
	fn   func(s *Server, req *request) (any, int, *apiError)
}

var methods = map[string]method{}

func init() {
	for _, m := range []method{
		{"getMe", (*Server).getMe},
		{"getUpdates", nil}, // served by Server.getUpdates: it waits without the lock
		{"setWebhook", (*Server).setWebhook},
		{"deleteWebhook", (*Server).deleteWebhook},
		{"getWebhookInfo", (*Server).getWebhookInfo},
		{"setMyCommands", (*Server).setMyCommands},
		{"deleteMyCommands", (*Server).deleteMyCommands},
		{"getMyCommands", (*Server).getMyCommands},
		{"sendMessage", (*Server).sendMessage},
		{"sendDocument", (*Server).sendDocument},
		{"sendPhoto", (*Server).sendPhoto},
		{"sendChatAction", (*Server).sendChatAction},
		{"editMessageText", (*Server).editMessageText},
		{"editMessageReplyMarkup", (*Server).editMessageReplyMarkup},
		{"deleteMessage", (*Server).deleteMessage},
		{"answerCallbackQuery", (*Server).answerCallbackQuery},
	} {
		methods[strings.ToLower(m.name)] = m
	}
}

func (s *Server) getMe(*request) (any, int, *apiError) {
	u := s.botUser()
	u.CanJoinGroups = true
	return u, 0, nil
}

func (s *Server) setWebhook(req *request) (any, int, *apiError) {
	s.webhook = req.params["url"]
	if req.params["drop_pending_updates"] == "true" {
		s.queue = nil
	}
	return true, 0, nil
}

func (s *Server) deleteWebhook(req *request) (any, int, *apiError) {
	s.webhook = ""
	if req.params["drop_pending_updates"] == "true" {
		s.queue = nil
	}
	return true, 0, nil
}

func (s *Server) getWebhookInfo(*request) (any, int, *apiError) {
	return models.WebhookInfo{URL: s.webhook, PendingUpdateCount: s.pendingLocked(), AllowedUpdates: s.allowed}, 0, nil
}

// botCommand is models.BotCommand without the library's validation tags.
type botCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// commandKey identifies a command list: a scope and a language.
type commandKey struct {
	scope  string // "default", "all_private_chats", "chat:1001", ...
	lang   string
	chatID string
}

var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func parseCommandKey(params map[string]string) (commandKey, *apiError) {
	k := commandKey{scope: "default", lang: params["language_code"]}
	if raw := params["scope"]; raw != "" {
		var sc struct {
			Type   string          `json:"type"`
			ChatID json.RawMessage `json:"chat_id"`
		}
		if err := json.Unmarshal([]byte(raw), &sc); err != nil || sc.Type == "" {
			return k, badRequest("can't parse BotCommandScope JSON object")
		}
		k.scope = sc.Type
		k.chatID = string(bytes.Trim(sc.ChatID, `"`))
	}
	return k, nil
}

func (s *Server) setMyCommands(req *request) (any, int, *apiError) {
	k, e := parseCommandKey(req.params)
	if e != nil {
		return nil, 0, e
	}
	var cmds []botCommand
	if raw := req.params["commands"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
			return nil, 0, badRequest("can't parse commands JSON object")
		}
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return nil, 0, badRequest("BOT_COMMAND_INVALID")
		}
		if c.Description == "" {
			return nil, 0, badRequest("command description must be non-empty")
		}
	}
	if len(cmds) == 0 {
		delete(s.commands, k)
	} else {
		s.commands[k] = cmds
	}
	return true, 0, nil
}

func (s *Server) deleteMyCommands(req *request) (any, int, *apiError) {
	k, e := parseCommandKey(req.params)
	if e != nil {
		return nil, 0, e
	}
	delete(s.commands, k)
	return true, 0, nil
}

func (s *Server) getMyCommands(req *request) (any, int, *apiError) {
	k, e := parseCommandKey(req.params)
	if e != nil {
		return nil, 0, e
	}
	cmds := s.commands[k]
	if cmds == nil {
		cmds = []botCommand{}
	}
	return cmds, 0, nil
}

// commandsForLocked resolves the command menu a user sees in their private
// chat, in the order the Bot API documents for setMyCommands.
func (s *Server) commandsForLocked(chatID int64, lang string) []models.BotCommand {
	id := strconv.FormatInt(chatID, 10)
	for _, k := range []commandKey{
		{scope: "chat", chatID: id, lang: lang}, {scope: "chat", chatID: id},
		{scope: "all_private_chats", lang: lang}, {scope: "all_private_chats"},
		{scope: "default", lang: lang}, {scope: "default"},
	} {
		if cmds, ok := s.commands[k]; ok {
			out := make([]models.BotCommand, len(cmds))
			for i, c := range cmds {
				out[i] = models.BotCommand{Command: c.Command, Description: c.Description}
			}
			return out
		}
	}
	return nil
}

// sendTarget resolves chat_id for a send and refuses blocked chats.
func (s *Server) sendTarget(params map[string]string) (*chat, *apiError) {
	id, e := parseChatID(params)
	if e != nil {
		return nil, e
	}
	c := s.chatLocked(id)
	if c.blocked {
		return nil, &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	}
	return c, nil
}

func (s *Server) sendMessage(req *request) (any, int, *apiError) {
	c, e := s.sendTarget(req.params)
	if e != nil {
		return nil, 0, e
	}
	text, mode := req.params["text"], req.params["parse_mode"]
	if e := checkText(text, mode, false); e != nil {
		return nil, 0, e
	}
	kb, e := parseKeyboard(req.params["reply_markup"])
	if e != nil {
		return nil, 0, e
	}
	m := &message{Message: Message{FromBot: true, Kind: KindText, Text: text, ParseMode: mode, Keyboard: kb}, date: s.unix()}
	c.add(m)
	return s.model(c, m, s.botUser()), m.ID, nil
}

func (s *Server) sendDocument(req *request) (any, int, *apiError) {
	return s.sendFile(req, "document")
}

func (s *Server) sendPhoto(req *request) (any, int, *apiError) {
	return s.sendFile(req, "photo")
}

// sendFile serves sendDocument and sendPhoto: the file arrives as an upload
// in the field named kind, or as a file_id/URL string in that parameter.
func (s *Server) sendFile(req *request, kind string) (any, int, *apiError) {
	c, e := s.sendTarget(req.params)
	if e != nil {
		return nil, 0, e
	}
	caption, mode := req.params["caption"], req.params["parse_mode"]
	if e := checkText(caption, mode, true); e != nil {
		return nil, 0, e
	}
	kb, e := parseKeyboard(req.params["reply_markup"])
	if e != nil {
		return nil, 0, e
	}
	name, data, uploaded := req.params[kind], []byte(nil), false
	if f, ok := req.files[kind]; ok {
		name, data, uploaded = f.Filename, f.Data, true
	}
	if name == "" && !uploaded {
		return nil, 0, badRequest("there is no " + kind + " in the request")
	}
	if uploaded && len(data) == 0 {
		return nil, 0, badRequest("file must be non-empty")
	}
	s.fileN++
	fileID := fmt.Sprintf("%s-file-%d", kind, s.fileN)
	uniqueID := fmt.Sprintf("unique-%d", s.fileN)
	m := &message{Message: Message{FromBot: true, Text: caption, ParseMode: mode, Keyboard: kb}, date: s.unix()}
	switch kind {
	case "document":
		m.Kind, m.Document = KindDocument, name
		mt := mime.TypeByExtension(path.Ext(name))
		if mt == "" {
			mt = "application/octet-stream"
		}
		m.document = &models.Document{FileID: fileID, FileUniqueID: uniqueID, FileName: name, MimeType: mt, FileSize: int64(len(data))}
	case "photo":
		m.Kind, m.Photo = KindPhoto, name
		w, h := 1280, 960 // a photo sent by file_id or URL
		if uploaded {
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				return nil, 0, badRequest("IMAGE_PROCESS_FAILED")
			}
			w, h = cfg.Width, cfg.Height
		}
		m.photo = photoSizes(fileID, uniqueID, w, h, len(data))
	}
	c.add(m)
	return s.model(c, m, s.botUser()), m.ID, nil
}

// photoSizes lists the sizes Telegram makes of a photo: thumbnails up to 90,
// 320, 800 and 1280 pixels on the long side, and no larger than the original.
func photoSizes(fileID, uniqueID string, w, h, size int) []models.PhotoSize {
	var out []models.PhotoSize
	for i, side := range []int{90, 320, 800, 1280} {
		sw, sh := w, h
		if long := max(w, h); long > side {
			sw, sh = w*side/long, h*side/long
		}
		ps := models.PhotoSize{FileID: fmt.Sprintf("%s-%d", fileID, i), FileUniqueID: fmt.Sprintf("%s-%d", uniqueID, i), Width: sw, Height: sh, FileSize: size * sw * sh / max(1, w*h)}
		if n := len(out); n > 0 && out[n-1].Width == sw && out[n-1].Height == sh {
			break
		}
		out = append(out, ps)
	}
	return out
}

var chatActions = []string{
	"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
	"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}

func (s *Server) sendChatAction(req *request) (any, int, *apiError) {
	if _, e := s.sendTarget(req.params); e != nil {
		return nil, 0, e
	}
	if !slices.Contains(chatActions, req.params["action"]) {
		return nil, 0, badRequest("wrong parameter action in request")
	}
	return true, 0, nil
}

// editTarget finds the bot message an edit refers to.
func (s *Server) editTarget(params map[string]string) (*chat, *message, *apiError) {
	if params["inline_message_id"] != "" {
		return nil, nil, badRequest("message to edit not found")
	}
	c, e := s.sendTarget(params)
	if e != nil {
		return nil, nil, e
	}
	id, err := strconv.Atoi(params["message_id"])
	if err != nil {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m := c.byID[id]
	if m == nil || m.deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if !m.FromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) editMessageText(req *request) (any, int, *apiError) {
	c, m, e := s.editTarget(req.params)
	if e != nil {
		return nil, 0, e
	}
	if m.Kind != KindText {
		return nil, 0, badRequest("there is no text in the message to edit")
	}
	text, mode := req.params["text"], req.params["parse_mode"]
	if e := checkText(text, mode, false); e != nil {
		return nil, 0, e
	}
	// As on Telegram, an edit without reply_markup removes the keyboard.
	kb, e := parseKeyboard(req.params["reply_markup"])
	if e != nil {
		return nil, 0, e
	}
	if text == m.Text && mode == m.ParseMode && keyboardsEqual(kb, m.Keyboard) {
		return nil, 0, badRequest(notModified)
	}
	m.Text, m.ParseMode = text, mode
	s.setKeyboard(m, kb)
	return s.model(c, m, s.botUser()), m.ID, nil
}

func (s *Server) editMessageReplyMarkup(req *request) (any, int, *apiError) {
	c, m, e := s.editTarget(req.params)
	if e != nil {
		return nil, 0, e
	}
	kb, e := parseKeyboard(req.params["reply_markup"])
	if e != nil {
		return nil, 0, e
	}
	if keyboardsEqual(kb, m.Keyboard) {
		return nil, 0, badRequest(notModified)
	}
	s.setKeyboard(m, kb)
	return s.model(c, m, s.botUser()), m.ID, nil
}

func (s *Server) setKeyboard(m *message, kb [][]Button) {
	m.Keyboard = kb
	if len(kb) > 0 {
		m.keyboards = append(m.keyboards, cloneKeyboard(kb))
	}
	m.Edited = true
	m.editDate = s.unix()
}

func (s *Server) deleteMessage(req *request) (any, int, *apiError) {
	id, e := parseChatID(req.params)
	if e != nil {
		return nil, 0, e
	}
	c := s.chatLocked(id)
	mid, _ := strconv.Atoi(req.params["message_id"])
	m := c.byID[mid]
	if m == nil || m.deleted {
		return nil, 0, badRequest("message to delete not found")
	}
	m.deleted = true
	return true, m.ID, nil
}

// query is a callback query the fake has issued.
type query struct {
	chatID   int64
	answered bool
}

func (s *Server) answerCallbackQuery(req *request) (any, int, *apiError) {
	q := s.queries[req.params["callback_query_id"]]
	if q == nil || q.answered {
		return nil, 0, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	return true, 0, nil
}

func (s *Server) unix() int { return int(s.now().Unix()) }
