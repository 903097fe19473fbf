package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/delivery/tlstest"
	"github.com/coperniq-mock/coperniq-mock/receiver"
)

func has(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func hasNot(t *testing.T, what, s string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(s, b) {
			t.Errorf("%s has %q:\n%s", what, b, s)
		}
	}
}

// Every command that sends spells the receiver's URL --target and the
// per-request limit --timeout; the old spellings still work, unlisted.
func TestOneFlagVocabulary(t *testing.T) {
	for _, c := range [][]string{{"send"}, {"scenario", "run"}, {"replay"}, {"verify"}, {"load"}} {
		help := cli(t, "", append(c, "--help")...).want(t, 0).stdout
		has(t, strings.Join(c, " ")+" --help", help, "--target string", "--cacert string", "--insecure", "--cert string", "--key string")
		hasNot(t, strings.Join(c, " ")+" --help", help, "--to string", "--deadline")
	}
	for _, c := range [][]string{{"send"}, {"scenario", "run"}, {"replay"}, {"verify"}, {"load"}} {
		has(t, strings.Join(c, " ")+" --help", cli(t, "", append(c, "--help")...).stdout, "--timeout duration")
	}
	for _, c := range [][]string{{"scenario", "list"}, {"scenario", "run"}, {"replay"}, {"listen"}} {
		has(t, strings.Join(c, " ")+" --help", cli(t, "", append(c, "--help")...).stdout, "-o, --output string")
	}

	up := startReceiver(t)
	cli(t, "", "send", "PROJECT_CREATED", "--to", up.URL+"/hook").want(t, 0)
	cli(t, "", "scenario", "run", "call-logged", "--to", up.URL+"/hook", "--retry", "ci").want(t, 0)
	// scenario run's --timeout bounds each attempt, as send's does.
	slow := startReceiver(t, receiver.WithLatency(time.Second))
	r := cli(t, "", "scenario", "run", "call-logged", "--target", slow.URL+"/hook", "--retry", "none", "--timeout", "50ms").want(t, 1)
	has(t, "scenario run --timeout 50ms", r.stdout, "1 attempts, backoff none, 50ms timeout", "acked 0 + dead 4")
	// --deadline is read as --timeout: its error names the new flag.
	r = cli(t, "", "verify", "--to", up.URL+"/hook", "--deadline", "-1s").want(t, 2)
	has(t, "verify --deadline -1s", r.stderr, "--timeout -1s")
}

func TestUnknownFlagDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"send", "PROJECT_CREATED", "--tagret", "http://x"}, "unknown flag: --tagret; did you mean --target?"},
		{[]string{"verify", "--tiemout", "1s"}, "did you mean --timeout?"},
		{[]string{"load", "--rat", "5/s"}, "did you mean --rate?"},
		{[]string{"scenario", "run", "x", "--inscure"}, "did you mean --insecure?"},
		{[]string{"generate", "all", "--zzzzzzzz"}, "unknown flag: --zzzzzzzz ('coperniq-mock generate --help' lists the flags)"},
	} {
		r := cli(t, "", tc.args...).want(t, 2)
		has(t, strings.Join(tc.args, " "), r.stderr, tc.want)
	}
}

