package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
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
	Blocks     blocksRecord  `json:"blocks,omitempty"` // schema 2
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
	Blocks     blocksRecord  `json:"blocks,omitempty"` // schema 2: extra questionnaires answered
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

// blocksRecord keys the answers to extra questionnaires by questionnaire
// key: {"spkp": {"scale": 6, "scores": {"informasi": 5, ...}}}. Like
// element scores, items are keyed, never positional; a questionnaire
// skipped, or with no item answered, is absent.
type blocksRecord map[string]blockRecord

type blockRecord struct {
	Scale  int              `json:"scale"`
	Scores map[string]uint8 `json:"scores"`
}

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
	steps := ss.Steps()
	switch {
	case ss.Step >= len(steps):
		step = stepDone
	case ss.Step >= 0:
		step = steps[ss.Step].Name
	default:
		return sessionRecord{}, fmt.Errorf("session %s: step %d out of range", ss.ID, ss.Step)
	}
	scores, err := encodeScores(ss.Scores)
	if err != nil {
		return sessionRecord{}, fmt.Errorf("session %s: %w", ss.ID, err)
	}
	blocks, err := encodeBlocks(ss.Blocks)
	if err != nil {
		return sessionRecord{}, fmt.Errorf("session %s: %w", ss.ID, err)
	}
	return sessionRecord{
		ID: ss.ID, Unit: ss.Unit.Code, Respondent: ss.Respondent,
		Started: ss.Started.UTC(), Updated: ss.Updated.UTC(),
		Step: step, Profile: profileToRecord(ss.Profile), Scores: scores, Suggestion: ss.Suggestion,
		Via: string(ss.Via), Poster: ss.Poster, Blocks: blocks,
	}, nil
}

