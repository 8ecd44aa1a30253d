package provider

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// UpgradeState reads state written by schema version 0 (provider 0.1), whose
// statuses meant two things each: "failed" was also "we do not know", and
// "rejected" was also "never sent". Version 1 tells them apart (see
// reset.StatusTable) and adds sent_at, on_create_failure and
// incomplete_phones. The upgrade works on the raw JSON, which stays linear
// at fleet size.
func (r *phoneResetResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: upgradeStateV0},
	}
}

// The messages version 0 wrote for the two meanings it folded together.
const (
	v0UncertainPrefix  = "the batch-reset request may have reached the service"
	v0IncompletePrefix = "the batch-reset request was not completed"
	v0NotSentPrefix    = "not sent:"
)

func upgradeStateV0(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil || req.RawState.JSON == nil {
		resp.Diagnostics.AddError("Upgrade cph_phone_reset State", "The prior state has no JSON form to upgrade.")
		return
	}
	var st map[string]any
	if err := json.Unmarshal(req.RawState.JSON, &st); err != nil {
		resp.Diagnostics.AddError("Upgrade cph_phone_reset State", "The prior state (version 0) cannot be read: "+err.Error())
		return
	}
	jobs, _ := st["jobs"].(map[string]any)
	var incomplete []string
	for id, v := range jobs {
		j, ok := v.(map[string]any)
		if !ok {
			continue
		}
		status, _ := j["status"].(string)
		msg, _ := j["error_msg"].(string)
		switch {
		case status == "failed" && j["job_id"] == nil && strings.HasPrefix(msg, v0UncertainPrefix):
			status = "unknown"
			j["error_msg"] = msg + " [recorded by provider 0.1, which kept no sent_at: refreshes cannot settle it; " +
				"check the phone and decide as the resource's documentation says]"
		case status == "failed" && j["job_id"] == nil && strings.HasPrefix(msg, v0IncompletePrefix),
			status == "rejected" && strings.HasPrefix(msg, v0NotSentPrefix):
			status = "not_sent"
		}
		j["status"] = status
		j["sent_at"] = nil
		if status != "succeeded" {
			incomplete = append(incomplete, id)
		}
	}
	slices.Sort(incomplete)
	if incomplete == nil {
		incomplete = []string{}
	}
	st["incomplete_phones"] = incomplete
	st["on_create_failure"] = createFailureTaint
	b, err := json.Marshal(st)
	if err != nil {
		resp.Diagnostics.AddError("Upgrade cph_phone_reset State", "The upgraded state cannot be written: "+err.Error())
		return
	}
	resp.DynamicValue = &tfprotov6.DynamicValue{JSON: b}
}