func TestSecretFlagsFromEnvironment(t *testing.T) {
	has(t, "verify --help", cli(t, "", "verify", "--help").stdout, "COPERNIQ_MOCK_TOKEN_PARAM")
	has(t, "listen --help", cli(t, "", "listen", "--help").stdout, "COPERNIQ_MOCK_INSPECT_TOKEN")
	has(t, "api --help", cli(t, "", "api", "--help").stdout, "COPERNIQ_MOCK_API_KEY")
	// The API key set for every step of a CI job does not trip scenario
	// run's check that --api-key needs --api.
	up := startReceiver(t)
	cliEnv(t, []string{"COPERNIQ_MOCK_API_KEY=ci-key"}, "scenario", "run", "call-logged", "--target", up.URL+"/hook").want(t, 0)
	cli(t, "", "scenario", "run", "call-logged", "--target", up.URL+"/hook", "--api-key", "ci-key").want(t, 2)
	// The value is read and checked like the flag's: a malformed one is
	// refused, naming the flag and not echoing the secret.
	r := cliEnv(t, []string{"COPERNIQ_MOCK_TOKEN_PARAM=nonsense-hunter2"}, "verify", "--target", up.URL+"/hook").want(t, 2)
	has(t, "verify with a bad COPERNIQ_MOCK_TOKEN_PARAM", r.stderr, "--token-param")
	hasNot(t, "verify with a bad COPERNIQ_MOCK_TOKEN_PARAM", r.stderr, "hunter2")
	r = cliEnv(t, []string{"COPERNIQ_MOCK_INSPECT_TOKEN=short"}, "listen", "--addr", "127.0.0.1:0").want(t, 2)
	has(t, "listen with a short COPERNIQ_MOCK_INSPECT_TOKEN", r.stderr, "inspect-token")
	// A token given in the environment enables the token specs.
	tokened := httptest.NewServer(testreceivers.New(testreceivers.Config{Token: verifyToken}))
	defer tokened.Close()
	r = cliEnv(t, []string{"COPERNIQ_MOCK_TOKEN_PARAM=" + verifyToken}, "verify", "--target", tokened.URL+"/hook", "--focus", contract.GroupToken).want(t, 0)
	has(t, "verify with COPERNIQ_MOCK_TOKEN_PARAM", r.stdout, "PASS: 3 specs passed")
	hasNot(t, "verify with COPERNIQ_MOCK_TOKEN_PARAM", r.stdout+r.stderr, "s3cret")
	// Without it, a token written in the URL gets a hint.
	r = cli(t, "", "verify", "--target", tokened.URL+"/hook?"+verifyToken, "--focus", contract.SpecUnknownTrigger).want(t, 0)
	has(t, "verify --target URL?token=", r.stderr, "token specs", "are skipped", "--token-param token=VALUE")
	hasNot(t, "verify --target URL?token=", r.stdout+r.stderr, "s3cret")
}

func TestMixCompletes(t *testing.T) {
	r := cli(t, "", "__complete", "load", "--mix", "PROJECT_CREATED=3,TASK").want(t, 0)
	has(t, "--mix completion", r.stdout, "PROJECT_CREATED=3,TASK_CREATED=\t", "PROJECT_CREATED=3,CALL_UPSERTED=\t")
	hasNot(t, "--mix completion", r.stdout, "PROJECT_CREATED=3,PROJECT_CREATED=")
	has(t, "--mix completion", r.stdout, ":6") // no space, no file completion
}

