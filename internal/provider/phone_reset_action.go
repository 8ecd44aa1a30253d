package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

var (
	_ action.ActionWithConfigure      = (*phoneResetAction)(nil)
	_ action.ActionWithModifyPlan     = (*phoneResetAction)(nil)
	_ action.ActionWithValidateConfig = (*phoneResetAction)(nil)
)

// defaultProgressEvery is the least time between two "N/M phones reset"
// progress messages while an invocation waits.
const defaultProgressEvery = 10 * time.Second

// newPhoneResetAction is the cph_phone_reset action constructor; every is
// the least time between two progress messages while waiting.
func newPhoneResetAction(every time.Duration) action.Action {
	return &phoneResetAction{progressEvery: every}
}

// phoneResetAction resets phones now, every time it is invoked. Unlike the
// resource it keeps nothing: no state, no selection of changed phones.
type phoneResetAction struct {
	data          *providerData // nil until the provider is configured
	progressEvery time.Duration // tests shorten it
}

// phoneResetActionModel is the action's configuration: the resource's
// inputs that say what a reset does, and the invoke timeout.
type phoneResetActionModel struct {
	Phones              types.Map      `tfsdk:"phones"`
	Properties          types.Map      `tfsdk:"properties"`
	FactoryResetEnabled types.Bool     `tfsdk:"factory_reset_enabled"`
	ImageID             types.String   `tfsdk:"image_id"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// resourceInputs views the configuration as the resource's model, so the
// action converts and checks its inputs with the resource's code. The
// resource-only fields stay null.
func (m phoneResetActionModel) resourceInputs() phoneResetModel {
	return phoneResetModel{Phones: m.Phones, Properties: m.Properties, FactoryResetEnabled: m.FactoryResetEnabled,
		ImageID: m.ImageID, Triggers: types.MapNull(types.StringType)}
}

func (a *phoneResetAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_phone_reset"
}

func (a *phoneResetAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Factory-resets cloud phones now, every time it is invoked (Terraform 1.14 and later; " +
			"OpenTofu has no actions): sends the batch-reset requests, waits for every job and reports progress. " +
			"It keeps no state: each invocation resets every phone it names.",
		Attributes: map[string]schema.Attribute{
			"phones": schema.MapAttribute{
				Required:    true,
				ElementType: phonePropsType,
				MarkdownDescription: "The phones to reset: a map from phone ID (" + cph.IDDescription + ") to that " +
					"phone's own properties (`{}` for none). A phone's properties win over `properties`. Every phone is " +
					"reset on every invocation.",
			},
			"properties": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Properties applied to every phone, e.g. `sys.prop.writewifissid`. Checked when the " +
					"configuration is validated: " + knownPropertyRulesMarkdown() + " Other keys are passed through.",
			},
			"factory_reset_enabled": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Also clear every property set earlier (newer API revision). Unset and `false` mean the same.",
			},
			"image_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Reset onto this image (" + cph.IDDescription + "); omit to keep each phone's image.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.BlockWithOpts(ctx, timeouts.Opts{
				InvokeDescription: "How long an invocation may send requests and wait for the jobs, as a duration such " +
					"as `\"45m\"`. Default `30m`. When it runs out, the jobs go on in the service and the invocation fails, " +
					"naming them.",
			}),
		},
	}
}

