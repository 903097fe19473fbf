package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Rate is a number of events per second.
type Rate float64

// MaxRate bounds a rate: far beyond what one machine sends, it only catches
// typos (an extra zero or two would be caught by nothing else).
const MaxRate Rate = 10_000_000

// RateMax is the rate "max": not a number of events per second but a closed
// loop, each of max-inflight senders sending its next event as soon as its
// last answer came (vegeta's -rate 0, bombardier's and k6's model), to find
// how fast a receiver can go. Only a whole run has it (WithRate, --rate
// max); a stage cannot. It is negative so that any arithmetic that treats
// it as a number of events fails a range check instead of sending.
const RateMax Rate = -1

// String spells the rate as ParseRate reads it.
func (r Rate) String() string {
	if r == RateMax {
		return "max"
	}
	return strconv.FormatFloat(float64(r), 'f', -1, 64) + "/s"
}

const rateForm = "a number of events per time unit, like 500/s, 1200/m, 36000/h or 1/5s, or max (as fast as the receiver answers)"

// ParseRate reads a rate: N/s, N/m, N/h, N/DURATION (1/5s is one event
// every five seconds, vegeta's spelling), or a bare N meaning per second. N
// may have a fraction. Zero is allowed here (a ramp may start at 0/s); the
// command line rejects it where a constant rate is meant. "max" is RateMax,
// the closed loop.
func ParseRate(s string) (Rate, error) {
	in := strings.TrimSpace(s)
	if strings.EqualFold(in, "max") {
		return RateMax, nil
	}
	num, unit, hasUnit := strings.Cut(in, "/")
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("rate %q: %q isn't a number; want %s", s, num, rateForm)
	}
	if n < 0 {
		return 0, fmt.Errorf("rate %q is negative; want %s", s, rateForm)
	}
	per := time.Second
	if hasUnit {
		switch u := strings.TrimSpace(unit); u {
		case "s", "sec", "second":
		case "m", "min", "minute":
			per = time.Minute
		case "h", "hour":
			per = time.Hour
		default:
			d, err := time.ParseDuration(u)
			if err != nil || d <= 0 {
				return 0, fmt.Errorf("rate %q: unit %q isn't s, m, h or a duration; want %s", s, u, rateForm)
			}
			per = d
		}
	}
	r := Rate(n / per.Seconds())
	if r > MaxRate {
		return 0, fmt.Errorf("rate %q is %s, above the limit of %s; want %s", s, r, MaxRate, rateForm)
	}
	return r, nil
}

// Stage is a stretch of a run during which the rate goes linearly from From
// to To (a constant stage has From == To).
type Stage struct {
	From, To Rate
	Duration time.Duration
}

// String spells the stage as ParseStages reads it.
func (s Stage) String() string {
	if s.From == s.To {
		return s.From.String() + ":" + s.Duration.String()
	}
	return s.From.String() + ".." + s.To.String() + ":" + s.Duration.String()
}

// events is the expected number of events in the stage.
func (s Stage) events() float64 {
	return float64(s.From+s.To) / 2 * s.Duration.Seconds()
}

// Constant is the single stage of a run at rate r for d.
func Constant(r Rate, d time.Duration) []Stage { return []Stage{{From: r, To: r, Duration: d}} }

const stageForm = "comma-separated RATE:DURATION or FROM..TO:DURATION, like 0/s..500/s:30s,500/s:2m"

// ParseStages reads a load profile such as "0/s..500/s:30s,500/s:2m": a
// 30-second ramp from nothing to 500 events/s, then two minutes at 500/s.
func ParseStages(s string) ([]Stage, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("stages are empty; want %s", stageForm)
	}
	var out []Stage
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		rates, dur, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("stage %d %q has no :DURATION; want %s", i+1, part, stageForm)
		}
		d, err := time.ParseDuration(strings.TrimSpace(dur))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("stage %d %q: %q isn't a positive duration (like 30s or 2m); want %s", i+1, part, dur, stageForm)
		}
		from, to, ramp := strings.Cut(rates, "..")
		a, err := ParseRate(from)
		if err != nil {
			return nil, fmt.Errorf("stage %d %q: %q isn't a rate (like 500/s or 1200/m); want %s", i+1, part, from, stageForm)
		}
		b := a
		if ramp {
			if b, err = ParseRate(to); err != nil {
				return nil, fmt.Errorf("stage %d %q: %q isn't a rate (like 500/s or 1200/m); want %s", i+1, part, to, stageForm)
			}
		}
		if a == RateMax || b == RateMax {
			return nil, fmt.Errorf("stage %d %q: a stage's rate cannot be max: a closed loop has no profile to follow (give the run a rate of max and a duration instead of stages); want %s", i+1, part, stageForm)
		}
		out = append(out, Stage{From: a, To: b, Duration: d})
	}
	total := 0.0
	for _, st := range out {
		total += st.events()
	}
	if total < 1 {
		return nil, fmt.Errorf("stages %q send no event (every rate is 0); want %s", s, stageForm)
	}
	return out, nil
}

