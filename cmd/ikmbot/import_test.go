package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// storedResponses reads every response in db, in the order they were stored.
func storedResponses(t *testing.T, db string) []survey.Response {
	t.Helper()
	st, err := store.Open(db, store.Options{Location: jakarta, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []survey.Response
	if err := st.View(func(tx *store.Tx) error {
		return tx.ForEachResponse(func(r survey.Response) error {
			out = append(out, r)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// dbState is what a failed import must leave untouched: the stored responses
// and the live aggregate the reports read.
type dbState struct {
	complete int
	tally    survey.Tally
}

// snapshot reads db's state through the store.
func snapshot(t *testing.T, db string) dbState {
	t.Helper()
	st, err := store.Open(db, store.Options{Location: jakarta, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var s dbState
	year, err := survey.ParsePeriod("2026", jakarta)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.View(func(tx *store.Tx) error {
		var err error
		if s.complete, _, err = tx.CountResponses(); err != nil {
			return err
		}
		s.tally, err = tx.Tally("DISDUKCAPIL", year)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// lastLine returns the last line of s without its newline.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestImportStoresPaperResponses checks the summary line and every field of
// the stored responses, including canonical spellings and trimmed values.
func TestImportStoresPaperResponses(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	file := importFixture("disdukcapil.csv")
	out := mustImport(t, cfg, db, "disdukcapil", file)
	want := "imported 8 responses for DISDUKCAPIL (Dinas Kependudukan dan Pencatatan Sipil) from " + file + ", 2026-01-05..2026-12-30"
	if got := lastLine(out); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if !strings.Contains(out, "created the new database "+db) {
		t.Errorf("stderr = %q, want a note that %s was created", out, db)
	}

	rs := storedResponses(t, db)
	if len(rs) != 8 {
		t.Fatalf("%d responses stored, want 8", len(rs))
	}
	days := []string{"2026-01-05", "2026-01-20", "2026-02-14", "2026-03-02", "2026-03-31", "2026-04-01", "2026-07-15", "2026-12-30"}
	for i, r := range rs {
		d, _ := time.ParseInLocation(time.DateOnly, days[i], jakarta)
		if want := d.Add(12 * time.Hour); !r.Submitted.Equal(want) {
			t.Errorf("response %d submitted %v, want %v (noon that day)", i, r.Submitted, want)
		}
		if r.Unit != "DISDUKCAPIL" || r.Source != survey.SourcePaper || r.Respondent != "" {
			t.Errorf("response %d: unit %q source %q respondent %q; want DISDUKCAPIL, paper, none", i, r.Unit, r.Source, r.Respondent)
		}
	}
	checks := []struct {
		i          int
		profile    survey.Profile
		suggestion string
	}{
		{0, survey.Profile{Gender: "L", Age: 34, Education: "SMA", Occupation: "Swasta", Service: "KTP-el"}, ""},
		{1, survey.Profile{Gender: "P", Age: 52, Education: "D4/S1", Occupation: "PNS", Service: "Kartu Keluarga"}, "Antrean terlalu lama, mohon tambah loket"},
		{2, survey.Profile{Service: "Akta Kelahiran"}, "Petugas ramah"},
		{3, survey.Profile{Gender: "P", Age: 19, Education: "SMP", Occupation: "Lainnya", Service: "other"}, ""},
		{4, survey.Profile{Gender: "L", Education: "S2", Occupation: "Wirausaha"}, `Ruang tunggu panas; kipas "rusak"`},
		{5, survey.Profile{Gender: "L", Age: 45, Education: "SMA", Occupation: "TNI", Service: "KIA"}, "Terima kasih"},
	}
	for _, c := range checks {
		r := rs[c.i]
		if r.Profile != c.profile || r.Suggestion != c.suggestion {
			t.Errorf("response %d: %+v %q, want %+v %q", c.i, r.Profile, r.Suggestion, c.profile, c.suggestion)
		}
	}
	if got, want := rs[3].Scores, (survey.Scores{3, 3, 2, 4, 3, 3, 4, 0, 3}); got != want {
		t.Errorf("response 3 scores = %v, want %v (pengaduan blank = not answered)", got, want)
	}
}

// TestImportSemicolons checks a file as an Indonesian-locale spreadsheet
// exports it: semicolons, columns in another order, header in capitals and
// padded with spaces.
func TestImportSemicolons(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	mustImport(t, cfg, db, "PKM-JATIBENING", importFixture("puskesmas.csv"))
	rs := storedResponses(t, db)
	if len(rs) != 2 {
		t.Fatalf("%d responses, want 2", len(rs))
	}
	want0 := survey.Profile{Gender: "P", Age: 31, Education: "SMA", Occupation: "Swasta", Service: "Poli Umum"}
	if rs[0].Profile != want0 || rs[0].Suggestion != "Obat sering habis, mohon dicek" {
		t.Errorf("response 0: %+v %q", rs[0].Profile, rs[0].Suggestion)
	}
	if rs[0].Scores != (survey.Scores{2, 2, 2, 2, 2, 2, 2, 2, 2}) || rs[1].Scores != (survey.Scores{3, 3, 3, 3, 3, 3, 3, 3, 3}) {
		t.Errorf("scores %v, %v", rs[0].Scores, rs[1].Scores)
	}
	if want1 := (survey.Profile{Gender: "L", Service: "Poli Gigi"}); rs[1].Profile != want1 {
		t.Errorf("response 1: %+v, want %+v", rs[1].Profile, want1)
	}
}

// TestImportBOM checks a "CSV UTF-8" file from Excel, which starts with a
// byte order mark that would otherwise stick to the first column's name.
func TestImportBOM(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	data, err := os.ReadFile(importFixture("disdukcapil.csv"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bom.csv")
	if err := os.WriteFile(file, append([]byte("\xEF\xBB\xBF"), data...), 0o600); err != nil {
		t.Fatal(err)
	}
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", file)
	if got := len(storedResponses(t, db)); got != 8 {
		t.Errorf("%d responses, want 8", got)
	}
}

// goodRow is a valid questionnaire for DISDUKCAPIL, by column.
func goodRow() map[string]string {
	row := map[string]string{
		"tanggal": "2026-06-01", "jenis_kelamin": "L", "usia": "30", "pendidikan": "SMA",
		"pekerjaan": "Swasta", "layanan": "KTP-el", "saran": "",
	}
	for _, e := range survey.Elements {
		row[string(e)] = "3"
	}
	return row
}

// row returns goodRow with some fields changed, in the order of columns.
func row(columns []string, changes map[string]string) []string {
	r := goodRow()
	for k, v := range changes {
		r[k] = v
	}
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = r[c]
	}
	return out
}

// csvText writes records as CSV.
func csvText(t *testing.T, records ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// blanks sets every element to blank, for the "nothing answered" case.
func blanks() map[string]string {
	m := map[string]string{}
	for _, e := range survey.Elements {
		m[string(e)] = ""
	}
	return m
}

// TestImportRejects checks each rule: the error names file:line and field,
// and nothing from the file reaches the database.
func TestImportRejects(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))
	before := snapshot(t, db)

	cols := importColumns
	withNama := append(append([]string(nil), cols...), "nama")
	noSaran := cols[:len(cols)-1]
	// valid is a file whose third line is the bad row.
	valid := func(changes map[string]string) string {
		return csvText(t, cols, row(cols, nil), row(cols, changes))
	}
	tests := []struct {
		name, content, want string
	}{
		{"bad date", valid(map[string]string{"tanggal": "2026-02-30"}), `bad.csv:3: tanggal: "2026-02-30" is not a date in the form YYYY-MM-DD`},
		{"slashed date", valid(map[string]string{"tanggal": "01/06/2026"}), `bad.csv:3: tanggal: "01/06/2026" is not a date`},
		{"future date", valid(map[string]string{"tanggal": "2027-01-01"}), `bad.csv:3: tanggal: "2027-01-01" is in the future (today is 2026-12-31)`},
		{"no date", valid(map[string]string{"tanggal": ""}), `bad.csv:3: tanggal: missing`},
		{"old year", valid(map[string]string{"tanggal": "0226-06-01"}), `bad.csv:3: tanggal: "0226-06-01" is before 2000`},
		{"bad gender", valid(map[string]string{"jenis_kelamin": "X"}), `bad.csv:3: jenis_kelamin: "X" is not L or P`},
		{"bad age", valid(map[string]string{"usia": "7"}), `bad.csv:3: usia: "7" is not an age between 10 and 120`},
		{"fractional age", valid(map[string]string{"usia": "30.5"}), `bad.csv:3: usia: "30.5" is not an age`},
		{"bad education", valid(map[string]string{"pendidikan": "SMK"}), `bad.csv:3: pendidikan: "SMK" is not one of SD, SMP, SMA, D1-D3, D4/S1, S2, S3`},
		{"bad occupation", valid(map[string]string{"pekerjaan": "Petani"}), `bad.csv:3: pekerjaan: "Petani" is not one of PNS, TNI, POLRI, Swasta, Wirausaha, Lainnya`},
		{"score 5", valid(map[string]string{"waktu": "5"}), `bad.csv:3: waktu: "5" is not a score from 1 to 4`},
		{"score 0", valid(map[string]string{"sarana": "0"}), `bad.csv:3: sarana: "0" is not a score from 1 to 4`},
		{"unknown service", valid(map[string]string{"layanan": "Paspor"}), `bad.csv:3: layanan: "Paspor" is not a service of DISDUKCAPIL (want KTP-el, Kartu Keluarga`},
		{"all elements blank", valid(blanks()), `bad.csv:3: persyaratan..sarana: every element is blank`},
		{"saran too long", valid(map[string]string{"saran": strings.Repeat("é", survey.MaxSuggestionRunes+1)}), `bad.csv:3: saran: 1001 characters, at most 1000`},
		{"unknown column", csvText(t, withNama, row(withNama, nil)), `bad.csv:1: unknown column "nama"`},
		{"missing column", csvText(t, noSaran, row(noSaran, nil)), `bad.csv:1: missing column(s) saran: every column is required`},
		{"duplicate column", csvText(t, append(append([]string(nil), cols...), "usia"), append(row(cols, nil), "30")), `bad.csv:1: column "usia" appears twice`},
		{"short row", csvText(t, cols, row(cols, nil), row(cols, nil)[:15]), `bad.csv:3: 15 fields, want 16`},
		{"unclosed quote", csvText(t, cols, row(cols, nil)) + `2026-06-01,L,30,SMA,Swasta,KTP-el,3,3,3,3,3,3,3,3,3,"no end` + "\n", `bad.csv:3: CSV syntax`},
		{"not UTF-8", csvText(t, cols, row(cols, nil)) + "2026-06-01,L,30,SMA,Swasta,KTP-el,3,3,3,3,3,3,3,3,3,caf\xe9\n", `bad.csv:3: not UTF-8 text`},
		{"header only", csvText(t, cols), `bad.csv: no questionnaires in the file`},
		{"empty file", "", `bad.csv: the file is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.csv")
			if err := os.WriteFile(file, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			err := runImport(cfg, []string{"--db", db, "--unit", "DISDUKCAPIL", "--file", file}, &stderr)
			if err == nil {
				t.Fatalf("import succeeded; want an error containing %q", tt.want)
			}
			if want := file[:len(file)-len("bad.csv")] + tt.want; !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, want)
			}
			if !strings.Contains(err.Error(), "nothing was imported") {
				t.Errorf("error does not say that nothing was imported:\n%v", err)
			}
			if strings.Contains(stderr.String(), "imported") {
				t.Errorf("stderr reports an import: %q", stderr.String())
			}
			if after := snapshot(t, db); after != before {
				t.Errorf("database changed: %+v, was %+v", after, before)
			}
		})
	}
}

// TestImportAcceptsEdgeValues checks the limits themselves are accepted.
func TestImportAcceptsEdgeValues(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	cols := importColumns
	long := strings.Repeat("é", survey.MaxSuggestionRunes)
	file := filepath.Join(t.TempDir(), "edge.csv")
	content := csvText(t, cols,
		row(cols, map[string]string{"tanggal": "2026-12-31", "usia": "10", "layanan": "OTHER", "saran": long}),
		row(cols, map[string]string{"usia": "120", "jenis_kelamin": "", "pendidikan": "", "pekerjaan": "", "layanan": "", "persyaratan": "1", "prosedur": "4"}),
	)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", file)
	rs := storedResponses(t, db)
	if len(rs) != 2 {
		t.Fatalf("%d responses, want 2", len(rs))
	}
	if rs[0].Suggestion != long || rs[0].Profile.Service != "other" || rs[0].Profile.Age != 10 {
		t.Errorf("response 0: %+v, suggestion of %d runes", rs[0].Profile, len([]rune(rs[0].Suggestion)))
	}
	if rs[1].Profile != (survey.Profile{Age: 120}) {
		t.Errorf("response 1 profile: %+v", rs[1].Profile)
	}
}

// TestImportReportsEveryBadRow checks that one run lists every problem with
// its own line, counting blank lines, and stops listing at 20.
func TestImportReportsEveryBadRow(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	cols := importColumns
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")

	two := csvText(t, cols, row(cols, nil), row(cols, map[string]string{"usia": "7", "jenis_kelamin": "W"})) +
		"\n" + csvText(t, row(cols, nil), row(cols, map[string]string{"biaya": "9"}))
	file := filepath.Join(dir, "two.csv")
	if err := os.WriteFile(file, []byte(two), 0o600); err != nil {
		t.Fatal(err)
	}
	err := runImport(cfg, []string{"--db", db, "--unit", "DISDUKCAPIL", "--file", file}, &bytes.Buffer{})
	if err == nil {
		t.Fatal("import succeeded")
	}
	for _, want := range []string{file + `:3: jenis_kelamin: "W"`, file + `:3: usia: "7"`, file + `:6: biaya: "9"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// A failed import must not leave a new, empty database behind either.
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed import created %s", db)
	}

	records := [][]string{cols}
	for range 25 {
		records = append(records, row(cols, map[string]string{"usia": "200"}))
	}
	many := filepath.Join(dir, "many.csv")
	if err := os.WriteFile(many, []byte(csvText(t, records...)), 0o600); err != nil {
		t.Fatal(err)
	}
	err = runImport(cfg, []string{"--db", db, "--unit", "DISDUKCAPIL", "--file", many}, &bytes.Buffer{})
	if err == nil {
		t.Fatal("import succeeded")
	}
	if got := strings.Count(err.Error(), ": usia: "); got != 20 {
		t.Errorf("%d usia errors listed, want 20", got)
	}
	if !strings.Contains(err.Error(), many+": and 5 more errors") {
		t.Errorf("error does not count the rest:\n%v", err)
	}
}

// TestImportBadArguments checks the errors of a wrong command line.
func TestImportBadArguments(t *testing.T) {
	cfg := bekasi(t)
	db := newDB(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--file", importFixture("disdukcapil.csv")}, "--unit is required"},
		{[]string{"--unit", "DISDUKCAPIL"}, "--file is required"},
		{[]string{"--unit", "DUKCAPIL", "--file", importFixture("disdukcapil.csv")}, `unknown unit code "DUKCAPIL"`},
		{[]string{"--unit", "DISDUKCAPIL", "--file", "nosuch.csv"}, "nosuch.csv: no such file"},
	}
	for _, tt := range tests {
		err := runImport(cfg, append([]string{"--db", db}, tt.args...), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("import %q: error %v, want it to contain %q", tt.args, err, tt.want)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed import created %s", db)
	}
}

// TestImportLocked checks the message when the bot holds the database, and
// that the file's answers are not half stored.
func TestImportLocked(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := emptyDB(t)
	st, err := store.Open(db, store.Options{Location: jakarta}) // as the running bot does
	if err != nil {
		t.Fatal(err)
	}
	err = runImport(cfg, []string{"--db", db, "--unit", "DISDUKCAPIL", "--file", importFixture("disdukcapil.csv")}, &bytes.Buffer{})
	st.Close()
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("error = %v, want one wrapping store.ErrLocked", err)
	}
	for _, want := range []string{db, "running bot", "stop the bot"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := snapshot(t, db); !reflect.DeepEqual(got, dbState{}) {
		t.Errorf("database changed: %+v", got)
	}
}

func FuzzParsePaperCSV(f *testing.F) {
	cfg, err := config.Load("")
	if err != nil {
		f.Fatal(err)
	}
	unit, _ := cfg.Catalog.Unit("DISDUKCAPIL")
	header := "tanggal,jenis_kelamin,usia,pendidikan,pekerjaan,layanan,persyaratan,prosedur,waktu,biaya,produk,kompetensi,perilaku,pengaduan,sarana,saran\n"
	f.Add([]byte(header + "2026-01-05,L,35,SMA,Swasta,KTP-el,3,4,3,4,3,3,4,3,3,Bagus\n"))
	f.Add([]byte(strings.ReplaceAll(header, ",", ";") + "2026-01-05;P;;;;;1;2;3;4;1;2;3;4;1;\n"))
	f.Add([]byte("\xef\xbb\xbf" + header + "2026-02-30,X,7,SMA,Swasta,KTP-el,5,4,3,4,3,3,4,3,3,\n"))
	f.Add([]byte(header + "\"unterminated\n"))
	today := time.Date(2026, 11, 27, 12, 0, 0, 0, cfg.Location)
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := parsePaperCSV("fuzz.csv", data, unit, cfg.Location, today, nil)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		for _, r := range rs {
			if !r.Scores.Valid() || r.Scores.Answered() == 0 || r.Submitted.After(today.Add(24*time.Hour)) || r.Unit != unit.Code {
				t.Errorf("accepted an invalid row: %+v", r)
			}
		}
	})
}
