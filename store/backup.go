package store

import (
	"fmt"
	"io"
	"sort"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database to w while the
// store stays in use: bbolt copies the pages of one read transaction, so
// writers go on and the copy is a snapshot. It returns the bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", s.path, err)
	}
	return n, nil
}

// Check verifies the file's page structure (bbolt's consistency check) and
// that every record of the buckets of responses (responses/, incomplete/)
// decodes. It returns the problems found; an error means the check itself
// could not run.
func (s *Store) Check() ([]string, error) {
	var problems []string
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problems = append(problems, err.Error())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, name := range responseBuckets {
		err = s.View(func(tx *Tx) error {
			return tx.forEachResponse(name, func(survey.Response, string) error { return nil })
		})
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s/: %v", name, err))
		}
	}
	return problems, nil
}

// VerifyAggregates recomputes every unit's day and month tallies, all and
// verified, and those of extra questionnaires, from the raw responses and lists each stored aggregate that
// differs, so that an operator can tell whether RebuildAggregates is
// needed.
func (tx *Tx) VerifyAggregates() ([]string, error) {
	// want[keyspace][unit][day or month]
	want := map[string]map[string]map[string]survey.Tally{}
	err := tx.ForEachResponse(func(r survey.Response) error {
		day, month := tx.aggKeys(r.Submitted)
		for _, root := range tallyBucketsOf(r) {
			units := want[string(root)]
			if units == nil {
				units = map[string]map[string]survey.Tally{}
				want[string(root)] = units
			}
			m := units[r.Unit]
			if m == nil {
				m = map[string]survey.Tally{}
				units[r.Unit] = m
			}
			for _, k := range []string{day, month} {
				t := m[k]
				t.Add(r.Scores)
				m[k] = t
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, name := range tallyBuckets {
		expect := want[string(name)]
		root := tx.bucket(name)
		if root != nil {
			err = root.ForEach(func(unit, _ []byte) error {
				ub := root.Bucket(unit)
				if ub == nil {
					return nil
				}
				return ub.ForEach(func(k, v []byte) error {
					got, err := decodeTally(v)
					if err != nil {
						problems = append(problems, fmt.Sprintf("%s/%s/%s: %v", name, unit, k, err))
						return nil
					}
					w := expect[string(unit)][string(k)]
					if got != w {
						problems = append(problems, fmt.Sprintf("%s/%s/%s: stored %d respondents, responses give %d", name, unit, k, got.Respondents, w.Respondents))
					}
					delete(expect[string(unit)], string(k))
					return nil
				})
			})
			if err != nil {
				return nil, err
			}
		}
		for unit, m := range expect {
			for k, t := range m {
				if t.Respondents > 0 {
					problems = append(problems, fmt.Sprintf("%s/%s/%s: missing, responses give %d respondents", name, unit, k, t.Respondents))
				}
			}
		}
	}
	extra, err := tx.verifyExtras()
	if err != nil {
		return nil, err
	}
	problems = append(problems, extra...)
	sort.Strings(problems)
	return problems, nil
}

// verifyExtras recomputes agg_extra/ from the raw responses and lists each
// stored tally that differs, is missing, or cannot be read.
func (tx *Tx) verifyExtras() ([]string, error) {
	want := map[extraRef]*survey.ItemTally{}
	err := tx.ForEachResponse(func(r survey.Response) error {
		day, month := tx.aggKeys(r.Submitted)
		for _, b := range r.Blocks {
			q := survey.QuestionnaireOf(b.Key)
			name := survey.Extra{Questionnaire: q, Scale: b.Scale}.TallyKey()
			for _, k := range []string{day, month} {
				ref := extraRef{r.Unit, name, k}
				if want[ref] == nil {
					t := survey.NewItemTally(q)
					want[ref] = &t
				}
				want[ref].Add(b.Scores)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var problems []string
	if root := tx.bucket(bucketAggExtra); root != nil {
		err = root.ForEachBucket(func(unit []byte) error {
			ub := root.Bucket(unit)
			return ub.ForEachBucket(func(name []byte) error {
				q, scale, ok := parseTallyKey(string(name))
				if !ok {
					problems = append(problems, fmt.Sprintf("%s/%s/%s: not a questionnaire and scale", bucketAggExtra, unit, name))
					return nil
				}
				return ub.Bucket(name).ForEach(func(k, v []byte) error {
					ref := extraRef{string(unit), string(name), string(k)}
					got, err := decodeItemTally(v, q, scale)
					if err != nil {
						problems = append(problems, fmt.Sprintf("%s/%s/%s/%s: %v", bucketAggExtra, unit, name, k, err))
						return nil
					}
					w := survey.NewItemTally(q)
					if p := want[ref]; p != nil {
						w = *p
					}
					if !got.Equal(w) {
						problems = append(problems, fmt.Sprintf("%s/%s/%s/%s: stored %d respondents, responses give %d", bucketAggExtra, unit, name, k, got.Respondents, w.Respondents))
					}
					delete(want, ref)
					return nil
				})
			})
		})
		if err != nil {
			return nil, err
		}
	}
	for ref, t := range want {
		problems = append(problems, fmt.Sprintf("%s/%s/%s/%s: missing, responses give %d respondents", bucketAggExtra, ref.unit, ref.name, ref.key, t.Respondents))
	}
	return problems, nil
}
