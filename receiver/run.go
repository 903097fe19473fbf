package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Session is a capture receiver run in the foreground, as 'listen' runs it:
// it prints the address lines and a line per delivery, and a summary of
// every delivery (RunSummary) when its context ends.
type Session struct {
	// Addr is the delivery address, host:port (port 0 picks a free one).
	Addr string
	// Out, when not "", also receives every delivery as a JSON line.
	Out string
	// Queue is how many lines may wait for a slow stdout before lines are
	// dropped and counted; 0 takes the Printer's default.
	Queue int
	// JSON prints the summary as one JSON object on the last line.
	JSON bool
}

// ErrBlocked is a stdout that stopped reading, so that the summary could
// not be printed.
var ErrBlocked = errors.New("stdout blocked: the summary could not be printed")

// Run serves s with opts until ctx ends, printing to stdout, then prints
// the summary. Its errors are ErrBlocked, or a *schemas.FieldError on the
// Session field Addr or the Config field InspectAddr (the address could not
// be bound) or Out (the file could not be opened or written).
func Run(ctx context.Context, stdout io.Writer, s Session, opts ...Option) error {
	ready := make(chan struct{})
	pr := NewPrinter(stdout, s.Queue)
	opts = append(opts, WithObserver(func(d Delivery) {
		<-ready // the address line comes first
		pr.Line(d.Line())
	}))

	var out *OutFile
	if s.Out != "" {
		var err error
		if out, err = OpenOutFile(s.Out); err != nil {
			return &schemas.FieldError{Field: "Out", Want: err.Error()}
		}
		defer out.Close() // for early returns; the normal path checks Close
		opts = append(opts, WithOutput(out))
	}

	srv, err := Start(s.Addr, opts...)
	if err != nil {
		if out != nil {
			out.Abandon()
		}
		field, addr := "Addr", s.Addr
		if ie := (*inspectAddrError)(nil); errors.As(err, &ie) {
			field, addr = "InspectAddr", ie.addr
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err // net.OpError repeats the address
		}
		return &schemas.FieldError{Field: field, Value: addr, Want: err.Error()}
	}
	if out != nil {
		if err := out.Ready(); err != nil {
			srv.Close()
			return &schemas.FieldError{Field: "Out", Want: err.Error()}
		}
	}
	// Through the printer too: the address line comes first, scripts read it.
	pr.Line(AddressLine(srv.Addr, srv.URL, srv.InspectURL))
	pr.Line(srv.Describe(s.Out))
	close(ready)

	<-ctx.Done()
	shutdownErr := srv.Close()

	note := pr.DroppedNote()
	// The whole run, as --out has it, whatever DELETE /_mock/deliveries
	// cleared on the way.
	total := srv.RunSummary()
	sum := total.Text() + note
	if s.JSON {
		var b strings.Builder
		total.WriteJSON(&b)
		sum = note + b.String() // the JSON summary stays the last line
	}
	if !pr.Finish(DefaultGrace, strings.TrimSuffix(sum, "\n")) {
		// The summary is lost with the lines before it, but the process
		// must stop when asked to.
		return ErrBlocked
	}

	if werr := srv.Err(); werr != nil {
		return &schemas.FieldError{Field: "Out", Value: s.Out, Want: werr.Error()}
	}
	if out != nil {
		if cerr := out.Close(); cerr != nil {
			return &schemas.FieldError{Field: "Out", Value: s.Out, Want: cerr.Error()}
		}
	}
	if shutdownErr != nil {
		// In-flight deliveries outlived the grace period: they were
		// dropped, which the summary already counts; not a failure of
		// the capture itself.
		fmt.Fprintf(stdout, "shutdown: %v\n", shutdownErr)
	}
	return nil
}
