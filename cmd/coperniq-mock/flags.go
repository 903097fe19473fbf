package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"golang.org/x/term"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
func checkReachable(ctx context.Context, target string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := contract.CheckReachable(ctx, target, reachTimeout); err != nil {
		return usage(fmt.Errorf("could not reach the receiver: %w (is it running? 'coperniq-mock listen' is one)", err))
	}
	return nil
}

// alias makes --old a hidden spelling of --name on cmd: it parses as --name
// (an error names --name), and help shows only --name. Old spellings keep
// scripts written against earlier releases working.
func alias(cmd *cobra.Command, old, name string) {
	fs := cmd.Flags()
	prev := fs.GetNormalizeFunc()
	fs.SetNormalizeFunc(func(f *pflag.FlagSet, n string) pflag.NormalizedName {
		if n == old {
			n = name
		}
		return prev(f, n)
	})
}

// targetFlag defines --target, the receiver's URL, the same on every command
// that sends, with --to kept as a hidden alias.
func targetFlag(cmd *cobra.Command, p *string, what string) {
	cmd.Flags().StringVar(p, "target", "", what+" (a token in the query string is masked in output)")
	alias(cmd, "to", "target")
}

// envAnnotation marks a flag whose value may come from an environment
// variable (secretFromEnv); fromEnv reads it before the command runs.
const envAnnotation = "coperniq-mock/env"

// secretFromEnv lets a secret flag come from the environment variable env,
// so that it stays out of argv (ps, shell history) and CI logs. The flag,
// when given, wins. --help names the variable.
func secretFromEnv(cmd *cobra.Command, flag, env string) {
	f := cmd.Flags().Lookup(flag)
	if f == nil {
		panic("secretFromEnv: no flag --" + flag) // a programming error, caught by every test
	}
	f.Usage += "; or set " + env + " (keeps it out of argv and CI logs)"
	_ = cmd.Flags().SetAnnotation(flag, envAnnotation, []string{env})
}

// fromEnv sets every flag of cmd marked by secretFromEnv that was not given
// from its environment variable, when that is set.
func fromEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		env := f.Annotations[envAnnotation]
		if err != nil || len(env) == 0 || f.Changed {
			return
		}
		v, ok := os.LookupEnv(env[0])
		if !ok || v == "" {
			return
		}
		if serr := cmd.Flags().Set(f.Name, v); serr != nil {
			err = usage(fmt.Errorf("%s (for --%s): %w", env[0], f.Name, serr))
		}
	})
	return err
}

// flagError adds did-you-mean to an unknown flag, as every other name in
// the tool has, and makes every flag error bad usage.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return usage(err)
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if s := suggest.Nearest(name, names); s != "" {
		return usage(fmt.Errorf("%s; did you mean --%s?", msg, s))
	}
	return usage(fmt.Errorf("%s ('%s --help' lists the flags)", msg, cmd.CommandPath()))
}

// completeMix completes load's --mix, TRIGGER=WEIGHT comma-separated: the
// entries already typed are kept, and the one being typed completes to a
// trigger key followed by "=".
func completeMix(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	done := ""
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done = toComplete[:i+1]
	}
	used := map[string]bool{}
	for _, part := range strings.Split(done, ",") {
		k, _, _ := strings.Cut(part, "=")
		used[k] = true
	}
	var out []cobra.Completion
	for _, t := range schemas.Triggers() {
		if !used[t.Key] {
			out = append(out, cobra.CompletionWithDesc(done+t.Key+"=", t.Name))
		}
	}
	return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

// tokenInURLHint is verify's hint when --target carries a query string and
// --token-param is not given: the token then goes with every delivery and
// the token specs are skipped, which a user who meant to test them would
// not notice.
func tokenInURLHint(target, tokenParam string) string {
	if tokenParam != "" {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil || u.RawQuery == "" {
		return ""
	}
	q := u.Query()
	if len(q) == 0 {
		return ""
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprintf("hint: --target carries %s in its query string, so the token specs (a delivery without the token, or with a wrong one, must be refused) are skipped; "+
		"to run them, take it out of the URL and pass --token-param %s=VALUE (or set COPERNIQ_MOCK_TOKEN_PARAM)", strings.Join(names, ", "), names[0])
}
