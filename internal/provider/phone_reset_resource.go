package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

var (
	_ resource.ResourceWithConfigure      = (*phoneResetResource)(nil)
	_ resource.ResourceWithImportState    = (*phoneResetResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*phoneResetResource)(nil)
	_ resource.ResourceWithValidateConfig = (*phoneResetResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*phoneResetResource)(nil)
)

const defaultResetTimeout = 30 * time.Minute

// NewPhoneResetResource is the cph_phone_reset constructor.
func NewPhoneResetResource() resource.Resource { return &phoneResetResource{} }

type phoneResetResource struct {
	data *providerData // nil until the provider is configured
}

func (r *phoneResetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_phone_reset"
}

func (r *phoneResetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: 1,
		MarkdownDescription: "Factory-resets a fleet of cloud phones through the asynchronous batch-reset API, " +
			"optionally onto a new image and with new properties, waits for the reset jobs and keeps every job in state. " +
			"Changing it later resets again, but only the phones the change concerns; the plan names them.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The ID of the first batch-reset request this resource made (or imported); null while the service has issued none (when the only request's answer was lost).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"phones": schema.MapAttribute{
				Required:    true,
				ElementType: phonePropsType,
				MarkdownDescription: "The phones to reset: a map from phone ID (" + cph.IDDescription + ") to that " +
					"phone's own properties (`{}` for none). A phone's properties win over `properties`. " +
					"Adding a phone or changing its effective properties resets that phone; removing one resets nothing.",
			},
			"properties": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Properties applied to every phone, e.g. `sys.prop.writewifissid`. Checked at plan time: " +
					knownPropertyRulesMarkdown() + " Other keys are passed through. A change resets every phone it changes.",
			},
			"factory_reset_enabled": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Also clear every property set earlier (newer API revision). Changing it resets every phone. " +
					"Unset and `false` mean the same.",
			},
			"image_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Reset onto this image (" + cph.IDDescription + "); omit to keep each phone's image. Changing it resets every phone.",
			},
			"triggers": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Arbitrary values; any change resets every phone again (e.g. `{ build = var.build_id }`).",
			},
			"wait_for_completion": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "Wait until every reset job has ended (default `true`). When `false`, the apply ends once " +
					"the jobs are accepted, and later refreshes record their outcome. Changing it resets nothing.",
			},
			"on_create_failure": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(createFailureTaint),
				Validators: []validator.String{
					stringvalidator.OneOf(createFailureTaint, createFailureKeep),
				},
				MarkdownDescription: "What the first apply (the create) does when not every phone is reset: `\"taint\"` (default) " +
					"returns errors, so Terraform marks the resource tainted and the next apply replaces it, resetting every " +
					"phone again (run `terraform untaint` first to reset only the phones that did not succeed); `\"keep\"` " +
					"returns warnings and keeps the resource, so the next plain apply resets only the phones that did not " +
					"succeed. Pair `\"keep\"` with a `postcondition` on `self.incomplete_phones` so the run still fails " +
					"(see the pipeline recipe). Later applies never taint. Changing it resets nothing.",
			},
			"request_ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The distinct batch-reset request IDs behind the current `jobs`, sorted.",
			},
			"incomplete_phones": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The phones whose latest reset has not succeeded (any status but `succeeded`), sorted. " +
					"Empty when every phone is reset; for a `postcondition`.",
			},
			"jobs": schema.MapAttribute{
				Computed:    true,
				ElementType: jobObjectType,
				MarkdownDescription: "The latest reset of each phone, keyed by phone ID: `job_id`, `request_id`, `status`, " +
					"`sent_at` (when its request was sent, RFC 3339) and, when the service reported one, `error_code` and " +
					"`error_msg`. In a plan, the entries of the phones the apply will reset are `(known after apply)`. " +
					"`status` is one of: " + statusesMarkdown(),
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
}

func statusesMarkdown() string {
	var parts []string
	for _, s := range reset.StatusTable {
		parts = append(parts, fmt.Sprintf("`%s`: %s Next apply: %s", s.Status, s.Meaning, s.NextApply))
	}
	return strings.Join(parts, " ")
}