func TestOutputJSON(t *testing.T) {
	var list []struct {
		Name     string   `json:"name"`
		Events   int      `json:"events"`
		Triggers []string `json:"triggers"`
	}
	if err := json.Unmarshal([]byte(cli(t, "", "scenario", "list", "-o", "json").want(t, 0).stdout), &list); err != nil || len(list) < 3 {
		t.Fatalf("scenario list -o json: %v, %d scenarios", err, len(list))
	}
	if list[0].Name != "residential-solar" || list[0].Events == 0 || len(list[0].Triggers) == 0 {
		t.Errorf("scenario list -o json: first %+v", list[0])
	}
	cli(t, "", "scenario", "list", "-o", "yaml").want(t, 2)

	up := startReceiver(t, receiver.WithFailFirst(1))
	log := filepath.Join(t.TempDir(), "run.jsonl")
	r := cli(t, "", "scenario", "run", "call-logged", "--target", up.URL+"/hook", "--retry", "ci", "-o", "json", "--log", log).want(t, 0)
	var sum struct {
		Version       int
		Events, Acked int
		Retried       int
		Attempts      int
		LatencyMs     struct{ P50, P99, Max float64 }
		Statuses      map[string]int
		NotAcked      []any
		Insecure      bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("scenario run -o json stdout is not one JSON document: %v\n%s", err, r.stdout)
	}
	if sum.Version != 1 || sum.Events == 0 || sum.Acked != sum.Events || sum.Retried != sum.Events ||
		sum.Attempts != 2*sum.Events || sum.Statuses["503"] != sum.Events || len(sum.NotAcked) != 0 || sum.Insecure || sum.LatencyMs.Max <= 0 {
		t.Errorf("scenario run -o json: %+v", sum)
	}
	has(t, "scenario run -o json stderr", r.stderr, "scenario call-logged:", "delivery log: "+log)

	// Replay with -o json: every event dead this time, each listed.
	down := startReceiver(t, receiver.WithStatus(500))
	r = cli(t, "", "replay", log, "--only", "all", "--target", down.URL+"/hook", "--retry", "none", "-o", "json").want(t, 1)
	var rs struct {
		Dead     int
		NotAcked []struct {
			EventID    int64
			State      string
			LastStatus int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || rs.Dead == 0 || len(rs.NotAcked) != rs.Dead ||
		rs.NotAcked[0].State != "dead" || rs.NotAcked[0].LastStatus != 500 {
		t.Errorf("replay -o json: %v %+v\n%s", err, rs, r.stdout)
	}
}

// Every command that sends, against an https:// receiver whose certificate
// a CA the test made signed: refused without --cacert with what to do,
// delivered with it, delivered with --insecure and marked so, and mutual
// TLS with --cert/--key.
func TestTLSOnEveryCommandThatSends(t *testing.T) {
	pki := tlstest.New(t)
	start := func(mutual bool) string {
		srv := httptest.NewUnstartedServer(testreceivers.New(testreceivers.Config{}))
		srv.TLS = pki.ServerConfig(mutual)
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL + "/hook"
	}
	plain, mutual := start(false), start(true)
	runLog := filepath.Join(t.TempDir(), "run.jsonl")
	cli(t, "", "scenario", "run", "call-logged", "--target", plain, "--cacert", pki.CAFile, "--retry", "ci", "--log", runLog).want(t, 0)

	commands := map[string][]string{
		"send":         {"send", "PROJECT_CREATED"},
		"scenario run": {"scenario", "run", "call-logged", "--retry", "ci"},
		// The API mock wraps the client the deliveries go through: it
		// must be the one that carries the TLS settings.
		"scenario run --api": {"scenario", "run", "call-logged", "--retry", "ci", "--api", "127.0.0.1:0"},
		"replay":             {"replay", runLog, "--only", "all", "--retry", "ci"},
		"verify":             {"verify", "--focus", contract.SpecUnknownTrigger},
		"load":               {"load", "--rate", "20/s", "--duration", "300ms", "--seed", "1", "--progress", "none"},
	}
	for name, args := range commands {
		t.Run(name, func(t *testing.T) {
			run := func(target string, extra ...string) result {
				return cli(t, "", append(append(append([]string(nil), args...), "--target", target), extra...)...)
			}
			r := run(plain).want(t, 2)
			has(t, "without --cacert", r.stderr, "certificate signed by unknown authority", "--cacert FILE")
			r = run(plain, "--cacert", pki.OtherCAFile).want(t, 2)
			has(t, "with another CA", r.stderr, "--cacert FILE")

			r = run(plain, "--cacert", pki.CAFile).want(t, 0)
			hasNot(t, "with --cacert", r.stdout+r.stderr, "WARNING", "insecure")

			r = run(plain, "--insecure").want(t, 0)
			if n := strings.Count(r.stdout+r.stderr, insecureWarning); n < 2 {
				t.Errorf("--insecure: the warning appears %d times, want at the start and in the summary:\n%s\n%s", n, r.stdout, r.stderr)
			}
			checkInsecureReports(t, name, plain, pki.CAFile, func(extra ...string) { run(plain, extra...).want(t, 0) })

			r = run(mutual, "--cacert", pki.CAFile).want(t, 2)
			has(t, "mTLS without --cert", r.stderr, "certificate required", "--cert FILE --key FILE")
			run(mutual, "--cacert", pki.CAFile, "--cert", pki.ClientCertFile, "--key", pki.ClientKeyFile).want(t, 0)
			// Refused after the client's handshake (TLS 1.3): a setup
			// problem with the fix, not a run of dead events.
			r = run(mutual, "--cacert", pki.CAFile, "--cert", pki.ExpiredClientCertFile, "--key", pki.ExpiredClientKeyFile).want(t, 2)
			has(t, "an expired --cert", r.stderr, "expired certificate", "the client certificate given with --cert expired on ", "renew it")
			r = run(mutual, "--cacert", pki.CAFile, "--cert", pki.OtherClientCertFile, "--key", pki.OtherClientKeyFile).want(t, 2)
			has(t, "a --cert from another CA", r.stderr, "the client certificate given with --cert was not sent", "another CA")
			hasNot(t, "a --cert from another CA", r.stderr, "pass --cert")
			// An http:// URL of the https:// receiver.
			r = run("http://"+strings.TrimPrefix(plain, "https://"), "--cacert", pki.CAFile).want(t, 2)
			has(t, "an http:// URL of an HTTPS receiver", r.stderr, "speaks HTTPS", "use an https:// URL, "+plain)

			r = run(plain, "--cacert", filepath.Join(t.TempDir(), "nope.pem")).want(t, 2)
			has(t, "a missing --cacert file", r.stderr, "nope.pem", "no such file")
			r = run(plain, "--cert", pki.ClientCertFile).want(t, 2)
			has(t, "--cert without --key", r.stderr, "without its key")
		})
	}
}

// checkInsecureReports checks the report files of verify and load, run
// against target with the TLS flags given: with --insecure each says so in
// a field of its own, "insecure" in JSON and the coperniq.insecure property
// in JUnit, while "target" stays the bare URL that scripts parse; with
// --cacert CA the field is absent.
func checkInsecureReports(t *testing.T, command, target, ca string, run func(extra ...string)) {
	t.Helper()
	if command != "verify" && command != "load" {
		return
	}
	for _, tc := range []struct {
		name     string
		flags    []string
		insecure bool
	}{
		{"--insecure", []string{"--insecure"}, true},
		{"--cacert", []string{"--cacert", ca}, false},
	} {
		dir := t.TempDir()
		jsonPath, junitPath := filepath.Join(dir, "report.json"), filepath.Join(dir, "junit.xml")
		if command == "verify" {
			run(append(tc.flags, "--json-report", jsonPath, "--junit-report", junitPath)...)
		} else {
			run(append(tc.flags, "--out", jsonPath)...)
		}
		data, err := os.ReadFile(jsonPath)
		if err != nil {
			t.Fatal(err)
		}
		var rep map[string]any
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatalf("%s %s: the JSON report: %v", command, tc.name, err)
		}
		if rep["target"] != target {
			t.Errorf("%s %s: JSON target %q, want the bare URL %q", command, tc.name, rep["target"], target)
		}
		if got, ok := rep["insecure"]; tc.insecure && got != true || !tc.insecure && ok {
			t.Errorf("%s %s: JSON insecure is %v (present: %v), want %v", command, tc.name, got, ok, tc.insecure)
		}
		if command == "verify" {
			checkJSONReport(t, data)
			data, err := os.ReadFile(junitPath)
			if err != nil {
				t.Fatal(err)
			}
			checkJUnit(t, data)
			var suites struct {
				Suites []struct {
					Name  string `xml:"name,attr"`
					Props []struct {
						Name  string `xml:"name,attr"`
						Value string `xml:"value,attr"`
					} `xml:"properties>property"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(data, &suites); err != nil || len(suites.Suites) == 0 {
				t.Fatalf("%s %s: the JUnit report: %v\n%s", command, tc.name, err, data)
			}
			for _, s := range suites.Suites {
				props := map[string]string{}
				for _, p := range s.Props {
					props[p.Name] = p.Value
				}
				if props[contract.PropertyTarget] != target {
					t.Errorf("%s %s: JUnit suite %q: %s is %q, want %q", command, tc.name, s.Name, contract.PropertyTarget, props[contract.PropertyTarget], target)
				}
				if got, ok := props["coperniq.insecure"]; tc.insecure && got != "true" || !tc.insecure && ok {
					t.Errorf("%s %s: JUnit suite %q: coperniq.insecure is %q (present: %v), want it only with --insecure", command, tc.name, s.Name, got, ok)
				}
			}
		}
	}
}

// A capture written by listen --out is replayed: each captured event once
// (retries left out), byte for byte as recorded, with the retry presets.
func TestReplayCapture(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "captured.jsonl")
	f, err := os.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	first := startReceiver(t, receiver.WithFailFirst(1), receiver.WithOutput(f))
	cli(t, "", "scenario", "run", "work-order-lifecycle", "--target", first.URL+"/hook", "--retry", "ci").want(t, 0)
	first.Close()
	f.Close()
	captured := first.Deliveries()

	// The second receiver fails every first attempt too: the retry preset
	// given to replay is what gets the events through.
	second := startReceiver(t, receiver.WithFailFirst(1))
	r := cli(t, "", "replay", capture, "--target", second.URL+"/hook", "--retry", "ci").want(t, 0)
	events := len(captured) / 2
	has(t, "replay of a capture", r.stdout, fmt.Sprintf("replaying %d events captured by listen --out (%d deliveries) in %s", events, len(captured), capture),
		fmt.Sprintf("events %d = acked %d + dead 0", events, events))
	got := second.Deliveries()
	if len(got) != 2*events {
		t.Fatalf("the second receiver got %d deliveries, want %d (each event once, retried once)", len(got), 2*events)
	}
	want := map[int64]string{}
	for _, d := range captured {
		want[*d.EventID] = string(d.Payload)
	}
	for _, d := range got {
		if string(d.Payload) != want[*d.EventID] {
			t.Errorf("event %d replayed as %s, captured as %s", *d.EventID, d.Payload, want[*d.EventID])
		}
	}

	// Without the retries it needs, the receiver's failures show.
	third := startReceiver(t, receiver.WithFailFirst(1))
	cli(t, "", "replay", capture, "--target", third.URL+"/hook", "--retry", "none").want(t, 1)

	// A capture from standard input; --only has nothing to select in one.
	data, _ := os.ReadFile(capture)
	cli(t, string(data), "replay", "-", "--target", second.URL+"/hook", "--retry", "ci").want(t, 0)
	r = cli(t, "", "replay", capture, "--only", "dead", "--target", second.URL+"/hook").want(t, 2)
	has(t, "replay --only of a capture", r.stderr, "--only selects by a delivery log's final states", "listen --out capture")

	// A capture whose bodies are not Coperniq events, and a last line cut short.
	junk := filepath.Join(dir, "junk.jsonl")
	os.WriteFile(junk, []byte(`{"seq":1,"time":"2026-01-01T00:00:00Z","path":"/hook","size":2,"status":200,"valid":false,"violations":[],"payload":{"a":1}}`+"\n"), 0o644)
	r = cli(t, "", "replay", junk, "--target", second.URL+"/hook").want(t, 2)
	has(t, "replay of a capture of non-events", r.stderr, "its only delivery can't be replayed", "1 payload is not a Coperniq event")
	cut := filepath.Join(dir, "cut.jsonl")
	os.WriteFile(cut, append(bytes.TrimRight(data, "\n"), []byte("\n{\"seq\":99,\"ti")...), 0o644)
	r = cli(t, "", "replay", cut, "--target", second.URL+"/hook", "--retry", "ci").want(t, 0)
	has(t, "replay of a cut capture", r.stderr, "incomplete")
}

func TestSendFile(t *testing.T) {
	up := startReceiver(t)
	dir := t.TempDir()
	payload := cli(t, "", "generate", "TASK_STATUS_MOVEMENT", "--seed", "9", "--pretty").want(t, 0).stdout
	file := filepath.Join(dir, "payload.json")
	os.WriteFile(file, []byte(payload), 0o644)

	r := cli(t, "", "send", "--file", file, "--target", up.URL+"/hook").want(t, 0)
	has(t, "send --file", r.stdout, "(TASK_STATUS_MOVEMENT from "+file+", ", "200 OK")
	r = cli(t, payload, "send", "-f", "-", "--target", up.URL+"/hook").want(t, 0)
	has(t, "send --file -", r.stdout, "(TASK_STATUS_MOVEMENT from standard input, ")
	got := up.Deliveries()
	if len(got) != 2 || *got[0].EventID != *got[1].EventID || got[0].Size != int64(len(payload)) {
		t.Fatalf("deliveries %+v, want the file's %d bytes twice", got, len(payload))
	}

	// Not JSON: sent as it is (a rejection path is worth testing), with a warning.
	notJSON := filepath.Join(dir, "not.json")
	os.WriteFile(notJSON, []byte("hello"), 0o644)
	r = cli(t, "", "send", "--file", notJSON, "--target", up.URL+"/hook").want(t, 1)
	has(t, "send --file not.json", r.stderr, "not valid JSON; sending it as it is", "not acknowledged: 400")

	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, nil, 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"both", []string{"send", "PROJECT_CREATED", "--file", file}, "not both"},
		{"neither", []string{"send"}, "TRIGGER"},
		{"a generator flag", []string{"send", "--file", file, "--seed", "3"}, "--seed makes a generated payload, but --file sends the file as it is: drop --seed"},
		{"generator flags", []string{"send", "--file", file, "--set", "a=b", "--seed", "3", "--profile", "edge"}, "--seed, --profile and --set make a generated payload, but --file sends the file as it is: drop them"},
		{"empty", []string{"send", "--file", empty}, "is empty"},
		{"missing", []string{"send", "--file", filepath.Join(dir, "nope.json")}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", append(tc.args, "--target", up.URL+"/hook")...).want(t, 2)
			has(t, tc.name, r.stderr, tc.want)
		})
	}
}

// send --file posts one payload: input that is not one (NDJSON lines, a
// JSON array) is refused, exit 2, saying what it holds and what to do,
// unless --allow-invalid sends it as it is (a receiver's rejection path).
// Before, `generate all | head -2 | send -f -` warned "not valid JSON" and
// posted both in one request, and a receiver that decodes the first
// document answered 204: exit 0. Input that is one payload but not UTF-8
// or with a byte order mark is sent with a warning that says so.
func TestSendFileThatIsNotOnePayload(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	// Like the trial's receiver: the first JSON document decides, 204.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	lines := strings.SplitAfter(cli(t, "", "generate", "all", "--count", "1", "--seed", "5").want(t, 0).stdout, "\n")
	one, two := lines[0], lines[0]+lines[1]
	toUTF16LE := func(s string) string {
		out := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			out = append(out, byte(u), byte(u>>8))
		}
		return string(out)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		extra []string
		code  int
		wants []string // in stderr
		sent  bool
	}{
		{"two NDJSON documents", two, nil, 2, []string{"--file: standard input holds 2 JSON documents", "send posts one payload", "head -1", "pass --allow-invalid to send it as it is"}, false},
		{"two documents and a cut third", two + one[:40], nil, 2, []string{"holds more than one JSON document"}, false},
		// head -1 would send a "{": the first document is over several lines.
		{"two pretty-printed documents", "{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n", nil, 2, []string{"holds 2 JSON documents", "jq -cn input"}, false},
		{"two documents with --allow-invalid", two, []string{"--allow-invalid"}, 0, []string{"warning: --file standard input holds 2 JSON documents; sending it as it is"}, true},
		{"a JSON array of payloads", "[" + strings.TrimSpace(one) + "]\n", nil, 2, []string{"--file: standard input is a JSON array (1 item)", "one JSON object per request", "jq -c '.[0]'", "--allow-invalid"}, false},
		{"an empty JSON array", "[]", nil, 2, []string{"is a JSON array (0 items)"}, false},
		{"a JSON array with --allow-invalid", "[1]", []string{"--allow-invalid"}, 0, []string{"is a JSON array (1 item); sending it as it is"}, true},
		{"one payload", one, nil, 0, nil, true},
		{"one payload with a UTF-8 byte order mark", "\xEF\xBB\xBF" + one, nil, 0, []string{"starts with a UTF-8 byte order mark (EF BB BF), which JSON sent over HTTP must not carry; sending it as it is"}, true},
		{"one payload in UTF-16", toUTF16LE(one), nil, 0, []string{"UTF-16LE text, not UTF-8 (it starts with the byte order mark FF FE)", "iconv -f UTF-16 -t UTF-8", "sending it as it is"}, true},
		{"one payload with a Latin-1 byte in a string", strings.Replace(one, `"title":"`, "\"title\":\"\xFF", 1), nil, 0, []string{"/record/title: invalid UTF-8 byte 0xFF in a string", "sending it as it is"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			before := len(bodies)
			mu.Unlock()
			r := cli(t, tc.stdin, append([]string{"send", "-f", "-", "--target", srv.URL + "/hook"}, tc.extra...)...).want(t, tc.code)
			has(t, tc.name, r.stderr, tc.wants...)
			if tc.wants == nil {
				hasNot(t, tc.name, r.stderr, "warning")
			}
			mu.Lock()
			got := bodies[before:]
			mu.Unlock()
			switch {
			case tc.sent && (len(got) != 1 || string(got[0]) != tc.stdin):
				t.Errorf("the receiver got %d bodies, want the input as it is, once", len(got))
			case !tc.sent && len(got) != 0:
				t.Errorf("the receiver got %d bodies, want none", len(got))
			}
		})
	}
}

func TestListenSummaryJSON(t *testing.T) {
	l := listen(t, "-o", "json", "--fail-first", "1")
	cli(t, "", "scenario", "run", "call-logged", "--target", l.url+"/hook", "--retry", "ci").want(t, 0)
	rest, code := l.stop(t, os.Interrupt)
	if code != 0 {
		t.Fatalf("listen exited %d", code)
	}
	lines := strings.Split(rest, "\n")
	var out struct {
		Summary struct {
			Deliveries, UniqueEvents, Valid int
			ByStatus                        map[string]int
			ByTrigger                       map[string]int
		}
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &out); err != nil {
		t.Fatalf("the last line is not the JSON summary: %v\n%s", err, rest)
	}
	s := out.Summary
	if s.Deliveries != 8 || s.UniqueEvents != 4 || s.Valid != 8 || s.ByStatus["503"] != 4 || s.ByStatus["200"] != 4 || s.ByTrigger["CALL_UPSERTED"] != 6 {
		t.Errorf("listen -o json summary %+v", s)
	}
	hasNot(t, "listen -o json", rest, "summary: ")
}

// verify's inspect hook on the same https:// receiver is trusted with the
// same --cacert.
func TestVerifyInspectHookOverTLS(t *testing.T) {
	pki := tlstest.New(t)
	srv := httptest.NewUnstartedServer(testreceivers.New(testreceivers.Config{}))
	srv.TLS = pki.ServerConfig(false)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--inspect", srv.URL+testreceivers.InspectPath+"{eventId}",
		"--cacert", pki.CAFile, "--focus", contract.SpecDupAfter, "--settle", "0").want(t, 0)
	has(t, "verify --inspect https://", r.stdout, "PASS: 1 spec passed")
}

// A failure's reproduce line against an https:// receiver with its own CA
// and mutual TLS carries the run's --cacert, --cert and --key: run as shown,
// it reaches the receiver (without them it would fail the handshake, exit 2).
func TestVerifyReproduceLineKeepsTLSFlags(t *testing.T) {
	srv, pki := mutualTLSServer(t, testreceivers.New(testreceivers.Config{Fault: testreceivers.RejectUnknownTrigger}))
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.SpecUnknownTrigger,
		"--cacert", pki.CAFile, "--cert", pki.ClientCertFile, "--key", pki.ClientKeyFile).want(t, 1)
	_, after, ok := strings.Cut(r.stdout, "reproduce:\n")
	if !ok {
		t.Fatalf("no reproduce line in the failure:\n%s", r.stdout)
	}
	line := strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
	has(t, "the reproduce line", line, "--cacert "+pki.CAFile, "--cert "+pki.ClientCertFile, "--key "+pki.ClientKeyFile)
	out := runAsShown(t, line, 1, "delivered, answered with an error")
	hasNot(t, "the reproduce line's run", out, "certificate")
}

