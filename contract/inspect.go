package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// eventName names an event in messages: "event 7 (TASK_CREATED, record 3)".
func eventName(e schemas.Identity) string {
	return fmt.Sprintf("event %d (%s, record %d)", e.EventID, e.TriggerKey, e.RecordID)
}

// Inspector tells how many times the receiver applied an event: 0 when it
// never did. An error means the answer could not be had, not that the event
// is missing. Applied is called for several events at once, so it must be
// safe for concurrent use.
type Inspector interface {
	Applied(ctx context.Context, ev schemas.Identity) (int, error)
}

// InspectFunc adapts a function to an Inspector, for a Go suite that can
// read the receiver's state directly.
type InspectFunc func(ctx context.Context, ev schemas.Identity) (int, error)

// Applied implements Inspector.
func (f InspectFunc) Applied(ctx context.Context, ev schemas.Identity) (int, error) {
	return f(ctx, ev)
}

// The placeholders of an inspect URL template.
const (
	PlaceholderEventID    = "{eventId}"
	PlaceholderRecordID   = "{recordId}"
	PlaceholderTriggerKey = "{triggerKey}"
)

// The environment an inspect command runs with.
const (
	EnvEventID    = "COPERNIQ_EVENT_ID"
	EnvRecordID   = "COPERNIQ_RECORD_ID"
	EnvTriggerKey = "COPERNIQ_TRIGGER_KEY"
)

// inspectCallTimeout bounds one question to the hook; the polling as a whole
// is bounded by Target.InspectTimeout.
const inspectCallTimeout = 10 * time.Second

// What a hook must answer, for the messages that say it did not.
const (
	protocolURL = `see the inspect protocol: 200 with {"applied": N}, or 404 for an event never applied`
	protocolCmd = "see the inspect protocol: print how many times $" + EnvEventID + " was applied, 0 when never"
)

var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// hookError is a hook that did not answer by the protocol. Its message names
// the hook (the URL template, masked, or "the inspect command", never the
// command itself: it may hold a password), says what went wrong and how to
// ask the hook by hand.
type hookError struct{ msg string }

func (e *hookError) Error() string { return e.msg }

type urlInspector struct {
	template string
	shown    string   // the template, masked, placeholders readable
	secrets  []string // query values of the template, scrubbed from answers
	client   *http.Client
}

// InspectURL returns an Inspector that GETs template with the placeholders
// {eventId}, {recordId} and {triggerKey} replaced, and expects 200 with a JSON
// object {"applied": N}, or 404 for an event never applied. Any other answer
// is an error. The template must hold {eventId}: a hook that cannot tell
// events apart cannot count them.
func InspectURL(template string) (Inspector, error) {
	shown := maskTemplate(template)
	for _, p := range placeholderRE.FindAllString(template, -1) {
		if p != PlaceholderEventID && p != PlaceholderRecordID && p != PlaceholderTriggerKey {
			return nil, fmt.Errorf("inspect URL %s: unknown placeholder %s; want %s, %s or %s",
				shown, p, PlaceholderEventID, PlaceholderRecordID, PlaceholderTriggerKey)
		}
	}
	if !strings.Contains(template, PlaceholderEventID) {
		return nil, fmt.Errorf("inspect URL %s has no %s placeholder, e.g. http://127.0.0.1:8080/_state/events/{eventId}",
			shown, PlaceholderEventID)
	}
	if _, err := hookURL(template); err != nil {
		return nil, err
	}
	return &urlInspector{template: template, shown: shown, secrets: templateSecrets(template), client: delivery.NewClient(inspectCallTimeout, inspectParallel)}, nil
}

