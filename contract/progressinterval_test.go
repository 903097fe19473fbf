package contract_test

import (
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

func TestProgressInterval(t *testing.T) {
	for _, tc := range []struct {
		name           string
		every          time.Duration
		given, watched bool
		want           time.Duration
	}{
		{"given wins, watched or not", 2 * time.Second, true, false, 2 * time.Second},
		{"given 0s: never", 0, true, true, 0},
		{"watched", 0, false, true, contract.DefaultProgressEvery},
		{"a CI log", 0, false, false, contract.DefaultProgressLog},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := contract.ProgressInterval(tc.every, tc.given, tc.watched); got != tc.want {
				t.Errorf("ProgressInterval(%v, %v, %v) = %v, want %v", tc.every, tc.given, tc.watched, got, tc.want)
			}
		})
	}
}
