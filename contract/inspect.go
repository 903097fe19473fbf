package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// Event identifies a delivered event to an Inspector.
type Event struct {
	ID         int64
	RecordID   int64
	TriggerKey string
}

func (e Event) String() string {
	return fmt.Sprintf("event %d (%s, record %d)", e.ID, e.TriggerKey, e.RecordID)
}

// Inspector tells how many times the receiver applied an event: 0 when it
// never did. An error means the answer could not be had, not that the event
// is missing. Applied is called for several events at once, so it must be
// safe for concurrent use.
type Inspector interface {
	Applied(ctx context.Context, ev Event) (int, error)
}

// InspectFunc adapts a function to an Inspector, for a Go suite that can
// read the receiver's state directly.
type InspectFunc func(ctx context.Context, ev Event) (int, error)

// Applied implements Inspector.
func (f InspectFunc) Applied(ctx context.Context, ev Event) (int, error) { return f(ctx, ev) }

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

var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

type urlInspector struct {
	template string
	client   *http.Client
}

// InspectURL returns an Inspector that GETs template with the placeholders
// {eventId}, {recordId} and {triggerKey} replaced, and expects 200 with a JSON
// object {"applied": N}, or 404 for an event never applied. Any other answer
// is an error. The template must hold {eventId}: a hook that cannot tell
// events apart cannot count them.
func InspectURL(template string) (Inspector, error) {
	for _, p := range placeholderRE.FindAllString(template, -1) {
		if p != PlaceholderEventID && p != PlaceholderRecordID && p != PlaceholderTriggerKey {
			return nil, fmt.Errorf("inspect URL %s: unknown placeholder %s; want %s, %s or %s",
				maskTemplate(template), p, PlaceholderEventID, PlaceholderRecordID, PlaceholderTriggerKey)
		}
	}
	if !strings.Contains(template, PlaceholderEventID) {
		return nil, fmt.Errorf("inspect URL %s has no %s placeholder, e.g. http://127.0.0.1:8080/_state/events/{eventId}",
			maskTemplate(template), PlaceholderEventID)
	}
	if err := delivery.CheckURL(fill(template, Event{ID: 1, RecordID: 1, TriggerKey: "X"})); err != nil {
		return nil, fmt.Errorf("inspect URL: %w", err)
	}
	return &urlInspector{template: template, client: delivery.NewClient(inspectCallTimeout, 4)}, nil
}

func fill(template string, ev Event) string {
	return strings.NewReplacer(
		PlaceholderEventID, strconv.FormatInt(ev.ID, 10),
		PlaceholderRecordID, strconv.FormatInt(ev.RecordID, 10),
		PlaceholderTriggerKey, url.PathEscape(ev.TriggerKey),
	).Replace(template)
}

// String is the masked template, for reports.
func (u *urlInspector) String() string { return "GET " + maskTemplate(u.template) }

// maskTemplate masks a template's secrets but keeps its placeholders
// readable, which MaskURL would escape.
func maskTemplate(t string) string {
	return strings.NewReplacer("%7B", "{", "%7D", "}").Replace(delivery.MaskURL(t))
}

