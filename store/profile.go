package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/ikmbot/ikmbot/survey"
)

// Profile aggregates (prof/) and the suggestion index (suggestions/) are
// derived from responses/ like agg/, written in the same transaction as
// each completed response, and rebuilt by RebuildAggregates; see doc.go.

// profileTallyRecord is the value of prof/<unit>/<day or month>: respondents
// and, per profile question, the count of each answer, keyed by the answer
// as stored (age by survey.AgeBand), so that a renamed service or a new
// education level never shifts another's count.
type profileTallyRecord struct {
	Respondents int                       `json:"n"`
	Counts      map[string]map[string]int `json:"c,omitempty"`
}

// encodeProfileTally writes t as encoding/json writes profileTallyRecord.
// Every stored response re-encodes two tallies (its day and month), so it
// is written by hand, byte for byte the same (TestProfileTallyCodec); only
// a nil answer map, which no tally holds, goes through encoding/json.
func encodeProfileTally(t survey.ProfileTally) ([]byte, error) {
	if b, ok := appendProfileTally(make([]byte, 0, 160), t); ok {
		return b, nil
	}
	return encodeProfileTallyJSON(t)
}

func encodeProfileTallyJSON(t survey.ProfileTally) ([]byte, error) {
	rec := profileTallyRecord{Respondents: t.Respondents}
	for d, m := range t.Counts {
		if rec.Counts == nil {
			rec.Counts = map[string]map[string]int{}
		}
		rec.Counts[string(d)] = m
	}
	return json.Marshal(rec)
}

// appendProfileTally is encodeProfileTallyJSON by hand: keys sorted as
// encoding/json sorts map keys, "c" omitted when empty. ok is false when an
// answer map is nil (encoding/json writes null).
func appendProfileTally(b []byte, t survey.ProfileTally) ([]byte, bool) {
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, int64(t.Respondents), 10)
	if len(t.Counts) > 0 {
		b = append(b, `,"c":{`...)
		var dimBuf [8]survey.ProfileDim
		dims := dimBuf[:0]
		for d := range t.Counts {
			dims = append(dims, d)
		}
		slices.Sort(dims)
		var valBuf [16]string
		for i, d := range dims {
			m := t.Counts[d]
			if m == nil {
				return nil, false
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(d))
			b = append(b, ':', '{')
			vals := valBuf[:0]
			for v := range m {
				vals = append(vals, v)
			}
			slices.Sort(vals)
			for j, v := range vals {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, v)
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(m[v]), 10)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}'), true
}

// appendJSONString quotes s exactly as encoding/json.Marshal does: HTML
// characters escaped (the age band "<20" is written "\u003c20"), invalid
// UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// decodeProfileTally reads a stored profile tally; like responses, the
// shape we write is read by hand (decodeProfileTallyFast) and anything else
// by encoding/json.
func decodeProfileTally(data []byte) (survey.ProfileTally, error) {
	if t, ok := decodeProfileTallyFast(data); ok {
		return t, nil
	}
	return decodeProfileTallyJSON(data)
}

func decodeProfileTallyJSON(data []byte) (survey.ProfileTally, error) {
	var rec profileTallyRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return survey.ProfileTally{}, err
	}
	t := survey.ProfileTally{Respondents: rec.Respondents}
	for d, m := range rec.Counts {
		for v, n := range m {
			switch {
			case n < 0:
				return survey.ProfileTally{}, fmt.Errorf("%s %q: negative count", d, v)
			case n > 0:
				if t.Counts == nil {
					t.Counts = map[survey.ProfileDim]map[string]int{}
				}
				if t.Counts[survey.ProfileDim(d)] == nil {
					t.Counts[survey.ProfileDim(d)] = map[string]int{}
				}
				t.Counts[survey.ProfileDim(d)][v] = n
			}
		}
	}
	return t, nil
}

