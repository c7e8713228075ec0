package export

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/ikmbot/ikmbot/survey"
)

// ChartWidth is the width of every chart in pixels. A phone shows a chat
// photo about 1080 pixels wide when opened, so text drawn at 28 pixels
// and more stays readable without zooming; Telegram keeps photos up to
// 1280 pixels a side, so nothing is scaled down on the way.
const ChartWidth = 1080

// MaxRankingUnits is the most units one ranking chart draws: Telegram
// refuses photos whose width and height add up to more than 10,000 pixels.
const MaxRankingUnits = 150

// Chart layout, in pixels.
const (
	chartMargin = 48.0
	titleSize   = 44.0
	subSize     = 30.0
	labelSize   = 30.0
	valueSize   = 30.0
	axisSize    = 26.0
	footSize    = 22.0
)

// chartFooter names the method under every chart.
const chartFooter = "Survei Kepuasan Masyarakat, PermenPANRB 14/2017"

// headerHeight is the height header takes for title and subtitle, found by
// drawing them on a scratch canvas, so that a chart's canvas can be made
// its final size.
func headerHeight(title, subtitle string) (float64, error) {
	measure, err := newCanvas(1, 1, 1)
	if err != nil {
		return 0, err
	}
	return header(measure, title, subtitle), nil
}

// header draws a chart's title (wrapped, at most 2 lines) and subtitle and
// returns the y below them.
func header(c *canvas, title, subtitle string) float64 {
	y := chartMargin
	lines := c.fc.wrap(title, titleSize, true, ChartWidth-2*chartMargin)
	if len(lines) > 2 {
		lines = append(lines[:1], c.fc.fitText(joinWords(lines[1:]), titleSize, true, ChartWidth-2*chartMargin))
	}
	for _, ln := range lines {
		c.text(chartMargin, y, titleSize, true, ink, ln, left)
		y += titleSize * 1.25
	}
	for _, ln := range c.fc.wrap(subtitle, subSize, false, ChartWidth-2*chartMargin) {
		c.text(chartMargin, y, subSize, false, grey, ln, left)
		y += subSize * 1.3
	}
	return y + 16
}

func joinWords(lines []string) string {
	s := ""
	for i, l := range lines {
		if i > 0 {
			s += " "
		}
		s += l
	}
	return s
}

func footer(c *canvas, h float64) {
	c.text(chartMargin, h-chartMargin, footSize, false, grey, chartFooter, left)
}

// ElementChart draws the NRR of each element of r as a horizontal bar on
// the regulation's 1..4 scale, over the four mutu bands with their edges
// drawn, each bar labelled with its NRR and mutu: where a unit stands, and
// which elements its follow-up plan should start from. title names the
// unit (or the city); the subtitle gives period, respondents and IKM.
func ElementChart(title string, p survey.Period, r survey.Result) ([]byte, error) {
	const (
		rowPitch = 112.0
		barH     = 46.0
		valueW   = 150.0
	)
	top, err := headerHeight(title, "x")
	if err != nil {
		return nil, err
	}
	h := top + 44 + rowPitch*survey.NumElements + 70 + 60 + chartMargin
	c, err := newCanvas(ChartWidth, int(h), 1)
	if err != nil {
		return nil, err
	}
	sub := "Periode " + p.Label + " · " + strconv.Itoa(r.Respondents) + " responden"
	if r.Valid {
		sub += " · IKM " + num(r.IKM2) + " (" + string(r.Mutu) + ", " + r.Mutu.Kinerja() + ")"
	}
	y := header(c, title, sub)
	x0, x1 := chartMargin, ChartWidth-chartMargin-valueW
	xOf := func(nrr float64) float64 { return x0 + (nrr-1)/3*(x1-x0) }
	plotTop, plotBottom := y+44, y+44+rowPitch*survey.NumElements
	// The bands, lightest first, each labelled with its grade at the top.
	for i, b := range mutuBands {
		hi := 4.0
		if i > 0 {
			hi = mutuBands[i-1].MinIndex
		}
		c.rect(xOf(b.MinIndex), plotTop, xOf(hi)-xOf(b.MinIndex), plotBottom-plotTop, bandColour(b.Mutu))
		c.text((xOf(b.MinIndex)+xOf(hi))/2, y, axisSize, true, mutuColour(b.Mutu), string(b.Mutu), centre)
		if i < len(mutuBands)-1 {
			c.dashedV(xOf(b.MinIndex), plotTop, plotBottom, 3, grey)
		}
	}
	for e, er := range r.Elements {
		ry := plotTop + float64(e)*rowPitch + 10
		c.label(x0+8, ry, labelSize, false, ink, c.fc.fitText("U"+strconv.Itoa(e+1)+" "+er.Key.OfficialName(), labelSize, false, x1-x0-16), left)
		by := ry + labelSize + 12
		if er.Answers == 0 {
			c.text(x0+8, by+8, valueSize, false, grey, "tidak ada jawaban", left)
			continue
		}
		end := xOf(er.NRR)
		c.rect(x0, by, math.Max(end-x0, 4), barH, navy)
		c.label(end+12, by+(barH-valueSize)/2, valueSize, true, ink, num(survey.Round2(er.NRR))+" "+string(er.Mutu), left)
	}
	// The axis: NRR 1 to 4 and the band edges.
	ay := plotBottom + 12
	for _, v := range []float64{1, 2, 3, 4} {
		c.rect(xOf(v)-1, plotBottom, 2, 10, ink)
		c.text(xOf(v), ay, axisSize, false, ink, strconv.Itoa(int(v)), centre)
	}
	for _, b := range mutuBands[:3] {
		c.text(xOf(b.MinIndex), ay+axisSize+6, axisSize-4, false, grey, b.NIFrom, centre)
	}
	c.text(xOf(4)+28, ay, axisSize, false, grey, "NRR", left)
	footer(c, h)
	return c.png()
}

