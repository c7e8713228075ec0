package export

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/ikmbot/ikmbot/survey"
)

// The Go fonts, as poster embeds them in its PDFs: parsed once, and
// safe to share, unlike the faces made from them.
var goFonts = sync.OnceValues(func() ([2]*sfnt.Font, error) {
	var out [2]*sfnt.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return out, err
		}
		out[i] = f
	}
	return out, nil
})

// Colours shared by charts and posters.
var (
	ink      = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	grey     = color.RGBA{0x66, 0x66, 0x66, 0xff}
	rule     = color.RGBA{0xbb, 0xbb, 0xbb, 0xff}
	white    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	navy     = color.RGBA{0x0b, 0x4f, 0x8a, 0xff} // poster's band colour
	paleNavy = color.RGBA{0xe8, 0xf0, 0xf8, 0xff}
)

// bandColour is the pale background of a mutu band; mutuColour the strong
// colour of a bar or a badge graded so. Both read in black and white too,
// since the bars carry their figures as text.
func bandColour(m survey.Mutu) color.RGBA {
	switch m {
	case "A":
		return color.RGBA{0xd5, 0xee, 0xd7, 0xff}
	case "B":
		return color.RGBA{0xe4, 0xef, 0xd0, 0xff}
	case "C":
		return color.RGBA{0xfd, 0xe8, 0xc8, 0xff}
	}
	return color.RGBA{0xf9, 0xd6, 0xd5, 0xff}
}

func mutuColour(m survey.Mutu) color.RGBA {
	switch m {
	case "A":
		return color.RGBA{0x2e, 0x7d, 0x32, 0xff}
	case "B":
		return color.RGBA{0x0b, 0x4f, 0x8a, 0xff}
	case "C":
		return color.RGBA{0xc7, 0x6a, 0x00, 0xff}
	case "D":
		return color.RGBA{0xb7, 0x1c, 0x1c, 0xff}
	}
	return grey
}

// faces makes font faces on demand. A face is not safe for concurrent
// use, so every drawing has its own.
type faces struct {
	fonts [2]*sfnt.Font
	cache map[faceKey]font.Face
}

type faceKey struct {
	size float64
	bold bool
}

func newFaces() (*faces, error) {
	fs, err := goFonts()
	if err != nil {
		return nil, err
	}
	return &faces{fonts: fs, cache: map[faceKey]font.Face{}}, nil
}

// face returns the face of size pixels (or points: both at 72 dpi),
// unhinted, so that widths scale exactly between a PDF and a picture.
func (fc *faces) face(size float64, bold bool) font.Face {
	k := faceKey{size, bold}
	if f, ok := fc.cache[k]; ok {
		return f
	}
	i := 0
	if bold {
		i = 1
	}
	f, err := opentype.NewFace(fc.fonts[i], &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		// Only a size <= 0 fails; callers never ask for one.
		panic(err)
	}
	fc.cache[k] = f
	return f
}

func (fc *faces) width(s string, size float64, bold bool) float64 {
	return fix(font.MeasureString(fc.face(size, bold), s))
}

func (fc *faces) ascent(size float64, bold bool) float64 {
	return fix(fc.face(size, bold).Metrics().Ascent)
}

func fix(v fixed.Int26_6) float64 { return float64(v) / 64 }

// fitText shortens s with an ellipsis until it is at most w wide.
func (fc *faces) fitText(s string, size float64, bold bool, w float64) string {
	if fc.width(s, size, bold) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; fc.width(t, size, bold) <= w {
			return t
		}
	}
	return "…"
}

