package poster

import (
	"fmt"
	"strings"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Page is what one poster shows.
type Page struct {
	City     string // e.g. "Kota Bekasi"
	UnitName string // the unit's official name
	UnitType string // display name of its type, e.g. "Puskesmas"
	UnitCode string // to type in the bot when the camera fails
	Bot      string // the bot's username, without "@"
	Link     string // the deep link the QR code carries
	Period   string // the survey period, e.g. "2026"
}

// The call to action, in Bahasa Indonesia as printed on every poster.
const (
	CallToAction    = "Bagaimana pelayanan kami hari ini?"
	CallToActionSub = "Pindai untuk mengisi Survei Kepuasan Masyarakat"
)

// A4 in points as gopdf.PageSizeA4 has it (595 x 842, which PDF readers
// report as A4), and the layout of a page. Coordinates are from the top
// left, as gopdf takes them.
const (
	pageW  = 595.0
	pageH  = 842.0
	margin = 48.0
	textW  = pageW - 2*margin

	bandH   = 64.0  // the coloured band at the top
	qrSide  = 400.0 // the QR code with its quiet zone: 141 mm
	qrTop   = 284.0
	fontReg = "regular"
	fontB   = "bold"
	fontM   = "mono"
	fontMB  = "monobold"
)

// The band's colour: a dark blue that prints well in black and white too.
var band = [3]uint8{0x0b, 0x4f, 0x8a}

// PDF lays out one A4 page per poster, in order, and returns the file.
// Text is set in the Go fonts, embedded (subset) in the file, so the PDF
// needs no fonts on the printing machine and its text can be searched and
// copied. The same pages always give the same bytes.
func PDF(pages []Page) ([]byte, error) {
	if len(pages) == 0 {
		return nil, fmt.Errorf("poster: no pages")
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	for _, f := range []struct {
		name string
		ttf  []byte
	}{{fontReg, goregular.TTF}, {fontB, gobold.TTF}, {fontM, gomono.TTF}, {fontMB, gomonobold.TTF}} {
		if err := pdf.AddTTFFontData(f.name, f.ttf); err != nil {
			return nil, fmt.Errorf("poster: font %s: %w", f.name, err)
		}
	}
	title := "Survei Kepuasan Masyarakat"
	if len(pages) == 1 {
		title += " · " + pages[0].UnitName
	}
	// No creation date: it would make every run's file differ.
	pdf.SetInfo(gopdf.PdfInfo{Title: title, Subject: pages[0].City, Creator: "ikmbot"})
	for i, p := range pages {
		if err := page(pdf, p); err != nil {
			return nil, fmt.Errorf("poster: page %d (%s): %w", i+1, p.UnitCode, err)
		}
	}
	return pdf.GetBytesPdfReturnErr()
}

func page(pdf *gopdf.GoPdf, p Page) error {
	m, err := Encode(p.Link)
	if err != nil {
		return err
	}
	pdf.AddPage()

	pdf.SetFillColor(band[0], band[1], band[2])
	pdf.RectFromUpperLeftWithStyle(0, 0, pageW, bandH, "F")
	pdf.SetTextColor(255, 255, 255)
	if err := centred(pdf, fontB, 13, strings.ToUpper("Survei Kepuasan Masyarakat"), 16); err != nil {
		return err
	}
	if err := centred(pdf, fontReg, 12, p.City, 36); err != nil {
		return err
	}

	pdf.SetTextColor(0, 0, 0)
	y := bandH + 26
	// Long official names wrap; a name that needs more than three lines
	// at 24 pt gets a smaller size rather than pushing the QR down.
	var lines []string
	size := 24.0
	for ; size >= 14; size -= 2 {
		if err := pdf.SetFont(fontB, "", size); err != nil {
			return err
		}
		if lines, err = pdf.SplitTextWithWordWrap(p.UnitName, textW); err != nil {
			return err
		}
		if len(lines) <= 3 {
			break
		}
	}
	for _, ln := range lines {
		if err := centred(pdf, fontB, size, ln, y); err != nil {
			return err
		}
		y += size * 1.2
	}
	pdf.SetTextColor(0x55, 0x55, 0x55)
	if err := centred(pdf, fontReg, 14, p.UnitType, y+2); err != nil {
		return err
	}

	pdf.SetTextColor(0, 0, 0)
	if err := centred(pdf, fontB, 22, CallToAction, qrTop-62); err != nil {
		return err
	}
	if err := centred(pdf, fontReg, 15, CallToActionSub, qrTop-32); err != nil {
		return err
	}

	drawQR(pdf, m, (pageW-qrSide)/2, qrTop, qrSide)

	y = qrTop + qrSide + 4
	// The link in a fixed-width font on one line, for anyone who would
	// rather type it.
	size, err = fit(pdf, fontM, 11, p.Link)
	if err != nil {
		return err
	}
	if err := centred(pdf, fontM, size, p.Link, y); err != nil {
		return err
	}
	y += 28
	help := "Kamera tidak bisa memindai? Buka Telegram, cari @" + p.Bot + ", lalu ketik kode unit:"
	if err := pdf.SetFont(fontReg, "", 12); err != nil {
		return err
	}
	helpLines, err := pdf.SplitTextWithWordWrap(help, textW)
	if err != nil {
		return err
	}
	for _, ln := range helpLines {
		if err := centred(pdf, fontReg, 12, ln, y); err != nil {
			return err
		}
		y += 15
	}
	if size, err = fit(pdf, fontMB, 22, p.UnitCode); err != nil {
		return err
	}
	if err := centred(pdf, fontMB, size, p.UnitCode, y+3); err != nil {
		return err
	}
	y = max(y+38, qrTop+qrSide+88)
	if err := centred(pdf, fontB, 13, "Periode survei: "+p.Period, y); err != nil {
		return err
	}
	pdf.SetTextColor(0x55, 0x55, 0x55)
	return centred(pdf, fontReg, 9, "Jawaban Anda anonim. Survei sesuai PermenPANRB No. 14 Tahun 2017. "+p.City+".", pageH-36)
}

// fit returns the largest size up to largest, in half points, at which text
// fits the width of the page's text on one line.
func fit(pdf *gopdf.GoPdf, font string, largest float64, text string) (float64, error) {
	size := largest
	for ; size > 6; size -= 0.5 {
		if err := pdf.SetFont(font, "", size); err != nil {
			return 0, err
		}
		w, err := pdf.MeasureTextWidth(text)
		if err != nil {
			return 0, err
		}
		if w <= textW {
			break
		}
	}
	return size, nil
}

// centred writes one line of text centred on the page with its top at y.
func centred(pdf *gopdf.GoPdf, font string, size float64, text string, y float64) error {
	if err := pdf.SetFont(font, "", size); err != nil {
		return err
	}
	w, err := pdf.MeasureTextWidth(text)
	if err != nil {
		return err
	}
	pdf.SetXY((pageW-w)/2, y)
	return pdf.Cell(nil, text)
}

// drawQR draws the code as vector squares, so it prints sharp at any
// resolution, inside a white square of side that includes the quiet zone.
// Runs of dark modules in a row are one rectangle, drawn a hair taller so
// that viewers that anti-alias leave no pale seams between rows.
func drawQR(pdf *gopdf.GoPdf, m Matrix, x, y, side float64) {
	mod := side / float64(m.Size+2*QuietZone)
	pdf.SetFillColor(255, 255, 255)
	pdf.RectFromUpperLeftWithStyle(x, y, side, side, "F")
	pdf.SetFillColor(0, 0, 0)
	x0, y0 := x+QuietZone*mod, y+QuietZone*mod
	for r, row := range m.Dark {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			h := mod
			if r+1 < len(m.Dark) {
				h += mod * 0.02
			}
			pdf.RectFromUpperLeftWithStyle(x0+float64(start)*mod, y0+float64(r)*mod, float64(c-start)*mod, h, "F")
		}
	}
}
