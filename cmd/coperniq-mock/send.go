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
	)
	cmd := &cobra.Command{
		Use:   "send TRIGGER --to URL",
		Short: "POST one generated payload to a receiver, as Coperniq would (no retries)",
		Long: `Generate one payload (same flags and same bytes as 'generate') and POST it to
--to with Content-Type: application/json. Prints the status, the latency and the
response body (truncated). Redirects are never followed: Coperniq treats a 3xx as
a failure and retries, so this does too.

Exit status: 0 acknowledged (2xx), 1 not acknowledged (any other status, no
answer, or an answer that is not HTTP), 2 bad usage or the receiver could not
be reached (connection refused, DNS, TLS).`,
		Example: `  coperniq-mock send TASK_STATUS_MOVEMENT --to http://127.0.0.1:8080/webhooks/coperniq
  coperniq-mock send PROJECT_CREATED --seed 42 --profile edge --to 'http://localhost:3000/hook?token=s3cret'
  coperniq-mock send CALL_UPSERTED --to http://localhost:3000/hook --header 'X-Env: staging'`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeTriggers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return usage(fmt.Errorf("--to URL is required (the receiver's webhook URL)"))
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
			keys, g, err := gf.forTriggers(args)
			if err != nil {
				return err
			}
			body, err := g.JSON(keys[0])
			if err != nil {
				return payloadError(err)
			}
			client := delivery.NewClient(timeout, 1)
			tg, err := delivery.NewTarget(to, h)
			if err != nil {
				return usage(err)
			}
			res := tg.Send(context.Background(), client, body)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "POST %s (%s, %d bytes)\n", delivery.MaskURL(to), keys[0], len(body))
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
					return usage(err)
				}
				return failureError{msg: err.Error()}
			}
			return nil
		},
	}
	gf.register(cmd)
	cmd.Flags().StringVar(&to, "to", "", "the receiver's URL (a token in the query string is masked in output)")
	cmd.Flags().StringArrayVarP(&headers, "header", "H", nil, "extra request header, Name: value (repeatable)")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for the answer")
	return cmd
}
