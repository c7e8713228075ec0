package store

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

// RebuildAggregates drops every derived bucket of the schema (agg/,
// agg_verified/, agg_web/, agg_extra/, respondents/, prof/ and suggestions/)
// and recomputes them from responses/, the source of truth, in one scan:
// the repair for a damaged or suspect aggregate, and the migration path when the tally
// encoding changes. It holds every tally in memory (two years of 89 units
// is about 70k tallies of 148 bytes) and writes in the same transaction.
func (tx *Tx) RebuildAggregates() error {
	return tx.rebuild(derivedBuckets, true)
}

// rebuildDerived drops the backfilled buckets (prof/ and suggestions/) and
// recomputes them from responses/.
func (tx *Tx) rebuildDerived() error {
	return tx.rebuild(backfilledBuckets, false)
}

// rebuild empties the buckets names, scans responses/ once and writes
// prof/ and suggestions/ again, and agg/, agg_verified/, agg_extra/ and
// respondents/ too when aggregates is set.
func (tx *Tx) rebuild(names [][]byte, aggregates bool) error {
	if !tx.tx.Writable() {
		return fmt.Errorf("rebuild: %w", bolt.ErrTxNotWritable)
	}
	for _, name := range names {
		if err := tx.tx.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return fmt.Errorf("rebuild: drop %s: %w", name, err)
		}
		if _, err := tx.tx.CreateBucket(name); err != nil {
			return fmt.Errorf("rebuild: create %s: %w", name, err)
		}
	}
	rb := rebuilder{
		tx: tx, aggregates: aggregates,
		periods:     map[periodRef]*periodTallies{},
		extras:      map[extraRef]*survey.ItemTally{},
		respondents: map[unitWindow][]respondentRef{},
		suggestions: map[string][]uint64{},
		profiles:    profileAnswers{ofProfile: map[survey.Profile][]int32{}, ids: map[profileAnswer]int32{}},
	}
	if err := tx.forEachResponse(bucketResponses, rb.add); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	if aggregates {
		if err := rb.writeAggregates(); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
		if err := rb.writeRespondents(); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
		if err := rb.writeExtras(); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
	}
	if err := rb.writeDerived(); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	return nil
}

// periodRef names one unit's day ("YYYY-MM-DD") or month ("YYYY-MM").
type periodRef struct{ unit, key string }

// periodTallies is everything counted under one periodRef: one map lookup
// per day and per month of a response, instead of one per bucket.
type periodTallies struct {
	all         survey.Tally // agg/
	verified    survey.Tally // agg_verified/; Respondents is 0 when it has none
	web         survey.Tally // agg_web/; likewise
	respondents int          // of the profile tally
	answers     []int32      // of the profile tally, by profileAnswers id
}

// profileAnswers numbers the (question, answer) pairs a profile tally
// counts, so that a period counts a response's profile with a few slice
// increments instead of ten lookups in nested maps: that took a third of
// the scan. Which answers a profile counts under is still decided by
// survey.ProfileTally.Add, once per distinct profile.
type profileAnswers struct {
	ofProfile map[survey.Profile][]int32
	ids       map[profileAnswer]int32
	answers   []profileAnswer // by id
}

type profileAnswer struct {
	dim   survey.ProfileDim
	value string
}

// maxProfilesKept bounds ofProfile; past it, profiles are worked out anew.
const maxProfilesKept = 1 << 16

// of returns the ids of the answers ProfileTally.Add counts p under.
func (pa *profileAnswers) of(p survey.Profile) []int32 {
	if ids, ok := pa.ofProfile[p]; ok {
		return ids
	}
	var one survey.ProfileTally
	one.Add(p)
	var ids []int32
	for d, m := range one.Counts {
		for v := range m {
			a := profileAnswer{d, v}
			id, ok := pa.ids[a]
			if !ok {
				id = int32(len(pa.answers))
				pa.ids[a] = id
				pa.answers = append(pa.answers, a)
			}
			ids = append(ids, id)
		}
	}
	if len(pa.ofProfile) < maxProfilesKept {
		pa.ofProfile[p] = ids
	}
	return ids
}

// tally turns a period's counts back into the survey.ProfileTally that
// adding its responses one by one would have made.
func (pa *profileAnswers) tally(p *periodTallies) survey.ProfileTally {
	t := survey.ProfileTally{Respondents: p.respondents}
	for id, n := range p.answers {
		if n == 0 {
			continue
		}
		a := pa.answers[id]
		if t.Counts == nil {
			t.Counts = map[survey.ProfileDim]map[string]int{}
		}
		if t.Counts[a.dim] == nil {
			t.Counts[a.dim] = map[string]int{}
		}
		t.Counts[a.dim][a.value] = int(n)
	}
	return t
}

type unitWindow struct{ unit, window string }

