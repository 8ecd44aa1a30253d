package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testVersion = "1.2.3"

const goodManifest = `{"version": 1, "metadata": {"protocol_versions": ["6.0"]}}` + "\n"

// linuxBinary builds testdata/provider once, as goreleaser builds the
// provider for linux_amd64 (the platform whose standard library the build
// cache most likely holds already): a real Go binary whose build
// information the checks read.
var linuxBinary = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "releasecheck-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "bin")
	cmd := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-s -w -X main.version="+testVersion, "-o", out, ".")
	cmd.Dir = filepath.Join("testdata", "provider")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building testdata/provider: %w\n%s", err, msg)
	}
	return os.ReadFile(out)
})

// zipFile is one entry of a fixture archive.
type zipFile struct {
	name string
	mode os.FileMode
	data []byte
}

// fixture is a dist/ directory as goreleaser writes it, before writing.
type fixture struct {
	version  string               // metadata.json's version
	archives map[string][]zipFile // archive file name -> entries
	manifest string               // the manifest the checksums are made from
	// changedManifest, when set, is the repository's manifest: one changed
	// after the checksums were made.
	changedManifest string
	// sums edits the SHA256SUMS lines before they are written.
	sums func(lines []string) []string
}

// newFixture is a valid release of the linux binary as linux_amd64.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	bin, err := linuxBinary()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		version: testVersion,
		archives: map[string][]zipFile{
			"terraform-provider-cph_1.2.3_linux_amd64.zip": {{"terraform-provider-cph_v1.2.3", 0o755, bin}},
		},
		manifest: goodManifest,
	}
}

// write writes the fixture and returns the dist directory and manifest path.
func (f *fixture) write(t *testing.T) (dist, manifestPath string) {
	t.Helper()
	root := t.TempDir()
	dist = filepath.Join(root, "dist")
	manifestPath = filepath.Join(root, "terraform-registry-manifest.json")
	if err := os.Mkdir(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	repoManifest := f.manifest
	if f.changedManifest != "" {
		repoManifest = f.changedManifest
	}
	writeFile(t, manifestPath, []byte(repoManifest))
	md, err := json.Marshal(map[string]string{"project_name": Project, "version": f.version, "tag": "v" + f.version})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dist, "metadata.json"), md)

	var lines []string
	for name, files := range f.archives {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, zf := range files {
			// Stored, not deflated: compression under -race costs seconds and the
			// checks read the entries either way.
			h := &zip.FileHeader{Name: zf.name, Method: zip.Store}
			h.SetMode(zf.mode)
			w, err := zw.CreateHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(zf.data); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dist, name), buf.Bytes())
		lines = append(lines, sumLine(buf.Bytes(), name))
	}
	lines = append(lines, sumLine([]byte(f.manifest), "terraform-provider-cph_"+f.version+"_manifest.json"))
	slices.Sort(lines)
	if f.sums != nil {
		lines = f.sums(lines)
	}
	sums := strings.Join(lines, "\n") + "\n"
	writeFile(t, filepath.Join(dist, "terraform-provider-cph_"+f.version+"_SHA256SUMS"), []byte(sums))
	return dist, manifestPath
}

