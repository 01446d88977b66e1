package digest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"consultbot/text"
)

// Chart size in pixels: wide enough for five themes' labels, and legible
// on a phone once the platform scales it down to the screen's width.
const (
	ChartWidth  = 1000
	ChartHeight = 600
)

// Chart colours: a light bar for the total and a saturated one for the
// period, so that "new" stands out even in grey-scale.
var (
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colText       = color.RGBA{0x22, 0x27, 0x2e, 0xff}
	colMuted      = color.RGBA{0x6b, 0x72, 0x80, 0xff}
	colGrid       = color.RGBA{0xe5, 0xe7, 0xeb, 0xff}
	colTotal      = color.RGBA{0xa8, 0xc8, 0xea, 0xff}
	colNew        = color.RGBA{0x1d, 0x5f, 0xb0, 0xff}
)

// Chart draws a PNG bar chart of the contributions per theme, new (in the
// period) beside total, with a legend, the themes' titles under their bars
// and each bar's number above it. Go's own fonts are used because they are
// embedded as Go data (no font file to ship) and cover French accents.
func Chart(d Digest) ([]byte, error) {
	lang := d.Lang
	if lang != "en" {
		lang = "fr"
	}
	tx := &text.For(lang).Digest
	regular, err := newFace(goregular.TTF, 17)
	if err != nil {
		return nil, err
	}
	small, err := newFace(goregular.TTF, 16)
	if err != nil {
		return nil, err
	}
	bold, err := newFace(gobold.TTF, 26)
	if err != nil {
		return nil, err
	}
	numFace, err := newFace(gobold.TTF, 16)
	if err != nil {
		return nil, err
	}

	img := image.NewRGBA(image.Rect(0, 0, ChartWidth, ChartHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBackground), image.Point{}, draw.Src)

	drawText(img, bold, 40, 46, tx.ChartTitle, colText, alignLeft)
	// The period, without the heading's emoji, which Go's fonts lack, on
	// the second line, where it cannot run into the legend; the theme,
	// when the digest covers one, on a line of its own below, and the plot
	// moves down to make room.
	subs := []string{strings.TrimPrefix(renderer{lang: lang}.title(d), "📊 ")}
	if d.ThemeTitle != "" {
		subs = append(subs, renderer{lang: lang}.t(tx.ThemeOnly, d.ThemeTitle))
	}
	for i, sub := range subs {
		for _, line := range wrap(regular, sub, ChartWidth-80, 1) {
			drawText(img, regular, 40, 74+22*i, line, colMuted, alignLeft)
		}
	}
	// Legend, top right.
	lx := ChartWidth - 40
	for _, it := range []struct {
		label string
		c     color.Color
	}{{tx.ChartPeriod, colNew}, {tx.ChartTotal, colTotal}} {
		w := measure(regular, it.label)
		drawText(img, regular, lx, 48, it.label, colText, alignRight)
		fill(img, image.Rect(lx-w-26, 34, lx-w-8, 52), it.c)
		lx -= w + 50
	}

	plot := image.Rect(90, 115+22*(len(subs)-1), ChartWidth-40, 495)
	maxV := 0
	for _, th := range d.Themes {
		maxV = max(maxV, th.TotalAnswers, th.NewAnswers)
	}
	step := niceStep(maxV)
	top := step * int(math.Ceil(float64(max(maxV, 1))/float64(step)))
	y := func(v int) int {
		return plot.Max.Y - int(math.Round(float64(v)/float64(top)*float64(plot.Dy())))
	}
	for v := 0; v <= top; v += step {
		fill(img, image.Rect(plot.Min.X, y(v), plot.Max.X, y(v)+1), colGrid)
		drawText(img, small, plot.Min.X-10, y(v)+5, formatInt(v, lang), colMuted, alignRight)
	}
	if len(d.Themes) == 0 || maxV == 0 {
		drawText(img, regular, plot.Min.X+plot.Dx()/2, plot.Min.Y+plot.Dy()/2, tx.ChartEmpty, colMuted, alignCenter)
	}

	n := max(len(d.Themes), 1)
	group := plot.Dx() / n
	barW := min(group*3/10, 90)
	for i, th := range d.Themes {
		cx := plot.Min.X + group*i + group/2
		for _, b := range []struct {
			v      int
			x0, x1 int
			c      color.Color
		}{{th.TotalAnswers, cx - barW - 3, cx - 3, colTotal}, {th.NewAnswers, cx + 3, cx + barW + 3, colNew}} {
			fill(img, image.Rect(b.x0, y(b.v), b.x1, plot.Max.Y), b.c)
			drawText(img, numFace, (b.x0+b.x1)/2, y(b.v)-8, formatInt(b.v, lang), colText, alignCenter)
		}
		for j, line := range wrap(small, th.Title, group-16, 3) {
			drawText(img, small, cx, plot.Max.Y+28+j*21, line, colText, alignCenter)
		}
	}
	fill(img, image.Rect(plot.Min.X, plot.Max.Y, plot.Max.X, plot.Max.Y+2), colMuted)

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

func newFace(ttf []byte, size float64) (font.Face, error) {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("parse chart font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("chart font face: %w", err)
	}
	return face, nil
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

func measure(face font.Face, s string) int { return font.MeasureString(face, s).Ceil() }

func drawText(img draw.Image, face font.Face, x, y int, s string, c color.Color, a align) {
	switch a {
	case alignCenter:
		x -= measure(face, s) / 2
	case alignRight:
		x -= measure(face, s)
	}
	dr := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	dr.DrawString(s)
}

func fill(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// wrap breaks s into at most maxLines lines of at most width pixels, the
// last one shortened with "…" if needed.
func wrap(face font.Face, s string, width, maxLines int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur == "" || measure(face, cur+" "+w) <= width {
			if cur == "" {
				cur = w
			} else {
				cur += " " + w
			}
			continue
		}
		lines = append(lines, cur)
		cur = w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		last := strings.Join(lines[maxLines-1:], " ")
		for measure(face, last+"…") > width && strings.Contains(last, " ") {
			last = last[:strings.LastIndexByte(last, ' ')]
		}
		lines = append(lines[:maxLines-1], last+"…")
	}
	return lines
}

// niceStep returns a grid step of 1, 2 or 5 times a power of ten giving
// about five grid lines up to maxV.
func niceStep(maxV int) int {
	if maxV <= 5 {
		return 1
	}
	raw := float64(maxV) / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return int(m * pow)
		}
	}
	return int(10 * pow)
}

// formatInt formats n as the messages do, except that Go's fonts have no
// narrow no-break space, so the chart uses a plain no-break space.
func formatInt(n int, lang string) string {
	return strings.ReplaceAll(renderer{lang: lang}.num(n), "\u202f", "\u00a0")
}