func knownPropertyRulesMarkdown() string {
	var parts []string
	for _, k := range phoneprops.KnownKeys() {
		parts = append(parts, fmt.Sprintf("`%s` (%s)", k, phoneprops.KnownRules[k].Description))
	}
	return strings.Join(parts, ", ") + "; each phone's encoded properties must fit in " +
		fmt.Sprint(phoneprops.MaxEncodedBytes) + " bytes."
}

func (r *phoneResetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *phoneResetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan phoneResetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultResetTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := plan.inputs()
	report := applyReport{create: true, keep: plan.keepOnCreateFailure(), wait: plan.WaitForCompletion.ValueBool(),
		timeout: timeoutSetting("create", timeout, timeoutSet(plan.Timeouts, "create"))}
	jobs := r.apply(ctx, timeout, in, reset.Select(nil, in).Phones, map[string]reset.Job{}, &report, &resp.Diagnostics)
	if nothingApplied(jobs) {
		// Nothing was reset: keep no state, so there is nothing to taint
		// and the next apply simply tries the create again.
		return
	}
	plan.ID = firstRequestID(jobs)
	plan.setJobs(jobs)
	// Always save what happened. With errors, Terraform taints the resource
	// but keeps every job ID; with on_create_failure = "keep" the problems
	// are warnings and the resource is kept as it is.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *phoneResetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state phoneResetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultResetTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := plan.inputs()
	prior := &reset.Prior{Inputs: state.inputs(), Jobs: jobsFromState(state.Jobs), Adopted: isAdopted(ctx, req.Private)}
	selected := reset.Select(prior, in).Phones // the same decision ModifyPlan showed
	kept := make(map[string]reset.Job, len(in.Phones))
	for id := range in.Phones {
		if j, ok := prior.Jobs[id]; ok {
			kept[id] = j
		}
	}
	report := applyReport{wait: plan.WaitForCompletion.ValueBool(),
		timeout: timeoutSetting("update", timeout, timeoutSet(plan.Timeouts, "update"))}
	jobs := r.apply(ctx, timeout, in, selected, kept, &report, &resp.Diagnostics)
	plan.ID = state.ID
	if plan.ID.IsNull() {
		plan.ID = firstRequestID(jobs)
	}
	plan.setJobs(jobs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, adoptedKey, nil)...)
}

