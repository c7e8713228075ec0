package store

import (
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// compareDecoders decodes data both ways. fast reports whether
// decodeResponseFast took the record; when it did, encoding/json must have
// decoded it too, to the same response and window.
func compareDecoders(s *Store, data []byte, cache *stringCache) (fast bool, err error) {
	got, gotWin, ok := s.decodeResponseFast(7, data, cache)
	if !ok {
		return false, nil
	}
	want, wantWin, jerr := s.decodeResponseJSON(7, data)
	switch {
	case jerr != nil:
		return true, fmt.Errorf("fast decoder took %q as %+v, encoding/json refuses it: %v", data, got, jerr)
	case !reflect.DeepEqual(got, want) || gotWin != wantWin:
		return true, fmt.Errorf("record %q:\nfast %+v window %q\njson %+v window %q", data, got, gotWin, want, wantWin)
	}
	return true, nil
}

// randomText is a suggestion or answer as a person, or a damaged file,
// might produce: empty, plain, quoted, escaped, any script, control
// characters, characters encoding/json escapes (<>&, U+2028), invalid
// UTF-8, long.
func randomText(rng *mrand.Rand) string {
	pieces := []string{
		"", "antrian lama", `kata "bagus"`, `C:\path\to`, `\u0041`, "\\\"", "/", "</script>", "a&b", "x<y>z",
		"tab\there", "baris\nbaru", "\r\n", "\x00", "\x1f", "\x7f", "é", "e\u0301", "日本語", "😀", "𝄞",
		"\u2028", "\u2029", "\ufeff", "\ufffd", "\xff", "\xc3", "\xed\xa0\x80", "'", "{}", `":"`, ",", " ",
	}
	var b strings.Builder
	for range rng.IntN(8) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	if rng.IntN(20) == 0 {
		b.WriteString(strings.Repeat("Pelayanan sangat memuaskan, terima kasih! ", 200))
	}
	return b.String()
}

// randomRecordResponse is a response with every field drawn at random,
// skipped answers included.
func randomRecordResponse(rng *mrand.Rand) (survey.Response, string) {
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	var sc survey.Scores
	for e := range sc {
		if rng.IntN(4) > 0 {
			sc[e] = uint8(1 + rng.IntN(4))
		}
	}
	r := survey.Response{
		Unit:      pick("U1", "PKM-KALIABANGTGH", "RSUD01", "unit with space", "ü"),
		Submitted: time.Unix(rng.Int64N(4e9)-1e9, 0),
		Source:    survey.Source(pick("", "telegram", "paper")),
		Profile:   randomProfile(rng),
		Scores:    sc,
		Via:       survey.Via(pick("", "poster", "old_poster", "plain_link", "counter")),
	}
	if rng.IntN(2) == 0 {
		r.Submitted = r.Submitted.Add(time.Duration(rng.Int64N(1e9)))
	}
	if rng.IntN(2) == 0 {
		r.Submitted = r.Submitted.Truncate(time.Millisecond)
	}
	if rng.IntN(3) > 0 {
		r.Respondent = fmt.Sprintf("%032x", rng.Uint64())
	}
	if rng.IntN(5) == 0 {
		r.Profile.Service = randomText(rng)
	}
	if rng.IntN(2) == 0 {
		r.Suggestion = randomText(rng)
	}
	if r.Via != "" {
		r.Poster = rng.IntN(5)
	}
	if rng.IntN(3) == 0 {
		for _, q := range survey.Questionnaires {
			if rng.IntN(3) == 0 {
				continue
			}
			scale := []int{survey.Scale4, survey.Scale6}[rng.IntN(2)]
			b := survey.Block{Key: q.Key, Scale: scale, Scores: make([]uint8, len(q.Items))}
			for i := range b.Scores {
				if rng.IntN(5) > 0 {
					b.Scores[i] = uint8(1 + rng.IntN(scale))
				}
			}
			if b.Answered() > 0 {
				r.Blocks = append(r.Blocks, b)
			}
		}
	}
	return r, pick("", "2026", "2026-07", "2025-S2")
}

// TestDecodeResponseFast holds the hand-written decoder to encoding/json on
// records as encodeResponse writes them, which it must all take itself, and
// on records it must leave to encoding/json.
func TestDecodeResponseFast(t *testing.T) {
	s := &Store{opts: Options{Location: jakarta(t)}}
	rng := mrand.New(mrand.NewPCG(1, 2))
	cache := newStringCache()
	for i := range 20000 {
		r, window := randomRecordResponse(rng)
		data, err := encodeResponse(r, window)
		if err != nil {
			t.Fatal(err)
		}
		c := cache
		if i%2 == 0 {
			c = nil
		}
		fast, err := compareDecoders(s, data, c)
		if err != nil {
			t.Fatal(err)
		}
		if !fast {
			t.Fatalf("fast decoder left a record encodeResponse wrote to encoding/json: %s", data)
		}
	}

	base := `"unit":"U1","at":"2026-01-01T00:00:00Z"`
	for _, tc := range []struct {
		record string
		fast   bool // whether decodeResponseFast must take it
	}{
		// Old records and skipped answers: fields are simply absent.
		{`{"unit":"U1","at":"2026-01-01T00:00:00Z","scores":{"persyaratan":4}}`, true},
		{`{` + base + `}`, true},
		{`{` + base + `,"scores":{}}`, true},
		{`{` + base + `,"prof":{}}`, true},
		{`{"unit":"U1"}`, true},
		{` { "unit" : "U1" , "at" : "2026-01-01T00:00:00Z" , "scores" : { "waktu" : 2 , "biaya" : 3 } , "prof" : { "age" : 7 } } ` + "\n", true},
		{`{` + base + `,"pv":-0}`, true},
		// Extra questionnaires: the shape encodeBlocks writes, in any
		// order of questionnaires and items, and what only encoding/json
		// may judge.
		{`{` + base + `,"blocks":{"spkp":{"scale":6,"scores":{"informasi":6,"konsultasi":1}}}}`, true},
		{`{` + base + `,"blocks":{"spkp":{"scale":4,"scores":{"waktu":4}},"spak":{"scale":6,"scores":{"calo":6,"pungli":2}}}}`, true},
		{`{` + base + `,"blocks":{}}`, true},
		{`{` + base + `,"blocks":{"spak":{"scale":4,"scores":{}}}}`, true},
		{`{` + base + `,"blocks":{"spak":{"scores":{"calo":4},"scale":4}}}`, false},
		{`{` + base + `,"blocks":{"spak":{"scale":4,"scores":{"calo":5}}}}`, false},
		{`{` + base + `,"blocks":{"spak":{"scale":5,"scores":{"calo":4}}}}`, false},
		{`{` + base + `,"blocks":{"spxx":{"scale":4,"scores":{"calo":4}}}}`, false},
		{`{` + base + `,"blocks":{"spak":{"scale":4,"scores":{"nope":4}}}}`, false},
		{`{` + base + `,"blocks":{"spak":{"scale":4,"scores":{"calo":4,"calo":3}}}}`, false},
		{`{` + base + `,"blocks":{"spak":{"scale":4,"scores":{"calo":4}},"spak":{"scale":4,"scores":{"calo":3}}}}`, false},
		{`{` + base + `,"blocks":null}`, false},
		{`{` + base + `,"pv":-12}`, true},
		{`{` + base + `,"pv":123456789012345678}`, true},
		// Escapes encoding/json writes, and some it only reads.
		{`{` + base + `,"sugg":"\u003c\u003e\u0026\u2028\u2029\"\\\/\b\f\n\r\t\u00e9\u00E9\ud83d\ude00\u0000"}`, true},
		{`{` + base + `,"sugg":"\ud834\udd1e and \uD834\uDD1E"}`, true},
		{`{"unit":"\u0055\u0031","at":"2026-01-01T00:00:00Z"}`, true},
		{`{` + base + `,"sugg":"é日本😀"}`, true},
		// Times: fractions of one to nine digits, a leap day.
		{`{"unit":"U1","at":"2026-01-01T00:00:00.5Z"}`, true},
		{`{"unit":"U1","at":"2026-01-01T00:00:00.123456789Z"}`, true},
		{`{"unit":"U1","at":"2028-02-29T23:59:59Z"}`, true},
		{`{"unit":"U1","at":"0000-01-01T00:00:00Z"}`, true},
		// Left to encoding/json: lone surrogates and invalid UTF-8 (U+FFFD),
		// and an invalid escape.
		{`{` + base + `,"sugg":"\ud83d"}`, false},
		{`{` + base + `,"sugg":"\ude00\ud83d"}`, false},
		{`{` + base + `,"sugg":"\ud83d\u0041"}`, false},
		{`{` + base + `,"sugg":"\ud83dx"}`, false},
		{`{` + base + `,"sugg":"\x"}`, false},
		{`{` + base + `,"sugg":"\u12"}`, false},
		{`{` + base + `,"sugg":"\'"}`, false},
		{"{" + base + ",\"sugg\":\"\xff\"}", false},
		{"{" + base + ",\"sugg\":\"ok\\n\xc3\"}", false},
		{"{" + base + ",\"sugg\":\"raw\ttab\"}", false},
		// Keys: unknown (extra), other case, escaped, repeated.
		{`{` + base + `,"extra":1}`, false},
		{`{` + base + `,"Unit":"U2"}`, false},
		{`{` + base + `,"UNIT":"U2"}`, false},
		{`{` + base + `,"\u0075nit":"U2"}`, false},
		{`{` + base + `,"unit":"U2"}`, false},
		{`{` + base + `,"prof":{"sex":"P"},"prof":{"age":30}}`, false},
		{`{` + base + `,"prof":{"sex":"P","sex":"L"}}`, false},
		{`{` + base + `,"prof":{"SEX":"P"}}`, false},
		{`{` + base + `,"prof":{"other":1}}`, false},
		{`{` + base + `,"scores":{"waktu":1},"scores":{"biaya":2}}`, false},
		{`{` + base + `,"scores":{"waktu":1,"waktu":2}}`, false},
		// Nulls and wrong types.
		{`{` + base + `,"sugg":null}`, false},
		{`{` + base + `,"scores":null}`, false},
		{`{` + base + `,"prof":null}`, false},
		{`{"unit":"U1","at":null}`, false},
		{`{` + base + `,"pv":"2"}`, false},
		{`{` + base + `,"via":2}`, false},
		{`{` + base + `,"prof":{"age":"30"}}`, false},
		// Numbers: fractions, exponents, leading zeros, overflow.
		{`{` + base + `,"pv":1.0}`, false},
		{`{` + base + `,"pv":1e2}`, false},
		{`{` + base + `,"pv":01}`, false},
		{`{` + base + `,"pv":-}`, false},
		{`{` + base + `,"pv":99999999999999999999}`, false},
		{`{` + base + `,"scores":{"waktu":4.0}}`, false},
		{`{` + base + `,"scores":{"waktu":04}}`, false},
		// Scores decodeScores refuses, for its error.
		{`{` + base + `,"scores":{"keamanan":3}}`, false},
		{`{` + base + `,"scores":{"waktu":0}}`, false},
		{`{` + base + `,"scores":{"waktu":5}}`, false},
		{`{` + base + `,"scores":{"waktu":256}}`, false},
		{`{` + base + `,"scores":{"waktu":-1}}`, false},
		{`{` + base + `,"scores":{"Waktu":1}}`, false},
		// Times in other forms.
		{`{"unit":"U1","at":"2026-01-01T07:00:00+07:00"}`, false},
		{`{"unit":"U1","at":"2026-01-01t00:00:00z"}`, false},
		{`{"unit":"U1","at":"2026-01-01T00:00:00.1234567891Z"}`, false},
		{`{"unit":"U1","at":"2026-01-01T00:00:00.Z"}`, false},
		{`{"unit":"U1","at":"2026-02-29T00:00:00Z"}`, false},
		{`{"unit":"U1","at":"2026-13-01T00:00:00Z"}`, false},
		{`{"unit":"U1","at":"2026-01-01T24:00:00Z"}`, false},
		{`{"unit":"U1","at":"2026-01-01T00:00:60Z"}`, false},
		{`{"unit":"U1","at":"2026-01-01 00:00:00Z"}`, false},
		{`{"unit":"U1","at":"2026-01-01T00:00:00\u005a"}`, false},
		{`{"unit":"U1","at":"+2026-01-01T00:00:00Z"}`, false},
		// No unit, and what is not one JSON object.
		{`{"at":"2026-01-01T00:00:00Z"}`, false},
		{`{"unit":"","at":"2026-01-01T00:00:00Z"}`, false},
		{`{}`, false},
		{`{` + base + `}x`, false},
		{`{` + base + `}{}`, false},
		{`{` + base + `,}`, false},
		{`{` + base, false},
		{`{"unit":"U1" "at":"2026-01-01T00:00:00Z"}`, false},
		{"\ufeff{" + base + "}", false},
		{`[]`, false},
		{``, false},
	} {
		fast, err := compareDecoders(s, []byte(tc.record), cache)
		if err != nil {
			t.Error(err)
		}
		if fast != tc.fast {
			t.Errorf("record %s: fast decoder took it = %v, want %v", tc.record, fast, tc.fast)
		}
		// Whichever decoder answers, decodeResponse answers as encoding/json.
		got, gotWin, gotErr := s.decodeResponse(7, []byte(tc.record))
		want, wantWin, wantErr := s.decodeResponseJSON(7, []byte(tc.record))
		if !reflect.DeepEqual(got, want) || gotWin != wantWin || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("record %s: decodeResponse %+v %q %v, encoding/json %+v %q %v", tc.record, got, gotWin, gotErr, want, wantWin, wantErr)
		}
	}
}

