package delivery_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// FuzzParseHeaders: a --header that parses is one net/http sends (a name
// and value it would refuse at send time, blaming the receiver, must be
// refused here, naming the header).
func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{"X-Token: abc", "Authorization: Bearer x:y", ":", "Bad Name: x", "X: a\nb", "X: a\r\nHost: evil", "X-É: v", "X:\tv", "X: é", " X : v "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, kv string) {
		h, err := delivery.ParseHeaders([]string{kv})
		if err != nil {
			if !strings.Contains(err.Error(), "header") {
				t.Fatalf("%q: error %q does not say it is about a header", kv, err)
			}
			return
		}
		if len(h) != 1 {
			t.Fatalf("%q gave %d headers", kv, len(h))
		}
		req := httptest.NewRequest(http.MethodPost, "http://x/", nil)
		for k, vs := range h {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		// Write fails exactly where the client would.
		if err := req.Header.Write(new(bytes.Buffer)); err != nil {
			t.Fatalf("%q parsed, but does not write: %v", kv, err)
		}
		if err := headerOK(h); err != "" {
			t.Fatalf("%q parsed, but net/http would refuse it: %s", kv, err)
		}
	})
}

// headerOK is what net/http's client checks of a header before sending it
// (httpguts.ValidHeaderFieldName and ValidHeaderFieldValue).
func headerOK(h http.Header) string {
	for k, vs := range h {
		if k == "" || strings.IndexFunc(k, func(r rune) bool {
			return r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
		}) >= 0 {
			return "name " + k
		}
		for _, v := range vs {
			for i := 0; i < len(v); i++ {
				if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
					return "value of " + k
				}
			}
		}
	}
	return ""
}

// TestParseHeadersRefusesWhatHTTPRefuses: before, these parsed and every
// attempt failed with "the receiver answered no readable HTTP (net/http:
// invalid header field name)", blamed on the receiver and retried.
func TestParseHeadersRefusesWhatHTTPRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"space in name", "Bad Name: x", `header "Bad Name: x": name "Bad Name" has a character`},
		{"non-ASCII name", "X-É: v", `header "X-É: v": name "X-É" has a character`},
		{"newline in value", "X: a\nb", `header "X: a\nb": value has a control character`},
		{"header injection", "X: a\r\nHost: evil", `header "X: a\r\nHost: evil": value has a control character`},
		{"no name", ": v", `header ": v": want Name: value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := delivery.ParseHeaders([]string{tc.in})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseHeaders(%q): %v, want %q", tc.in, err, tc.want)
			}
		})
	}
	for _, ok := range []string{"X-Token: abc", "X:\tv\t", "X: é", "Authorization: Bearer a:b"} {
		if _, err := delivery.ParseHeaders([]string{ok}); err != nil {
			t.Errorf("ParseHeaders(%q): %v", ok, err)
		}
	}
}

// FuzzParseBackoff: a backoff (or schedule) that parses has no negative
// wait and reads back the same from its String.
func FuzzParseBackoff(f *testing.F) {
	for _, s := range []string{"exp:1s", "exp:1s:30s", "exponential:5ms:1s", "fixed:2s", "1s,5s,30s,5m", "exp:0s", "exp:2s:1s", "fixed:-1s", "exp:2562047h47m16.854775807s", ",", "x:1s", "1s,,2s", "exp:1s:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := delivery.ParseBackoff(s)
		if err != nil {
			if !strings.Contains(err.Error(), "backoff") && !strings.Contains(err.Error(), "schedule") {
				t.Fatalf("%q: error %q names neither backoff nor schedule", s, err)
			}
			return
		}
		rnd := rand.New(rand.NewPCG(1, 2))
		for n := 1; n <= 4; n++ {
			if d := b.Delay(n, rnd); d < 0 {
				t.Fatalf("%q: wait %d is %s", s, n, d)
			}
		}
		again, err := delivery.ParseBackoff(b.String())
		if err != nil || !reflect.DeepEqual(again, b) {
			t.Fatalf("%q parsed as %s, which reads back as %v, %v", s, b, again, err)
		}
	})
}

// FuzzParseNames: the fixed-set names (replay --only, --retry preset,
// --dup-mode) parse to members of their set or to an error that echoes
// the input and lists the valid names.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"acked", "dead,pending", "all", "acked,all", "", ",", "ci", "default", "after", "concurrent", "deda"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		states, err := delivery.ParseOnly(s)
		if err != nil {
			if !strings.Contains(err.Error(), "acked dead pending all") {
				t.Fatalf("ParseOnly(%q): %q does not list the valid names", s, err)
			}
		}
		for _, st := range states {
			if st != delivery.StateAcked && st != delivery.StateDead && st != delivery.StatePending {
				t.Fatalf("ParseOnly(%q) gave %q", s, st)
			}
		}
		if p, err := delivery.ParsePreset(s); err == nil {
			if err := p.Validate(); err != nil {
				t.Fatalf("preset %q: %v", s, err)
			}
		} else if !strings.Contains(err.Error(), "default ci none") {
			t.Fatalf("ParsePreset(%q): %q does not list the presets", s, err)
		}
		if _, err := delivery.ParseDupMode(s); err != nil && !strings.Contains(err.Error(), "after concurrent") {
			t.Fatalf("ParseDupMode(%q): %q does not list the modes", s, err)
		}
	})
}

// FuzzReadPayload: a payload file of any content is read whole or refused
// (empty, over the cap, not one payload unless as it is), never changed,
// and says what it is.
func FuzzReadPayload(f *testing.F) {
	for _, s := range []string{`{"event":{"eventId":1,"recordId":2,"triggerKey":"PROJECT_CREATED"}}`, "", " \n", "not json", `{"event":{"triggerKey":7}}`, "\xff", "{}\n{}", "[{}]", "\xef\xbb\xbf{}", "\xff\xfe{\x00}\x00", `{"a":"\xff"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, asIs := range []bool{false, true} {
			body, what, warning, err := delivery.ReadPayload(bytes.NewReader(data), "in.json", asIs)
			var several *delivery.NotOnePayloadError
			if err != nil {
				if !strings.Contains(err.Error(), "in.json") || asIs && errors.As(err, &several) {
					t.Fatalf("error %q (as it is: %v) does not name the file", err, asIs)
				}
				continue
			}
			if !bytes.Equal(body, data) || what == "" || !strings.HasSuffix(what, "in.json") {
				t.Fatalf("read %q as %q, %q (warning %q)", data, body, what, warning)
			}
		}
	})
}