// The chaos replay line, like a failure's reproduce line, carries the run's
// --cacert, --cert and --key: run as printed against a receiver with its own
// CA and mutual TLS, it reaches the receiver and reproduces the failure
// (without them it fails the handshake, exit 2).
func TestVerifyChaosReplayLineKeepsTLSFlags(t *testing.T) {
	srv, pki := mutualTLSServer(t, testreceivers.NewState(testreceivers.LastArrivalWorkOrder))
	r := cli(t, "", chaosArgs(srv, "--chaos", "50", "--chaos-out", t.TempDir(),
		"--cacert", pki.CAFile, "--cert", pki.ClientCertFile, "--key", pki.ClientKeyFile)...).want(t, 1)
	_, after, ok := strings.Cut(r.stdout, "\nreplay:\n  ")
	if !ok {
		t.Fatalf("no replay line in the failure:\n%s", r.stdout)
	}
	line, _, _ := strings.Cut(after, "\n")
	has(t, "the replay line", line, "--cacert "+pki.CAFile, "--cert "+pki.ClientCertFile, "--key "+pki.ClientKeyFile)
	out := runAsShown(t, line, 1, "replayed, the failure reproduced")
	has(t, "the replay line's run", out, "the failure reproduced")
	hasNot(t, "the replay line's run", out, "certificate")
}

