package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/receiver"
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
	// A flag cut short (--rat) is most likely the one it begins, even
	// when another merely contains it (--duration).
	var prefixed []string
	for _, n := range names {
		if strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	s := suggest.Nearest(name, prefixed)
	if s == "" {
		s = suggest.Nearest(name, names)
	}
	if s != "" {
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

// insecureMark follows the target where a report names it.
const insecureMark = " [--insecure: TLS certificate NOT verified]"

// warnInsecure prints insecureWarning when --insecure is set.
func (f *tlsFlags) warnInsecure(w io.Writer) {
	if f.t.Insecure {
		fmt.Fprintln(w, insecureWarning)
	}
}

// reachable checks before a run that the target accepts a connection and,
// for https://, completes a TLS handshake with these settings: a
// certificate the sender does not trust is reported once (exit 2), with
// what to do, instead of as every event's failure.
func (f *tlsFlags) reachable(ctx context.Context, target *delivery.Target) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkReachable(ctx, target); err != nil {
		return err
	}
	if err := delivery.CheckTLS(ctx, target.Raw(), f.cfg, reachTimeout); err != nil {
		return usage(tlsHint(err))
	}
	return nil
}

// tlsHint adds what to do to a TLS error: a certificate nobody vouched for
// wants --cacert (or --insecure), a receiver asking for a client
// certificate wants --cert/--key. Other errors come back as they are.
func tlsHint(err error) error {
	if err == nil {
		return nil
	}
	var (
		ua x509.UnknownAuthorityError
		cv *tls.CertificateVerificationError
		he x509.HostnameError
	)
	msg := err.Error()
	switch {
	case errors.As(err, &he):
		return fmt.Errorf("%w (the certificate is for other names: use a host it names in the URL, or --insecure to skip verification)", err)
	case errors.As(err, &ua), errors.As(err, &cv):
		return fmt.Errorf("%w (pass --cacert FILE with the CA that signed the receiver's certificate, or --insecure to skip verification)", err)
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"):
		return fmt.Errorf("%w (the receiver wants a client certificate: pass --cert FILE --key FILE)", err)
	case strings.Contains(msg, "HTTP response to HTTPS client"), strings.Contains(msg, "first record does not look like a TLS handshake"):
		return fmt.Errorf("%w (the receiver speaks plain HTTP: use an http:// URL)", err)
	}
	return err
}

// outputFlag is -o/--output on a command that prints a listing or a
// summary: text for people (the default) or json for scripts.
func outputFlag(cmd *cobra.Command, p *string, what string) {
	cmd.Flags().StringVarP(p, "output", "o", "text", "output format: text, or json ("+what+")")
	_ = cmd.RegisterFlagCompletionFunc("output", completeWords("text", "json"))
}

// checkOutput validates -o.
func checkOutput(o string) error { return checkOneOf("output", o, []string{"text", "json"}) }

// printJSON writes v as one indented JSON document.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// changed names the generator flags the user gave, which --file leaves
// nothing to apply to.
func (f *genFlags) changed(cmd *cobra.Command) []string {
	var set []string
	for _, name := range []string{"seed", "profile", "set", "merge", "allow-invalid"} {
		if cmd.Flags().Changed(name) {
			set = append(set, "--"+name)
		}
	}
	return set
}

// maxPayloadFile bounds send --file: far above any webhook body (Coperniq's
// are a few KB), low enough that a wrong file (a disk image, /dev/zero)
// is refused instead of read into memory.
const maxPayloadFile = 16 << 20

// readPayloadFile reads send --file's payload, - for stdin, and says what
// it is for the POST line: its trigger key when it is a Coperniq event. A
// body that is not JSON is sent anyway (a receiver's rejection path is
// worth testing) with a warning.
func readPayloadFile(cmd *cobra.Command, path string, genFlags []string) (body []byte, what string, err error) {
	if len(genFlags) > 0 {
		return nil, "", usage(fmt.Errorf("%s generate a payload: with --file the file is sent as it is; drop them", strings.Join(genFlags, ", ")))
	}
	var r io.Reader = cmd.InOrStdin()
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, "", usage(fmt.Errorf("--file: %w", err))
		}
		defer f.Close()
		r, name = f, path
	}
	body, err = io.ReadAll(io.LimitReader(r, maxPayloadFile+1))
	if err != nil {
		return nil, "", usage(fmt.Errorf("--file %s: %w", name, err))
	}
	switch {
	case len(body) > maxPayloadFile:
		return nil, "", usage(fmt.Errorf("--file %s is over %d MiB: not a webhook payload", name, maxPayloadFile>>20))
	case len(bytes.TrimSpace(body)) == 0:
		return nil, "", usage(fmt.Errorf("--file %s is empty: nothing to send", name))
	}
	what = name
	if e, err := delivery.MessageFromPayload(body); err == nil {
		what = e.TriggerKey + " from " + name
	} else if !json.Valid(body) {
		fmt.Fprintf(cmd.ErrOrStderr(), "coperniq-mock: warning: --file %s is not valid JSON; sending it as it is\n", name)
	}
	return body, what, nil
}


// printListenSummary prints listen's summary at exit: text, or with -o json
// one JSON object on one line, the last of the output.
func printListenSummary(w io.Writer, output string, s receiver.Totals) {
	if output != "json" {
		fmt.Fprint(w, s.Text())
		return
	}
	if s.ByTrigger == nil {
		s.ByTrigger = map[string]int{}
	}
	if s.ByStatus == nil {
		s.ByStatus = map[int]int{}
	}
	b, _ := json.Marshal(struct {
		Summary receiver.Totals `json:"summary"`
	}{s})
	fmt.Fprintf(w, "%s\n", b)
}
