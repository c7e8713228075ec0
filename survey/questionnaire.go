package survey

import (
	"fmt"
	"math/big"
	"strconv"
)

// QuestionnaireKey names a questionnaire a unit may ask after the SKM
// elements, in the same conversation. It is stored with every answer.
type QuestionnaireKey string

// The questionnaires of the Zona Integritas (PermenPANRB 90/2021): units
// working toward WBK/WBBM measure citizens' perception of service quality
// and of anti-corruption beside the SKM.
const (
	SPKP QuestionnaireKey = "spkp" // Survei Persepsi Kualitas Pelayanan, reported as the IPKP
	SPAK QuestionnaireKey = "spak" // Survei Persepsi Anti Korupsi, reported as the IPAK
)

// Item is one statement of a questionnaire, rated on the questionnaire's
// scale: the higher, the more the respondent agrees, and every statement
// says something good, so nothing is reverse-scored.
type Item struct {
	Key  string // stable id, unique within its questionnaire; never positional
	Name string // printed name in reports and files (Indonesian)
}

// Questionnaire is a questionnaire defined as data: a new one is a row of
// Questionnaires and its texts in locales/ (extra.<key>.title, .intro, and
// per item extra.<key>.<item>.question and .short). The SKM is not one of
// them: it stays the default, with its own types (Elements, Scores, Tally).
type Questionnaire struct {
	Key   QuestionnaireKey
	Index string // the index it reports, e.g. "IPKP"
	Name  string // its name as units print it
	Items []Item // in the order they are asked
}

// Questionnaires are the questionnaires a unit's config may add, in the
// order they are asked, after the SKM elements and before the suggestion.
// The items are those of the instrument in use (for example by the
// religious courts): SPKP 8, SPAK 5.
var Questionnaires = []*Questionnaire{
	{Key: SPKP, Index: "IPKP", Name: "Survei Persepsi Kualitas Pelayanan", Items: []Item{
		{"informasi", "Informasi pelayanan tersedia melalui media elektronik maupun non elektronik"},
		{"persyaratan", "Persyaratan pelayanan sesuai dengan yang diinformasikan"},
		{"prosedur", "Prosedur pelayanan mudah diikuti"},
		{"waktu", "Waktu penyelesaian pelayanan sesuai dengan yang ditetapkan"},
		{"biaya", "Biaya pelayanan sesuai dengan yang ditetapkan"},
		{"sarana", "Sarana prasarana atau sistem online nyaman dan mudah digunakan"},
		{"respons", "Petugas atau sistem merespons dengan cepat"},
		{"konsultasi", "Layanan konsultasi dan pengaduan mudah diakses"},
	}},
	{Key: SPAK, Index: "IPAK", Name: "Survei Persepsi Anti Korupsi", Items: []Item{
		{"diskriminasi", "Tidak ada diskriminasi pelayanan"},
		{"kecurangan", "Tidak ada pelayanan di luar prosedur atau kecurangan"},
		{"imbalan", "Tidak ada permintaan imbalan (uang, barang, fasilitas)"},
		{"pungli", "Tidak ada pungutan liar (pungli)"},
		{"calo", "Tidak ada percaloan"},
	}},
}

// QuestionnaireOf returns the questionnaire of key, or nil.
func QuestionnaireOf(key QuestionnaireKey) *Questionnaire {
	for _, q := range Questionnaires {
		if q.Key == key {
			return q
		}
	}
	return nil
}

// Columns are q's columns in the CSV export and the paper import: the
// scale its answers were given on (ScaleColumn), then each item
// (ItemColumn), e.g. spkp_skala, spkp_informasi, ...
func (q *Questionnaire) Columns() []string {
	cols := []string{q.ScaleColumn()}
	for i := range q.Items {
		cols = append(cols, q.ItemColumn(i))
	}
	return cols
}

// ScaleColumn is the column of the scale q was answered on: <key>_skala.
func (q *Questionnaire) ScaleColumn() string { return string(q.Key) + "_skala" }

// ItemColumn is the column of item i: <key>_<item key>.
func (q *Questionnaire) ItemColumn(i int) string { return string(q.Key) + "_" + q.Items[i].Key }

// ItemIndex returns the position of the item key in q.Items, or -1.
func (q *Questionnaire) ItemIndex(key string) int {
	for i, it := range q.Items {
		if it.Key == key {
			return i
		}
	}
	return -1
}

