package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// ReportVersion is the version of the report's JSON form; DecodeReport
// refuses others.
const ReportVersion = 1

// Duration is a time.Duration that reads and writes JSON as "1m30s".
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`duration: want a string like "1m30s"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// Report is the outcome of a run, or of several shards of one merged.
//
// Accounting: Scheduled = Sent + Dropped (slots due in the window that were
// sent, or were not because the tool could not keep up or was stopped), and
// Sent = Acked + Dead + Pending (events that were acknowledged, gave up,
// or were still waiting for a retry when the run ended).
type Report struct {
	Version int    `json:"version"`
	Target  string `json:"target"` // masked
	// Insecure says the target's TLS certificate was not verified
	// (InsecureSkipVerify): the text report marks the target so.
	Insecure bool `json:"insecure,omitempty"`
	// Started is when the first slot was due; merged reports keep the
	// earliest shard's.
	Started time.Time `json:"started"`
	// Planned is the length of the load profile; Window is how much of it
	// ran (less when interrupted); Elapsed runs to the end of the last
	// request, retries included.
	Planned     Duration `json:"planned"`
	Window      Duration `json:"window"`
	Elapsed     Duration `json:"elapsed"`
	Interrupted bool     `json:"interrupted"`

	Stages string `json:"stages"`
	// ClosedLoop is set for a run at rate max ("max:1m" in Stages): each
	// of MaxInflight senders sent its next event as soon as its last
	// answer came. No rate was asked for, so nothing was late or dropped
	// (Scheduled is Sent) and Corrected equals Raw.
	ClosedLoop bool   `json:"closedLoop,omitempty"`
	Mix        string `json:"mix"`
	Scenario   string `json:"scenario,omitempty"` // whole lifecycles instead of the mix
	Profile    string `json:"profile"`
	Seed       uint64 `json:"seed"`
	// SeedRandom is set when the seed was drawn at random for this run
	// (no --seed given): the report then says how to repeat the run.
	SeedRandom bool    `json:"seedRandom,omitempty"`
	Shards     []Shard `json:"shards"`
	// Missing lists the shards of the run absent from a merged report
	// (MergePartial); empty for a whole run.
	Missing     []int    `json:"missing,omitempty"`
	MaxInflight int      `json:"maxInflight"`
	Timeout     Duration `json:"timeout"`
	Retry       string   `json:"retry"`
	MaxLateness Duration `json:"maxLateness"`
	LateAfter   Duration `json:"lateAfter"`

	Scheduled int64 `json:"scheduled"`
	Sent      int64 `json:"sent"`
	// SentAfterWindow counts the sends, of slots due in the window, that
	// started after it ended (later than LateAfter past its end), as
	// MaxLateness allows: they are in Sent but not in the achieved rate,
	// which is the rate the window saw.
	SentAfterWindow int64 `json:"sentAfterWindow,omitempty"`
	// Dropped slots were never sent: DroppedLate of them because no worker
	// was free within MaxLateness of their time, the rest because the run
	// ended (or was interrupted) first.
	Dropped     int64 `json:"dropped"`
	DroppedLate int64 `json:"droppedLate"`
	// Late sends started more than LateAfter after their time; CapWaits
	// of those found every one of the MaxInflight workers busy at their
	// time.
	Late     int64 `json:"late"`
	CapWaits int64 `json:"capWaits"`
	// GenErrors counts slots left unsent because their payload could not
	// be made (a scenario that fails to render at some seed).
	GenErrors int64 `json:"genErrors,omitempty"`
	// PeakInflight is the most requests in flight at once (for merged
	// reports, the sum of the shards' peaks).
	PeakInflight int64 `json:"peakInflight"`
	// Connections is how many connections were opened, -1 when unknown
	// (a caller's own client).
	Connections int64 `json:"connections"`
	// Client is the HTTP client that sent: ClientWire, or net/http where
	// a proxy from the environment applied or the caller gave a client.
	// Shards that differ are listed, joined by " + ".
	Client string `json:"client,omitempty"`

	Acked   int64 `json:"acked"`
	Dead    int64 `json:"dead"`
	Pending int64 `json:"pending"`
	// Attempts counts every request, Retries those that repeated an
	// event; RetryOverflow counts events declared dead because the retry
	// queue was full.
	Attempts      int64 `json:"attempts"`
	Retries       int64 `json:"retries"`
	RetryOverflow int64 `json:"retryOverflow"`

	// Statuses counts requests by HTTP status; Errors counts requests that
	// got no status, by delivery.ErrKind.
	Statuses map[string]int64 `json:"statuses"`
	Errors   map[string]int64 `json:"errors"`
	// ErrorSamples is one message of each kind in Errors, the first seen:
	// a count of "malformed" says what went wrong, the message what the
	// receiver sent. Absent from reports written before it was added.
	ErrorSamples map[string]string `json:"errorSamples,omitempty"`
	// NoStatus counts first attempts that got no HTTP status (refused,
	// timed out, reset...): they are in Errors and Timeline, not in the
	// latency histograms.
	NoStatus int64 `json:"noStatus"`
	// MinSuccess is the pass mark the run was held to (percent of
	// scheduled events acknowledged), when one was; set by the caller.
	MinSuccess *float64 `json:"minSuccess,omitempty"`
	// Thresholds are the pass marks the run was held to (Check), each
	// with the figure compared and whether it passed.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`

	Triggers map[string]*TriggerStats `json:"triggers"`

	// Corrected latency runs from each event's scheduled time to the end
	// of its first attempt, so time spent waiting for a free worker (or a
	// stalled receiver) counts; Raw runs from the moment the request left,
	// as a closed-model tool would measure. Retries are in neither, nor
	// are first attempts without an HTTP status (NoStatus). Corrected also
	// holds each slot dropped for lateness (DroppedLate of them) at its
	// lateness when dropped: a lower bound of the latency it would have had.
	Corrected *Histogram `json:"corrected"`
	Raw       *Histogram `json:"raw"`
	// Lateness is how far behind its scheduled time each send started
	// (0 when on time), and each slot dropped for lateness at its lag: what
	// the verdict's pacing figures come from. Absent from reports written
	// before it existed.
	Lateness *Histogram `json:"lateness,omitempty"`

	// Timeline has one point per Interval, by the time first attempts
	// ended.
	Interval Duration `json:"interval"`
	Timeline []Point  `json:"timeline"`

	// Summary repeats the headline figures in plain numbers for readers
	// of the JSON (jq, dashboards); it is written, never read back.
	Summary *Headline `json:"summary,omitempty"`
}

