package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The GitHub Action (action.yml) keeps its logic in scripts/action/verify.py;
// these tests run that script as the runner would, with a fake runner
// environment (the step summary, outputs and PATH files in a temp dir), the
// real binary, and receivers on loopback.

const actionScript = "../../scripts/action/verify.py"

type runner struct {
	dir                     string
	summary, output, gopath string
}

func newRunner(t *testing.T) runner {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 runs the action's script; GitHub's runners have it")
	}
	dir := t.TempDir()
	r := runner{dir, filepath.Join(dir, "step_summary.md"), filepath.Join(dir, "output"), filepath.Join(dir, "path")}
	for _, f := range []string{r.summary, r.output, r.gopath} {
		os.WriteFile(f, nil, 0o644)
	}
	return r
}

// run executes the script's subcommand with the inputs and returns its
// console output and exit code.
func (r runner) run(t *testing.T, sub string, inputs map[string]string) (string, int) {
	t.Helper()
	cmd := exec.Command("python3", actionScript, sub)
	cmd.Dir = r.dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"GITHUB_STEP_SUMMARY=" + r.summary, "GITHUB_OUTPUT=" + r.output, "GITHUB_PATH=" + r.gopath,
		"RUNNER_TEMP=" + r.dir, "RUNNER_OS=Linux", "RUNNER_ARCH=X64",
		"COPERNIQ_MOCK=" + binary,
	}
	// What a runner's shell has besides: a home, and Go's settings.
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "GO") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if abs, err := filepath.Abs(actionScript); err == nil {
		cmd.Args[1] = abs
	}
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), exitStatus(t, err)
}

