package deeplink

import (
	"errors"
	"unicode/utf8"
)

// MaxCodeLen is the longest unit code: a poster payload adds up to 21
// characters and a counter payload 28, within Telegram's 64.
const MaxCodeLen = 32

// Why CheckCode refuses a unit code.
var (
	ErrCodeEmpty        = errors.New("unit code is empty")
	ErrCodeTooLong      = errors.New("unit code is too long")
	ErrCodeChars        = errors.New("unit code has characters a Telegram start parameter does not allow")
	ErrCodeLooksSigned  = errors.New("unit code ends like a signed poster payload")
	ErrCodeLooksCounter = errors.New("unit code ends like a counter-screen payload")
)

// CheckCode is the rule every unit code keeps: 1 to MaxCodeLen characters
// of [A-Za-z0-9_-], the characters of a Telegram start parameter, so that
// the bare code works as a deep link; and not in the layout of a poster's
// or a counter's payload, so that a bare code is never mistaken for a
// signed one. Unit type keys keep it too. The error says which part fails.
func CheckCode(s string) error {
	switch {
	case s == "":
		return ErrCodeEmpty
	case utf8.RuneCountInString(s) > MaxCodeLen:
		return ErrCodeTooLong
	case !startParam(s):
		return ErrCodeChars
	case LooksSigned(s):
		return ErrCodeLooksSigned
	case LooksCounter(s):
		return ErrCodeLooksCounter
	}
	return nil
}

// ValidCode reports whether s keeps the unit-code rule (CheckCode).
func ValidCode(s string) bool { return CheckCode(s) == nil }

// startParam reports whether s uses only the characters Telegram allows in
// a start parameter.
func startParam(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// startParamOK reports whether s can be a start parameter at all: 1 to
// MaxPayloadLen allowed characters.
func startParamOK(s string) bool {
	return s != "" && len(s) <= MaxPayloadLen && startParam(s)
}
