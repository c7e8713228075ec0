package telegramtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// FormatCall renders a call as stable, readable text for transcripts: a
// header line, then the message text and keyboard indented by two spaces.
//
//	sendMessage chat=1001 -> #3
//	  Selamat datang di Survei Kepuasan Masyarakat
//	  [Laki-laki] [Perempuan]
//
// Callback buttons show only their label, URL buttons [label](url); callback
// data and query ids are left out so transcripts do not churn. A failed call
// ends its header with "-> <code> <description>". Methods without a special
// form print their parameters sorted by name.
func FormatCall(c Call) string {
	var b strings.Builder
	p := c.Params
	chat := " chat=" + p["chat_id"]
	mode := ""
	if pm := p["parse_mode"]; pm != "" {
		mode = " parse_mode=" + pm
	}
	switch c.Method {
	case "sendMessage":
		b.WriteString(c.Method + chat + mode + sent(c))
		writeLines(&b, p["text"])
		writeKeyboard(&b, p["reply_markup"], false)
	case "sendDocument", "sendPhoto":
		field := strings.TrimPrefix(strings.ToLower(c.Method), "send")
		b.WriteString(c.Method + chat + mode + sent(c))
		if f, ok := c.Files[field]; ok {
			fmt.Fprintf(&b, "\n  %s: %s (%d bytes)", field, f.Filename, len(f.Data))
		} else {
			fmt.Fprintf(&b, "\n  %s: %s", field, p[field])
		}
		writeLines(&b, p["caption"])
		writeKeyboard(&b, p["reply_markup"], false)
	case "editMessageText":
		b.WriteString(c.Method + chat + " #" + p["message_id"] + mode + failed(c))
		writeLines(&b, p["text"])
		writeKeyboard(&b, p["reply_markup"], false)
	case "editMessageReplyMarkup":
		b.WriteString(c.Method + chat + " #" + p["message_id"] + failed(c))
		writeKeyboard(&b, p["reply_markup"], true)
	case "deleteMessage":
		b.WriteString(c.Method + chat + " #" + p["message_id"] + failed(c))
	case "sendChatAction":
		b.WriteString(c.Method + chat + " " + p["action"] + failed(c))
	case "answerCallbackQuery":
		b.WriteString(c.Method)
		if p["show_alert"] == "true" {
			b.WriteString(" show_alert")
		}
		b.WriteString(failed(c))
		writeLines(&b, p["text"])
		if u := p["url"]; u != "" {
			b.WriteString("\n  url: " + u)
		}
	case "setMyCommands", "deleteMyCommands", "getMyCommands":
		b.WriteString(c.Method + commandScope(p) + failed(c))
		if c.Method == "setMyCommands" {
			var cmds []botCommand
			_ = json.Unmarshal([]byte(p["commands"]), &cmds)
			for _, cmd := range cmds {
				fmt.Fprintf(&b, "\n  /%s - %s", cmd.Command, cmd.Description)
			}
		}
	default:
		b.WriteString(c.Method)
		for _, k := range sortedKeys(p) {
			b.WriteString(" " + k + "=" + quoteIfNeeded(p[k]))
		}
		b.WriteString(failed(c))
		for _, k := range sortedKeys(c.Files) {
			f := c.Files[k]
			fmt.Fprintf(&b, "\n  %s: %s (%d bytes)", k, f.Filename, len(f.Data))
		}
	}
	return b.String()
}

// FormatCalls renders calls with FormatCall, each ending in a newline, and
// leaves out getUpdates: how often the bot polls depends on timing.
func FormatCalls(calls []Call) string {
	var b strings.Builder
	for _, c := range calls {
		if c.Method == "getUpdates" {
			continue
		}
		b.WriteString(FormatCall(c))
		b.WriteByte('\n')
	}
	return b.String()
}

