package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

// Profile aggregates and the suggestion index are derived from responses/
// like agg/, written in the same transaction as each completed response,
// and rebuilt by RebuildAggregates; see doc.go.
var (
	bucketProfiles    = []byte("prof")
	bucketSuggestions = []byte("suggestions")
)

// profileTallyRecord is the value of prof/<unit>/<day or month>: respondents
// and, per profile question, the count of each answer, keyed by the answer
// as stored (age by survey.AgeBand), so that a renamed service or a new
// education level never shifts another's count.
type profileTallyRecord struct {
	Respondents int                       `json:"n"`
	Counts      map[string]map[string]int `json:"c,omitempty"`
}

func encodeProfileTally(t survey.ProfileTally) ([]byte, error) {
	rec := profileTallyRecord{Respondents: t.Respondents}
	for d, m := range t.Counts {
		if rec.Counts == nil {
			rec.Counts = map[string]map[string]int{}
		}
		rec.Counts[string(d)] = m
	}
	return json.Marshal(rec)
}

func decodeProfileTally(data []byte) (survey.ProfileTally, error) {
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
	for ; k != nil; k, _ = c.Prev() {
		id, err := keyU64(k)
		if err != nil {
			return nil, false, fmt.Errorf("suggestions/%s: %w", unit, err)
		}
		v := rb.Get(k)
		if v == nil {
			continue // replaced since; the index entry is stale
		}
		r, _, err := tx.s.decodeResponse(id, v)
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

// rebuildDerived drops prof/ and suggestions/ and recomputes them from
// responses/.
func (tx *Tx) rebuildDerived() error {
	if !tx.tx.Writable() {
		return fmt.Errorf("rebuild: %w", bolt.ErrTxNotWritable)
	}
	for _, name := range [][]byte{bucketProfiles, bucketSuggestions} {
		if err := tx.tx.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return fmt.Errorf("rebuild: drop %s: %w", name, err)
		}
	}
	type key struct{ unit, key string }
	profiles := map[key]*survey.ProfileTally{}
	err := tx.forEachResponse(bucketResponses, func(r survey.Response, _ string) error {
		day, month := tx.aggKeys(r.Submitted)
		for _, k := range []string{day, month} {
			t := profiles[key{r.Unit, k}]
			if t == nil {
				t = new(survey.ProfileTally)
				profiles[key{r.Unit, k}] = t
			}
			t.Add(r.Profile)
		}
		if r.Suggestion == "" {
			return nil
		}
		// Ids come in order: the index fills as appends.
		root, err := tx.writeBucket(bucketSuggestions)
		if err != nil {
			return err
		}
		ub, err := root.CreateBucketIfNotExists([]byte(r.Unit))
		if err != nil {
			return err
		}
		ub.FillPercent = 0.9
		return ub.Put(u64key(r.ID), nil)
	})
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	keys := make([]key, 0, len(profiles))
	for k := range profiles {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].unit != keys[j].unit {
			return keys[i].unit < keys[j].unit
		}
		return keys[i].key < keys[j].key
	})
	root, err := tx.writeBucket(bucketProfiles)
	if err != nil {
		return err
	}
	for _, k := range keys {
		ub, err := root.CreateBucketIfNotExists([]byte(k.unit))
		if err != nil {
			return fmt.Errorf("rebuild: prof/%s: %w", k.unit, err)
		}
		ub.FillPercent = 0.9
		v, err := encodeProfileTally(*profiles[k])
		if err != nil {
			return err
		}
		if err := ub.Put([]byte(k.key), v); err != nil {
			return err
		}
	}
	return nil
}

// backfillDerived builds prof/ and suggestions/ in a file written before
// they existed, once, when such a file is first opened for writing: the
// responses are there, their derived buckets are not.
func (tx *Tx) backfillDerived() error {
	if tx.bucket(bucketProfiles) != nil {
		return nil
	}
	if b := tx.bucket(bucketResponses); b == nil || b.Stats().KeyN == 0 {
		_, err := tx.writeBucket(bucketProfiles)
		return err
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
