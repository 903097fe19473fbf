package contract

// The state protocol: how the suite asks a receiver what it believes a
// record looks like after a scenario, to catch a receiver that applies
// events in arrival order (every event applied exactly once, and the last
// one to arrive, not the newest, wins).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// RecordState is a receiver's view of one record, as its state hook answers
// it. A nil field is something the receiver does not keep: it is not
// compared. Values are compared as text, exactly: a stage id is "16651"
// whether the hook wrote it as a number or a string, and a record without a
// stage has StageID "null".
type RecordState struct {
	Status  *string // record.status
	StageID *string // record.stage.id
	// WorkOrders maps each work order id the receiver knows of the record
	// to its status; nil when the receiver keeps none.
	WorkOrders map[int64]string
}

// comparable reports whether s holds anything the suite can compare.
func (s RecordState) comparable() bool {
	return s.Status != nil || s.StageID != nil || s.WorkOrders != nil
}

// StateReader tells what the receiver believes a record looks like: nil
// when it has nothing on the record. An error means the answer could not be
// had. It must be safe for concurrent use.
type StateReader interface {
	State(ctx context.Context, recordID int64) (*RecordState, error)
}

// StateFunc adapts a function to a StateReader, for a Go suite that reads
// the receiver's store directly.
type StateFunc func(ctx context.Context, recordID int64) (*RecordState, error)

// State implements StateReader.
func (f StateFunc) State(ctx context.Context, recordID int64) (*RecordState, error) {
	return f(ctx, recordID)
}

// What a state hook must answer, for the messages that say it did not.
const (
	stateProtocolURL = `see the state protocol: 200 with {"record": {"status": S, "stage": {"id": N}}, "workOrders": {"ID": {"status": S}}} (every key optional, at least one present), or 404 for a record it has nothing on`
	stateProtocolCmd = "see the state protocol: print the JSON of $" + EnvRecordID + `'s state, {"record": {...}, "workOrders": {...}}, or nothing for a record it has nothing on`
)

// stateCallTimeout bounds one question to the state hook.
const stateCallTimeout = 10 * time.Second

type stateURL struct {
	template, shown string
	secrets         []string
	client          *http.Client
}

