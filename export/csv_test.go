package export

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// readCSV parses WriteCSV's output back into responses, undoing the byte
// order mark and the apostrophe that defuses formulas.
func readCSV(t *testing.T, data []byte) []survey.Response {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatal("no UTF-8 byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], CSVHeader) {
		t.Fatalf("header %q, want %q", recs[0], CSVHeader)
	}
	undo := func(s string) string {
		if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
			return s[1:]
		}
		return s
	}
	var out []survey.Response
	for _, rec := range recs[1:] {
		col := func(name string) string { return rec[slices.Index(CSVHeader, name)] }
		id, _ := strconv.ParseUint(col("id"), 10, 64)
		day, err := time.ParseInLocation("2006-01-02", col("tanggal"), jakarta)
		if err != nil {
			t.Fatal(err)
		}
		age, _ := strconv.Atoi(col("usia"))
		r := survey.Response{
			ID: id, Unit: col("unit"), Submitted: day, Source: survey.Source(col("sumber")), Via: survey.Via(col("via")),
			Profile: survey.Profile{Gender: col("jenis_kelamin"), Age: age, Education: col("pendidikan"),
				Occupation: col("pekerjaan"), Service: undo(col("layanan"))},
			Suggestion: undo(col("saran")),
		}
		for e, k := range survey.Elements {
			if v := col(string(k)); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					t.Fatal(err)
				}
				r.Scores[e] = uint8(n)
			}
		}
		out = append(out, r)
	}
	return out
}

func TestCSVRoundTrip(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	var buf bytes.Buffer
	n, err := WriteCSV(&buf, rep, Slice(rs))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(secretHash)) {
		t.Fatal("the CSV holds a respondent hash")
	}
	if bytes.Contains(buf.Bytes(), []byte("\n=HYPERLINK")) || bytes.Contains(buf.Bytes(), []byte(",=HYPERLINK")) {
		t.Error("a suggestion starting with = is written as a formula")
	}
	got := readCSV(t, buf.Bytes())
	// Expected: the period's responses of configured units, as they came,
	// without the respondent hash, dated by the day in Jakarta.
	var want []survey.Response
	for _, r := range rs {
		if r.Unit == "NOT-CONFIGURED" || !rep.Summary.Period.Contains(r.Submitted) {
			continue
		}
		y, m, d := r.Submitted.In(jakarta).Date()
		r.Submitted = time.Date(y, m, d, 0, 0, 0, 0, jakarta)
		r.Respondent, r.Poster = "", 0
		want = append(want, r)
	}
	if n != len(want) || len(got) != len(want) {
		t.Fatalf("%d rows (reported %d), want %d", len(got), n, len(want))
	}
	for i := range want {
		if !got[i].Submitted.Equal(want[i].Submitted) {
			t.Errorf("row %d: date %v, want %v", i+1, got[i].Submitted, want[i].Submitted)
		}
		got[i].Submitted = want[i].Submitted
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
	}
	if got[0].Submitted.Day() != 1 || got[0].Submitted.Month() != time.January {
		t.Errorf("00:30 WIB on 1 January is dated %v", got[0].Submitted)
	}
}

func TestCSVScopeIsOneUnit(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	rep = reportOf(rep.Summary.Period, testUnits[1:2], rs, survey.ExactWeights)
	var buf bytes.Buffer
	if _, err := WriteCSV(&buf, rep, Slice(rs)); err != nil {
		t.Fatal(err)
	}
	got := readCSV(t, buf.Bytes())
	if len(got) != 2 || got[0].Unit != "PKM-JATIBENING" || got[1].Unit != "PKM-JATIBENING" {
		t.Errorf("one unit's CSV has %d rows: %+v", len(got), got)
	}
}
