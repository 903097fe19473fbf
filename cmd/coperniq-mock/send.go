package main

import (
	"fmt"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/spf13/cobra"
)

func newSendCmd() *cobra.Command {
	var (
		gf      genFlags
		to      string
		headers []string
		timeout time.Duration
		file    string
		tf      tlsFlags
	)
	cmd := &cobra.Command{
		Use:   "send TRIGGER --target URL | send --file FILE --target URL",
		Short: "POST one generated (or given) payload to a receiver, as Coperniq would (no retries)",
		Args: func(cmd *cobra.Command, args []string) error {
			if file != "" {
				if len(args) > 0 {
					return usage(fmt.Errorf("give a TRIGGER to generate a payload or --file with one, not both (got %q and --file %s)", args[0], file))
				}
				return nil
			}
			if len(args) != 1 {
				return usage(fmt.Errorf("send needs a TRIGGER (see 'coperniq-mock triggers') or --file FILE with the payload"))
			}
			return nil
		},
		ValidArgsFunction: completeTriggers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needTarget(to, forReceiver); err != nil {
				return err
			}
			h, err := parseHeaders(headers)
			if err != nil {
				return err
			}
			tg, err := delivery.NewTarget(to, h)
			if err != nil {
				return usage(err)
			}
			if err := tf.check(); err != nil {
				return err
			}
			body, what, err := gf.payload(cmd, args, file)
			if err != nil {
				return err
			}
			return runErr(tg.Post(cmd.Context(), cmd.OutOrStdout(), body, what, timeout, tf.cfg, tf.notice()))
		},
	}
	gf.register(cmd)
	cmd.Flags().Lookup("allow-invalid").Usage = "allow overrides that break the contract schema or, with --file, a file that is not one payload (several JSON documents, an array): to test a receiver's rejection path"
	targetFlag(cmd, &to, "the receiver's URL")
	cmd.Flags().StringArrayVarP(&headers, "header", "H", nil, "extra request header, Name: value (repeatable)")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for the answer")
	cmd.Flags().StringVarP(&file, "file", "f", "", "POST this file's bytes as they are instead of a generated payload (- for standard input)")
	tf.register(cmd)
	return cmd
}