// decodeProfileTallyFast is decodeProfileTallyJSON without reflection; ok
// is false on anything but a well-formed tally without repeated keys or
// negative counts (left to encoding/json, for its result or its error).
func decodeProfileTallyFast(data []byte) (t survey.ProfileTally, ok bool) {
	sc := jsonScanner{b: data}
	if !sc.consume('{') {
		return t, false
	}
	seenN, seenC := false, false
	if !sc.consume('}') {
		for {
			key, ok := sc.key()
			if !ok || !sc.consume(':') {
				return t, false
			}
			switch string(key) {
			case "n":
				if seenN {
					return t, false
				}
				seenN = true
				if t.Respondents, ok = sc.int(); !ok {
					return t, false
				}
			case "c":
				if seenC {
					return t, false
				}
				seenC = true
				if t.Counts, ok = sc.profileCounts(); !ok {
					return t, false
				}
			default:
				return t, false
			}
			if sc.consume(',') {
				continue
			}
			if sc.consume('}') {
				break
			}
			return t, false
		}
	}
	sc.space()
	return t, sc.i == len(sc.b)
}

// profileCounts reads the "c" object of a profile tally, keeping positive
// counts only, as decodeProfileTallyJSON does.
func (sc *jsonScanner) profileCounts() (map[survey.ProfileDim]map[string]int, bool) {
	var counts map[survey.ProfileDim]map[string]int
	if !sc.consume('{') {
		return nil, false
	}
	if sc.consume('}') {
		return nil, true
	}
	var seenBuf [8]string
	seen := seenBuf[:0]
	for {
		d, ok := sc.str(nil, 0)
		if !ok || slices.Contains(seen, d) || !sc.consume(':') || !sc.consume('{') {
			return nil, false
		}
		seen = append(seen, d)
		var m map[string]int
		if !sc.consume('}') {
			for {
				v, ok := sc.str(nil, 0)
				if !ok || !sc.consume(':') {
					return nil, false
				}
				if _, dup := m[v]; dup {
					return nil, false
				}
				n, ok := sc.int()
				switch {
				case !ok || n < 0:
					return nil, false
				case n > 0:
					if m == nil {
						m = map[string]int{}
					}
					m[v] = n
				}
				if sc.consume(',') {
					continue
				}
				if sc.consume('}') {
					break
				}
				return nil, false
			}
		}
		if m != nil {
			if counts == nil {
				counts = map[survey.ProfileDim]map[string]int{}
			}
			counts[survey.ProfileDim(d)] = m
		}
		if sc.consume(',') {
			continue
		}
		return counts, sc.consume('}')
	}
}

// addDerived counts a newly stored response (id) in the profile
// aggregates and, if it has a suggestion, in the suggestion index.
func (tx *Tx) addDerived(r survey.Response, id uint64) error {
	if err := tx.changeProfile(r.Unit, r, func(t *survey.ProfileTally) { t.Add(r.Profile) }); err != nil {
		return err
	}
	if r.Suggestion == "" {
		return nil
	}
	root, err := tx.writeBucket(bucketSuggestions)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(r.Unit))
	if err != nil {
		return fmt.Errorf("suggestions/%s: %w", r.Unit, err)
	}
	ub.FillPercent = 0.9 // ids only grow
	return ub.Put(u64key(id), nil)
}

// removeDerived undoes addDerived for a response about to be deleted.
func (tx *Tx) removeDerived(r survey.Response) error {
	if err := tx.changeProfile(r.Unit, r, func(t *survey.ProfileTally) { t.Remove(r.Profile) }); err != nil {
		return err
	}
	if ub := nested(tx.bucket(bucketSuggestions), r.Unit); ub != nil {
		return ub.Delete(u64key(r.ID))
	}
	return nil
}

func (tx *Tx) changeProfile(unit string, r survey.Response, change func(*survey.ProfileTally)) error {
	root, err := tx.writeBucket(bucketProfiles)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(unit))
	if err != nil {
		return fmt.Errorf("prof/%s: %w", unit, err)
	}
	ub.FillPercent = 0.9
	day, month := tx.aggKeys(r.Submitted)
	for _, key := range []string{day, month} {
		var t survey.ProfileTally
		if v := ub.Get([]byte(key)); v != nil {
			if t, err = decodeProfileTally(v); err != nil {
				return fmt.Errorf("prof/%s/%s: %w", unit, key, err)
			}
		}
		change(&t)
		if t.Empty() {
			if err := ub.Delete([]byte(key)); err != nil {
				return err
			}
			continue
		}
		v, err := encodeProfileTally(t)
		if err != nil {
			return err
		}
		if err := ub.Put([]byte(key), v); err != nil {
			return err
		}
	}
	return nil
}

