package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// verifyProgressFlag is verify's --progress: an interval, or one of load's
// --progress words, so that a CI job can give both commands the same flag.
// verify prints lines only, never a bar.
type verifyProgressFlag struct {
	every time.Duration
	given bool // an interval or none; auto and plain keep the default
}

func (f *verifyProgressFlag) register(fl *pflag.FlagSet) {
	fl.Var(f, "progress", fmt.Sprintf("print a progress line on stderr this often while the run goes: an interval such as 10s, none (or 0s) for never, auto or plain for the default (%s on a terminal or with --verbose, %s otherwise)", contract.DefaultProgressEvery, contract.DefaultProgressLog))
}

func (f *verifyProgressFlag) String() string {
	if !f.given {
		return "" // the help says what the default does
	}
	return f.every.String()
}

func (f *verifyProgressFlag) Type() string { return "interval" }

func (f *verifyProgressFlag) Set(s string) error {
	switch s {
	case "auto", "plain":
		f.every, f.given = 0, false
		return nil
	case "none":
		f.every, f.given = 0, true
		return nil
	case "bar":
		return fmt.Errorf("verify prints progress lines, not a bar: give an interval such as 10s, or auto, plain or none")
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want an interval such as 10s, or auto, plain or none")
	}
	f.every, f.given = d, true
	return nil
}

// config is RunConfig.Progress and ProgressEvery: lines on cmd's stderr.
func (f *verifyProgressFlag) config(cmd *cobra.Command, verbose bool) (func(contract.Progress), time.Duration) {
	every := contract.ProgressInterval(f.every, f.given, verbose || displayOf(os.Stdout).terminal)
	if every == 0 {
		return nil, 0
	}
	w := cmd.ErrOrStderr()
	return func(p contract.Progress) { fmt.Fprintln(w, p) }, every
}
