package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPlatformsCoverEveryTarget(t *testing.T) {
	var got []string
	for _, p := range platforms {
		got = append(got, p.os+"/"+p.arch+" "+p.archiveName("v1.2.0"))
	}
	want := []string{
		"linux/amd64 coperniq-mock_v1.2.0_linux_amd64.tar.gz",
		"linux/arm64 coperniq-mock_v1.2.0_linux_arm64.tar.gz",
		"darwin/amd64 coperniq-mock_v1.2.0_darwin_amd64.tar.gz",
		"darwin/arm64 coperniq-mock_v1.2.0_darwin_arm64.tar.gz",
		"windows/amd64 coperniq-mock_v1.2.0_windows_amd64.zip",
		"windows/arm64 coperniq-mock_v1.2.0_windows_arm64.zip",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("targets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// entries reads an archive back: name → mode and content.
func entries(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			out[f.Name] = fmt.Sprintf("%o %s", f.Mode().Perm(), b)
		}
		return out
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = fmt.Sprintf("%o %s", h.Mode, b)
	}
}

func TestArchivesAndChecksums(t *testing.T) {
	out := t.TempDir()
	// A file an earlier run did not write survives; a stale archive goes.
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(out, "coperniq-mock_v0.9.0_linux_amd64.tar.gz"), []byte("old"), 0o644)
	if err := clean(out); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 31, 15, 59, 50, 0, time.UTC)
	extra := map[string][]byte{"README.md": []byte("readme"), "CHANGELOG.md": []byte("changes")}
	var names []string
	for _, p := range []platform{{"linux", "arm64"}, {"windows", "amd64"}} {
		name := p.archiveName("v1.2.0")
		dir := strings.TrimSuffix(strings.TrimSuffix(name, ".zip"), ".tar.gz")
		if err := writeArchive(filepath.Join(out, name), p, dir, []byte("binary for "+p.os), extra, at); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := writeChecksums(out, names); err != nil {
		t.Fatal(err)
	}

	got := entries(t, filepath.Join(out, "coperniq-mock_v1.2.0_linux_arm64.tar.gz"))
	want := map[string]string{
		"coperniq-mock_v1.2.0_linux_arm64/":              "755 ",
		"coperniq-mock_v1.2.0_linux_arm64/coperniq-mock": "755 binary for linux",
		"coperniq-mock_v1.2.0_linux_arm64/README.md":     "644 readme",
		"coperniq-mock_v1.2.0_linux_arm64/CHANGELOG.md":  "644 changes",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tar.gz entries %v, want %v", got, want)
	}
	got = entries(t, filepath.Join(out, "coperniq-mock_v1.2.0_windows_amd64.zip"))
	if got["coperniq-mock_v1.2.0_windows_amd64/coperniq-mock.exe"] != "755 binary for windows" || len(got) != 3 {
		t.Errorf("zip entries %v", got)
	}

	sums, _ := os.ReadFile(filepath.Join(out, "checksums.txt"))
	lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
	if len(lines) != 2 {
		t.Fatalf("checksums.txt:\n%s", sums)
	}
	for _, line := range lines {
		sum, name, ok := strings.Cut(line, "  ")
		data, err := os.ReadFile(filepath.Join(out, name))
		if !ok || err != nil || sum != fmt.Sprintf("%x", sha256.Sum256(data)) {
			t.Errorf("checksums.txt line %q does not match the file (%v)", line, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "coperniq-mock_v0.9.0_linux_amd64.tar.gz")); !os.IsNotExist(err) {
		t.Errorf("a stale archive survived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "notes.txt")); err != nil {
		t.Errorf("clean removed a file it did not write: %v", err)
	}
	// What users run to verify a download.
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "-c", "checksums.txt")
		cmd.Dir = out
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c checksums.txt: %v\n%s", err, b)
		}
	}

	// The same inputs give the same bytes.
	again := t.TempDir()
	p := platform{"linux", "arm64"}
	name := p.archiveName("v1.2.0")
	writeArchive(filepath.Join(again, name), p, strings.TrimSuffix(name, ".tar.gz"), []byte("binary for linux"), extra, at)
	a, _ := os.ReadFile(filepath.Join(out, name))
	b, _ := os.ReadFile(filepath.Join(again, name))
	if !bytes.Equal(a, b) {
		t.Errorf("rebuilding an archive from the same inputs changed its bytes")
	}
}
