package bot

import (
	"strconv"
	"strings"
)

// Callback data is short, colon-separated and never trusted: anyone can send
// a bot any callback data, so every field is parsed and checked, and answers
// carry the session id and step so stale or repeated presses are detected.
//
//	a:<sid>:<step>:<choice>   answer a question
//	k:<sid>:<step>            skip it
//	b:<sid>:<step>            back to the previous question
//	c:<sid>                   continue an unfinished survey
//	r:<unit>                  start over, for unit
//	u:<unit>                  pick a unit (picker, search, "take it again")
//	T                         unit types
//	t:<type>:<page>           one page of the units of a type
//	l:<lang>                  set the language
const maxCallbackData = 64 // Telegram's limit, in bytes

type callbackData struct {
	op     byte
	sid    string
	step   int
	choice int
	arg    string // unit code, unit type or language
	page   int
}

func encodeAnswer(sid string, step, choice int) string {
	return "a:" + sid + ":" + strconv.Itoa(step) + ":" + strconv.Itoa(choice)
}
func encodeSkip(sid string, step int) string { return "k:" + sid + ":" + strconv.Itoa(step) }
func encodeBack(sid string, step int) string { return "b:" + sid + ":" + strconv.Itoa(step) }
func encodeContinue(sid string) string       { return "c:" + sid }
func encodeRestart(code string) string       { return "r:" + code }
func encodeUnit(code string) string          { return "u:" + code }
func encodeTypes() string                    { return "T" }
func encodeTypePage(t string, page int) string {
	return "t:" + t + ":" + strconv.Itoa(page)
}
func encodeLang(lang string) string { return "l:" + lang }

// parseCallback decodes data, or reports false for anything malformed.
func parseCallback(data string) (callbackData, bool) {
	if data == "" || len(data) > maxCallbackData {
		return callbackData{}, false
	}
	parts := strings.Split(data, ":")
	if len(parts[0]) != 1 {
		return callbackData{}, false
	}
	d := callbackData{op: parts[0][0]}
	want := map[byte]int{'a': 4, 'k': 3, 'b': 3, 'c': 2, 'r': 2, 'u': 2, 'T': 1, 't': 3, 'l': 2}[d.op]
	if want == 0 || len(parts) != want {
		return callbackData{}, false
	}
	var ok = true
	switch d.op {
	case 'a':
		d.sid = parts[1]
		d.step, ok = smallInt(parts[2])
		if ok {
			d.choice, ok = smallInt(parts[3])
		}
	case 'k', 'b':
		d.sid = parts[1]
		d.step, ok = smallInt(parts[2])
	case 'c':
		d.sid = parts[1]
	case 'r', 'u', 'l':
		d.arg = parts[1]
	case 't':
		d.arg = parts[1]
		d.page, ok = smallInt(parts[2])
	}
	if !ok || (d.sid == "" && strings.ContainsRune("akbc", rune(d.op))) || (d.arg == "" && strings.ContainsRune("rult", rune(d.op))) {
		return callbackData{}, false
	}
	return d, true
}

// smallInt parses a non-negative decimal of at most 4 digits: steps, choices
// and pages are small, and anything else is forged.
func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}