// RankingChart draws units as horizontal bars of their IKM on the 25..100
// scale, in the order given (pass CitySummary.Ranked(), or a part of it),
// coloured by mutu, with the band edges at 65, 76.61 and 88.31 drawn and
// each bar labelled with its IKM and mutu. Units without respondents are
// skipped. It refuses more than MaxRankingUnits.
func RankingChart(title string, p survey.Period, units []survey.UnitSummary) ([]byte, error) {
	var rows []survey.UnitSummary
	for _, u := range units {
		if u.Result.Valid {
			rows = append(rows, u)
		}
	}
	if len(rows) > MaxRankingUnits {
		return nil, fmt.Errorf("export: %d units is more than one ranking chart holds (%d)", len(rows), MaxRankingUnits)
	}
	const (
		rowPitch = 58.0
		barH     = 40.0
		codeW    = 330.0
		valueW   = 160.0
	)
	top, err := headerHeight(title, "x")
	if err != nil {
		return nil, err
	}
	h := top + 44 + rowPitch*float64(max(len(rows), 1)) + 60 + 60 + chartMargin
	c, err := newCanvas(ChartWidth, int(h), 1)
	if err != nil {
		return nil, err
	}
	y := header(c, title, "Periode "+p.Label+" · "+strconv.Itoa(len(rows))+" unit dengan responden · IKM per unit")
	x0, x1 := chartMargin+codeW, ChartWidth-chartMargin-valueW
	xOf := func(ikm float64) float64 { return x0 + (ikm-25)/75*(x1-x0) }
	plotTop, plotBottom := y+44, y+44+rowPitch*float64(max(len(rows), 1))
	for i, b := range mutuBands {
		hi := 100.0
		if i > 0 {
			hi = mutuBands[i-1].MinIKM
		}
		c.rect(xOf(b.MinIKM), plotTop, xOf(hi)-xOf(b.MinIKM), plotBottom-plotTop, bandColour(b.Mutu))
		c.text((xOf(b.MinIKM)+xOf(hi))/2, y, axisSize, true, mutuColour(b.Mutu), string(b.Mutu), centre)
	}
	if len(rows) == 0 {
		c.text(x0+12, plotTop+12, labelSize, false, grey, "Belum ada responden.", left)
	}
	for i, u := range rows {
		ry := plotTop + float64(i)*rowPitch + (rowPitch-barH)/2
		c.text(chartMargin, ry+(barH-labelSize)/2, labelSize, false, ink, c.fc.fitText(u.Unit.Code, labelSize, false, codeW-16), left)
		end := xOf(u.Result.IKM2)
		c.rect(x0, ry, math.Max(end-x0, 4), barH, mutuColour(u.Result.Mutu))
		c.label(end+12, ry+(barH-valueSize)/2, valueSize, true, ink, num(u.Result.IKM2)+" "+string(u.Result.Mutu), left)
	}
	for _, b := range mutuBands[:3] {
		c.dashedV(xOf(b.MinIKM), plotTop, plotBottom, 3, grey)
	}
	ay := plotBottom + 12
	for _, v := range []float64{25, 50, 65, 76.61, 88.31, 100} {
		c.rect(xOf(v)-1, plotBottom, 2, 10, ink)
		label := num(v)
		if v == math.Trunc(v) {
			label = strconv.Itoa(int(v))
		}
		c.text(xOf(v), ay, axisSize-4, false, ink, label, centre)
	}
	footer(c, h)
	return c.png()
}

