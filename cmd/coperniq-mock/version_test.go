package main

import (
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	vcs := func(rev, at, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: at}, {Key: "vcs.modified", Value: modified}}
	}
	platform := "go1.26.8 " + runtime.GOOS + "/" + runtime.GOARCH
	cases := []struct {
		name string
		st   stamp
		info *debug.BuildInfo
		want string
	}{
		{"make release stamps everything", stamp{"v1.2.0", "4710e22abcdef0123456789", "2026-12-02T14:13:46Z", "false"},
			&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"v1.2.0 (commit 4710e22abcde 2026-12-02T14:13:46Z; " + platform + ")"},
		{"a stamped dirty tree says so", stamp{"dev", "4710e22abcdef0123456789", "2026-12-02T14:13:46Z", "true"},
			&debug.BuildInfo{GoVersion: "go1.26.8"},
			"dev (commit 4710e22abcde 2026-12-02T14:13:46Z, modified; " + platform + ")"},
		{"go install module@version", stamp{},
			&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			"v1.2.0 (" + platform + ")"},
		{"go build in a clone", stamp{},
			&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261202141346-4710e22abcde+dirty"}, Settings: vcs("4710e22abcdef0123456789", "2026-12-02T14:13:46Z", "true")},
			"v0.0.0-20261202141346-4710e22abcde+dirty (commit 4710e22abcde 2026-12-02T14:13:46Z, modified; " + platform + ")"},
		{"no version anywhere", stamp{}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "dev (" + platform + ")"},
		{"no build info", stamp{}, nil, "dev (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := describeBuild(c.st, c.info); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// The real binary, built the way make build and make release build it.
func TestVersionFlagReportsTheStamp(t *testing.T) {
	bin := t.TempDir() + "/coperniq-mock"
	ld := "-X main.version=v9.8.7 -X main.commit=0123456789abcdef0123 -X main.commitTime=2026-12-02T14:13:46Z -X main.modified=true"
	if out, err := exec.Command("go", "build", "-trimpath", "-ldflags", ld, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	want := "coperniq-mock version v9.8.7 (commit 0123456789ab 2026-12-02T14:13:46Z, modified; "
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("--version printed %q, want it to start with %q", out, want)
	}
	// The test binary of this package is unstamped: "dev", never empty.
	if r := cli(t, "", "--version"); !strings.HasPrefix(r.stdout, "coperniq-mock version dev") && !strings.HasPrefix(r.stdout, "coperniq-mock version v") {
		t.Errorf("unstamped --version printed %q", r.stdout)
	}
}
