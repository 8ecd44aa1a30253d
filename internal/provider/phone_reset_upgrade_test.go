package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestUpgradeStateV0 reads state written by provider 0.1 (schema version 0)
// and checks that each folded status gets its one meaning.
func TestUpgradeStateV0(t *testing.T) {
	t.Parallel()
	const v0 = `{
  "id": "r1", "image_id": null, "factory_reset_enabled": null, "properties": null, "triggers": null,
  "wait_for_completion": true, "timeouts": null, "request_ids": ["r1"],
  "phones": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": {}, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": {}, "cccccccccccccccccccccccccccccccc": {},
             "dddddddddddddddddddddddddddddddd": {}, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee": {}},
  "jobs": {
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": {"job_id": "j1", "request_id": "r1", "status": "succeeded", "error_code": null, "error_msg": null},
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": {"job_id": "j2", "request_id": "r1", "status": "failed", "error_code": "CPS.0003", "error_msg": "internal"},
    "cccccccccccccccccccccccccccccccc": {"job_id": null, "request_id": null, "status": "failed", "error_code": null,
      "error_msg": "the batch-reset request may have reached the service but no answer came back, so this phone may be resetting; check it"},
    "dddddddddddddddddddddddddddddddd": {"job_id": null, "request_id": null, "status": "rejected", "error_code": null,
      "error_msg": "not sent: an earlier batch-reset request failed"},
    "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee": {"job_id": null, "request_id": "r1", "status": "rejected", "error_code": "CPS.0022", "error_msg": "busy"}
  }
}`
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.ResourceSchemas["cph_phone_reset"].ValueType()
	resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "cph_phone_reset", Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(v0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Fatalf("diagnostic: %s: %s", d.Summary, d.Detail)
	}
	val, err := resp.UpgradedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := val.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var jobs map[string]tftypes.Value
	if err := attrs["jobs"].As(&jobs); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "succeeded",
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": "failed",
		"cccccccccccccccccccccccccccccccc": "unknown",
		"dddddddddddddddddddddddddddddddd": "not_sent",
		"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee": "rejected",
	}
	for id, status := range want {
		var job map[string]tftypes.Value
		if err := jobs[id].As(&job); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := job["status"].As(&got); err != nil || got != status {
			t.Errorf("phone %s: status %q (%v), want %q", id, got, err, status)
		}
		if !job["sent_at"].IsNull() {
			t.Errorf("phone %s: sent_at = %v, want null", id, job["sent_at"])
		}
	}
	var incomplete []tftypes.Value
	if err := attrs["incomplete_phones"].As(&incomplete); err != nil || len(incomplete) != 4 {
		t.Errorf("incomplete_phones = %v (%v), want the 4 phones that did not succeed", incomplete, err)
	}
	var mode string
	if err := attrs["on_create_failure"].As(&mode); err != nil || mode != "taint" {
		t.Errorf("on_create_failure = %q, want taint", mode)
	}
}
