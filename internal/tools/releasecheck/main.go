// Command releasecheck verifies a goreleaser dist/ directory against what the
// Terraform and OpenTofu registries need from a provider release: one zip per
// platform named terraform-provider-cph_<version>_<os>_<arch>.zip, holding
// only the binary terraform-provider-cph_v<version> (.exe on Windows) built
// for that platform with CGO_ENABLED=0, -trimpath and main.version; a
// SHA256SUMS file that lists exactly those zips and the manifest, with
// matching digests; and a manifest that declares plugin protocol 6.0.
//
// A snapshot never copies the manifest into dist/ (goreleaser uploads it from
// the repository as a release extra file), so the manifest checked is the
// repository's, and its digest must be the one SHA256SUMS lists.
//
// `make release-snapshot` runs it after `goreleaser release --snapshot`.
//
// Usage:
//
//	go run ./internal/tools/releasecheck [-dist dist] [-manifest terraform-registry-manifest.json]
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	dist := flag.String("dist", "dist", "goreleaser's output directory")
	manifest := flag.String("manifest", "terraform-registry-manifest.json",
		"the registry manifest that goreleaser uploads as <project>_<version>_manifest.json")
	flag.Parse()

	rel, err := Verify(*dist, *manifest, RequiredPlatforms)
	if err != nil {
		fmt.Fprintf(os.Stderr, "releasecheck: %s is not a publishable release:\n", *dist)
		for _, e := range unjoin(err) {
			fmt.Fprintln(os.Stderr, "  -", e)
		}
		os.Exit(1)
	}
	fmt.Printf("releasecheck: %s: %s %s, %d archives, checksums and manifest (protocol 6.0) verified\n",
		*dist, rel.Project, rel.Version, len(rel.Archives))
	for _, a := range rel.Archives {
		fmt.Printf("  %-60s %6.1f MiB\n", a.Name, float64(a.Size)/(1<<20))
	}
}

// unjoin lists the errors of an errors.Join, one problem a line.
func unjoin(err error) []error {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return j.Unwrap()
	}
	return []error{err}
}