func sumLine(data []byte, name string) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + "  " + name
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerify_Valid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dist, manifestPath := f.write(t)
	rel, err := Verify(dist, manifestPath, []string{"linux_amd64"})
	if err != nil {
		t.Fatalf("a valid release is rejected: %v", err)
	}
	size := func(name string) int64 {
		st, err := os.Stat(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	want := &Release{Project: Project, Version: testVersion, Archives: []Archive{{
		Name:     "terraform-provider-cph_1.2.3_linux_amd64.zip",
		Platform: "linux_amd64",
		Size:     size("terraform-provider-cph_1.2.3_linux_amd64.zip"),
	}}}
	if diff := cmp.Diff(want, rel); diff != "" {
		t.Errorf("release (-want +got):\n%s", diff)
	}
}

// Each case breaks one thing the registry or the CLIs rely on; Verify must
// name it.
func TestVerify_Rejects(t *testing.T) {
	t.Parallel()
	const linuxZip = "terraform-provider-cph_1.2.3_linux_amd64.zip"
	for name, tc := range map[string]struct {
		edit     func(f *fixture)
		required []string
		wantErr  []string
	}{
		"missing required platform": {
			required: []string{"linux_amd64", "darwin_arm64"},
			wantErr:  []string{"no archive for darwin_arm64: want terraform-provider-cph_1.2.3_darwin_arm64.zip"},
		},
		"archive name not in the registry's form": {
			edit: func(f *fixture) {
				f.archives["terraform-provider-cph_1.2.3_linux-amd64.zip"] = f.archives[linuxZip]
				delete(f.archives, linuxZip)
			},
			wantErr: []string{
				"archive terraform-provider-cph_1.2.3_linux-amd64.zip: the registry needs the name terraform-provider-cph_1.2.3_<os>_<arch>.zip",
				"no archive for linux_amd64",
			},
		},
		"binary without the version in its name": {
			edit:    func(f *fixture) { f.archives[linuxZip][0].name = "terraform-provider-cph" },
			wantErr: []string{`holds ["terraform-provider-cph"], want only the binary "terraform-provider-cph_v1.2.3"`},
		},
		"more than the binary in the zip": {
			edit: func(f *fixture) {
				f.archives[linuxZip] = append(f.archives[linuxZip], zipFile{"README.md", 0o644, []byte("hi")})
			},
			wantErr: []string{`want only the binary "terraform-provider-cph_v1.2.3"`},
		},
		"binary not executable": {
			edit:    func(f *fixture) { f.archives[linuxZip][0].mode = 0o644 },
			wantErr: []string{"terraform-provider-cph_v1.2.3 is not executable"},
		},
		"not a Go binary": {
			edit:    func(f *fixture) { f.archives[linuxZip][0].data = []byte("#!/bin/sh\n") },
			wantErr: []string{"is not a Go binary with build information"},
		},
		"binary built for another platform": {
			edit: func(f *fixture) {
				bin := f.archives[linuxZip][0].data
				f.archives["terraform-provider-cph_1.2.3_windows_amd64.zip"] = []zipFile{
					{"terraform-provider-cph_v1.2.3.exe", 0o755, bin}}
			},
			wantErr: []string{`archive terraform-provider-cph_1.2.3_windows_amd64.zip: terraform-provider-cph_v1.2.3.exe is built with GOOS="linux", want "windows"`},
		},
		"version in the names but not in main.version": {
			edit: func(f *fixture) {
				f.version = "1.2.4"
				f.archives = map[string][]zipFile{"terraform-provider-cph_1.2.4_linux_amd64.zip": {
					{"terraform-provider-cph_v1.2.4", 0o755, f.archives[linuxZip][0].data}}}
			},
			wantErr: []string{"want -X main.version=1.2.4"},
		},
		"checksum does not match": {
			edit: func(f *fixture) {
				f.sums = func(lines []string) []string {
					for i, l := range lines {
						if strings.HasSuffix(l, linuxZip) {
							lines[i] = strings.Repeat("0", 64) + "  " + linuxZip
						}
					}
					return lines
				}
			},
			wantErr: []string{"terraform-provider-cph_1.2.3_SHA256SUMS lists " + linuxZip + " with sha256 " +
				strings.Repeat("0", 64) + ", but the file has"},
		},
		"checksums without the manifest": {
			edit: func(f *fixture) {
				f.sums = func(lines []string) []string {
					return slices.DeleteFunc(lines, func(l string) bool { return strings.HasSuffix(l, "_manifest.json") })
				}
			},
			wantErr: []string{"terraform-provider-cph_1.2.3_SHA256SUMS does not list terraform-provider-cph_1.2.3_manifest.json"},
		},
		"checksums list a file the release lacks": {
			edit: func(f *fixture) {
				f.sums = func(lines []string) []string {
					return append(lines, strings.Repeat("a", 64)+"  terraform-provider-cph_1.2.3_plan9_amd64.zip")
				}
			},
			wantErr: []string{"lists terraform-provider-cph_1.2.3_plan9_amd64.zip, which is not in the release"},
		},
		"checksums not in sha256sum form": {
			edit:    func(f *fixture) { f.sums = func(lines []string) []string { return append(lines, "garbage") } },
			wantErr: []string{`line 3: "garbage" is not "<sha256>  <file>"`},
		},
		"manifest changed after the checksums": {
			edit:    func(f *fixture) { f.changedManifest = `{"version":1,"metadata":{"protocol_versions":["6.0"]}}` },
			wantErr: []string{"lists terraform-provider-cph_1.2.3_manifest.json with sha256"},
		},
		"manifest declares protocol 5": {
			edit:    func(f *fixture) { f.manifest = `{"version":1,"metadata":{"protocol_versions":["5.0"]}}` },
			wantErr: []string{`metadata.protocol_versions is ["5.0"], want ["6.0"]`},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.edit != nil {
				tc.edit(f)
			}
			required := tc.required
			if required == nil {
				required = []string{"linux_amd64"}
			}
			dist, manifestPath := f.write(t)
			_, err := Verify(dist, manifestPath, required)
			if err == nil {
				t.Fatal("Verify accepted a broken release")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestVerify_NotADist(t *testing.T) {
	t.Parallel()
	_, err := Verify(t.TempDir(), "terraform-registry-manifest.json", RequiredPlatforms)
	if err == nil || !strings.Contains(err.Error(), "is this a goreleaser dist/ directory?") {
		t.Errorf("err = %v, want it to say the directory is not a goreleaser dist/", err)
	}
}

// The repository's own manifest is the one every release uploads.
func TestRepositoryManifest(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "terraform-registry-manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkManifest(data); err != nil {
		t.Error(err)
	}
}
