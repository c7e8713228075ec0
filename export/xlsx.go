package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/survey"
)

// Sheet names. Each unit's sheet is named by its code; the other sheets
// have a space in their names, which no unit code has, so they never
// collide with a unit.
const (
	SheetRecap       = "Rekap Unit"
	SheetProfile     = "Profil Responden"
	SheetSuggestions = "Saran dan Masukan"
)

// The layout of a unit's sheet ("pengolahan data per responden dan per
// unsur"), 1-based as spreadsheets count: three lines naming the unit and
// period, the header, the element keys, then one row per respondent with
// the nine elements in the regulation's order from column C, then the
// worksheet's totals (see unitSummaryRows).
const (
	unitHeaderRow = 5 // "No. Resp.", "Tanggal", "U1".."U9"
	unitKeyRow    = 6 // the element keys under U1..U9
	unitFirstRow  = 7 // the first respondent
	scoreCol      = 3 // column C holds U1
)

// Rows after the last respondent, relative to the row just below it.
const (
	rowSum = iota
	rowAnswers
	rowNRR
	rowWeighted
	rowMutu
	rowIndex
	rowIKM
	rowIKMExact
	rowMutuUnit
	rowKinerja
	rowRespondents
	rowTarget
	rowWeight
	_
	rowCheckTitle
	rowCheckSum
	rowCheckAnswers
	rowCheckNRR
	rowCheckIKM
	_
	rowLegend
)

// The recap sheet: the unit table starts below recapHeaderRow.
const (
	recapHeaderRow = 5
	recapFirstRow  = 6
)

// The profile and suggestion sheets: a table under a header row.
const (
	profileHeaderRow     = 4
	suggestionsHeaderRow = 4
)

// maxSheetName is Excel's limit on a sheet name.
const maxSheetName = 31

// WriteXLSX writes the workbook of rep's period: the recap of all units
// (SheetRecap), the respondents' profile (SheetProfile), the suggestions
// (SheetSuggestions), the units' follow-up plans (SheetFollowUps) and, for
// each unit with respondents, its sheet in the layout of the regulation's
// worksheet, named by its code.
//
// Every NRR, weighted NRR, index, IKM and mutu is the value package survey
// computed, written as a number; the unit sheets also carry Excel formulas
// that recompute sums, NRRs and the IKM from the rows, as a visible check.
// Excel keeps 15 significant digits, which the written values have too.
//
// It reads rs once and streams each sheet, so a year of a whole city fits
// in memory (sheets past 16 MB spill to temporary files, removed before it
// returns). When the responses do not reproduce the summary's tallies, or
// the summary was not computed with rep.Weighting, it returns an error
// wrapping ErrMismatch and writes nothing.
func WriteXLSX(w io.Writer, rep Report, rs Responses) error {
	x, err := newWorkbook(rep)
	if err != nil {
		return err
	}
	defer x.f.Close()
	if err := rs(x.add); err != nil {
		return err
	}
	if err := x.finish(); err != nil {
		return err
	}
	return x.f.Write(w)
}

type workbook struct {
	rep     Report
	f       *excelize.File
	sc      scope
	st      styles
	units   []*unitSheet // by index in rep.Summary.Units; nil without respondents
	tallies []survey.Tally
	sugg    *excelize.StreamWriter
	suggRow int
	indexes []*indexSheets // the extra questionnaires' sheets (indexes.go)
	row     []any          // reused for every respondent's row
}

type unitSheet struct {
	name string
	sw   *excelize.StreamWriter
	n    int // respondents written
}

type styles struct {
	title, header, bold, date, int, nrr, ikm, ikmBold, percent, wrap int
}

