package store

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/ikmbot/ikmbot/survey"
)

// Every scan of responses/ (RebuildAggregates, exports, verification)
// decodes each record, and encoding/json's reflection took 13-14 µs of a
// record's cost. decodeResponseFast reads the one shape encodeResponse
// writes, by hand, in a fraction of that. It is only a shortcut: whatever
// it does not fully understand (an unknown, duplicate or differently cased
// key, a null, a number with a fraction, a score out of range, a lone
// surrogate, invalid UTF-8, a time with an offset) makes it give up, and
// decodeResponse asks encoding/json instead, so the result is always what
// encoding/json gives. FuzzDecodeResponse and TestDecodeResponseFast hold
// it to that.

// stringCache interns the short strings that repeat from record to record
// of a scan (unit codes, windows, profile answers), so that a scan of a
// million records does not allocate each of them a million times. It
// belongs to one scan, never to the Store: transactions run concurrently.
// A nil *stringCache interns nothing.
type stringCache struct {
	m map[string]string
	// last holds each field's previous value: most fields repeat from one
	// record to the next, and comparing a few bytes beats hashing them.
	last [numCacheSlots]string
}

// Slots of stringCache.last, one per interned field.
const (
	slotUnit = iota
	slotSrc
	slotWin
	slotVia
	slotSex
	slotEdu
	slotJob
	slotSvc
	numCacheSlots
)

// maxCachedStrings bounds a cache fed by data from the file.
const maxCachedStrings = 4096

func newStringCache() *stringCache { return &stringCache{m: map[string]string{}} }

func (c *stringCache) get(slot int, b []byte) string {
	if c == nil {
		return string(b)
	}
	if last := c.last[slot]; last == string(b) {
		return last
	}
	s, ok := c.m[string(b)]
	if !ok {
		s = string(b)
		if len(c.m) < maxCachedStrings {
			c.m[s] = s
		}
	}
	c.last[slot] = s
	return s
}

// Bits of the keys a record has shown, to give up on a repeated one:
// encoding/json would let the last win, or merge objects.
const (
	seenUnit = 1 << iota
	seenAt
	seenSrc
	seenWho
	seenWin
	seenProf
	seenScores
	seenSugg
	seenVia
	seenPv
	seenBlocks
)

// decodeResponseFast is decodeResponse without encoding/json; ok is false
// when the record is anything but a well-formed record of the shape we
// write, or has no unit, and the caller must then decode it with
// encoding/json. cache may be nil.
func (s *Store) decodeResponseFast(id uint64, data []byte, cache *stringCache) (r survey.Response, window string, ok bool) {
	sc := jsonScanner{b: data}
	if !sc.consume('{') {
		return r, "", false
	}
	r.ID = id
	seen := 0
	if !sc.consume('}') {
		for {
			key, ok := sc.key()
			if !ok || !sc.consume(':') {
				return r, "", false
			}
			var bit int
			switch string(key) {
			case "unit":
				bit = seenUnit
				r.Unit, ok = sc.str(cache, slotUnit)
			case "at":
				bit = seenAt
				r.Submitted, ok = sc.timeRFC3339()
			case "src":
				bit = seenSrc
				var v string
				v, ok = sc.str(cache, slotSrc)
				r.Source = survey.Source(v)
			case "who":
				bit = seenWho
				r.Respondent, ok = sc.str(nil, 0)
			case "win":
				bit = seenWin
				window, ok = sc.str(cache, slotWin)
			case "prof":
				bit = seenProf
				r.Profile, ok = sc.profile(cache)
			case "scores":
				bit = seenScores
				r.Scores, ok = sc.scores()
			case "sugg":
				bit = seenSugg
				r.Suggestion, ok = sc.str(nil, 0)
			case "via":
				bit = seenVia
				var v string
				v, ok = sc.str(cache, slotVia)
				r.Via = survey.Via(v)
			case "pv":
				bit = seenPv
				r.Poster, ok = sc.int()
			case "blocks":
				bit = seenBlocks
				r.Blocks, ok = sc.blocks()
			default:
				return r, "", false
			}
			if !ok || seen&bit != 0 {
				return r, "", false
			}
			seen |= bit
			if sc.consume(',') {
				continue
			}
			if sc.consume('}') {
				break
			}
			return r, "", false
		}
	}
	sc.space()
	if sc.i != len(sc.b) || r.Unit == "" {
		return r, "", false
	}
	r.Submitted = r.Submitted.In(s.opts.Location)
	return r, window, true
}

// jsonScanner reads JSON values from b at i. Its methods report false, not
// an error: false only means "not the simple case", never "invalid".
type jsonScanner struct {
	b []byte
	i int
}

