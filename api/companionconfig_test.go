package api_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Without an address the companion serves nothing, and a field that only
// shapes the mock is refused naming it and the address.
func TestCompanionConfigWithoutAddr(t *testing.T) {
	var c api.CompanionConfig
	comp, opts, err := c.Start(func(string) bool { return false }, delivery.DefaultSettings(), 1, nil, nil)
	if comp != nil || opts != nil || err != nil {
		t.Fatalf("nothing given: %v, %v, %v; want nothing served", comp, opts, err)
	}
	_, _, err = c.Start(func(f string) bool { return f == "Linger" }, delivery.DefaultSettings(), 1, nil, nil)
	var ce *schemas.FieldError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "{Linger}") || !strings.Contains(ce.Msg, "{Addr}") {
		t.Fatalf("Linger given: %v, want a *schemas.FieldError naming {Linger} and {Addr}", err)
	}
	if err := c.End(context.Background(), nil, nil); err != nil {
		t.Errorf("End without a mock: %v", err)
	}
}