func newWorkbook(rep Report) (*workbook, error) {
	x := &workbook{
		rep:     rep,
		f:       excelize.NewFile(),
		sc:      newScope(rep.Summary),
		units:   make([]*unitSheet, len(rep.Summary.Units)),
		tallies: make([]survey.Tally, len(rep.Summary.Units)),
		row:     make([]any, scoreCol-1+survey.NumElements),
	}
	if err := x.setup(); err != nil {
		x.f.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	return x, nil
}

func (x *workbook) setup() error {
	f := x.f
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	numFmt := func(s string) *string { return &s }
	border := []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}
	x.st = styles{
		title:   style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}),
		header:  style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}),
		bold:    style(&excelize.Style{Font: &excelize.Font{Bold: true}}),
		date:    style(&excelize.Style{CustomNumFmt: numFmt("yyyy-mm-dd")}),
		int:     style(&excelize.Style{NumFmt: 1}),
		nrr:     style(&excelize.Style{CustomNumFmt: numFmt("0.000")}),
		ikm:     style(&excelize.Style{NumFmt: 2}),
		ikmBold: style(&excelize.Style{NumFmt: 2, Font: &excelize.Font{Bold: true, Size: 12}}),
		percent: style(&excelize.Style{CustomNumFmt: numFmt("0.0%")}),
		wrap:    style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
	}
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetRecap); err != nil {
		return err
	}
	for _, name := range []string{SheetProfile, SheetSuggestions, SheetFollowUps} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	taken := map[string]bool{strings.ToUpper(SheetRecap): true, strings.ToUpper(SheetProfile): true, strings.ToUpper(SheetSuggestions): true, strings.ToUpper(SheetFollowUps): true}
	for i, us := range x.rep.Summary.Units {
		if us.Tally.Respondents == 0 {
			continue
		}
		name := sheetName(us.Unit.Code, taken)
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		x.units[i] = &unitSheet{name: name, sw: sw}
		if err := x.unitHeader(sw, us); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	if err := x.setupIndexes(taken); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetSuggestions)
	if err != nil {
		return err
	}
	x.sugg = sw
	return x.suggestionsHeader()
}

