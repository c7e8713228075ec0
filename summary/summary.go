// Package summary is what a city hands above itself: a signed file of every
// unit's figures for a period (respondents, the score counts of every
// element, IKM, mutu, follow-up plans), and the merge of several cities'
// files into one report, as a province's organisation bureau compiles the
// yearly reports of its cities. Nobody above the city sees a single answer:
// the score counts are what the regulation's worksheets add up, and they
// pool exactly.
//
// A file is signed with Ed25519 (crypto/ed25519). The key pair is derived
// from the city's server secret for this purpose alone (KeyFromSecret), so
// there is no new file to keep, and the public key stays the same for the
// life of the database: the city publishes it once (ikmbot summary
// --print-key, and the public site's open-data page), and whoever merges
// checks every file against the keys they were given, never against the key
// a file names itself.
//
// The package is pure: it takes figures and gives figures, imports survey
// and the standard library only, and reads no store.
package summary

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// Format names the file layout; a reader refuses any other.
const Format = "ikmbot-summary/1"

// keyInfo derives the signing key from the server secret.
const keyInfo = "summary-ed25519"

// KeyFromSecret derives the city's Ed25519 key pair from its server secret:
// the same secret always gives the same key.
func KeyFromSecret(secret []byte) ed25519.PrivateKey {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(keyInfo))
	return ed25519.NewKeyFromSeed(m.Sum(nil))
}

// PublicKey is the public half of a key pair from KeyFromSecret.
func PublicKey(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// EncodeKey writes a public key as it is published: unpadded base64url.
func EncodeKey(pub ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(pub)
}

// DecodeKey reads a published public key.
func DecodeKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%q is not an Ed25519 public key (43 characters of base64url)", s)
	}
	return ed25519.PublicKey(b), nil
}

// Summary is one city's figures for one period.
type Summary struct {
	Format    string    `json:"format"`
	City      string    `json:"city"`
	Period    string    `json:"period"` // as ikmbot report names it: 2026, 2026-S1, 2026-Q3, 2026-07, a range
	From      string    `json:"from"`   // YYYY-MM-DD
	To        string    `json:"to"`
	Weighting string    `json:"weighting"` // "exact" (1/9) or "legacy" (0.111)
	Generated time.Time `json:"generated"`
	Units     []Unit    `json:"units"`
}

// Unit is one unit's figures.
type Unit struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	TypeName    string `json:"type_name"`
	Respondents int    `json:"respondents"`
	// Scores[element key] = how many answered 1, 2, 3 and 4: the counts
	// the IKM is computed from, which merge by adding.
	Scores       map[string][4]uint32 `json:"scores"`
	IKM          *float64             `json:"ikm"` // rounded to 2 decimals; null without respondents
	Mutu         string               `json:"mutu,omitempty"`
	SampleTarget int                  `json:"sample_target,omitempty"` // Krejcie-Morgan; 0 when the unit's users are unknown
	FollowUps    FollowUps            `json:"followups"`
}

// FollowUps counts a unit's follow-up plans (rencana tindak lanjut), as
// KemenPANRB's service evaluation scores them: the share completed, and
// how fast.
type FollowUps struct {
	Planned int `json:"planned"`
	Done    int `json:"done"`
	// DoneWithin30Days counts the done plans completed within 30 days of
	// being recorded; MedianDays is the median of their days to complete
	// (0 when none is done).
	DoneWithin30Days int `json:"done_within_30_days"`
	MedianDays       int `json:"median_days"`
}

// Share is the percentage of plans done (done / planned x 100, rounded
// half-up to 2 decimals), and false when nothing is planned.
func (f FollowUps) Share() (float64, bool) {
	if f.Planned == 0 {
		return 0, false
	}
	return survey.Round2(100 * float64(f.Done) / float64(f.Planned)), true
}

// Add counts o's plans too. Medians do not add: the result's is the larger
// of the two, an upper bound, and says so by being that.
func (f *FollowUps) Add(o FollowUps) {
	f.Planned += o.Planned
	f.Done += o.Done
	f.DoneWithin30Days += o.DoneWithin30Days
	f.MedianDays = max(f.MedianDays, o.MedianDays)
}

// Tally is the unit's score counts as a survey.Tally.
func (u Unit) Tally() (survey.Tally, error) {
	t := survey.Tally{Respondents: u.Respondents}
	for key, counts := range u.Scores {
		i := survey.ElementIndex(survey.ElementKey(key))
		if i < 0 {
			return survey.Tally{}, fmt.Errorf("unit %s: unknown element %q", u.Code, key)
		}
		t.Dist[i] = counts
	}
	return t, nil
}

