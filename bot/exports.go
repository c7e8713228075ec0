package bot

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/export"
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// Exports in the chat: the /ikm screens of the city, a unit type, a unit
// and a unit admin's units carry a row of buttons that send the files of
// export for the scope and period on screen. Their data names the
// scope like the screen's own (view.go) and is checked the same way, so a
// unit admin exports only their units: the summary, and so every sheet,
// chart and poster, is built from those units alone.
//
//	xc:<F>:<P>          the city
//	xt:<F>:<type>:<P>   one unit type
//	xu:<F>:<unit>:<P>   one unit
//	xm:<F>:<P>          a unit admin's own units (the city for a city admin)
//
// <F> is the file: x XLSX, c CSV, g charts, p publication posters. The
// press is audited in its own transaction; the files are drawn after the
// commit (telegram.Sender.Render), each in a read transaction of its own.

// Export formats, as they appear in callback data.
const (
	exportXLSX   = 'x'
	exportCSV    = 'c'
	exportCharts = 'g'
	exportPoster = 'p'
)

func validExportFormat(s string) bool { return len(s) == 1 && strings.Contains("xcgp", s) }

// encodeExport is the data of the export button of view v's scope.
func encodeExport(v view, format byte) string {
	f := string(format)
	p := encodePeriod(v.period)
	switch v.kind {
	case 't', 'u':
		return "x" + string(v.kind) + ":" + f + ":" + v.arg + ":" + p
	}
	return "x" + string(v.kind) + ":" + f + ":" + p
}

// exportRow is the row of export buttons under a screen of scope v.
func (c *conv) exportRow(v view) []models.InlineKeyboardButton {
	return []models.InlineKeyboardButton{
		telegram.Button(c.t.text("export.btn_xlsx", nil), encodeExport(v, exportXLSX)),
		telegram.Button(c.t.text("export.btn_csv", nil), encodeExport(v, exportCSV)),
		telegram.Button(c.t.text("export.btn_charts", nil), encodeExport(v, exportCharts)),
		telegram.Button(c.t.text("export.btn_poster", nil), encodeExport(v, exportPoster)),
	}
}

// chartPeriods is how many periods a trend chart shows, the chosen one last.
const chartPeriods = 5

// maxDocument is the largest file a bot may send through the public Bot
// API (50 MB), less a margin.
const maxDocument = 49 << 20

// exportScope is what one export covers.
type exportScope struct {
	units []survey.Unit
	one   bool   // a single unit: a unit's charts and poster
	name  string // in file names: the unit code, the type key, semua-unit or unit-saya
	// title names the scope in the files, in Indonesian as units publish
	// them: the unit's name, the type's name, the units' codes; empty for
	// the city (export.Report.Scope).
	title string
	label string // names the scope in the chat's language, for captions
	audit string // the unit code for the audit log, when there is one
	// raw is how much of the profile the raw responses (CSV) carry: the
	// age band for a city admin, nothing for a unit admin, whose staff
	// served the respondents (export.RawProfile).
	raw export.RawProfile
}

// exportScope resolves the scope an export button names, for a role that
// adminPress has already checked against it; ok is false for a unit type
// that does not exist.
func (c *conv) exportScope(v view, r role) (exportScope, bool) {
	switch {
	case v.kind == 'u':
		u, _ := c.b.cfg.Catalog.Unit(v.arg)
		return exportScope{units: []survey.Unit{u}, one: true, name: u.Code, title: u.Name, label: u.Name, audit: u.Code}, true
	case v.kind == 't':
		t := survey.UnitType(v.arg)
		units := c.b.cfg.Catalog.OfType(t)
		if len(units) == 0 {
			return exportScope{}, false
		}
		return exportScope{units: units, name: v.arg, title: posterTypeName(c.b.cfg.TypeNames, t), label: c.typeName(t)}, true
	case v.kind == 'm' && !r.city:
		var codes []string
		for _, u := range r.units {
			codes = append(codes, u.Code)
		}
		s := exportScope{units: r.units, name: "unit-saya", title: "unit " + strings.Join(codes, ", "), label: strings.Join(codes, ", ")}
		if len(r.units) == 1 {
			s.one, s.name, s.title, s.label, s.audit = true, r.units[0].Code, r.units[0].Name, r.units[0].Name, r.units[0].Code
		}
		return s, true
	}
	// The city, and a city admin's "own units".
	return exportScope{units: c.b.cfg.Catalog.Units(), name: "semua-unit", label: c.b.cfg.City}, true
}

// exportFile is one file an export sends.
type exportFile struct {
	kind    telegram.Method
	name    string
	caption string
	draw    func() ([]byte, error)
}

