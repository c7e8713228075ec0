package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// The record types below are the on-disk format. Their JSON names are part
// of schema version 1: rename a Go field freely, never a tag.

// chatRecord is the value of chats/<id>; the id is the key.
type chatRecord struct {
	Lang        string         `json:"lang,omitempty"`
	Mode        string         `json:"mode,omitempty"`
	Pending     string         `json:"pend,omitempty"`
	QuestionMsg int            `json:"qmsg,omitempty"`
	Session     *sessionRecord `json:"sess,omitempty"`
	LastUpdate  int64          `json:"last,omitempty"`
	Touched     int64          `json:"at,omitempty"` // unix seconds
	Finished    string         `json:"fin,omitempty"`
	FinUnit     string         `json:"finu,omitempty"`
}

// sessionRecord is an open survey.Session. The unit is kept by code (the
// catalog may change between restarts) and the step by name (survey.Steps
// may gain or reorder questions).
type sessionRecord struct {
	ID         string        `json:"id"`
	Unit       string        `json:"unit"`
	Respondent string        `json:"who,omitempty"`
	Started    time.Time     `json:"start"`
	Updated    time.Time     `json:"at"`
	Step       string        `json:"step"`
	Profile    profileRecord `json:"prof,omitzero"`
	Scores     scoresRecord  `json:"scores,omitempty"`
	Suggestion string        `json:"sugg,omitempty"`
	Via        string        `json:"via,omitempty"`
	Poster     int           `json:"pv,omitempty"`
}

// responseRecord is the value of responses/<id> and incomplete/<seq>; the id
// is the key.
type responseRecord struct {
	Unit       string        `json:"unit"`
	Submitted  time.Time     `json:"at"`
	Source     string        `json:"src,omitempty"`
	Respondent string        `json:"who,omitempty"`
	Window     string        `json:"win,omitempty"` // so respondents/ can be rebuilt from responses/
	Profile    profileRecord `json:"prof,omitzero"`
	Scores     scoresRecord  `json:"scores"`
	Suggestion string        `json:"sugg,omitempty"`
	Via        string        `json:"via,omitempty"` // absent in records older than signed deep links
	Poster     int           `json:"pv,omitempty"`
}

type profileRecord struct {
	Gender     string `json:"sex,omitempty"`
	Age        int    `json:"age,omitempty"`
	Education  string `json:"edu,omitempty"`
	Occupation string `json:"job,omitempty"`
	Service    string `json:"svc,omitempty"`
}

// scoresRecord keys scores by element key; unanswered elements are absent.
type scoresRecord map[string]uint8

// stepDone is the stored step of a session that has passed the last step.
const stepDone = "done"

func encodeChat(c Chat) ([]byte, error) {
	rec := chatRecord{
		Lang: c.Lang, Mode: c.Mode, Pending: c.Pending, QuestionMsg: c.QuestionMsg,
		LastUpdate: c.LastUpdate, Finished: c.Finished, FinUnit: c.FinishedUnit,
	}
	if !c.Touched.IsZero() {
		rec.Touched = c.Touched.Unix()
	}
	if c.Session != nil {
		sr, err := sessionToRecord(c.Session)
		if err != nil {
			return nil, err
		}
		rec.Session = &sr
	}
	return json.Marshal(rec)
}

func (s *Store) decodeChat(id int64, data []byte) (Chat, error) {
	var rec chatRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return Chat{}, fmt.Errorf("decode chat %d: %w", id, err)
	}
	c := Chat{
		ID: id, Lang: rec.Lang, Mode: rec.Mode, Pending: rec.Pending, QuestionMsg: rec.QuestionMsg,
		LastUpdate: rec.LastUpdate, Finished: rec.Finished, FinishedUnit: rec.FinUnit,
	}
	if rec.Touched != 0 {
		c.Touched = time.Unix(rec.Touched, 0).In(s.opts.Location)
	}
	if rec.Session != nil {
		sess, err := s.sessionFromRecord(*rec.Session)
		if err != nil {
			return Chat{}, fmt.Errorf("decode chat %d: %w", id, err)
		}
		c.Session = sess
	}
	return c, nil
}

