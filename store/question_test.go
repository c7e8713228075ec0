package store

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// TestProfileRecordKeys holds the on-disk profile record to the question
// table: records are explicit types (see doc.go), so a question added to
// survey.ProfileQuestions needs its field here, under the key its row names,
// and this test says so.
func TestProfileRecordKeys(t *testing.T) {
	var keys []string
	rt := reflect.TypeOf(profileRecord{})
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	var want []string
	for _, q := range survey.ProfileQuestions {
		want = append(want, q.Record)
	}
	if !slices.Equal(keys, want) {
		t.Errorf("profileRecord keys = %v, want the questions' records %v in the same order", keys, want)
	}
}

// TestEveryProfileQuestionIsStored walks each profile question through a
// stored response: its answer is written under its record key, and comes
// back through both decoders.
func TestEveryProfileQuestionIsStored(t *testing.T) {
	s := &Store{opts: Options{Location: time.UTC}}
	u := survey.Unit{Code: "U", Services: []string{"KTP-el"}}
	for _, q := range survey.ProfileQuestions {
		values := q.Options(u)
		if q.Answer == survey.AnswerAge {
			values = []string{"35"}
		}
		for _, v := range values {
			r := survey.Response{Unit: "U", Submitted: time.Date(2026, 3, 10, 5, 0, 0, 0, time.UTC), Scores: survey.Scores{4}}
			q.Set(&r.Profile, v)
			data, err := encodeResponse(r, "2026")
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				Prof map[string]json.RawMessage `json:"prof"`
			}
			if err := json.Unmarshal(data, &raw); err != nil || len(raw.Prof) != 1 || raw.Prof[q.Record] == nil {
				t.Errorf("%s %q is stored as %s, want it alone under %q", q.Dim, v, data, q.Record)
			}
			for name, decode := range map[string]func() (survey.Response, string, bool){
				"fast": func() (survey.Response, string, bool) { return s.decodeResponseFast(1, data, newStringCache()) },
				"json": func() (survey.Response, string, bool) {
					r, w, err := s.decodeResponseJSON(1, data)
					return r, w, err == nil
				},
			} {
				got, _, ok := decode()
				if !ok || q.Value(got.Profile) != v {
					t.Errorf("%s decoder: %s %q comes back as %q (ok %v) from %s", name, q.Dim, v, q.Value(got.Profile), ok, data)
				}
			}
		}
	}
}
