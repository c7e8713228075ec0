// Package postertest reads back what package poster draws, for tests: the
// QR code in an image, a PNG or a PNG file, decoded with gozxing, a port of
// ZXing that shares no code with the encoder, as a phone's scanner would;
// the pages of a PDF and their size; and the command-line tools (poppler's pdftoppm and
// pdftotext, zbar's zbarimg) that render and read posters where they are
// installed.
package postertest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/draw"
)

// Decode reads the QR code in img with gozxing, with no hints: what a
// phone's scanner reads at a glance, not after trying harder.
func Decode(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// Shrink scales img to width pixels wide, smoothing as a camera's sensor
// and a phone's downscaler do.
func Shrink(img image.Image, width int) image.Image {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, width, b.Dy()*width/b.Dx()))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// DecodePNG decodes the QR code in a PNG, scaled to width pixels wide first
// unless width is 0. Data that is not a PNG fails t.
func DecodePNG(t testing.TB, data []byte, width int) (string, error) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if width > 0 {
		img = Shrink(img, width)
	}
	return Decode(img)
}

// DecodeFile is DecodePNG of the file at path.
func DecodeFile(t testing.TB, path string, width int) (string, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return DecodePNG(t, data, width)
}

// ReadPNG reads the PNG file at path; a missing or broken file fails t.
func ReadPNG(t testing.TB, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// pageObject matches a page object of a PDF, not the /Pages tree above them.
var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// PDFPages counts the pages of a PDF as gopdf writes it.
func PDFPages(data []byte) int { return len(pageObject.FindAll(data, -1)) }

// mediaBox matches a page's /MediaBox [x0 y0 x1 y1].
var mediaBox = regexp.MustCompile(`/MediaBox \[ *([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9.]+) *\]`)

// CheckA4 fails t unless every page box of the PDF is A4 as gopdf writes
// it: 595 x 842 points (210 x 297 mm).
func CheckA4(t testing.TB, data []byte) {
	t.Helper()
	boxes := mediaBox.FindAllSubmatch(data, -1)
	if len(boxes) == 0 {
		t.Fatal("no /MediaBox")
	}
	for _, b := range boxes {
		var w, h float64
		fmt.Sscan(string(b[3]), &w)
		fmt.Sscan(string(b[4]), &h)
		if w < 594 || w > 596 || h < 841 || h > 843 {
			t.Errorf("page box %s, want A4 (595 x 842 points)", b[0])
		}
	}
}

// Tool returns the path of a command-line tool, or skips the test where it
// is not installed (apt-get install poppler-utils zbar-tools).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install poppler-utils zbar-tools): %v", name, err)
	}
	return p
}
