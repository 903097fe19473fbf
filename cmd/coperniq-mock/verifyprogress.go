package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// verifyProgressFlag is verify's --progress.
type verifyProgressFlag struct{ every time.Duration }

func (f *verifyProgressFlag) register(fl *pflag.FlagSet) {
	fl.DurationVar(&f.every, "progress", 0, fmt.Sprintf("print a progress line on stderr this often while the run goes (default %s on a terminal or with --verbose, %s otherwise; 0s: never)", contract.DefaultProgressEvery, contract.DefaultProgressLog))
}

// config is RunConfig.Progress and ProgressEvery: lines on cmd's stderr.
func (f *verifyProgressFlag) config(cmd *cobra.Command, verbose bool) (func(contract.Progress), time.Duration) {
	every := contract.ProgressInterval(f.every, cmd.Flags().Changed("progress"), verbose || displayOf(os.Stdout).terminal)
	if every == 0 {
		return nil, 0
	}
	w := cmd.ErrOrStderr()
	return func(p contract.Progress) { fmt.Fprintln(w, p) }, every
}
