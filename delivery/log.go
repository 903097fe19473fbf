package delivery

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// LogVersion is the format version written in the run line of a log.
const LogVersion = 1

// The line types of a delivery log, described at ReadLog.
type (
	runLine struct {
		Type        string    `json:"type"`
		Version     int       `json:"version"`
		Target      string    `json:"target"`
		Started     time.Time `json:"started"`
		Events      int       `json:"events"`
		Policy      string    `json:"policy"`
		Attempts    int       `json:"attempts"`
		Backoff     string    `json:"backoff,omitempty"`
		TimeoutMs   float64   `json:"timeoutMs"`
		Concurrency int       `json:"concurrency"`
		RecordOrder bool      `json:"recordOrder"`
		Reorder     int       `json:"reorder,omitempty"`
		Duplicate   float64   `json:"duplicateFraction,omitempty"`
		DupMode     string    `json:"duplicateMode,omitempty"`
		JitterMs    float64   `json:"jitterMs,omitempty"`
		Seed        uint64    `json:"seed"`
		TimeScale   float64   `json:"timeScale"`
	}
	eventLine struct {
		Type       string  `json:"type"`
		EventID    int64   `json:"eventId"`
		TriggerKey string  `json:"triggerKey"`
		RecordID   int64   `json:"recordId"`
		Body       *string `json:"body,omitempty"`
		BodyBase64 []byte  `json:"bodyBase64,omitempty"`
	}
	attemptLine struct {
		Type       string    `json:"type"`
		EventID    int64     `json:"eventId"`
		TriggerKey string    `json:"triggerKey"`
		RecordID   int64     `json:"recordId"`
		Attempt    int       `json:"attempt"`
		Duplicate  bool      `json:"duplicate,omitempty"`
		Scheduled  time.Time `json:"scheduled"`
		Started    time.Time `json:"started"`
		LatencyMs  float64   `json:"latencyMs"`
		Status     int       `json:"status,omitempty"`
		ErrKind    ErrKind   `json:"errKind,omitempty"`
		Error      string    `json:"error,omitempty"`
		Response   string    `json:"response,omitempty"`
		State      State     `json:"state,omitempty"`
	}
	resultLine struct {
		Type       string `json:"type"`
		EventID    int64  `json:"eventId"`
		State      State  `json:"state"`
		Attempts   int    `json:"attempts"`
		Duplicates int    `json:"duplicates,omitempty"`
	}
)

var lineTypes = []string{"run", "event", "attempt", "result"}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMs(v float64) time.Duration { return time.Duration(math.Round(v * float64(time.Millisecond))) }

// logWriter writes whole lines, one Write each, and remembers the first
// error: a full disk must not stop the deliveries it records.
type logWriter struct {
	w   io.Writer
	buf bytes.Buffer
	enc *json.Encoder
	red *redactor
	err error
}

func newLogWriter(w io.Writer, red *redactor) *logWriter {
	l := &logWriter{w: w, red: red}
	l.enc = json.NewEncoder(&l.buf)
	l.enc.SetEscapeHTML(false)
	return l
}

func (l *logWriter) write(v any) {
	if l.w == nil || l.err != nil {
		return
	}
	l.buf.Reset()
	if l.err = l.enc.Encode(v); l.err != nil {
		return
	}
	_, l.err = l.w.Write(l.buf.Bytes())
}

func (l *logWriter) run(r *run, events int) {
	p := r.cfg.policy
	line := runLine{Type: "run", Version: LogVersion, Target: r.target.masked, Started: r.wall,
		Events: events, Policy: p.String(), Attempts: p.Attempts, TimeoutMs: ms(p.Timeout),
		Concurrency: r.cfg.concurrency, RecordOrder: r.cfg.recordOrder, Reorder: r.cfg.reorder,
		Duplicate: r.cfg.dupP, JitterMs: ms(r.cfg.jitter), Seed: r.seed, TimeScale: r.cfg.clock.Scale()}
	if p.Backoff != nil {
		line.Backoff = p.Backoff.String()
	}
	if r.cfg.dupP > 0 {
		line.DupMode = string(r.cfg.dupMode)
	}
	l.write(line)
}

func (l *logWriter) event(es *eventState) {
	if es.logged {
		return
	}
	es.logged = true
	if l.w == nil {
		return
	}
	line := eventLine{Type: "event", EventID: es.ev.EventID, TriggerKey: es.ev.TriggerKey, RecordID: es.ev.RecordID}
	if utf8.Valid(es.ev.Body) {
		s := string(es.ev.Body)
		line.Body = &s
	} else {
		line.BodyBase64 = es.ev.Body
	}
	l.write(line)
}

