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

// readCSV parses WriteCSV's output of a file with every profile answer
// (ProfileFull) back into responses, undoing the byte order mark and the
// apostrophe that defuses formulas.
func readCSV(t *testing.T, data []byte) []survey.Response {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatal("no UTF-8 byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := CSVHeader(ProfileFull, nil)
	if !slices.Equal(recs[0], header) {
		t.Fatalf("header %q, want %q", recs[0], header)
	}
	undo := func(s string) string {
		if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
			return s[1:]
		}
		return s
	}
	var out []survey.Response
	for i, rec := range recs[1:] {
		col := func(name string) string { return rec[slices.Index(header, name)] }
		if col("no") != strconv.Itoa(i+1) {
			t.Errorf("row %d is numbered %q", i+1, col("no"))
		}
		day, err := time.ParseInLocation("2006-01-02", col("tanggal"), jakarta)
		if err != nil {
			t.Fatal(err)
		}
		age, _ := strconv.Atoi(col("usia"))
		r := survey.Response{
			Unit: col("unit"), Submitted: day, Source: survey.Source(col("sumber")), Via: survey.Via(col("via")),
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
	rep.RawProfile = ProfileFull
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
		// The response id stays in the database: the rows are numbered.
		r.Respondent, r.Poster, r.ID = "", 0, 0
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
	rep.RawProfile = ProfileFull
	var buf bytes.Buffer
	if _, err := WriteCSV(&buf, rep, Slice(rs)); err != nil {
		t.Fatal(err)
	}
	got := readCSV(t, buf.Bytes())
	if len(got) != 2 || got[0].Unit != "PKM-JATIBENING" || got[1].Unit != "PKM-JATIBENING" {
		t.Errorf("one unit's CSV has %d rows: %+v", len(got), got)
	}
}

// TestCSVRawProfile: by default a file carries no profile answer, as for a
// unit's admins; ProfileBanded gives the age by band.
func TestCSVRawProfile(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	read := func(p RawProfile) [][]string {
		rep.RawProfile = p
		var buf bytes.Buffer
		if _, err := WriteCSV(&buf, rep, Slice(rs)); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], CSVHeader(p, nil)) {
			t.Fatalf("header %q, want %q", recs[0], CSVHeader(p, nil))
		}
		return recs
	}
	none := read(ProfileNone)
	for _, q := range survey.ProfileQuestions {
		if slices.Contains(none[0], q.Column) {
			t.Errorf("the default file has the column %s", q.Column)
		}
	}
	for _, r := range none[1:] {
		if len(r) != len(none[0]) {
			t.Fatalf("row %q does not fit the header", r)
		}
	}
	banded := read(ProfileBanded)
	age := slices.Index(banded[0], "usia")
	var ages []string
	for _, r := range banded[1:] {
		ages = append(ages, r[age])
	}
	for _, a := range ages {
		if a != "" && !slices.Contains(survey.AgeBands, a) {
			t.Errorf("banded ages %q, want bands only", ages)
			break
		}
	}
	if len(none) != len(banded) {
		t.Errorf("%d rows without the profile, %d with it", len(none), len(banded))
	}
}
