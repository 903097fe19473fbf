package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped by make release with -ldflags -X, beside version: a build from a
// git worktree, or with GOFLAGS=-buildvcs=false, has no VCS settings in its
// build info, and a release should name its commit anyway.
var (
	commit     string // full hash
	commitTime string // RFC 3339, UTC
	modified   string // "true" when the tree had uncommitted changes
)

// buildVersion is what --version prints after "coperniq-mock version ".
func buildVersion() string {
	info, _ := debug.ReadBuildInfo()
	return describeBuild(stamp{version, commit, commitTime, modified}, info)
}

// stamp is what the linker set; empty fields fall back to the build info.
type stamp struct{ version, commit, time, modified string }

// describeBuild names the build: the version make release stamps (-X
// main.version), else the module version the go command recorded (a tag
// for `go install ...@v1.2.3`, a pseudo-version for a build in a checkout),
// else "dev"; then the commit, its time and whether the tree had
// uncommitted changes, when the build came from a checkout, and the Go
// release and platform. A bug report quoting it says exactly what ran.
func describeBuild(st stamp, info *debug.BuildInfo) string {
	v := st.version
	if v == "" && info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" {
		v = "dev"
	}
	rev, at, dirty := st.commit, st.time, st.modified
	if rev == "" && info != nil {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value
			}
		}
	}
	var details []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		c := "commit " + rev
		if at != "" {
			c += " " + at
		}
		if dirty == "true" {
			c += ", modified"
		}
		details = append(details, c)
	}
	goVersion := runtime.Version()
	if info != nil && info.GoVersion != "" {
		goVersion = info.GoVersion
	}
	details = append(details, goVersion+" "+runtime.GOOS+"/"+runtime.GOARCH)
	return v + " (" + strings.Join(details, "; ") + ")"
}
