package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
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
		Long: `Generate one payload (same flags and same bytes as 'generate') and POST it to
--target with Content-Type: application/json. With --file, POST that file's
bytes instead, as they are (- reads standard input): a payload someone handed
you. Prints the status, the latency and the response body (truncated). Redirects are never followed: Coperniq treats a 3xx as
a failure and retries, so this does too.

Exit status: 0 acknowledged (2xx), 1 not acknowledged (any other status, no
answer, or an answer that is not HTTP), 2 bad usage or the receiver could not
be reached (connection refused, DNS, TLS).`,
		Example: `  coperniq-mock send TASK_STATUS_MOVEMENT --target http://127.0.0.1:8080/webhooks/coperniq
  coperniq-mock send PROJECT_CREATED --seed 42 --profile edge --target 'http://localhost:3000/hook?token=s3cret'
  coperniq-mock send CALL_UPSERTED --target http://localhost:3000/hook --header 'X-Env: staging'
  coperniq-mock send --file payload.json --target https://staging.example.com/hook --cacert internal-ca.pem
  coperniq-mock generate PROJECT_CREATED | coperniq-mock send --file - --target http://127.0.0.1:8080/hook`,
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
			if to == "" {
				return usage(fmt.Errorf("--target URL is required (the receiver's webhook URL)"))
			}
			if timeout <= 0 {
				return usage(fmt.Errorf("--timeout %s: want a positive duration such as 10s", timeout))
			}
			if err := delivery.CheckURL(to); err != nil {
				return usage(err)
			}
			h, err := parseHeaders(headers)
			if err != nil {
				return err
			}
			if err := tf.check(); err != nil {
				return err
			}
			var body []byte
			what := ""
			if file != "" {
				if body, what, err = readPayloadFile(cmd, file, gf.changed(cmd)); err != nil {
					return err
				}
			} else {
				keys, g, err := gf.forTriggers(args)
				if err != nil {
					return err
				}
				if body, err = g.JSON(keys[0]); err != nil {
					return payloadError(err)
				}
				what = keys[0]
			}
			client := delivery.NewTLSClient(timeout, 1, tf.cfg)
			tg, err := delivery.NewTarget(to, h)
			if err != nil {
				return usage(err)
			}
			res := tg.Send(context.Background(), client, body)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "POST %s (%s, %d bytes)\n", delivery.MaskURL(to), what, len(body))
			tf.warnInsecure(out)
			defer tf.warnInsecure(out) // and after the answer, where eyes land
			if res.ErrKind == delivery.KindNone {
				fmt.Fprintf(out, "%d %s in %s\n", res.Status, http.StatusText(res.Status), res.Latency.Round(time.Microsecond))
				if len(res.Body) > 0 {
					// The receiver chose these bytes: its echo of the URL is
					// masked, and nothing in it may drive the terminal.
					fmt.Fprintf(out, "%s", tg.ShowAnswer(string(bytes.TrimRight(res.Body, "\r\n"))))
					if res.Truncated {
						fmt.Fprint(out, " …(truncated)")
					}
					fmt.Fprintln(out)
				}
			}
			if err := tg.Acknowledged(res); err != nil {
				if errors.Is(err, delivery.ErrUnreachable) {
					// The CLI knows the flags that fix a TLS setup.
					res.Err = tlsHint(res.Err)
					return usage(tg.Acknowledged(res))
				}
				return failureError{msg: err.Error()}
			}
			return nil
		},
	}
	gf.register(cmd)
	targetFlag(cmd, &to, "the receiver's URL")
	cmd.Flags().StringArrayVarP(&headers, "header", "H", nil, "extra request header, Name: value (repeatable)")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for the answer")
	cmd.Flags().StringVarP(&file, "file", "f", "", "POST this file's bytes as they are instead of a generated payload (- for standard input)")
	tf.register(cmd)
	return cmd
}
