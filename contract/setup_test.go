package contract_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Build refuses what does not go together, naming the fields, and builds
// the hooks it is given.
func TestSetupBuild(t *testing.T) {
	given := func(fields ...string) func(string) bool {
		return func(f string) bool { return strings.Contains(","+strings.Join(fields, ",")+",", ","+f+",") }
	}
	base := contract.Setup{Target: contract.Target{URL: "http://127.0.0.1:1/hook"}}
	for _, c := range []struct {
		name  string
		edit  func(*contract.Setup)
		given []string
		want  string // in the error, fields as {Field} or a schemas.FieldError's field; "" for none
	}{
		{"inspect url and command", func(s *contract.Setup) { s.InspectURL, s.InspectCmd = "http://x/{eventId}", "echo 1" }, nil, "{InspectURL} and {InspectCmd} are exclusive"},
		{"state url and command", func(s *contract.Setup) { s.StateURL, s.StateCmd = "http://x/{recordId}", "echo {}" }, nil, "{StateURL} and {StateCmd} are exclusive"},
		{"api key without the mock", func(*contract.Setup) {}, []string{"API.Key"}, "{API.Key} goes with {API.Addr}"},
		{"api mock in a chaos run", func(s *contract.Setup) { s.API.Addr, s.Chaos = "127.0.0.1:0", true }, nil, "{API.Addr} runs the API specs"},
		{"vocabulary in a chaos run", func(s *contract.Setup) { s.Vocabulary, s.Chaos = schemas.DefaultVocabulary(), true }, nil, "{Vocabulary} does not apply to {Runs}"},
		{"timeout given as 0", func(*contract.Setup) {}, []string{"Deadline"}, "Deadline"},
		{"a bad inspect template", func(s *contract.Setup) { s.InspectURL = "http://x/{nope}" }, nil, "InspectURL"},
		{"hooks built", func(s *contract.Setup) { s.InspectURL, s.StateCmd = "http://x/{eventId}", "echo {}" }, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := base
			c.edit(&s)
			tg, err := s.Build(given(c.given...))
			var fe *schemas.FieldError
			switch {
			case c.want == "":
				if err != nil || tg.Inspect == nil || tg.State == nil {
					t.Fatalf("err %v, inspect %v, state %v: want both hooks", err, tg.Inspect, tg.State)
				}
			case errors.As(err, &fe) && fe.Msg != "":
				if !strings.Contains(fe.Msg, c.want) {
					t.Errorf("error %q lacks %q", fe.Msg, c.want)
				}
			case errors.As(err, &fe):
				if fe.Field != c.want {
					t.Errorf("error names %s, want %s", fe.Field, c.want)
				}
			default:
				t.Fatalf("err = %v, want one naming %s", err, c.want)
			}
		})
	}
}

// The replay command keeps the hooks but never a secret or a command.
func TestSetupReplayCommand(t *testing.T) {
	s := contract.Setup{Target: contract.Target{URL: "http://h/hook?token=s3cret", TokenParam: "key=k3y",
		InspectTimeout: contract.DefaultInspectTimeout, Deadline: contract.DefaultDeadline,
		ReproduceFlags: []string{"--cacert", "my ca.pem", "--insecure"}},
		InspectURL: "http://h/_state/{eventId}?token=s3cret", StateCmd: "psql secret-dsn"}
	got := s.ReplayCommand("run 1.yaml", 7)
	for _, leak := range []string{"s3cret", "k3y", "psql"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q shows %s", got, leak)
		}
	}
	for _, want := range []string{"--inspect ", "--state-cmd CMD", "--token-param key=", "--chaos-replay 'run 1.yaml' --id-offset 7", "coperniq-mock verify --target 'http://h/hook?token=***' --cacert 'my ca.pem' --insecure "} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
