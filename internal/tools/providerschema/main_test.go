package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cph-terraform/terraform-provider-cph/internal/tools/providerschema/schemajson"
)

// The real provider's document: what `make docs` relies on.
func TestRun_CPHProvider(t *testing.T) {
	t.Parallel()

	out := filepath.Join(t.TempDir(), "schema.json")
	if err := run(out, schemajson.DefaultAddress); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc tfjson.ProviderSchemas
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("terraform-json rejects the document: %v", err)
	}
	ps := doc.Schemas[schemajson.DefaultAddress]
	if ps == nil {
		t.Fatalf("no schema under %q", schemajson.DefaultAddress)
	}
	if ps.ConfigSchema == nil || ps.ConfigSchema.Block == nil {
		t.Fatal("no provider configuration schema")
	}
	for _, name := range []string{"auth_token", "secret_key", "security_token", "password"} {
		a := ps.ConfigSchema.Block.Attributes[name]
		if a == nil {
			t.Errorf("provider attribute %q missing", name)
			continue
		}
		if !a.Sensitive {
			t.Errorf("provider attribute %q is not sensitive", name)
		}
	}
	if ps.ResourceSchemas["cph_phone_reset"] == nil {
		t.Error("resource cph_phone_reset missing")
	}
	// The action's docs come only from this document: no CLI prints action schemas.
	switch a := ps.ActionSchemas["cph_phone_reset"]; {
	case a == nil || a.Block == nil:
		t.Error("action cph_phone_reset missing")
	case a.Block.Attributes["phones"] == nil || !a.Block.Attributes["phones"].Required:
		t.Error("action cph_phone_reset: phones missing or not required")
	case a.Block.NestedBlocks["timeouts"] == nil || a.Block.NestedBlocks["timeouts"].Block.Attributes["invoke"] == nil:
		t.Error("action cph_phone_reset: timeouts.invoke missing")
	}
}
