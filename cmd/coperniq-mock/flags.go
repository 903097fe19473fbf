package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// checkOneOf rejects a flag value outside valid, echoing it and listing the
// valid ones, vegeta style.
func checkOneOf(flag, value string, valid []string) error {
	for _, v := range valid {
		if v == value {
			return nil
		}
	}
	msg := fmt.Sprintf("--%s %q isn't one of [%s]", flag, value, strings.Join(valid, " "))
	if s := suggest.Nearest(value, valid); s != "" {
		msg += "; did you mean " + s + "?"
	}
	return usage(fmt.Errorf("%s", msg))
}

func profileNames() []string {
	var names []string
	for _, p := range generator.Profiles() {
		names = append(names, string(p))
	}
	return names
}

// completeTriggers offers trigger keys (and "all" where allowed) for shell
// completion: the catalog is the vocabulary.
func completeTriggers(withAll bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		if withAll {
			out = append(out, cobra.CompletionWithDesc("all", "every trigger"))
		}
		for _, t := range schemas.Triggers() {
			out = append(out, cobra.CompletionWithDesc(t.Key, t.Name))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func completeWords(words ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}

// parseHeaders reads --header values, Name: value each.
func parseHeaders(kvs []string) (http.Header, error) {
	h := http.Header{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usage(fmt.Errorf("--header %q: want Name: value", kv))
		}
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return h, nil
}

// isTerminal reports whether w is a terminal, where a line rewritten in
// place (progress) or colour makes sense; pipes and files get neither.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// reachTimeout bounds the reachability checks before a run: a receiver
// that cannot accept a connection in this long is not running.
const reachTimeout = 5 * time.Second

// checkReachable dials the target once before a run, so that a receiver
// that isn't listening is reported at once (exit 2) rather than after
// every event has exhausted its retries.
func checkReachable(ctx context.Context, target *delivery.Target) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := contract.CheckReachable(ctx, target.Raw(), reachTimeout); err != nil {
		return usage(fmt.Errorf("could not reach the receiver: %w (is it running? 'coperniq-mock listen' is one)", err))
	}
	return nil
}