func (u *urlInspector) Applied(ctx context.Context, ev Event) (int, error) {
	target := fill(u.template, ev)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, fmt.Errorf("inspect hook %s: %w", delivery.MaskURL(target), err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, &transientError{fmt.Errorf("inspect hook GET %s: %s", delivery.MaskURL(target), delivery.Classify(err))}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch resp.StatusCode {
	case http.StatusNotFound:
		return 0, nil
	case http.StatusOK:
	default:
		return 0, fmt.Errorf("inspect hook GET %s answered %d %s, want 200 with {\"applied\": N} or 404: %s",
			delivery.MaskURL(target), resp.StatusCode, http.StatusText(resp.StatusCode), excerpt(body, 200))
	}
	var v struct {
		Applied *json.Number `json:"applied"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Applied == nil {
		return 0, fmt.Errorf("inspect hook GET %s answered 200 with %s, want a JSON object {\"applied\": N}",
			delivery.MaskURL(target), excerpt(body, 200))
	}
	n, err := strconv.Atoi(v.Applied.String())
	if err != nil || n < 0 {
		return 0, fmt.Errorf("inspect hook GET %s: \"applied\" is %s, want a count (0 or more)", delivery.MaskURL(target), v.Applied)
	}
	return n, nil
}

type cmdInspector struct{ command string }

// InspectCommand returns an Inspector that runs command through the shell
// (sh -c; cmd /C on Windows) with COPERNIQ_EVENT_ID, COPERNIQ_RECORD_ID and
// COPERNIQ_TRIGGER_KEY added to its environment, and reads the count from
// its stdout: an integer, surrounding space allowed (psql -tAc prints one).
// A non-zero exit is an error that quotes the command's stderr.
func InspectCommand(command string) (Inspector, error) {
	if strings.TrimSpace(command) == "" {
		return nil, errors.New("inspect command is empty")
	}
	return &cmdInspector{command: command}, nil
}

func (c *cmdInspector) String() string { return "command " + c.command }

func (c *cmdInspector) Applied(ctx context.Context, ev Event) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, inspectCallTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd", "/C", c.command)
	} else {
		cmd = exec.CommandContext(ctx, "sh", "-c", c.command)
	}
	cmd.Env = append(os.Environ(),
		EnvEventID+"="+strconv.FormatInt(ev.ID, 10),
		EnvRecordID+"="+strconv.FormatInt(ev.RecordID, 10),
		EnvTriggerKey+"="+ev.TriggerKey,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("inspect command %q for %s: %v: %s", c.command, ev, err, excerpt(stderr.Bytes(), 300))
	}
	out := strings.TrimSpace(stdout.String())
	n, err := strconv.Atoi(out)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("inspect command %q for %s printed %s, want a count (0 or more) on stdout",
			c.command, ev, excerpt([]byte(out), 200))
	}
	return n, nil
}

// transientError is a hook that could not be reached: worth asking again
// until the timeout, unlike a hook that answered nonsense.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// counts is what polling found: the last count of every event.
type counts map[int64]int

// inspectParallel bounds the questions in flight to the hook: a scenario
// has hundreds of events, and one at a time over a network (or one process
// each, for a command) would take longer than the receiver.
const inspectParallel = 8

// awaitApplied polls insp until every event's count reaches want, a count
// goes past it (a failure, reported at once) or timeout passes; once every
// count is reached it keeps watching them for settle, since a duplicate
// processed in the background is applied after its first copy was counted.
func awaitApplied(ctx context.Context, insp Inspector, events []Event, want int, timeout, settle time.Duration) (counts, error) {
	got := counts{}
	deadline := time.Now().Add(timeout)
	var settleUntil time.Time
	interval := 10 * time.Millisecond
	pending := events // the events not known to have reached want
	for {
		ns, errs := askAll(ctx, insp, pending)
		reached := true
		var next []Event
		for i, ev := range pending {
			var te *transientError
			switch err := errs[i]; {
			case err != nil && errors.As(err, &te) && time.Now().Before(deadline):
				reached = false
				next = append(next, ev)
				continue
			case err != nil:
				return got, err
			}
			got[ev.ID] = ns[i]
			if ns[i] > want {
				return got, nil
			}
			if ns[i] < want {
				reached = false
				next = append(next, ev)
			}
		}
		now := time.Now()
		switch {
		case reached && settle <= 0:
			return got, nil
		case reached && settleUntil.IsZero():
			// Every count is reached: from now on watch them all.
			settleUntil = now.Add(settle)
			next = events
		case reached && now.After(settleUntil):
			return got, nil
		case reached:
			next = events
		case !settleUntil.IsZero():
			// A count went back down: the hook is inconsistent, which
			// the caller reports from the counts.
			return got, nil
		case now.After(deadline):
			return got, nil
		}
		pending = next
		select {
		case <-ctx.Done():
			return got, ctx.Err()
		case <-time.After(interval):
		}
		if interval < 100*time.Millisecond {
			interval *= 2
		}
	}
}

// askAll asks insp about every event, a few at a time.
func askAll(ctx context.Context, insp Inspector, events []Event) ([]int, []error) {
	ns := make([]int, len(events))
	errs := make([]error, len(events))
	sem := make(chan struct{}, inspectParallel)
	var wg sync.WaitGroup
	for i, ev := range events {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ns[i], errs[i] = insp.Applied(ctx, ev)
		})
	}
	wg.Wait()
	return ns, errs
}

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