// TestDecodeResponseFastMutations damages records encodeResponse wrote, a
// few bytes at a time, the way a fuzzer would but deterministically: any
// record the fast decoder takes must decode the same with encoding/json.
func TestDecodeResponseFastMutations(t *testing.T) {
	s := &Store{opts: Options{Location: time.UTC}}
	rng := mrand.New(mrand.NewPCG(5, 6))
	alphabet := []byte("{}[]:,\"\\ /0123456789.-+eEuUZTtnl\x00\x1f\x7f\xc3\xa9\xff")
	taken := 0
	for range 50000 {
		r, window := randomRecordResponse(rng)
		data, err := encodeResponse(r, window)
		if err != nil {
			t.Fatal(err)
		}
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(data) + 1)
			c := alphabet[rng.IntN(len(alphabet))]
			switch rng.IntN(3) {
			case 0: // insert
				data = append(data[:i:i], append([]byte{c}, data[i:]...)...)
			case 1: // replace
				if i < len(data) {
					data[i] = c
				}
			case 2: // delete
				if i < len(data) {
					data = append(data[:i:i], data[i+1:]...)
				}
			}
		}
		fast, err := compareDecoders(s, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if fast {
			taken++
		}
	}
	// Most damage is inside a suggestion or a respondent hash, which stays
	// valid: if the fast decoder took none, it would test nothing.
	if taken < 5000 {
		t.Errorf("fast decoder took only %d of 50000 damaged records", taken)
	}
}