// TriggerStats is one trigger's share of a run.
type TriggerStats struct {
	Sent  int64 `json:"sent"`
	Acked int64 `json:"acked"`
	Dead  int64 `json:"dead"`
	// Corrected latency of first attempts, two significant digits.
	Corrected *Histogram `json:"corrected"`
}

// Point is one interval of the timeline.
type Point struct {
	At     Duration `json:"at"`     // start of the interval, from Started
	Done   int64    `json:"done"`   // first attempts that ended in it
	Errors int64    `json:"errors"` // of those, not acknowledged
	// Latency of those attempts, two significant digits.
	Corrected *Histogram `json:"corrected"`
	Raw       *Histogram `json:"raw"`
}

// Headline is a report in plain numbers.
type Headline struct {
	TargetRate   float64            `json:"targetRate"`
	AchievedRate float64            `json:"achievedRate"`
	SuccessRatio float64            `json:"successRatio"`
	CorrectedMs  map[string]float64 `json:"correctedMs"`
	RawMs        map[string]float64 `json:"rawMs"`
	KeptUp       bool               `json:"keptUp"`
	Verdict      string             `json:"verdict"`
	DurationFigures
}

// quantiles are the percentiles every report shows.
var quantiles = []struct {
	name string
	q    float64
}{{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}}

// TargetRate is the mean rate the load profile asks for over the window,
// for the shards the report covers: the configured rate (500/s for
// --rate 500/s, even when interrupted), not whole slots counted in a
// window that may end between two of them.
func (r *Report) TargetRate() float64 {
	if r.Window <= 0 || r.ClosedLoop {
		return 0
	}
	w := time.Duration(r.Window)
	st, err := ParseStages(r.Stages)
	if err != nil || len(st) == 0 || len(r.Shards) == 0 || r.Shards[0].Count <= 0 {
		return float64(r.Scheduled) / w.Seconds()
	}
	share := float64(len(r.Shards)) / float64(r.Shards[0].Count)
	return newSchedule(st).eventsBy(w) * share / w.Seconds()
}