// hookURL parses template with sample values in its placeholders; its errors
// show the template, not the filled-in URL, which the user never wrote.
func hookURL(template string) (*url.URL, error) {
	shown := maskTemplate(template)
	u, err := url.Parse(fill(template, schemas.Identity{EventID: 1, RecordID: 1, TriggerKey: "X"}))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("inspect hook %s is not a URL: %v", shown, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("inspect hook %s: scheme %q isn't one of [http https]", shown, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("inspect hook %s has no host (want %s://host/path/{eventId})", shown, u.Scheme)
	}
	return u, nil
}

func fill(template string, ev schemas.Identity) string {
	return strings.NewReplacer(
		PlaceholderEventID, strconv.FormatInt(ev.EventID, 10),
		PlaceholderRecordID, strconv.FormatInt(ev.RecordID, 10),
		PlaceholderTriggerKey, url.PathEscape(ev.TriggerKey),
	).Replace(template)
}

// String is the masked template, for reports.
func (u *urlInspector) String() string { return "GET " + u.shown }

// maskTemplate masks a template's secrets but keeps its placeholders
// readable, which MaskURL would escape.
func maskTemplate(t string) string {
	return strings.NewReplacer("%7B", "{", "%7D", "}").Replace(delivery.MaskURL(t))
}

// fail is the hook's error: what it did wrong, then its answer when there is
// one (body, empty for none), then how to ask it by hand.
func (u *urlInspector) fail(ev schemas.Identity, body []byte, format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the inspect hook at GET %s %s for %s: fix the hook (%s)\n", u.shown, fmt.Sprintf(format, args...), eventName(ev), protocolURL)
	if body != nil {
		fmt.Fprintf(&b, "its answer: %s\n", excerpt(body, 200))
	}
	fmt.Fprintf(&b, "ask it yourself: curl -i %s", shellQuote(delivery.MaskURL(fill(u.template, ev))))
	return &hookError{scrubAll(b.String(), u.secrets)}
}

// templateSecrets are the query values of a hook's URL template, which
// are scrubbed from its answers; placeholders are not secrets.
func templateSecrets(template string) []string {
	var secrets []string
	for _, s := range secretsOf(template, "") {
		if !strings.ContainsAny(s, "{}") && !strings.Contains(s, "%7B") {
			secrets = append(secrets, s)
		}
	}
	return secrets
}

// askHook GETs a hook's URL, addr, as both hook protocols (inspect, state)
// have it: 404 for nothing known (found false), 200 with the answer, its
// body read up to limit bytes, anything else the hook's fault, worded by
// fail. An answer that never came is a transientError, and so is a 5xx or
// 429 when retryBusy is set (a hook whose database is busy a moment);
// once ctx is done, ctx's error.
func askHook(ctx context.Context, client *http.Client, addr string, limit int64, retryBusy bool,
	fail func(body []byte, format string, args ...any) error) (body []byte, contentType string, found bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return nil, "", false, fail(nil, "could not be asked: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", false, ctx.Err()
		}
		if delivery.Classify(err) == delivery.KindTimeout && client.Timeout > 0 {
			return nil, "", false, &transientError{fail(nil, "did not answer within %s, the most one question to a hook may take", roundLatency(client.Timeout))}
		}
		return nil, "", false, &transientError{fail(nil, "could not be reached (%s)", delivery.Classify(err))}
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(io.LimitReader(resp.Body, limit))
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nil, "", false, nil
	case http.StatusOK:
		return body, resp.Header.Get("Content-Type"), true, nil
	}
	err = fail(body, "answered %d %s, not 200 or 404", resp.StatusCode, http.StatusText(resp.StatusCode))
	if retryBusy && (resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests) {
		err = &transientError{err}
	}
	return nil, "", false, err
}