func (l *logWriter) attempt(a *Attempt) {
	if l.w == nil {
		return
	}
	l.write(attemptLine{Type: "attempt", EventID: a.EventID, TriggerKey: a.TriggerKey, RecordID: a.RecordID,
		Attempt: a.N, Duplicate: a.Duplicate, Scheduled: a.Scheduled, Started: a.Started,
		LatencyMs: ms(a.Latency), Status: a.Status, ErrKind: a.ErrKind, Error: a.Err,
		Response: a.Response, State: a.State})
}

func (l *logWriter) result(es *eventState) {
	if es.resulted {
		return
	}
	es.resulted = true
	l.write(resultLine{Type: "result", EventID: es.ev.EventID, State: es.state, Attempts: es.attempts, Duplicates: es.dups})
}

// Log is a delivery log read back by ReadLog.
type Log struct {
	Run      RunInfo
	Events   []LoggedEvent // in the order of their event lines
	Attempts []Attempt     // in the order written
	// Warnings are sentences about what a log cut off by a killed process
	// lacks: an incomplete last line ReadLog skipped, events the run line
	// counts that have no event line. A complete log has none.
	Warnings []string
}

// ErrNotLog is wrapped by ReadLog's error for input that is not a delivery
// log at all: empty, or a first line that isn't a run line. The error
// says what it found instead.
var ErrNotLog = errors.New("not a coperniq-mock delivery log: its first line should be a run record")

// RunInfo is the run line of a log.
type RunInfo struct {
	Version     int
	Target      string // masked
	Started     time.Time
	Events      int
	Policy      string
	Concurrency int
	Seed        uint64
	TimeScale   float64
}

// LoggedEvent is an event with its exact body and final state. A log cut
// off before an event's result line (a killed process) gives the state of
// its last attempt: acked or dead, else pending.
type LoggedEvent struct {
	Message
	State      State
	Attempts   int
	Duplicates int
}

// Caps on what ReadLog holds, so that a log of unknown origin cannot take
// the memory it likes: a body is sent whole, so it is held whole.
const (
	// MaxLogBody bounds one event's body: sixteen times the receiver's
	// default body limit, and thousands of times a Coperniq payload.
	MaxLogBody = 16 << 20
	// MaxLogBodies bounds the bodies of a log, all events together.
	MaxLogBodies = 256 << 20
	// maxLogLine bounds a line: a body escaped as JSON or base64 takes at
	// most twice its size, plus the line's other fields.
	maxLogLine = 2*MaxLogBody + 64<<10
)

