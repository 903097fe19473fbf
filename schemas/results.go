package schemas

import (
	"bufio"
	"fmt"
	"io"
)

// Results is how WriteResults reads its inputs and writes their verdicts.
type Results struct {
	Level Level
	// JSON writes one JSON document (JSONResults) instead of text.
	JSON bool
	// Quiet writes, as text, only the payloads with problems, and the
	// totals.
	Quiet bool
	// Open opens the input name; its error is returned as it is.
	Open func(name string) (r io.Reader, close func() error, err error)
}

// WriteResults checks every payload of the inputs names, in order, and
// writes each verdict to w as it comes, then the totals; Tally.Verdict is
// the run's verdict. An input that cannot be opened or read stops it with
// an error, after what was written so far.
func (v *Validator) WriteResults(w io.Writer, rs Results, names ...string) (Tally, error) {
	totals := Tally{Level: rs.Level.String()}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	var js *JSONResults
	if rs.JSON {
		js = &JSONResults{W: bw}
	}
	report := func(c Checked) {
		totals.Add(c)
		if js != nil {
			js.Add(c)
		} else {
			c.WriteText(bw, rs.Quiet)
		}
	}
	for _, name := range names {
		r, closeIn, err := rs.Open(name)
		if err != nil {
			return totals, err
		}
		err = v.CheckStream(r, name, rs.Level, report)
		closeIn()
		if err != nil {
			return totals, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	if js != nil {
		if err := js.Close(totals); err != nil {
			return totals, err
		}
	} else {
		fmt.Fprintln(bw, totals)
	}
	if err := bw.Flush(); err != nil {
		return totals, fmt.Errorf("writing the results: %w", err)
	}
	return totals, nil
}