// AchievedRate is the mean rate at which events were sent within the
// window. Sends let out after it (SentAfterWindow) are left out: counting
// them would credit a receiver that took half the rate, with a long
// enough MaxLateness, with all of it.
func (r *Report) AchievedRate() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Sent-r.SentAfterWindow) / time.Duration(r.Window).Seconds()
}

// SuccessRatio is the share of scheduled events that were acknowledged:
// dropped events count against it, since the receiver never got them.
func (r *Report) SuccessRatio() float64 {
	if r.Scheduled == 0 {
		return 0
	}
	return float64(r.Acked) / float64(r.Scheduled)
}

// KeptUp reports whether every event left on time: none dropped for
// lateness (or left unsent, unless the run was interrupted) and at most
// one send in a thousand late.
// A closed loop always does: nothing was scheduled, so nothing was late.
func (r *Report) KeptUp() bool {
	unsent := r.Dropped - r.DroppedLate
	return r.DroppedLate == 0 && (unsent == 0 || r.Interrupted) && r.Late*1000 <= r.Sent
}

// Verdict says in one sentence whether the load was delivered as planned,
// and if not, what held it back; for a closed loop, how fast the receiver
// answered.
func (r *Report) Verdict() string {
	v := "kept up: every event left at its scheduled time"
	if r.ClosedLoop {
		v = fmt.Sprintf("the receiver answered %.1f/s with %d connections (a closed loop: each sender sent its next event when its last answer came; raw p99 %s)",
			r.AchievedRate(), r.MaxInflight, fmtLat(r.Raw.Quantile(99)))
		if r.GenErrors > 0 {
			v += fmt.Sprintf("; %d payloads could not be made and were not sent", r.GenErrors)
		}
	} else if !r.KeptUp() {
		v = fmt.Sprintf("could not keep up: %d of %d sends late (>%s), %d dropped", r.Late, r.Sent, fmtDur(time.Duration(r.LateAfter)), r.Dropped)
		if rawMax, rawP99 := r.Raw.Max(), r.Raw.Quantile(99); r.CapWaits > 0 && r.PeakInflight >= int64(r.MaxInflight) && rawMax >= 5*rawP99 && rawMax > time.Duration(r.LateAfter) {
			// A stall: a few answers far slower than the rest held every
			// slot; the p99 would not explain it.
			v += fmt.Sprintf("; all %d in-flight slots were busy at their time: the receiver stalled, its slowest answer taking %s (raw max, against a raw p99 of %s)%s, and the sends due meanwhile waited behind it",
				r.MaxInflight, fmtLat(rawMax), fmtLat(rawP99), r.whenSlowest())
		} else if r.CapWaits > 0 && r.PeakInflight >= int64(r.MaxInflight) {
			v += fmt.Sprintf("; all %d in-flight slots were busy at their time: answers (raw p99 %s) came too slowly for this rate with this cap (raise --max-inflight, or lower the rate; if the receiver is idle, this machine is the bottleneck)",
				r.MaxInflight, fmtLat(rawP99))
		} else if r.ranOut() && r.TargetRate() < ownCPUBound {
			// Sharding would not help: at this rate sending takes a few
			// percent of a core, so the machine was busy with others.
			v += fmt.Sprintf("; the in-flight cap was not reached%s: sending %.0f/s takes this tool a few percent of one core, so the machine was too busy to send on time (other processes, a pause), not short of capacity: run it where the machine is quieter", r.lateFigures(), r.TargetRate())
		} else if r.ranOut() {
			v += "; the in-flight cap was not reached" + r.lateFigures() + ": this machine could not generate the load (spread it with --shard)"
		} else if r.Dropped == 0 && r.Late > 0 && pct(r.AchievedRate(), r.TargetRate()) >= 99 {
			// Every slot was sent, a few late, and the rate held: the
			// verdict's first words must not deny it.
			v = fmt.Sprintf("kept the rate, but %d of %d sends started late (>%s) while workers were free%s: the hiccups of a busy machine (other processes, a pause), not a shortage of capacity",
				r.Late, r.Sent, fmtDur(time.Duration(r.LateAfter)), r.lateFigures())
		} else {
			if r.Late > 0 {
				v += "; the in-flight cap was not reached" + r.lateFigures() + ": some sends started late while workers were free, the hiccups of a busy machine (other processes, a pause), not a shortage of capacity"
			}
			if r.GenErrors > 0 {
				v += fmt.Sprintf("; %d slots were left unsent because their payload could not be made", r.GenErrors)
			}
		}
	}
	if len(r.Missing) > 0 && len(r.Shards) > 0 {
		v = fmt.Sprintf("partial: %s missing; ", formatShardSet(r.Missing, r.Shards[0].Count)) + v
	}
	if r.Interrupted {
		v = fmt.Sprintf("interrupted after %s of %s; ", fmtDur(time.Duration(r.Window)), fmtDur(time.Duration(r.Planned))) + v
	}
	// Pacing and acknowledgement are separate findings: a receiver can
	// answer on time with 500s. A failure to acknowledge leads: "kept up"
	// means little when nothing was accepted.
	if r.Scheduled > 0 && r.Acked < r.Scheduled {
		v = fmt.Sprintf("only %.2f%% of events acknowledged: %s; ", 100*r.SuccessRatio(), r.failures()) + v
	}
	if st := r.RefusedAlike(); st != 0 {
		v = (&delivery.RefusedError{Status: st}).Error() + " (" + strings.TrimSuffix(v, "; ") + ")"
	} else if r.RefusedInHandshake() {
		v = "the receiver was not judged: every request failed in the TLS handshake: check --cacert, --cert/--key, --insecure (" + strings.TrimSuffix(v, "; ") + ")"
	}
	return v
}

