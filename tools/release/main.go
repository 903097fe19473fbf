// Command release cross-compiles coperniq-mock for every platform it
// ships on and writes one archive per platform and a SHA256 checksums file:
//
//	OUT/coperniq-mock_VERSION_OS_ARCH.tar.gz   (linux, darwin)
//	OUT/coperniq-mock_VERSION_windows_ARCH.zip
//	OUT/checksums.txt                         (`sha256sum -c checksums.txt`)
//
// Each archive holds one directory with the binary, README.md and
// CHANGELOG.md. Binaries are static (CGO_ENABLED=0) and built with
// -trimpath; archive entries carry one fixed time (the commit's, from
// -mtime) and numeric root ownership, so the same commit gives the same
// archives. `make release` runs it with the version stamps.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// platform is one GOOS/GOARCH pair a release ships.
type platform struct{ os, arch string }

// platforms are the release targets: the three desktop and server
// systems on both 64-bit architectures.
var platforms = []platform{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func (p platform) exe() string {
	if p.os == "windows" {
		return "coperniq-mock.exe"
	}
	return "coperniq-mock"
}

func (p platform) archiveName(version string) string {
	base := fmt.Sprintf("coperniq-mock_%s_%s_%s", version, p.os, p.arch)
	if p.os == "windows" {
		return base + ".zip"
	}
	return base + ".tar.gz"
}

// docs are the files every archive carries beside the binary, relative to
// the repository root; a missing one is an error.
var docs = []string{"README.md", "CHANGELOG.md"}

func main() {
	out := flag.String("out", "dist/release", "directory to write the archives and checksums.txt into")
	version := flag.String("version", "dev", "version in the archive names")
	ldflags := flag.String("ldflags", "", "linker flags (make release passes the version stamps)")
	mtime := flag.String("mtime", "", "time of every archive entry (RFC 3339), e.g. the commit time; default the Unix epoch")
	flag.Parse()
	at := time.Unix(0, 0).UTC()
	if *mtime != "" {
		t, err := time.Parse(time.RFC3339, *mtime)
		if err != nil {
			fmt.Fprintf(os.Stderr, "release: -mtime %q: want RFC 3339, e.g. 2026-03-31T15:59:50Z\n", *mtime)
			os.Exit(2)
		}
		at = t.UTC()
	}
	if strings.ContainsAny(*version, `/\ `) || *version == "" {
		fmt.Fprintf(os.Stderr, "release: -version %q: it names files, so no slashes or spaces\n", *version)
		os.Exit(2)
	}
	if err := run(*out, *version, *ldflags, at); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(out, version, ldflags string, at time.Time) error {
	extra := map[string][]byte{}
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			return fmt.Errorf("%w (run from the repository root)", err)
		}
		extra[d] = b
	}
	if err := clean(out); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "coperniq-mock-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var names []string
	for _, p := range platforms {
		bin := filepath.Join(tmp, p.os+"-"+p.arch, p.exe())
		fmt.Printf("go build %s/%s\n", p.os, p.arch)
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, "./cmd/coperniq-mock")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.os, "GOARCH="+p.arch)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build %s/%s: %w", p.os, p.arch, err)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		name := p.archiveName(version)
		if err := writeArchive(filepath.Join(out, name), p, strings.TrimSuffix(strings.TrimSuffix(name, ".zip"), ".tar.gz"), data, extra, at); err != nil {
			return err
		}
		names = append(names, name)
	}
	if err := writeChecksums(out, names); err != nil {
		return err
	}
	fmt.Printf("wrote %d archives and checksums.txt to %s\n", len(names), out)
	return nil
}

// clean removes what an earlier run wrote to out, and nothing else.
func clean(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == "checksums.txt" || strings.HasPrefix(e.Name(), "coperniq-mock_") {
			if err := os.Remove(filepath.Join(out, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeArchive writes dir/binary and dir/<extra files> into path: a zip
// for windows, a gzipped tar elsewhere.
func writeArchive(path string, p platform, dir string, bin []byte, extra map[string][]byte, at time.Time) error {
	type entry struct {
		name string
		mode int64
		data []byte
	}
	entries := []entry{{dir + "/" + p.exe(), 0o755, bin}}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		entries = append(entries, entry{dir + "/" + name, 0o644, extra[name]})
	}
	var b bytes.Buffer
	if p.os == "windows" {
		zw := zip.NewWriter(&b)
		for _, e := range entries {
			h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: at}
			h.SetMode(os.FileMode(e.mode))
			w, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			if _, err := w.Write(e.data); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return err
		}
	} else {
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		tw := tar.NewWriter(zw)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: at, Format: tar.FormatPAX}); err != nil {
			return err
		}
		for _, e := range entries {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: e.mode, Size: int64(len(e.data)), ModTime: at, Format: tar.FormatPAX}); err != nil {
				return err
			}
			if _, err := tw.Write(e.data); err != nil {
				return err
			}
		}
		if err := errors.Join(tw.Close(), zw.Close()); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// writeChecksums writes checksums.txt in the format sha256sum -c and
// shasum -a 256 -c read: "<hex>  <name>", sorted by name.
func writeChecksums(out string, names []string) error {
	var b strings.Builder
	for _, name := range slices.Sorted(slices.Values(names)) {
		f, err := os.Open(filepath.Join(out, name))
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%x  %s\n", h.Sum(nil), name)
	}
	return os.WriteFile(filepath.Join(out, "checksums.txt"), []byte(b.String()), 0o644)
}
