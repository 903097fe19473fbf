package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The image is read back the way a runtime would, with the standard
// library only (not the library that wrote it): the OCI layout's index,
// manifest and config, every blob checked against its digest, the layer
// unpacked into a root filesystem, and the binary run from there.

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
	} `json:"platform"`
}

type manifest struct {
	MediaType string       `json:"mediaType"`
	Config    descriptor   `json:"config"`
	Layers    []descriptor `json:"layers"`
}

type configFile struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Config       struct {
		User       string   `json:"User"`
		Entrypoint []string `json:"Entrypoint"`
		WorkingDir string   `json:"WorkingDir"`
	} `json:"config"`
	RootFS struct {
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// blob reads a blob of the layout and checks it against its descriptor.
func blob(t *testing.T, dir string, d descriptor) []byte {
	t.Helper()
	hexDigest, ok := strings.CutPrefix(d.Digest, "sha256:")
	if !ok {
		t.Fatalf("digest %q is not sha256", d.Digest)
	}
	data, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", hexDigest))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hexDigest {
		t.Fatalf("blob %s: content hashes to %x", d.Digest, sum)
	}
	if int64(len(data)) != d.Size {
		t.Fatalf("blob %s: %d bytes, descriptor says %d", d.Digest, len(data), d.Size)
	}
	return data
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
}

func staticBinary(t *testing.T, version string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "coperniq-mock")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version, "-o", bin, "../../cmd/coperniq-mock")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestImageUnpacksAndRunsAsNonRoot(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("runs the linux binary it puts in the image")
	}
	const version = "v0.0.0-imagetest"
	bin := staticBinary(t, version)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n"), 0o644)
	out := t.TempDir()
	o := options{
		binaries: map[string]string{runtime.GOARCH: bin},
		out:      out, repo: "coperniq-mock", version: version, revision: "0123456789ab",
		created: time.Date(2026, 3, 31, 15, 59, 50, 0, time.UTC), caCerts: ca,
	}
	if _, err := build(o); err != nil {
		t.Fatal(err)
	}

	oci := filepath.Join(out, "oci")
	layoutFile, err := os.ReadFile(filepath.Join(oci, "oci-layout"))
	if err != nil || !strings.Contains(string(layoutFile), `"imageLayoutVersion"`) {
		t.Fatalf("oci-layout: %s %v", layoutFile, err)
	}
	var index struct {
		MediaType string       `json:"mediaType"`
		Manifests []descriptor `json:"manifests"`
	}
	indexJSON, err := os.ReadFile(filepath.Join(oci, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	decode(t, indexJSON, &index)
	// index.json names one multi-platform index by the version.
	if len(index.Manifests) != 1 {
		t.Fatalf("index.json lists %d entries, want 1", len(index.Manifests))
	}
	top := index.Manifests[0]
	if top.MediaType != "application/vnd.oci.image.index.v1+json" || top.Annotations["org.opencontainers.image.ref.name"] != version {
		t.Errorf("index.json entry %+v, want an image index named %s", top, version)
	}
	decode(t, blob(t, oci, top), &index)
	if len(index.Manifests) != 1 {
		t.Fatalf("the image index lists %d manifests, want 1 (one platform built)", len(index.Manifests))
	}
	md := index.Manifests[0]
	if md.Platform == nil || md.Platform.OS != "linux" || md.Platform.Architecture != runtime.GOARCH {
		t.Errorf("platform %+v, want linux/%s", md.Platform, runtime.GOARCH)
	}
	var m manifest
	decode(t, blob(t, oci, md), &m)
	var cf configFile
	decode(t, blob(t, oci, m.Config), &cf)

	// Non-root, numerically: a name would need the runtime to read
	// /etc/passwd, and Kubernetes' runAsNonRoot only trusts a number.
	user, _, _ := strings.Cut(cf.Config.User, ":")
	id, err := strconv.Atoi(user)
	if err != nil || id == 0 {
		t.Errorf("config user %q, want a non-zero numeric uid", cf.Config.User)
	}
	if want := []string{"/usr/local/bin/coperniq-mock"}; !equal(cf.Config.Entrypoint, want) {
		t.Errorf("entrypoint %q, want %q", cf.Config.Entrypoint, want)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("config platform %s/%s", cf.OS, cf.Architecture)
	}
	if len(m.Layers) != 1 || len(cf.RootFS.DiffIDs) != 1 {
		t.Fatalf("%d layers, %d diff ids, want 1 each", len(m.Layers), len(cf.RootFS.DiffIDs))
	}

	// Unpack the layer; its uncompressed digest is the config's diff id.
	zr, err := gzip.NewReader(bytes.NewReader(blob(t, oci, m.Layers[0])))
	if err != nil {
		t.Fatal(err)
	}
	layer, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(layer); "sha256:"+hex.EncodeToString(sum[:]) != cf.RootFS.DiffIDs[0] {
		t.Errorf("layer hashes to %x, diff id %s", sum, cf.RootFS.DiffIDs[0])
	}
	root := t.TempDir()
	os.Chmod(root, 0o755) // the image's "/", which its user must traverse
	headers := unpack(t, layer, root)
	if h := headers["usr/local/bin/coperniq-mock"]; h == nil || h.Mode&0o111 == 0 {
		t.Fatalf("the binary is missing or not executable: %+v", h)
	}
	if h := headers[strings.TrimPrefix(cf.Config.WorkingDir, "/")+"/"]; h == nil || h.Uid != id {
		t.Errorf("working dir %s is not the user's own (%+v), so reports could not be written there", cf.Config.WorkingDir, h)
	}
	if h := headers["tmp/"]; h == nil || h.Mode&0o1777 != 0o1777 {
		t.Errorf("/tmp missing or not world-writable: %+v", h)
	}
	passwd, _ := os.ReadFile(filepath.Join(root, "etc", "passwd"))
	if !strings.Contains(string(passwd), fmt.Sprintf(":x:%d:%d:", id, id)) {
		t.Errorf("/etc/passwd has no entry for uid %d:\n%s", id, passwd)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "etc/ssl/certs/ca-certificates.crt")); !strings.Contains(string(got), "not a real one") {
		t.Errorf("the CA bundle is not in the image: %q", got)
	}

	// Run the binary inside the unpacked root: as root (the usual case in
	// CI containers) chrooted and as the image's user, which also proves
	// it needs no dynamic loader or library; otherwise from the host.
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(root, "usr/local/bin/coperniq-mock"), args...)
		if os.Geteuid() == 0 {
			cmd.Path = "/usr/local/bin/coperniq-mock"
			cmd.Dir = "/"
			cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Credential: &syscall.Credential{Uid: uint32(id), Gid: uint32(id)}}
			cmd.Env = []string{"HOME=" + cf.Config.WorkingDir}
		}
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("coperniq-mock %s inside the image: %v\n%s", strings.Join(args, " "), err, got)
		}
		return string(got)
	}
	if got := run("--version"); !strings.Contains(got, "coperniq-mock version "+version) {
		t.Errorf("--version inside the image printed %q, want the stamped %s", got, version)
	}
	var payload struct {
		Event struct{ TriggerKey string } `json:"event"`
	}
	decode(t, []byte(run("generate", "TASK_CREATED")), &payload)
	if payload.Event.TriggerKey != "TASK_CREATED" {
		t.Errorf("generate inside the image: triggerKey %q", payload.Event.TriggerKey)
	}

	// The docker-load tarball names the tag and holds the same config.
	f, err := os.Open(filepath.Join(out, "coperniq-mock-image-linux-"+runtime.GOARCH+".tar"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name], _ = io.ReadAll(tr)
	}
	var dm []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	decode(t, files["manifest.json"], &dm)
	if len(dm) != 1 || !equal(dm[0].RepoTags, []string{"coperniq-mock:" + version}) || len(dm[0].Layers) != 1 {
		t.Fatalf("docker manifest.json %+v", dm)
	}
	if !bytes.Equal(files[dm[0].Config], blob(t, oci, m.Config)) {
		t.Errorf("the tarball's config differs from the OCI layout's")
	}

	// Same inputs, same image: a rebuild gives the same manifest digest.
	o.out = t.TempDir()
	if _, err := build(o); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(o.out, "oci", "index.json"))
	if !bytes.Equal(again, indexJSON) {
		t.Errorf("a rebuild from the same inputs changed the index:\n%s\n%s", indexJSON, again)
	}
}