// extraRef names one unit's tally of one questionnaire on one scale
// (survey.Extra.TallyKey) for a day or a month.
type extraRef struct{ unit, name, key string }

type respondentRef struct {
	who string
	id  uint64
}

// rebuilder gathers in memory what one scan of responses/ gives every
// derived bucket, to write each afterwards in key order.
type rebuilder struct {
	tx          *Tx
	aggregates  bool // agg/, agg_verified/, agg_web/ and respondents/ too
	periods     map[periodRef]*periodTallies
	extras      map[extraRef]*survey.ItemTally // agg_extra/
	respondents map[unitWindow][]respondentRef
	suggestions map[string][]uint64 // unit -> ids, ascending
	keys        dayKeys
	profiles    profileAnswers
}

func (rb *rebuilder) add(r survey.Response, window string) error {
	day, month := rb.keys.of(r.Submitted, rb.tx.s.opts.Location)
	answers := rb.profiles.of(r.Profile)
	for _, key := range []string{day, month} {
		p := rb.periods[periodRef{r.Unit, key}]
		if p == nil {
			p = new(periodTallies)
			rb.periods[periodRef{r.Unit, key}] = p
		}
		p.respondents++
		for _, id := range answers {
			if int(id) >= len(p.answers) {
				p.answers = append(p.answers, make([]int32, int(id)+1-len(p.answers))...)
			}
			p.answers[id]++
		}
		if rb.aggregates {
			p.all.Add(r.Scores)
			if r.Via.Verified() {
				p.verified.Add(r.Scores)
			}
			if r.Source == survey.SourceWeb {
				p.web.Add(r.Scores)
			}
			for _, b := range r.Blocks {
				q := survey.QuestionnaireOf(b.Key)
				ref := extraRef{r.Unit, survey.Extra{Questionnaire: q, Scale: b.Scale}.TallyKey(), key}
				t := rb.extras[ref]
				if t == nil {
					nt := survey.NewItemTally(q)
					t = &nt
					rb.extras[ref] = t
				}
				t.Add(b.Scores)
			}
		}
	}
	if rb.aggregates && r.Respondent != "" && window != "" {
		k := unitWindow{r.Unit, window}
		rb.respondents[k] = append(rb.respondents[k], respondentRef{r.Respondent, r.ID})
	}
	if r.Suggestion != "" {
		rb.suggestions[r.Unit] = append(rb.suggestions[r.Unit], r.ID)
	}
	return nil
}

// sortedPeriods returns the keys of periods by unit, then day or month:
// sorted inserts fill bbolt pages fully, map order would leave them half
// empty.
func (rb *rebuilder) sortedPeriods() []periodRef {
	return slices.SortedFunc(maps.Keys(rb.periods), func(a, b periodRef) int {
		return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.key, b.key))
	})
}

// putSorted writes value(p) under root/<unit>/<key> for every period in
// order, skipping those value returns nil for.
func (rb *rebuilder) putSorted(name []byte, refs []periodRef, value func(p *periodTallies) ([]byte, error)) error {
	root, err := rb.tx.writeBucket(name)
	if err != nil {
		return err
	}
	var ub *bolt.Bucket
	unit := ""
	for _, ref := range refs {
		v, err := value(rb.periods[ref])
		if err != nil {
			return fmt.Errorf("%s/%s/%s: %w", name, ref.unit, ref.key, err)
		}
		if v == nil {
			continue
		}
		if ub == nil || ref.unit != unit {
			if ub, err = root.CreateBucketIfNotExists([]byte(ref.unit)); err != nil {
				return fmt.Errorf("%s/%s: %w", name, ref.unit, err)
			}
			ub.FillPercent = 0.9
			unit = ref.unit
		}
		if err := ub.Put([]byte(ref.key), v); err != nil {
			return err
		}
	}
	return nil
}

func (rb *rebuilder) writeAggregates() error {
	refs := rb.sortedPeriods()
	err := rb.putSorted(bucketAgg, refs, func(p *periodTallies) ([]byte, error) {
		return encodeTally(p.all)
	})
	if err != nil {
		return err
	}
	err = rb.putSorted(bucketAggVerified, refs, func(p *periodTallies) ([]byte, error) {
		if p.verified.Respondents == 0 {
			return nil, nil
		}
		return encodeTally(p.verified)
	})
	if err != nil {
		return err
	}
	return rb.putSorted(bucketAggWeb, refs, func(p *periodTallies) ([]byte, error) {
		if p.web.Respondents == 0 {
			return nil, nil
		}
		return encodeTally(p.web)
	})
}

