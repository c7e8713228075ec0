package export

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/survey"
)

// The sheets of the extra questionnaires (SPKP -> IPKP, SPAK -> IPAK): for
// each, a recap of the units that ask it ("Rekap IPKP"), and for each such
// unit with respondents a sheet in the layout of the SKM's unit sheets
// ("IPKP CODE"): one row per respondent with the statements' scores, then
// the sums, answers and means per statement, the index as the city reports
// it, the check formulas and the legend. A city of the SKM alone has none.

// indexSheets are one questionnaire's sheets.
type indexSheets struct {
	is      survey.IndexSummary
	recap   string
	units   map[string]int     // unit code -> index in is.Units
	sheets  []*unitSheet       // by index in is.Units; nil without respondents
	tallies []survey.ItemTally // recounted from the responses, by index in is.Units
}

// indexRecapName is the recap sheet of an index; its space keeps it apart
// from every unit code.
func indexRecapName(x survey.Extra) string { return "Rekap " + x.Index }

// prefixedSheetName names a unit's sheet of an index, "IPKP CODE", cut to
// Excel's 31 characters like sheetName.
func prefixedSheetName(prefix, code string, taken map[string]bool) string {
	name := prefix + " " + code
	if len(name) > maxSheetName {
		name = name[:maxSheetName]
	}
	for n := 2; taken[strings.ToUpper(name)]; n++ {
		suffix := "~" + strconv.Itoa(n)
		name = (prefix + " " + code)[:min(len(prefix)+1+len(code), maxSheetName-len(suffix))] + suffix
	}
	taken[strings.ToUpper(name)] = true
	return name
}

// setupIndexes makes the sheets of every index of the report, after the
// unit sheets.
func (x *workbook) setupIndexes(taken map[string]bool) error {
	for _, is := range x.rep.Indexes {
		s := &indexSheets{is: is, recap: indexRecapName(is.Extra), units: map[string]int{},
			sheets: make([]*unitSheet, len(is.Units)), tallies: make([]survey.ItemTally, len(is.Units))}
		taken[strings.ToUpper(s.recap)] = true
		if _, err := x.f.NewSheet(s.recap); err != nil {
			return err
		}
		for i, iu := range is.Units {
			s.units[iu.Unit.Code] = i
			s.tallies[i] = survey.NewItemTally(is.Extra.Questionnaire)
			if iu.Tally.Respondents == 0 {
				continue
			}
			name := prefixedSheetName(is.Extra.Index, iu.Unit.Code, taken)
			if _, err := x.f.NewSheet(name); err != nil {
				return err
			}
			sw, err := x.f.NewStreamWriter(name)
			if err != nil {
				return err
			}
			s.sheets[i] = &unitSheet{name: name, sw: sw}
			if err := x.indexHeader(sw, is.Extra, iu.Unit); err != nil {
				return fmt.Errorf("sheet %s: %w", name, err)
			}
		}
		x.indexes = append(x.indexes, s)
	}
	return nil
}