func (u *urlInspector) Applied(ctx context.Context, ev schemas.Identity) (int, error) {
	body, ct, found, err := askHook(ctx, u.client, fill(u.template, ev), 4<<10, false, func(body []byte, format string, args ...any) error {
		return u.fail(ev, body, format, args...)
	})
	if !found {
		return 0, err
	}
	var v struct {
		Applied *json.Number `json:"applied"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		if ct == "" {
			ct = "no Content-Type"
		}
		return 0, u.fail(ev, body, "answered 200 with %s, not a JSON object with an \"applied\" count", ct)
	}
	if v.Applied == nil {
		return 0, u.fail(ev, body, "answered 200 without an \"applied\" count")
	}
	n, err := strconv.Atoi(v.Applied.String())
	if err != nil || n < 0 {
		return 0, u.fail(ev, body, "answered \"applied\": %s, not a count (0 or more)", v.Applied)
	}
	return n, nil
}

type cmdInspector struct {
	command string
	secrets []string // values in the command that look like secrets
}

// InspectCommand returns an Inspector that runs command through the shell
// (sh -c; cmd /C on Windows) with COPERNIQ_EVENT_ID, COPERNIQ_RECORD_ID and
// COPERNIQ_TRIGGER_KEY added to its environment, and reads the count from
// its stdout: an integer, surrounding space allowed (psql -tAc prints one).
// A non-zero exit is an error that quotes the start of the command's stderr.
// No message ever shows the command itself, which may hold a password
// (PGPASSWORD=... psql ...); the values of NAME=VALUE words and URL
// passwords in it are also masked in what the command prints.
func InspectCommand(command string) (Inspector, error) {
	if strings.TrimSpace(command) == "" {
		return nil, errors.New("inspect command is empty")
	}
	return &cmdInspector{command: command, secrets: commandSecrets(command)}, nil
}

func (c *cmdInspector) String() string { return "the inspect command" }

// assignmentRE finds NAME=VALUE words (PGPASSWORD=..., password=... in a
// connection string, --password=...), quoted or not.
var assignmentRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_.-]*=('[^']*'|"[^"]*"|[^\s'";&|]+)`)

var urlInCommandRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s'"]+`)

// commandSecrets lists what in command could be a secret, longest first.
func commandSecrets(command string) []string {
	var out []string
	add := func(v string) {
		v = strings.Trim(v, `'"`)
		if len(v) >= 4 && !strings.HasPrefix(v, "$") && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, m := range assignmentRE.FindAllStringSubmatch(command, -1) {
		add(m[1])
	}
	for _, raw := range urlInCommandRE.FindAllString(command, -1) {
		if u, err := url.Parse(raw); err == nil {
			if pw, ok := u.User.Password(); ok {
				add(pw)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// fail is the hook's error: what it did wrong, then what it printed when
// that says why (label and out; out nil for nothing), then how to run it by
// hand. The command itself is never shown.
func (c *cmdInspector) fail(ev schemas.Identity, label string, out []byte, format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the inspect command %s for %s: fix the hook (%s)\n", fmt.Sprintf(format, args...), eventName(ev), protocolCmd)
	if out != nil {
		fmt.Fprintf(&b, "%s: %s\n", label, excerpt(out, 300))
	}
	fmt.Fprintf(&b, "ask it yourself: run the inspect command with %s=%d %s=%d %s=%s in its environment",
		EnvEventID, ev.EventID, EnvRecordID, ev.RecordID, EnvTriggerKey, ev.TriggerKey)
	return &hookError{scrubAll(b.String(), c.secrets)}
}

func (c *cmdInspector) Applied(ctx context.Context, ev schemas.Identity) (int, error) {
	stdout, stderr, how, err := runHookCommand(ctx, c.command, inspectCallTimeout,
		EnvEventID+"="+strconv.FormatInt(ev.EventID, 10),
		EnvRecordID+"="+strconv.FormatInt(ev.RecordID, 10),
		EnvTriggerKey+"="+ev.TriggerKey,
	)
	switch {
	case err != nil:
		return 0, err
	case how != "":
		return 0, c.fail(ev, "its stderr", stderr, "%s", how)
	}
	out := strings.TrimSpace(string(stdout))
	n, err := strconv.Atoi(out)
	if err != nil || n < 0 {
		return 0, c.fail(ev, "its stdout", []byte(out), "printed no count (0 or more) on stdout")
	}
	return n, nil
}

// scrubAll replaces every secret (longest first) in text with delivery.Masked.
func scrubAll(text string, secrets []string) string {
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, delivery.Masked)
	}
	return text
}

// transientError is a hook that could not be reached: worth asking again
// until the timeout, unlike a hook that answered nonsense.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// excerpt quotes the start of b for a message.
func excerpt(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "(empty)"
	}
	if len(s) > n {
		return strconv.Quote(s[:n]) + "…"
	}
	return strconv.Quote(s)
}

// hookName names the hook in messages: its masked URL template, never the
// command (it may hold a password).
func hookName(insp Inspector) string {
	switch h := insp.(type) {
	case *urlInspector:
		return "the inspect hook at GET " + h.shown
	case *cmdInspector:
		return "the inspect command"
	}
	return "the inspect hook (Target.Inspect)"
}

// hookProtocol is what the hook must answer, for "fix the hook (...)".
func hookProtocol(insp Inspector) string {
	switch insp.(type) {
	case *urlInspector:
		return protocolURL
	case *cmdInspector:
		return protocolCmd
	}
	return "see the inspect protocol in the contract package doc"
}

// askYourself is how to ask the hook about ev by hand.
func askYourself(insp Inspector, ev schemas.Identity) string {
	switch h := insp.(type) {
	case *urlInspector:
		return "ask it yourself: curl -i " + scrubAll(shellQuote(delivery.MaskURL(fill(h.template, ev))), h.secrets)
	case *cmdInspector:
		return fmt.Sprintf("ask it yourself: run the inspect command with %s=%d %s=%d %s=%s in its environment", EnvEventID, ev.EventID, EnvRecordID, ev.RecordID, EnvTriggerKey, ev.TriggerKey)
	}
	return "ask it yourself: call Target.Inspect with that event"
}

// hookTimeout is the error of a question the hook did not answer within
// the inspect timeout: the hook's fault, named as such.
func hookTimeout(insp Inspector, ev schemas.Identity, d time.Duration) error {
	return &hookError{fmt.Sprintf("%s did not answer within %s (--inspect-timeout) for %s: fix the hook (%s)\n%s",
		hookName(insp), d, eventName(ev), hookProtocol(insp), askYourself(insp, ev))}
}
