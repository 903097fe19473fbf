package contract

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// RunConfig is how Run runs the suite: Ginkgo's own settings, as the CLI
// exposes them.
type RunConfig struct {
	// Focus and Skip are regular expressions on the spec names, as
	// ginkgo --focus and --skip take them.
	Focus, Skip []string
	// JUnitReport and JSONReport are files to write, or empty. They are
	// written before the run too, as "not judged" until its end, and with
	// the reason when the receiver cannot be judged (Verify).
	JUnitReport, JSONReport string
	// Explain words an error in the report files as the caller's users
	// know it (verify: its flags); nil is err.Error().
	Explain func(err error) string
	// Out is where the run's progress goes: a header (target, seed, how
	// many specs), a dot per passed spec and each failure as it happens;
	// nil discards it.
	Out io.Writer
	// Verbose prints Ginkgo's own output instead: its header, every spec
	// as it runs with its timeline.
	Verbose bool
	// NoColor drops the ANSI colours (for logs that show them raw).
	NoColor bool
	// Progress, when set, is called every ProgressEvery
	// (DefaultProgressEvery) while the run goes, from a goroutine of its
	// own, with where the run stands: for a line on stderr, so that a long
	// run does not look hung. A run shorter than ProgressEvery makes no
	// call.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// SuiteDescription names the suite in Ginkgo's output and in reports.
const SuiteDescription = "Coperniq receiver contract"

var ran atomic.Bool

// noTestingT is the GinkgoTestingT of a suite run outside `go test`: the
// outcome is read from RunSpecs' result and the report, not from Fail.
type noTestingT struct{}

func (noTestingT) Fail() {}

// suiteTimeout is no bound in practice: see Run.
const suiteTimeout = 365 * 24 * time.Hour

// Run runs the contract specs against target outside `go test`, as `verify`
// does: the progress goes to cfg.Out, the reports of cfg are written, and the Findings says what happened. Ginkgo keeps its suite in
// globals, so Run works once per process (a second call is an error), and
// the process must not have registered other specs.
func Run(target Target, cfg RunConfig) (Findings, error) {
	r := newRun(target, SuiteDescription)
	if r.err != nil {
		return Findings{}, r.err
	}
	t := r.t
	if !ran.CompareAndSwap(false, true) {
		return Findings{}, errors.New("contract: Run works once per process (Ginkgo's suite is global)")
	}
	describe(r)
	var report types.Report
	ReportAfterSuite("contract summary", func(r Report) { report = r })

	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	title := Findings{Target: delivery.MaskURL(t.URL), Seed: t.Seed, SeedRandom: target.Seed == 0}.Title()
	// Ginkgo's reporter writes to this global; it is Run's for the run.
	defer func(w io.Writer) { formatter.ColorableStdOut = w }(formatter.ColorableStdOut)
	formatter.ColorableStdOut = io.Discard
	var con *console
	if cfg.Verbose {
		formatter.ColorableStdOut = out
	} else {
		con = &console{w: out, title: title, color: !cfg.NoColor}
		ReportBeforeSuite(con.header)
		ReportAfterEach(con.spec)
	}

	sc := types.NewDefaultSuiteConfig()
	sc.FocusStrings, sc.SkipStrings = cfg.Focus, cfg.Skip
	// Ginkgo's default suite timeout (1 h) would time out the specs left
	// after it, and they would read as the receiver's failures: a slow
	// receiver with --state and a long --inspect-timeout can run that long.
	// A run is bounded by the user's CI (its signal is an interruption).
	sc.Timeout = suiteTimeout
	// The order of the specs is fixed by the tree; the seed only shows up
	// in Ginkgo's header (--verbose), where the payload seed is less
	// confusing than a clock reading.
	sc.RandomSeed = int64(t.Seed % (1 << 62))
	rc := types.NewDefaultReporterConfig()
	rc.Verbose, rc.NoColor = cfg.Verbose, cfg.NoColor
	// A row of S for specs left out by --focus drowns the output; the
	// summary lists every skip with its reason instead.
	rc.SilenceSkips = !cfg.Verbose

	stop := make(chan struct{})
	if cfg.Progress != nil {
		every := cfg.ProgressEvery
		if every <= 0 {
			every = DefaultProgressEvery
		}
		ReportBeforeSuite(func(rep Report) { r.prog.total.Store(int64(rep.PreRunStats.SpecsThatWillRun)) })
		ReportBeforeEach(r.prog.before)
		ReportAfterEach(r.prog.after)
		r.prog.started = time.Now()
		go r.prog.report(func(p Progress) {
			if con != nil {
				con.breakLine() // the progress line does not land amid the dots
			}
			cfg.Progress(p)
		}, every, stop)
	}
	// Ginkgo calls SIGINT and SIGTERM alike "Interrupted by User"; a CI's
	// timeout sends SIGTERM, and the summary should not blame a user. The
	// first signal is kept (Notify drops what the buffer can't take).
	//
	// Ginkgo listens for signals only once RunSpecs has built the tree
	// (about 100 ms): a signal before that reached this channel alone, and
	// the run went on to pass with exit 0, a cancelled CI job recorded
	// green. So a signal already here when the suite starts is raised
	// again, now that Ginkgo listens, and interrupts the run as any other.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	var early os.Signal
	ReportBeforeSuite(func(Report) {
		select {
		case early = <-signals:
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(early)
			}
		default:
		}
	})
	passed := RunSpecs(noTestingT{}, SuiteDescription, sc, rc)
	signal.Stop(signals)
	close(stop)
	if con != nil {
		con.end()
	}
	r.keepSkipReasons(&report)
	s := Summarize(report)
	if s.Interrupted != "" {
		select {
		case sig := <-signals:
			s.Interrupted = signalName(sig)
		default:
			if early != nil {
				s.Interrupted = signalName(early)
			}
		}
	}
	s.Seed, s.SeedRandom, s.Target, s.Insecure = t.Seed, target.Seed == 0, delivery.MaskURL(t.URL), t.insecure()
	s.Unfit, s.Vocabulary = r.unfitSelected(report), t.Vocabulary.File()
	r.mu.Lock()
	s.NothingApplied = t.Inspect != nil && !r.anyApplied && r.zeroChecks > 0
	r.mu.Unlock()
	s.Succeeded = passed && s.Failed == 0 && len(s.SuiteFailures) == 0
	s.Sent, s.SentAPI = int(r.prog.deliveries.Load()), int(r.apiSent.Load())
	// The reports are written here rather than by Ginkgo: they carry what
	// only the summary computes (warnings, the verdict), and leave out
	// Ginkgo's internals (see junit.go and jsonreport.go).
	rep := newJSONReport(report, s, cfg)
	if cfg.JUnitReport != "" {
		if err := writeJUnit(cfg.JUnitReport, report, s); err != nil {
			s.ReportErrors = append(s.ReportErrors, fmt.Sprintf("writing the JUnit report: %v", err))
		}
	}
	if cfg.JSONReport != "" {
		if err := writeJSONReport(cfg.JSONReport, rep); err != nil {
			s.ReportErrors = append(s.ReportErrors, fmt.Sprintf("writing the JSON report: %v", err))
		}
	}
	if len(s.ReportErrors) > 0 {
		// An unwritable report is exit 2 (see Findings.Verdict).
		s.SuiteFailures = append(s.SuiteFailures, s.ReportErrors...)
		s.Succeeded = false
		rep = newJSONReport(report, s, cfg)
	}
	s.Report = &rep
	return s, nil
}

// signalName is how the summary names the signal that interrupted a run.
func signalName(sig os.Signal) string {
	if sig == os.Interrupt {
		return "Ctrl-C or SIGINT"
	}
	return "SIGTERM"
}