func (r runner) outputs(t *testing.T) map[string]string {
	t.Helper()
	data, _ := os.ReadFile(r.output)
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// actionReceiver acknowledges every delivery except those of the failing trigger
// and those without the token, when one is set.
func actionReceiver(t *testing.T, failing, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var p struct {
			Event struct{ TriggerKey string } `json:"event"`
		}
		json.NewDecoder(req.Body).Decode(&p)
		switch {
		case token != "" && req.URL.Query().Get("token") != token:
			w.WriteHeader(http.StatusUnauthorized)
		case p.Event.TriggerKey == failing:
			http.Error(w, "no handler for "+failing, http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestActionVerifySummaries(t *testing.T) {
	cases := []struct {
		name     string
		failing  string
		token    string
		inputs   map[string]string
		code     int
		result   string
		contains []string
	}{
		{
			name: "passed", code: 0, result: "passed",
			inputs:   map[string]string{"INPUT_ARGS": "--focus 'work order triggers'"},
			contains: []string{"## ✅ Coperniq contract: passed", "| 12 | 0 | 0 | 12 |", "{unselected} more specs were not selected", "Coperniq contract of"},
		},
		{
			name: "a failing trigger", failing: "TASK_COMPLETED", code: 1, result: "failed",
			inputs: map[string]string{"INPUT_ARGS": "--focus 'work order triggers'"},
			contains: []string{
				"## ❌ Coperniq contract: failed", "| 8 | 4 | 0 | 12 |", "### Failed specs (4)",
				"TASK_COMPLETED acknowledges its realistic payload", "500 Internal Server Error",
			},
		},
		{
			name: "the token is masked", token: "s3cret-value", code: 0, result: "passed",
			inputs:   map[string]string{"INPUT_TOKEN_PARAM": "token=s3cret-value", "INPUT_ARGS": "--focus 'work order triggers|token'"},
			contains: []string{"## ✅ Coperniq contract: passed", "?token=***`", "| 15 | 0 | 0 | 15 |"},
		},
		{
			// A token built into the target (not from secrets.*, which
			// the runner hides itself) is the action's to hide.
			name: "a token only in the target URL is masked", token: "url-0nly-s3cret", code: 0, result: "passed",
			inputs:   map[string]string{"INPUT_ARGS": "--focus 'work order triggers'"},
			contains: []string{"## ✅ Coperniq contract: passed", "?token=***`"},
		},
		{
			// Nothing ran, so nothing was judged; still, the skipped are
			// not counted with the specs --focus left out.
			name: "skipped for a reason is not unselected", code: 2, result: "not judged",
			inputs:   map[string]string{"INPUT_ARGS": "--focus 'token in the URL'"},
			contains: []string{"## ⚠️ Coperniq contract: not judged", "| 0 | 0 | 3 | 3 |", "{unselected} more specs were not selected"},
		},
		{
			name: "an unreachable target is not judged", code: 2, result: "not judged",
			inputs:   map[string]string{"INPUT_TARGET": "http://" + closedPort(t) + "/webhooks/coperniq"},
			contains: []string{"## ⚠️ Coperniq contract: not judged", "exit code 2"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRunner(t)
			srv := actionReceiver(t, c.failing, c.token)
			inputs := map[string]string{"INPUT_TARGET": srv.URL + "/webhooks/coperniq"}
			if c.token != "" {
				inputs["INPUT_TARGET"] += "?token=" + c.token
			}
			for k, v := range c.inputs {
				inputs[k] = v
			}
			console, code := r.run(t, "verify", inputs)
			if code != c.code {
				t.Fatalf("exit code %d, want %d\n%s", code, c.code, console)
			}
			summary, _ := os.ReadFile(r.summary)
			for _, want := range c.contains {
				// The suite grows: what was not selected is the whole
				// suite, as the run's own total row counts it, less the
				// selected specs.
				if strings.Contains(want, "{unselected}") {
					want = strings.ReplaceAll(want, "{unselected}", fmt.Sprint(unselected(t, string(summary))))
				}
				if !strings.Contains(string(summary), want) {
					t.Errorf("the step summary lacks %q:\n%s", want, summary)
				}
			}
			// The run output shown is verify's closing summary, not its
			// progress (the header, a dot per spec, each failure).
			if strings.Contains(string(summary), "•") || strings.Contains(string(summary), "\nFAIL ") {
				t.Errorf("the step summary shows the run's progress:\n%s", summary)
			}
			out := r.outputs(t)
			if out["result"] != c.result || out["exit-code"] != fmt.Sprint(c.code) {
				t.Errorf("outputs %v, want result=%s exit-code=%d", out, c.result, c.code)
			}
			if c.code != 2 {
				if _, err := os.Stat(filepath.Join(r.dir, out["junit-report"])); out["junit-report"] == "" || err != nil {
					t.Errorf("no JUnit report at %q for the upload step: %v", out["junit-report"], err)
				}
			}
			if c.token != "" {
				if strings.Contains(string(summary), c.token) {
					t.Errorf("the summary shows the token:\n%s", summary)
				}
				if !strings.Contains(console, "::add-mask::"+c.token) {
					t.Errorf("the token was not masked for the runner's log:\n%s", console)
				}
				for _, line := range strings.Split(console, "\n") {
					if strings.HasPrefix(line, "+ ") && strings.Contains(line, c.token) {
						t.Errorf("the command line echoed shows the token: %s", line)
					}
				}
				if _, ok := c.inputs["INPUT_TOKEN_PARAM"]; ok && !strings.Contains(console, "--token-param 'token=***'") {
					t.Errorf("the command line echoed does not show the token parameter's name:\n%s", console)
				}
			}
		})
	}
}

// unselected is how many specs of the suite a step summary's run left
// out: the run output's total row's "not selected", which must be the
// whole row less the selected count in the summary's table.
func unselected(t *testing.T, summary string) int {
	t.Helper()
	row := regexp.MustCompile(`(?m)^\s*total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`).FindStringSubmatch(summary)
	table := regexp.MustCompile(`\| (\d+) \| (\d+) \| (\d+) \| (\d+) \|`).FindStringSubmatch(summary)
	if row == nil || table == nil {
		t.Fatalf("no total row with a not-selected column, or no table, in the summary:\n%s", summary)
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	if selected := n(row[1]) + n(row[2]) + n(row[3]); selected != n(table[4]) {
		t.Errorf("the run's total row counts %d selected, the summary's table %s", selected, table[4])
	}
	return n(row[4])
}

// releaseServer serves a release as GitHub does: the archive and its
// checksums.txt under /VERSION/.
func releaseServer(t *testing.T, version string, corrupt bool) *httptest.Server {
	name := "coperniq-mock_" + version + "_linux_amd64"
	var archive strings.Builder
	zw := gzip.NewWriter(&archive)
	tw := tar.NewWriter(zw)
	script := "#!/bin/sh\necho \"coperniq-mock version " + version + " (fake)\"\n"
	tw.WriteHeader(&tar.Header{Name: name + "/coperniq-mock", Mode: 0o755, Size: int64(len(script)), Typeflag: tar.TypeReg})
	io.WriteString(tw, script)
	tw.Close()
	zw.Close()
	sum := sha256.Sum256([]byte(archive.String()))
	if corrupt {
		sum[0] ^= 0xff
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/"+version+"/"+name+".tar.gz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, archive.String()) })
	mux.HandleFunc("/"+version+"/checksums.txt", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%x  %s.tar.gz\n%x  coperniq-mock_%s_darwin_arm64.tar.gz\n", sum, name, sha256.Sum256(nil), version)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestActionInstallsAReleaseAfterCheckingItsChecksum(t *testing.T) {
	r := newRunner(t)
	srv := releaseServer(t, "v1.2.0", false)
	console, code := r.run(t, "install", map[string]string{"INPUT_VERSION": "v1.2.0", "COPERNIQ_MOCK_RELEASES": srv.URL})
	if code != 0 {
		t.Fatalf("install exited %d:\n%s", code, console)
	}
	path, _ := os.ReadFile(r.gopath)
	bin := filepath.Join(strings.TrimSpace(string(path)), "coperniq-mock")
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "version v1.2.0") {
		t.Errorf("the installed binary on GITHUB_PATH (%s) ran: %v %s", bin, err, out)
	}
	if !strings.Contains(console, "coperniq-mock version v1.2.0") {
		t.Errorf("install did not print the installed version:\n%s", console)
	}

	r = newRunner(t)
	srv = releaseServer(t, "v1.2.0", true)
	console, code = r.run(t, "install", map[string]string{"INPUT_VERSION": "v1.2.0", "COPERNIQ_MOCK_RELEASES": srv.URL})
	if code == 0 || !strings.Contains(console, "checksums.txt says") {
		t.Errorf("a corrupt download installed (exit %d):\n%s", code, console)
	}
	if path, _ := os.ReadFile(r.gopath); len(path) != 0 {
		t.Errorf("a corrupt download reached GITHUB_PATH: %s", path)
	}

	r = newRunner(t)
	console, code = r.run(t, "install", map[string]string{"INPUT_VERSION": "v9.9.9", "COPERNIQ_MOCK_RELEASES": srv.URL})
	if code == 0 || !strings.Contains(console, "is `version` a published release") {
		t.Errorf("an unknown version (exit %d):\n%s", code, console)
	}
}

// action.yml and its script agree: every input is handed to the script,
// every env value names a declared input, every output is one the script
// sets, and the steps run a script that exists.
func TestActionManifestMatchesItsScript(t *testing.T) {
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs  map[string]struct{ Required bool }
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Using string
			Steps []struct {
				ID   string
				Uses string
				Run  string
				Env  map[string]string
				With map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", action.Runs.Using)
	}
	script, err := os.ReadFile(actionScript)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	ref := regexp.MustCompile(`\$\{\{\s*inputs\.([a-z-]+)\s*\}\}`)
	for _, step := range action.Runs.Steps {
		if step.Run != "" && !strings.Contains(step.Run, "scripts/action/verify.py") {
			t.Errorf("step %q runs %q: keep the logic in scripts/action/verify.py, where it is tested", step.ID, step.Run)
		}
		for k, v := range step.Env {
			for _, m := range ref.FindAllStringSubmatch(v, -1) {
				used[m[1]] = true
				if _, ok := action.Inputs[m[1]]; !ok {
					t.Errorf("env %s reads undeclared input %q", k, m[1])
				}
			}
			if !strings.Contains(string(script), `"`+k+`"`) {
				t.Errorf("env %s is set for the script, which never reads it", k)
			}
		}
		for _, v := range step.With {
			for _, m := range ref.FindAllStringSubmatch(v, -1) {
				used[m[1]] = true
			}
		}
		if strings.Contains(step.Uses, "upload-artifact") {
			used["artifact-name"] = true
		}
	}
	for name := range action.Inputs {
		if !used[name] && !strings.Contains(string(data), "inputs."+name) {
			t.Errorf("input %q is declared but never used", name)
		}
	}
	if !action.Inputs["target"].Required {
		t.Errorf("the target input must be required")
	}
	out := regexp.MustCompile(`steps\.verify\.outputs\.([a-z-]+)`)
	for name, o := range action.Outputs {
		m := out.FindStringSubmatch(o.Value)
		if m == nil || !strings.Contains(string(script), `set_output("`+m[1]+`"`) {
			t.Errorf("output %s = %q: the script sets no such output", name, o.Value)
		}
	}
}

// With no version (the default), the action builds its own checkout.
func TestActionBuildsItsCheckoutWithoutAVersion(t *testing.T) {
	r := newRunner(t)
	root, _ := filepath.Abs("../..")
	console, code := r.run(t, "install", map[string]string{"GITHUB_ACTION_PATH": root, "GITHUB_ACTION_REF": "v0.0.0-actiontest"})
	if code != 0 {
		t.Fatalf("install exited %d:\n%s", code, console)
	}
	if !strings.Contains(console, "coperniq-mock version v0.0.0-actiontest") {
		t.Errorf("the built binary does not report the action's ref:\n%s", console)
	}
	path, _ := os.ReadFile(r.gopath)
	if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(path)), "coperniq-mock")); err != nil {
		t.Errorf("no binary in the directory added to GITHUB_PATH (%q): %v", path, err)
	}
	if out := r.outputs(t); !strings.HasSuffix(out["path"], "coperniq-mock") {
		t.Errorf("outputs %v: want the binary's path", out)
	}
}
