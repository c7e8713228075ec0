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
// verified, from the raw responses and lists each stored aggregate that
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
	sort.Strings(problems)
	return problems, nil
}
