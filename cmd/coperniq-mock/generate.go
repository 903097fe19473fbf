package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// genFlags are generate's payload flags, shared with send so that a contract
// failure's reproducer (`send TRIGGER --seed S --profile P`) sends exactly
// what `generate TRIGGER --seed S --profile P` prints.
type genFlags struct{ generator.Spec }

func (f *genFlags) register(cmd *cobra.Command) {
	cmd.Flags().Uint64Var(&f.Seed, "seed", generator.DefaultSeed, "seed: the same seed and flags give byte-identical payloads")
	cmd.Flags().StringVarP(&f.Profile, "profile", "p", string(generator.DefaultProfile), "payload profile: realistic, minimal, maximal or edge")
	cmd.Flags().StringArrayVar(&f.Sets, "set", nil, "override a field: path=value, path dotted (record.stage.name) or a JSON pointer; value JSON, else a string (repeatable)")
	cmd.Flags().StringVar(&f.MergeFile, "merge", "", "apply a JSON Merge Patch (RFC 7386) from this file before --set")
	cmd.Flags().BoolVar(&f.AllowInvalid, "allow-invalid", false, "allow overrides that break the contract schema (to test a receiver's rejection path)")
	_ = cmd.RegisterFlagCompletionFunc("profile", completeWords(generator.ProfileNames()...))
	vocabularyInto(cmd, &f.Vocabulary)
}

// payloadError turns a generator error into the CLI's words: the library
// cannot name flags, the CLI can say which one gets past an invalid override.
func payloadError(err error) error {
	var inv *generator.InvalidError
	if !errors.As(err, &inv) {
		return usage(err)
	}
	if path, ok := inv.StringWanted(); ok {
		return usage(fmt.Errorf("%w; a --set value that parses as JSON is taken as JSON: quote it to get a string (--set '%s=\"...\"'), or pass --allow-invalid to produce it anyway", err, path))
	}
	return usage(fmt.Errorf("%w; pass --allow-invalid to produce it anyway", err))
}

// payload is send's body: the --file's bytes, or the generated payload of
// the TRIGGER argument; what names it for the POST line.
func (f *genFlags) payload(cmd *cobra.Command, args []string, file string) (body []byte, what string, err error) {
	if file == "" {
		keys, g, err := f.forTriggers(args)
		if err != nil {
			return nil, "", err
		}
		if body, err = g.JSON(keys[0]); err != nil {
			return nil, "", payloadError(err)
		}
		return body, keys[0], nil
	}
	var set []string
	for _, name := range []string{"seed", "profile", "set", "merge"} {
		if cmd.Flags().Changed(name) {
			set = append(set, "--"+name)
		}
	}
	switch n := len(set); {
	case n == 1:
		return nil, "", usage(fmt.Errorf("%s makes a generated payload, but --file sends the file as it is: drop %s", set[0], set[0]))
	case n > 1:
		return nil, "", usage(fmt.Errorf("%s and %s make a generated payload, but --file sends the file as it is: drop them", strings.Join(set[:n-1], ", "), set[n-1]))
	}
	in, name, closeIn, err := openInput(cmd, file)
	if err != nil {
		return nil, "", usage(fmt.Errorf("--file: %w", err))
	}
	defer closeIn()
	body, what, warning, err := delivery.ReadPayload(in, name, f.AllowInvalid)
	var several *delivery.NotOnePayloadError
	// The way to pick one, in the user's own pipe or file.
	pick := func(filter string) string {
		if file == "-" {
			return "... | " + filter + " | coperniq-mock send -f - ..."
		}
		quoted := file
		if strings.Trim(file, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") != "" {
			quoted = "'" + strings.ReplaceAll(file, "'", `'\''`) + "'"
		}
		return filter + " " + quoted + " | coperniq-mock send -f - ..."
	}
	switch {
	case errors.As(err, &several) && several.Documents == 0:
		return nil, "", usage(fmt.Errorf("--file: %w, and Coperniq posts one JSON object per request: send an item (the first: %s), or pass --allow-invalid to send it as it is", err, pick("jq -c '.[0]'")))
	case errors.As(err, &several):
		first := "jq -cn input" // documents over several lines each
		if several.OneALine {
			first = "head -1"
		}
		return nil, "", usage(fmt.Errorf("--file: %w, and send posts one payload: send them one at a time (the first: %s), or pass --allow-invalid to send it as it is", err, pick(first)))
	case err != nil:
		return nil, "", usage(fmt.Errorf("--file %w", err))
	}
	if warning != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "coperniq-mock: warning: --file %s\n", warning)
	}
	return body, what, nil
}

// forTriggers checks the trigger arguments and builds the generator: what
// generate and send both start with.
func (f *genFlags) forTriggers(args []string) ([]string, *generator.Generator, error) {
	keys, err := schemas.ExpandTriggers(args)
	if err != nil {
		return nil, nil, usage(err)
	}
	g, err := f.New()
	return keys, g, usage(err)
}

func newGenerateCmd() *cobra.Command {
	var (
		gf     genFlags
		count  int
		pretty bool
	)
	cmd := &cobra.Command{
		Use:               "generate TRIGGER...|all",
		Short:             "Print realistic payloads for triggers (one JSON document, or NDJSON for several)",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeTriggers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, g, err := gf.forTriggers(args)
			if err != nil {
				return err
			}
			err = g.WriteStream(untilClosed(cmd.OutOrStdout()), keys, count, pretty)
			if errors.Is(err, errReaderLeft) {
				return nil // | head: the reader has all it wanted
			}
			if ce := (*generator.CountError)(nil); errors.As(err, &ce) {
				return usage(fmt.Errorf("--%w", err))
			}
			if err != nil {
				return payloadError(err)
			}
			return nil
		},
	}
	gf.register(cmd)
	cmd.Flags().IntVarP(&count, "count", "n", 1, "payloads per trigger")
	cmd.Flags().BoolVar(&pretty, "pretty", false, "indent the JSON")
	return cmd
}
