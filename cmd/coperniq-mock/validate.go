package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// validation is one payload's verdict, as printed by validate.
type validation struct {
	Source     string              `json:"source"`
	Line       int                 `json:"line"`
	Index      *int                `json:"index,omitempty"` // element of a top-level array
	TriggerKey string              `json:"triggerKey,omitempty"`
	Valid      bool                `json:"valid"`
	Unreadable string              `json:"unreadable,omitempty"`
	Violations []schemas.Violation `json:"violations"`
}

type validateTotals struct {
	Level      string `json:"level"`
	Payloads   int    `json:"payloads"`
	Valid      int    `json:"valid"`
	Invalid    int    `json:"invalid"`
	Unreadable int    `json:"unreadable"`
	Warnings   int    `json:"warnings"`
}

func newValidateCmd() *cobra.Command {
	var (
		strict bool
		output string
		quiet  bool
	)
	cmd := &cobra.Command{
		Use:   "validate [FILE...|-]",
		Short: "Check payloads (a JSON document or an NDJSON stream) against the schemas",
		Long: `Check each payload against the contract schema (what a receiver must accept) or,
with --strict, the strict schema (what coperniq-mock emits). Input is JSON values
in any layout: one document, NDJSON, pretty-printed documents one after another
(any indentation), a JSON array of payloads, or listen --out capture lines; with
no FILE, or with -, standard input is read. One payload may take up to 64 MiB
(a larger one is reported unreadable and skipped; the others are still checked).
With --output json, results are written as they come, then the totals.

Exit status: 0 every payload valid, 1 some payload invalid, 2 unreadable input
or bad usage.`,
		Example: `  coperniq-mock generate all --count 100 --seed 7 | coperniq-mock validate --strict -
  coperniq-mock validate captured.ndjson --quiet
  coperniq-mock validate payload.json --output json | jq '.results[].violations'`,
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOneOf("output", output, []string{"text", "json"}); err != nil {
				return err
			}
			level := schemas.Contract
			if strict {
				level = schemas.Strict
			}
			if len(args) == 0 {
				args = []string{"-"}
			}
			totals := validateTotals{Level: level.String()}
			w := bufio.NewWriter(cmd.OutOrStdout())
			defer w.Flush()
			// -o json streams: each result is written as it comes, and the
			// totals follow the results, so that memory does not grow with
			// the input.
			var js *jsonResults
			if output == "json" {
				js = &jsonResults{w: w}
			}
			report := func(v validation) {
				totals.Payloads++
				for _, viol := range v.Violations {
					if viol.Warning {
						totals.Warnings++
					}
				}
				switch {
				case v.Unreadable != "":
					totals.Unreadable++
				case v.Valid:
					totals.Valid++
				default:
					totals.Invalid++
				}
				if js != nil {
					js.add(v)
					return
				}
				printValidation(w, v, quiet)
			}
			for _, name := range args {
				if err := validateSource(cmd, name, level, report); err != nil {
					return err
				}
			}
			if js != nil {
				if err := js.close(totals); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "%s: %d valid, %d invalid, %d unreadable, %s (%s level)\n",
					plural(totals.Payloads, "payload"), totals.Valid, totals.Invalid, totals.Unreadable, plural(totals.Warnings, "warning"), totals.Level)
			}
			if err := w.Flush(); err != nil {
				return fmt.Errorf("writing the results: %w", err)
			}
			switch {
			case totals.Payloads == 0:
				return usage(errors.New("no payloads in the input"))
			case totals.Unreadable > 0:
				return usage(fmt.Errorf("%s of %d could not be read as JSON (see the unreadable lines above)", plural(totals.Unreadable, "payload"), totals.Payloads))
			case totals.Invalid > 0:
				return failureError{msg: "invalid payloads", silent: true}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "validate at the strict level (what coperniq-mock emits) instead of the contract level")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only payloads with problems, and the totals")
	_ = cmd.RegisterFlagCompletionFunc("output", completeWords("text", "json"))
	return cmd
}

