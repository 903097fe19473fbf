package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A CI job publishes the report files whatever verify's exit status: when
// the receiver cannot be judged at all (it does not accept connections,
// it speaks plain HTTP to an https:// URL, a filter is no regular
// expression), they must still be well-formed and say why, not be left
// empty, nor keep an earlier run's verdict.
func TestVerifyNotJudgedStillWritesReports(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	unreachable := closed.URL + "/hook?token=s3cret"
	closed.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	for _, c := range []struct {
		name string
		args []string
		says string
	}{
		{"unreachable", []string{"--target", unreachable}, "unreachable"},
		{"TLS handshake", []string{"--target", strings.Replace(plain.URL, "http://", "https://", 1) + "/hook?token=s3cret"}, "TLS handshake"},
		{"bad filter", []string{"--target", plain.URL + "/hook?token=s3cret", "--focus", "("}, "--focus"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			junitPath, jsonPath := filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.json")
			// An earlier run's passing reports, which must not survive.
			for _, path := range []string{junitPath, jsonPath} {
				if err := os.WriteFile(path, []byte(`{"formatVersion": 1, "verdict": {"exit": 0, "message": "PASS: 1 specs passed"}}`), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := cli(t, "", append([]string{"verify", "--junit-report", junitPath, "--json-report", jsonPath}, c.args...)...).want(t, 2)
			if !strings.Contains(r.stderr, c.says) {
				t.Fatalf("stderr does not say %q:\n%s", c.says, r.stderr)
			}
			for _, path := range []string{junitPath, jsonPath} {
				if data, _ := os.ReadFile(path); strings.Contains(string(data), "s3cret") {
					t.Errorf("%s shows the token:\n%s", filepath.Base(path), data)
				}
			}
			rep := checkJSONReport(t, readFile(t, jsonPath))
			if v := rep.Verdict; v.Exit != 2 || !strings.Contains(v.Message, "not judged") || !strings.Contains(v.Message, c.says) {
				t.Errorf("JSON verdict %+v, want exit 2 saying %q", v, c.says)
			}
			data := readFile(t, junitPath)
			if cases := checkJUnit(t, data); len(cases) != 1 || !strings.Contains(cases[0].errorMsg, c.says) {
				t.Errorf("JUnit cases %+v, want one error saying %q:\n%s", cases, c.says, data)
			}
		})
	}
}

// A report file that cannot be written ends verify (exit 2) before the
// run; the other one, written, says so rather than "did not finish".
func TestVerifyUnwritableReportNamedInTheOther(t *testing.T) {
	base, _ := countingReceiver(t)
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	bad := filepath.Join(t.TempDir(), "file", "r.xml") // below a file: no directory can be made
	if err := os.WriteFile(filepath.Dir(bad), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "verify", "--target", base+"/hook", "--junit-report", bad, "--json-report", jsonPath).want(t, 2)
	if !strings.Contains(r.stderr, "--junit-report") {
		t.Fatalf("stderr does not name --junit-report:\n%s", r.stderr)
	}
	if v := checkJSONReport(t, readFile(t, jsonPath)).Verdict; v.Exit != 2 || !strings.Contains(v.Message, "--junit-report") {
		t.Errorf("JSON verdict %+v, want exit 2 naming --junit-report", v)
	}
}

// A receiver that acknowledges every event and applies none, with correct
// hooks (404: never applied, nothing on the record), answers exactly as a
// hook at a wrong URL does. The verdict must not say which it is, nor
// that the receiver's handling is not at fault: it loses every event if
// its hooks are right.
func TestVerifyAppliesNothingIsNotClearedOfBlame(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusOK) // acknowledged, never applied
			return
		}
		http.NotFound(w, r) // both hooks, truthfully: never applied, nothing kept
	}))
	defer srv.Close()
	r := cli(t, "", "verify", "--target", srv.URL+"/webhooks/coperniq",
		"--inspect", srv.URL+"/_state/events/{eventId}", "--state", srv.URL+"/_state/records/{recordId}",
		"--focus", "PROJECT_CREATED|final state", "--scenario", "request-lost", "--inspect-timeout", "300ms", "--no-color", "--seed", "7").want(t, 2)
	out := r.stdout + r.stderr
	for _, w := range []string{"not judged", "the inspect hook counted none of the run's events applied", "or the receiver applies nothing it acknowledges"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	for _, bad := range []string{"not its handling", "not because of the receiver"} {
		if strings.Contains(out, bad) {
			t.Errorf("output clears the receiver (%q):\n%s", bad, out)
		}
	}
}