// unpack extracts a layer into root, refusing paths that leave it, and
// returns the headers by name.
func unpack(t *testing.T, layer []byte, root string) map[string]*tar.Header {
	t.Helper()
	headers := map[string]*tar.Header{}
	tr := tar.NewReader(bytes.NewReader(layer))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return headers
		}
		if err != nil {
			t.Fatal(err)
		}
		headers[h.Name] = h
		p := filepath.Join(root, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, root+string(filepath.Separator)) {
			t.Fatalf("layer entry %q leaves the root", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, os.FileMode(h.Mode).Perm()|0o755)
			if os.Geteuid() == 0 {
				os.Chown(p, h.Uid, h.Gid)
			}
		case tar.TypeReg:
			data, _ := io.ReadAll(tr)
			if err := os.WriteFile(p, data, os.FileMode(h.Mode).Perm()); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("layer entry %q has type %c; the image holds only files and directories", h.Name, h.Typeflag)
		}
	}
}

func equal(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00") && len(a) == len(b)
}

func TestParseRejectsBadFlags(t *testing.T) {
	cases := []struct {
		name    string
		bins    []string
		created string
		want    string
	}{
		{"no binary", nil, "", "no -binary"},
		{"no arch", []string{"dist/coperniq-mock"}, "", "want ARCH=PATH"},
		{"bad time", []string{"amd64=x"}, "yesterday", "want RFC 3339"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := options{binaries: map[string]string{}}
			err := o.parse(c.bins, c.created, DefaultCACerts, false)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}