// TestReadPayloadCap: a file past MaxPayloadFile is refused after reading
// one byte past the cap, not read whole.
func TestReadPayloadCap(t *testing.T) {
	r := &countingZeros{left: 1 << 30}
	_, _, _, err := delivery.ReadPayload(r, "/dev/zero", false)
	if err == nil || !strings.Contains(err.Error(), "/dev/zero is over 16 MiB") {
		t.Fatalf("ReadPayload(/dev/zero): %v", err)
	}
	if read := 1<<30 - r.left; read > delivery.MaxPayloadFile+64<<10 {
		t.Fatalf("read %d bytes of an endless file", read)
	}
}

type countingZeros struct{ left int }

func (z *countingZeros) Read(p []byte) (int, error) {
	n := min(len(p), z.left)
	clear(p[:n])
	z.left -= n
	return n, nil
}

// TestParseBackoffLongest: the longest durations there are parse, read
// back, and draw waits. Before, exp:BASE with a base above the default cap
// (1m) parsed as a cap below the base, so every wait was 1m and the
// String did not read back; and a ceiling of the longest duration drew
// with Int64N(MaxInt64+1), which panics.
func TestParseBackoffLongest(t *testing.T) {
	const longest = "2562047h47m16.854775807s"
	for _, tc := range []struct {
		name, in, err string
	}{
		{"base above the default cap", "exp:1h", `backoff "exp:1h": base 1h0m0s is above the default cap 1m0s; give a cap, like exp:1h:1h`},
		{"longest base and cap", "exp:" + longest + ":" + longest, ""},
		{"longest fixed", "fixed:" + longest, ""},
		{"longest schedule", longest + "," + longest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := delivery.ParseBackoff(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("ParseBackoff(%q): %v, want %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rnd := rand.New(rand.NewPCG(1, 2))
			for n := 1; n <= 3; n++ {
				if d := b.Delay(n, rnd); d < 0 {
					t.Errorf("wait %d: %s", n, d)
				}
			}
		})
	}
}

// TestLongestJitter: a jitter of the longest duration there is (a scenario
// file's jitter: or --jitter) draws a delay instead of panicking in
// Int64N(MaxInt64+1). A clock this fast makes the delay nothing.
func TestLongestJitter(t *testing.T) {
	rc := newReceiver(t, always(status(http.StatusOK)))
	clk, err := delivery.VirtualClock(1e300)
	if err != nil {
		t.Fatal(err)
	}
	e := mustNew(t, rc.url(), delivery.WithPolicy(fast(1)), delivery.WithJitter(time.Duration(math.MaxInt64)), delivery.WithClock(clk))
	if s := mustRun(t, e, makeEvents(t, 2, 1)); s.Acked != 2 {
		t.Fatalf("%s", s)
	}
}
