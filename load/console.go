package load

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ProgressPrinter draws a run's progress (WithObserver) on W: one line
// redrawn in place when Bar (a terminal), else one plain line per call, for
// logs.
type ProgressPrinter struct {
	W   io.Writer
	Bar bool
}

// Interval is how often the printer wants to be called: often for a bar,
// every 5 s for a log.
func (p *ProgressPrinter) Interval() time.Duration {
	if p.Bar {
		return 250 * time.Millisecond
	}
	return 5 * time.Second
}

// Show prints one observation.
func (p *ProgressPrinter) Show(pr Progress) {
	elapsed := min(pr.Elapsed, pr.Planned)
	state := fmt.Sprintf("%s/%s", elapsed.Round(time.Second), pr.Planned.Round(time.Second))
	if pr.Draining {
		state = "draining retries"
	}
	stats := fmt.Sprintf("%7.0f/s  p99 %-7s  sent %d  acked %d  errors %d  late %d  dropped %d  in flight %d",
		pr.Rate, progressLatency(pr.P99), pr.Sent, pr.Acked, pr.Failed, pr.Late, pr.Dropped, pr.InFlight)
	if pr.Closed {
		// Nothing is scheduled, so nothing is late or dropped: the rate is
		// the receiver's.
		stats = fmt.Sprintf("%7.0f/s as fast as answered  p99 %-7s  sent %d  acked %d  errors %d  in flight %d",
			pr.Rate, progressLatency(pr.P99), pr.Sent, pr.Acked, pr.Failed, pr.InFlight)
	}
	if !p.Bar {
		if !pr.Done {
			fmt.Fprintf(p.W, "load %s  %s\n", state, stats)
		}
		return
	}
	if pr.Done {
		fmt.Fprint(p.W, "\r\033[K")
		return
	}
	const width = 24
	filled := 0
	if pr.Planned > 0 {
		filled = int(float64(width) * float64(elapsed) / float64(pr.Planned))
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.W, "\r\033[K%s %s (%s left)  %s", bar, state, (pr.Planned - elapsed).Round(time.Second), stats)
}

func progressLatency(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// Outputs are where a report goes: its text, and the files named by JSON
// (the report with its histograms; "-" puts the JSON on Stdout and the text
// on Stderr) and HTML. Errors are *schemas.FieldError naming Out or HTML.
type Outputs struct {
	JSON, HTML     string
	Stdout, Stderr io.Writer

	json, html *os.File
}

// Create creates the files before the run, so that an unwritable path
// fails now, not after an hour of load.
func (o *Outputs) Create() error {
	var err error
	if o.JSON != "" && o.JSON != "-" {
		if o.json, err = os.Create(o.JSON); err != nil {
			return fieldErr("Out", err)
		}
	}
	if o.HTML != "" {
		if o.html, err = os.Create(o.HTML); err != nil {
			if o.json != nil {
				o.json.Close()
			}
			return fieldErr("HTML", err)
		}
	}
	return nil
}

// Text is where the text report goes: Stdout, or Stderr when the JSON
// takes Stdout.
func (o *Outputs) Text() io.Writer {
	if o.JSON == "-" {
		return o.Stderr
	}
	return o.Stdout
}

// Write prints the text report and writes the files created by Create; the
// text comes first so that a person sees the outcome even if a file fails,
// and the files are written even if the text could not be: a run's report
// must not depend on whoever reads its console.
func (o *Outputs) Write(rep *Report) error {
	errs := []error{rep.WriteText(o.Text())}
	if o.JSON == "-" {
		errs = append(errs, rep.EncodeJSON(o.Stdout))
	}
	if o.json != nil {
		err := rep.EncodeJSON(o.json)
		errs = append(errs, err, o.json.Close())
	}
	if o.html != nil {
		err := rep.WriteHTML(o.html)
		errs = append(errs, err, o.html.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

// ReadReports decodes the --out files of a sharded run, naming the file
// that is not one.
func ReadReports(names ...string) ([]*Report, error) {
	var reps []*Report
	for _, name := range names {
		fh, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		rep, err := DecodeReport(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		reps = append(reps, rep)
	}
	return reps, nil
}
