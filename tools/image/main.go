// Command image builds coperniq-mock's container image from binaries that
// are already built (static, CGO_ENABLED=0: `make image` builds them), with
// no Docker engine and no base image to pull: the image is one layer on an
// empty base. It writes
//
//	OUT/oci/                               an OCI image layout: one index, named
//	                                       VERSION, with an image per platform
//	OUT/coperniq-mock-image-linux-ARCH.tar  per platform, for docker/podman load
//
// The layer holds the binary as /usr/local/bin/coperniq-mock (the
// entrypoint), an /etc/passwd and /etc/group naming the non-root user it
// runs as (65532, "nonroot"), that user's home as the working directory so
// reports can be written there, a writable /tmp, and the build machine's CA
// bundle, so HTTPS targets verify as they do on the host.
//
// go-containerregistry writes the formats: it is what ko and crane build
// on, it gets digests, diff IDs and media types right for both the OCI
// layout and the docker-load tarball, and it costs four small modules.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The user the image runs as: distroless's "nonroot", a uid no host
// account is likely to have.
const (
	uid      = 65532
	userName = "nonroot"
	home     = "/home/nonroot"
	binPath  = "/usr/local/bin/coperniq-mock"
)

// DefaultCACerts is where Debian, Ubuntu and Alpine keep the system CA
// bundle, and where Go's crypto/x509 looks first on Linux.
const DefaultCACerts = "/etc/ssl/certs/ca-certificates.crt"

// options say what to build.
type options struct {
	binaries map[string]string // GOARCH → path of a linux binary
	out      string
	repo     string // image name without tag, e.g. "coperniq-mock"
	version  string // tag and org.opencontainers.image.version
	revision string // commit, for org.opencontainers.image.revision
	created  time.Time
	caCerts  string // "" for none
}

func main() {
	var (
		o        = options{binaries: map[string]string{}}
		bins     multiFlag
		created  string
		caCerts  string
		noCACert bool
	)
	flag.Var(&bins, "binary", "ARCH=PATH of a static linux binary (repeat per architecture)")
	flag.StringVar(&o.out, "out", "dist/image", "directory to write the OCI layout and tarballs into")
	flag.StringVar(&o.repo, "repo", "coperniq-mock", "image name, without tag")
	flag.StringVar(&o.version, "version", "dev", "image tag and version label")
	flag.StringVar(&o.revision, "revision", "", "commit, for the revision label")
	flag.StringVar(&created, "created", "", "creation time (RFC 3339), e.g. the commit time, for reproducible images; default the Unix epoch")
	flag.StringVar(&caCerts, "ca-certs", DefaultCACerts, "CA bundle to copy into the image")
	flag.BoolVar(&noCACert, "no-ca-certs", false, "leave the CA bundle out")
	flag.Parse()
	if err := o.parse(bins, created, caCerts, noCACert); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(2)
	}
	written, err := build(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	for _, w := range written {
		fmt.Println(w)
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (o *options) parse(bins []string, created, caCerts string, noCACert bool) error {
	if len(bins) == 0 {
		return errors.New("no -binary ARCH=PATH given")
	}
	for _, b := range bins {
		arch, path, ok := strings.Cut(b, "=")
		if !ok || arch == "" || path == "" {
			return fmt.Errorf("-binary %q: want ARCH=PATH, e.g. amd64=dist/linux-amd64/coperniq-mock", b)
		}
		o.binaries[arch] = path
	}
	if created != "" {
		t, err := time.Parse(time.RFC3339, created)
		if err != nil {
			return fmt.Errorf("-created %q: want RFC 3339, e.g. 2026-03-31T15:59:50Z", created)
		}
		o.created = t.UTC()
	} else {
		o.created = time.Unix(0, 0).UTC()
	}
	if !noCACert {
		o.caCerts = caCerts
	}
	return nil
}

// build writes the OCI layout and one docker-load tarball per
// architecture, and returns what it wrote.
func build(o options) ([]string, error) {
	var ca []byte
	if o.caCerts != "" {
		var err error
		if ca, err = os.ReadFile(o.caCerts); err != nil {
			return nil, fmt.Errorf("CA bundle: %w (pass -ca-certs FILE, or -no-ca-certs for an image that trusts nothing)", err)
		}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, err
	}
	ociDir := filepath.Join(o.out, "oci")
	if err := os.RemoveAll(ociDir); err != nil {
		return nil, err
	}
	var idx v1.ImageIndex = empty.Index
	idx = mutate.IndexMediaType(idx, types.OCIImageIndex)
	written := []string{ociDir}
	tag, err := name.NewTag(o.repo + ":" + o.version)
	if err != nil {
		return nil, fmt.Errorf("image name %s:%s: %w", o.repo, o.version, err)
	}
	for _, arch := range slices.Sorted(maps.Keys(o.binaries)) {
		bin, err := os.ReadFile(o.binaries[arch])
		if err != nil {
			return nil, fmt.Errorf("binary for %s: %w", arch, err)
		}
		img, err := image(o, arch, bin, ca)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}},
		})
		tb := filepath.Join(o.out, "coperniq-mock-image-linux-"+arch+".tar")
		if err := tarball.WriteToFile(tb, tag, img); err != nil {
			return nil, err
		}
		written = append(written, tb)
	}
	// One entry in index.json, the multi-platform index, named by the
	// version: what `skopeo copy --all oci:DIR:VERSION docker://...` and
	// other OCI layout readers look up.
	p, err := layout.Write(ociDir, empty.Index)
	if err != nil {
		return nil, err
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": o.version})); err != nil {
		return nil, err
	}
	return written, nil
}

