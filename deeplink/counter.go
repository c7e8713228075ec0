package deeplink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A unit may show a rotating QR code on a screen at its counter (ikmbot
// counter), as "proof of visit": a poster can be photographed and shared,
// a code that changes every few minutes cannot be used away from the
// counter for long. Its payload names the unit, the length of a step and
// the step, and carries a signature:
//
//	<CODE>-c<MINUTES>-<STEP>-<SIG>     e.g. DISDUKCAPIL-c5-5910360-GdTIxgF5Zhxx
//
// MINUTES is how long the screen shows one code (1-15, no leading zero);
// STEP is the Unix time of the code's start divided by MINUTES × 60 (1-10
// digits, no leading zero); SIG is the first 9 bytes of HMAC-SHA256(kU,
// "<CODE>-c<MINUTES>-<STEP>") in unpadded base64url, 12 characters as on
// posters. The longest payload is 32 + 2 + 2 + 1 + 10 + 1 + 12 = 60
// characters, within Telegram's 64. It is read from the right, like a
// poster's: the two layouts cannot be confused (a poster's payload has
// "v<digits>" before its signature, a counter's plain digits), and
// CheckCode refuses unit codes that look like either.
//
// The step length travels in the signed payload, so the bot judges a code
// by the code alone: the counter's --step needs no matching setting on the
// server, and cannot disagree with it.
//
// The key kU = HMAC-SHA256(HMAC-SHA256(secret, "counter"), CODE) belongs to
// one unit. It has generations (store.CounterKeyGeneration): /loket ganti
// CODE replaces a leaked key with the next generation's,
//
//	kU,g = HMAC-SHA256(HMAC-SHA256(secret, "counter-gen"), g || CODE)   g ≥ 2
//
// g a uint32 big-endian, so that no pair of generation and code runs into
// another. Generation 1 is the kU above, so counter PCs set up before
// generations existed keep working. Codes are verified with the current
// generation's key only: a code signed with an older key is refused as a
// forgery is. The counter PC stands in a public hall, often shared and left
// on overnight, so it is given kU (ikmbot counter --print-key on the
// server), never the server secret: with the secret a thief could sign
// posters for every unit and recompute respondent hashes, which would tell
// whether a given Telegram user answered. With kU they can only make
// answers for that one unit look verified (from anywhere, as long as kU
// stands): the harm stays within one unit's verified figure, and the total
// is not touched. kU cannot be turned back into the secret, nor into
// another unit's key or the poster key (HMAC(secret, "deeplink")).
//
// A code is fresh from its step's start until the end of the next step:
// the current code and the one before it, so someone who scans just as the
// screen changes is fine. CounterClockSkew more at the front lets a counter
// PC whose clock runs a little ahead still verify visits. A code scanned
// while another survey is open is judged again when the person chooses to
// start over; a survey begun from a fresh code stays verified however long
// it takes to answer.

// The steps a counter may use. Short steps make a shared photo useless
// sooner; a code is accepted for up to two steps.
const (
	MinCounterStep     = time.Minute
	MaxCounterStep     = 15 * time.Minute
	DefaultCounterStep = 5 * time.Minute
)

// CounterClockSkew is how long before its step a code is accepted, for a
// counter PC whose clock runs a little ahead.
const CounterClockSkew = time.Minute

const (
	counterInfo    = "counter"
	counterGenInfo = "counter-gen" // generations 2 and on
	maxStepDigits  = 10
)

// ErrCounterStale means a genuine counter code is no longer (or not yet)
// current: scanned from a photo, or opened long after the scan.
var ErrCounterStale = errors.New("counter code is not current")

// CounterCode is one code of a unit's counter screen.
type CounterCode struct {
	Code string        // unit code, exactly as signed
	Step time.Duration // how long the screen shows one code; whole minutes
	N    int64         // which step: Unix time / Step
}

// CheckCounterStep refuses a step the bot would not accept.
func CheckCounterStep(step time.Duration) error {
	if step < MinCounterStep || step > MaxCounterStep || step%time.Minute != 0 {
		return fmt.Errorf("counter step %v: want whole minutes from %v to %v", step, MinCounterStep, MaxCounterStep)
	}
	return nil
}

// CounterCodeAt is the code a counter screen of the unit shows at t.
func CounterCodeAt(code string, step time.Duration, t time.Time) CounterCode {
	return CounterCode{Code: code, Step: step, N: t.Unix() / int64(step/time.Second)}
}

// Start is when the screen begins to show the code.
func (c CounterCode) Start() time.Time { return time.Unix(c.N*int64(c.Step/time.Second), 0) }

// End is when the screen moves on to the next code.
func (c CounterCode) End() time.Time { return c.Start().Add(c.Step) }

// FreshAt reports whether the bot accepts the code at t: during its step
// and the next, and CounterClockSkew before its step.
func (c CounterCode) FreshAt(t time.Time) bool {
	start := c.Start()
	return !t.Before(start.Add(-CounterClockSkew)) && t.Before(start.Add(2*c.Step))
}

// Payload returns the signed payload of the code, keyed by the unit's
// counter key (CounterKey).
func (c CounterCode) Payload(key []byte) string {
	msg := c.Code + "-c" + strconv.Itoa(int(c.Step/time.Minute)) + "-" + strconv.FormatInt(c.N, 10)
	return msg + "-" + counterSig(key, msg)
}

// CounterKey derives the key of generation gen of one unit's counter
// screen from the server secret; see the top of this file for why a unit
// gets its own. Generations start at 1; gen below 1 (which the store never
// holds) gives generation 1's key.
func CounterKey(secret []byte, code string, gen int) []byte {
	if gen <= 1 {
		root := hmac.New(sha256.New, secret)
		root.Write([]byte(counterInfo))
		m := hmac.New(sha256.New, root.Sum(nil))
		m.Write([]byte(code))
		return m.Sum(nil)
	}
	root := hmac.New(sha256.New, secret)
	root.Write([]byte(counterGenInfo))
	m := hmac.New(sha256.New, root.Sum(nil))
	m.Write(binary.BigEndian.AppendUint32(nil, uint32(gen)))
	m.Write([]byte(code))
	return m.Sum(nil)
}

// FormatCounterKey writes a unit's counter key as CODE:KEY (KEY in
// unpadded base64url), the line ikmbot counter --print-key prints and
// --key-file reads: the code in front lets the counter refuse a key given
// to the wrong unit's screen.
func FormatCounterKey(code string, key []byte) string {
	return code + ":" + base64.RawURLEncoding.EncodeToString(key)
}

// Errors of ParseCounterKey.
var (
	// ErrCounterKeyLayout means the text is not CODE:KEY at all.
	ErrCounterKeyLayout = errors.New("counter key is not CODE:KEY")
	// ErrCounterKeyDamaged means the KEY part is not a key.
	ErrCounterKeyDamaged = errors.New("counter key is damaged")
)

// ParseCounterKey reads what FormatCounterKey wrote, ignoring surrounding
// white space (a key file ends in a newline). With ErrCounterKeyDamaged
// the code is returned too, so that a caller can first say whose key it is.
func ParseCounterKey(s string) (code string, key []byte, err error) {
	code, enc, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return "", nil, ErrCounterKeyLayout
	}
	key, err = base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(key) != sha256.Size {
		return code, nil, ErrCounterKeyDamaged
	}
	return code, key, nil
}

