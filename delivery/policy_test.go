package delivery_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

func TestParseSchedule(t *testing.T) {
	s, err := delivery.ParseSchedule("1s, 5s,30s,5m")
	if err != nil {
		t.Fatal(err)
	}
	want := delivery.Schedule{time.Second, 5 * time.Second, 30 * time.Second, 5 * time.Minute}
	if !slices.Equal(s, want) || s.Attempts() != 5 {
		t.Fatalf("got %v (%d attempts)", s, s.Attempts())
	}
	for n, w := range []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 5 * time.Minute, 5 * time.Minute} {
		if got := s.Delay(n+1, nil); got != w {
			t.Errorf("Delay(%d) = %s, want %s", n+1, got, w)
		}
	}
	for in, want := range map[string]string{
		"":           "empty",
		"1s,,5m":     `element 2 "" isn't a duration`,
		"1s,5x":      `element 2 "5x" isn't a duration`,
		"1s,5s,-30s": `element 3 "-30s" is negative`,
	} {
		if _, err := delivery.ParseSchedule(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSchedule(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestParseBackoff(t *testing.T) {
	for _, b := range []delivery.Backoff{
		delivery.Exponential{Base: time.Second, Cap: time.Minute},
		delivery.Fixed{Wait: 250 * time.Millisecond},
		delivery.Schedule{time.Second, 5 * time.Minute},
	} {
		got, err := delivery.ParseBackoff(b.String())
		if err != nil || got.String() != b.String() {
			t.Errorf("ParseBackoff(%q) = %v, %v", b.String(), got, err)
		}
	}
	if b, err := delivery.ParseBackoff("exp:5ms"); err != nil || b != (delivery.Exponential{Base: 5 * time.Millisecond, Cap: delivery.DefaultBackoffCap}) {
		t.Errorf("exp:5ms = %v, %v", b, err)
	}
	for in, want := range map[string]string{
		"exp:1x":     `base "1x" isn't a duration`,
		"exp:1s:1ms": "cap 1ms is below base 1s",
		"exp:0s":     "base must be more than 0",
		"fixed:-1s":  `wait "-1s" is negative`,
		"linear:1s":  `kind "linear" isn't one of [exp fixed]`,
	} {
		if _, err := delivery.ParseBackoff(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBackoff(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestPresets(t *testing.T) {
	if got := delivery.Presets(); !slices.Equal(got, []string{"default", "ci", "none"}) {
		t.Fatalf("Presets() = %v", got)
	}
	for _, name := range delivery.Presets() {
		p, err := delivery.ParsePreset(name)
		if err != nil || p.Validate() != nil {
			t.Errorf("%s: %v %v", name, err, p.Validate())
		}
	}
	d, _ := delivery.ParsePreset("default")
	if d.Attempts != 5 || d.Timeout != 10*time.Second || d.Backoff.(delivery.Exponential).Base != time.Second {
		t.Errorf("default = %s", d)
	}
	if n, _ := delivery.ParsePreset("none"); n.Attempts != 1 {
		t.Errorf("none = %s", n)
	}
	_, err := delivery.ParsePreset("fast")
	if err == nil || err.Error() != `retry preset "fast" isn't one of [default ci none]` {
		t.Errorf("ParsePreset(fast) = %v", err)
	}
	if _, err := delivery.ParsePreset("defualt"); err == nil || !strings.Contains(err.Error(), `did you mean "default"?`) {
		t.Errorf("ParsePreset(defualt) = %v", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, p := range []delivery.Policy{
		{Attempts: 0},
		{Attempts: 3},
		{Attempts: 1, Timeout: -time.Second},
	} {
		if p.Validate() == nil {
			t.Errorf("%+v validated", p)
		}
		if _, err := delivery.New(mustTarget(t, "http://h/"), delivery.WithPolicy(p)); err == nil {
			t.Errorf("New accepted %+v", p)
		}
	}
}

// Full jitter stays within [0, min(cap, base·2^(n-1))] for retry n, uses the
// whole range, and is reproducible by seed.
func TestExponentialFullJitter(t *testing.T) {
	e := delivery.Exponential{Base: 10 * time.Millisecond, Cap: 300 * time.Millisecond}
	rnd := rand.New(rand.NewPCG(7, 7))
	for n := 1; n <= 10; n++ {
		ceil := min(e.Cap, e.Base<<(n-1))
		if e.Ceiling(n) != ceil {
			t.Fatalf("Ceiling(%d) = %s, want %s", n, e.Ceiling(n), ceil)
		}
		var low, high bool
		for range 2000 {
			d := e.Delay(n, rnd)
			if d < 0 || d > ceil {
				t.Fatalf("retry %d: %s outside [0, %s]", n, d, ceil)
			}
			low = low || d < ceil/4
			high = high || d > ceil*3/4
		}
		if !low || !high {
			t.Errorf("retry %d: draws do not spread over [0, %s]", n, ceil)
		}
	}
	draw := func(seed uint64) []time.Duration {
		r := rand.New(rand.NewPCG(seed, 1))
		var out []time.Duration
		for n := 1; n <= 20; n++ {
			out = append(out, e.Delay(n, r))
		}
		return out
	}
	if !slices.Equal(draw(1), draw(1)) {
		t.Error("same seed, different delays")
	}
	if slices.Equal(draw(1), draw(2)) {
		t.Error("different seeds, same delays")
	}
	if big := (delivery.Exponential{Base: time.Second}).Ceiling(200); big <= 0 {
		t.Errorf("uncapped ceiling overflowed: %s", big)
	}
}

func TestVirtualClock(t *testing.T) {
	c, err := delivery.VirtualClock(1000)
	if err != nil || c.Real(5*time.Minute) != 300*time.Millisecond || c.Scale() != 1000 {
		t.Fatalf("%v %v %s", c, err, c.Real(5*time.Minute))
	}
	if delivery.RealClock().Real(time.Second) != time.Second {
		t.Fatal("real clock scales")
	}
	for _, bad := range []float64{0, -1} {
		if _, err := delivery.VirtualClock(bad); err == nil {
			t.Errorf("VirtualClock(%v) accepted", bad)
		}
	}
}
