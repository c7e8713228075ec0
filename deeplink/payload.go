package deeplink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// A signed deep-link payload names a unit and a poster version and carries
// a keyed signature, so that a printed QR code cannot be edited into one
// for another unit and a city can revoke a unit's posters:
//
//	<CODE>-v<VERSION>-<SIG>        e.g. PKM-KRANJI-v2-Xq3kP0b_9aQe
//
// CODE is the unit code exactly as configured (CheckCode), VERSION the
// poster version in decimal without leading zeros (1 to MaxPosterVersion),
// SIG the first 9 bytes of HMAC-SHA256(k, "<CODE>-v<VERSION>") in unpadded
// base64url: always 12 characters, since 9 bytes have no padding bits. The
// key k = HMAC-SHA256(secret, "deeplink") is derived from the server secret,
// so that signatures and respondent hashes never share a key.
//
// A payload is read from the right: the last 12 characters are the
// signature, then "-", then digits back to "-v"; what remains is the code.
// Codes may contain "-" and "_" (as may a signature), but that reading is
// unambiguous, and CheckCode refuses unit codes that end in this layout,
// so a bare code is never mistaken for a signed payload or the other way
// round. The longest payload is 32 + 2 + 6 + 1 + 12 = 53 characters, within
// Telegram's 64.
//
// 72 bits of signature are plenty: a forger gets one guess per message to
// the bot, and a wrong guess only shows the unit picker.

// MaxPayloadLen is Telegram's limit on a /start parameter.
const MaxPayloadLen = 64

// MaxPosterVersion is the highest poster version a payload can carry: six
// digits. The store bounds a unit's version by it.
const MaxPosterVersion = 999_999

const (
	sigBytes     = 9
	sigLen       = 12 // base64url characters of sigBytes
	deeplinkInfo = "deeplink"
)

// Errors of VerifyPayload and VerifyCounter.
var (
	// ErrPayloadInvalid means the payload is not a Telegram start parameter
	// at all (too long, or characters outside [A-Za-z0-9_-]), or, for
	// VerifyCounter, not in the counter layout.
	ErrPayloadInvalid = errors.New("not a deep-link payload")
	// ErrPayloadForged means the payload has the signed layout but its
	// signature does not match: forged, mistyped or cut short.
	ErrPayloadForged = errors.New("deep-link signature does not match")
)

// Payload is what a deep-link payload says.
type Payload struct {
	Code    string // unit code; for a signed payload exactly as signed
	Version int    // poster version; 0 for an unsigned payload
	Signed  bool
}

// SignPayload returns the signed deep-link payload of poster version
// version of the unit with the given code, keyed by the server secret.
func SignPayload(secret []byte, code string, version int) string {
	msg := code + "-v" + strconv.Itoa(version)
	return msg + "-" + payloadSig(secret, msg)
}

// DeepLink returns the t.me link that opens the bot with payload.
func DeepLink(botUsername, payload string) string {
	return "https://t.me/" + botUsername + "?start=" + payload
}

// PosterLink is the link a QR code carries: the public site's landing page
// publicURL/s/<payload> when the city has one (it offers Telegram and a
// browser form, see package web), else the t.me deep link.
func PosterLink(publicURL, botUsername, payload string) string {
	if publicURL != "" {
		return strings.TrimRight(publicURL, "/") + "/s/" + payload
	}
	return DeepLink(botUsername, payload)
}

// payloadSig is the signature of msg, in its 12 printed characters.
func payloadSig(secret []byte, msg string) string {
	k := hmac.New(sha256.New, secret)
	k.Write([]byte(deeplinkInfo))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:sigBytes])
}

// VerifyPayload reads a /start payload. A payload in the signed layout is
// returned with Signed set only when its signature matches; otherwise the
// error is ErrPayloadForged. Anything else that is a valid start parameter
// is returned as an unsigned payload naming a unit code, which the caller
// may or may not accept, and may or may not find in its catalog.
func VerifyPayload(secret []byte, payload string) (Payload, error) {
	if !startParamOK(payload) {
		return Payload{}, ErrPayloadInvalid
	}
	code, version, sig, ok := splitSigned(payload)
	if !ok {
		return Payload{Code: payload}, nil
	}
	want := payloadSig(secret, payload[:len(payload)-sigLen-1])
	// Comparing the printed form, not decoded bytes, makes every character
	// count; constant time keeps the comparison from leaking a prefix.
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return Payload{Code: code, Version: version}, ErrPayloadForged
	}
	return Payload{Code: code, Version: version, Signed: true}, nil
}

// LooksSigned reports whether s has the layout of a signed payload.
// CheckCode refuses unit codes that do, so the two cannot be confused.
func LooksSigned(s string) bool {
	_, _, _, ok := splitSigned(s)
	return ok
}

// splitSigned takes a payload apart from the right; ok is false when it
// does not have the signed layout.
func splitSigned(p string) (code string, version int, sig string, ok bool) {
	if len(p) < sigLen+1 || p[len(p)-sigLen-1] != '-' {
		return "", 0, "", false
	}
	sig, rest := p[len(p)-sigLen:], p[:len(p)-sigLen-1]
	i := strings.LastIndex(rest, "-v")
	if i < 1 { // the code is never empty
		return "", 0, "", false
	}
	v, ok := decimal(rest[i+2:], 6)
	if !ok || v < 1 || v > MaxPosterVersion {
		return "", 0, "", false
	}
	return rest[:i], int(v), sig, true
}

// decimal reads 1 to maxDigits digits without a leading zero, so that
// every number has one spelling.
func decimal(s string, maxDigits int) (int64, bool) {
	if s == "" || len(s) > maxDigits || s[0] == '0' {
		return 0, false
	}
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int64(r-'0')
	}
	return n, true
}