// FuzzDecodeResponse compares the fast decoder with encoding/json on any
// input: when the fast decoder takes a record, encoding/json must decode it
// to the same response.
func FuzzDecodeResponse(f *testing.F) {
	rng := mrand.New(mrand.NewPCG(9, 10))
	for range 40 {
		r, window := randomRecordResponse(rng)
		data, err := encodeResponse(r, window)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 2000 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"unit":"U1","at":"2026-01-01T00:00:00.5Z","sugg":"\ud83d\ude00\u003c","scores":{"waktu":4},"prof":{"age":-0},"pv":12}`))
	f.Add([]byte(`{"unit":"U1","at":"2028-02-29T23:59:59Z","sugg":"\ud83d"}`))
	s := &Store{opts: Options{Location: time.UTC}}
	cache := newStringCache()
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := compareDecoders(s, data, cache); err != nil {
			t.Fatal(err)
		}
	})
}

// randomProfileTally counts random profiles, now and then with an odd
// answer (escapes, any script) or a zero count, or a dimension the survey
// does not have.
func randomProfileTally(rng *mrand.Rand) survey.ProfileTally {
	var t survey.ProfileTally
	for range rng.IntN(30) {
		t.Add(randomProfile(rng))
	}
	if rng.IntN(4) == 0 {
		if t.Counts == nil {
			t.Counts = map[survey.ProfileDim]map[string]int{}
		}
		d := survey.ProfileDim(randomText(rng))
		if rng.IntN(2) == 0 {
			d = survey.DimService
		}
		if t.Counts[d] == nil {
			t.Counts[d] = map[string]int{}
		}
		t.Counts[d][randomText(rng)] = rng.IntN(3)
	}
	return t
}

// compareProfileDecoders decodes a stored profile tally both ways; when
// the fast decoder takes it, encoding/json must give the same tally.
func compareProfileDecoders(data []byte) (fast bool, err error) {
	got, ok := decodeProfileTallyFast(data)
	if !ok {
		return false, nil
	}
	want, jerr := decodeProfileTallyJSON(data)
	switch {
	case jerr != nil:
		return true, fmt.Errorf("fast decoder took %q as %+v, encoding/json refuses it: %v", data, got, jerr)
	case !reflect.DeepEqual(got, want):
		return true, fmt.Errorf("profile tally %q:\nfast %+v\njson %+v", data, got, want)
	}
	return true, nil
}

// TestProfileTallyCodec holds the hand-written profile tally encoder to
// encoding/json's bytes, and the decoder to encoding/json's result, on
// random and damaged tallies.
func TestProfileTallyCodec(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(15, 16))
	alphabet := []byte("{}:,\"\\ 0123456789-.eu\xff")
	handEncoded, handDecoded := 0, 0
	for range 20000 {
		tally := randomProfileTally(rng)
		want, err := encodeProfileTallyJSON(tally)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := appendProfileTally(nil, tally); ok {
			handEncoded++
			if string(got) != string(want) {
				t.Fatalf("tally %+v:\nhand %s\njson %s", tally, got, want)
			}
		}
		if got, err := encodeProfileTally(tally); err != nil || string(got) != string(want) {
			t.Fatalf("encodeProfileTally(%+v) = %s, %v; want %s", tally, got, err, want)
		}
		fast, err := compareProfileDecoders(want)
		if err != nil {
			t.Fatal(err)
		}
		if fast {
			handDecoded++
		}
		if !strings.ContainsAny(string(want), `\-`) && !fast {
			t.Fatalf("fast decoder left %s, with no escape and no negative count, to encoding/json", want)
		}
		data := append([]byte(nil), want...)
		for range 1 + rng.IntN(2) {
			if i := rng.IntN(len(data)); rng.IntN(2) == 0 {
				data[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				data = append(data[:i:i], data[i+1:]...)
			}
		}
		if _, err := compareProfileDecoders(data); err != nil {
			t.Fatal(err)
		}
	}
	// Every tally is encoded by hand (none has a nil answer map); ordinary
	// ones are decoded by hand too, odd ones (a lone surrogate, invalid
	// UTF-8 turned U+FFFD) may not be.
	if handEncoded != 20000 || handDecoded < 15000 {
		t.Errorf("of 20000 tallies, %d encoded and %d decoded by hand; want all and most", handEncoded, handDecoded)
	}
	for _, tc := range []struct {
		data string
		fast bool
	}{
		{`{"n":0}`, true},
		{`{"n":3,"c":{}}`, true},
		{`{"n":3,"c":{"gender":{}}}`, true},
		{`{"n":3,"c":{"gender":{"P":0,"L":3}}}`, true},
		{`{"n":3,"c":{"gender":{"P":0,"P":2}}}`, true},
		{` { "c" : { "age" : { "20-29" : 1 } } , "n" : -1 } `, true},
		{`{"n":3,"c":{"service":{"\u003cKTP\u003e":1,"Poli \"Umum\"":2}}}`, true},
		{`{"n":3,"c":{"gender":{"P":2,"P":0}}}`, false},
		{`{"n":3,"c":{"gender":{"P":1},"gender":{"L":1}}}`, false},
		{`{"n":3,"n":4}`, false},
		{`{"n":3,"c":{"gender":{"P":-1}}}`, false},
		{`{"n":3,"c":{"gender":{"P":1.5}}}`, false},
		{`{"n":3,"c":{"gender":null}}`, false},
		{`{"n":3,"c":null}`, false},
		{`{"n":null}`, false},
		{`{"n":3,"x":1}`, false},
		{`{"N":3}`, false},
		{`{"n":3}x`, false},
		{"{\"n\":3,\"c\":{\"service\":{\"\xff\":1}}}", false},
	} {
		fast, err := compareProfileDecoders([]byte(tc.data))
		if err != nil {
			t.Error(err)
		}
		if fast != tc.fast {
			t.Errorf("tally %s: fast decoder took it = %v, want %v", tc.data, fast, tc.fast)
		}
	}
}

// FuzzDecodeProfileTally compares the fast profile tally decoder with
// encoding/json on any input.
func FuzzDecodeProfileTally(f *testing.F) {
	rng := mrand.New(mrand.NewPCG(17, 18))
	for range 20 {
		data, err := encodeProfileTallyJSON(randomProfileTally(rng))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := compareProfileDecoders(data); err != nil {
			t.Fatal(err)
		}
	})
}