// RefusedInHandshake reports whether no request was answered and the
// receiver's TLS server refused the handshakes (delivery.RefusedByTLS): a
// client certificate refused, say, which says nothing of the receiver.
func (r *Report) RefusedInHandshake() bool {
	return len(r.Statuses) == 0 && delivery.RefusedByTLS(r.Errors)
}

// notJudged reports whether the run's verdict is the setup's (exit 2),
// whatever the pass marks: every request refused alike (RefusedAlike) or
// in the TLS handshake. An interrupted run's verdict is the interruption
// (exit 1), as Failure has it.
func (r *Report) notJudged() bool {
	return !r.Interrupted && (r.RefusedAlike() != 0 || r.RefusedInHandshake())
}

// exitStatus is the exit status of a failed run, as the report states it:
// 2 when the receiver was not judged (notJudged), 1 otherwise.
func (r *Report) exitStatus() int {
	if r.notJudged() {
		return 2
	}
	return 1
}

// RefusedAlike is the status every request of the run was refused with, as
// delivery.RefusedAlike judges it (a wrong path or token: the receiver was
// not judged), or 0.
func (r *Report) RefusedAlike() int {
	if r.Acked > 0 || len(r.Statuses) != 1 {
		return 0
	}
	for _, n := range r.Errors {
		if n > 0 {
			return 0
		}
	}
	for k, n := range r.Statuses {
		if st, err := strconv.Atoi(k); err == nil && delivery.RefusedAlike(st, int(n)) {
			return st
		}
	}
	return 0
}

// ranOut tells a machine that could not generate the load (slots dropped
// for lateness although workers were free, or more than a tenth of sends
// late) from one that had hiccups: some late sends, at a low rate or while
// other processes took the CPU for a moment, which more machines would
// not cure.
// ownCPUBound is a rate below which sending cannot be what held a run
// back: a send costs this tool about 20 µs of CPU (make bench-load), so
// 2,000/s is 4% of one core.
const ownCPUBound = 2000

func (r *Report) ranOut() bool {
	return r.DroppedLate > 0 || r.Late*10 > r.Sent
}

// lateFigures gives how late sends started: " (lateness p99 1.2ms, max
// 35ms)", empty for reports without the lateness histogram.
func (r *Report) lateFigures() string {
	if r.Lateness == nil || r.Lateness.Count() == 0 {
		return ""
	}
	return fmt.Sprintf(" (sends started behind their time by %s at p99, %s at most)", fmtLat(r.Lateness.Quantile(99)), fmtLat(r.Lateness.Max()))
}

// whenSlowest says when the slowest answer ended, from the timeline:
// ", ending 3s–4s into the run".
func (r *Report) whenSlowest() string {
	best, at := time.Duration(0), -1
	for i, p := range r.Timeline {
		if m := p.Raw.Max(); m > best {
			best, at = m, i
		}
	}
	if at < 0 {
		return ""
	}
	from := time.Duration(r.Timeline[at].At)
	return fmt.Sprintf(", ending %s–%s into the run", fmtDur(from), fmtDur(from+time.Duration(r.Interval)))
}

