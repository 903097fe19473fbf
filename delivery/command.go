package delivery

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Reported is a delivery run as a command makes it: the events through an
// engine with a progress line, the summary printed, the delivery log
// written, and the verdict returned.
type Reported struct {
	Out     io.Writer   // the summary
	Info    io.Writer   // the lines around it: progress, the log's name, Notice
	JSON    bool        // the summary as one JSON document (WriteJSON)
	LogPath string      // write the delivery log here; "" for none
	Live    bool        // Info is a terminal: the progress line is redrawn in place
	TLS     *tls.Config // nil: the system's roots; a WithClient in extra must carry it (NewTLSClient)
	Notice  string      // printed to Info after the summary, when set
	// After, when set, is called by Deliver once the deliveries end
	// (started true: its error is the verdict when theirs passed), or
	// when the target check failed (started false): what is served
	// alongside the run (the API mock) reports or closes there. ctx is
	// the run's: what After waits for ends with it.
	After func(ctx context.Context, info io.Writer, started bool) error
}

// FailedError is a run whose events were not all acknowledged (or that was
// interrupted): a finding about the receiver, not a failure of the run.
type FailedError struct{ Err error }

func (e *FailedError) Error() string { return e.Err.Error() }
func (e *FailedError) Unwrap() error { return e.Err }

// Run delivers events to `to` with settings s until done or ctx ends,
// prints the summary, and returns the verdict as a *FailedError (nil when
// every event was acknowledged). Other errors are the setup's or the
// output's: bad settings, a log that could not be written, every request
// refused alike (a *RefusedError, after the summary).
func (r Reported) Run(ctx context.Context, to *Target, s Settings, seed uint64, events []Message, extra ...Option) (*Outcome, error) {
	opts, err := s.Options()
	if err != nil {
		return nil, err
	}
	opts = append(opts, extra...)
	logW, closeLog, err := openLog(r.LogPath)
	if err != nil {
		return nil, err
	}
	pr := NewProgress(r.Info, len(events), r.Live)
	var tlsErr firstError
	observe := func(a Attempt) {
		if a.ErrKind == KindTLS {
			tlsErr.note(a.Err)
		}
		pr.Observe(a)
	}
	opts = append(opts, WithSeed(seed), WithObserver(observe), tlsOfClient(r.TLS))
	if logW != nil {
		opts = append(opts, WithLog(logW))
	}
	engine, err := New(to, opts...)
	if err != nil {
		closeLog()
		return nil, err
	}
	summary, runErr := engine.Run(ctx, events)
	pr.Done()
	if summary == nil {
		closeLog()
		return nil, runErr
	}
	if r.JSON {
		if err := writeJSON(r.Out, summary); err != nil {
			closeLog()
			return summary, err
		}
	} else {
		summary.WriteReport(r.Out)
	}
	if r.Notice != "" {
		fmt.Fprintln(r.Info, r.Notice)
	}
	if err := closeLog(); err != nil {
		return summary, err
	}
	if r.LogPath != "" {
		fmt.Fprintf(r.Info, "delivery log: %s\n", r.LogPath)
	}
	if err := summary.VerdictLogged(runErr, r.LogPath); err != nil {
		if refused := (*RefusedError)(nil); errors.As(err, &refused) {
			return summary, err // the setup's, not a finding
		}
		if summary.Dead > 0 && summary.onlyTLS() {
			// The receiver never saw an event: its TLS server refused
			// the sender's settings (a client certificate refused after
			// the check's handshake, under TLS 1.3). Setup, not a finding.
			return summary, fmt.Errorf("%w at %s: no attempt was answered and its TLS server refused the handshake, so the receiver was not judged: %v; %v", ErrUnreachable, to, hintTLS(errors.New(tlsErr.first()), r.TLS, certRequest{}), err)
		}
		if summary.Dead > 0 && summary.Errors[KindTLS] > 0 {
			err = fmt.Errorf("%w; some attempts failed in the TLS handshake (see --cacert, --cert/--key, --insecure)", err)
		}
		return summary, &FailedError{err}
	}
	return summary, nil
}

// writeJSON writes v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// openLog creates the log file; close flushes and closes it.
func openLog(path string) (w io.Writer, close func() error, err error) {
	if path == "" {
		return nil, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--log: %w", err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	return bw, func() error {
		ferr := bw.Flush()
		if cerr := f.Close(); ferr == nil {
			ferr = cerr
		}
		if ferr != nil {
			return fmt.Errorf("--log %s: %v", path, ferr)
		}
		return nil
	}, nil
}

// firstError keeps the first error text noted, from any goroutine.
type firstError struct {
	mu  sync.Mutex
	msg string
}

func (f *firstError) note(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.msg == "" {
		f.msg = msg
	}
}

func (f *firstError) first() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msg
}