func (a *phoneResetAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig applies the resource's rules, with no API call.
func (a *phoneResetAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m phoneResetActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateResetConfig(&resp.Diagnostics, m.ImageID, m.Properties, m.Phones)
}

// ModifyPlan checks with the engine that every phone exists and may be
// reset now, so a typo or a frozen phone fails the plan, not the
// invocation. Phones not known yet are checked when they are.
func (a *phoneResetAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m phoneResetActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Phones.IsNull() || m.Phones.IsUnknown() {
		return
	}
	checkPhonesResettable(ctx, a.data, sortedKeys(m.Phones.Elements()), m.ImageID.ValueString(), &resp.Diagnostics)
}

// Invoke resets every phone, waits for the jobs and reports progress. A
// failure fails the invocation with one diagnostic per cause, as the
// resource's apply does.
func (a *phoneResetAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m phoneResetActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Invoke(ctx, defaultResetTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.data == nil {
		resp.Diagnostics.AddError("Reset Phones", "The provider is not configured. Please report this issue to the provider developers.")
		return
	}
	in := m.resourceInputs().inputs()
	phones := in.PhoneIDs()
	p := &progressReporter{send: resp.SendProgress, every: a.progressEvery, total: len(phones),
		batchSize: a.data.engine.BatchSize(), now: time.Now}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	jobs, err := a.data.engine.Run(ctx, reset.SpecFor(in, phones), reset.RunOptions{
		Wait:     true,
		Progress: func(ev reset.Event) { logProgress(ctx, ev); p.event(ev) },
	})
	p.summary(jobs)
	report := applyReport{invoke: true, wait: true, jobs: jobs, selected: phones, err: err,
		timeout: timeoutSetting("invoke", timeout, timeoutSet(m.Timeouts, "invoke"))}
	resp.Diagnostics.Append(report.diagnostics()...)
}

// invokeAgain is the action's counterpart of nextApply: an action keeps no
// state, so it says what this invocation left and what invoking again does.
func (a applyReport) invokeAgain() string {
	c := reset.Counts(a.jobs)
	var retry []string
	for _, id := range a.selected {
		if a.jobs[id].NeedsRetry() {
			retry = append(retry, id)
		}
	}
	head := "This action keeps no state: invoking it again resets all " + plural(len(a.selected), "phone", "phones") + " again"
	if n := c[reset.Succeeded]; n > 0 {
		head += fmt.Sprintf(", including the %d whose reset succeeded", n)
	}
	parts := []string{head + "."}
	if len(retry) > 0 && len(retry) < len(a.selected) {
		parts = append(parts, fmt.Sprintf("To retry only the %s that failed, were rejected or were not sent, invoke it "+
			"with phones limited to them: %s.", plural(len(retry), "phone", "phones"), namePhones(retry)))
	}
	if n := c[reset.Running]; n > 0 {
		parts = append(parts, fmt.Sprintf("Leave out the %s still running.", plural(n, "phone", "phones")))
	}
	if n := c[reset.Unknown]; n > 0 {
		parts = append(parts, fmt.Sprintf("Check the %s whose outcome is unknown before sending them again.",
			plural(n, "phone", "phones")))
	}
	if ids := reset.RequestIDs(a.jobs); len(ids) > 0 {
		parts = append(parts, fmt.Sprintf("Batch-reset requests sent: %s.", strings.Join(ids, ", ")))
	}
	return strings.Join(parts, " ")
}

// quotedList renders IDs as HCL list elements: "a", "b".
func quotedList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ", ")
}

// progressReporter turns the engine's events into the action's progress
// messages: one when it starts, one per request answered, while waiting at
// most one every `every`, and a summary at the end.
type progressReporter struct {
	send      func(action.InvokeProgressEvent)
	every     time.Duration
	now       func() time.Time
	total     int
	batchSize int
	last      time.Time // of the last waiting message
	sent      []string  // request IDs answered, at their batch's index (answers may come in any order)
}

func (p *progressReporter) say(format string, args ...any) {
	if p.send != nil {
		p.send(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
	}
}

func (p *progressReporter) event(ev reset.Event) {
	switch ev.Kind {
	case reset.EventStarted:
		p.say("Resetting %s in %s of up to %d.", plural(ev.Phones, "phone", "phones"),
			plural(ev.Batches, "batch-reset request", "batch-reset requests"), p.batchSize)
		p.last = p.now() // the first waiting message comes `every` after the start at the earliest
	case reset.EventBatchSent:
		for len(p.sent) < ev.Batch {
			p.sent = append(p.sent, "")
		}
		p.sent[ev.Batch-1] = ev.RequestID
		msg := fmt.Sprintf("Request %d/%d sent: request ID %s, %d accepted", ev.Batch, ev.Batches, ev.RequestID, ev.Accepted)
		if ev.Rejected > 0 {
			msg += fmt.Sprintf(", %d rejected", ev.Rejected)
		}
		p.say("%s.", msg)
	case reset.EventPolled:
		if now := p.now(); now.Sub(p.last) >= p.every {
			p.last = now
			p.say("%s", p.counts(ev.Succeeded, ev.Failed, ev.Running))
		}
	}
}

// counts renders e.g. "37/120 phones reset, 0 failed, 83 running"; phones
// that never got a job (rejected, not sent, unknown) are added when there
// are any.
func (p *progressReporter) counts(succeeded, failed, running int) string {
	s := fmt.Sprintf("%d/%d phones reset, %d failed, %d running", succeeded, p.total, failed, running)
	if other := p.total - succeeded - failed - running; other > 0 {
		s += fmt.Sprintf(", %d not started", other)
	}
	return s
}

// summary is the closing message, naming every request ID: those answered,
// in the order sent, then a request refused as a whole.
func (p *progressReporter) summary(jobs map[string]reset.Job) {
	c := reset.Counts(jobs)
	ids := slices.DeleteFunc(slices.Clone(p.sent), func(id string) bool { return id == "" })
	for _, id := range reset.RequestIDs(jobs) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	requests := "no batch-reset request was answered"
	if len(ids) > 0 {
		requests = fmt.Sprintf("%s: %s", plural(len(ids), "batch-reset request", "batch-reset requests"), strings.Join(ids, ", "))
	}
	verb := "Done"
	if c[reset.Succeeded] < p.total {
		verb = "Finished with problems"
	}
	p.say("%s: %s; %s.", verb, p.counts(c[reset.Succeeded], c[reset.Failed], c[reset.Running]), requests)
}
