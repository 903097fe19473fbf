package api_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestServeReportsAndWritesCalls(t *testing.T) {
	tl, _ := world(t)
	h, err := api.NewHandler(tl)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stops at once: the address lines, then the report
	var out bytes.Buffer
	log := filepath.Join(t.TempDir(), "calls.jsonl")
	if err := api.Serve(ctx, &out, "127.0.0.1:0", "k", "a world", log, h); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Coperniq API mock on http://127.0.0.1:") || !strings.Contains(out.String(), "a world\n") {
		t.Errorf("output %q: want the address line and the world's description", out.String())
	}
}

func TestSessionAddrError(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tl, events := world(t)
	h, err := api.NewHandler(tl)
	if err != nil {
		t.Fatal(err)
	}
	for name, start := range map[string]func() error{
		"Serve": func() error {
			return api.Serve(context.Background(), &bytes.Buffer{}, taken.Addr().String(), "k", "", "", h)
		},
		"StartCompanion": func() error {
			_, err := api.StartCompanion(taken.Addr().String(), tl, events, &http.Client{})
			return err
		},
	} {
		var fe *schemas.FieldError
		if err := start(); !errors.As(err, &fe) || fe.Field != "Addr" || fe.Value != taken.Addr().String() {
			t.Errorf("%s on a taken address: %v, want a FieldError on Addr naming it", name, err)
		}
	}
}

func TestCompanionFinishCountsBrokenRules(t *testing.T) {
	tl, events := world(t)
	client := &http.Client{}
	c, err := api.StartCompanion("127.0.0.1:0", tl, events, client)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(c.URL() + "/projects") // no key: a broken rule
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var out bytes.Buffer
	broken, err := c.Finish(context.Background(), &out, 0, api.Rules{}, "")
	if err != nil || broken == 0 {
		t.Errorf("Finish: %d broken, %v; want the keyless call counted\n%s", broken, err, out.String())
	}
}
