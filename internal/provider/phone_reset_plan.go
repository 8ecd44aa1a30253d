package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ValidateConfig checks everything that needs no API call, in one pass over
// the fleet (per-element validators cost too much at fleet size).
func (r *phoneResetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m phoneResetModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.ImageID.IsNull() && !m.ImageID.IsUnknown() && !hex32.MatchString(m.ImageID.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("image_id"), "Invalid Image ID",
			fmt.Sprintf("An image ID is 32 lowercase hexadecimal characters, got %q.", m.ImageID.ValueString()))
	}
	validateProperties(&resp.Diagnostics, path.Root("properties"), m.Properties)
	if m.Phones.IsNull() || m.Phones.IsUnknown() {
		return
	}
	if len(m.Phones.Elements()) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("phones"), "No Phones To Reset",
			"phones must name at least one phone, e.g. phones = { \"<phone id>\" = {} }.")
		return
	}
	common := stringMap(m.Properties)
	commonKnown := stringMapKnown(m.Properties)
	phones := m.Phones.Elements() // a copy: take it once, not per phone
	for _, id := range sortedKeys(phones) {
		p := phonePath(id)
		if !hex32.MatchString(id) {
			resp.Diagnostics.AddAttributeError(p, "Invalid Phone ID",
				fmt.Sprintf("A phone ID is 32 lowercase hexadecimal characters, got %q.", id))
		}
		own, _ := phones[id].(types.Map)
		if own.IsUnknown() {
			continue
		}
		if own.IsNull() {
			resp.Diagnostics.AddAttributeError(p, "Missing Phone Properties",
				"Give each phone a map of properties; use {} for none.")
			continue
		}
		validateProperties(&resp.Diagnostics, p, own)
		if commonKnown && stringMapKnown(own) {
			if _, err := phoneprops.Encode(phoneprops.Effective(common, stringMap(own))); err != nil {
				resp.Diagnostics.AddAttributeError(p, "Properties Too Long", fmt.Sprintf("Phone %s: %v.", id, err))
			}
		}
	}
}

func validateProperties(diags *diag.Diagnostics, at path.Path, m types.Map) {
	if m.IsNull() || m.IsUnknown() {
		return
	}
	elems := m.Elements()
	for _, k := range sortedKeys(elems) {
		v, _ := elems[k].(types.String)
		switch {
		case v.IsUnknown():
		case v.IsNull():
			diags.AddAttributeError(at.AtMapKey(k), "Missing Property Value", fmt.Sprintf("Property %q has no value.", k))
		default:
			if err := phoneprops.ValidateValue(k, v.ValueString()); err != nil {
				diags.AddAttributeError(at.AtMapKey(k), "Invalid Property", err.Error()+".")
			}
		}
	}
}

// ModifyPlan makes the plan name the phones an apply will reset: their jobs
// entries become unknown and every other entry keeps its recorded value. It
// must produce exactly the prior state when nothing changes, and it uses
// reset.Select, as Create and Update do, so the apply does what was shown.
func (r *phoneResetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing to reset
	}
	var plan phoneResetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var prior *reset.Prior
	var state phoneResetModel
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		prior = &reset.Prior{Inputs: state.inputs(), Jobs: jobsFromState(state.Jobs), Adopted: isAdopted(ctx, req.Private)}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.inputsKnown() {
		plan.Jobs, plan.RequestIDs = types.MapUnknown(jobObjectType), types.ListUnknown(types.StringType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	in := plan.inputs()
	selected := reset.Select(prior, in)
	isSelected := make(map[string]bool, len(selected))
	for _, id := range selected {
		isSelected[id] = true
	}
	elems := make(map[string]attr.Value, len(in.Phones))
	recorded := state.Jobs.Elements() // a copy: take it once, not per phone
	kept := map[string]reset.Job{}
	for id := range in.Phones {
		if isSelected[id] {
			elems[id] = unknownJobElement
			continue
		}
		elems[id] = recorded[id] // exactly the recorded value
		kept[id] = prior.Jobs[id]
	}
	plan.Jobs = types.MapValueMust(jobObjectType, elems)
	if len(selected) > 0 {
		plan.RequestIDs = types.ListUnknown(types.StringType)
	} else {
		plan.RequestIDs = requestIDsValue(kept)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if len(selected) > 0 {
		r.checkPhonesResettable(ctx, selected, &resp.Diagnostics)
	}
}

// checkPhonesResettable fails the plan for phones that do not exist or are
// being reset, so a typo fails `plan` rather than half an apply. It lists the
// project's phones page by page (calls grow with the fleet / 200, not per
// phone) and only runs once the provider is configured.
func (r *phoneResetResource) checkPhonesResettable(ctx context.Context, ids []string, diags *diag.Diagnostics) {
	if r.data == nil {
		return
	}
	phones, err := r.data.client.ListAllPhones(ctx, cph.ListPhonesInput{})
	if err != nil {
		diags.AddWarning("Could Not Check Phones",
			"Listing the project's phones to check the plan failed, so unknown or busy phones will only be found at apply: "+err.Error())
		return
	}
	status := make(map[string]int, len(phones))
	for _, p := range phones {
		status[p.PhoneID] = p.Status
	}
	for _, id := range ids {
		st, ok := status[id]
		switch {
		case !ok:
			diags.AddAttributeError(phonePath(id), "Phone Not Found",
				fmt.Sprintf("Phone %s is not in project %s; check the phone ID, the region and the project.", id, r.projectID()))
		case st == cph.PhoneStatusResetting:
			diags.AddAttributeError(phonePath(id), "Phone Is Being Reset",
				fmt.Sprintf("Phone %s is being reset already (status 3); apply again once that reset has ended.", id))
		}
	}
}

func (r *phoneResetResource) projectID() string {
	if c, ok := r.data.client.(interface{ ProjectID() string }); ok {
		return c.ProjectID()
	}
	return "(unknown)"
}