// FormatStages is the inverse of ParseStages.
func FormatStages(stages []Stage) string {
	parts := make([]string, len(stages))
	for i, s := range stages {
		parts[i] = s.String()
	}
	return strings.Join(parts, ",")
}

// Weight is one trigger of a mix and its share.
type Weight struct {
	Trigger string
	Weight  int
}

// Mix says which triggers a run sends and in what proportion.
type Mix []Weight

// DefaultMix sends every trigger equally often.
func DefaultMix() Mix {
	keys := schemas.TriggerKeys()
	m := make(Mix, len(keys))
	for i, k := range keys {
		m[i] = Weight{Trigger: k, Weight: 1}
	}
	return m
}

func (m Mix) triggerKeys() []string {
	keys := make([]string, len(m))
	for i, w := range m {
		keys[i] = w.Trigger
	}
	return keys
}

// String spells the mix as ParseMix reads it.
func (m Mix) String() string {
	parts := make([]string, len(m))
	for i, w := range m {
		parts[i] = w.Trigger + "=" + strconv.Itoa(w.Weight)
	}
	return strings.Join(parts, ",")
}

const mixForm = "comma-separated TRIGGER=WEIGHT, like TASK_STATUS_MOVEMENT=5,PROJECT_CREATED=1"

// ParseMix reads "TASK_STATUS_MOVEMENT=5,PROJECT_CREATED=1": five status
// movements for each project created. A trigger without =WEIGHT weighs 1,
// and "all" stands for every trigger.
func ParseMix(s string) (Mix, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("mix is empty; want %s", mixForm)
	}
	var m Mix
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		key, ws, hasW := strings.Cut(part, "=")
		key = strings.TrimSpace(key)
		w := 1
		if hasW {
			n, err := strconv.Atoi(strings.TrimSpace(ws))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("mix %q: weight %q of %s isn't a whole number ≥ 0; want %s", s, ws, key, mixForm)
			}
			w = n
		}
		keys := []string{key}
		if key == "all" {
			keys = schemas.TriggerKeys()
		} else if _, err := schemas.Lookup(key); err != nil {
			return nil, fmt.Errorf("mix %q: %w", s, err)
		}
		for _, k := range keys {
			if seen[k] {
				return nil, fmt.Errorf("mix %q names %s twice; want %s", s, k, mixForm)
			}
			seen[k] = true
			m = append(m, Weight{Trigger: k, Weight: w})
		}
	}
	total := 0
	for _, w := range m {
		total += w.Weight
	}
	if total == 0 {
		return nil, fmt.Errorf("mix %q: every weight is 0; want %s", s, mixForm)
	}
	return m, nil
}

// Shard is one of Count copies of a run that share its rate and event-id
// space: Index counts from 0, as a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX does.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// MaxShards bounds Shard.Count: the event-id space is split between shards
// and workers, and this keeps each worker's share practically endless.
const MaxShards = 4096

// String spells the shard as ParseShard reads it.
func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

func (s Shard) valid() error {
	if s.Count < 1 || s.Count > MaxShards {
		return fmt.Errorf("shard %s: count must be 1..%d; want i/n with 0 ≤ i < n, like 0/4", s, MaxShards)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %s: index must be 0..%d (shards count from 0, like JOB_COMPLETION_INDEX); want i/n with 0 ≤ i < n, like 0/4", s, s.Count-1)
	}
	return nil
}

// ParseShard reads "i/n": this copy is shard i (from 0) of n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q isn't i/n; want i/n with 0 ≤ i < n, like 0/4", s)
	}
	sh := Shard{Index: i, Count: n}
	if err := sh.valid(); err != nil {
		return Shard{}, fmt.Errorf("shard %q: %w", s, unwrapShard(err))
	}
	return sh, nil
}

// unwrapShard drops the "shard i/n: " prefix valid adds, since ParseShard
// quotes the input itself.
func unwrapShard(err error) error {
	_, rest, _ := strings.Cut(err.Error(), ": ")
	return fmt.Errorf("%s", rest)
}
