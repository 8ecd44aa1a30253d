package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

// ValidateConfig checks everything that needs no API call, in one pass over
// the fleet (per-element validators cost too much at fleet size).
func (r *phoneResetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m phoneResetModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateResetConfig(&resp.Diagnostics, m.ImageID, m.Properties, m.Phones)
}

// validateResetConfig checks the inputs the resource and the action share:
// image_id, properties and phones (at the root of their schema).
func validateResetConfig(diags *diag.Diagnostics, imageID types.String, properties, phonesMap types.Map) {
	if !imageID.IsNull() && !imageID.IsUnknown() && !cph.IsID(imageID.ValueString()) {
		diags.AddAttributeError(path.Root("image_id"), "Invalid Image ID",
			fmt.Sprintf("An image ID is %s, got %q.", cph.IDDescription, imageID.ValueString()))
	}
	validateProperties(diags, path.Root("properties"), "", properties)
	if phonesMap.IsNull() || phonesMap.IsUnknown() {
		return
	}
	if len(phonesMap.Elements()) == 0 {
		diags.AddAttributeError(path.Root("phones"), "No Phones To Reset",
			"phones must name at least one phone, e.g. phones = { \"<phone id>\" = {} }.")
		return
	}
	common := stringMap(properties)
	commonKnown := stringMapKnown(properties)
	phones := phonesMap.Elements() // a copy: take it once, not per phone
	for _, id := range sortedKeys(phones) {
		p := phonePath(id)
		if !cph.IsID(id) {
			diags.AddAttributeError(p, "Invalid Phone ID",
				fmt.Sprintf("A phone ID is %s, got %q.", cph.IDDescription, id))
		}
		own, _ := phones[id].(types.Map)
		if own.IsUnknown() {
			continue
		}
		if own.IsNull() {
			diags.AddAttributeError(p, "Missing Phone Properties",
				fmt.Sprintf("Phone %s has no properties map; use {} for none.", id))
			continue
		}
		validateProperties(diags, p, "Phone "+id+": ", own)
		if commonKnown && stringMapKnown(own) {
			if _, err := phoneprops.Encode(phoneprops.Effective(common, stringMap(own))); err != nil {
				diags.AddAttributeError(p, "Properties Too Long", fmt.Sprintf("Phone %s: %v.", id, err))
			}
		}
	}
}

// validateProperties checks a properties map; who prefixes each message
// (e.g. "Phone <id>: "), because with many phones the highlighted line alone
// does not say which phone is meant.
func validateProperties(diags *diag.Diagnostics, at path.Path, who string, m types.Map) {
	if m.IsNull() || m.IsUnknown() {
		return
	}
	elems := m.Elements()
	for _, k := range sortedKeys(elems) {
		v, _ := elems[k].(types.String)
		switch {
		case v.IsUnknown():
		case v.IsNull():
			diags.AddAttributeError(at.AtMapKey(k), "Missing Property Value", fmt.Sprintf("%sproperty %q has no value.", who, k))
		default:
			if err := phoneprops.ValidateValue(k, v.ValueString()); err != nil {
				diags.AddAttributeError(at.AtMapKey(k), "Invalid Property", who+err.Error()+".")
			}
		}
	}
}

