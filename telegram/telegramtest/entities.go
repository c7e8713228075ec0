package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Telegram's limits, counted in UTF-16 code units of the text after markup
// is parsed.
const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

// checkText validates a message text or caption the way Telegram does before
// sending: a known parse mode, markup that parses, a non-empty result within
// the limit. Lengths are UTF-16 code units of the text with HTML tags and
// entities, or MarkdownV2 markers and escapes, removed; legacy Markdown is
// counted as sent, so it is slightly stricter than Telegram there.
func checkText(text, parseMode string, caption bool) *apiError {
	plain := text
	switch parseMode {
	case "", "Markdown":
	case "HTML":
		p, err := parseHTML(text)
		if err != "" {
			return badRequest("can't parse entities: " + err)
		}
		plain = p
	case "MarkdownV2":
		p, err := parseMarkdownV2(text)
		if err != "" {
			return badRequest("can't parse entities: " + err)
		}
		plain = p
	default:
		return badRequest("unsupported parse_mode")
	}
	plain = strings.TrimSpace(plain)
	if caption {
		if utf16Len(plain) > maxCaptionLen {
			return badRequest("message caption is too long")
		}
		return nil
	}
	if plain == "" {
		return badRequest("message text is empty")
	}
	if utf16Len(plain) > maxTextLen {
		return badRequest("message is too long")
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s { // invalid UTF-8 ranges as U+FFFD, one unit
		n += utf16.RuneLen(r)
	}
	return n
}

// htmlTags are the tags Telegram's HTML style accepts.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// parseHTML checks Telegram HTML markup and returns the plain text, or the
// error text Telegram puts after "can't parse entities: ".
func parseHTML(text string) (plain, errText string) {
	var out strings.Builder
	var open []string
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for i := 0; i < len(text); {
		c := text[i]
		if c == '&' {
			if dec, n := htmlEntity(text[i:]); n > 0 {
				out.WriteString(dec)
				i += n
				continue
			}
		}
		if c != '<' {
			out.WriteByte(c)
			i++
			continue
		}
		start := i
		i++
		if i < len(text) && text[i] == '/' {
			if len(open) == 0 {
				return "", fmt.Sprintf("Unexpected end tag at byte offset %d", start)
			}
			j := i + 1
			for j < len(text) && !isSpace(text[j]) && text[j] != '>' {
				j++
			}
			name := strings.ToLower(text[i+1 : j])
			for j < len(text) && isSpace(text[j]) {
				j++
			}
			if j >= len(text) || text[j] != '>' {
				return "", fmt.Sprintf("Unclosed end tag at byte offset %d", start)
			}
			top := open[len(open)-1]
			if name != "" && name != top {
				return "", fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", start, top, name)
			}
			open = open[:len(open)-1]
			i = j + 1
			continue
		}
		j := i
		for j < len(text) && !isSpace(text[j]) && text[j] != '>' {
			j++
		}
		if j >= len(text) {
			return "", fmt.Sprintf("Unclosed start tag at byte offset %d", start)
		}
		name := strings.ToLower(text[i:j])
		if !htmlTags[name] {
			return "", fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", name, start)
		}
		attrs := j
		for j < len(text) && text[j] != '>' {
			if q := text[j]; q == '"' || q == '\'' {
				j++
				for j < len(text) && text[j] != q {
					j++
				}
			}
			j++
		}
		if j >= len(text) {
			return "", fmt.Sprintf("Unclosed start tag at byte offset %d", start)
		}
		if name == "span" && !strings.Contains(text[attrs:j], "tg-spoiler") {
			return "", fmt.Sprintf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", start)
		}
		open = append(open, name)
		i = j + 1
	}
	if len(open) > 0 {
		return "", fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", open[len(open)-1])
	}
	return out.String(), ""
}

// htmlEntity decodes the entities Telegram knows at the start of s: &lt;
// &gt; &amp; &quot; and numeric ones. Anything else is literal text.
func htmlEntity(s string) (string, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return "", 0
	}
	name := s[1:end]
	switch name {
	case "lt":
		return "<", end + 1
	case "gt":
		return ">", end + 1
	case "amp":
		return "&", end + 1
	case "quot":
		return `"`, end + 1
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if h, ok := strings.CutPrefix(num, "x"); ok {
			num, base = h, 16
		}
		if n, err := strconv.ParseUint(num, base, 32); err == nil && utf8.ValidRune(rune(n)) {
			return string(rune(n)), end + 1
		}
	}
	return "", 0
}

// parseMarkdownV2 checks the rules that most often break MarkdownV2 in
// practice: reserved characters must be escaped, and bold, italic,
// underline, strikethrough, spoiler and code must be closed. Link text is
// checked like other text and the URL in (...) is skipped. It returns the
// plain text approximately (markers and escapes removed).
func parseMarkdownV2(text string) (plain, errText string) {
	var out strings.Builder
	type mark struct {
		token string
		at    int
	}
	var open []mark
	toggle := func(token string, at int) {
		if n := len(open); n > 0 && open[n-1].token == token {
			open = open[:n-1]
			return
		}
		for k := len(open) - 1; k >= 0; k-- {
			if open[k].token == token {
				open = append(open[:k], open[k+1:]...)
				return
			}
		}
		open = append(open, mark{token, at})
	}
	reserved := func(c byte) string {
		return fmt.Sprintf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
	}
	code := "" // "`" or "```" while inside code
	lineStart := true
	for i := 0; i < len(text); i++ {
		c := text[i]
		atLineStart := lineStart
		lineStart = c == '\n'
		if c == '\\' && i+1 < len(text) {
			i++
			out.WriteByte(text[i])
			continue
		}
		if code != "" {
			if strings.HasPrefix(text[i:], code) {
				i += len(code) - 1
				code = ""
				continue
			}
			out.WriteByte(c)
			continue
		}
		switch c {
		case '`':
			code = "`"
			if strings.HasPrefix(text[i:], "```") {
				code = "```"
				i += 2
			}
		case '*', '~':
			toggle(string(c), i)
		case '_':
			if strings.HasPrefix(text[i:], "__") {
				toggle("__", i)
				i++
			} else {
				toggle("_", i)
			}
		case '|':
			if !strings.HasPrefix(text[i:], "||") {
				return "", reserved(c)
			}
			toggle("||", i)
			i++
		case '[':
			toggle("[", i)
		case ']':
			if n := len(open); n == 0 || open[n-1].token != "[" {
				return "", reserved(c)
			}
			open = open[:len(open)-1]
			if i+1 < len(text) && text[i+1] == '(' {
				j := i + 2
				for j < len(text) && text[j] != ')' {
					if text[j] == '\\' {
						j++
					}
					j++
				}
				if j >= len(text) {
					return "", fmt.Sprintf("Can't find end of a URL at byte offset %d", i+2)
				}
				i = j
			}
		case '>':
			if !atLineStart {
				return "", reserved(c)
			}
		case '!':
			if !strings.HasPrefix(text[i:], "![") { // ![👍](tg://emoji?id=...) is a custom emoji
				return "", reserved(c)
			}
		case '(', ')', '#', '+', '-', '=', '{', '}', '.':
			return "", reserved(c)
		default:
			out.WriteByte(c)
		}
	}
	if code != "" {
		return "", "Can't find end of the entity starting at byte offset " + strconv.Itoa(strings.LastIndex(text, code))
	}
	if len(open) > 0 {
		return "", fmt.Sprintf("Can't find end of the entity starting at byte offset %d", open[0].at)
	}
	return out.String(), ""
}
