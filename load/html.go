package load

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// WriteHTML writes the report as one self-contained page: inline CSS and
// SVG, no script, no font or stylesheet fetched from anywhere, so that it
// opens offline and can be attached to a ticket. Its plots are latency over
// time (where a stall shows as a spike in the corrected line that the raw
// line does not have, above a dip in throughput) and the latency
// distribution.
func (r *Report) WriteHTML(w io.Writer) error {
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		return err
	}
	data := struct {
		R                                *Report
		Title, Verdict, Summary          string
		KeptUp                           bool
		Text                             string
		OverTime, Throughput, Percentile template.HTML
	}{
		R:       r,
		Title:   "Load test of " + r.shownTarget(),
		Verdict: r.Verdict(),
		Summary: fmt.Sprintf("%.2f%% of %d scheduled events acknowledged · achieved %.1f/s of %.1f/s · corrected p99 %s, raw p99 %s · %d late, %d dropped",
			100*r.SuccessRatio(), r.Scheduled, r.AchievedRate(), r.TargetRate(), fmtLat(r.Corrected.Quantile(99)), fmtLat(r.Raw.Quantile(99)), r.Late, r.Dropped),
		KeptUp:     r.Healthy(),
		Text:       text.String(),
		OverTime:   template.HTML(r.overTimeSVG()),
		Throughput: template.HTML(r.throughputSVG()),
		Percentile: template.HTML(r.percentileSVG()),
	}
	if r.ClosedLoop {
		data.Summary = fmt.Sprintf("%.2f%% of %d sent events acknowledged · a closed loop: sent as fast as the receiver answered over %d connections, %.1f/s · p99 %s (corrected equals raw: each event left when its sender was free)",
			100*r.SuccessRatio(), r.Sent, r.MaxInflight, r.AchievedRate(), fmtLat(r.Raw.Quantile(99)))
	}
	return pageTmpl.Execute(w, data)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 960px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.verdict { padding: 8px 12px; border-radius: 4px; background: #e8f5e9; }
.verdict.bad { background: #fdecea; }
.pass { color: #1b5e20; } .fail { color: #b71c1c; font-weight: bold; }
pre { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; }
svg { display: block; margin: 8px 0; }
svg text { font: 11px system-ui, sans-serif; fill: #444; }
.legend span { display: inline-block; margin-right: 16px; }
.legend i { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 4px; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="verdict{{if not .KeptUp}} bad{{end}}">{{.Verdict}}</p>
<p>{{.Summary}}</p>
{{if .R.Thresholds}}<p>Thresholds: {{range $i, $t := .R.Thresholds}}{{if $i}} · {{end}}<span class="{{if $t.Passed}}pass{{else}}fail{{end}}">{{$t.Threshold}} {{if $t.Passed}}passed{{else}}FAILED{{end}} ({{$t.Actual}})</span>{{end}}</p>{{end}}
<h2>Latency over time</h2>
<p class="legend"><span><i style="background:#d62728"></i>corrected p99</span><span><i style="background:#ff9896"></i>corrected max</span><span><i style="background:#1f77b4"></i>raw p99</span><span><i style="background:#2ca02c"></i>corrected p50</span></p>
{{if .R.ClosedLoop}}<p class="legend">A closed loop: each event left when its sender was free, so corrected latency equals raw and the lines lie on each other.</p>{{end}}
{{.OverTime}}
<h2>Throughput</h2>
<p class="legend"><span><i style="background:#7f7f7f"></i>first attempts ended per second</span><span><i style="background:#d62728"></i>of which not acknowledged</span></p>
{{.Throughput}}
<h2>Latency distribution</h2>
<p class="legend"><span><i style="background:#d62728"></i>corrected (from the scheduled time)</span><span><i style="background:#1f77b4"></i>raw (from when the request left)</span></p>
{{.Percentile}}
<h2>Report</h2>
<pre>{{.Text}}</pre>
</body>
</html>
`))

// chart is a plot area with a linear x axis and a linear or log y axis.
type chart struct {
	w, h, left, right, top, bottom float64
	xmin, xmax, ymin, ymax         float64
	logY                           bool
	b                              strings.Builder
}

func newChart(height, xmax, ymin, ymax float64, logY bool) *chart {
	c := &chart{w: 920, h: height, left: 64, right: 36, top: 12, bottom: 36, xmax: xmax, ymin: ymin, ymax: ymax, logY: logY}
	if c.xmax <= c.xmin {
		c.xmax = c.xmin + 1
	}
	if logY {
		// Whole decades, so that the grid lines are 1, 10, 100...
		c.ymin = math.Pow(10, math.Floor(math.Log10(math.Max(ymin, 1e-3))))
		c.ymax = math.Pow(10, math.Ceil(math.Log10(math.Max(ymax, c.ymin*10))))
		if c.ymax <= c.ymin {
			c.ymax = c.ymin * 10
		}
	} else if c.ymax <= c.ymin {
		c.ymax = c.ymin + 1
	}
	fmt.Fprintf(&c.b, `<svg width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img">`, c.w, c.h, c.w, c.h)
	fmt.Fprintf(&c.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#fff" stroke="#ccc"/>`, c.left, c.top, c.w-c.left-c.right, c.h-c.top-c.bottom)
	return c
}

func (c *chart) x(v float64) float64 {
	return c.left + (v-c.xmin)/(c.xmax-c.xmin)*(c.w-c.left-c.right)
}

func (c *chart) y(v float64) float64 {
	var f float64
	if c.logY {
		v = math.Max(v, c.ymin)
		f = (math.Log10(v) - math.Log10(c.ymin)) / (math.Log10(c.ymax) - math.Log10(c.ymin))
	} else {
		f = (v - c.ymin) / (c.ymax - c.ymin)
	}
	return c.h - c.bottom - f*(c.h-c.top-c.bottom)
}

func (c *chart) hline(v float64, label string) {
	y := c.y(v)
	fmt.Fprintf(&c.b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#eee"/>`, c.left, c.w-c.right, y, y)
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, c.left-6, y+4, template.HTMLEscapeString(label))
}

func (c *chart) vtick(v float64, label string) {
	x := c.x(v)
	fmt.Fprintf(&c.b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#eee"/>`, x, x, c.top, c.h-c.bottom)
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, c.h-c.bottom+16, template.HTMLEscapeString(label))
}

func (c *chart) xlabel(s string) {
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, (c.left+c.w-c.right)/2, c.h-4, template.HTMLEscapeString(s))
}

// line draws a polyline through pts; a NaN y breaks it, so that an
// interval without data shows as a gap rather than a made-up slope.
func (c *chart) line(pts [][2]float64, color string, width float64, dash bool) {
	var seg []string
	flush := func() {
		if len(seg) == 1 {
			seg = append(seg, seg[0])
		}
		if len(seg) > 1 {
			d := ""
			if dash {
				d = ` stroke-dasharray="5,3"`
			}
			fmt.Fprintf(&c.b, `<polyline fill="none" stroke="%s" stroke-width="%.1f"%s points="%s"/>`, color, width, d, strings.Join(seg, " "))
		}
		seg = seg[:0]
	}
	for _, p := range pts {
		if math.IsNaN(p[1]) {
			flush()
			continue
		}
		seg = append(seg, fmt.Sprintf("%.1f,%.1f", c.x(p[0]), c.y(p[1])))
	}
	flush()
}

func (c *chart) bar(x0, x1, y0, y1 float64, color string) {
	fmt.Fprintf(&c.b, `<rect x="%.1f" y="%.1f" width="%.2f" height="%.2f" fill="%s"/>`, c.x(x0), c.y(y1), math.Max(c.x(x1)-c.x(x0)-0.5, 0.5), math.Max(c.y(y0)-c.y(y1), 0), color)
}

func (c *chart) decades(unit func(float64) string) {
	for v := c.ymin; v <= c.ymax*1.0001; v *= 10 {
		c.hline(v, unit(v))
	}
}

func (c *chart) timeTicks() {
	step := niceStep(c.xmax / 8)
	for v := 0.0; v <= c.xmax+1e-9; v += step {
		c.vtick(v, fmtDur(time.Duration(v*float64(time.Second))))
	}
	c.xlabel("time since start")
}

func (c *chart) String() string { return c.b.String() + "</svg>" }

// niceStep rounds v up to 1, 2 or 5 times a power of ten.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// msLabel labels a decade of milliseconds: 100µs, 1ms, 10ms, 1s.
func msLabel(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v/1000, 'g', 3, 64) + "s"
	case v >= 1:
		return strconv.FormatFloat(v, 'g', 3, 64) + "ms"
	}
	return strconv.FormatFloat(v*1000, 'g', 3, 64) + "µs"
}

func (r *Report) overTimeSVG() string {
	iv := time.Duration(r.Interval).Seconds()
	if iv <= 0 {
		iv = 1
	}
	var p50, p99, mx, raw99 [][2]float64
	lo, hi := math.Inf(1), 0.0
	for _, p := range r.Timeline {
		x := time.Duration(p.At).Seconds() + iv/2
		if p.Done == 0 {
			nan := [2]float64{x, math.NaN()}
			p50, p99, mx, raw99 = append(p50, nan), append(p99, nan), append(mx, nan), append(raw99, nan)
			continue
		}
		a, b, c, d := ms(p.Corrected.within(r.Corrected, 50)), ms(p.Corrected.within(r.Corrected, 99)), ms(p.Corrected.within(r.Corrected, 100)), ms(p.Raw.within(r.Raw, 99))
		p50, p99, mx, raw99 = append(p50, [2]float64{x, a}), append(p99, [2]float64{x, b}), append(mx, [2]float64{x, c}), append(raw99, [2]float64{x, d})
		lo, hi = math.Min(lo, math.Min(a, d)), math.Max(hi, c)
		_ = p.Corrected.compact()
		_ = p.Raw.compact()
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.1, 1
	}
	xmax := float64(len(r.Timeline)) * iv
	c := newChart(260, xmax, lo, hi, true)
	c.decades(msLabel)
	c.timeTicks()
	c.line(mx, "#ff9896", 1, false)
	c.line(raw99, "#1f77b4", 1.5, true)
	c.line(p50, "#2ca02c", 1.5, false)
	c.line(p99, "#d62728", 2, false)
	return c.String()
}

func (r *Report) throughputSVG() string {
	iv := time.Duration(r.Interval).Seconds()
	if iv <= 0 {
		iv = 1
	}
	hi := 0.0
	for _, p := range r.Timeline {
		hi = math.Max(hi, float64(p.Done)/iv)
	}
	step := niceStep(math.Max(hi, 1) / 4)
	c := newChart(180, float64(len(r.Timeline))*iv, 0, step*math.Ceil(math.Max(hi, 1)/step), false)
	for v := 0.0; v <= c.ymax+1e-9; v += step {
		c.hline(v, fmt.Sprintf("%g/s", v))
	}
	c.timeTicks()
	for _, p := range r.Timeline {
		x0 := time.Duration(p.At).Seconds()
		c.bar(x0, x0+iv, 0, float64(p.Done)/iv, "#7f7f7f")
		if p.Errors > 0 {
			c.bar(x0, x0+iv, 0, float64(p.Errors)/iv, "#d62728")
		}
	}
	return c.String()
}

// percentileSVG plots latency against percentile on the usual HdrHistogram
// axis, where 90%, 99%, 99.9% ... are evenly spaced, so the tail that
// coordinated omission hides gets the room it deserves.
func (r *Report) percentileSVG() string {
	const maxNines = 5 // up to 99.999%
	nines := math.Min(maxNines, math.Max(2, math.Ceil(math.Log10(float64(max(r.Corrected.Count(), 1))))))
	var corr, raw [][2]float64
	lo, hi := math.Inf(1), 0.0
	for i := 0; i <= 200; i++ {
		x := nines * float64(i) / 200
		q := 100 * (1 - math.Pow(10, -x))
		a, b := ms(r.Corrected.Quantile(q)), ms(r.Raw.Quantile(q))
		if r.Corrected.Count() == 0 {
			a, b = math.NaN(), math.NaN()
		} else {
			lo, hi = math.Min(lo, math.Min(a, b)), math.Max(hi, math.Max(a, b))
		}
		corr, raw = append(corr, [2]float64{x, a}), append(raw, [2]float64{x, b})
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.1, 1
	}
	c := newChart(260, nines, lo, hi, true)
	c.decades(msLabel)
	labels := []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}
	for i := 0; i <= int(nines); i++ {
		c.vtick(float64(i), labels[i])
	}
	c.xlabel("percentile")
	c.line(raw, "#1f77b4", 2, false)
	c.line(corr, "#d62728", 2, false)
	return c.String()
}
