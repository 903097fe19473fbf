package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds from 1 µs to one hour: anything
// longer is a timeout by any standard, and is clamped to the hour.
const (
	histLowest  = 1
	histHighest = int64(time.Hour / time.Microsecond)
	// Three significant digits for the run's headline figures; two for the
	// per-trigger and per-interval histograms, of which there are many.
	histDigits      = 3
	histDigitsSmall = 2
)

// Histogram is an HDR latency histogram. In JSON it is a string: the
// histogram in HdrHistogram's compressed V2 encoding, base64, which any
// HdrHistogram implementation (Java, Go, Rust, the online plotter) reads.
//
// A Histogram holds either the decoded histogram or its encoding, and
// decodes on first use: a long run's timeline keeps thousands of them, and
// encoded they take a few hundred bytes instead of tens of kilobytes.
type Histogram struct {
	h   *hdrhistogram.Histogram
	enc []byte
}

func newHist(digits int) *Histogram {
	return &Histogram{h: hdrhistogram.New(histLowest, histHighest, digits)}
}

// HDR is the underlying histogram (values in microseconds), decoded if
// need be.
func (h *Histogram) HDR() *hdrhistogram.Histogram {
	if h.h == nil && h.enc != nil {
		d, err := hdrhistogram.Decode(h.enc)
		if err != nil {
			// enc was checked when it was set; this cannot happen.
			panic(fmt.Sprintf("load: stored histogram does not decode: %v", err))
		}
		h.h = d
	}
	if h.h == nil {
		h.h = hdrhistogram.New(histLowest, histHighest, histDigitsSmall)
	}
	return h.h
}

func (h *Histogram) record(d time.Duration) {
	us := max(d.Microseconds(), histLowest)
	_ = h.h.RecordValue(min(us, histHighest))
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 {
	if h == nil {
		return 0
	}
	return h.HDR().TotalCount()
}

// Quantile is the latency below which q percent (0..100) of the values fall.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.HDR().ValueAtQuantile(q)) * time.Microsecond
}

// Max is the largest value recorded, to the histogram's precision.
func (h *Histogram) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.HDR().Max()) * time.Microsecond
}

// within is h's quantile q (its max for q ≥ 100) held to the max of run,
// the run's own histogram: h keeps two significant digits (a trigger's or
// an interval's) where run keeps three, and a figure rounded up past the
// run's largest value would contradict it.
func (h *Histogram) within(run *Histogram, q float64) time.Duration {
	v := h.Max()
	if q < 100 {
		v = h.Quantile(q)
	}
	if run != nil && run.Count() > 0 {
		v = min(v, run.Max())
	}
	return v
}

// compact encodes the histogram and lets the decoded form go.
func (h *Histogram) compact() error {
	if h.h == nil {
		return nil
	}
	enc, err := h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return err
	}
	h.enc, h.h = enc, nil
	return nil
}

// merge adds o's values to h.
func (h *Histogram) merge(o *Histogram) error {
	if o == nil {
		return nil
	}
	if dropped := h.HDR().Merge(o.HDR()); dropped > 0 {
		return fmt.Errorf("%d values out of the histogram's range", dropped)
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	enc := h.enc
	if h.h != nil {
		var err error
		if enc, err = h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
			return nil, err
		}
	}
	return json.Marshal(string(enc))
}

// UnmarshalJSON implements json.Unmarshaler. The encoding is decoded and
// checked here, so that a damaged report fails to load rather than later.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("histogram: want a string with an encoded HdrHistogram")
	}
	d, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	if d.LowestTrackableValue() != histLowest || d.HighestTrackableValue() < histHighest {
		return fmt.Errorf("histogram: range %d..%d µs, want %d..%d", d.LowestTrackableValue(), d.HighestTrackableValue(), histLowest, histHighest)
	}
	// Keep the encoding, not the decoded counts: see Histogram.
	h.h, h.enc = nil, []byte(s)
	return nil
}