func sessionToRecord(ss *survey.Session) (sessionRecord, error) {
	var step string
	switch {
	case ss.Step >= len(survey.Steps):
		step = stepDone
	case ss.Step >= 0:
		step = survey.Steps[ss.Step].Name
	default:
		return sessionRecord{}, fmt.Errorf("session %s: step %d out of range", ss.ID, ss.Step)
	}
	scores, err := encodeScores(ss.Scores)
	if err != nil {
		return sessionRecord{}, fmt.Errorf("session %s: %w", ss.ID, err)
	}
	return sessionRecord{
		ID: ss.ID, Unit: ss.Unit.Code, Respondent: ss.Respondent,
		Started: ss.Started.UTC(), Updated: ss.Updated.UTC(),
		Step: step, Profile: profileToRecord(ss.Profile), Scores: scores, Suggestion: ss.Suggestion,
		Via: string(ss.Via), Poster: ss.Poster,
	}, nil
}

func (s *Store) sessionFromRecord(rec sessionRecord) (*survey.Session, error) {
	step := -1
	if rec.Step == stepDone {
		step = len(survey.Steps)
	}
	for i, st := range survey.Steps {
		if st.Name == rec.Step {
			step = i
		}
	}
	if step < 0 {
		return nil, fmt.Errorf("session %s: unknown step %q", rec.ID, rec.Step)
	}
	scores, err := decodeScores(rec.Scores)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", rec.ID, err)
	}
	return &survey.Session{
		ID: rec.ID, Unit: s.unit(rec.Unit), Respondent: rec.Respondent,
		Started: rec.Started.In(s.opts.Location), Updated: rec.Updated.In(s.opts.Location),
		Step: step, Profile: profileFromRecord(rec.Profile), Scores: scores, Suggestion: rec.Suggestion,
		Via: survey.Via(rec.Via), Poster: rec.Poster,
	}, nil
}

// unit resolves a stored unit code; an unknown code is kept as a bare Unit
// so that a session of a unit removed from the config still loads.
func (s *Store) unit(code string) survey.Unit {
	if s.opts.Units != nil {
		if u, ok := s.opts.Units(code); ok {
			return u
		}
	}
	return survey.Unit{Code: code}
}

func encodeResponse(r survey.Response, window string) ([]byte, error) {
	scores, err := encodeScores(r.Scores)
	if err != nil {
		return nil, err
	}
	if scores == nil {
		scores = scoresRecord{} // "scores":{} rather than null: the field is never absent
	}
	return json.Marshal(responseRecord{
		Unit: r.Unit, Submitted: r.Submitted.UTC(), Source: string(r.Source), Respondent: r.Respondent,
		Window: window, Profile: profileToRecord(r.Profile), Scores: scores, Suggestion: r.Suggestion,
		Via: string(r.Via), Poster: r.Poster,
	})
}

// decodeResponse returns the response stored under id, and the window it
// was recorded in.
func (s *Store) decodeResponse(id uint64, data []byte) (survey.Response, string, error) {
	return s.decodeResponseCached(id, data, nil)
}

// decodeResponseCached is decodeResponse for a scan, which shares cache
// between its records; cache may be nil.
func (s *Store) decodeResponseCached(id uint64, data []byte, cache *stringCache) (survey.Response, string, error) {
	if r, window, ok := s.decodeResponseFast(id, data, cache); ok {
		return r, window, nil
	}
	return s.decodeResponseJSON(id, data)
}

