package delivery_test

import (
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// A run none of whose requests was answered is a TLS server's refusal only
// when the failures are the handshake's and hang-ups; a timeout is the
// receiver's own.
func TestRefusedByTLS(t *testing.T) {
	for _, tc := range []struct {
		name string
		errs map[delivery.ErrKind]int
		want bool
	}{
		{"refused in the handshake", map[delivery.ErrKind]int{delivery.KindTLS: 4}, true},
		{"refused and hung up on", map[delivery.ErrKind]int{delivery.KindTLS: 1, delivery.KindReset: 2, delivery.KindEOF: 1}, true},
		{"one refused, three timed out", map[delivery.ErrKind]int{delivery.KindTLS: 1, delivery.KindTimeout: 3}, false},
		{"hung up on only", map[delivery.ErrKind]int{delivery.KindReset: 2}, false},
		{"none", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := delivery.RefusedByTLS(tc.errs); got != tc.want {
				t.Errorf("RefusedByTLS(%v) = %v, want %v", tc.errs, got, tc.want)
			}
		})
	}
}
