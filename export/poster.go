package export

import (
	"errors"
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/ikmbot/ikmbot/survey"
)

// Poster is what a unit's publication poster shows: the result a unit
// posts on its wall and website, as the regulation requires it to publish.
type Poster struct {
	City      string
	Unit      survey.UnitSummary // the unit's figures for Period
	TypeName  string             // the unit type's printed name
	Period    survey.Period
	Weighting survey.Weighting
	// Profile is the unit's respondents' profile as the disclosure rule
	// publishes it, and Profiles what it was published from (Months,
	// Available); the zero values print no profile.
	Profile  survey.ProfileTable
	Profiles survey.Profiles
	// Indexes are the unit's extra questionnaires (IPKP, IPAK) for Period,
	// printed under the respondents, each with its own; none for a unit
	// of the SKM alone, whose poster is then as it always was.
	Indexes []survey.IndexResult
}

// Posters returns the poster of every unit of rep with respondents, in
// order, each with its profile from rep.Profiles.
func Posters(rep Report) []Poster {
	var out []Poster
	for i, us := range rep.Summary.Units {
		if !us.Result.Valid {
			continue
		}
		p := Poster{City: rep.City, Unit: us, TypeName: rep.TypeName(us.Unit.Type), Period: rep.Summary.Period, Weighting: rep.Weighting, Profiles: rep.Profiles}
		if i < len(rep.Profiles.Units) {
			p.Profile = rep.Profiles.Units[i]
		}
		p.Profiles.Units, p.Profiles.All = nil, survey.ProfileTable{}
		for _, is := range rep.Indexes {
			for _, iu := range is.Units {
				if iu.Unit.Code == us.Unit.Code {
					p.Indexes = append(p.Indexes, iu.Result)
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// A4 in points, as poster lays out its pages, and the PNG's width:
// A4 at 150 dpi, sharp on a website and in a chat.
const (
	a4W        = 595.0
	a4H        = 842.0
	posterPNGW = 1240
	posterM    = 40.0 // page margin
)

// op is one drawing operation of a poster, in points from the top left,
// so that the PDF and the PNG are drawn from the same layout.
type op struct {
	rect       bool
	x, y, w, h float64
	size       float64
	bold       bool
	col        color.RGBA
	text       string
}

// PosterPNG draws one unit's poster as an A4 portrait PNG, 1240 pixels wide.
func PosterPNG(p Poster) ([]byte, error) {
	ops, err := posterLayout(p)
	if err != nil {
		return nil, err
	}
	scale := posterPNGW / a4W
	c, err := newCanvas(posterPNGW, int(a4H*scale+0.5), scale)
	if err != nil {
		return nil, err
	}
	for _, o := range ops {
		if o.rect {
			c.rect(o.x, o.y, o.w, o.h, o.col)
		} else {
			c.text(o.x, o.y, o.size, o.bold, o.col, o.text, left)
		}
	}
	return c.png()
}

// PosterPDF lays out one A4 page per poster, in order, with the Go fonts
// embedded, as poster does: the file prints the same anywhere, its text
// can be searched and copied, and the same posters give the same bytes.
func PosterPDF(ps []Poster) ([]byte, error) {
	if len(ps) == 0 {
		return nil, errors.New("export: no posters")
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	for _, f := range []struct {
		name string
		ttf  []byte
	}{{"regular", goregular.TTF}, {"bold", gobold.TTF}} {
		if err := pdf.AddTTFFontData(f.name, f.ttf); err != nil {
			return nil, fmt.Errorf("export: font %s: %w", f.name, err)
		}
	}
	title := "Hasil Survei Kepuasan Masyarakat " + ps[0].Period.Label
	if len(ps) == 1 {
		title += " · " + ps[0].Unit.Unit.Name
	}
	// No creation date: it would make every run's file differ.
	pdf.SetInfo(gopdf.PdfInfo{Title: title, Subject: ps[0].City, Creator: "ikmbot"})
	for _, p := range ps {
		ops, err := posterLayout(p)
		if err != nil {
			return nil, err
		}
		pdf.AddPage()
		for _, o := range ops {
			if o.rect {
				pdf.SetFillColor(o.col.R, o.col.G, o.col.B)
				pdf.RectFromUpperLeftWithStyle(o.x, o.y, o.w, o.h, "F")
				continue
			}
			fontName := "regular"
			if o.bold {
				fontName = "bold"
			}
			if err := pdf.SetFont(fontName, "", o.size); err != nil {
				return nil, err
			}
			pdf.SetTextColor(o.col.R, o.col.G, o.col.B)
			pdf.SetXY(o.x, o.y)
			if err := pdf.Cell(nil, o.text); err != nil {
				return nil, fmt.Errorf("export: poster %s: %w", p.Unit.Unit.Code, err)
			}
		}
	}
	return pdf.GetBytesPdfReturnErr()
}

// layout collects a poster's operations, measuring text with the same
// fonts the PDF embeds.
type layout struct {
	ops []op
	fc  *faces
}

func (l *layout) rect(x, y, w, h float64, col color.RGBA) {
	l.ops = append(l.ops, op{rect: true, x: x, y: y, w: w, h: h, col: col})
}

// text places one line with its top at y, aligned on x.
func (l *layout) text(x, y, size float64, bold bool, col color.RGBA, s string, a align) {
	if s == "" {
		return
	}
	w := l.fc.width(s, size, bold)
	switch a {
	case centre:
		x -= w / 2
	case right:
		x -= w
	}
	l.ops = append(l.ops, op{x: x, y: y, size: size, bold: bold, col: col, text: s})
}

// fit returns the largest size up to largest at which s fits w on one line.
func (l *layout) fit(s string, largest float64, bold bool, w float64) float64 {
	size := largest
	for size > 6 && l.fc.width(s, size, bold) > w {
		size -= 0.5
	}
	return size
}

// posterLayout lays out one A4 poster: the band, the unit and period, the
// IKM large with its mutu and kinerja, the respondents, the element NRRs,
// the profile counts (suppressed as Profile.Groups says) and the bands.
func posterLayout(p Poster) ([]op, error) {
	fc, err := newFaces()
	if err != nil {
		return nil, err
	}
	l := &layout{fc: fc}
	r := p.Unit.Result
	u := p.Unit.Unit
	mid, textW := a4W/2, a4W-2*posterM

	l.rect(0, 0, a4W, 64, navy)
	l.text(mid, 16, 13, true, white, "SURVEI KEPUASAN MASYARAKAT", centre)
	l.text(mid, 36, 12, false, white, p.City, centre)

	y := 84.0
	l.text(mid, y, 15, true, navy, "HASIL SURVEI KEPUASAN MASYARAKAT", centre)
	y += 26
	// A long official name wraps; one that needs more than two lines at
	// 22 pt gets a smaller size.
	var lines []string
	size := 22.0
	for ; size >= 13; size -= 1 {
		if lines = fc.wrap(u.Name, size, true, textW); len(lines) <= 2 {
			break
		}
	}
	for _, ln := range lines {
		l.text(mid, y, size, true, ink, ln, centre)
		y += size * 1.2
	}
	l.text(mid, y+2, 12, false, grey, strings.TrimPrefix(p.TypeName+" · "+u.Code, " · "), centre)
	y += 22
	l.text(mid, y, 13, true, ink, "Periode "+periodText(p.Period), centre)
	y += 28

	// The IKM, large, with its grade beside it.
	boxH := 150.0
	l.rect(posterM, y, textW, boxH, paleNavy)
	l.text(posterM+20, y+14, 12, true, navy, "INDEKS KEPUASAN MASYARAKAT (IKM)", left)
	if r.Valid {
		l.text(posterM+20, y+36, 84, true, ink, num(r.IKM2), left)
		badge := 92.0
		bx, by := a4W-posterM-20-badge, y+14
		l.rect(bx, by, badge, badge, mutuColour(r.Mutu))
		l.text(bx+badge/2, by+4, 12, true, white, "MUTU", centre)
		l.text(bx+badge/2, by+18, 64, true, white, string(r.Mutu), centre)
		kin := r.Mutu.Kinerja()
		l.text(bx+badge/2, by+badge+8, l.fit(kin, 16, true, 150), true, ink, kin, centre)
		l.text(bx-12, by+badge+12, 10, false, grey, "Kinerja unit pelayanan:", right)
	} else {
		l.text(posterM+20, y+60, 22, true, grey, "Belum ada responden pada periode ini.", left)
	}
	y += boxH + 14

	resp := "Jumlah responden: " + strconv.Itoa(r.Respondents) + " orang"
	switch {
	case !p.Unit.TargetKnown():
	case p.Unit.BelowTarget():
		resp += " (target sampel " + strconv.Itoa(p.Unit.Target) + ": belum tercapai)"
	default:
		resp += " (target sampel " + strconv.Itoa(p.Unit.Target) + " tercapai)"
	}
	l.text(mid, y, l.fit(resp, 14, true, textW), true, ink, resp, centre)
	y += 30
	if len(p.Indexes) > 0 {
		y = posterIndexes(l, p.Indexes, y)
	}

	// The element NRRs, in the regulation's order.
	l.text(posterM, y, 12, true, navy, "Nilai per unsur pelayanan", left)
	l.text(a4W-posterM-60, y, 9, false, grey, "NRR", right)
	l.text(a4W-posterM, y, 9, false, grey, "Mutu", right)
	y += 18
	for e, er := range r.Elements {
		if e%2 == 0 {
			l.rect(posterM, y-2, textW, 15, color.RGBA{0xf4, 0xf4, 0xf4, 0xff})
		}
		l.text(posterM+4, y, 10, false, ink, "U"+strconv.Itoa(e+1)+"  "+er.Key.OfficialName(), left)
		if er.Answers > 0 {
			l.text(a4W-posterM-60, y, 10, true, ink, num(survey.Round2(er.NRR)), right)
			l.text(a4W-posterM-12, y, 10, true, mutuColour(er.Mutu), string(er.Mutu), right)
		} else {
			l.text(a4W-posterM-60, y, 10, false, grey, "-", right)
		}
		y += 15
	}
	y += 12

	if p.Profiles.Available || p.Period.Kind == survey.PeriodRange {
		l.text(posterM, y, 12, true, navy, "Profil responden", left)
		y += 18
		rows := p.Profile.Rows
		if why := noProfile(p.Profiles, p.Profile); why != "" {
			for _, ln := range fc.wrap(why, 10, false, textW) {
				l.text(posterM, y, 10, false, grey, ln, left)
				y += 14
			}
		}
		colW := textW / 4
		bottom := y
		// Four questions side by side; the services are the unit's own
		// and may be many, so only the XLSX lists them.
		i := 0
		for _, g := range rows {
			if g.Dim == survey.DimService {
				continue
			}
			x := posterM + float64(i)*colW
			i++
			yy := y
			l.text(x, yy, 10, true, ink, dimTitle(g.Dim), left)
			yy += 14
			cell := func(label string, n int, bold bool) {
				l.text(x, yy, 9, false, ink, fc.fitText(label, 9, false, colW-36), left)
				l.text(x+colW-12, yy, 9, bold, ink, strconv.Itoa(n), right)
				yy += 12
			}
			for _, c := range g.Cells {
				cell(valueLabel(g.Dim, c.Value), c.Count, true)
			}
			if g.Hidden > 0 {
				cell(hiddenLabel, g.Hidden, false)
			}
			bottom = max(bottom, yy)
		}
		y = bottom + 4
		for _, ln := range fc.wrap(profileNote(p.Profiles), 7.5, false, textW) {
			l.text(posterM, y, 7.5, false, grey, ln, left)
			y += 10
		}
	}

	// The regulation's bands and the method, at the foot of the page.
	y = a4H - 78
	l.rect(posterM, y-6, textW, 0.7, rule)
	bands := "Mutu: "
	for i, b := range mutuBands {
		if i > 0 {
			bands += " · "
		}
		bands += string(b.Mutu) + " " + b.NIK + " " + b.Mutu.Kinerja()
	}
	l.text(mid, y, l.fit(bands, 8.5, false, textW), false, grey, bands, centre)
	method := "Dihitung sesuai PermenPANRB No. 14 Tahun 2017 dari jawaban responden; " + weightText(p.Weighting) + "."
	y += 14
	for _, ln := range fc.wrap(method, 8, false, textW) {
		l.text(mid, y, 8, false, grey, ln, centre)
		y += 11
	}
	l.text(mid, a4H-30, 8, false, grey, p.City+" · survei melalui Telegram", centre)
	return l.ops, nil
}

// posterIndexes prints the extra indexes side by side in a strip from y,
// each with its figure as reported, its grade and its own respondents,
// and returns the y below it.
func posterIndexes(l *layout, rs []survey.IndexResult, y float64) float64 {
	textW := a4W - 2*posterM
	const h = 40.0
	l.rect(posterM, y-6, textW, h, paleNavy)
	w := textW / float64(len(rs))
	for i, r := range rs {
		left0 := posterM + float64(i)*w + 12
		x := r.Extra
		label := x.Index + " (" + strings.TrimPrefix(x.Name, "Survei ") + ")"
		l.text(left0, y, l.fit(label, 9, true, w-24), true, navy, label, left)
		v := "belum ada responden"
		if r.Valid {
			v = num(r.Value2)
			if x.Report == survey.ReportMean {
				v += " dari " + strconv.Itoa(x.Scale)
			}
			if r.Mutu != "" {
				v += "  mutu " + string(r.Mutu)
			}
			v += "  (" + strconv.Itoa(r.Respondents) + " responden)"
		}
		l.text(left0, y+13, l.fit(v, 14, true, w-24), true, ink, v, left)
	}
	return y + h + 4
}
