package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

var (
	_ resource.ResourceWithConfigure      = (*phoneResetResource)(nil)
	_ resource.ResourceWithImportState    = (*phoneResetResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*phoneResetResource)(nil)
	_ resource.ResourceWithValidateConfig = (*phoneResetResource)(nil)
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
	statuses := make([]string, len(reset.Statuses))
	for i, s := range reset.Statuses {
		statuses[i] = "`" + string(s) + "`"
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Factory-resets a fleet of cloud phones through the asynchronous batch-reset API, " +
			"optionally onto a new image and with new properties, waits for the reset jobs and keeps every job in state. " +
			"Changing it later resets again, but only the phones the change concerns; the plan names them.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The ID of the first batch-reset request this resource made (or imported).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"phones": schema.MapAttribute{
				Required:    true,
				ElementType: phonePropsType,
				MarkdownDescription: "The phones to reset: a map from phone ID (32 lowercase hex characters) to that " +
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
				MarkdownDescription: "Reset onto this image (32 hex characters); omit to keep each phone's image. Changing it resets every phone.",
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
			"request_ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The distinct batch-reset request IDs behind the current `jobs`, sorted.",
			},
			"jobs": schema.MapAttribute{
				Computed:    true,
				ElementType: jobObjectType,
				MarkdownDescription: "The latest reset of each phone, keyed by phone ID: `job_id`, `request_id`, `status` (one of " +
					strings.Join(statuses, ", ") + ") and, when the service reported one, `error_code` and `error_msg`. " +
					"In a plan, the entries of the phones the apply will reset are `(known after apply)`.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
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
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	r.data = data
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
	jobs := r.apply(ctx, timeout, plan, in, reset.Select(nil, in), map[string]reset.Job{}, &resp.Diagnostics)
	plan.ID = types.StringValue(firstRequestID(jobs))
	plan.Jobs, plan.RequestIDs = jobsValue(jobs), requestIDsValue(jobs)
	// Always save what happened: an error with a state taints the resource,
	// but keeps every job ID (see the docs on retrying after a failed create).
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
	selected := reset.Select(prior, in) // the same decision ModifyPlan showed
	kept := make(map[string]reset.Job, len(in.Phones))
	for id := range in.Phones {
		if j, ok := prior.Jobs[id]; ok {
			kept[id] = j
		}
	}
	jobs := r.apply(ctx, timeout, plan, in, selected, kept, &resp.Diagnostics)
	plan.ID = state.ID
	plan.Jobs, plan.RequestIDs = jobsValue(jobs), requestIDsValue(jobs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, adoptedKey, nil)...)
}

// apply resets the selected phones, waits unless told not to, and returns
// kept merged with the new records. Problems become diagnostics; the returned
// records always say what really happened.
func (r *phoneResetResource) apply(ctx context.Context, timeout time.Duration, plan phoneResetModel, in reset.Inputs,
	selected []string, kept map[string]reset.Job, diags *diag.Diagnostics) map[string]reset.Job {
	const op = "Reset Phones"
	if len(selected) == 0 {
		return kept
	}
	if r.data == nil {
		diags.AddError(op, "The provider is not configured. Please report this issue to the provider developers.")
		return kept
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	engine := r.data.engine()
	engine.Progress = func(done, total int) {
		tflog.Info(ctx, "waiting for phone reset jobs", map[string]any{"done": done, "total": total})
	}
	tflog.Info(ctx, "resetting phones", map[string]any{"phones": len(selected), "batch_size": engine.BatchSize})
	jobs, err := engine.Submit(ctx, reset.SpecFor(in, selected))
	if err != nil {
		diags.AddError(op+": Batch Reset Failed", err.Error()+
			"\n\nPhones sent before this error keep their jobs in state. Phones whose request may have reached the "+
			"service are recorded as failed; check them before applying again.")
	} else if plan.WaitForCompletion.ValueBool() {
		jobs, err = engine.Wait(ctx, jobs)
		if err != nil {
			diags.AddError(op+": Waiting For Reset Jobs", err.Error())
		}
	}
	addJobFailures(diags, op, jobs, selected)
	for id, j := range jobs {
		kept[id] = j
	}
	return kept
}

func firstRequestID(jobs map[string]reset.Job) string {
	if ids := reset.RequestIDs(jobs); len(ids) > 0 {
		return ids[0]
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Read refreshes jobs that are still running; it never resets anything.
func (r *phoneResetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state phoneResetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || r.data == nil {
		return
	}
	jobs := jobsFromState(state.Jobs)
	refreshed, err := r.data.engine().Refresh(ctx, jobs)
	if err != nil {
		resp.Diagnostics.AddError("Read Phone Reset Jobs",
			"Could not refresh the running reset jobs: "+err.Error())
		return
	}
	state.Jobs, state.RequestIDs = jobsValue(refreshed), requestIDsValue(refreshed)
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
	listed, err := r.data.client.ListJobsByRequest(ctx, ids)
	if err != nil {
		resp.Diagnostics.AddError("Import Phone Reset", fmt.Sprintf("Listing the jobs of requests %v: %v", ids, err))
		return
	}
	jobs := reset.FromAPIJobs(listed)
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
		Timeouts:            timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes(ctx))},
		RequestIDs:          requestIDsValue(jobs),
		Jobs:                jobsValue(jobs),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, adoptedKey, []byte("true"))...)
}

func timeoutsAttrTypes(ctx context.Context) map[string]attr.Type {
	return timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}).Type().(timeouts.Type).AttrTypes
}