// ProfileTally returns how the unit's respondents in p answered the profile
// questions, from the month and day aggregates p.Buckets names, like Tally.
func (tx *Tx) ProfileTally(unit string, p survey.Period) (survey.ProfileTally, error) {
	var sum survey.ProfileTally
	err := tx.periodValues(bucketProfiles, unit, p, func(v []byte) error {
		t, err := decodeProfileTally(v)
		sum.Merge(t)
		return err
	})
	return sum, err
}

// Suggestions returns up to n of the unit's responses with a suggestion,
// newest first, with ids below before (0: from the newest), and whether
// older ones remain. It reads the suggestion index and then only those
// responses, never a scan of responses/. Suggestions blanked by retention
// are skipped (their index entries stay; the responses are still there).
func (tx *Tx) Suggestions(unit string, before uint64, n int) ([]survey.Response, bool, error) {
	ub := nested(tx.bucket(bucketSuggestions), unit)
	rb := tx.bucket(bucketResponses)
	if ub == nil || rb == nil || n <= 0 {
		return nil, false, nil
	}
	c := ub.Cursor()
	var k []byte
	if before == 0 {
		k, _ = c.Last()
	} else {
		k, _ = c.Seek(u64key(before))
		if k == nil {
			k, _ = c.Last()
		}
		for k != nil && bytes.Compare(k, u64key(before)) >= 0 {
			k, _ = c.Prev()
		}
	}
	var out []survey.Response
	cache := newStringCache()
	for ; k != nil; k, _ = c.Prev() {
		id, err := keyU64(k)
		if err != nil {
			return nil, false, fmt.Errorf("suggestions/%s: %w", unit, err)
		}
		v := rb.Get(k)
		if v == nil {
			continue // replaced since; the index entry is stale
		}
		r, _, err := tx.s.decodeResponseCached(id, v, cache)
		if err != nil {
			return nil, false, err
		}
		if r.Suggestion == "" || r.Unit != unit {
			continue
		}
		if len(out) == n {
			// One more shown one exists: there is an older page.
			return out, true, nil
		}
		out = append(out, r)
	}
	return out, false, nil
}

// backfillDerived builds the backfilled buckets (prof/ and suggestions/)
// in a file written before they existed, once, when such a file is first
// opened for writing: the responses are there, their derived buckets are
// not. prof/ tells such a file: it has been created at every open since it
// existed, while suggestions/ was long created only by a first suggestion.
func (tx *Tx) backfillDerived() error {
	if tx.bucket(bucketProfiles) != nil {
		return nil
	}
	if b := tx.bucket(bucketResponses); b == nil || b.Stats().KeyN == 0 {
		return nil // nothing to derive; Open creates the empty buckets
	}
	return tx.rebuildDerived()
}

// VerifyProfiles recomputes the profile aggregates from the raw responses
// and lists each stored one that differs, like VerifyAggregates.
func (tx *Tx) VerifyProfiles() ([]string, error) {
	want := map[string]map[string]*survey.ProfileTally{}
	err := tx.ForEachResponse(func(r survey.Response) error {
		day, month := tx.aggKeys(r.Submitted)
		m := want[r.Unit]
		if m == nil {
			m = map[string]*survey.ProfileTally{}
			want[r.Unit] = m
		}
		for _, k := range []string{day, month} {
			if m[k] == nil {
				m[k] = new(survey.ProfileTally)
			}
			m[k].Add(r.Profile)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var problems []string
	if root := tx.bucket(bucketProfiles); root != nil {
		err = root.ForEachBucket(func(unit []byte) error {
			return root.Bucket(unit).ForEach(func(k, v []byte) error {
				got, err := decodeProfileTally(v)
				if err != nil {
					problems = append(problems, fmt.Sprintf("prof/%s/%s: %v", unit, k, err))
					return nil
				}
				var w survey.ProfileTally
				if p := want[string(unit)][string(k)]; p != nil {
					w = *p
				}
				if !got.Equal(w) {
					problems = append(problems, fmt.Sprintf("prof/%s/%s: stored %d respondents, responses give %d", unit, k, got.Respondents, w.Respondents))
				}
				delete(want[string(unit)], string(k))
				return nil
			})
		})
		if err != nil {
			return nil, err
		}
	}
	for unit, m := range want {
		for k, t := range m {
			problems = append(problems, fmt.Sprintf("prof/%s/%s: missing, responses give %d respondents", unit, k, t.Respondents))
		}
	}
	sort.Strings(problems)
	return problems, nil
}