// wrap breaks s into lines at most w wide, at spaces; a word longer than
// a line stays whole.
func (fc *faces) wrap(s string, size float64, bold bool, w float64) []string {
	var lines []string
	line := ""
	for _, word := range splitWords(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && fc.width(try, size, bold) > w {
			lines = append(lines, line)
			line = word
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func splitWords(s string) []string {
	var out []string
	word := []rune{}
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' {
			if len(word) > 0 {
				out = append(out, string(word))
				word = word[:0]
			}
			continue
		}
		word = append(word, r)
	}
	if len(word) > 0 {
		out = append(out, string(word))
	}
	return out
}

// Text alignment relative to x.
type align int

const (
	left align = iota
	centre
	right
)

// canvas is a picture drawn in layout units scaled to pixels.
type canvas struct {
	img   *image.RGBA
	scale float64 // pixels per layout unit
	fc    *faces
}

func newCanvas(w, h int, scale float64) (*canvas, error) {
	fc, err := newFaces()
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	return &canvas{img: img, scale: scale, fc: fc}, nil
}

// rect fills the rectangle with its top left at x, y.
func (c *canvas) rect(x, y, w, h float64, col color.Color) {
	s := c.scale
	r := image.Rect(int(math.Round(x*s)), int(math.Round(y*s)), int(math.Round((x+w)*s)), int(math.Round((y+h)*s)))
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Over)
}

// text draws one line with its top at y; size is in layout units.
func (c *canvas) text(x, y, size float64, bold bool, col color.Color, s string, a align) {
	px := size * c.scale
	face := c.fc.face(px, bold)
	w := c.fc.width(s, px, bold)
	x0 := x * c.scale
	switch a {
	case centre:
		x0 -= w / 2
	case right:
		x0 -= w
	}
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(x0 * 64), Y: fixed.Int26_6((y*c.scale + c.fc.ascent(px, bold)) * 64)}}
	d.DrawString(s)
}

// label draws text on a pale box, so that band edges behind it do not
// cut through the letters.
func (c *canvas) label(x, y, size float64, bold bool, col color.Color, s string, a align) {
	w := c.fc.width(s, size, bold)
	x0 := x
	switch a {
	case centre:
		x0 -= w / 2
	case right:
		x0 -= w
	}
	c.rect(x0-4, y-2, w+8, size*1.2, color.NRGBA{0xff, 0xff, 0xff, 0xc0})
	c.text(x, y, size, bold, col, s, a)
}

// polygon fills a closed path with anti-aliased edges, rasterizing only
// its bounding box.
func (c *canvas) polygon(pts [][2]float64, col color.Color) {
	s := c.scale
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p[0]*s), math.Max(maxX, p[0]*s)
		minY, maxY = math.Min(minY, p[1]*s), math.Max(maxY, p[1]*s)
	}
	box := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(c.img.Bounds())
	if box.Empty() {
		return
	}
	z := vector.NewRasterizer(box.Dx(), box.Dy())
	for i, p := range pts {
		x, y := float32(p[0]*s-float64(box.Min.X)), float32(p[1]*s-float64(box.Min.Y))
		if i == 0 {
			z.MoveTo(x, y)
		} else {
			z.LineTo(x, y)
		}
	}
	z.ClosePath()
	z.Draw(c.img, box, image.NewUniform(col), image.Point{})
}

// line draws a segment w layout units thick.
func (c *canvas) line(x0, y0, x1, y1, w float64, col color.Color) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	ox, oy := -dy/n*w/2, dx/n*w/2
	c.polygon([][2]float64{{x0 + ox, y0 + oy}, {x1 + ox, y1 + oy}, {x1 - ox, y1 - oy}, {x0 - ox, y0 - oy}}, col)
}

// disc fills a circle.
func (c *canvas) disc(cx, cy, r float64, col color.Color) {
	const n = 36
	pts := make([][2]float64, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / n
		pts[i] = [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	c.polygon(pts, col)
}

// dashedV draws a dashed vertical line.
func (c *canvas) dashedV(x, y0, y1, w float64, col color.Color) {
	for y := y0; y < y1; y += 16 {
		c.rect(x-w/2, y, w, math.Min(9, y1-y), col)
	}
}

// dashedH draws a dashed horizontal line.
func (c *canvas) dashedH(x0, x1, y, w float64, col color.Color) {
	for x := x0; x < x1; x += 16 {
		c.rect(x, y-w/2, math.Min(9, x1-x), w, col)
	}
}

func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