// StateURL returns a StateReader that GETs template with {recordId}
// replaced, and expects 200 with the record's state as JSON (see the state
// protocol in the package doc), or 404 when the receiver has nothing on the
// record. The template must hold {recordId} and no other placeholder.
func StateURL(template string) (StateReader, error) {
	shown := maskTemplate(template)
	for _, p := range placeholderRE.FindAllString(template, -1) {
		if p != PlaceholderRecordID {
			return nil, fmt.Errorf("state URL %s: unknown placeholder %s; want %s", shown, p, PlaceholderRecordID)
		}
	}
	if !strings.Contains(template, PlaceholderRecordID) {
		return nil, fmt.Errorf("state URL %s has no %s placeholder, e.g. http://127.0.0.1:8080/_state/records/{recordId}", shown, PlaceholderRecordID)
	}
	u, err := url.Parse(fillRecord(template, 1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("state hook %s is not a URL", shown)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("state hook %s: scheme %q isn't one of [http https]", shown, u.Scheme)
	case u.Hostname() == "":
		return nil, fmt.Errorf("state hook %s has no host (want %s://host/path/{recordId})", shown, u.Scheme)
	}
	return &stateURL{template: template, shown: shown, secrets: templateSecrets(template), client: delivery.NewClient(stateCallTimeout, 4)}, nil
}

// CheckStateReachable is CheckInspectReachable for a StateURL template.
func CheckStateReachable(ctx context.Context, template string, timeout time.Duration) error {
	u, err := url.Parse(fillRecord(template, 1))
	if err != nil || u.Host == "" {
		return fmt.Errorf("state hook %s is not a URL with a host", maskTemplate(template))
	}
	return dial(ctx, u, timeout, "state hook "+maskTemplate(template))
}

// checkStateReachable checks t's state hook when it is a URL.
func checkStateReachable(ctx context.Context, t Target) error {
	if u, ok := t.State.(*stateURL); ok {
		if err := CheckStateReachable(ctx, u.template, min(ReachTimeout, t.InspectTimeout)); err != nil {
			return fmt.Errorf("--state: %w", err)
		}
	}
	return nil
}

func fillRecord(template string, recordID int64) string {
	return strings.ReplaceAll(template, PlaceholderRecordID, strconv.FormatInt(recordID, 10))
}

func (s *stateURL) String() string { return "GET " + s.shown }

func (s *stateURL) fail(recordID int64, body []byte, format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the state hook at GET %s %s for record %d: fix the hook (%s)\n", s.shown, fmt.Sprintf(format, args...), recordID, stateProtocolURL)
	if body != nil {
		fmt.Fprintf(&b, "its answer: %s\n", excerpt(body, 300))
	}
	fmt.Fprintf(&b, "ask it yourself: curl -i %s", shellQuote(delivery.MaskURL(fillRecord(s.template, recordID))))
	return &hookError{scrubAll(b.String(), s.secrets)}
}

func (s *stateURL) State(ctx context.Context, recordID int64) (*RecordState, error) {
	body, _, found, err := askHook(ctx, s.client, fillRecord(s.template, recordID), 1<<20, true, func(body []byte, format string, args ...any) error {
		return s.fail(recordID, body, format, args...)
	})
	if !found {
		return nil, err
	}
	st, why := ParseRecordState(body)
	if why != nil {
		return nil, s.fail(recordID, body, "answered 200 with %v", why)
	}
	return st, nil
}

type stateCmd struct {
	command string
	secrets []string
}

// StateCommand returns a StateReader that runs command through the shell
// with COPERNIQ_RECORD_ID in its environment and reads the record's state
// as JSON from its stdout (see the state protocol); empty output means the
// receiver has nothing on the record. The command is never shown in
// messages: it may hold a password.
func StateCommand(command string) (StateReader, error) {
	if strings.TrimSpace(command) == "" {
		return nil, errors.New("state command is empty")
	}
	return &stateCmd{command: command, secrets: commandSecrets(command)}, nil
}

func (c *stateCmd) String() string { return "the state command" }

func (c *stateCmd) fail(recordID int64, label string, out []byte, format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the state command %s for record %d: fix the hook (%s)\n", fmt.Sprintf(format, args...), recordID, stateProtocolCmd)
	if out != nil {
		fmt.Fprintf(&b, "%s: %s\n", label, excerpt(out, 300))
	}
	fmt.Fprintf(&b, "ask it yourself: run the state command with %s=%d in its environment", EnvRecordID, recordID)
	return &hookError{scrubAll(b.String(), c.secrets)}
}

func (c *stateCmd) State(ctx context.Context, recordID int64) (*RecordState, error) {
	stdout, stderr, how, err := runHookCommand(ctx, c.command, stateCallTimeout, EnvRecordID+"="+strconv.FormatInt(recordID, 10))
	switch {
	case err != nil:
		return nil, err
	case how != "":
		return nil, c.fail(recordID, "its stderr", stderr, "%s", how)
	}
	out := bytes.TrimSpace(stdout)
	if len(out) == 0 {
		return nil, nil
	}
	st, why := ParseRecordState(out)
	if why != nil {
		return nil, c.fail(recordID, "its stdout", out, "printed %v", why)
	}
	return st, nil
}

// runHookCommand runs a hook's command through the shell (sh -c; cmd /C
// on Windows) with env added to its environment, for at most timeout. how
// says why it failed ("did not finish within 10s", "failed (exit status
// 1)"), with what it wrote to stderr; err is the context's.
func runHookCommand(ctx context.Context, command string, timeout time.Duration, env ...string) (stdout, stderr []byte, how string, err error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(cctx, "cmd", "/C", command)
	} else {
		cmd = exec.CommandContext(cctx, "sh", "-c", command)
	}
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		switch {
		case ctx.Err() != nil:
			return nil, nil, "", ctx.Err()
		case cctx.Err() != nil:
			return nil, errb.Bytes(), fmt.Sprintf("did not finish within %s", timeout), nil
		}
		how := "failed"
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			how = "failed (" + ee.String() + ")"
		}
		return nil, errb.Bytes(), how, nil
	}
	return out.Bytes(), errb.Bytes(), "", nil
}

