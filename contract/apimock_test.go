package contract_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestAPIMockValidate(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct {
		name  string
		m     contract.APIMock
		field string
	}{
		{"port 0", contract.APIMock{Addr: "127.0.0.1:0", Key: "k", MaxCallsPerEvent: 1}, "API.Addr"}, // the receiver cannot be told it
		{"no calls allowed", contract.APIMock{Addr: "127.0.0.1:8081", Key: "k", MaxCallsPerEvent: 0}, "API.MaxCallsPerEvent"},
		{"empty key", contract.APIMock{Addr: "127.0.0.1:8081", MaxCallsPerEvent: 5}, "API.Key"},
		{"no port", contract.APIMock{Addr: "127.0.0.1", Key: "k", MaxCallsPerEvent: 5}, "API.Addr"},
		{"address in use", contract.APIMock{Addr: taken.Addr().String(), Key: "k", MaxCallsPerEvent: 5}, "API.Addr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var te *schemas.FieldError
			if err := tc.m.Validate(); !errors.As(err, &te) || te.Field != tc.field {
				t.Errorf("Validate: %v, want a schemas.FieldError on %s", err, tc.field)
			}
		})
	}
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	if err := (&contract.APIMock{Addr: addr, Key: "k", MaxCallsPerEvent: 5}).Validate(); err != nil {
		t.Errorf("Validate on a free address: %v", err)
	}
}

// A Target's API mock is held to Validate's address rules before anything
// is sent: port 0 would be chosen only once the suite runs, and the
// receiver, already started, could not be pointed at it (the API specs
// would all skip as if it made no call).
func TestTargetAPIAddrIsChecked(t *testing.T) {
	for _, tc := range []struct {
		name, addr string
		want       []string
	}{
		{"port 0", "127.0.0.1:0", []string{`"127.0.0.1:0"`, "port 0", "want host:port with a fixed port"}},
		{"no port", "127.0.0.1", []string{`"127.0.0.1"`, "host:port"}},
		{"empty", "", []string{`""`, "host:port"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Port 1 refuses connections: an Addr that passed would fail
			// later, as an unreachable receiver, not a FieldError.
			target := contract.Target{URL: "http://127.0.0.1:1/hook", API: &contract.APIMock{Addr: tc.addr}}
			_, err := contract.Verify(context.Background(), target, contract.RunConfig{})
			var fe *schemas.FieldError
			if !errors.As(err, &fe) || fe.Field != "API.Addr" {
				t.Fatalf("Verify: %v, want a schemas.FieldError on API.Addr", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