// FromCity builds the summary of a city's figures for a period; followUps
// gives each unit's plans (by unit code).
func FromCity(city string, c survey.CitySummary, typeNames func(survey.UnitType) string, followUps map[string]FollowUps, w survey.Weighting, now time.Time) Summary {
	s := Summary{
		Format: Format, City: city, Period: c.Period.Label,
		From: survey.DayKey(c.Period.From), To: survey.DayKey(c.Period.To),
		Weighting: "exact", Generated: now.UTC().Truncate(time.Second),
	}
	if w == survey.LegacyWeights {
		s.Weighting = "legacy"
	}
	for _, us := range c.Units {
		u := Unit{
			Code: us.Unit.Code, Name: us.Unit.Name, Type: string(us.Unit.Type), TypeName: typeNames(us.Unit.Type),
			Respondents: us.Tally.Respondents, Scores: map[string][4]uint32{}, SampleTarget: us.Target,
			FollowUps: followUps[us.Unit.Code],
		}
		for i, key := range survey.Elements {
			if us.Tally.Dist[i] != ([4]uint32{}) {
				u.Scores[string(key)] = us.Tally.Dist[i]
			}
		}
		if us.Result.Valid {
			ikm := us.Result.IKM2
			u.IKM, u.Mutu = &ikm, string(us.Result.Mutu)
		}
		s.Units = append(s.Units, u)
	}
	return s
}

// file is the signed file: the summary as written, byte for byte, the key
// that signed it and the signature over those bytes.
type file struct {
	Summary   json.RawMessage `json:"summary"`
	Key       string          `json:"key"`
	Signature string          `json:"signature"`
}

// Sign writes s as a signed file.
func Sign(s Summary, key ed25519.PrivateKey) ([]byte, error) {
	body, err := json.MarshalIndent(s, "  ", "  ")
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(key, body)
	var b bytes.Buffer
	b.WriteString("{\n  \"summary\": ")
	b.Write(body)
	fmt.Fprintf(&b, ",\n  \"key\": %q,\n  \"signature\": %q\n}\n",
		EncodeKey(PublicKey(key)), base64.RawURLEncoding.EncodeToString(sig))
	return b.Bytes(), nil
}

// Errors of Verify.
var (
	ErrUnknownKey = errors.New("signed by a key that is not among the published keys")
	ErrSignature  = errors.New("the signature does not match: the file was changed after it was signed, or is not genuine")
)

// Keys are the published keys a merge trusts: key -> the city it belongs to.
type Keys map[string]string

// ParseKeys reads published keys, one a line: the key, then the city's
// name; blank lines and lines starting with # are skipped.
func ParseKeys(data []byte) (Keys, error) {
	keys := Keys{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, city, _ := strings.Cut(line, " ")
		if _, err := DecodeKey(k); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		city = strings.TrimSpace(city)
		if city == "" {
			return nil, fmt.Errorf("line %d: the key has no city name after it", i+1)
		}
		if prev, ok := keys[k]; ok {
			return nil, fmt.Errorf("line %d: key listed twice (also for %s)", i+1, prev)
		}
		keys[k] = city
	}
	if len(keys) == 0 {
		return nil, errors.New("no keys")
	}
	return keys, nil
}

// Verify reads a signed file, checks that a trusted key signed it and that
// the signed city is the one that key was published for, and returns the
// summary.
func Verify(data []byte, keys Keys) (Summary, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Summary{}, fmt.Errorf("not a summary file: %w", err)
	}
	city, trusted := keys[f.Key]
	if !trusted {
		return Summary{}, ErrUnknownKey
	}
	pub, err := DecodeKey(f.Key)
	if err != nil {
		return Summary{}, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(f.Signature)
	if err != nil || !ed25519.Verify(pub, f.Summary, sig) {
		return Summary{}, ErrSignature
	}
	var s Summary
	dec = json.NewDecoder(bytes.NewReader(f.Summary))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	if s.Format != Format {
		return Summary{}, fmt.Errorf("format %q, want %q", s.Format, Format)
	}
	if s.City != city {
		return Summary{}, fmt.Errorf("signed for %q by the key published for %q", s.City, city)
	}
	w := survey.ExactWeights
	switch s.Weighting {
	case "exact":
	case "legacy":
		w = survey.LegacyWeights
	default:
		return Summary{}, fmt.Errorf("weighting %q, want exact or legacy", s.Weighting)
	}
	codes := map[string]bool{}
	for _, u := range s.Units {
		if codes[u.Code] {
			return Summary{}, fmt.Errorf("unit %s listed twice", u.Code)
		}
		codes[u.Code] = true
		if err := u.check(w); err != nil {
			return Summary{}, err
		}
	}
	return s, nil
}