// ReadLog reads a delivery log written with WithLog. Errors name the line.
//
// The log is JSON lines of four types, told apart by "type":
//
//	run      the first line: target (masked), start, settings, seed
//	event    before the event's first attempt (or at the end of an
//	         interrupted run for events never attempted): ids and the body
//	attempt  one per attempt, duplicates included, in completion order
//	result   once per event, when it is acked or dead and its duplicate is
//	         back, or at the end of an interrupted run
//
// The body is a JSON string holding the exact bytes sent ("body"), or base64
// ("bodyBase64") when they are not UTF-8: embedding the payload as a JSON
// value would re-encode it, and a replay must send the same bytes (with jq:
// .body | fromjson). Times are RFC 3339 on the clock's timeline; latencyMs is
// real time.
//
// Input without a run line first is not a log: the error wraps ErrNotLog.
// A process killed while writing can leave the last line incomplete: a
// last line with no newline that isn't JSON is skipped, with a warning in
// Log.Warnings, and everything before it is read. Any other bad line is an
// error, and so is a body over MaxLogBody or bodies over MaxLogBodies in
// all. A UTF-8 byte order mark before the first line is skipped.
func ReadLog(r io.Reader) (*Log, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3) // editors on Windows add one; it is not the log's
	}
	log := &Log{}
	var bodies int64
	index := map[int64]int{}    // event id -> index in log.Events
	defined := map[int64]int{}  // event id -> line of its event line
	resulted := map[int64]int{} // event id -> line of its result line
	header := false
	for n := 1; ; n++ {
		raw, rerr := ReadJSONLine(br, maxLogLine)
		if errors.Is(rerr, ErrLongLine) {
			return nil, fmt.Errorf("line %d is over %d MiB: no line of a delivery log is (an event's body may take %d MiB, escaped); is this a delivery log?", n, maxLogLine>>20, MaxLogBody>>20)
		}
		if rerr != nil && rerr != io.EOF {
			return nil, fmt.Errorf("line %d: %w", n, rerr)
		}
		line := bytes.TrimSpace(raw)
		switch {
		case len(line) == 0:
		case rerr == io.EOF && !json.Valid(line):
			// No newline after it (ReadJSONLine stops at one) and not JSON:
			// the write of the last line was cut short.
			if !header {
				return nil, fmt.Errorf("%w (line %d, its only line, is incomplete)", ErrNotLog, n)
			}
			log.Warnings = append(log.Warnings, fmt.Sprintf(
				"line %d is incomplete (no newline at its end, and not JSON), as a killed run leaves it: skipped it and read the %d line(s) before it", n, n-1))
		case !header:
			if err := log.header(line, n); err != nil {
				return nil, err
			}
			header = true
		default:
			if err := log.line(line, n, index, defined, resulted); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			if k := len(log.Events); k > 0 && defined[log.Events[k-1].EventID] == n {
				body := int64(len(log.Events[k-1].Body))
				if body > MaxLogBody {
					return nil, fmt.Errorf("line %d: event %d's body of %d bytes is over the %d MiB cap per body", n, log.Events[k-1].EventID, body, MaxLogBody>>20)
				}
				if bodies += body; bodies > MaxLogBodies {
					return nil, fmt.Errorf("line %d: the bodies so far take %d bytes, over the %d MiB cap for a log; split the log (it is JSON lines: keep the run line first)", n, bodies, MaxLogBodies>>20)
				}
			}
		}
		if rerr == io.EOF {
			break
		}
	}
	if !header {
		return nil, fmt.Errorf("%w (the input is empty)", ErrNotLog)
	}
	if missing := log.Run.Events - len(log.Events); missing > 0 {
		log.Warnings = append(log.Warnings, fmt.Sprintf(
			"the run line counts %d events but only %d have an event line: the run stopped before the other %d were attempted, and their bodies are not in the log, so they can't be replayed",
			log.Run.Events, len(log.Events), missing))
	}
	for i := range log.Events {
		if _, ok := resulted[log.Events[i].EventID]; !ok {
			log.Events[i].State = StatePending
		}
	}
	for _, a := range log.Attempts {
		if _, ok := resulted[a.EventID]; ok {
			continue
		}
		e := &log.Events[index[a.EventID]]
		if a.Duplicate {
			e.Duplicates++
			continue
		}
		e.Attempts++
		if a.State == StateAcked || a.State == StateDead {
			e.State = a.State
		}
	}
	return log, nil
}

// ErrLongLine is ReadJSONLine's error for a line over its bound.
var ErrLongLine = errors.New("line too long")