// indexHeader writes the lines above a unit's respondents of an index.
func (x *workbook) indexHeader(sw *excelize.StreamWriter, xt survey.Extra, u survey.Unit) error {
	n := len(xt.Items)
	for _, c := range []struct {
		from, to int
		width    float64
	}{{1, 1, 14}, {2, 2, 24}, {scoreCol, scoreCol + n - 1, 12}, {scoreCol + n, scoreCol + n, 40}} {
		if err := sw.SetColWidth(c.from, c.to, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: unitKeyRow, TopLeftCell: cell(1, unitFirstRow), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	lines := [][]any{
		{excelize.Cell{StyleID: x.st.title, Value: "PENGOLAHAN DATA " + strings.ToUpper(xt.Name) + " (" + xt.Index + ") PER RESPONDEN DAN PER PERNYATAAN"}},
		{"Unit pelayanan: " + u.Name + " (" + u.Code + "), " + x.rep.TypeName(u.Type) + ", " + x.rep.City},
		{"Periode: " + periodText(x.rep.Summary.Period) + "; " + indexMethodText(xt)},
	}
	for i, l := range lines {
		if err := sw.SetRow(cell(1, i+1), l); err != nil {
			return err
		}
	}
	head := []any{excelize.Cell{StyleID: x.st.header, Value: "No. Resp."}, excelize.Cell{StyleID: x.st.header, Value: "Tanggal"}}
	keys := []any{excelize.Cell{StyleID: x.st.header}, excelize.Cell{StyleID: x.st.header}}
	for i, it := range xt.Items {
		head = append(head, excelize.Cell{StyleID: x.st.header, Value: "P" + strconv.Itoa(i+1)})
		keys = append(keys, excelize.Cell{StyleID: x.st.header, Value: it.Key})
	}
	if err := sw.SetRow(cell(1, unitHeaderRow), head, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	return sw.SetRow(cell(1, unitKeyRow), keys)
}

// indexMethodText says how an index is computed and reported.
func indexMethodText(xt survey.Extra) string {
	s := "skala 1-" + strconv.Itoa(xt.Scale) + "; indeks = rata-rata dari rata-rata tiap pernyataan"
	if xt.Report == survey.Report100 {
		s += ", dikonversi ke 100 (x 100/" + strconv.Itoa(xt.Scale) + ")"
	} else {
		s += ", dilaporkan pada skala 1-" + strconv.Itoa(xt.Scale)
	}
	if xt.Bands {
		s += "; mutu menurut tabel PermenPANRB 14/2017"
	}
	return s
}

// addIndexes takes one raw response's answers to the extra questionnaires;
// day is its date as the unit sheets print it.
func (x *workbook) addIndexes(r survey.Response, day any) error {
	for _, s := range x.indexes {
		i, ok := s.units[r.Unit]
		if !ok {
			continue
		}
		b, ok := survey.BlockOf(r.Blocks, s.is.Extra.Key)
		if !ok || b.Scale != s.is.Extra.Scale {
			continue // answers on another scale are counted apart (survey.Extra.TallyKey)
		}
		sh := s.sheets[i]
		if sh == nil {
			return fmt.Errorf("%w: unit %s has %s answers in %s but none in the summary", ErrMismatch, r.Unit, s.is.Extra.Index, x.sc.period.Label)
		}
		s.tallies[i].Add(b.Scores)
		sh.n++
		row := []any{sh.n, excelize.Cell{StyleID: x.st.date, Value: day}}
		for _, v := range b.Scores {
			if v == 0 {
				row = append(row, nil)
			} else {
				row = append(row, v)
			}
		}
		if err := sh.sw.SetRow(cell(1, unitFirstRow+sh.n-1), row); err != nil {
			return fmt.Errorf("export: xlsx: sheet %s: %w", sh.name, err)
		}
	}
	return nil
}

// finishIndexes checks the recounts against the summaries and writes the
// totals of every index sheet and the recaps.
func (x *workbook) finishIndexes() error {
	for _, s := range x.indexes {
		for i, iu := range s.is.Units {
			if !s.tallies[i].Equal(iu.Tally) {
				return fmt.Errorf("%w: unit %s, %s in %s: %d responses here, %d in the summary, or their scores differ; run ikmbot check",
					ErrMismatch, iu.Unit.Code, s.is.Extra.Index, x.sc.period.Label, s.tallies[i].Respondents, iu.Tally.Respondents)
			}
			if sh := s.sheets[i]; sh != nil {
				if err := x.indexSummary(sh, s.is.Extra, iu.Result); err != nil {
					return fmt.Errorf("export: xlsx: sheet %s: %w", sh.name, err)
				}
				if err := sh.sw.Flush(); err != nil {
					return fmt.Errorf("export: xlsx: sheet %s: %w", sh.name, err)
				}
			}
		}
		if err := x.indexRecap(s); err != nil {
			return fmt.Errorf("export: xlsx: sheet %s: %w", s.recap, err)
		}
	}
	return nil
}

// indexSummary writes the totals under a unit's respondents of an index,
// as unitSummary does for the SKM.
func (x *workbook) indexSummary(sh *unitSheet, xt survey.Extra, r survey.IndexResult) error {
	sw, st := sh.sw, x.st
	base := unitFirstRow + sh.n
	first, last := unitFirstRow, unitFirstRow+sh.n-1
	n := len(xt.Items)
	row := base
	set := func(label string, values ...any) error {
		if err := sw.MergeCell(cell(1, row), cell(2, row)); err != nil {
			return err
		}
		err := sw.SetRow(cell(1, row), append([]any{excelize.Cell{StyleID: st.bold, Value: label}, nil}, values...))
		row++
		return err
	}
	perItem := func(f func(it survey.ItemResult) any) []any {
		out := make([]any, 0, n)
		for _, it := range r.Items {
			if it.Answers == 0 {
				out = append(out, nil)
				continue
			}
			out = append(out, f(it))
		}
		return out
	}
	scoreRange := func(col int) string {
		c := colName(col)
		return c + strconv.Itoa(first) + ":" + c + strconv.Itoa(last)
	}
	conv := "1"
	if xt.Report == survey.Report100 {
		conv = "100/" + strconv.Itoa(xt.Scale)
	}
	var checkSum, checkAnswers, checkMean []any
	for i, it := range r.Items {
		rg := scoreRange(scoreCol + i)
		checkSum = append(checkSum, excelize.Cell{StyleID: st.int, Formula: "SUM(" + rg + ")", Value: it.Sum})
		checkAnswers = append(checkAnswers, excelize.Cell{StyleID: st.int, Formula: "COUNT(" + rg + ")", Value: it.Answers})
		mean := any("")
		if it.Answers > 0 {
			mean = it.Mean
		}
		checkMean = append(checkMean, excelize.Cell{StyleID: st.nrr, Formula: "IF(COUNT(" + rg + ")=0,\"\",AVERAGE(" + rg + "))", Value: mean})
	}
	cached := any("")
	if r.Valid {
		cached = r.Value
	}
	rows := []struct {
		label  string
		values []any
	}{
		{"Σ Nilai/Pernyataan", perItem(func(it survey.ItemResult) any { return excelize.Cell{StyleID: st.int, Value: it.Sum} })},
		{"Jumlah jawaban/Pernyataan", perItem(func(it survey.ItemResult) any { return excelize.Cell{StyleID: st.int, Value: it.Answers} })},
		{"Rata-rata/Pernyataan (skala 1-" + strconv.Itoa(xt.Scale) + ")", perItem(func(it survey.ItemResult) any { return excelize.Cell{StyleID: st.nrr, Value: it.Mean} })},
	}
	if xt.Report == survey.Report100 {
		rows = append(rows, struct {
			label  string
			values []any
		}{"Nilai/Pernyataan (x " + conv + ")", perItem(func(it survey.ItemResult) any { return excelize.Cell{StyleID: st.ikm, Value: it.Value2} })})
	}
	if xt.Bands {
		rows = append(rows, struct {
			label  string
			values []any
		}{"Mutu/Pernyataan", perItem(func(it survey.ItemResult) any { return string(it.Mutu) })})
	}
	var index, value, exact, mutu, kinerja []any
	if r.Valid {
		index = []any{excelize.Cell{StyleID: st.nrr, Value: r.Mean}}
		value = []any{excelize.Cell{StyleID: st.ikmBold, Value: r.Value2}, "dibulatkan ke atas pada 0,005 dari nilai eksak"}
		exact = []any{r.Value}
		mutu = []any{excelize.Cell{StyleID: st.bold, Value: string(r.Mutu)}}
		kinerja = []any{excelize.Cell{StyleID: st.bold, Value: r.Mutu.Kinerja()}}
	}
	rows = append(rows, []struct {
		label  string
		values []any
	}{
		{"*) Rata-rata dari rata-rata pernyataan", index},
		{"**) " + xt.Index + " Unit Pelayanan", value},
		{xt.Index + " tanpa pembulatan", exact},
		{"Jumlah responden", []any{excelize.Cell{StyleID: st.int, Value: r.Respondents}}},
		{"Cara hitung", []any{indexMethodText(xt)}},
	}...)
	if xt.Bands {
		rows = append(rows, []struct {
			label  string
			values []any
		}{{"Mutu", mutu}, {"Kinerja", kinerja}}...)
	}
	rows = append(rows, []struct {
		label  string
		values []any
	}{
		{"", nil},
		{"Pemeriksaan dengan rumus Excel", []any{"harus sama dengan angka di atas"}},
		{"Σ Nilai (rumus)", checkSum},
		{"Jumlah jawaban (rumus)", checkAnswers},
		{"Rata-rata (rumus)", checkMean},
		{xt.Index + " tanpa pembulatan (rumus)", nil}, // the formula below, over the row above
		{"", nil},
		{"Keterangan:", nil},
	}...)
	// Every entry is one row, so the row of the means is base plus its
	// position.
	for i, rw := range rows {
		if rw.label == "Rata-rata (rumus)" {
			meanRow := strconv.Itoa(base + i)
			meanRange := colName(scoreCol) + meanRow + ":" + colName(scoreCol+n-1) + meanRow
			rows[i+1].values = []any{excelize.Cell{Formula: "IF(COUNT(" + meanRange + ")=0,\"\",AVERAGE(" + meanRange + ")*" + conv + ")", Value: cached}}
		}
	}
	for _, rw := range rows {
		if rw.label == "" {
			row++
			continue
		}
		if err := set(rw.label, rw.values...); err != nil {
			return err
		}
	}
	for i, it := range xt.Items {
		if err := sw.SetRow(cell(1, row), []any{"P" + strconv.Itoa(i+1), it.Name + " (" + it.Key + ")"}); err != nil {
			return err
		}
		row++
	}
	notes := []string{
		"Nilai 1 (sangat tidak setuju) s.d. " + strconv.Itoa(xt.Scale) + " (sangat setuju); pernyataan yang tidak dijawab tidak dihitung.",
		"*) = rata-rata dari rata-rata tiap pernyataan yang dijawab; **) = *) x " + conv + ", dibulatkan ke 2 desimal.",
		"Tidak ada rumus resmi untuk indeks ini; cara hitung dan konversinya ditetapkan dalam konfigurasi kota.",
	}
	for _, t := range notes {
		if err := sw.SetRow(cell(1, row), []any{t}); err != nil {
			return err
		}
		row++
	}
	return nil
}

// indexRecap writes the recap of one index: every unit that asks it, and
// the scope's figure both ways.
func (x *workbook) indexRecap(s *indexSheets) error {
	is, st := s.is, x.st
	xt := is.Extra
	w := &sheetWriter{f: x.f, sheet: s.recap}
	title := "REKAPITULASI " + strings.ToUpper(xt.Name) + " (" + xt.Index + ") " + strings.ToUpper(x.rep.City)
	if x.rep.Scope != "" {
		title += ", " + strings.ToUpper(x.rep.Scope)
	}
	w.set(1, 1, title, st.title)
	w.set(1, 2, "Periode: "+periodText(is.Period), 0)
	w.set(1, 3, "Cara hitung: "+indexMethodText(xt), 0)
	w.row(recapHeaderRow, st.header, "No.", "Kode", "Nama unit", "Jenis", "Responden", xt.Index, "Mutu", "Kinerja")
	row := recapFirstRow
	for i, iu := range is.Units {
		w.row(row, 0, i+1, iu.Unit.Code, iu.Unit.Name, x.rep.TypeName(iu.Unit.Type))
		w.set(5, row, iu.Result.Respondents, st.int)
		if iu.Result.Valid {
			w.set(6, row, iu.Result.Value2, st.ikm)
			if iu.Result.Mutu != "" {
				w.set(7, row, string(iu.Result.Mutu), 0)
				w.set(8, row, iu.Result.Mutu.Kinerja(), 0)
			}
		}
		row++
	}
	row++
	scopeRow := func(label string, v float64, m survey.Mutu, valid bool, note string) {
		w.set(3, row, label, st.bold)
		w.set(5, row, is.Respondents(), st.int)
		if valid {
			w.set(6, row, v, st.ikmBold)
			if m != "" {
				w.set(7, row, string(m), st.bold)
				w.set(8, row, m.Kinerja(), st.bold)
			}
		}
		w.set(9, row, note, 0)
		row++
	}
	scopeRow(xt.Index+" "+x.rep.scopeName()+", rata-rata unit", is.MeanValue2, is.MeanMutu, is.WithData > 0,
		fmt.Sprintf("rata-rata %s %d unit yang punya responden; setiap unit berbobot sama", xt.Index, is.WithData))
	scopeRow(xt.Index+" "+x.rep.scopeName()+", gabungan seluruh responden", is.Pooled.Value2, is.Pooled.Mutu, is.Pooled.Valid,
		fmt.Sprintf("dihitung dari %d responden semua unit sekaligus", is.Respondents()))
	row++
	w.set(1, row, "Responden "+xt.Index+" adalah yang mengisi paling sedikit satu pernyataannya; bagian ini boleh dilewati, jadi jumlahnya bisa lebih kecil dari responden IKM.", 0)
	if w.err != nil {
		return w.err
	}
	for _, c := range []struct {
		col   string
		width float64
	}{{"A", 6}, {"B", 18}, {"C", 48}, {"D", 18}, {"E", 11}, {"F", 10}, {"G", 7}, {"H", 13}, {"I", 13}} {
		if err := x.f.SetColWidth(s.recap, c.col, c.col, c.width); err != nil {
			return err
		}
	}
	return x.f.SetPanes(s.recap, &excelize.Panes{Freeze: true, YSplit: recapHeaderRow, TopLeftCell: cell(1, recapFirstRow), ActivePane: "bottomLeft"})
}

// IndexChart draws an extra questionnaire's index as ElementChart draws
// the SKM: each statement's mean as a horizontal bar on the
// questionnaire's scale (1 to Scale), labelled with its value as the index
// is reported (and its grade, with the SKM bands, whose edges are then
// drawn too). title names the unit (or the city); the subtitle gives the
// period, the index's own respondents and the index.
func IndexChart(title string, p survey.Period, r survey.IndexResult) ([]byte, error) {
	const (
		rowPitch = 112.0
		barH     = 46.0
		valueW   = 190.0
	)
	xt := r.Extra
	if xt.Questionnaire == nil || !survey.ValidScale(xt.Scale) {
		return nil, fmt.Errorf("export: index chart: no questionnaire or scale")
	}
	top, err := headerHeight(title, "x")
	if err != nil {
		return nil, err
	}
	n := float64(len(xt.Items))
	h := top + 44 + rowPitch*n + 70 + 60 + chartMargin
	c, err := newCanvas(ChartWidth, int(h), 1)
	if err != nil {
		return nil, err
	}
	sub := xt.Index
	if r.Valid {
		sub += " " + indexFigure(xt, r.Value2, r.Mutu)
	}
	sub += " · " + strconv.Itoa(r.Respondents) + " responden · periode " + p.Label + " · " + xt.Name
	y := header(c, title, sub)
	scale := float64(xt.Scale)
	x0, x1 := chartMargin, ChartWidth-chartMargin-valueW
	xOf := func(mean float64) float64 { return x0 + (mean-1)/(scale-1)*(x1-x0) }
	plotTop, plotBottom := y+44, y+44+rowPitch*n
	if xt.Bands {
		// The SKM's bands on the figure out of 100: mean = value x scale / 100.
		for i, b := range mutuBands {
			hi := scale
			if i > 0 {
				hi = mutuBands[i-1].MinIKM * scale / 100
			}
			lo := math.Max(1, b.MinIKM*scale/100)
			c.rect(xOf(lo), plotTop, xOf(hi)-xOf(lo), plotBottom-plotTop, bandColour(b.Mutu))
			c.text((xOf(lo)+xOf(hi))/2, y, axisSize, true, mutuColour(b.Mutu), string(b.Mutu), centre)
			if i < len(mutuBands)-1 {
				c.dashedV(xOf(lo), plotTop, plotBottom, 3, grey)
			}
		}
	}
	for i, it := range r.Items {
		ry := plotTop + float64(i)*rowPitch + 10
		c.label(x0+8, ry, labelSize, false, ink, c.fc.fitText("P"+strconv.Itoa(i+1)+" "+xt.Items[i].Name, labelSize, false, x1-x0-16), left)
		by := ry + labelSize + 12
		if it.Answers == 0 {
			c.text(x0+8, by+8, valueSize, false, grey, "tidak ada jawaban", left)
			continue
		}
		end := xOf(it.Mean)
		c.rect(x0, by, math.Max(end-x0, 4), barH, navy)
		c.label(end+12, by+(barH-valueSize)/2, valueSize, true, ink, indexFigure(xt, it.Value2, it.Mutu), left)
	}
	ay := plotBottom + 12
	for v := 1; v <= xt.Scale; v++ {
		c.rect(xOf(float64(v))-1, plotBottom, 2, 10, ink)
		c.text(xOf(float64(v)), ay, axisSize, false, ink, strconv.Itoa(v), centre)
	}
	c.text(xOf(scale)+28, ay, axisSize, false, grey, "rata-rata", left)
	foot := xt.Index + ": " + indexMethodText(xt)
	c.text(chartMargin, h-chartMargin, footSize, false, grey, c.fc.fitText(foot, footSize, false, ChartWidth-2*chartMargin), left)
	return c.png()
}

// indexFigure prints an index figure as it is reported: "4,69 dari 6", or
// "90,83" with its grade.
func indexFigure(xt survey.Extra, v float64, m survey.Mutu) string {
	s := num(v)
	if xt.Report == survey.ReportMean {
		s += " dari " + strconv.Itoa(xt.Scale)
	}
	if m != "" {
		s += " " + string(m)
	}
	return s
}