func (sc *jsonScanner) space() {
	for sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// consume skips white space and then c, if c is next.
func (sc *jsonScanner) consume(c byte) bool {
	sc.space()
	if sc.i < len(sc.b) && sc.b[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// key reads an object key and returns its bytes in place, for comparison
// with the keys we write: it only looks for the next quote, so a key with
// an escape comes back with a backslash in it or cut short, which matches
// none of ours and sends the record to encoding/json.
func (sc *jsonScanner) key() ([]byte, bool) {
	if !sc.consume('"') {
		return nil, false
	}
	n := bytes.IndexByte(sc.b[sc.i:], '"')
	if n < 0 {
		return nil, false
	}
	k := sc.b[sc.i : sc.i+n]
	sc.i += n + 1
	return k, true
}

// plainString reads a string with no escapes, no control characters and
// valid UTF-8, and returns its bytes in place: the only kind of time we
// write.
func (sc *jsonScanner) plainString() ([]byte, bool) {
	if !sc.consume('"') {
		return nil, false
	}
	start := sc.i
	ascii := true
	for ; sc.i < len(sc.b); sc.i++ {
		switch c := sc.b[sc.i]; {
		case c == '"':
			v := sc.b[start:sc.i]
			sc.i++
			return v, ascii || utf8.Valid(v)
		case c == '\\' || c < ' ':
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// str reads a string value as encoding/json would, for the escapes
// encoding/json writes; it gives up on invalid UTF-8 and lone surrogates,
// which encoding/json replaces with U+FFFD. Strings without escapes go
// through cache, in slot.
func (sc *jsonScanner) str(cache *stringCache, slot int) (string, bool) {
	if !sc.consume('"') {
		return "", false
	}
	start := sc.i
	ascii := true
	for ; sc.i < len(sc.b); sc.i++ {
		switch c := sc.b[sc.i]; {
		case c == '"':
			v := sc.b[start:sc.i]
			sc.i++
			if !ascii && !utf8.Valid(v) {
				return "", false
			}
			return cache.get(slot, v), true
		case c == '\\':
			return sc.escapedStr(start, ascii)
		case c < ' ':
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// escapedStr finishes str from the first backslash, at sc.i; the bytes
// from start are plain.
func (sc *jsonScanner) escapedStr(start int, ascii bool) (string, bool) {
	if !ascii && !utf8.Valid(sc.b[start:sc.i]) {
		return "", false
	}
	out := make([]byte, 0, len(sc.b)-start)
	out = append(out, sc.b[start:sc.i]...)
	for sc.i < len(sc.b) {
		c := sc.b[sc.i]
		switch {
		case c == '"':
			sc.i++
			return string(out), true
		case c < ' ':
			return "", false
		case c < utf8.RuneSelf && c != '\\':
			out = append(out, c)
			sc.i++
			continue
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(sc.b[sc.i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			out = append(out, sc.b[sc.i:sc.i+size]...)
			sc.i += size
			continue
		}
		// A backslash.
		if sc.i+1 >= len(sc.b) {
			return "", false
		}
		e := sc.b[sc.i+1]
		sc.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := sc.hex4()
			if !ok {
				return "", false
			}
			if r >= 0xD800 && r < 0xE000 {
				// Only a high surrogate followed by a low one; encoding/json
				// turns anything else into U+FFFD.
				if r >= 0xDC00 || sc.i+1 >= len(sc.b) || sc.b[sc.i] != '\\' || sc.b[sc.i+1] != 'u' {
					return "", false
				}
				sc.i += 2
				lo, ok := sc.hex4()
				if !ok || lo < 0xDC00 || lo >= 0xE000 {
					return "", false
				}
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

// hex4 reads the four hex digits of a \u escape.
func (sc *jsonScanner) hex4() (rune, bool) {
	if sc.i+4 > len(sc.b) {
		return 0, false
	}
	var r rune
	for _, c := range sc.b[sc.i : sc.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	sc.i += 4
	return r, true
}

// int reads an integer without fraction or exponent that fits an int, as
// strconv.ParseInt would.
func (sc *jsonScanner) int() (int, bool) {
	sc.space()
	neg := sc.i < len(sc.b) && sc.b[sc.i] == '-'
	if neg {
		sc.i++
	}
	n, ok := sc.digits(18)
	if neg {
		n = -n
	}
	return n, ok
}

// digits reads a JSON integer of at most max digits (so that it cannot
// overflow) that no fraction or exponent follows.
func (sc *jsonScanner) digits(max int) (int, bool) {
	start := sc.i
	n := 0
	for sc.i < len(sc.b) && '0' <= sc.b[sc.i] && sc.b[sc.i] <= '9' {
		n = n*10 + int(sc.b[sc.i]-'0')
		sc.i++
	}
	switch l := sc.i - start; {
	case l == 0 || l > max:
		return 0, false
	case l > 1 && sc.b[start] == '0': // a leading zero is not JSON
		return 0, false
	}
	if sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return n, true
}

// timeRFC3339 reads a time as time.Time.UnmarshalJSON does, for the one
// form we write: UTC, "2006-01-02T15:04:05Z" with an optional fraction of
// one to nine digits.
func (sc *jsonScanner) timeRFC3339() (time.Time, bool) {
	b, ok := sc.plainString()
	if !ok || len(b) < len("2006-01-02T15:04:05Z") || b[len(b)-1] != 'Z' ||
		b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if len(frac) < 2 || len(frac) > 10 || frac[0] != '.' {
			return time.Time{}, false
		}
		if nsec = num(frac[1:]); nsec < 0 {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// elementIndex is survey.ElementIndex of a key in place, without making it
// a string first.
func elementIndex(key []byte) int {
	for i, k := range survey.Elements {
		if string(key) == string(k) {
			return i
		}
	}
	return -1
}

// profile reads a profileRecord object.
func (sc *jsonScanner) profile(cache *stringCache) (survey.Profile, bool) {
	var p survey.Profile
	if !sc.consume('{') {
		return p, false
	}
	if sc.consume('}') {
		return p, true
	}
	seen := 0
	for {
		key, ok := sc.key()
		if !ok || !sc.consume(':') {
			return p, false
		}
		var bit int
		switch string(key) {
		case "sex":
			bit = 1
			p.Gender, ok = sc.str(cache, slotSex)
		case "age":
			bit = 2
			p.Age, ok = sc.int()
		case "edu":
			bit = 4
			p.Education, ok = sc.str(cache, slotEdu)
		case "job":
			bit = 8
			p.Occupation, ok = sc.str(cache, slotJob)
		case "svc":
			bit = 16
			p.Service, ok = sc.str(cache, slotSvc)
		default:
			return p, false
		}
		if !ok || seen&bit != 0 {
			return p, false
		}
		seen |= bit
		if sc.consume(',') {
			continue
		}
		return p, sc.consume('}')
	}
}

// scores reads a scoresRecord object straight into survey.Scores, as
// decodeScores would; an unknown element or a score out of range is left
// to encoding/json and decodeScores, for their error.
func (sc *jsonScanner) scores() (survey.Scores, bool) {
	var s survey.Scores
	if !sc.consume('{') {
		return s, false
	}
	if sc.consume('}') {
		return s, true
	}
	for {
		key, ok := sc.key()
		if !ok || !sc.consume(':') {
			return s, false
		}
		e := elementIndex(key)
		sc.space()
		v, ok := sc.digits(1)
		if e < 0 || !ok || v < survey.MinScore || v > survey.MaxScore || s[e] != 0 {
			return s, false
		}
		s[e] = uint8(v)
		if sc.consume(',') {
			continue
		}
		return s, sc.consume('}')
	}
}

// blocks reads a blocksRecord in the shape encodeBlocks writes
// ({"spkp":{"scale":6,"scores":{"informasi":5,...}},...}: scale first)
// straight into blocks in survey.Questionnaires order, as decodeBlocks
// would. Anything else, including what decodeBlocks refuses, is left to
// encoding/json and decodeBlocks.
func (sc *jsonScanner) blocks() ([]survey.Block, bool) {
	if !sc.consume('{') {
		return nil, false
	}
	if sc.consume('}') {
		return nil, true
	}
	var found [8]survey.Block // by index in survey.Questionnaires
	if len(survey.Questionnaires) > len(found) {
		return nil, false
	}
	for {
		key, ok := sc.key()
		if !ok || !sc.consume(':') || !sc.consume('{') {
			return nil, false
		}
		qi := -1
		for i, q := range survey.Questionnaires {
			if string(key) == string(q.Key) {
				qi = i
			}
		}
		if qi < 0 || found[qi].Scores != nil {
			return nil, false
		}
		q := survey.Questionnaires[qi]
		if k, ok := sc.key(); !ok || string(k) != "scale" || !sc.consume(':') {
			return nil, false
		}
		sc.space()
		scale, ok := sc.digits(1)
		if !ok || !survey.ValidScale(scale) || !sc.consume(',') {
			return nil, false
		}
		if k, ok := sc.key(); !ok || string(k) != "scores" || !sc.consume(':') || !sc.consume('{') {
			return nil, false
		}
		b := survey.Block{Key: q.Key, Scale: scale, Scores: make([]uint8, len(q.Items))}
		if !sc.consume('}') {
			for {
				item, ok := sc.key()
				if !ok || !sc.consume(':') {
					return nil, false
				}
				i := -1
				for j, it := range q.Items {
					if string(item) == it.Key {
						i = j
					}
				}
				sc.space()
				v, ok := sc.digits(1)
				if i < 0 || !ok || v < 1 || v > scale || b.Scores[i] != 0 {
					return nil, false
				}
				b.Scores[i] = uint8(v)
				if sc.consume(',') {
					continue
				}
				if sc.consume('}') {
					break
				}
				return nil, false
			}
		}
		if !sc.consume('}') {
			return nil, false
		}
		found[qi] = b
		if sc.consume(',') {
			continue
		}
		if !sc.consume('}') {
			return nil, false
		}
		break
	}
	var out []survey.Block
	for _, b := range found[:len(survey.Questionnaires)] {
		if b.Answered() > 0 {
			out = append(out, b)
		}
	}
	return out, true
}
