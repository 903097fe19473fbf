package delivery

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// WriteReport writes the summary every delivery run ends with: the
// accounting equation first, then retries, latency and a per-trigger
// table.
func (s *Outcome) WriteReport(w io.Writer) {
	fmt.Fprintln(w, s.Accounting())
	fmt.Fprintf(w, "retried %d, attempts %d, duplicates %d\n", s.Retried, s.Attempts, s.Duplicates)
	fmt.Fprintf(w, "latency p50 %s, p99 %s, max %s\n", roundLatency(s.LatencyP50), roundLatency(s.LatencyP99), roundLatency(s.LatencyMax))
	pending := s.Pending > 0 || s.Interrupted
	keys := schemas.TriggerKeys()
	for k := range s.Triggers {
		if _, err := schemas.Lookup(k); err != nil {
			keys = append(keys, k) // a replayed log may carry unknown keys
		}
	}
	width := len("TRIGGER")
	for _, k := range keys {
		if _, ok := s.Triggers[k]; ok {
			width = max(width, len(Printable(k, 60)))
		}
	}
	row := func(name string, cols ...any) {
		fmt.Fprintf(w, "  %-*s", width, name)
		for _, c := range cols {
			fmt.Fprintf(w, " %7v", c)
		}
		fmt.Fprintln(w)
	}
	if pending {
		row("TRIGGER", "EVENTS", "ACKED", "DEAD", "PENDING")
	} else {
		row("TRIGGER", "EVENTS", "ACKED", "DEAD")
	}
	for _, k := range keys {
		c, ok := s.Triggers[k]
		if !ok {
			continue
		}
		if pending {
			row(Printable(k, 60), c.Events, c.Acked, c.Dead, c.Pending)
		} else {
			row(Printable(k, 60), c.Events, c.Acked, c.Dead)
		}
	}
	fmt.Fprintln(w, s.Settings())
}

func roundLatency(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// VerdictLogged is Verdict, telling how to re-deliver dead events: from the
// delivery log at logPath, or, without one, to write one next time.
func (s *Outcome) VerdictLogged(runErr error, logPath string) error {
	err := s.Verdict(runErr)
	if err == nil || !errors.Is(err, ErrDead) {
		return err
	}
	if logPath != "" {
		return fmt.Errorf("%w; 'coperniq-mock replay %s --target URL' re-delivers them", err, logPath)
	}
	return fmt.Errorf("%w; run with --log FILE to replay them later with 'replay FILE'", err)
}
