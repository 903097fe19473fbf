package delivery

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAcknowledged(t *testing.T) {
	tg, err := NewTarget("http://127.0.0.1:9/hook?token=s3cret", nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		res         Result
		want        string // "" for nil
		unreachable bool
	}{
		"200":       {res: Result{Status: 200}},
		"503":       {res: Result{Status: 503}, want: "not acknowledged: 503 Service Unavailable (Coperniq would retry it)"},
		"302":       {res: Result{Status: 302}, want: "a redirect is not an acknowledgement"},
		"cut short": {res: Result{Status: 200, ErrKind: KindCutShort, Err: errors.New("the answer was cut short")}, want: "not acknowledged: 200 OK from http://127.0.0.1:9/hook?token=***, but the answer was cut short"},
		"timeout":   {res: Result{ErrKind: KindTimeout, Latency: 10 * time.Second}, want: "no answer from http://127.0.0.1:9/hook?token=*** (timeout after 10s)"},
		"refused":   {res: Result{ErrKind: KindRefused, Err: errors.New("connection refused")}, want: "could not reach the receiver at http://127.0.0.1:9/hook?token=*** after 0s: connection refused", unreachable: true},
		"garbage":   {res: Result{ErrKind: KindOther, Err: errors.New("malformed HTTP response")}, want: "answered no readable HTTP (malformed HTTP response)"},
	} {
		err := tg.Acknowledged(tc.res)
		switch {
		case tc.want == "":
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case err == nil || !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		case errors.Is(err, ErrUnreachable) != tc.unreachable:
			t.Errorf("%s: unreachable %v, want %v", name, errors.Is(err, ErrUnreachable), tc.unreachable)
		case strings.Contains(err.Error(), "s3cret"):
			t.Errorf("%s: the token shows: %v", name, err)
		}
	}
}