// ParseRecordState reads a state hook's answer: {"record": {"status": S,
// "stage": {"id": N}}, "workOrders": {"ID": {"status": S}}}, every key
// optional but at least one comparable value present. Other keys (a stage's
// name, a work order's title) are ignored. The error says what is wrong
// with the answer, in words that follow "answered 200 with".
func ParseRecordState(data []byte) (*RecordState, error) {
	var raw struct {
		Record     json.RawMessage            `json:"record"`
		WorkOrders map[string]json.RawMessage `json:"workOrders"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, errors.New("no JSON object of the record's state")
	}
	st := &RecordState{}
	if len(raw.Record) > 0 && string(raw.Record) != "null" {
		var rec map[string]json.RawMessage
		if json.Unmarshal(raw.Record, &rec) != nil {
			return nil, errors.New(`a "record" that is not an object`)
		}
		if v, ok := rec["status"]; ok {
			s, err := scalarText(v)
			if err != nil {
				return nil, fmt.Errorf(`"record.status" %s`, err)
			}
			st.Status = &s
		}
		if v, ok := rec["stage"]; ok {
			var stage map[string]json.RawMessage
			switch {
			case string(bytes.TrimSpace(v)) == "null":
				null := "null"
				st.StageID = &null
			case json.Unmarshal(v, &stage) != nil:
				return nil, errors.New(`a "record.stage" that is neither an object nor null`)
			default:
				if id, ok := stage["id"]; ok {
					s, err := scalarText(id)
					if err != nil {
						return nil, fmt.Errorf(`"record.stage.id" %s`, err)
					}
					st.StageID = &s
				}
			}
		}
	}
	if raw.WorkOrders != nil {
		st.WorkOrders = map[int64]string{}
		for k, v := range raw.WorkOrders {
			id, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				return nil, fmt.Errorf(`a "workOrders" key %q that is not a work order id`, k)
			}
			var wo map[string]json.RawMessage
			if json.Unmarshal(v, &wo) != nil || wo["status"] == nil {
				return nil, fmt.Errorf(`work order %s without a "status"`, k)
			}
			s, err := scalarText(wo["status"])
			if err != nil {
				return nil, fmt.Errorf(`work order %s's "status" %s`, k, err)
			}
			st.WorkOrders[id] = s
		}
	}
	if !st.comparable() {
		return nil, errors.New(`nothing to compare: no "record.status", "record.stage.id" or "workOrders"`)
	}
	return st, nil
}

// scalarText is a JSON scalar as text: a string's contents, a number's or
// a literal's spelling.
func scalarText(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", errors.New("is not a valid string")
		}
		return s, nil
	}
	if len(v) == 0 || v[0] == '{' || v[0] == '[' {
		return "", errors.New("is not a string or a number")
	}
	return string(v), nil
}

// wantRecord is what a record should look like once every event about it
// was applied: the newest version the events show.
type wantRecord struct {
	status, stageID string
	workOrders      map[int64]string
	// anyStatus, anyStage and anyWorkOrder are values the newest versions
	// disagree on (two events of the same updatedAt): not compared.
	anyStatus, anyStage bool
	anyWorkOrder        map[int64]bool
}

// wantState is the expected state of every record a scenario's events are
// about, by record id.
type wantState map[int64]wantRecord

