package contract

import (
	"context"
	"fmt"
	"io"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// Session is a verify run in the foreground, as the command makes it: the
// token hint, the TLS handshake checked, chaos runs or the suite, the
// summary and the verdict, printed.
type Session struct {
	Out    io.Writer    // the notice, chaos output, the summary and a passing verdict
	Err    io.Writer    // the token hint and the verdict's notes
	Notice string       // printed before the run and after the summary, when set (--insecure)
	Chaos  ChaosCommand // when Enabled, chaos runs (or a replay) instead of the suite
}

// Run runs the suite (Verify) against t with cfg, or the chaos command, and
// returns the verdict; a passing one's Message is printed too. Errors mean
// the receiver was not judged (Verify's, a failed TLS handshake with t.TLS),
// or are the chaos command's (a *ChaosFailure is a receiver failing a chaos
// run, which then has no Verdict).
func (s Session) Run(ctx context.Context, t Target, cfg RunConfig) (Verdict, error) {
	if h := t.TokenHint(); h != "" {
		fmt.Fprintln(s.Err, h)
	}
	if err := delivery.CheckTLS(ctx, t.URL, t.TLS, ReachTimeout); err != nil {
		if !s.Chaos.Enabled() {
			err = cfg.notJudgedBy(t, err)
		}
		return Verdict{}, err
	}
	s.notice()
	if s.Chaos.Enabled() {
		return Verdict{}, s.Chaos.Run(ctx, s.Out, t)
	}
	sum, err := Verify(ctx, t, cfg)
	if err != nil {
		return Verdict{}, err
	}
	v := sum.Verdict(len(cfg.Focus)+len(cfg.Skip) > 0)
	if sum.selected() > 0 || sum.Interrupted != "" {
		// A table of zeros would bury the one line that matters: the
		// --focus that selected nothing.
		fmt.Fprintf(s.Out, "\n%s\n\n%s\n", sum.Title(), sum)
	}
	s.notice()
	for _, n := range v.Notes {
		fmt.Fprintf(s.Err, "warning: %s\n", n)
	}
	if v.Exit == 0 {
		fmt.Fprintln(s.Out, v.Message)
	}
	return v, nil
}

func (s Session) notice() {
	if s.Notice != "" {
		fmt.Fprintln(s.Out, s.Notice)
	}
}
