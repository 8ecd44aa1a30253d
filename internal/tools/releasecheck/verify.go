package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Project is the provider's name: the registry derives the type "cph" from
// the repository, archives and binaries all start with it.
const Project = "terraform-provider-cph"

// mainPackage is the module path the binaries must be built from.
const mainPackage = "github.com/cph-terraform/terraform-provider-cph"

// RequiredPlatforms are the os_arch pairs a release must contain: what
// terraform and tofu users run on. .goreleaser.yml may build more (386 and
// arm), and every archive it builds is checked the same way.
var RequiredPlatforms = []string{
	"darwin_amd64", "darwin_arm64",
	"freebsd_amd64", "freebsd_arm64",
	"linux_amd64", "linux_arm64",
	"windows_amd64", "windows_arm64",
}

// Release is what Verify found in a valid dist/ directory.
type Release struct {
	Project, Version string
	Archives         []Archive // sorted by name
}

// Archive is one platform's zip.
type Archive struct {
	Name     string // terraform-provider-cph_<version>_<os>_<arch>.zip
	Platform string // <os>_<arch>
	Size     int64
}

// metadata is the part of goreleaser's dist/metadata.json that names the
// release.
type metadata struct {
	ProjectName string `json:"project_name"`
	Version     string `json:"version"`
}

// manifest is terraform-registry-manifest.json.
type manifest struct {
	Version  int `json:"version"`
	Metadata struct {
		ProtocolVersions []string `json:"protocol_versions"`
	} `json:"metadata"`
}

// Verify checks dist (goreleaser's output) and the manifest file that the
// release uploads beside it, and returns every problem found, joined.
func Verify(dist, manifestPath string, required []string) (*Release, error) {
	md, err := readMetadata(filepath.Join(dist, "metadata.json"))
	if err != nil {
		return nil, err
	}
	rel := &Release{Project: md.ProjectName, Version: md.Version}

	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	entries, err := os.ReadDir(dist)
	if err != nil {
		return nil, err
	}
	archiveName := regexp.MustCompile(`^` + regexp.QuoteMeta(Project+"_"+rel.Version+"_") +
		`([a-z0-9]+_[a-z0-9]+)\.zip$`)
	digests := map[string]string{} // file name -> sha256, for every zip in dist
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".zip") {
			continue
		}
		m := archiveName.FindStringSubmatch(name)
		if m == nil {
			fail("archive %s: the registry needs the name %s_%s_<os>_<arch>.zip", name, Project, rel.Version)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		digests[name] = hex.EncodeToString(sum[:])
		rel.Archives = append(rel.Archives, Archive{Name: name, Platform: m[1], Size: int64(len(data))})
		if err := checkArchive(data, m[1], rel.Version); err != nil {
			fail("archive %s: %w", name, err)
		}
	}
	slices.SortFunc(rel.Archives, func(a, b Archive) int { return strings.Compare(a.Name, b.Name) })

	for _, p := range required {
		if !slices.ContainsFunc(rel.Archives, func(a Archive) bool { return a.Platform == p }) {
			fail("no archive for %s: want %s_%s_%s.zip", p, Project, rel.Version, p)
		}
	}

	manifestName := Project + "_" + rel.Version + "_manifest.json"
	manifestData, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, err
	}
	if err := checkManifest(manifestData); err != nil {
		fail("manifest %s: %w", manifestPath, err)
	}
	mSum := sha256.Sum256(manifestData)

	sumsName := Project + "_" + rel.Version + "_SHA256SUMS"
	listed, err := readChecksums(filepath.Join(dist, sumsName))
	if err != nil {
		fail("%w", err)
	} else {
		want := maps.Clone(digests)
		want[manifestName] = hex.EncodeToString(mSum[:])
		for _, name := range slices.Sorted(maps.Keys(listed)) {
			sum := listed[name]
			w, ok := want[name]
			switch {
			case !ok:
				fail("%s lists %s, which is not in the release", sumsName, name)
			case name == manifestName && sum != w:
				fail("%s lists %s with sha256 %s, but %s has %s", sumsName, name, sum, manifestPath, w)
			case sum != w:
				fail("%s lists %s with sha256 %s, but the file has %s", sumsName, name, sum, w)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			if _, ok := listed[name]; !ok {
				fail("%s does not list %s", sumsName, name)
			}
		}
	}
	return rel, errors.Join(errs...)
}

