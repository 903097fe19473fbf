package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/load"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	return usage(errors.New(suggest.NotOneOf("--"+flag, value, valid, suggest.Nearest(value, valid))))
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
	h, err := delivery.ParseHeaders(kvs)
	if err != nil {
		return nil, usage(fmt.Errorf("--%w", err))
	}
	return h, nil
}

// display is what a command's output may show, decided for every command
// by displayOf. Pipes and files get none of it.
type display struct {
	// terminal: w is a terminal, someone watches it as it comes.
	terminal bool
	// live: lines rewritten in place (progress), which TERM=dumb (an
	// editor's shell buffer, say) cannot do: it moves no cursor.
	live bool
	// color: ANSI colours, on a terminal not dumb, unless NO_COLOR is set
	// (https://no-color.org: to anything but "").
	color bool
}

// displayOf is what w may show, in this process's environment.
func displayOf(w io.Writer) display { return displayFor(isTerminal(w), os.Getenv) }

func displayFor(terminal bool, getenv func(string) string) display {
	live := terminal && getenv("TERM") != "dumb"
	return display{terminal: terminal, live: live, color: live && getenv("NO_COLOR") == ""}
}

// isTerminal reports whether w is a terminal; commands ask displayOf,
// which also heeds TERM and NO_COLOR.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr }) // *os.File, or main's *pipeOut
	return ok && term.IsTerminal(int(f.Fd()))
}

// needTarget is the error for a --target not given: why says what the URL
// is for, or what to give instead.
func needTarget(to, why string) error {
	if to != "" {
		return nil
	}
	return usage(fmt.Errorf("--target URL is required %s", why))
}

const forReceiver = "(the receiver's webhook URL)"

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
		// Not given on the command line: a check that a flag was given
		// (--api-key without --api) must not fire for the environment.
		f.Changed = false
	})
	return err
}

// unknownFlagError adds did-you-mean to an unknown flag, as every other name in
// the tool has, and makes every flag error bad usage.
func unknownFlagError(cmd *cobra.Command, err error) error {
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
	s := suggest.Abbreviated(name, names)
	if s != "" {
		return usage(fmt.Errorf("%s; did you mean --%s?", msg, s))
	}
	return usage(fmt.Errorf("%s ('%s --help' lists the flags)", msg, cmd.CommandPath()))
}

// completeMix completes load's --mix, TRIGGER=WEIGHT comma-separated: the
// entries already typed are kept, and the one being typed completes to a
// trigger key followed by "=".
func completeMix(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	done, next := load.MixCompletion(toComplete)
	var out []cobra.Completion
	for _, t := range next {
		out = append(out, cobra.CompletionWithDesc(done+t.Key+"=", t.Name))
	}
	return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

// tlsFlags are the HTTPS flags of every command that sends: --cacert,
// --insecure, --cert and --key, as curl and vegeta spell them.
type tlsFlags struct {
	t   delivery.TLS
	cfg *tls.Config // built by check
}

func (f *tlsFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.t.CACert, "cacert", "", "trust the CA certificates in this PEM file, instead of the system's, for an https:// target (internal CA, self-signed)")
	fl.BoolVarP(&f.t.Insecure, "insecure", "k", false, "do not verify the https:// target's certificate (every report and summary says so)")
	fl.StringVar(&f.t.Cert, "cert", "", "client certificate (PEM file) for a receiver that requires mutual TLS; with --key")
	fl.StringVar(&f.t.Key, "key", "", "private key (PEM file) of the --cert client certificate")
}

// check reads the certificate files and keeps the config; errors name the
// file and are bad usage.
func (f *tlsFlags) check() error {
	cfg, err := f.t.Config()
	if err != nil {
		return usage(err)
	}
	f.cfg = cfg
	return nil
}

// insecureWarning marks the output of a run whose target's certificate was
// not verified: at its start and in its summary, so that nobody mistakes
// it for a run against a verified receiver.
const insecureWarning = "WARNING: --insecure: the receiver's TLS certificate was NOT verified; anyone on the path could read or change these deliveries"

// notice is insecureWarning when --insecure is set, else "".
func (f *tlsFlags) notice() string {
	if f.t.Insecure {
		return insecureWarning
	}
	return ""
}

// outputFlag is -o/--output on a command that prints a listing or a
// summary: text for people (the default) or json for scripts.
func outputFlag(cmd *cobra.Command, p *string, what string) {
	cmd.Flags().StringVarP(p, "output", "o", "text", "output format: text, or json ("+what+")")
	_ = cmd.RegisterFlagCompletionFunc("output", completeWords("text", "json"))
}

// checkOutput validates -o.
func checkOutput(o string) error { return checkOneOf("output", o, []string{"text", "json"}) }

// writeShown writes what a show command found for its argument; not
// finding it is bad usage.
func writeShown(cmd *cobra.Command, b []byte, err error) error {
	if err != nil {
		return usage(err)
	}
	_, err = cmd.OutOrStdout().Write(b)
	return err
}

// openInput opens path for reading, - for standard input, and names it for
// messages.
func openInput(cmd *cobra.Command, path string) (r io.Reader, name string, close func() error, err error) {
	if path == "-" {
		return cmd.InOrStdin(), "standard input", func() error { return nil }, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, err
	}
	return f, path, f.Close, nil
}

// projectsOption is --projects when given: a scenario's projects parameter.
func projectsOption(cmd *cobra.Command, projects int) []scenarios.RenderOption {
	if !cmd.Flags().Changed("projects") {
		return nil
	}
	return []scenarios.RenderOption{scenarios.CountParam("projects", projects)}
}