// Passed reports whether the success ratio meets MinSuccess and every
// threshold passed (true when there is no pass mark).
func (r *Report) Passed() bool {
	return r.SuccessPassed() && len(r.FailedThresholds()) == 0
}

// SuccessPassed reports whether the success ratio meets MinSuccess (true
// when there is none).
func (r *Report) SuccessPassed() bool {
	return r.MinSuccess == nil || 100*r.SuccessRatio() >= *r.MinSuccess
}

// Healthy is true when the run kept up and every scheduled event was
// acknowledged.
func (r *Report) Healthy() bool {
	return r.KeptUp() && r.Scheduled > 0 && r.Acked >= r.Scheduled
}

// failures lists what became of the attempts that were not acknowledged
// and the slots never sent: "200 refused", "37 answered 503, 3 dropped".
func (r *Report) failures() string {
	var parts []string
	for _, k := range sortedKeys(r.Errors) {
		parts = append(parts, fmt.Sprintf("%d %s", r.Errors[k], k))
	}
	codes := sortedKeys(r.Statuses)
	slices.SortStableFunc(codes, func(a, b string) int { return len(a) - len(b) })
	for _, k := range codes {
		if c := k[0]; c != '2' {
			parts = append(parts, fmt.Sprintf("%d answered %s", r.Statuses[k], k))
		}
	}
	if r.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d dropped", r.Dropped))
	}
	if r.Pending > 0 {
		parts = append(parts, fmt.Sprintf("%d pending", r.Pending))
	}
	if len(parts) == 0 {
		return "no attempt failed outright"
	}
	return strings.Join(parts, ", ")
}

func (r *Report) summary() *Headline {
	s := &Headline{
		TargetRate:   r.TargetRate(),
		AchievedRate: r.AchievedRate(),
		SuccessRatio: r.SuccessRatio(),
		CorrectedMs:  map[string]float64{},
		RawMs:        map[string]float64{},
		KeptUp:       r.KeptUp(),
		Verdict:      r.Verdict(),
	}
	s.DurationFigures = r.durationFigures()
	for _, q := range quantiles {
		s.CorrectedMs[q.name] = ms(r.Corrected.Quantile(q.q))
		s.RawMs[q.name] = ms(r.Raw.Quantile(q.q))
	}
	s.CorrectedMs["max"] = ms(r.Corrected.Max())
	s.RawMs["max"] = ms(r.Raw.Max())
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// EncodeJSON writes the report as indented JSON, histograms included.
func (r *Report) EncodeJSON(w io.Writer) error {
	cp := *r
	cp.Summary = r.summary()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&cp)
}

// DecodeReport reads a report written by EncodeJSON.
func DecodeReport(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a load report: %w", err)
	}
	if r.Version != ReportVersion {
		return nil, fmt.Errorf("load report version %d, want %d", r.Version, ReportVersion)
	}
	if r.Corrected == nil || r.Raw == nil {
		return nil, errors.New("load report has no latency histograms")
	}
	if len(r.Shards) == 0 {
		return nil, errors.New("load report names no shard")
	}
	// Merge trusts the shards: a count of a trillion would list a trillion
	// missing ones.
	for _, s := range r.Shards {
		if err := s.valid(); err != nil {
			return nil, fmt.Errorf("load report: %w", err)
		}
	}
	r.Summary = nil
	if r.Statuses == nil {
		r.Statuses = map[string]int64{}
	}
	if r.Errors == nil {
		r.Errors = map[string]int64{}
	}
	if r.Triggers == nil {
		r.Triggers = map[string]*TriggerStats{}
	}
	for k, t := range r.Triggers {
		if t == nil || t.Corrected == nil {
			return nil, fmt.Errorf("load report: trigger %s has no histogram", k)
		}
	}
	for i, p := range r.Timeline {
		if p.Corrected == nil || p.Raw == nil {
			return nil, fmt.Errorf("load report: timeline point %d has no histogram", i)
		}
	}
	return &r, nil
}