// decodeResponseJSON is decodeResponse by encoding/json, which defines what
// a record means: decodeResponseFast must agree with it.
func (s *Store) decodeResponseJSON(id uint64, data []byte) (survey.Response, string, error) {
	var rec responseRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return survey.Response{}, "", fmt.Errorf("decode response %d: %w", id, err)
	}
	if rec.Unit == "" {
		return survey.Response{}, "", fmt.Errorf("decode response %d: no unit", id)
	}
	scores, err := decodeScores(rec.Scores)
	if err != nil {
		return survey.Response{}, "", fmt.Errorf("decode response %d: %w", id, err)
	}
	return survey.Response{
		ID: id, Unit: rec.Unit, Submitted: rec.Submitted.In(s.opts.Location),
		Source: survey.Source(rec.Source), Respondent: rec.Respondent,
		Profile: profileFromRecord(rec.Profile), Scores: scores, Suggestion: rec.Suggestion,
		Via: survey.Via(rec.Via), Poster: rec.Poster,
	}, rec.Window, nil
}

func profileToRecord(p survey.Profile) profileRecord {
	return profileRecord{Gender: p.Gender, Age: p.Age, Education: p.Education, Occupation: p.Occupation, Service: p.Service}
}

func profileFromRecord(p profileRecord) survey.Profile {
	return survey.Profile{Gender: p.Gender, Age: p.Age, Education: p.Education, Occupation: p.Occupation, Service: p.Service}
}

// encodeScores keys scores by element, so the position of an element in
// survey.Elements never reaches the disk.
func encodeScores(sc survey.Scores) (scoresRecord, error) {
	if !sc.Valid() {
		return nil, fmt.Errorf("invalid scores %v", sc)
	}
	var rec scoresRecord
	for i, v := range sc {
		if v == 0 {
			continue
		}
		if rec == nil {
			rec = make(scoresRecord, survey.NumElements)
		}
		rec[string(survey.Elements[i])] = v
	}
	return rec, nil
}

// decodeScores refuses unknown element keys: dropping one would silently
// change an index, and it means the file was written by different code.
func decodeScores(rec scoresRecord) (survey.Scores, error) {
	var sc survey.Scores
	for k, v := range rec {
		i := survey.ElementIndex(survey.ElementKey(k))
		if i < 0 {
			return sc, fmt.Errorf("unknown element %q", k)
		}
		if v < survey.MinScore || v > survey.MaxScore {
			return sc, fmt.Errorf("element %s: score %d out of range", k, v)
		}
		sc[i] = v
	}
	return sc, nil
}

// tallySize is the length of an encoded tally: respondents, then the score
// counts of every element.
const tallySize = 4 * (1 + survey.NumElements*survey.MaxScore)

func encodeTally(t survey.Tally) ([]byte, error) {
	if t.Respondents < 0 || t.Respondents > math.MaxUint32 {
		return nil, fmt.Errorf("tally respondents %d out of range", t.Respondents)
	}
	b := make([]byte, 0, tallySize)
	b = binary.BigEndian.AppendUint32(b, uint32(t.Respondents))
	for e := range t.Dist {
		for s := range t.Dist[e] {
			b = binary.BigEndian.AppendUint32(b, t.Dist[e][s])
		}
	}
	return b, nil
}

func decodeTally(data []byte) (survey.Tally, error) {
	var t survey.Tally
	if len(data) != tallySize {
		return t, fmt.Errorf("tally is %d bytes, want %d", len(data), tallySize)
	}
	t.Respondents = int(binary.BigEndian.Uint32(data))
	data = data[4:]
	for e := range t.Dist {
		for s := range t.Dist[e] {
			t.Dist[e][s] = binary.BigEndian.Uint32(data)
			data = data[4:]
		}
	}
	return t, nil
}

// u64key encodes sequence numbers and ids big-endian, so that bbolt's byte
// order is numeric order and appends go to the end of the B+tree.
func u64key(v uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v) }

// i64key encodes a signed id (Telegram group chat ids are negative) by its
// two's-complement bits; order does not matter for these keys.
func i64key(v int64) []byte { return u64key(uint64(v)) }

func keyU64(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, errors.New("key is not 8 bytes")
	}
	return binary.BigEndian.Uint64(k), nil
}