// exportPress answers an export button: adminPress has checked the role
// against the unit it names, and the city-wide scopes against a city
// admin. Nothing is sent for a scope without respondents in the period.
func (c *conv) exportPress(d adminData, r role) error {
	sc, ok := c.exportScope(d.v, r)
	if !ok {
		c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
		return nil
	}
	if r.city {
		sc.raw = export.ProfileBanded
	}
	p := d.v.period
	sum, err := report.Summary(c.tx, sc.units, p, c.b.cfg.Weighting)
	if err != nil {
		return err
	}
	if sum.WithData == 0 {
		c.out.Answer(c.in.CallbackID, c.t.text("export.empty", map[string]any{"Period": p.Label}), true)
		return nil
	}
	files := c.b.exportFiles(d.format, sc, p, c.now, c.t)
	var names []string
	for _, f := range files {
		names = append(names, f.name)
	}
	detail := strings.Join(names, ", ")
	if d.v.kind == 'm' && !r.city && !sc.one {
		// The count first: /audit shows a detail cut short, and a unit
		// admin may have dozens of units.
		detail += " (" + itoa(len(sc.units)) + " unit: " + sc.label + ")"
	}
	if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditExport, Unit: sc.audit, Detail: detail}); err != nil {
		return err
	}
	c.b.log.Info("export requested", "format", string(d.format), "scope", string(d.v.kind), "units", len(sc.units), "period", p.Label)
	c.out.Answer(c.in.CallbackID, c.t.text("export.preparing", nil), false)
	for _, f := range files {
		failed := c.t.text("export.failed", map[string]any{"File": esc(f.name)})
		c.out.SendFile(f.kind, c.in.ChatID, f.name, f.caption, failed, f.draw)
	}
	return nil
}

// exportFiles lists the files of one export, each with the function that
// draws it after the commit: a unit's poster comes as a photo and an A4
// PDF, the posters of several units as one PDF, a page each.
func (b *Bot) exportFiles(format byte, sc exportScope, p survey.Period, at time.Time, t texts) []exportFile {
	data := map[string]any{"Scope": esc(sc.label), "Period": p.Label}
	caption := func(id string) string { return t.text(id, data) }
	base := func(what, ext string) string { return sc.name + "-" + what + "-" + encodePeriod(p) + "." + ext }
	switch format {
	case exportXLSX, exportCSV:
		name, id := base("skm", "xlsx"), "export.caption_xlsx"
		if format == exportCSV {
			name, id = base("responden", "csv"), "export.caption_csv"
		}
		return []exportFile{{telegram.SendDocument, name, caption(id), b.slot(func() ([]byte, error) {
			return b.drawTable(format, sc, p, at)
		})}}
	case exportCharts:
		figures := sync.OnceValues(func() ([]survey.CitySummary, error) { return b.readTrend(sc.units, p) })
		title := sc.title
		if title == "" {
			title = b.cfg.City
		}
		var files []exportFile
		if !sc.one {
			files = append(files, exportFile{telegram.SendPhoto, base("peringkat", "png"), caption("export.caption_ranking"), b.slot(func() ([]byte, error) {
				sums, err := figures()
				if err != nil {
					return nil, err
				}
				ranked := sums[len(sums)-1].Ranked()
				return export.RankingChart("Peringkat IKM unit, "+title, p, ranked[:min(len(ranked), export.MaxRankingUnits)])
			})})
		}
		elements := title
		if !sc.one {
			elements += ", gabungan seluruh responden"
		}
		files = append(files,
			exportFile{telegram.SendPhoto, base("unsur", "png"), caption("export.caption_elements"), b.slot(func() ([]byte, error) {
				sums, err := figures()
				if err != nil {
					return nil, err
				}
				return export.ElementChart(elements, p, sums[len(sums)-1].Pooled)
			})},
			exportFile{telegram.SendPhoto, base("tren", "png"), caption("export.caption_trend"), b.slot(func() ([]byte, error) {
				sums, err := figures()
				if err != nil {
					return nil, err
				}
				sub := "per periode"
				if !sc.one {
					sub = "gabungan seluruh responden, per periode"
				}
				return export.TrendChart("IKM "+title, sub, export.PooledTrend(sums))
			})})
		// The extra questionnaires the scope's units ask, one chart each:
		// the unit's, or pooled over the units that ask it.
		indexes := sync.OnceValues(func() ([]survey.IndexSummary, error) { return b.readIndexes(sc.units, p) })
		xs, _ := survey.Asked(sc.units)
		for i, x := range xs {
			data["Index"] = x.Index
			files = append(files, exportFile{telegram.SendPhoto, base(strings.ToLower(x.Index), "png"), caption("export.caption_index"), b.slot(func() ([]byte, error) {
				is, err := indexes()
				if err != nil {
					return nil, err
				}
				if len(is) != len(xs) || is[i].Extra.Key != x.Key {
					return nil, fmt.Errorf("export: %s of %s changed while reading", x.Index, sc.label)
				}
				r, name := is[i].Pooled, title+", gabungan responden unit yang menanyakannya"
				if sc.one {
					r, name = is[i].Units[0].Result, title
				}
				return export.IndexChart(name, p, r)
			})})
		}
		return files
	case exportPoster:
		posters := sync.OnceValues(func() ([]export.Poster, error) { return b.readPosters(sc, p, at) })
		if sc.one {
			return []exportFile{
				{telegram.SendPhoto, base("poster", "png"), caption("export.caption_poster"), b.slot(func() ([]byte, error) {
					ps, err := posters()
					if err != nil {
						return nil, err
					}
					return export.PosterPNG(ps[0])
				})},
				{telegram.SendDocument, base("poster", "pdf"), caption("export.caption_poster_pdf"), b.slot(func() ([]byte, error) {
					ps, err := posters()
					if err != nil {
						return nil, err
					}
					return export.PosterPDF(ps)
				})},
			}
		}
		return []exportFile{{telegram.SendDocument, base("poster", "pdf"), caption("export.caption_posters"), b.slot(func() ([]byte, error) {
			ps, err := posters()
			if err != nil {
				return nil, err
			}
			return export.PosterPDF(ps)
		})}}
	}
	return nil
}

