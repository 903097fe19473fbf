package load

import (
	"strconv"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// recorder collects the outcome of every attempt. One mutex guards it: an
// attempt costs a few hundred nanoseconds of recording against tens of
// microseconds of HTTP, and per-worker histograms would cost hundreds of
// kilobytes each. Everything it holds is fixed in size except the
// timeline, which grows by one small encoded point per interval.
type recorder struct {
	mu       sync.Mutex
	start    time.Time
	interval time.Duration

	corrected, raw *Histogram
	lateness       *Histogram // of sends' starts (and drops) behind their time
	statuses       map[int]int64
	errs           map[delivery.ErrKind]int64
	samples        map[delivery.ErrKind]string // the first error message of each kind
	trig           []trigRec                   // by mix index

	acked, dead, attempts, retries, overflow int64
	noStatus                                 int64 // first attempts without an HTTP status

	// The interval being filled, by the end time of first attempts.
	cur     int64
	curDone int64
	curErrs int64
	curCorr *Histogram
	curRaw  *Histogram
	points  []Point

	// Since the last progress snapshot.
	winDone int64
	winErrs int64
	winCorr *Histogram
}

type trigRec struct {
	key               string
	sent, acked, dead int64
	corrected         *Histogram
}

func newRecorder(start time.Time, interval time.Duration, keys []string) *recorder {
	r := &recorder{
		start:     start,
		interval:  interval,
		corrected: newHist(histDigits),
		raw:       newHist(histDigits),
		lateness:  newHist(histDigitsSmall),
		statuses:  map[int]int64{},
		errs:      map[delivery.ErrKind]int64{},
		samples:   map[delivery.ErrKind]string{},
		curCorr:   newHist(histDigitsSmall),
		curRaw:    newHist(histDigitsSmall),
		winCorr:   newHist(histDigitsSmall),
	}
	for _, k := range keys {
		r.trig = append(r.trig, trigRec{key: k, corrected: newHist(histDigitsSmall)})
	}
	return r
}

func (r *recorder) countAttempt(res *delivery.Result) {
	r.attempts++
	if res.Err != nil || res.Status == 0 {
		kind := res.ErrKind
		if kind == delivery.KindNone {
			kind = delivery.KindOther
		}
		r.errs[kind]++
		if _, ok := r.samples[kind]; !ok && res.Err != nil {
			r.samples[kind] = res.Err.Error()
		}
		return
	}
	r.statuses[res.Status]++
}

// first records the first attempt of an event due at due, which left lag
// behind it and ended at end.
// An attempt that got no HTTP status (refused, timed out, reset) is counted
// but kept out of the latency histograms: a refused connection's 100 µs is
// not an answer, and a timeout is the timeout, not the receiver's latency.
func (r *recorder) first(trig int, due time.Time, lag time.Duration, end time.Time, res *delivery.Result) {
	corrected := end.Sub(due)
	acked := res.Acked()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lateness.record(max(lag, 0))
	r.roll(end)
	r.countAttempt(res)
	t := &r.trig[trig]
	t.sent++
	r.curDone++
	r.winDone++
	if acked {
		r.acked++
		t.acked++
	} else {
		r.curErrs++
		r.winErrs++
	}
	if res.Err != nil || res.Status == 0 {
		r.noStatus++
		return
	}
	r.corrected.record(corrected)
	r.raw.record(res.Latency)
	r.curCorr.record(corrected)
	r.curRaw.record(res.Latency)
	r.winCorr.record(corrected)
	t.corrected.record(corrected)
}

// dropped records a slot dropped for lateness, lag behind its time, in the
// corrected histogram: its latency is at least that, and leaving it out
// would let the percentiles cover only the sends that survived a stall.
func (r *recorder) dropped(lag time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.corrected.record(lag)
	r.lateness.record(lag)
}

// retry records a retry attempt.
func (r *recorder) retry(trig int, res *delivery.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.countAttempt(res)
	r.retries++
	if res.Acked() {
		r.acked++
		r.trig[trig].acked++
	}
}

// died records an event that will not be retried again.
func (r *recorder) died(trig int, overflow bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dead++
	r.trig[trig].dead++
	if overflow {
		r.overflow++
	}
}

// roll closes intervals that ended before t, with empty points for
// intervals in which nothing ended: a stall must show as a gap.
func (r *recorder) roll(t time.Time) {
	idx := int64(t.Sub(r.start) / r.interval)
	for r.cur < idx {
		r.closePoint()
	}
}

func (r *recorder) closePoint() {
	p := Point{At: Duration(time.Duration(r.cur) * r.interval), Done: r.curDone, Errors: r.curErrs, Corrected: r.curCorr, Raw: r.curRaw}
	_ = p.Corrected.compact()
	_ = p.Raw.compact()
	r.points = append(r.points, p)
	r.cur++
	r.curDone, r.curErrs = 0, 0
	r.curCorr, r.curRaw = newHist(histDigitsSmall), newHist(histDigitsSmall)
}

// window returns what ended since the last call: attempts, failures and
// the corrected p99.
func (r *recorder) window() (done, errs int64, p99 time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	done, errs, p99 = r.winDone, r.winErrs, r.winCorr.Quantile(99)
	r.winDone, r.winErrs = 0, 0
	r.winCorr.HDR().Reset()
	return done, errs, p99
}

func (r *recorder) totals() (acked, dead, attempts int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acked, r.dead, r.attempts
}

// fill writes the recorded figures into rep; end closes the timeline.
func (r *recorder) fill(rep *Report, end time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.roll(end)
	if r.curDone > 0 || len(r.points) == 0 {
		r.closePoint()
	}
	rep.Corrected, rep.Raw, rep.Lateness = r.corrected, r.raw, r.lateness
	rep.Acked, rep.Dead, rep.Attempts, rep.Retries, rep.RetryOverflow = r.acked, r.dead, r.attempts, r.retries, r.overflow
	rep.NoStatus = r.noStatus
	rep.Statuses = map[string]int64{}
	for code, n := range r.statuses {
		rep.Statuses[strconv.Itoa(code)] = n
	}
	rep.Errors = map[string]int64{}
	for k, n := range r.errs {
		rep.Errors[string(k)] = n
	}
	for k, msg := range r.samples {
		if rep.ErrorSamples == nil {
			rep.ErrorSamples = map[string]string{}
		}
		rep.ErrorSamples[string(k)] = msg
	}
	rep.Triggers = map[string]*TriggerStats{}
	for _, t := range r.trig {
		if t.sent == 0 {
			continue
		}
		rep.Triggers[t.key] = &TriggerStats{Sent: t.sent, Acked: t.acked, Dead: t.dead, Corrected: t.corrected}
	}
	rep.Interval = Duration(r.interval)
	rep.Timeline = r.points
}