// Scales a questionnaire may be asked on: units use 1-4, like the SKM, or
// 1-6, as the instrument of the religious courts does. MaxScale bounds both.
const (
	Scale4   = 4
	Scale6   = 6
	MaxScale = Scale6
)

// ValidScale reports whether n is a scale a questionnaire may use.
func ValidScale(n int) bool { return n == Scale4 || n == Scale6 }

// Conversion says how an index is reported. No regulation fixes it: units
// report the mean per item and per index, on the scale as asked or
// converted to 100.
type Conversion string

// Conversions.
const (
	// ReportMean reports the mean on the questionnaire's scale (e.g. 5,42
	// on 1-6).
	ReportMean Conversion = "mean"
	// Report100 reports the mean x 100 / scale, at most 100: on a 1-4 scale
	// that is x 25, as the IKM (25..100); on 1-6 it runs from 16,67 to 100.
	Report100 Conversion = "100"
)

// Extra is a questionnaire as a city asks it: on which scale, how its
// index is reported, and whether it is graded.
type Extra struct {
	*Questionnaire
	Scale  int        // Scale4 or Scale6
	Report Conversion // ReportMean or Report100
	// Bands grades the index and each item with the SKM's mutu table
	// (Classify) on the figure converted to 100; only with Report100.
	Bands bool
}

// Check says what is wrong with x, or nil.
func (x Extra) Check() error {
	switch {
	case x.Questionnaire == nil:
		return fmt.Errorf("no questionnaire")
	case !ValidScale(x.Scale):
		return fmt.Errorf("%s: scale %d (want %d or %d)", x.Key, x.Scale, Scale4, Scale6)
	case x.Report != ReportMean && x.Report != Report100:
		return fmt.Errorf("%s: report %q (want %s or %s)", x.Key, x.Report, ReportMean, Report100)
	case x.Bands && x.Report != Report100:
		return fmt.Errorf("%s: the SKM bands grade a figure out of 100: report %s", x.Key, Report100)
	}
	return nil
}

// TallyKey names the tallies of x's answers in the store: answers given on
// another scale (before the config changed) are counted apart, never mixed.
func (x Extra) TallyKey() string { return string(x.Key) + "-" + strconv.Itoa(x.Scale) }

// Block is one respondent's answers to one extra questionnaire.
type Block struct {
	Key    QuestionnaireKey
	Scale  int     // the scale the items were asked on
	Scores []uint8 // indexed like the questionnaire's Items; 0 = not answered
}

// Answered reports how many items have a score.
func (b Block) Answered() int {
	n := 0
	for _, v := range b.Scores {
		if v != 0 {
			n++
		}
	}
	return n
}

// Check says what is wrong with b, or nil: an unknown questionnaire or
// scale, a wrong number of items, or a score outside 1..Scale.
func (b Block) Check() error {
	q := QuestionnaireOf(b.Key)
	switch {
	case q == nil:
		return fmt.Errorf("unknown questionnaire %q", b.Key)
	case !ValidScale(b.Scale):
		return fmt.Errorf("%s: scale %d", b.Key, b.Scale)
	case len(b.Scores) != len(q.Items):
		return fmt.Errorf("%s: %d scores for %d items", b.Key, len(b.Scores), len(q.Items))
	}
	for i, v := range b.Scores {
		if int(v) > b.Scale {
			return fmt.Errorf("%s.%s: score %d out of 1..%d", b.Key, q.Items[i].Key, v, b.Scale)
		}
	}
	return nil
}

// Get returns b's score for item key, or 0.
func (b Block) Get(key string) uint8 {
	if q := QuestionnaireOf(b.Key); q != nil {
		if i := q.ItemIndex(key); i >= 0 && i < len(b.Scores) {
			return b.Scores[i]
		}
	}
	return 0
}

// BlockOf returns the block of questionnaire key among bs, if any.
func BlockOf(bs []Block, key QuestionnaireKey) (Block, bool) {
	for _, b := range bs {
		if b.Key == key {
			return b, true
		}
	}
	return Block{}, false
}

// ItemTally counts the answers to one questionnaire on one scale, like
// Tally for the SKM: respondents who answered at least one item, and per
// item the count of each score. It can be stored, merged and corrected in
// place.
type ItemTally struct {
	Respondents int
	Dist        [][MaxScale]uint32 // Dist[item][score-1]
}

