// Command providerschema prints the cph provider's schemas as the JSON of
// `terraform providers schema -json`, without a Terraform or OpenTofu CLI.
// `make docs` feeds its output to `tfplugindocs generate --providers-schema`.
//
// Usage:
//
//	go run ./internal/tools/providerschema [-o schema.json] [-address registry.terraform.io/hashicorp/cph]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cph-terraform/terraform-provider-cph/internal/provider"
	"github.com/cph-terraform/terraform-provider-cph/internal/tools/providerschema/schemajson"
)

func main() {
	out := flag.String("o", "", "write the JSON to this file instead of stdout")
	address := flag.String("address", schemajson.DefaultAddress,
		"key of the provider in provider_schemas (tfplugindocs --provider-name cph looks up \"cph\" or "+schemajson.DefaultAddress+")")
	flag.Parse()

	if err := run(*out, *address); err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
}

func run(out, address string) error {
	schemas, err := schemajson.FromProvider(context.Background(), provider.New("docs")(), address)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(schemas, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the schemas: %w", err)
	}
	b = append(b, '\n')

	if out == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	// Write beside the target and rename, so a failed run never leaves a
	// truncated file for the docs generator.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".providerschema-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
