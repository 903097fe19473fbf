package main

import (
	"errors"
	"regexp"

	"github.com/coperniq-mock/coperniq-mock/delivery"
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
	{exitFailure, "a run interrupted (Ctrl-C, SIGTERM) before it finished: `scenario run`, `replay`, `load`"},
	{exitUsage, "bad usage: an unknown flag or command, a bad value, an unreadable input file (`validate`, `replay`, a scenario)"},
	{exitUsage, "a setup problem: the receiver unreachable (connection refused, DNS, TLS), the address taken, every delivery refused alike (wrong path or token)"},
	{exitUsage, "an output file that could not be written: `--out`, `--log`, `--html`, `--junit-report`, `--json-report`"},
}

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
	msg    string
	silent bool
}

func (e failureError) Error() string { return e.msg }

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

// fieldError is the exit status of a library error: a *delivery.FieldError
// worded with its flag (flagName), bad usage; else as runErr.
func fieldError(err error) error {
	var fe *delivery.FieldError
	if errors.As(err, &fe) {
		return usage(errors.New(fe.Named("--" + flagName(fe.Field))))
	}
	return runErr(err)
}

// fieldNames are the {Field} names in a library's message.
var fieldNames = regexp.MustCompile(`\{[A-Za-z.]+\}`)

// named is a library's message with every {Field} called flagOf(Field).
func named(msg string, flagOf func(field string) string) string {
	return fieldNames.ReplaceAllStringFunc(msg, func(f string) string { return flagOf(f[1 : len(f)-1]) })
}
