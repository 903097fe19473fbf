package load

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime/debug"
	"slices"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// ProgressModes are the ways a run shows its progress (Session.Progress):
// auto is a bar on a terminal and plain lines otherwise.
var ProgressModes = []string{"auto", "bar", "plain", "none"}

// gcPercent is the GC target of a planned run. The heap holds little that
// lives long (histograms, the workers' buffers), and load's own HTTP client
// makes next to no garbage; where net/http sends instead (a proxy), most
// garbage is its per-request state. A higher target trades a few megabytes
// for CPU.
const gcPercent = 400

// Session is where a planned run shows itself: its progress, its report,
// and what every output must say about it.
type Session struct {
	Stdout, Stderr io.Writer
	Progress       string      // one of ProgressModes; a bad one is a *schemas.FieldError naming Progress
	Terminal       bool        // Stderr is a terminal that redraws a line: auto shows a bar
	TLS            *tls.Config // for an https:// target; nil: the system's roots
	// Notice is printed on Stderr before the run and after the report's
	// text (an unverified certificate, say).
	Notice string
}

// Run checks the plan, checks that the target accepts a connection (and a
// TLS handshake), creates the report files, runs the load, and writes the
// report judged by the plan's pass marks. The verdict is a
// *delivery.FailedError, or a *delivery.RefusedError when every request
// was refused alike (a wrong path or token); any other error is the plan's (*schemas.FieldError), the
// target's or the output's. Without a given Seed each run draws one, so
// that a second run sends new event ids rather than duplicates (which would
// only exercise a deduplicating receiver's shortcut); the report prints it.
// The process's GC target is raised for the run (gcPercent) and restored.
func (p Plan) Run(ctx context.Context, to *delivery.Target, s Session) error {
	randomSeed := !p.given("Seed")
	if randomSeed {
		p.Seed = rand.Uint64()
	}
	opts, err := p.Options()
	if err != nil {
		return err
	}
	if !slices.Contains(ProgressModes, s.Progress) {
		return planErr("Progress", nil, "%s", suggest.NotOneOf("{Progress}", s.Progress, ProgressModes, suggest.Nearest(s.Progress, ProgressModes)))
	}
	if s.TLS != nil {
		// load's own client keeps its speed and its connection cap on https.
		opts = append(opts, WithTLSConfig(s.TLS))
	}
	if err := to.Check(ctx, s.TLS, delivery.DefaultCheckTimeout); err != nil {
		return err
	}
	outs := &Outputs{JSON: p.Out, HTML: p.HTML, Stdout: s.Stdout, Stderr: s.Stderr}
	noticeTo(s.Stderr, s.Notice)
	if err := outs.Create(); err != nil {
		return err
	}
	if mode := s.progressMode(); mode != "none" {
		pp := &ProgressPrinter{W: s.Stderr, Bar: mode == "bar"}
		opts = append(opts, WithObserver(pp.Show, pp.Interval()))
	}
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	rep, err := Run(ctx, to, opts...)
	if err != nil {
		return err
	}
	rep.SeedRandom = randomSeed
	rep.Insecure = s.TLS != nil && s.TLS.InsecureSkipVerify
	return p.Report(rep, outs, s.Notice)
}

// Report holds rep to the plan's pass marks, writes it to every output
// (created already), prints notice after its text, and returns the verdict
// as a *delivery.FailedError, nil when the run passed.
func (p Plan) Report(rep *Report, outs *Outputs, notice string) error {
	verdict := p.Judge(rep)
	if err := outs.Write(rep); err != nil {
		return err
	}
	noticeTo(outs.Text(), notice)
	if refused := (*delivery.RefusedError)(nil); errors.As(verdict, &refused) {
		return verdict // the setup's, not a finding
	}
	if len(rep.Statuses) == 0 && delivery.RefusedByTLS(rep.Errors) {
		// The receiver never answered, and its TLS server refused
		// handshakes (a client certificate refused after the check's
		// handshake, under TLS 1.3): the setup's problem, not a finding,
		// and not excused by --min-success 0.
		why := ""
		if verdict != nil {
			why = ": " + verdict.Error()
		}
		return fmt.Errorf("%w at %s: no request was answered and %d failed in the TLS handshake, so the receiver was not judged%s (check --cacert, --cert/--key, --insecure; 'coperniq-mock send' with the same flags shows the handshake's error)",
			delivery.ErrUnreachable, rep.Target, rep.Errors[string(delivery.KindTLS)], why)
	}
	if verdict != nil {
		return &delivery.FailedError{Err: verdict}
	}
	return nil
}

func (s Session) progressMode() string {
	switch {
	case s.Progress != "auto":
		return s.Progress
	case s.Terminal:
		return "bar"
	}
	return "plain"
}

func noticeTo(w io.Writer, notice string) {
	if notice != "" {
		fmt.Fprintln(w, notice)
	}
}

// Merge reads the --out reports of a sharded run from files and writes the
// run as a whole (Merge, or MergePartial when partial) to stdout and the
// plan's files, judged by the plan's pass marks, which are all of the plan
// it reads. Errors are as Run's; shards missing without partial are a
// *MissingShardsError.
func (p Plan) Merge(files []string, partial bool, stdout, stderr io.Writer) error {
	if err := p.CheckReport(); err != nil {
		return err
	}
	reps, err := ReadReports(files...)
	if err != nil {
		return err
	}
	merge := Merge
	if partial {
		merge = MergePartial
	}
	merged, err := merge(reps...)
	if err != nil {
		return err
	}
	if merged.ClosedLoop {
		if err := p.checkClosed(); err != nil {
			return err
		}
	}
	outs := &Outputs{JSON: p.Out, HTML: p.HTML, Stdout: stdout, Stderr: stderr}
	if err := outs.Create(); err != nil {
		return err
	}
	return p.Report(merged, outs, "")
}