// Merge adds up reports of shards of one run into the report of the whole:
// counts are summed and histograms merged exactly, so the result is what
// one copy sending all the shards' events would have reported. Timelines
// are aligned by offset from each shard's own start (the copies of a
// Kubernetes Indexed Job start within moments of each other). Reports must
// cover every shard 0..n-1 of one run exactly once; the error of a missing
// shard is a *MissingShardsError.
func Merge(reports ...*Report) (*Report, error) {
	out, err := MergePartial(reports...)
	if err != nil {
		return nil, err
	}
	if len(out.Missing) > 0 {
		return nil, &MissingShardsError{Missing: out.Missing, Count: out.Shards[0].Count}
	}
	return out, nil
}

// MissingShardsError is Merge's error when shards of the run are missing.
type MissingShardsError struct {
	Missing []int
	Count   int
}

func (e *MissingShardsError) Error() string {
	return fmt.Sprintf("merge: %s missing: every shard 0..%d of the run must be merged once", formatShardSet(e.Missing, e.Count), e.Count-1)
}

// formatShardSet names shard indices of n: "shard 1 of 2", "shards 1,3
// of 4" ("1/2" read as half of the shards).
func formatShardSet(idx []int, n int) string {
	parts := make([]string, len(idx))
	for i, v := range idx {
		parts[i] = fmt.Sprint(v)
	}
	noun := "shard"
	if len(idx) > 1 {
		noun = "shards"
	}
	return fmt.Sprintf("%s %s of %d", noun, strings.Join(parts, ","), n)
}