// recordIDs are the records of w in id order.
func (w wantState) recordIDs() []int64 {
	ids := make([]int64, 0, len(w))
	for id := range w {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// mismatch is one compared value that differs, or a record the receiver
// has nothing on.
type mismatch struct {
	recordID int64
	what     string // "record.status", "work order 8812 status", "record"
	want     string
	got      string // "(none)" when the receiver has nothing
}

func (m mismatch) String() string {
	return fmt.Sprintf("record %d: %s is %s, want %s", m.recordID, m.what, m.got, m.want)
}

// compare lists what got (nil: the receiver has nothing on the record)
// says differently from want, looking only at what got holds. kept are the
// kinds of value the receiver keeps, as the hook's answers show; a record
// the receiver has nothing on is a mismatch only for a kind it keeps.
func compare(id int64, want wantRecord, got *RecordState, kept keptValues) []mismatch {
	if got == nil {
		if kept.status || kept.stage || kept.workOrders && len(want.workOrders) > 0 || !kept.any() {
			return []mismatch{{recordID: id, what: "state", want: want.summary(), got: "(none: the hook answered that the receiver has nothing on it)"}}
		}
		return nil
	}
	var out []mismatch
	if got.Status != nil && *got.Status != want.status && !want.anyStatus {
		out = append(out, mismatch{id, "record.status", want.status, *got.Status})
	}
	if got.StageID != nil && *got.StageID != want.stageID && !want.anyStage {
		out = append(out, mismatch{id, "record.stage.id", want.stageID, *got.StageID})
	}
	if got.WorkOrders != nil {
		ids := make([]int64, 0, len(want.workOrders))
		for wo := range want.workOrders {
			ids = append(ids, wo)
		}
		slices.Sort(ids)
		for _, wo := range ids {
			g, ok := got.WorkOrders[wo]
			if !ok {
				g = "(missing)"
			}
			if g != want.workOrders[wo] && (!ok || !want.anyWorkOrder[wo]) {
				out = append(out, mismatch{id, fmt.Sprintf("work order %d status", wo), want.workOrders[wo], g})
			}
		}
		var extra []int64
		for wo := range got.WorkOrders {
			if _, ok := want.workOrders[wo]; !ok {
				extra = append(extra, wo)
			}
		}
		slices.Sort(extra)
		for _, wo := range extra {
			out = append(out, mismatch{id, fmt.Sprintf("work order %d status", wo), "(none: no event put it on this record)", got.WorkOrders[wo]})
		}
	}
	return out
}

// summary is want in a few words, for a record the receiver has nothing on.
func (w wantRecord) summary() string {
	s := fmt.Sprintf("status %s, stage %s", w.status, w.stageID)
	if len(w.workOrders) > 0 {
		s += fmt.Sprintf(", %d work orders", len(w.workOrders))
	}
	return s
}

// keptValues are the kinds of value a receiver's state hook has shown it
// keeps.
type keptValues struct{ status, stage, workOrders bool }

func (k keptValues) any() bool { return k.status || k.stage || k.workOrders }

func (k *keptValues) add(s *RecordState) {
	if s == nil {
		return
	}
	k.status = k.status || s.Status != nil
	k.stage = k.stage || s.StageID != nil
	k.workOrders = k.workOrders || s.WorkOrders != nil
}

// stateCheck is what checkState found.
type stateCheck struct {
	mismatches []mismatch
	took       time.Duration
	records    int
	// answered: some record got a 200; all 404 when false.
	answered bool
	// settled is when the answers last changed, since the check began:
	// what a receiver still applying took to reach the state it ended in.
	settled time.Duration
}

// stateAsk is a question to the state hook that got no usable answer.
type stateAsk struct {
	recordID int64
	err      error
}

func (e *stateAsk) Error() string { return e.err.Error() }
func (e *stateAsk) Unwrap() error { return e.err }

// stateNow asks hook about one record, asking again while the answer is
// transient (out of reach, 5xx, 429) and timeout has not passed.
func stateNow(ctx context.Context, hook StateReader, id int64, timeout time.Duration) (*RecordState, error) {
	return stateBy(ctx, hook, id, time.Now().Add(timeout), timeout)
}

// stateBy is stateNow until deadline, which ends a wait of timeout (for the
// message).
func stateBy(ctx context.Context, hook StateReader, id int64, deadline time.Time, timeout time.Duration) (*RecordState, error) {
	for interval := 10 * time.Millisecond; ; interval = min(2*interval, 200*time.Millisecond) {
		st, err := hook.State(ctx, id)
		var te *transientError
		if err == nil || ctx.Err() != nil || !errors.As(err, &te) {
			return st, err
		}
		if !time.Now().Before(deadline) {
			// timeout is not always --inspect-timeout (a shrink attempt's,
			// a check cut short): name the time, not the flag.
			return nil, fmt.Errorf("%w\n(asked again for %s with no usable answer)", err, roundLatency(timeout))
		}
		sleepCtx(ctx, interval)
	}
}

// checkState asks hook about every record of want until every compared
// value matches or timeout passes (a receiver may apply asynchronously),
// and returns the last differences. An error is a *stateAsk, or the
// context's.
func checkState(ctx context.Context, hook StateReader, want wantState, timeout time.Duration) (stateCheck, error) {
	start := time.Now()
	deadline := start.Add(timeout)
	ids := want.recordIDs()
	interval := 10 * time.Millisecond
	var last string
	var settled time.Duration
	for {
		got := make([]*RecordState, len(ids))
		var kept keptValues
		res := stateCheck{records: len(ids)}
		for i, id := range ids {
			// A transient answer is asked again at once: a hook busy
			// now and then must not keep every pass from matching.
			st, err := stateBy(ctx, hook, id, deadline, timeout)
			switch {
			case err != nil && ctx.Err() != nil:
				return res, ctx.Err()
			case err != nil:
				return res, &stateAsk{recordID: id, err: err}
			}
			got[i] = st
			kept.add(st)
			res.answered = res.answered || st != nil
		}
		for i, id := range ids {
			res.mismatches = append(res.mismatches, compare(id, want[id], got[i], kept)...)
		}
		res.took = time.Since(start)
		if seen := fmt.Sprint(res.mismatches); seen != last {
			last, settled = seen, res.took
		}
		res.settled = settled
		if len(res.mismatches) == 0 || time.Now().After(deadline) {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(interval):
		}
		interval = min(2*interval, 200*time.Millisecond)
	}
}
