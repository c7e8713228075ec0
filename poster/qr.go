package poster

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/yeqown/go-qrcode/v2"
	"golang.org/x/image/draw"
)

// Error correction Q (about 25% of the code can be lost) rather than M
// (15%): posters hang laminated in corridors, where glare from a lamp, a
// strip of tape or a scuff takes out a patch of modules. Q costs about one
// QR version (4 modules a side) for our links, which the poster's size
// pays for easily. The poster prints the code 141 mm wide with its quiet
// zone: a typical link of about 60 characters is version 5 or 6 (37 or 41
// modules), 3.1 or 2.9 mm a module, and the longest possible link (a
// 32-character bot name and a 32-character unit code, 105 characters) is
// version 8, 49 modules, 2.5 mm a module. A cheap phone camera filming at
// 1080p sees a 2.5 mm module from a metre away as about 4 pixels, twice
// what decoders need; the rule of thumb "scan distance = 10 x code width"
// gives more than a metre too.
const ecLevel = qrcode.ErrorCorrectionQuart

// QuietZone is the white margin around the code, in modules: the 4 that
// ISO/IEC 18004 requires. Decoders find the code by its finder patterns
// against this margin; a poster must print nothing inside it.
const QuietZone = 4

// PNGModulePixels is the size of one module in the PNG. 16 pixels make a
// version 6 code (41 modules + quiet zone) 784 pixels wide: sharp in a
// chat, where Telegram shows photos up to 1280 pixels, and enough for a
// sticker print; the posters themselves draw the code as vectors.
const PNGModulePixels = 16

// Matrix is a QR code: Dark[y][x] is true for a dark module. It holds the
// modules only, without the quiet zone.
type Matrix struct {
	Size int
	Dark [][]bool
}

// Encode makes the QR code of text at error correction level Q, in byte
// mode (a t.me link has lower-case letters, which alphanumeric mode lacks),
// with the mask chosen by the standard's penalty rules.
//
// Then it reads the code back with gozxing, a Go port of ZXing, the
// decoder inside many Android scanner apps, from a sharp picture and from
// a small blurred one as a phone camera takes it. A few codes in a
// thousand, although they follow the standard (zbar reads them, and a
// second encoder, rsc.io/qr, makes the same modules), trip ZXing's
// finder-pattern detector. For those it encodes the same text one version
// larger, which moves every module, and tries again, up to three versions
// up; if none reads back it keeps the first, which is still a standard
// code.
func Encode(text string) (Matrix, error) {
	first, err := encodeVersion(text, 0)
	if err != nil {
		return Matrix{}, err
	}
	for m, v := first, first.version(); ; {
		if readsBack(m, text) {
			return m, nil
		}
		if v++; v > first.version()+3 || v > 40 {
			return first, nil
		}
		if m, err = encodeVersion(text, v); err != nil {
			return first, nil
		}
	}
}

// version is the QR version of a matrix: 21 modules is version 1, each
// version adds 4.
func (m Matrix) version() int { return (m.Size - 17) / 4 }

// encodeVersion encodes text at the given version, or the smallest that
// holds it when version is 0.
func encodeVersion(text string, version int) (Matrix, error) {
	opts := []qrcode.EncodeOption{
		qrcode.WithErrorCorrectionLevel(ecLevel),
		qrcode.WithEncodingMode(qrcode.EncModeByte),
	}
	if version > 0 {
		opts = append(opts, qrcode.WithVersion(version))
	}
	qrc, err := qrcode.NewWith(text, opts...)
	if err != nil {
		return Matrix{}, fmt.Errorf("qr code of %q: %w", text, err)
	}
	var w matrixWriter
	if err := qrc.Save(&w); err != nil {
		return Matrix{}, fmt.Errorf("qr code of %q: %w", text, err)
	}
	return w.m, nil
}

// readsBack reports whether gozxing reads text from m drawn 4 pixels to a
// module, and scaled down to 2.5 pixels a module with smoothing (what a
// phone's preview frame has of a poster a metre or two away). It takes a
// few milliseconds.
func readsBack(m Matrix, text string) bool {
	img := m.image(4)
	side := (m.Size + 2*QuietZone) * 5 / 2
	small := image.NewGray(image.Rect(0, 0, side, side))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
	for _, pic := range []image.Image{img, small} {
		bmp, err := gozxing.NewBinaryBitmapFromImage(pic)
		if err != nil {
			return false
		}
		res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil || res.GetText() != text {
			return false
		}
	}
	return true
}

// matrixWriter receives the finished matrix from the encoder.
type matrixWriter struct{ m Matrix }

func (w *matrixWriter) Write(mat qrcode.Matrix) error {
	// Bitmap is indexed [row][column]; the library draws its own images
	// from it the same way.
	bm := mat.Bitmap()
	n := len(bm)
	if n == 0 || len(bm[0]) != n {
		return fmt.Errorf("qr matrix is %dx%d, want a square", n, len(bm))
	}
	w.m = Matrix{Size: n, Dark: bm}
	return nil
}

func (w *matrixWriter) Close() error { return nil }

// image draws m black on white with the quiet zone, px pixels to a module.
func (m Matrix) image(px int) *image.Paletted {
	side := (m.Size + 2*QuietZone) * px
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y, row := range m.Dark {
		for x, dark := range row {
			if !dark {
				continue
			}
			x0, y0 := (x+QuietZone)*px, (y+QuietZone)*px
			for py := y0; py < y0+px; py++ {
				for qx := x0; qx < x0+px; qx++ {
					img.SetColorIndex(qx, py, 1)
				}
			}
		}
	}
	return img
}

// PNG renders text's QR code as a black-on-white PNG with the quiet zone,
// PNGModulePixels to a module. The same text always gives the same bytes.
func PNG(text string) ([]byte, error) {
	m, err := Encode(text)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	var enc png.Encoder
	if err := enc.Encode(&buf, m.image(PNGModulePixels)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