// FormatUpdate renders an update from the user's side:
//
//	> user 1001: /start DISDUKCAPIL
//	> user 1001 taps [Sangat sesuai] on #3
//	> user 1001 sends a sticker
func FormatUpdate(u models.Update) string {
	switch {
	case u.Message != nil:
		m := u.Message
		who := fmt.Sprintf("> user %d", senderID(m))
		switch messageKind(m) {
		case KindText:
			return who + ": " + indentRest(m.Text)
		case KindSticker:
			return who + " sends a sticker"
		case KindPhoto:
			return who + " sends a photo" + caption(m)
		case KindVoice:
			return who + " sends a voice message"
		case KindLocation:
			return who + " sends a location"
		case KindDocument:
			return who + " sends a document " + m.Document.FileName + caption(m)
		}
		return who + " sends a message"
	case u.EditedMessage != nil:
		m := u.EditedMessage
		return fmt.Sprintf("> user %d edits #%d: %s", senderID(m), m.ID, indentRest(m.Text))
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		id, kb := 0, (*models.InlineKeyboardMarkup)(nil)
		switch {
		case cq.Message.Message != nil:
			id, kb = cq.Message.Message.ID, cq.Message.Message.ReplyMarkup
		case cq.Message.InaccessibleMessage != nil:
			id = cq.Message.InaccessibleMessage.MessageID
		}
		if kb != nil {
			for _, row := range kb.InlineKeyboard {
				for _, btn := range row {
					if btn.CallbackData != "" && btn.CallbackData == cq.Data {
						return fmt.Sprintf("> user %d taps [%s] on #%d", cq.From.ID, btn.Text, id)
					}
				}
			}
		}
		return fmt.Sprintf("> user %d sends callback %q on #%d", cq.From.ID, cq.Data, id)
	case u.MyChatMember != nil:
		cm := u.MyChatMember
		switch {
		case cm.NewChatMember.Type == models.ChatMemberTypeBanned:
			return fmt.Sprintf("> user %d blocks the bot", cm.From.ID)
		case cm.OldChatMember.Type == models.ChatMemberTypeBanned:
			return fmt.Sprintf("> user %d unblocks the bot", cm.From.ID)
		}
		return fmt.Sprintf("> user %d: bot is now %s", cm.From.ID, cm.NewChatMember.Type)
	}
	return fmt.Sprintf("> update %d: %s", u.ID, updateKind(&u))
}

func senderID(m *models.Message) int64 {
	if m.From != nil {
		return m.From.ID
	}
	return m.Chat.ID
}

func caption(m *models.Message) string {
	if m.Caption == "" {
		return ""
	}
	return ": " + indentRest(m.Caption)
}

// indentRest indents every line after the first by two spaces.
func indentRest(s string) string {
	return strings.ReplaceAll(s, "\n", "\n  ")
}

// sent is the outcome of a send: the new message id or the error.
func sent(c Call) string {
	switch {
	case c.ErrorCode != 0 || c.Network == Hang:
		return failed(c)
	case c.Network == Drop:
		return fmt.Sprintf(" -> #%d (%s)", c.MessageID, c.Network)
	}
	return fmt.Sprintf(" -> #%d", c.MessageID)
}

func failed(c Call) string {
	switch {
	case c.Network != NoNetworkFault:
		return fmt.Sprintf(" -> (%s)", c.Network)
	case c.ErrorCode != 0:
		return fmt.Sprintf(" -> %d %s", c.ErrorCode, c.Description)
	}
	return ""
}

// writeLines writes text indented by two spaces; blank lines stay empty so
// transcripts have no trailing spaces.
func writeLines(b *strings.Builder, text string) {
	if text == "" {
		return
	}
	for line := range strings.SplitSeq(text, "\n") {
		b.WriteByte('\n')
		if line != "" {
			b.WriteString("  " + line)
		}
	}
}

// writeKeyboard writes an inline keyboard one row per line. It reads the
// markup leniently: a transcript shows what was sent, valid or not.
func writeKeyboard(b *strings.Builder, raw string, sayRemoved bool) {
	var mk struct {
		InlineKeyboard [][]struct {
			Text string `json:"text"`
			URL  string `json:"url"`
		} `json:"inline_keyboard"`
	}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &mk); err != nil || mk.InlineKeyboard == nil {
			b.WriteString("\n  reply_markup: " + raw)
			return
		}
	}
	rows := 0
	for _, row := range mk.InlineKeyboard {
		if len(row) == 0 {
			continue
		}
		b.WriteString("\n ")
		for _, btn := range row {
			b.WriteString(" [" + btn.Text + "]")
			if btn.URL != "" {
				b.WriteString("(" + btn.URL + ")")
			}
		}
		rows++
	}
	if rows == 0 && sayRemoved {
		b.WriteString("\n  (keyboard removed)")
	}
}

func commandScope(p map[string]string) string {
	var out string
	if k, e := parseCommandKey(p); e == nil && k.scope != "default" {
		out = " scope=" + k.scope
		if k.chatID != "" {
			out += ":" + k.chatID
		}
	}
	if l := p["language_code"]; l != "" {
		out += " lang=" + l
	}
	return out
}

func quoteIfNeeded(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\r\"") {
		return strconv.Quote(v)
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