// MergePartial is Merge that accepts missing shards (never a duplicate):
// the report lists them in Missing and says it is partial.
func MergePartial(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("merge: no report")
	}
	first := reports[0]
	out := &Report{
		Version:     ReportVersion,
		Target:      first.Target,
		Started:     first.Started,
		Stages:      first.Stages,
		ClosedLoop:  first.ClosedLoop,
		Mix:         first.Mix,
		Scenario:    first.Scenario,
		Profile:     first.Profile,
		Seed:        first.Seed,
		Timeout:     first.Timeout,
		Retry:       first.Retry,
		MaxLateness: first.MaxLateness,
		LateAfter:   first.LateAfter,
		Interval:    first.Interval,
		Client:      first.Client,
		Statuses:    map[string]int64{},
		Errors:      map[string]int64{},
		Triggers:    map[string]*TriggerStats{},
		Corrected:   newHist(histDigits),
		Raw:         newHist(histDigits),
		Lateness:    newHist(histDigitsSmall),
	}
	seen := map[int]bool{}
	var differ []string
	for i, r := range reports {
		for _, s := range r.Shards {
			if s.Count != first.Shards[0].Count {
				return nil, fmt.Errorf("merge: report %d is shard %s but report 1 is of %d shards", i+1, s, first.Shards[0].Count)
			}
			if seen[s.Index] {
				return nil, fmt.Errorf("merge: shard %s appears twice (report %d); each shard must be merged once", s, i+1)
			}
			seen[s.Index] = true
			out.Shards = append(out.Shards, s)
		}
		if r.Interval != first.Interval {
			return nil, fmt.Errorf("merge: report %d has %s timeline intervals, report 1 %s", i+1, time.Duration(r.Interval), time.Duration(first.Interval))
		}
		for _, d := range []struct{ what, a, b string }{
			{"target", r.Target, first.Target}, {"stages", r.Stages, first.Stages}, {"closed loop", fmt.Sprint(r.ClosedLoop), fmt.Sprint(first.ClosedLoop)}, {"mix", r.Mix, first.Mix}, {"scenario", r.Scenario, first.Scenario},
			{"profile", r.Profile, first.Profile}, {"seed", fmt.Sprint(r.Seed), fmt.Sprint(first.Seed)},
		} {
			if d.a != d.b && !slices.Contains(differ, d.what) {
				differ = append(differ, d.what)
			}
		}
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		out.Planned = max(out.Planned, r.Planned)
		out.Window = max(out.Window, r.Window)
		out.Elapsed = max(out.Elapsed, r.Elapsed)
		out.Interrupted = out.Interrupted || r.Interrupted
		out.Insecure = out.Insecure || r.Insecure
		out.MaxInflight += r.MaxInflight
		out.Scheduled += r.Scheduled
		out.Sent += r.Sent
		out.SentAfterWindow += r.SentAfterWindow
		out.Dropped += r.Dropped
		out.DroppedLate += r.DroppedLate
		out.Late += r.Late
		out.CapWaits += r.CapWaits
		out.GenErrors += r.GenErrors
		out.PeakInflight += r.PeakInflight
		switch {
		case out.Client == "":
			out.Client = r.Client
		case r.Client != "" && !slices.Contains(strings.Split(out.Client, " + "), r.Client):
			out.Client += " + " + r.Client
		}
		if r.Connections < 0 || out.Connections < 0 {
			out.Connections = -1
		} else {
			out.Connections += r.Connections
		}
		out.Acked += r.Acked
		out.NoStatus += r.NoStatus
		out.Dead += r.Dead
		out.Pending += r.Pending
		out.Attempts += r.Attempts
		out.Retries += r.Retries
		out.RetryOverflow += r.RetryOverflow
		for k, v := range r.Statuses {
			out.Statuses[k] += v
		}
		for k, v := range r.Errors {
			out.Errors[k] += v
		}
		for k, msg := range r.ErrorSamples {
			if _, ok := out.ErrorSamples[k]; !ok {
				if out.ErrorSamples == nil {
					out.ErrorSamples = map[string]string{}
				}
				out.ErrorSamples[k] = msg // the first shard's
			}
		}
		for k, t := range r.Triggers {
			o := out.Triggers[k]
			if o == nil {
				o = &TriggerStats{Corrected: newHist(histDigitsSmall)}
				out.Triggers[k] = o
			}
			o.Sent += t.Sent
			o.Acked += t.Acked
			o.Dead += t.Dead
			if err := o.Corrected.merge(t.Corrected); err != nil {
				return nil, fmt.Errorf("merge: report %d, trigger %s: %w", i+1, k, err)
			}
		}
		if err := out.Corrected.merge(r.Corrected); err != nil {
			return nil, fmt.Errorf("merge: report %d: %w", i+1, err)
		}
		if err := out.Raw.merge(r.Raw); err != nil {
			return nil, fmt.Errorf("merge: report %d: %w", i+1, err)
		}
		if r.Lateness == nil {
			out.Lateness = nil
		} else if out.Lateness != nil {
			if err := out.Lateness.merge(r.Lateness); err != nil {
				return nil, fmt.Errorf("merge: report %d: %w", i+1, err)
			}
		}
		for j, p := range r.Timeline {
			if j == len(out.Timeline) {
				out.Timeline = append(out.Timeline, Point{At: p.At, Corrected: newHist(histDigitsSmall), Raw: newHist(histDigitsSmall)})
			}
			o := &out.Timeline[j]
			o.Done += p.Done
			o.Errors += p.Errors
			if err := o.Corrected.merge(p.Corrected); err != nil {
				return nil, fmt.Errorf("merge: report %d, point %d: %w", i+1, j, err)
			}
			if err := o.Raw.merge(p.Raw); err != nil {
				return nil, fmt.Errorf("merge: report %d, point %d: %w", i+1, j, err)
			}
			// Merging the next report decodes the point again; in the
			// meantime it must not hold tens of kilobytes.
			_ = o.Corrected.compact()
			_ = o.Raw.compact()
		}
	}
	if len(differ) > 0 {
		return nil, fmt.Errorf("merge: the reports differ in %s: they are not shards of one run", strings.Join(differ, ", "))
	}
	slices.SortFunc(out.Shards, func(a, b Shard) int { return a.Index - b.Index })
	for i := range first.Shards[0].Count {
		if !seen[i] {
			out.Missing = append(out.Missing, i)
		}
	}
	return out, nil
}

// ShardsString describes the shards a report covers: "0/1", "0-3/4", "0,2/4".
func (r *Report) ShardsString() string {
	if len(r.Shards) == 0 {
		return "?"
	}
	n := r.Shards[0].Count
	if len(r.Shards) == 1 {
		return r.Shards[0].String()
	}
	idx := make([]int, len(r.Shards))
	for i, s := range r.Shards {
		idx[i] = s.Index
	}
	slices.Sort(idx)
	if idx[len(idx)-1]-idx[0] == len(idx)-1 {
		return fmt.Sprintf("%d-%d/%d", idx[0], idx[len(idx)-1], n)
	}
	parts := make([]string, len(idx))
	for i, v := range idx {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",") + "/" + fmt.Sprint(n)
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