// validateSource validates every document of one file (or stdin for "-").
// An unopenable file is bad input: it stops the command with exit 2.
func validateSource(cmd *cobra.Command, name string, level schemas.Level, report func(validation)) error {
	var r io.Reader
	if name == "-" {
		r = cmd.InOrStdin()
	} else {
		f, err := os.Open(name)
		if err != nil {
			return usage(err)
		}
		defer f.Close()
		r = f
	}
	err := schemas.ReadStream(r, func(d schemas.Document) error {
		if d.TooLarge {
			report(validation{Source: name, Line: d.Line, Violations: []schemas.Violation{}, Unreadable: d.Err(schemas.MaxDocumentSize).Error()})
			return nil
		}
		for _, p := range unwrapDocument(d.Raw) {
			v := validation{Source: name, Line: d.Line, Index: p.index, Violations: []schemas.Violation{}}
			if p.unreadable != "" {
				v.Unreadable = p.unreadable
				report(v)
				continue
			}
			res, err := schemas.Validate(p.raw, level)
			var se *schemas.SyntaxError
			switch {
			case errors.As(err, &se) && p.index == nil && !p.captured:
				// Line numbers are the stream's, not the document's.
				v.Unreadable = fmt.Sprintf("line %d, column %d: %s", d.Line+se.Line-1, se.Column, se.Msg)
			case err != nil:
				v.Unreadable = err.Error()
			default:
				v.TriggerKey = res.TriggerKey
				v.Valid = res.Valid()
				v.Violations = append(v.Violations, res.Violations...)
			}
			report(v)
		}
		return nil
	})
	if err != nil {
		return usage(fmt.Errorf("reading %s: %w", name, err))
	}
	return nil
}

// jsonResults writes validate's --output json as results come: an object
// whose "results" are written one by one, then the totals.
type jsonResults struct {
	w   *bufio.Writer
	n   int
	err error
}

func (j *jsonResults) add(v validation) {
	if j.err != nil {
		return
	}
	sep := ",\n    "
	if j.n == 0 {
		sep = "{\n  \"results\": [\n    "
	}
	j.n++
	b, err := json.Marshal(v)
	if err != nil {
		j.err = err
		return
	}
	j.w.WriteString(sep)
	j.w.Write(b)
}

func (j *jsonResults) close(t validateTotals) error {
	if j.err != nil {
		return j.err
	}
	if j.n == 0 {
		j.w.WriteString("{\n  \"results\": [")
	}
	j.w.WriteString("\n  ],\n")
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	// The totals' members follow the results in the same object.
	j.w.Write(bytes.TrimPrefix(b, []byte("{\n")))
	j.w.WriteString("\n")
	return nil
}

func printValidation(w io.Writer, v validation, quiet bool) {
	where := fmt.Sprintf("%s:%d", v.Source, v.Line)
	if v.Index != nil {
		where += fmt.Sprintf("[%d]", *v.Index)
	}
	if v.TriggerKey == "" {
		v.TriggerKey = "(no triggerKey)"
	}
	switch {
	case v.Unreadable != "":
		fmt.Fprintf(w, "%s: unreadable: %s\n", where, v.Unreadable)
		return
	case v.Valid && len(v.Violations) == 0:
		if !quiet {
			fmt.Fprintf(w, "%s: ok %s\n", where, v.TriggerKey)
		}
		return
	case v.Valid:
		fmt.Fprintf(w, "%s: ok %s, with warnings\n", where, v.TriggerKey)
	default:
		fmt.Fprintf(w, "%s: invalid %s\n", where, v.TriggerKey)
	}
	for _, viol := range v.Violations {
		fmt.Fprintf(w, "  %s\n", viol)
	}
}

// plural spells a count with its noun: "1 payload", "2 deliveries".
var plural = delivery.Plural

// payloadDoc is one payload found in a document of the input.
type payloadDoc struct {
	raw        []byte
	index      *int   // position in a top-level array, or nil
	captured   bool   // taken out of a listen --out capture line
	unreadable string // the capture recorded a body that was not JSON
}

// captureLine is the part of a `listen --out` JSONL line that matters here.
type captureLine struct {
	Seq        *int            `json:"seq"`
	Payload    json.RawMessage `json:"payload"`
	Unreadable string          `json:"unreadable"`
}

// unwrapDocument finds the payloads in one input document, so that what
// users naturally have validates as they expect: a plain payload; a JSON
// array of payloads (`jq -s .`); or a line of `listen --out`, whose payload
// is under "payload". Anything else is returned as is, for the validator to
// judge.
func unwrapDocument(raw []byte) []payloadDoc {
	switch {
	case len(raw) > 0 && raw[0] == '[':
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			break // malformed: let the validator word the syntax error
		}
		out := make([]payloadDoc, len(elems))
		for i, e := range elems {
			out[i] = payloadDoc{raw: e, index: &i}
		}
		return out
	case bytes.HasPrefix(raw, []byte(`{"seq":`)):
		var c captureLine
		if json.Unmarshal(raw, &c) != nil || c.Seq == nil {
			break
		}
		if len(c.Payload) == 0 {
			return []payloadDoc{{captured: true, unreadable: "captured body: " + c.Unreadable}}
		}
		return []payloadDoc{{raw: c.Payload, captured: true}}
	}
	return []payloadDoc{{raw: raw}}
}