// NewItemTally returns an empty tally of q's items.
func NewItemTally(q *Questionnaire) ItemTally {
	return ItemTally{Dist: make([][MaxScale]uint32, len(q.Items))}
}

// Add counts one respondent's block; unanswered items stay out of that
// item's denominator, and scores outside 1..MaxScale are skipped as in
// Tally.Add.
func (t *ItemTally) Add(scores []uint8) {
	t.Respondents++
	for i, v := range scores {
		if i < len(t.Dist) && v >= 1 && v <= MaxScale {
			t.Dist[i][v-1]++
		}
	}
}

// Contains reports whether t holds the respondent and every score of
// scores, i.e. whether Remove(scores) undoes an Add.
func (t ItemTally) Contains(scores []uint8) bool {
	if t.Respondents < 1 {
		return false
	}
	for i, v := range scores {
		if v >= 1 && v <= MaxScale && (i >= len(t.Dist) || t.Dist[i][v-1] < 1) {
			return false
		}
	}
	return true
}

// Remove undoes Add; counts stop at zero.
func (t *ItemTally) Remove(scores []uint8) {
	if t.Respondents > 0 {
		t.Respondents--
	}
	for i, v := range scores {
		if i < len(t.Dist) && v >= 1 && v <= MaxScale && t.Dist[i][v-1] > 0 {
			t.Dist[i][v-1]--
		}
	}
}

// Merge adds o's counts (o must count the same questionnaire).
func (t *ItemTally) Merge(o ItemTally) {
	t.Respondents += o.Respondents
	if len(t.Dist) < len(o.Dist) {
		t.Dist = append(t.Dist, make([][MaxScale]uint32, len(o.Dist)-len(t.Dist))...)
	}
	for i := range o.Dist {
		for s := range o.Dist[i] {
			t.Dist[i][s] += o.Dist[i][s]
		}
	}
}

// Empty reports whether nothing is counted.
func (t ItemTally) Empty() bool {
	if t.Respondents != 0 {
		return false
	}
	for _, d := range t.Dist {
		if d != ([MaxScale]uint32{}) {
			return false
		}
	}
	return true
}

// Equal reports whether two tallies count the same.
func (t ItemTally) Equal(o ItemTally) bool {
	if t.Respondents != o.Respondents {
		return false
	}
	for i := range max(len(t.Dist), len(o.Dist)) {
		var a, b [MaxScale]uint32
		if i < len(t.Dist) {
			a = t.Dist[i]
		}
		if i < len(o.Dist) {
			b = o.Dist[i]
		}
		if a != b {
			return false
		}
	}
	return true
}

// Answers returns the denominator of item i.
func (t ItemTally) Answers(i int) uint64 { return distAnswers(t.Dist[i][:]) }

// Sum returns the sum of item i's scores.
func (t ItemTally) Sum(i int) uint64 { return distSum(t.Dist[i][:]) }

// ItemResult is one item's row of an index.
type ItemResult struct {
	Key     string
	Answers uint64
	Sum     uint64
	Mean    float64 // Sum/Answers on the scale; 0 without answers
	Value   float64 // Mean as the index reports it (converted when Report100), unrounded
	Value2  float64 // Value rounded half up to 2 decimals
	Mutu    Mutu    // with Bands; "" otherwise or without answers
}

// IndexResult is the index of one questionnaire over one tally: the mean
// of its items' means, reported as Extra.Report says.
type IndexResult struct {
	Extra       Extra
	Respondents int
	Items       []ItemResult
	Valid       bool    // false when no item has an answer
	Mean        float64 // the mean of the item means, on the scale (1..Scale), unrounded
	Value       float64 // the index as reported: Mean, or Mean x 100 / Scale; unrounded
	Value2      float64 // Value rounded half up to 2 decimals, from the exact value
	Mutu        Mutu    // with Bands: the SKM grade of Value2; "" otherwise
}