// slot wraps draw so that it runs holding the bot's export slot: one
// export is drawn at a time, so that a year of a whole city (a second or
// two of CPU and some 200 MB for the XLSX) never takes more than one core
// from the respondents, and a burst of exports queues instead of piling
// up in memory. Only the chats that asked wait for the slot: drawing
// happens after the commit and after the update was reported done to the
// dispatcher (see telegram.Handler), so no other chat's update waits for it.
func (b *Bot) slot(draw func() ([]byte, error)) func() ([]byte, error) {
	return func() ([]byte, error) {
		b.exports <- struct{}{}
		defer func() { <-b.exports }()
		data, err := draw()
		if err == nil && len(data) > maxDocument {
			err = fmt.Errorf("%d bytes is over Telegram's file limit", len(data))
		}
		return data, err
	}
}

// drawTable writes the XLSX or CSV of the scope from one read transaction,
// so that the raw responses add up to the figures (export.ErrMismatch).
// bbolt's readers never block writers, except that a write that must grow
// the file's memory map waits for open readers; that happens a handful of
// times in the life of a file, and costs at most one export's read.
func (b *Bot) drawTable(format byte, sc exportScope, p survey.Period, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	err := b.store.View(func(tx *store.Tx) error {
		sum, err := report.Summary(tx, sc.units, p, b.cfg.Weighting)
		if err != nil {
			return err
		}
		rep := export.Report{City: b.cfg.City, Summary: sum, Weighting: b.cfg.Weighting, TypeNames: b.cfg.TypeNames, Generated: at, Scope: sc.title,
			RawProfile: sc.raw}
		if rep.Indexes, err = report.Indexes(tx, sc.units, p); err != nil {
			return err
		}
		if format == exportCSV {
			_, err := export.WriteCSV(&buf, rep, tx.ForEachResponse)
			return err
		}
		if rep.FollowUps, err = report.FollowUps(tx, sc.units); err != nil {
			return err
		}
		if rep.Profiles, err = report.Profiles(tx, sc.units, p, at); err != nil {
			return err
		}
		return export.WriteXLSX(&buf, rep, tx.ForEachResponse)
	})
	return buf.Bytes(), err
}

// readTrend reads the scope's summaries of chartPeriods periods ending
// with p, oldest first, in one read transaction.
func (b *Bot) readTrend(units []survey.Unit, p survey.Period) ([]survey.CitySummary, error) {
	var sums []survey.CitySummary
	err := b.store.View(func(tx *store.Tx) (err error) {
		sums, err = report.Trend(tx, units, p, chartPeriods, b.cfg.Weighting)
		return err
	})
	return sums, err
}

// readIndexes reads the extra questionnaires' figures of the scope's units
// over p, in one read transaction.
func (b *Bot) readIndexes(units []survey.Unit, p survey.Period) ([]survey.IndexSummary, error) {
	var is []survey.IndexSummary
	err := b.store.View(func(tx *store.Tx) (err error) {
		is, err = report.Indexes(tx, units, p)
		return err
	})
	return is, err
}

// readPosters reads the figures and profiles of the scope's units and
// returns the poster of each unit with respondents.
func (b *Bot) readPosters(sc exportScope, p survey.Period, at time.Time) ([]export.Poster, error) {
	var ps []export.Poster
	err := b.store.View(func(tx *store.Tx) error {
		sum, err := report.Summary(tx, sc.units, p, b.cfg.Weighting)
		if err != nil {
			return err
		}
		rep := export.Report{City: b.cfg.City, Summary: sum, Weighting: b.cfg.Weighting, TypeNames: b.cfg.TypeNames}
		if rep.Profiles, err = report.Profiles(tx, sc.units, p, at); err != nil {
			return err
		}
		if rep.Indexes, err = report.Indexes(tx, sc.units, p); err != nil {
			return err
		}
		ps = export.Posters(rep)
		return nil
	})
	if err == nil && len(ps) == 0 {
		err = fmt.Errorf("no unit of %d has respondents in %s", len(sc.units), p.Label)
	}
	return ps, err
}
