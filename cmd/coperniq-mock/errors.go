package main

import (
	"errors"
	"strings"
	"unicode"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// Exit codes: the same situation gets the same code in every command. The
// README's table is exitTable, checked by TestExitCodeTableInREADME, and
// each row has a test that runs the binary (TestExitCodes).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// exitTable is every situation a command ends in, with its code: one place
// to read the rules. The constructors below are the only way to end with 1
// or 2.
var exitTable = []struct {
	code      int
	situation string
}{
	{exitOK, "success: every payload valid, every delivery acknowledged, every spec passed; `listen` stopped by Ctrl-C or SIGTERM"},
	{exitFailure, "a finding: an invalid payload, a non-2xx answer or no answer, malformed HTTP from the receiver, dead events, failed specs, a load run below --min-success"},
	{exitFailure, "a run interrupted (Ctrl-C, SIGTERM) before it finished: `scenario run`, `replay`, `load`; `verify` once a spec or a chaos run had failed on the receiver"},
	{exitUsage, "bad usage: an unknown flag or command, a bad value, an unreadable input file (`validate`, `replay`, a scenario)"},
	{exitUsage, "a setup problem: the receiver unreachable (connection refused, DNS, TLS), the address taken, every delivery refused alike (wrong path or token)"},
	{exitUsage, "an output file that could not be written: `--out`, `--log`, `--html`, `--junit-report`, `--json-report`"},
	{exitUsage, "`verify` did not judge the receiver: interrupted before any spec or chaos run failed on it, no selected spec ran, or every failure was the setup's (a hook, stale state, a refused TLS handshake)"},
}

// exitClosedStdout is the rule for a standard output closed early, stated
// under the table in the README (TestExitCodeTableInREADME) and held by
// TestStdoutClosedEarly: pipeOut makes it the same in every command.
const exitClosedStdout = "A standard output closed early (`| head -3`: the reader has what it wanted) changes none of these codes: the command is not killed (no 141 from the shell), runs to its end, writes its files whole (`--out`, `--html`, `--log`, `--junit-report`, `--json-report`, the capture of `listen --out`) and exits with the code of what it found; `generate` stops making payloads, exit 0."

// usageError marks bad usage, unreadable input or a setup problem: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// failureError marks a finding (invalid payload, non-2xx answer) or an
// interrupted run: exit 1. A silent one has already been reported on stdout
// in the command's own format.
type failureError struct {
	err    error
	silent bool
}

func (e failureError) Error() string { return e.err.Error() }
func (e failureError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var f failureError
	if errors.As(err, &f) {
		return exitFailure
	}
	// Everything else (flag parsing errors from cobra included) is usage.
	return exitUsage
}

func isSilent(err error) bool {
	var f failureError
	return errors.As(err, &f) && f.silent
}

// fieldFlags names, per command (its path below the root), the flag of
// each library field (a *schemas.FieldError's) that flagName's convention
// does not name: the one table of field names and flags, read by flagOf. A
// flag written a/b is two (--focus/--skip).
var fieldFlags = map[string]map[string]string{
	"verify": {"URL": "target", "Deadline": "timeout", "Scenarios": "scenario", "Focus": "focus/skip",
		"JUnitReport": "junit-report", "JSONReport": "json-report", "InspectURL": "inspect", "StateURL": "state",
		"API.Addr": "api", "API.Key": "api-key", "API.MaxCallsPerEvent": "api-max-calls",
		"Runs": "chaos", "OutDir": "chaos-out", "Replay": "chaos-replay", "IDOffset": "id-offset"},
	"generate":     {"MergeFile": "merge", "Sets": "set"},
	"send":         {"MergeFile": "merge", "Sets": "set"},
	"load":         {"Thresholds": "threshold", "HTML": "html"},
	"load merge":   {"Thresholds": "threshold", "HTML": "html"},
	"scenario run": apiFields("api", map[string]string{"Linger": "api-linger", "MaxCalls": "api-max-calls", "EventIDOffset": "event-id-offset"}),
	"api":          apiFields("addr", map[string]string{}),
}

// apiFields adds to m the flags of api.Config's fields, --api-NAME, and
// the address flag addr.
func apiFields(addr string, m map[string]string) map[string]string {
	m["Addr"], m["LimitRate"] = addr, "api-429-rate"
	for _, f := range []string{"Key", "FailRate", "RetryAfter", "Latency", "Quota", "Calls"} {
		m[f] = "api-" + flagName(f)
	}
	return m
}

// flagOf is the flag of a library's field on cmd, such as --max-in-flight,
// or "" when cmd has none.
func flagOf(cmd *cobra.Command, field string) string {
	name, ok := fieldFlags[strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")][field]
	if !ok {
		name = flagName(field)
	}
	if cmd.Flags().Lookup(strings.Split(name, "/")[0]) == nil {
		return ""
	}
	return "--" + strings.ReplaceAll(name, "/", "/--")
}

// flagName is the flag of a library's field, by this CLI's convention:
// MaxInFlight is --max-in-flight. A flag named otherwise is in
// fieldFlags.
func flagName(field string) string {
	var b strings.Builder
	for i, r := range field {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// given reports whether the flag of a field was given on cmd, for the
// libraries that ask (given(field)).
func given(cmd *cobra.Command) func(field string) bool {
	return func(field string) bool {
		f := flagOf(cmd, field)
		return f != "" && cmd.Flags().Changed(f[2:])
	}
}

// inFlags is err's message with the fields of each *schemas.FieldError in
// it called by cmd's flags: where every error is worded for the command line.
func inFlags(cmd *cobra.Command, err error) string {
	msg := err.Error()
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case *schemas.FieldError:
			msg = strings.Replace(msg, e.Error(), e.Named(func(f string) string { return flagOf(cmd, f) }), 1)
		case interface{ Unwrap() []error }:
			for _, e := range e.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return msg
}