func (s *Store) sessionFromRecord(rec sessionRecord) (*survey.Session, error) {
	unit := s.unit(rec.Unit)
	steps := survey.StepsFor(unit)
	step := -1
	if rec.Step == stepDone {
		step = len(steps)
	}
	for i, st := range steps {
		if st.Name == rec.Step {
			step = i
		}
	}
	if step < 0 && strings.Contains(rec.Step, ".") {
		// An item of a questionnaire the unit no longer asks (the config
		// changed while the survey was open): go on to the suggestion.
		step = len(steps) - 1
	}
	if step < 0 {
		return nil, fmt.Errorf("session %s: unknown step %q", rec.ID, rec.Step)
	}
	scores, err := decodeScores(rec.Scores)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", rec.ID, err)
	}
	stored, err := decodeBlocks(rec.Blocks)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", rec.ID, err)
	}
	// The session's blocks line up with the unit's questionnaires; answers
	// to one no longer asked, or asked on another scale since, are dropped.
	var blocks []survey.Block
	for i, x := range unit.Extras {
		if b, ok := survey.BlockOf(stored, x.Key); ok && b.Scale == x.Scale {
			if blocks == nil {
				blocks = make([]survey.Block, len(unit.Extras))
			}
			blocks[i] = b
		}
	}
	return &survey.Session{
		ID: rec.ID, Unit: unit, Respondent: rec.Respondent,
		Started: rec.Started.In(s.opts.Location), Updated: rec.Updated.In(s.opts.Location),
		Step: step, Profile: profileFromRecord(rec.Profile), Scores: scores, Blocks: blocks, Suggestion: rec.Suggestion,
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
	blocks, err := encodeBlocks(r.Blocks)
	if err != nil {
		return nil, err
	}
	return json.Marshal(responseRecord{
		Unit: r.Unit, Submitted: r.Submitted.UTC(), Source: string(r.Source), Respondent: r.Respondent,
		Window: window, Profile: profileToRecord(r.Profile), Scores: scores, Suggestion: r.Suggestion,
		Via: string(r.Via), Poster: r.Poster, Blocks: blocks,
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
	blocks, err := decodeBlocks(rec.Blocks)
	if err != nil {
		return survey.Response{}, "", fmt.Errorf("decode response %d: %w", id, err)
	}
	return survey.Response{
		ID: id, Unit: rec.Unit, Submitted: rec.Submitted.In(s.opts.Location),
		Source: survey.Source(rec.Source), Respondent: rec.Respondent,
		Profile: profileFromRecord(rec.Profile), Scores: scores, Blocks: blocks, Suggestion: rec.Suggestion,
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

// encodeBlocks keys the answers to extra questionnaires by questionnaire
// and item; a block with no answer is left out.
func encodeBlocks(bs []survey.Block) (blocksRecord, error) {
	var rec blocksRecord
	for _, b := range bs {
		if b.Answered() == 0 {
			continue
		}
		if err := b.Check(); err != nil {
			return nil, err
		}
		if _, dup := rec[string(b.Key)]; dup {
			return nil, fmt.Errorf("questionnaire %s answered twice", b.Key)
		}
		q := survey.QuestionnaireOf(b.Key)
		br := blockRecord{Scale: b.Scale, Scores: make(map[string]uint8, len(b.Scores))}
		for i, v := range b.Scores {
			if v != 0 {
				br.Scores[q.Items[i].Key] = v
			}
		}
		if rec == nil {
			rec = blocksRecord{}
		}
		rec[string(b.Key)] = br
	}
	return rec, nil
}

// decodeBlocks returns the blocks in the order of survey.Questionnaires. As
// for elements, an unknown questionnaire or item, a scale we do not know
// and a score outside it are errors, not silently dropped answers.
func decodeBlocks(rec blocksRecord) ([]survey.Block, error) {
	if len(rec) == 0 {
		return nil, nil
	}
	for k := range rec {
		if survey.QuestionnaireOf(survey.QuestionnaireKey(k)) == nil {
			return nil, fmt.Errorf("unknown questionnaire %q", k)
		}
	}
	var out []survey.Block
	for _, q := range survey.Questionnaires {
		br, ok := rec[string(q.Key)]
		if !ok {
			continue
		}
		if !survey.ValidScale(br.Scale) {
			return nil, fmt.Errorf("questionnaire %s: scale %d", q.Key, br.Scale)
		}
		b := survey.Block{Key: q.Key, Scale: br.Scale, Scores: make([]uint8, len(q.Items))}
		for k, v := range br.Scores {
			i := q.ItemIndex(k)
			if i < 0 {
				return nil, fmt.Errorf("questionnaire %s: unknown item %q", q.Key, k)
			}
			if v < 1 || int(v) > br.Scale {
				return nil, fmt.Errorf("%s.%s: score %d out of 1..%d", q.Key, k, v, br.Scale)
			}
			b.Scores[i] = v
		}
		if b.Answered() > 0 {
			out = append(out, b)
		}
	}
	return out, nil
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

// encodeItemTally writes an extra questionnaire's tally on scale: the
// respondents, then for each item in the questionnaire's order the counts
// of scores 1..scale, all uint32 big-endian. Like agg/, its layout follows
// the item order, which is safe because agg_extra/ is derived.
func encodeItemTally(t survey.ItemTally, scale int) ([]byte, error) {
	if t.Respondents < 0 || t.Respondents > math.MaxUint32 {
		return nil, fmt.Errorf("tally respondents %d out of range", t.Respondents)
	}
	b := make([]byte, 0, 4*(1+len(t.Dist)*scale))
	b = binary.BigEndian.AppendUint32(b, uint32(t.Respondents))
	for i := range t.Dist {
		for s := range scale {
			b = binary.BigEndian.AppendUint32(b, t.Dist[i][s])
		}
		for s := scale; s < survey.MaxScale; s++ {
			if t.Dist[i][s] != 0 {
				return nil, fmt.Errorf("tally has score %d on a scale of %d", s+1, scale)
			}
		}
	}
	return b, nil
}

func decodeItemTally(data []byte, q *survey.Questionnaire, scale int) (survey.ItemTally, error) {
	t := survey.NewItemTally(q)
	if want := 4 * (1 + len(q.Items)*scale); len(data) != want {
		return t, fmt.Errorf("tally is %d bytes, want %d", len(data), want)
	}
	t.Respondents = int(binary.BigEndian.Uint32(data))
	data = data[4:]
	for i := range t.Dist {
		for s := range scale {
			t.Dist[i][s] = binary.BigEndian.Uint32(data)
			data = data[4:]
		}
	}
	return t, nil
}

// parseTallyKey reads the name of a questionnaire's tallies,
// survey.Extra.TallyKey: "spkp-6".
func parseTallyKey(name string) (*survey.Questionnaire, int, bool) {
	key, scale, ok := strings.Cut(name, "-")
	q := survey.QuestionnaireOf(survey.QuestionnaireKey(key))
	n := 0
	if ok && len(scale) == 1 {
		n = int(scale[0] - '0')
	}
	if q == nil || !survey.ValidScale(n) {
		return nil, 0, false
	}
	return q, n, true
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