// writeExtras writes agg_extra/ in key order.
func (rb *rebuilder) writeExtras() error {
	refs := slices.SortedFunc(maps.Keys(rb.extras), func(a, b extraRef) int {
		return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.name, b.name), cmp.Compare(a.key, b.key))
	})
	root, err := rb.tx.writeBucket(bucketAggExtra)
	if err != nil {
		return err
	}
	var qb *bolt.Bucket
	var last extraRef
	for _, ref := range refs {
		if qb == nil || ref.unit != last.unit || ref.name != last.name {
			ub, err := root.CreateBucketIfNotExists([]byte(ref.unit))
			if err != nil {
				return fmt.Errorf("%s/%s: %w", bucketAggExtra, ref.unit, err)
			}
			if qb, err = ub.CreateBucketIfNotExists([]byte(ref.name)); err != nil {
				return fmt.Errorf("%s/%s/%s: %w", bucketAggExtra, ref.unit, ref.name, err)
			}
			qb.FillPercent = 0.9
			last = ref
		}
		_, scale, _ := parseTallyKey(ref.name)
		v, err := encodeItemTally(*rb.extras[ref], scale)
		if err != nil {
			return fmt.Errorf("%s/%s/%s/%s: %w", bucketAggExtra, ref.unit, ref.name, ref.key, err)
		}
		if err := qb.Put([]byte(ref.key), v); err != nil {
			return err
		}
	}
	return nil
}

// writeRespondents writes respondents/ in key order: in map order every put
// lands in the middle of an ever larger unsplit node, and the copying grows
// with the square of the respondents. Of two entries of one person (an old
// file may have them), the later id stands, as a scan in id order would
// leave it.
func (rb *rebuilder) writeRespondents() error {
	groups := slices.SortedFunc(maps.Keys(rb.respondents), func(a, b unitWindow) int {
		return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.window, b.window))
	})
	lists := make([][]respondentRef, len(groups))
	for i, g := range groups {
		lists[i] = rb.respondents[g]
	}
	sortRespondents(lists)
	root, err := rb.tx.writeBucket(bucketRespondents)
	if err != nil {
		return err
	}
	for i, g := range groups {
		refs := lists[i]
		ub, err := root.CreateBucketIfNotExists([]byte(g.unit))
		if err != nil {
			return fmt.Errorf("respondents/%s: %w", g.unit, err)
		}
		wb, err := ub.CreateBucketIfNotExists([]byte(g.window))
		if err != nil {
			return fmt.Errorf("respondents/%s/%s: %w", g.unit, g.window, err)
		}
		// Sorted puts: pages filled to 90 % rather than bbolt's half, which
		// halves the largest write of the rebuild (1M respondents: about
		// 60 MB instead of 110). Later answers land at random and split
		// pages as they would anyway.
		wb.FillPercent = 0.9
		for i, ref := range refs {
			if i+1 < len(refs) && refs[i+1].who == ref.who {
				continue
			}
			if err := wb.Put([]byte(ref.who), u64key(ref.id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortRespondents sorts each list by respondent, then id, on every core:
// a million respondents took a tenth of the rebuild to sort on one. Only
// memory is touched here; the bbolt writes stay on the caller's goroutine.
func sortRespondents(lists [][]respondentRef) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(lists)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(lists)); i = next.Add(1) - 1 {
				slices.SortFunc(lists[i], func(a, b respondentRef) int {
					if c := strings.Compare(a.who, b.who); c != 0 {
						return c
					}
					return cmp.Compare(a.id, b.id)
				})
			}
		})
	}
	wg.Wait()
}

// writeDerived writes prof/ and suggestions/.
func (rb *rebuilder) writeDerived() error {
	err := rb.putSorted(bucketProfiles, rb.sortedPeriods(), func(p *periodTallies) ([]byte, error) {
		return encodeProfileTally(rb.profiles.tally(p))
	})
	if err != nil {
		return err
	}
	for _, unit := range slices.Sorted(maps.Keys(rb.suggestions)) {
		root, err := rb.tx.writeBucket(bucketSuggestions)
		if err != nil {
			return err
		}
		ub, err := root.CreateBucketIfNotExists([]byte(unit))
		if err != nil {
			return fmt.Errorf("suggestions/%s: %w", unit, err)
		}
		ub.FillPercent = 0.9 // ids only grow
		for _, id := range rb.suggestions[unit] {
			if err := ub.Put(u64key(id), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// dayKeys remembers the day and month keys of the last date asked:
// responses come in id order, which is nearly time order, so most ask the
// date before them and skip formatting two strings.
type dayKeys struct {
	year       int
	month      time.Month
	day        int
	dayKey     string
	monthKey   string
	dayIsValid bool
}

func (k *dayKeys) of(t time.Time, loc *time.Location) (day, month string) {
	t = t.In(loc)
	y, m, d := t.Date()
	if !k.dayIsValid || y != k.year || m != k.month || d != k.day {
		k.year, k.month, k.day = y, m, d
		k.dayKey, k.monthKey = survey.DayKey(t), survey.MonthKey(t)
		k.dayIsValid = true
	}
	return k.dayKey, k.monthKey
}