// mutualTLSServer serves h over https with a CA of its own, wanting the
// client certificate pki.ClientCertFile.
func mutualTLSServer(t *testing.T, h http.Handler) (*httptest.Server, *tlstest.PKI) {
	t.Helper()
	pki := tlstest.New(t)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = pki.ServerConfig(true)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, pki
}

// runAsShown runs a command line a report shows through sh, as pasted,
// with the binary for coperniq-mock, and wants exit status want (why says
// what it means); it returns stdout and stderr together.
func runAsShown(t *testing.T, line string, want int, why string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", binary+strings.TrimPrefix(line, "coperniq-mock")).CombinedOutput()
	if exitStatus(t, err) != want {
		t.Fatalf("the line %q: %v, want exit %d (%s):\n%s", line, err, want, why, out)
	}
	return string(out)
}

// A receiver whose TLS server refuses the client certificate after the
// check before the run accepted it (a certificate revoked meanwhile; under
// TLS 1.3 a refusal the check can miss): every delivery fails in the
// handshake, and that is the setup's problem (exit 2), not the receiver's
// failure to acknowledge.
func TestTLSRefusedDuringTheRunIsSetup(t *testing.T) {
	pki := tlstest.New(t)
	var handshakes atomic.Int64
	srv := httptest.NewUnstartedServer(testreceivers.New(testreceivers.Config{}))
	srv.TLS = pki.ServerConfig(false)
	srv.TLS.ClientAuth = tls.RequireAnyClientCert
	srv.TLS.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error {
		if handshakes.Add(1) > 1 {
			return errors.New("revoked")
		}
		return nil
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	jsonReport := filepath.Join(t.TempDir(), "verify.json")
	tlsFlags := []string{"--target", srv.URL + "/hook", "--cacert", pki.CAFile, "--cert", pki.ClientCertFile, "--key", pki.ClientKeyFile}
	for _, tc := range []struct {
		name string
		args []string
		says []string
	}{
		{"scenario run", []string{"scenario", "run", "call-logged", "--retry", "none"},
			[]string{"no attempt was answered and its TLS server refused the handshake, so the receiver was not judged", "remote error: tls: bad certificate", "the receiver refused the client certificate given with --cert"}},
		{"verify", []string{"verify", "--focus", "every delivery", "--json-report", jsonReport},
			[]string{"remote error: tls: bad certificate", "the receiver was not judged: the deliveries of ", " specs failed in the TLS handshake"}},
		// The report states the exit status it ends with, and its verdict
		// that the receiver was not judged, held to --min-success or not.
		{"load", []string{"load", "--rate", "20/s", "--duration", "300ms", "--seed", "1", "--progress", "none"},
			[]string{"failed in the TLS handshake, so the receiver was not judged", "--cert/--key", "below --min-success 99%: exit status 2",
				"the receiver was not judged: every request failed in the TLS handshake"}},
		{"load --min-success 0", []string{"load", "--rate", "20/s", "--duration", "300ms", "--seed", "1", "--progress", "none", "--min-success", "0"},
			[]string{"failed in the TLS handshake, so the receiver was not judged (check --cacert, --cert/--key", "exit status 2 whatever --min-success",
				"the receiver was not judged: every request failed in the TLS handshake"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handshakes.Store(0)
			r := cli(t, "", append(tc.args, tlsFlags...)...).want(t, 2)
			has(t, tc.name, r.stdout+r.stderr, tc.says...)
			hasNot(t, tc.name, r.stdout+r.stderr, "exit status 1")
		})
	}
	// The JSON report marks those specs as the setup's.
	data, err := os.ReadFile(jsonReport)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`"setupProblem": *"TLS handshake"`).Match(data) {
		t.Errorf("the JSON report does not mark the specs [TLS handshake]:\n%s", data)
	}
}
