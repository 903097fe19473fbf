package contract_test

import (
	"errors"
	"net"
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
