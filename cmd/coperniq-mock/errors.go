package main

import "errors"

// usageError marks bad usage or unreadable input: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// failureError marks a finding (invalid payload, non-2xx answer): exit 1. A
// silent one has already been reported on stdout in the command's own format.
type failureError struct {
	msg    string
	silent bool
}

func (e failureError) Error() string { return e.msg }

func exitCode(err error) int {
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
