package main

import (
	"fmt"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/spf13/cobra"
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
