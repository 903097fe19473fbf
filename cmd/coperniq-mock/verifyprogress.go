package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// How often verify prints a progress line on stderr. On a terminal (or
// with --verbose) someone is watching: every 5 s. In a CI log every 30 s:
// a full run against a receiver that answers in 1.2 s (about a minute and
// a half) gets a few lines rather than twenty, and no log goes silent long
// enough to look hung. A run shorter than the interval prints none.
const (
	progressWatched = contract.DefaultProgressEvery
	progressLog     = 30 * time.Second
)

// verifyProgressFlag is verify's --progress.
type verifyProgressFlag struct{ every time.Duration }

func (f *verifyProgressFlag) register(fl *pflag.FlagSet) {
	fl.DurationVar(&f.every, "progress", 0, fmt.Sprintf("print a progress line on stderr this often while the run goes (default %s on a terminal or with --verbose, %s otherwise; 0s: never)", progressWatched, progressLog))
}

// config is RunConfig.Progress and ProgressEvery: lines on cmd's stderr.
func (f *verifyProgressFlag) config(cmd *cobra.Command, verbose bool) (func(contract.Progress), time.Duration) {
	every := f.every
	switch {
	case cmd.Flags().Changed("progress") && every <= 0:
		return nil, 0
	case cmd.Flags().Changed("progress"):
	case verbose || isTerminal(os.Stdout):
		every = progressWatched
	default:
		every = progressLog
	}
	w := cmd.ErrOrStderr()
	return func(p contract.Progress) { fmt.Fprintln(w, p) }, every
}