// ReadJSONLine reads a line of a JSON-lines file (a delivery log, a listen
// capture), newline included, of at most limit bytes; beyond, it stops with
// ErrLongLine rather than hold the rest, so that a file that is not one
// (a single huge line) is refused, not read into memory whole. The last
// line comes with io.EOF, and without a newline where the file has none.
func ReadJSONLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		need := len(line) + len(chunk)
		if need > limit {
			return nil, ErrLongLine
		}
		if line == nil && !errors.Is(err, bufio.ErrBufferFull) {
			if len(chunk) == 0 {
				return nil, err
			}
			return bytes.Clone(chunk), err // the common case: one chunk
		}
		if need > cap(line) {
			// Doubling (append grows large slices by a quarter): a long
			// line costs twice its size in allocations, not five times.
			grown := make([]byte, len(line), min(limit, 2*need))
			copy(grown, line)
			line = grown
		}
		line = append(line, chunk...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

// anyLine reads a line after the run line, whichever its type: the attempt
// line's fields are the attemptLine written, so that reader and writer
// cannot drift apart; Type and EventID, pointers here, hide attemptLine's
// own, to tell a missing key from a zero.
type anyLine struct {
	Type    *string `json:"type"`
	EventID *int64  `json:"eventId"`
	attemptLine
	Body       *string `json:"body"`
	BodyBase64 []byte  `json:"bodyBase64"`
	Attempts   int     `json:"attempts"`
	Duplicates int     `json:"duplicates"`
}

// header reads the first line, which must be the run line.
func (log *Log) header(raw []byte, n int) error {
	var probe struct {
		Type *string `json:"type"`
	}
	var why string
	switch {
	case !json.Valid(raw):
		why = fmt.Sprintf("line %d is not JSON", n)
	case json.Unmarshal(raw, &probe) != nil || probe.Type == nil:
		why = fmt.Sprintf("line %d is JSON without a \"type\"", n)
	case *probe.Type != "run":
		why = fmt.Sprintf("line %d is a %.40q line", n, *probe.Type)
	default:
		var l runLine
		if err := json.Unmarshal(raw, &l); err != nil {
			return fmt.Errorf("line %d: a bad run line: %v", n, err)
		}
		if l.Version < 1 || l.Version > LogVersion {
			return fmt.Errorf("line %d: log version %d isn't one this build reads (1 to %d)", n, l.Version, LogVersion)
		}
		log.Run = RunInfo{Version: l.Version, Target: l.Target, Started: l.Started, Events: l.Events,
			Policy: l.Policy, Concurrency: l.Concurrency, Seed: l.Seed, TimeScale: l.TimeScale}
		return nil
	}
	return fmt.Errorf("%w (%s)", ErrNotLog, why)
}

// line reads a line after the run line.
func (log *Log) line(raw []byte, n int, index, defined, resulted map[int64]int) error {
	var l anyLine
	if err := json.Unmarshal(raw, &l); err != nil {
		return fmt.Errorf("not a JSON log line: %v", err)
	}
	if l.Type == nil {
		return fmt.Errorf("no \"type\" (want one of [%s])", strings.Join(lineTypes, " "))
	}
	if *l.Type == "run" {
		return errors.New("a run line must be the first line, and a log holds one run")
	}
	if !slices.Contains(lineTypes, *l.Type) {
		return oneOf("line type", *l.Type, lineTypes)
	}
	if l.EventID == nil {
		return fmt.Errorf("%s line without eventId", *l.Type)
	}
	id := *l.EventID
	if *l.Type == "event" {
		if prev, ok := defined[id]; ok {
			return fmt.Errorf("event %d already appeared on line %d", id, prev)
		}
		ev := Message{Identity: schemas.Identity{EventID: id, TriggerKey: l.TriggerKey, RecordID: l.RecordID}}
		switch {
		case l.Body != nil:
			ev.Body = []byte(*l.Body)
		case l.BodyBase64 != nil:
			ev.Body = l.BodyBase64
		}
		if len(ev.Body) == 0 {
			return fmt.Errorf("event %d has no body", id)
		}
		defined[id] = n
		index[id] = len(log.Events)
		log.Events = append(log.Events, LoggedEvent{Message: ev})
		return nil
	}
	i, ok := index[id]
	if !ok {
		return fmt.Errorf("%s of event %d before its event line", *l.Type, id)
	}
	e := &log.Events[i]
	if *l.Type == "attempt" {
		if l.Attempt < 1 {
			return fmt.Errorf("attempt of event %d has attempt number %d", id, l.Attempt)
		}
		log.Attempts = append(log.Attempts, Attempt{Identity: e.Identity,
			N: l.Attempt, Duplicate: l.Duplicate, Scheduled: l.Scheduled, Started: l.Started,
			Latency: fromMs(l.LatencyMs), Status: l.Status, ErrKind: l.ErrKind, Err: l.Error,
			Response: l.Response, State: l.State})
		return nil
	}
	// result
	if prev, ok := resulted[id]; ok {
		return fmt.Errorf("second result of event %d (first on line %d)", id, prev)
	}
	if _, err := parseState(string(l.State)); err != nil {
		return err
	}
	resulted[id] = n
	e.State, e.Attempts, e.Duplicates = l.State, l.Attempts, l.Duplicates
	return nil
}

var finalStates = []string{string(StateAcked), string(StateDead), string(StatePending)}

func parseState(s string) (State, error) {
	if slices.Contains(finalStates, s) {
		return State(s), nil
	}
	return "", oneOf("event state", s, finalStates)
}

// ParseOnly reads a replay selection: "acked", "dead", "pending", a comma
// list of them, or "all" (nil: every event).
func ParseOnly(s string) ([]State, error) {
	if s == "all" {
		return nil, nil
	}
	var out []State
	for _, p := range strings.Split(s, ",") {
		st, err := parseState(strings.TrimSpace(p))
		if err != nil {
			return nil, oneOf("selection", p, append(slices.Clone(finalStates), "all"))
		}
		out = append(out, st)
	}
	return out, nil
}

// Select returns the events in the given states (all with none), in log
// order, with their exact bodies: the input of a replay.
func (log *Log) Select(states ...State) []Message {
	return selectIn(log.Events, func(e LoggedEvent) (State, Message) { return e.State, e.Message }, states)
}
