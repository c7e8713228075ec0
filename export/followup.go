package export

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/survey"
)

// SheetFollowUps is the sheet of follow-up plans (rencana tindak lanjut).
const SheetFollowUps = "Rencana Tindak Lanjut"

// followUpsHeaderRow is the header row of SheetFollowUps; plans follow it.
const followUpsHeaderRow = 4

// statusText prints a plan's status as the bot's Indonesian screens do.
func statusText(s string) string {
	switch s {
	case survey.FollowUpOpen:
		return "direncanakan"
	case survey.FollowUpProgress:
		return "berjalan"
	case survey.FollowUpDone:
		return "selesai"
	}
	return s
}

// followUps writes SheetFollowUps: every plan of rep.FollowUps whose unit
// is in the summary, by unit in the summary's order and then by number.
// Plans carry no period, so they are all printed, open and done alike.
func (x *workbook) followUps() error {
	st := x.st
	s := &sheetWriter{f: x.f, sheet: SheetFollowUps}
	s.set(1, 1, "RENCANA TINDAK LANJUT HASIL SURVEI KEPUASAN MASYARAKAT "+strings.ToUpper(x.rep.City), st.title)
	s.set(1, 2, "Dicetak bersama IKM periode "+periodText(x.rep.Summary.Period)+"; rencana tidak terikat periode, semua ditampilkan.", 0)
	s.row(followUpsHeaderRow, st.header, "No.", "Kode unit", "Unit", "Unsur", "Rencana tindak lanjut", "Penanggung jawab", "Tenggat", "Status", "Dicatat", "Diperbarui", "Selesai", "Hari sampai selesai")
	byUnit := map[string][]survey.FollowUp{}
	for _, f := range x.rep.FollowUps {
		byUnit[f.Unit] = append(byUnit[f.Unit], f)
	}
	var printed []survey.FollowUp
	for _, us := range x.rep.Summary.Units {
		printed = append(printed, byUnit[us.Unit.Code]...)
	}
	// What the service evaluation (PEKPPP) scores: the share done, and how
	// fast, from the day a plan was recorded to the day it was done.
	if stats := survey.SummarizeFollowUps(printed); stats.Planned > 0 {
		share, _ := stats.Share()
		line := fmt.Sprintf("Selesai: %d dari %d rencana (%s %%)", stats.Done, stats.Planned, strings.Replace(strconv.FormatFloat(share, 'f', 2, 64), ".", ",", 1))
		if stats.Done > 0 {
			line += fmt.Sprintf("; selesai dalam 30 hari: %d; median hari sampai selesai: %d", stats.DoneWithinMonth, stats.MedianDays)
		}
		s.set(1, 3, line+".", 0)
	}
	row := followUpsHeaderRow + 1
	for _, us := range x.rep.Summary.Units {
		for _, f := range byUnit[us.Unit.Code] {
			s.row(row, 0, "#"+strconv.FormatUint(f.Seq, 10), us.Unit.Code, us.Unit.Name, f.Element.OfficialName())
			s.set(5, row, f.Action, st.wrap)
			s.set(6, row, f.Owner, 0)
			day := func(col int, t time.Time) {
				if !t.IsZero() {
					s.set(col, row, localDay(t, x.rep.Summary.Period), st.date)
				}
			}
			day(7, f.Due)
			s.set(8, row, statusText(f.Status), 0)
			day(9, f.Created)
			day(10, f.Updated)
			if days, ok := f.DaysToComplete(); ok {
				day(11, f.Done)
				s.set(12, row, days, 0)
			}
			row++
		}
	}
	if row == followUpsHeaderRow+1 {
		s.set(1, row, "Belum ada rencana tindak lanjut.", 0)
	}
	if s.err != nil {
		return s.err
	}
	for _, w := range []struct {
		col   string
		width float64
	}{{"A", 6}, {"B", 18}, {"C", 36}, {"D", 22}, {"E", 60}, {"F", 24}, {"G", 12}, {"H", 13}, {"I", 12}, {"J", 12}, {"K", 12}, {"L", 10}} {
		if err := x.f.SetColWidth(SheetFollowUps, w.col, w.col, w.width); err != nil {
			return err
		}
	}
	return x.f.SetPanes(SheetFollowUps, &excelize.Panes{Freeze: true, YSplit: followUpsHeaderRow, TopLeftCell: cell(1, followUpsHeaderRow+1), ActivePane: "bottomLeft"})
}