func readMetadata(path string) (metadata, error) {
	var md metadata
	data, err := os.ReadFile(path)
	if err != nil {
		return md, fmt.Errorf("reading goreleaser's metadata (is this a goreleaser dist/ directory?): %w", err)
	}
	if err := json.Unmarshal(data, &md); err != nil {
		return md, fmt.Errorf("%s: %w", path, err)
	}
	if md.ProjectName != Project {
		return md, fmt.Errorf("%s: project_name is %q, want %q", path, md.ProjectName, Project)
	}
	if md.Version == "" || strings.HasPrefix(md.Version, "v") {
		return md, fmt.Errorf("%s: version is %q, want a semantic version without the v", path, md.Version)
	}
	return md, nil
}

// checkArchive checks that a zip holds one executable, named and built as the
// registry and the CLIs need for platform (<os>_<arch>).
func checkArchive(data []byte, platform, version string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	goos, goarch, _ := strings.Cut(platform, "_")
	want := Project + "_v" + version
	if goos == "windows" {
		want += ".exe"
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if len(names) != 1 || names[0] != want {
		return fmt.Errorf("holds %q, want only the binary %q", names, want)
	}
	f := zr.File[0]
	if !f.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (mode %s)", f.Name, f.Mode())
	}
	if goos != "windows" && f.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not executable (mode %s)", f.Name, f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	bin, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	info, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("%s is not a Go binary with build information: %w", f.Name, err)
	}
	if info.Path != mainPackage {
		return fmt.Errorf("%s is built from %q, want %q", f.Name, info.Path, mainPackage)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for key, want := range map[string]string{
		"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0", "-trimpath": "true",
	} {
		if got := settings[key]; got != want {
			return fmt.Errorf("%s is built with %s=%q, want %q", f.Name, key, got, want)
		}
	}
	// -trimpath keeps -ldflags out of the build information (go.dev/issue/52372)
	// and -s -w drop the symbols, so main.version cannot be read back; the
	// binary must at least hold the version string that -X main.version puts
	// in it (specific for a snapshot: 0.0.0-SNAPSHOT-<commit>).
	if !bytes.Contains(bin, []byte(version)) {
		return fmt.Errorf("%s does not hold its version %q: want -X main.version=%s in its ldflags", f.Name, version, version)
	}
	return nil
}

// checkManifest checks terraform-registry-manifest.json: version 1, and plugin
// protocol 6.0 only (the framework serves protocol 6; declaring 5.0 would make
// the registry offer the provider to CLIs that cannot run it).
func checkManifest(data []byte) error {
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m.Version != 1 {
		return fmt.Errorf("version is %d, want 1", m.Version)
	}
	if !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		return fmt.Errorf("metadata.protocol_versions is %q, want [\"6.0\"]", m.Metadata.ProtocolVersions)
	}
	return nil
}

// readChecksums parses a sha256sum file: "<64 hex digits>  <name>" a line.
func readChecksums(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the checksums: %w", err)
	}
	line := regexp.MustCompile(`^([0-9a-f]{64})  (\S+)$`)
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			return nil, fmt.Errorf("%s line %d: %q is not \"<sha256>  <file>\"", filepath.Base(path), n, sc.Text())
		}
		if _, dup := sums[m[2]]; dup {
			return nil, fmt.Errorf("%s lists %s twice", filepath.Base(path), m[2])
		}
		sums[m[2]] = m[1]
	}
	if len(sums) == 0 {
		return nil, fmt.Errorf("%s is empty", filepath.Base(path))
	}
	return sums, sc.Err()
}