// apply resets the selected phones through the engine, waits unless told
// not to, and returns kept merged with the new records. Problems become
// diagnostics, one per cause; the returned records always say what really
// happened.
func (r *phoneResetResource) apply(ctx context.Context, timeout time.Duration, in reset.Inputs,
	selected []string, kept map[string]reset.Job, report *applyReport, diags *diag.Diagnostics) map[string]reset.Job {
	if len(selected) == 0 {
		return kept
	}
	if r.data == nil {
		diags.AddError("Reset Phones", "The provider is not configured. Please report this issue to the provider developers.")
		return kept
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	jobs, err := r.data.engine.Run(ctx, reset.SpecFor(in, selected), reset.RunOptions{
		Wait:     report.wait,
		Progress: func(ev reset.Event) { logProgress(ctx, ev) },
	})
	for id, j := range jobs {
		kept[id] = j
	}
	report.jobs, report.selected, report.err = kept, selected, err
	diags.Append(report.diagnostics()...)
	return kept
}

// logProgress logs the engine's progress events.
func logProgress(ctx context.Context, ev reset.Event) {
	switch ev.Kind {
	case reset.EventStarted:
		tflog.Info(ctx, "resetting phones", map[string]any{"phones": ev.Phones, "batches": ev.Batches})
	case reset.EventBatchSent:
		tflog.Info(ctx, "batch-reset request answered", map[string]any{"batch": ev.Batch, "batches": ev.Batches,
			"request_id": ev.RequestID, "accepted": ev.Accepted, "rejected": ev.Rejected})
	case reset.EventPolled:
		tflog.Info(ctx, "waiting for phone reset jobs", map[string]any{"succeeded": ev.Succeeded, "failed": ev.Failed,
			"running": ev.Running})
	}
}

// timeoutSet reports whether the configuration sets timeouts.<op>; t is
// the resource's or the action's timeouts value.
func timeoutSet(t interface {
	IsNull() bool
	IsUnknown() bool
	Attributes() map[string]attr.Value
}, op string) bool {
	if t.IsNull() || t.IsUnknown() {
		return false
	}
	v, ok := t.Attributes()[op].(types.String)
	return ok && !v.IsNull() && !v.IsUnknown()
}

// firstRequestID is the resource's id: the first request ID the service
// issued, or null while none is known (never an invented one).
func firstRequestID(jobs map[string]reset.Job) types.String {
	if ids := reset.RequestIDs(jobs); len(ids) > 0 {
		return types.StringValue(ids[0])
	}
	return types.StringNull()
}

// nothingApplied reports whether the service certainly reset none of the
// phones: each was not sent or refused.
func nothingApplied(jobs map[string]reset.Job) bool {
	for _, j := range jobs {
		if j.Status != reset.NotSent && j.Status != reset.Rejected {
			return false
		}
	}
	return true
}

// Read refreshes jobs that are still running and settles phones whose
// request's outcome is unknown; it never resets anything.
func (r *phoneResetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state phoneResetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || r.data == nil {
		return
	}
	recorded := jobsFromState(state.Jobs)
	jobs, err := r.data.engine.Refresh(ctx, recorded)
	if err == nil {
		jobs, err = r.data.engine.Reconcile(ctx, jobs, state.inputs())
	}
	if err != nil {
		resp.Diagnostics.AddError("Read Phone Reset Jobs",
			"Could not refresh the running reset jobs, so the state keeps their last recorded status: "+err.Error())
		return
	}
	if maps.EqualFunc(jobs, recorded, reset.Job.Equal) {
		// Nothing changed (every job had ended, or none moved): resp.State
		// already holds the state, and setting it again would only convert
		// every phone's values once more (a second at 10,000 phones).
		return
	}
	state.setJobs(jobs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete calls no API: a reset cannot be undone.
func (r *phoneResetResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Phone Resets Cannot Be Undone",
		"Destroying cph_phone_reset only removes its jobs from state; the phones stay as the resets left them. No API was called.")
}

// ImportState rebuilds phones and jobs from one or more batch-reset request IDs.
func (r *phoneResetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var ids []string
	for _, id := range strings.Split(req.ID, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		resp.Diagnostics.AddError("Import Phone Reset",
			fmt.Sprintf("Expected one or more batch-reset request IDs separated by commas, got %q.", req.ID))
		return
	}
	if r.data == nil {
		resp.Diagnostics.AddError("Import Phone Reset", "The provider is not configured.")
		return
	}
	jobs, err := r.data.engine.Import(ctx, ids)
	if err != nil {
		resp.Diagnostics.AddError("Import Phone Reset", fmt.Sprintf("Listing the jobs of requests %v: %v", ids, err))
		return
	}
	if len(jobs) == 0 {
		resp.Diagnostics.AddError("Import Phone Reset",
			fmt.Sprintf("The service reports no jobs for requests %v; check the request IDs and the project.", ids))
		return
	}
	phones := make(map[string]types.Map, len(jobs))
	for id := range jobs {
		phones[id] = types.MapValueMust(types.StringType, nil)
	}
	phonesValue, diags := types.MapValueFrom(ctx, phonePropsType, phones)
	resp.Diagnostics.Append(diags...)
	m := phoneResetModel{
		ID:                  types.StringValue(ids[0]),
		Phones:              phonesValue,
		Properties:          types.MapNull(types.StringType),
		FactoryResetEnabled: types.BoolNull(),
		ImageID:             types.StringNull(),
		Triggers:            types.MapNull(types.StringType),
		WaitForCompletion:   types.BoolValue(true),
		OnCreateFailure:     types.StringValue(createFailureTaint),
		Timeouts:            timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes(ctx))},
	}
	m.setJobs(jobs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, adoptedKey, []byte("true"))...)
}

func timeoutsAttrTypes(ctx context.Context) map[string]attr.Type {
	return timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}).Type().(timeouts.Type).AttrTypes
}
