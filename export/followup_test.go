package export

import (
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/survey"
)

// TestXLSXFollowUps writes plans of two units and one outside the summary,
// and reads SheetFollowUps back cell by cell.
func TestXLSXFollowUps(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, jakarta) }
	rep.FollowUps = []survey.FollowUp{
		{Unit: "PKM-JATIBENING", Seq: 1, Element: survey.Sarana, Action: "Pasang kipas di ruang tunggu", Owner: "Kepala TU",
			Due: day(7, 31), Status: "progress", Created: day(5, 21), Updated: day(6, 2)},
		{Unit: "NOT-IN-SUMMARY", Seq: 1, Element: survey.Waktu, Action: "rahasia unit lain", Status: "open", Created: day(5, 1)},
		{Unit: "DISDUKCAPIL", Seq: 1, Element: survey.Waktu, Action: "=tambah loket", Owner: "Kabid Pelayanan",
			Due: day(6, 30), Status: "open", Created: day(4, 2)},
		{Unit: "DISDUKCAPIL", Seq: 2, Element: survey.Pengaduan, Action: "Buka kanal pengaduan WhatsApp", Owner: "Sekretaris",
			Status: "done", Created: day(4, 3), Updated: day(5, 10), Done: day(5, 8)},
	}
	f := book(t, rep, rs)
	s := sheetCells{t, f, SheetFollowUps}
	for i, h := range []string{"No.", "Kode unit", "Unit", "Unsur", "Rencana tindak lanjut", "Penanggung jawab", "Tenggat", "Status", "Dicatat", "Diperbarui", "Selesai", "Hari sampai selesai"} {
		s.wantStr(cell(i+1, followUpsHeaderRow), h)
	}
	type want struct {
		no, code, unit, element, action, owner string
		due                                    float64 // 0: empty
		status                                 string
		created, updated                       float64
	}
	rows := []want{
		// The summary's unit order, then the plan's number.
		{"#1", "DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", survey.Waktu.OfficialName(), "=tambah loket", "Kabid Pelayanan",
			excelDate(2026, 6, 30), "direncanakan", excelDate(2026, 4, 2), 0},
		{"#2", "DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", survey.Pengaduan.OfficialName(), "Buka kanal pengaduan WhatsApp", "Sekretaris",
			0, "selesai", excelDate(2026, 4, 3), excelDate(2026, 5, 10)},
		{"#1", "PKM-JATIBENING", "Puskesmas Jatibening", survey.Sarana.OfficialName(), "Pasang kipas di ruang tunggu", "Kepala TU",
			excelDate(2026, 7, 31), "berjalan", excelDate(2026, 5, 21), excelDate(2026, 6, 2)},
	}
	for i, w := range rows {
		r := strconv.Itoa(followUpsHeaderRow + 1 + i)
		s.wantStr("A"+r, w.no)
		s.wantStr("B"+r, w.code)
		s.wantStr("C"+r, w.unit)
		s.wantStr("D"+r, w.element)
		s.wantStr("E"+r, w.action)
		s.wantStr("F"+r, w.owner)
		if w.due == 0 {
			s.wantStr("G"+r, "")
		} else {
			s.wantNum("G"+r, w.due)
		}
		s.wantStr("H"+r, w.status)
		s.wantNum("I"+r, w.created)
		if w.updated == 0 {
			s.wantStr("J"+r, "")
		} else {
			s.wantNum("J"+r, w.updated)
		}
		if w.status == "selesai" {
			s.wantNum("K"+r, excelDate(2026, 5, 8))
			s.wantNum("L"+r, 35) // 3 April to 8 May
		} else {
			s.wantStr("K"+r, "")
			s.wantStr("L"+r, "")
		}
	}
	// The three plans of the summary's units: one done, in 35 days.
	s.wantStr("A3", "Selesai: 1 dari 3 rencana (33,33 %); selesai dalam 30 hari: 0; median hari sampai selesai: 35.")
	// A plan's text is a string even when it looks like a formula.
	if formula, _ := f.GetCellFormula(SheetFollowUps, "E"+strconv.Itoa(followUpsHeaderRow+1)); formula != "" {
		t.Errorf("a typed action became the formula %q", formula)
	}
	all, err := f.GetRows(SheetFollowUps, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(all); got != followUpsHeaderRow+len(rows) {
		t.Errorf("%d rows, want %d: the plan of a unit outside the summary must not be printed", got, followUpsHeaderRow+len(rows))
	}
	for _, row := range all {
		for _, c := range row {
			if c == "rahasia unit lain" || c == "NOT-IN-SUMMARY" {
				t.Errorf("SheetFollowUps carries %q of a unit outside the summary", c)
			}
		}
	}
}

func TestXLSXNoFollowUps(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	s := sheetCells{t, book(t, rep, rs), SheetFollowUps}
	s.wantStr(cell(1, followUpsHeaderRow+1), "Belum ada rencana tindak lanjut.")
}

// TestXLSXScope labels the recap's totals with the scope, not the city.
func TestXLSXScope(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	rep.Scope = "Unit saya"
	s := sheetCells{t, book(t, rep, rs), SheetRecap}
	s.wantStr("A1", "REKAPITULASI INDEKS KEPUASAN MASYARAKAT KOTA BEKASI, UNIT SAYA")
	s.wantStr("C"+strconv.Itoa(recapFirstRow+len(testUnits)+1), "IKM Unit saya, rata-rata IKM unit")
	s.wantStr("C"+strconv.Itoa(recapFirstRow+len(testUnits)+2), "IKM Unit saya, gabungan seluruh responden")
}