// Result computes x's index from t, which must count x's questionnaire on
// x.Scale. Like the IKM, it is the mean of the item means, each over the
// answers given (an item nobody answered neither counts as zero nor
// dilutes the others), computed exactly and rounded once, half up, to 2
// decimals; Mutu is then Classify's grade of the rounded figure.
func (t ItemTally) Result(x Extra) IndexResult {
	r := IndexResult{Extra: x, Respondents: t.Respondents, Items: make([]ItemResult, len(x.Items))}
	conv := big.NewRat(1, 1)
	if x.Report == Report100 {
		conv = big.NewRat(100, int64(x.Scale))
	}
	sum := new(big.Rat)
	k := 0
	for i, it := range x.Items {
		ir := ItemResult{Key: it.Key}
		if i < len(t.Dist) {
			ir.Answers, ir.Sum = t.Answers(i), t.Sum(i)
		}
		if ir.Answers > 0 {
			mean := new(big.Rat).SetFrac(new(big.Int).SetUint64(ir.Sum), new(big.Int).SetUint64(ir.Answers))
			v := new(big.Rat).Mul(mean, conv)
			h := hundredths(v)
			ir.Mean, ir.Value = ratFloat(mean), ratFloat(v)
			ir.Value2 = ratFloat(new(big.Rat).SetFrac(h, big.NewInt(100)))
			if x.Bands {
				ir.Mutu = classifyHundredths(h)
			}
			sum.Add(sum, mean)
			k++
		}
		r.Items[i] = ir
	}
	if k == 0 {
		return r
	}
	mean := sum.Quo(sum, big.NewRat(int64(k), 1))
	v := new(big.Rat).Mul(mean, conv)
	h := hundredths(v)
	r.Valid = true
	r.Mean, r.Value = ratFloat(mean), ratFloat(v)
	r.Value2 = ratFloat(new(big.Rat).SetFrac(h, big.NewInt(100)))
	if x.Bands {
		r.Mutu = classifyHundredths(h)
	}
	return r
}

// IndexUnit is one unit's figure of an extra questionnaire.
type IndexUnit struct {
	Unit   Unit
	Tally  ItemTally
	Result IndexResult
}

// IndexSummary is one questionnaire's figures over the units that ask it,
// for a period, aggregated both ways as the IKM is (the regulation fixes
// neither for the IKM, and nothing at all for these indexes).
type IndexSummary struct {
	Extra  Extra
	Period Period
	Units  []IndexUnit // the units that ask it, in the order given
	Pooled IndexResult // over all their respondents
	// MeanValue is the mean of the unrounded Values of the units with
	// respondents; MeanValue2 rounds it and MeanMutu grades it (with Bands).
	MeanValue  float64
	MeanValue2 float64
	MeanMutu   Mutu
	WithData   int // units with at least one respondent
}

// SummarizeIndex computes each unit's index of x and the pooled and mean
// figures; tallies[i] belongs to units[i].
func SummarizeIndex(x Extra, p Period, units []Unit, tallies []ItemTally) IndexSummary {
	s := IndexSummary{Extra: x, Period: p, Units: make([]IndexUnit, len(units))}
	pooled := NewItemTally(x.Questionnaire)
	var sum float64
	for i, u := range units {
		iu := IndexUnit{Unit: u, Tally: tallies[i], Result: tallies[i].Result(x)}
		s.Units[i] = iu
		pooled.Merge(iu.Tally)
		if iu.Result.Valid {
			s.WithData++
			sum += iu.Result.Value
		}
	}
	s.Pooled = pooled.Result(x)
	if s.WithData > 0 {
		s.MeanValue = sum / float64(s.WithData)
		s.MeanValue2 = Round2(s.MeanValue)
		if x.Bands {
			s.MeanMutu = Classify(s.MeanValue)
		}
	}
	return s
}

// Respondents is the number of respondents over all units.
func (s IndexSummary) Respondents() int { return s.Pooled.Respondents }

// Asked returns the extra questionnaires that any of units asks, in the
// order of Questionnaires, each with the units that ask it (in the order
// given). The config sets a questionnaire's scale and report once for the
// city; should units differ, those asking it like the first are grouped.
func Asked(units []Unit) ([]Extra, [][]Unit) {
	var xs []Extra
	var groups [][]Unit
	for _, q := range Questionnaires {
		var group []Unit
		var x Extra
		for _, u := range units {
			ux, ok := u.ExtraOf(q.Key)
			if !ok || group != nil && ux.TallyKey() != x.TallyKey() {
				continue
			}
			if group == nil {
				x = ux
			}
			group = append(group, u)
		}
		if group != nil {
			xs = append(xs, x)
			groups = append(groups, group)
		}
	}
	return xs, groups
}

// ExtraOf returns the unit's settings of questionnaire key, if it asks it.
func (u Unit) ExtraOf(key QuestionnaireKey) (Extra, bool) {
	for _, x := range u.Extras {
		if x.Key == key {
			return x, true
		}
	}
	return Extra{}, false
}