// ModifyPlan makes the plan name the phones an apply will reset: their jobs
// entries become unknown and every other entry keeps its recorded value. It
// must produce exactly the prior state when nothing changes, and it uses
// reset.Select, as Create and Update do, so the apply does what was shown.
// It says how many phones the apply resets and why, and checks with the
// engine that they can be reset.
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
		plan.IncompletePhones = types.ListUnknown(types.StringType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	in := plan.inputs()
	proposed := plan // to tell whether this method changes anything
	sel := reset.Select(prior, in)
	isSelected := make(map[string]bool, len(sel.Phones))
	for _, id := range sel.Phones {
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
	if len(sel.Phones) > 0 {
		plan.RequestIDs, plan.IncompletePhones = types.ListUnknown(types.StringType), types.ListUnknown(types.StringType)
		if prior != nil && state.ID.IsNull() {
			plan.ID = types.StringUnknown() // no request ID was known yet; this apply may learn one
		}
	} else {
		plan.RequestIDs, plan.IncompletePhones = requestIDsValue(kept), incompleteValue(kept)
	}
	if !plan.computedEqual(proposed) {
		// Setting an unchanged plan would only convert every phone's values
		// once more (most plans of a large fleet change nothing).
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
	if len(sel.Undecided) > 0 {
		resp.Diagnostics.AddWarning(fmt.Sprintf("cph_phone_reset leaves %s alone: outcome unknown",
			plural(len(sel.Undecided), "phone", "phones")), undecidedDetail(sel.Undecided, prior.Jobs))
	}
	if prior != nil && prior.Adopted && !inputsEqual(prior.Inputs, in) {
		resp.Diagnostics.AddWarning("cph_phone_reset adopts this configuration after the import",
			fmt.Sprintf("The import could not tell which image, properties or triggers the imported resets used, so this "+
				"plan shows your configuration replacing the imported (empty) values. That only records the configuration: "+
				"this apply resets %s (the ones not among the imported jobs, or whose imported job did not succeed).",
				plural(len(sel.Phones), "phone", "phones")))
	}
	if len(sel.Phones) == 0 {
		return
	}
	jobsEntries := "Their entries in jobs read"
	if len(sel.Phones) == 1 {
		jobsEntries = "Its entry in jobs reads"
	}
	resp.Diagnostics.AddWarning("cph_phone_reset will factory-reset "+sel.Summary(len(in.Phones)),
		fmt.Sprintf("Applying this plan wipes %s: %s. %s (known after apply) in the plan; no other phone is touched.",
			plural(len(sel.Phones), "phone", "phones"), namePhones(sel.Phones), jobsEntries))
	checkPhonesResettable(ctx, r.data, sel.Phones, in.ImageID, &resp.Diagnostics)
}

// inputsEqual reports whether two sets of inputs describe the same resets.
func inputsEqual(a, b reset.Inputs) bool {
	if a.ImageID != b.ImageID || a.FactoryReset != b.FactoryReset || !maps.Equal(a.Triggers, b.Triggers) ||
		!maps.Equal(a.Properties, b.Properties) || len(a.Phones) != len(b.Phones) {
		return false
	}
	for id, p := range b.Phones {
		q, ok := a.Phones[id]
		if !ok || !maps.Equal(p, q) {
			return false
		}
	}
	return true
}

func undecidedDetail(ids []string, jobs map[string]reset.Job) string {
	var b strings.Builder
	fmt.Fprintf(&b, "A batch-reset request for these phones may have reached the service, but its answer was lost, and "+
		"what the phones show does not yet settle whether they were reset, so this plan does not reset them: %s.",
		namePhones(ids))
	for _, id := range ids[:min(len(ids), maxNamedPhones)] {
		fmt.Fprintf(&b, "\n- %s: %s", id, jobs[id].ErrorMsg)
	}
	b.WriteString("\n\nEach refresh looks at them again and records what it can conclude: a reset that shows on the phone " +
		"becomes \"succeeded\"; none after 10 minutes becomes \"not_sent\" and is then reset. To decide yourself after " +
		"checking a phone: remove it from phones and apply (resets nothing and forgets its record), then add it back " +
		"and apply (resets it).")
	return b.String()
}

// checkPhonesResettable fails the plan for phones that do not exist or are
// in a status a reset is refused in, so a typo or a frozen phone fails
// `plan` rather than half an apply. The engine picks the fewest calls. The
// resource and the action share it; data is nil before Configure.
func checkPhonesResettable(ctx context.Context, data *providerData, ids []string, imageID string, diags *diag.Diagnostics) {
	if data == nil {
		return
	}
	res, err := data.engine.Check(ctx, ids, imageID)
	problems := res.Problems
	if err != nil {
		if cph.IsAuth(err) || cph.IsPermission(err) {
			diags.AddError("Cannot Check Phones: Access Denied",
				"Checking the phones this plan resets failed because the service refused the credentials or their "+
					"permissions, so an apply would fail the same way: "+err.Error()+
					"\n\nCheck the provider's sign-in settings, the project, and that the identity may list and reset phones "+
					"(cph:phones:list, cph:phones:reset, cph:jobs:get).")
			return
		}
		diags.AddWarning("Could Not Check Phones",
			"Checking the phones this plan resets failed, so unknown or busy phones will only be found at apply: "+err.Error())
		return
	}
	if res.ImageMissing {
		diags.AddAttributeError(path.Root("image_id"), "Image Not Found",
			fmt.Sprintf("Image %s is not among the public, private or shared phone images of project %s, so the reset "+
				"would be refused (CPS.0030). Check the image ID, e.g. with the cph_images data source. Nothing was reset.",
				imageID, data.client.ProjectID()))
	}
	// One diagnostic per cause: the missing phones, then each status.
	var missing []string
	byStatus := map[int][]string{}
	var statuses []cph.PhoneStatus
	for _, p := range problems {
		if p.Missing {
			missing = append(missing, p.PhoneID)
			continue
		}
		if _, seen := byStatus[p.Status.Code]; !seen {
			statuses = append(statuses, p.Status)
		}
		byStatus[p.Status.Code] = append(byStatus[p.Status.Code], p.PhoneID)
	}
	at := func(ids []string) path.Path {
		if len(ids) == 1 {
			return phonePath(ids[0])
		}
		return path.Root("phones")
	}
	if len(missing) > 0 {
		diags.AddAttributeError(at(missing), "Phone Not Found",
			fmt.Sprintf("%s not in project %s: %s. Check the phone IDs, the region and the project.",
				isOrAre(len(missing)), data.client.ProjectID(), namePhones(missing)))
	}
	for _, st := range statuses {
		ids := byStatus[st.Code]
		diags.AddAttributeError(at(ids), "Phone Cannot Be Reset Now",
			fmt.Sprintf("%s %s (status %d), and the service refuses a reset in that status: %s. "+
				"Apply again once they are running, or remove them from phones. Nothing was reset.",
				isOrAre(len(ids)), strings.ReplaceAll(st.Text, "_", " "), st.Code, namePhones(ids)))
	}
}

// isOrAre renders "1 phone is" or "3 phones are".
func isOrAre(n int) string {
	if n == 1 {
		return "1 phone is"
	}
	return fmt.Sprintf("%d phones are", n)
}