// image is one platform's image: the empty base, one layer, the config.
func image(o options, arch string, bin, ca []byte) (v1.Image, error) {
	rootfs, err := rootfs(bin, ca, o.created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(rootfs)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: o.created},
			CreatedBy: "coperniq-mock tools/image",
			Comment:   "coperniq-mock " + o.version,
		},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: o.created}
	cf.Config.User = fmt.Sprintf("%d:%d", uid, uid)
	cf.Config.Entrypoint = []string{binPath}
	cf.Config.Cmd = []string{"--help"}
	cf.Config.WorkingDir = home
	cf.Config.Env = []string{"PATH=/usr/local/bin", "HOME=" + home}
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title":       "coperniq-mock",
		"org.opencontainers.image.description": "Stand-in for Coperniq's webhook sender",
		"org.opencontainers.image.source":      "https://github.com/coperniq-mock/coperniq-mock",
		"org.opencontainers.image.version":     o.version,
		"org.opencontainers.image.revision":    o.revision,
	}
	return mutate.ConfigFile(img, cf)
}

// rootfs is the layer's uncompressed tar. Every entry has the same time
// and numeric owners, so the same inputs give the same digest.
func rootfs(bin, ca []byte, at time.Time) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	dir := func(path string, mode int64, owner int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: path + "/", Mode: mode, Uid: owner, Gid: owner, ModTime: at, Format: tar.FormatPAX})
	}
	file := func(path string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path, Mode: mode, Size: int64(len(data)), ModTime: at, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:%s:/sbin/nologin\n", userName, uid, uid, userName, home)
	group := fmt.Sprintf("root:x:0:\n%s:x:%d:\n", userName, uid)
	steps := []func() error{
		func() error { return dir("etc", 0o755, 0) },
		func() error { return file("etc/passwd", 0o644, []byte(passwd)) },
		func() error { return file("etc/group", 0o644, []byte(group)) },
		func() error { return dir("home", 0o755, 0) },
		func() error { return dir("home/nonroot", 0o700, uid) },
		func() error { return dir("tmp", 0o1777, 0) },
		func() error { return dir("usr", 0o755, 0) },
		func() error { return dir("usr/local", 0o755, 0) },
		func() error { return dir("usr/local/bin", 0o755, 0) },
		func() error { return file(strings.TrimPrefix(binPath, "/"), 0o755, bin) },
	}
	if ca != nil {
		steps = append(steps,
			func() error { return dir("etc/ssl", 0o755, 0) },
			func() error { return dir("etc/ssl/certs", 0o755, 0) },
			func() error { return file("etc/ssl/certs/ca-certificates.crt", 0o644, ca) },
		)
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