// TrendPoint is one period of a trend: the IKM as package survey rounded
// it (Result.IKM2, or CitySummary.MeanIKM2), or no figure.
type TrendPoint struct {
	Label string  // the period's label, e.g. "2026-Q1"
	IKM   float64 // rounded to 2 decimals; ignored when !Valid
	Mutu  survey.Mutu
	Valid bool // false: nobody answered in the period
}

// PointOf is the trend point of a result over period p.
func PointOf(p survey.Period, r survey.Result) TrendPoint {
	return TrendPoint{Label: p.Label, IKM: r.IKM2, Mutu: r.Mutu, Valid: r.Valid}
}

// PooledTrend is the trend of the pooled result of each summary, one point
// per summary in the order given (report.Trend reads them oldest first).
func PooledTrend(sums []survey.CitySummary) []TrendPoint {
	pts := make([]TrendPoint, len(sums))
	for i, s := range sums {
		pts[i] = PointOf(s.Period, s.Pooled)
	}
	return pts
}

// MaxTrendPoints is the most periods one trend chart shows.
const MaxTrendPoints = 24

// TrendChart draws the IKM over periods as a line over the mutu bands,
// oldest first, each point labelled with its IKM. A period without
// respondents leaves a gap in the line.
func TrendChart(title, subtitle string, points []TrendPoint) ([]byte, error) {
	if len(points) == 0 {
		return nil, errors.New("export: a trend needs at least one period")
	}
	if len(points) > MaxTrendPoints {
		return nil, fmt.Errorf("export: %d periods is more than one trend chart shows (%d)", len(points), MaxTrendPoints)
	}
	top, err := headerHeight(title, subtitle)
	if err != nil {
		return nil, err
	}
	const plotH = 560.0
	h := top + 40 + plotH + 100 + 60 + chartMargin
	c, err := newCanvas(ChartWidth, int(h), 1)
	if err != nil {
		return nil, err
	}
	y := header(c, title, subtitle)
	lo := 100.0
	for _, pt := range points {
		if pt.Valid {
			lo = math.Min(lo, pt.IKM)
		}
	}
	// Show at least the C band's lower edge, and 5 points of room below.
	lo = math.Max(25, math.Floor((math.Min(lo, 65)-5)/5)*5)
	const hi = 100.0
	x0, x1 := chartMargin+70, ChartWidth-chartMargin-30
	plotBottom := y + 40 + plotH
	yOf := func(v float64) float64 { return plotBottom - (v-lo)/(hi-lo)*plotH }
	for i, b := range mutuBands {
		top := hi
		if i > 0 {
			top = mutuBands[i-1].MinIKM
		}
		bottom := math.Max(b.MinIKM, lo)
		if top <= lo {
			continue
		}
		c.rect(x0, yOf(top), x1-x0, yOf(bottom)-yOf(top), bandColour(b.Mutu))
		c.text(x1-8, yOf(top)+6, axisSize, true, mutuColour(b.Mutu), string(b.Mutu), right)
		if b.MinIKM > lo {
			c.dashedH(x0, x1, yOf(b.MinIKM), 3, grey)
		}
	}
	for v := math.Ceil(lo/10) * 10; v <= hi; v += 10 {
		c.rect(x0-10, yOf(v)-1, 10, 2, ink)
		c.text(x0-16, yOf(v)-(axisSize-4)/2-3, axisSize-4, false, ink, strconv.Itoa(int(v)), right)
	}
	step := (x1 - x0) / float64(len(points))
	xOf := func(i int) float64 { return x0 + step*(float64(i)+0.5) }
	every := 1 + (len(points)-1)/8 // at most 8 period labels fit under the axis
	for i, pt := range points {
		if i%every == 0 || i == len(points)-1 {
			c.text(xOf(i), plotBottom+14, axisSize, false, ink, pt.Label, centre)
		}
	}
	for i := 1; i < len(points); i++ {
		if points[i-1].Valid && points[i].Valid {
			c.line(xOf(i-1), yOf(points[i-1].IKM), xOf(i), yOf(points[i].IKM), 6, navy)
		}
	}
	for i, pt := range points {
		if !pt.Valid {
			c.text(xOf(i), plotBottom-axisSize-16, axisSize, false, grey, "–", centre)
			continue
		}
		c.disc(xOf(i), yOf(pt.IKM), 11, navy)
		c.disc(xOf(i), yOf(pt.IKM), 5, white)
		if len(points) <= 12 || i == len(points)-1 {
			c.label(xOf(i), yOf(pt.IKM)-valueSize-18, valueSize, true, ink, num(pt.IKM), centre)
		}
	}
	c.rect(x0, plotBottom, x1-x0, 2, ink)
	footer(c, h)
	return c.png()
}