func counterSig(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:sigBytes])
}

// LooksCounter reports whether s has the layout of a counter payload.
// CheckCode refuses unit codes that do.
func LooksCounter(s string) bool {
	_, _, ok := splitCounter(s)
	return ok
}

// VerifyCounter reads a counter payload at now, checking its signature
// with key(code), the current counter key of the unit the payload names.
// A payload that is not a start parameter or not in the counter layout is
// ErrPayloadInvalid; a signature that does not match (a forgery, or a key
// since rotated) is ErrPayloadForged; a genuine code outside its time is
// ErrCounterStale. With the last two the code is returned too, so the
// caller can still name the unit. An error of key is returned as it is.
func VerifyCounter(payload string, now time.Time, key func(code string) ([]byte, error)) (CounterCode, error) {
	if !startParamOK(payload) {
		return CounterCode{}, ErrPayloadInvalid
	}
	c, sig, ok := splitCounter(payload)
	if !ok {
		return CounterCode{}, ErrPayloadInvalid
	}
	k, err := key(c.Code)
	if err != nil {
		return CounterCode{}, err
	}
	want := counterSig(k, payload[:len(payload)-sigLen-1])
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return c, ErrPayloadForged
	}
	if !c.FreshAt(now) {
		return c, ErrCounterStale
	}
	return c, nil
}

// splitCounter takes a counter payload apart from the right; ok is false
// when p does not have the layout.
func splitCounter(p string) (c CounterCode, sig string, ok bool) {
	if len(p) < sigLen+1 || p[len(p)-sigLen-1] != '-' {
		return CounterCode{}, "", false
	}
	sig, rest := p[len(p)-sigLen:], p[:len(p)-sigLen-1]
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return CounterCode{}, "", false
	}
	n, okN := decimal(rest[i+1:], maxStepDigits)
	rest = rest[:i]
	j := strings.LastIndex(rest, "-c")
	if j < 1 || !okN { // the code is never empty
		return CounterCode{}, "", false
	}
	minutes, okM := decimal(rest[j+2:], 2)
	step := time.Duration(minutes) * time.Minute
	if !okM || CheckCounterStep(step) != nil {
		return CounterCode{}, "", false
	}
	return CounterCode{Code: rest[:j], Step: step, N: n}, sig, true
}