// check refuses figures that do not hang together: the counts of every
// element at most the respondents, and the printed IKM and mutu the
// counts' own.
func (u Unit) check(w survey.Weighting) error {
	if u.Respondents < 0 {
		return fmt.Errorf("unit %s: %d respondents", u.Code, u.Respondents)
	}
	t, err := u.Tally()
	if err != nil {
		return err
	}
	for i := range t.Dist {
		if t.Answers(i) > uint64(max(t.Respondents, 0)) {
			return fmt.Errorf("unit %s: %d answers to %s from %d respondents", u.Code, t.Answers(i), survey.Elements[i], t.Respondents)
		}
	}
	res := t.Result(w)
	switch {
	case res.Valid != (u.IKM != nil):
		return fmt.Errorf("unit %s: IKM given without scores, or scores without IKM", u.Code)
	case res.Valid && (*u.IKM != res.IKM2 || u.Mutu != string(res.Mutu)):
		return fmt.Errorf("unit %s: IKM %.2f (%s) printed, the scores give %.2f (%s)", u.Code, *u.IKM, u.Mutu, res.IKM2, res.Mutu)
	case u.FollowUps.Done > u.FollowUps.Planned || u.FollowUps.DoneWithin30Days > u.FollowUps.Done:
		return fmt.Errorf("unit %s: follow-up counts do not add up", u.Code)
	}
	return nil
}

// Region is the merge of several cities' summaries of one period.
type Region struct {
	Period    string
	Weighting survey.Weighting
	Cities    []CityFigures
	Types     []TypeFigures // unit types over every city, pooled
	Tally     survey.Tally  // every respondent of every city
	Result    survey.Result // pooled over every respondent
	// MeanIKM is the mean of the unit IKMs of every unit with
	// respondents, in every city; MeanIKM2 and MeanMutu display it.
	MeanIKM   float64
	MeanIKM2  float64
	MeanMutu  survey.Mutu
	Units     int // units in all
	WithData  int // units with respondents
	FollowUps FollowUps
}

// CityFigures are one city's figures in a merge.
type CityFigures struct {
	City      string
	Units     int
	WithData  int
	Tally     survey.Tally
	Result    survey.Result // pooled over the city's respondents
	MeanIKM2  float64       // mean of the city's unit IKMs
	MeanMutu  survey.Mutu
	FollowUps FollowUps
}

// TypeFigures are one unit type's figures over every city.
type TypeFigures struct {
	Type     string
	Name     string
	Units    int
	WithData int
	Tally    survey.Tally
	Result   survey.Result
}

// Merge puts several cities' summaries of the same period together. It
// refuses summaries of different periods, weightings or the same city
// twice.
func Merge(sums []Summary) (Region, error) {
	if len(sums) == 0 {
		return Region{}, errors.New("no summaries")
	}
	r := Region{Period: sums[0].Period, Weighting: survey.ExactWeights}
	if sums[0].Weighting == "legacy" {
		r.Weighting = survey.LegacyWeights
	}
	seen := map[string]bool{}
	types := map[string]*TypeFigures{}
	var sum float64
	for _, s := range sums {
		switch {
		case s.Period != r.Period || s.From != sums[0].From || s.To != sums[0].To:
			return Region{}, fmt.Errorf("%s is for %s, %s for %s: merge summaries of one period", s.City, s.Period, sums[0].City, r.Period)
		case s.Weighting != sums[0].Weighting:
			return Region{}, fmt.Errorf("%s weights elements %s, %s %s: make both with the same weights", s.City, s.Weighting, sums[0].City, sums[0].Weighting)
		case seen[s.City]:
			return Region{}, fmt.Errorf("%s is given twice", s.City)
		}
		seen[s.City] = true
		c := CityFigures{City: s.City, Units: len(s.Units)}
		var citySum float64
		for _, u := range s.Units {
			t, err := u.Tally()
			if err != nil {
				return Region{}, fmt.Errorf("%s: %w", s.City, err)
			}
			c.Tally.Merge(t)
			c.FollowUps.Add(u.FollowUps)
			tf := types[u.Type]
			if tf == nil {
				tf = &TypeFigures{Type: u.Type, Name: u.TypeName}
				types[u.Type] = tf
				r.Types = append(r.Types, TypeFigures{Type: u.Type})
			}
			tf.Units++
			tf.Tally.Merge(t)
			if res := t.Result(r.Weighting); res.Valid {
				c.WithData++
				tf.WithData++
				citySum += res.IKM
				sum += res.IKM
			}
		}
		c.Result = c.Tally.Result(r.Weighting)
		if c.WithData > 0 {
			mean := citySum / float64(c.WithData)
			c.MeanIKM2, c.MeanMutu = survey.Round2(mean), survey.Classify(mean)
		}
		r.Cities = append(r.Cities, c)
		r.Tally.Merge(c.Tally)
		r.Units += c.Units
		r.WithData += c.WithData
		r.FollowUps.Add(c.FollowUps)
	}
	for i := range r.Types {
		tf := types[r.Types[i].Type]
		tf.Result = tf.Tally.Result(r.Weighting)
		r.Types[i] = *tf
	}
	slices.SortStableFunc(r.Cities, func(a, b CityFigures) int { return strings.Compare(a.City, b.City) })
	r.Result = r.Tally.Result(r.Weighting)
	if r.WithData > 0 {
		r.MeanIKM = sum / float64(r.WithData)
		r.MeanIKM2, r.MeanMutu = survey.Round2(r.MeanIKM), survey.Classify(r.MeanIKM)
	}
	return r, nil
}