// sheetName names a unit's sheet by its code, cut to Excel's 31
// characters; a cut code that collides gets "~2", "~3"... ("~" is in no
// code). Excel compares sheet names without regard to case.
func sheetName(code string, taken map[string]bool) string {
	name := code
	if len(name) > maxSheetName {
		name = name[:maxSheetName]
	}
	for n := 2; taken[strings.ToUpper(name)]; n++ {
		suffix := "~" + strconv.Itoa(n)
		name = code[:min(len(code), maxSheetName-len(suffix))] + suffix
	}
	taken[strings.ToUpper(name)] = true
	return name
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// unitHeader writes the lines above a unit's respondents.
func (x *workbook) unitHeader(sw *excelize.StreamWriter, us survey.UnitSummary) error {
	for _, c := range []struct {
		from, to int
		width    float64
	}{{1, 1, 14}, {2, 2, 24}, {scoreCol, scoreCol + survey.NumElements - 1, 12}, {scoreCol + survey.NumElements, scoreCol + survey.NumElements, 40}} {
		if err := sw.SetColWidth(c.from, c.to, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: unitKeyRow, TopLeftCell: cell(1, unitFirstRow), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	u := us.Unit
	lines := [][]any{
		{excelize.Cell{StyleID: x.st.title, Value: "PENGOLAHAN DATA SURVEI KEPUASAN MASYARAKAT PER RESPONDEN DAN PER UNSUR PELAYANAN"}},
		{"Unit pelayanan: " + u.Name + " (" + u.Code + "), " + x.rep.TypeName(u.Type) + ", " + x.rep.City},
		{"Periode: " + periodText(x.rep.Summary.Period) + "; " + weightText(x.rep.Weighting)},
	}
	for i, l := range lines {
		if err := sw.SetRow(cell(1, i+1), l); err != nil {
			return err
		}
	}
	head := []any{excelize.Cell{StyleID: x.st.header, Value: "No. Resp."}, excelize.Cell{StyleID: x.st.header, Value: "Tanggal"}}
	keys := []any{excelize.Cell{StyleID: x.st.header}, excelize.Cell{StyleID: x.st.header}}
	for i, k := range survey.Elements {
		head = append(head, excelize.Cell{StyleID: x.st.header, Value: "U" + strconv.Itoa(i+1)})
		keys = append(keys, excelize.Cell{StyleID: x.st.header, Value: string(k)})
	}
	if err := sw.SetRow(cell(1, unitHeaderRow), head, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	return sw.SetRow(cell(1, unitKeyRow), keys)
}

func (x *workbook) suggestionsHeader() error {
	sw := x.sugg
	for _, c := range []struct {
		from, to int
		width    float64
	}{{1, 1, 12}, {2, 2, 18}, {3, 3, 30}, {4, 4, 60}, {5, 4 + survey.NumElements, 9}} {
		if err := sw.SetColWidth(c.from, c.to, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: suggestionsHeaderRow, TopLeftCell: cell(1, suggestionsHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	lines := [][]any{
		{excelize.Cell{StyleID: x.st.title, Value: "SARAN DAN MASUKAN RESPONDEN, " + strings.ToUpper(x.rep.City)}},
		{"Periode: " + periodText(x.rep.Summary.Period)},
		{"Tanpa identitas responden. Nilai unsur 1 (terburuk) s.d. 4 (terbaik); kosong = tidak dijawab. Urutan: sesuai masuknya jawaban."},
	}
	for i, l := range lines {
		if err := sw.SetRow(cell(1, i+1), l); err != nil {
			return err
		}
	}
	head := []any{"Tanggal", "Kode unit", "Unit", "Saran"}
	for i, k := range survey.Elements {
		head = append(head, "U"+strconv.Itoa(i+1)+" "+string(k))
	}
	for i, h := range head {
		head[i] = excelize.Cell{StyleID: x.st.header, Value: h}
	}
	x.suggRow = suggestionsHeaderRow
	return sw.SetRow(cell(1, suggestionsHeaderRow), head, excelize.RowOpts{Height: 30})
}

// add takes one raw response.
func (x *workbook) add(r survey.Response) error {
	i := x.sc.unit(r)
	if i < 0 {
		return nil
	}
	us := x.units[i]
	if us == nil {
		return fmt.Errorf("%w: unit %s has responses in %s but no respondents in the summary", ErrMismatch, r.Unit, x.sc.period.Label)
	}
	x.tallies[i].Add(r.Scores)
	us.n++
	day := localDay(r.Submitted, x.sc.period)
	row := x.row[:0]
	row = append(row, us.n, excelize.Cell{StyleID: x.st.date, Value: day})
	for _, v := range r.Scores {
		if v == 0 {
			row = append(row, nil)
		} else {
			row = append(row, v)
		}
	}
	if err := us.sw.SetRow(cell(1, unitFirstRow+us.n-1), row); err != nil {
		return fmt.Errorf("export: xlsx: sheet %s: %w", us.name, err)
	}
	if err := x.addIndexes(r, day); err != nil {
		return err
	}
	if strings.TrimSpace(r.Suggestion) == "" {
		return nil
	}
	u := x.rep.Summary.Units[i].Unit
	srow := []any{excelize.Cell{StyleID: x.st.date, Value: day}, u.Code, u.Name, excelize.Cell{StyleID: x.st.wrap, Value: r.Suggestion}}
	for _, v := range r.Scores {
		if v == 0 {
			srow = append(srow, nil)
		} else {
			srow = append(srow, v)
		}
	}
	x.suggRow++
	if err := x.sugg.SetRow(cell(1, x.suggRow), srow); err != nil {
		return fmt.Errorf("export: xlsx: sheet %s: %w", SheetSuggestions, err)
	}
	return nil
}

// finish checks the responses against the summary and writes the totals,
// the recap and the profile.
func (x *workbook) finish() error {
	for i, us := range x.rep.Summary.Units {
		if x.tallies[i] != us.Tally {
			return fmt.Errorf("%w: unit %s in %s: %d responses here, %d in the summary, or their scores differ; run ikmbot check",
				ErrMismatch, us.Unit.Code, x.sc.period.Label, x.tallies[i].Respondents, us.Tally.Respondents)
		}
		if us.Tally.Result(x.rep.Weighting) != us.Result {
			return fmt.Errorf("%w: unit %s: the summary was not computed with the report's weighting", ErrMismatch, us.Unit.Code)
		}
	}
	for i, sh := range x.units {
		if sh == nil {
			continue
		}
		if err := x.unitSummary(sh, x.rep.Summary.Units[i]); err != nil {
			return fmt.Errorf("export: xlsx: sheet %s: %w", sh.name, err)
		}
		if err := sh.sw.Flush(); err != nil {
			return fmt.Errorf("export: xlsx: sheet %s: %w", sh.name, err)
		}
	}
	if err := x.finishIndexes(); err != nil {
		return err
	}
	if err := x.suggestionsFooter(); err != nil {
		return fmt.Errorf("export: xlsx: sheet %s: %w", SheetSuggestions, err)
	}
	if err := x.recap(); err != nil {
		return fmt.Errorf("export: xlsx: sheet %s: %w", SheetRecap, err)
	}
	if err := x.profile(); err != nil {
		return fmt.Errorf("export: xlsx: sheet %s: %w", SheetProfile, err)
	}
	if err := x.followUps(); err != nil {
		return fmt.Errorf("export: xlsx: sheet %s: %w", SheetFollowUps, err)
	}
	// The recap is the first sheet and so the active one. SetActiveSheet
	// would say so again at the cost of parsing every streamed sheet back.
	props := &excelize.DocProperties{
		Title:    "Survei Kepuasan Masyarakat " + x.rep.City + " " + x.rep.Summary.Period.Label,
		Subject:  "Indeks Kepuasan Masyarakat (PermenPANRB 14/2017)",
		Creator:  "ikmbot",
		Language: "id-ID",
	}
	if !x.rep.Generated.IsZero() {
		props.Created = x.rep.Generated.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	if err := x.f.SetDocProps(props); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}

// unitSummary writes the worksheet's totals under a unit's respondents:
// sums, answers, NRR, weighted NRR and mutu per element; the index, the
// IKM and its mutu and kinerja; the check formulas; and the legend.
func (x *workbook) unitSummary(sh *unitSheet, us survey.UnitSummary) error {
	sw, r := sh.sw, us.Result
	base := unitFirstRow + sh.n
	first, last := unitFirstRow, unitFirstRow+sh.n-1
	st := x.st
	set := func(rel int, label string, values ...any) error {
		row := base + rel
		if err := sw.MergeCell(cell(1, row), cell(2, row)); err != nil {
			return err
		}
		return sw.SetRow(cell(1, row), append([]any{excelize.Cell{StyleID: st.bold, Value: label}, nil}, values...))
	}
	perElement := func(f func(e survey.ElementResult) any) []any {
		out := make([]any, 0, survey.NumElements)
		for _, e := range r.Elements {
			out = append(out, f(e))
		}
		return out
	}
	answered := func(e survey.ElementResult, v any) any {
		if e.Answers == 0 {
			return nil
		}
		return v
	}
	k := 0
	for _, e := range r.Elements {
		if e.Answers > 0 {
			k++
		}
	}
	weight, weightNote := any(nil), ""
	if x.rep.Weighting == survey.LegacyWeights {
		weight, weightNote = 0.111, "0,111 per unsur, seperti lembar kerja peraturan (terbaca sekitar 0,1% lebih rendah)"
	} else if k > 0 {
		weight = 1 / float64(k)
		weightNote = "1/" + strconv.Itoa(k) + ", eksak (k = unsur yang dijawab)"
	}
	target := any("tidak diketahui")
	if us.TargetKnown() {
		target = us.Target
	}
	scoreRange := func(col int) string {
		c := colName(col)
		return c + strconv.Itoa(first) + ":" + c + strconv.Itoa(last)
	}
	nrrRow := strconv.Itoa(base + rowCheckNRR)
	nrrRange := colName(scoreCol) + nrrRow + ":" + colName(scoreCol+survey.NumElements-1) + nrrRow
	ikmFormula := "IF(COUNT(" + nrrRange + ")=0,\"\",AVERAGE(" + nrrRange + ")*25)"
	if x.rep.Weighting == survey.LegacyWeights {
		ikmFormula = "IF(COUNT(" + nrrRange + ")=0,\"\",SUM(" + nrrRange + ")*0.111*25)"
	}
	var checkSum, checkAnswers, checkNRR []any
	for i, e := range r.Elements {
		rg := scoreRange(scoreCol + i)
		checkSum = append(checkSum, excelize.Cell{StyleID: st.int, Formula: "SUM(" + rg + ")", Value: e.Sum})
		checkAnswers = append(checkAnswers, excelize.Cell{StyleID: st.int, Formula: "COUNT(" + rg + ")", Value: e.Answers})
		nrr := any("")
		if e.Answers > 0 {
			nrr = e.NRR
		}
		checkNRR = append(checkNRR, excelize.Cell{StyleID: st.nrr, Formula: "IF(COUNT(" + rg + ")=0,\"\",SUM(" + rg + ")/COUNT(" + rg + "))", Value: nrr})
	}
	ikmCached := any("")
	if r.Valid {
		ikmCached = r.IKM
	}
	rows := []struct {
		rel    int
		label  string
		values []any
	}{
		{rowSum, "Σ Nilai/Unsur", perElement(func(e survey.ElementResult) any { return excelize.Cell{StyleID: st.int, Value: e.Sum} })},
		{rowAnswers, "Jumlah jawaban/Unsur", perElement(func(e survey.ElementResult) any { return excelize.Cell{StyleID: st.int, Value: e.Answers} })},
		{rowNRR, "NRR/Unsur", perElement(func(e survey.ElementResult) any { return answered(e, excelize.Cell{StyleID: st.nrr, Value: e.NRR}) })},
		{rowWeighted, "NRR tertimbang/Unsur", perElement(func(e survey.ElementResult) any {
			return answered(e, excelize.Cell{StyleID: st.nrr, Value: e.Weighted})
		})},
		{rowMutu, "Mutu/Unsur", perElement(func(e survey.ElementResult) any { return answered(e, string(e.Mutu)) })},
		{rowIndex, "*) Jumlah NRR IKM tertimbang", []any{excelize.Cell{StyleID: st.nrr, Value: r.Index}}},
		{rowIKM, "**) IKM Unit Pelayanan", []any{excelize.Cell{StyleID: st.ikmBold, Value: r.IKM2}, "dibulatkan ke atas pada 0,005 dari nilai eksak"}},
		{rowIKMExact, "IKM tanpa pembulatan", []any{r.IKM}},
		{rowMutuUnit, "Mutu pelayanan", []any{excelize.Cell{StyleID: st.bold, Value: string(r.Mutu)}}},
		{rowKinerja, "Kinerja unit pelayanan", []any{excelize.Cell{StyleID: st.bold, Value: r.Mutu.Kinerja()}}},
		{rowRespondents, "Jumlah responden", []any{excelize.Cell{StyleID: st.int, Value: r.Respondents}}},
		{rowTarget, "Target sampel (Krejcie-Morgan)", []any{target}},
		{rowWeight, "Bobot per unsur", []any{weight, weightNote}},
		{rowCheckTitle, "Pemeriksaan dengan rumus Excel", []any{"harus sama dengan angka di atas"}},
		{rowCheckSum, "Σ Nilai (rumus)", checkSum},
		{rowCheckAnswers, "Jumlah jawaban (rumus)", checkAnswers},
		{rowCheckNRR, "NRR (rumus)", checkNRR},
		{rowCheckIKM, "IKM tanpa pembulatan (rumus)", []any{excelize.Cell{Formula: ikmFormula, Value: ikmCached}}},
		{rowLegend, "Keterangan:", nil},
	}
	for _, rw := range rows {
		if !r.Valid && (rw.rel == rowIndex || rw.rel == rowIKM || rw.rel == rowIKMExact) {
			rw.values = nil // nothing answered: no index to print
		}
		if err := set(rw.rel, rw.label, rw.values...); err != nil {
			return err
		}
	}
	row := base + rowLegend + 1
	for i, key := range survey.Elements {
		if err := sw.SetRow(cell(1, row), []any{"U" + strconv.Itoa(i+1), key.OfficialName() + " (" + string(key) + ")"}); err != nil {
			return err
		}
		row++
	}
	notes := []string{
		"NRR = nilai rata-rata = Σ nilai / jumlah jawaban unsur itu (unsur yang tidak dijawab tidak dihitung).",
		"*) = Σ NRR tertimbang = Σ (NRR x bobot); **) = *) x 25.",
		"Mutu dari IKM yang dibulatkan ke 2 desimal: D di bawah 65,00; C di bawah 76,61; B di bawah 88,31; selain itu A (PermenPANRB 14/2017).",
	}
	for _, n := range notes {
		if err := sw.SetRow(cell(1, row), []any{n}); err != nil {
			return err
		}
		row++
	}
	row++
	head := []any{"Nilai persepsi", "Nilai interval (NI)", "Nilai interval konversi (NIK)", "", "Mutu pelayanan", "Kinerja unit pelayanan"}
	for i, h := range head {
		head[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow(cell(1, row), head); err != nil {
		return err
	}
	for _, b := range mutuBands {
		row++
		if err := sw.SetRow(cell(1, row), []any{b.Nilai, b.NI, b.NIK, nil, string(b.Mutu), b.Mutu.Kinerja()}); err != nil {
			return err
		}
	}
	return nil
}

func (x *workbook) suggestionsFooter() error {
	if x.suggRow == suggestionsHeaderRow {
		if err := x.sugg.SetRow(cell(1, suggestionsHeaderRow+1), []any{"Tidak ada saran pada periode ini."}); err != nil {
			return err
		}
	} else {
		last := cell(4+survey.NumElements, x.suggRow)
		if err := x.sugg.AddTable(&excelize.Table{Range: "A" + strconv.Itoa(suggestionsHeaderRow) + ":" + last, Name: "Saran", StyleName: "TableStyleLight9"}); err != nil {
			return err
		}
	}
	return x.sugg.Flush()
}

// sheetWriter writes rows of a sheet in normal (not streaming) mode.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	err   error
}

func (s *sheetWriter) set(col, row int, v any, style int) {
	if s.err != nil || v == nil {
		return
	}
	ref := cell(col, row)
	if s.err = s.f.SetCellValue(s.sheet, ref, v); s.err == nil && style != 0 {
		s.err = s.f.SetCellStyle(s.sheet, ref, ref, style)
	}
}

func (s *sheetWriter) row(row int, style int, values ...any) {
	for i, v := range values {
		s.set(i+1, row, v, style)
	}
}

// recap writes the table of all units and the city figures, both ways.
func (x *workbook) recap() error {
	c, st := x.rep.Summary, x.st
	s := &sheetWriter{f: x.f, sheet: SheetRecap}
	title := "REKAPITULASI INDEKS KEPUASAN MASYARAKAT " + strings.ToUpper(x.rep.City)
	if x.rep.Scope != "" {
		title += ", " + strings.ToUpper(x.rep.Scope)
	}
	s.set(1, 1, title, st.title)
	s.set(1, 2, "Periode: "+periodText(c.Period), 0)
	s.set(1, 3, "Cara hitung: PermenPANRB 14/2017; "+weightText(x.rep.Weighting), 0)
	if !x.rep.Generated.IsZero() {
		s.set(1, 4, "Dibuat: "+x.rep.Generated.Format("2006-01-02 15:04 MST"), 0)
	}
	s.row(recapHeaderRow, st.header, "No.", "Kode", "Nama unit", "Jenis", "Responden", "Target sampel", "Target tercapai", "IKM", "Mutu", "Kinerja")
	row := recapFirstRow
	for i, us := range c.Units {
		s.row(row, 0, i+1, us.Unit.Code, us.Unit.Name, x.rep.TypeName(us.Unit.Type))
		s.set(5, row, us.Tally.Respondents, st.int)
		if us.TargetKnown() {
			s.set(6, row, us.Target, st.int)
			reached := "ya"
			if us.BelowTarget() {
				reached = "belum"
			}
			s.set(7, row, reached, 0)
		}
		if us.Result.Valid {
			s.set(8, row, us.Result.IKM2, st.ikm)
			s.set(9, row, string(us.Result.Mutu), 0)
			s.set(10, row, us.Result.Mutu.Kinerja(), 0)
		}
		row++
	}
	row++
	cityRow := func(label string, ikm float64, m survey.Mutu, valid bool, note string) {
		s.set(3, row, label, st.bold)
		s.set(5, row, c.Respondents(), st.int)
		if valid {
			s.set(8, row, ikm, st.ikmBold)
			s.set(9, row, string(m), st.bold)
			s.set(10, row, m.Kinerja(), st.bold)
		}
		s.set(11, row, note, 0)
		row++
	}
	cityRow("IKM "+x.rep.scopeName()+", rata-rata IKM unit", c.MeanIKM2, c.MeanMutu, c.WithData > 0,
		fmt.Sprintf("rata-rata IKM %d unit yang punya responden; setiap unit berbobot sama", c.WithData))
	cityRow("IKM "+x.rep.scopeName()+", gabungan seluruh responden", c.Pooled.IKM2, c.Pooled.Mutu, c.Pooled.Valid,
		fmt.Sprintf("dihitung dari %d responden semua unit sekaligus; unit dengan banyak responden berbobot lebih", c.Respondents()))
	if total, ok := c.SampleTarget(); ok {
		s.set(3, row, "Jumlah target sampel", st.bold)
		s.set(6, row, total, st.int)
		row++
	}
	row++
	s.row(row, st.header, nil, nil, "Jenis unit", "Unit", "Responden", "Unit dengan responden", nil, "IKM gabungan", "Mutu", "IKM rata-rata unit", "Mutu")
	row++
	for _, g := range c.ByType {
		s.set(3, row, x.rep.TypeName(g.Type), 0)
		s.set(4, row, g.Units, st.int)
		s.set(5, row, g.Tally.Respondents, st.int)
		s.set(6, row, g.WithData, st.int)
		if g.Result.Valid {
			s.set(8, row, g.Result.IKM2, st.ikm)
			s.set(9, row, string(g.Result.Mutu), 0)
		}
		if g.WithData > 0 {
			s.set(10, row, g.MeanIKM2, st.ikm)
			s.set(11, row, string(g.MeanMutu), 0)
		}
		row++
	}
	row++
	s.set(1, row, "Peraturan tidak menetapkan cara menggabungkan unit; kedua cara ditampilkan dengan labelnya.", 0)
	if s.err != nil {
		return s.err
	}
	for _, w := range []struct {
		col   string
		width float64
	}{{"A", 6}, {"B", 18}, {"C", 48}, {"D", 18}, {"E", 11}, {"F", 13}, {"G", 12}, {"H", 9}, {"I", 7}, {"J", 13}, {"K", 13}} {
		if err := x.f.SetColWidth(SheetRecap, w.col, w.col, w.width); err != nil {
			return err
		}
	}
	return x.f.SetPanes(SheetRecap, &excelize.Panes{Freeze: true, YSplit: recapHeaderRow, TopLeftCell: cell(1, recapFirstRow), ActivePane: "bottomLeft"})
}

// allUnits is the scope of the city-wide profile rows; its space keeps it
// apart from every unit code.
const allUnits = "Semua unit"

// profile writes the profile of all units together and of each unit with
// respondents, as rep.Profiles publishes them: the counts shown, and per
// question the respondents not shown (survey.PublishProfile).
func (x *workbook) profile() error {
	st := x.st
	pr := x.rep.Profiles
	s := &sheetWriter{f: x.f, sheet: SheetProfile}
	s.set(1, 1, "PROFIL RESPONDEN SURVEI KEPUASAN MASYARAKAT "+strings.ToUpper(x.rep.City), st.title)
	s.set(1, 2, "Periode: "+periodText(x.rep.Summary.Period), 0)
	s.set(1, 3, profileNote(pr), 0)
	s.row(profileHeaderRow, st.header, "Lingkup", "Unit", "Profil", "Kategori", "Jumlah", "Persen")
	row := profileHeaderRow + 1
	write := func(code, name string, t survey.ProfileTable) {
		if why := noProfile(pr, t); why != "" {
			s.row(row, 0, code, name, nil, why)
			row++
			return
		}
		for _, g := range t.Rows {
			line := func(label string, n int) {
				s.row(row, 0, code, name, dimTitle(g.Dim), label)
				s.set(5, row, n, st.int)
				s.set(6, row, float64(n)/float64(t.Respondents), st.percent)
				row++
			}
			for _, c := range g.Cells {
				line(valueLabel(g.Dim, c.Value), c.Count)
			}
			if g.Hidden > 0 {
				line(hiddenLabel, g.Hidden)
			}
		}
	}
	write(allUnits, x.rep.scopeName(), pr.All)
	for i, us := range x.rep.Summary.Units {
		if us.Tally.Respondents > 0 {
			var t survey.ProfileTable
			if i < len(pr.Units) {
				t = pr.Units[i]
			}
			write(us.Unit.Code, us.Unit.Name, t)
		}
	}
	if s.err != nil {
		return s.err
	}
	for _, w := range []struct {
		col   string
		width float64
	}{{"A", 18}, {"B", 40}, {"C", 16}, {"D", 24}, {"E", 9}, {"F", 9}} {
		if err := x.f.SetColWidth(SheetProfile, w.col, w.col, w.width); err != nil {
			return err
		}
	}
	if err := x.f.AutoFilter(SheetProfile, "A"+strconv.Itoa(profileHeaderRow)+":F"+strconv.Itoa(row-1), nil); err != nil {
		return err
	}
	return x.f.SetPanes(SheetProfile, &excelize.Panes{Freeze: true, YSplit: profileHeaderRow, TopLeftCell: cell(1, profileHeaderRow+1), ActivePane: "bottomLeft"})
}
