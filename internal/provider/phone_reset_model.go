package provider

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

// phoneResetModel is the cph_phone_reset resource. phones and jobs are plain
// maps keyed by phone ID: they make phones unique, plans name each phone, and
// they stay linear in cost at fleet size (nested attributes and sets do not).
type phoneResetModel struct {
	ID                  types.String   `tfsdk:"id"`
	Phones              types.Map      `tfsdk:"phones"`
	Properties          types.Map      `tfsdk:"properties"`
	FactoryResetEnabled types.Bool     `tfsdk:"factory_reset_enabled"`
	ImageID             types.String   `tfsdk:"image_id"`
	Triggers            types.Map      `tfsdk:"triggers"`
	WaitForCompletion   types.Bool     `tfsdk:"wait_for_completion"`
	OnCreateFailure     types.String   `tfsdk:"on_create_failure"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
	RequestIDs          types.List     `tfsdk:"request_ids"`
	IncompletePhones    types.List     `tfsdk:"incomplete_phones"`
	Jobs                types.Map      `tfsdk:"jobs"`
}

// The values of on_create_failure.
const (
	createFailureTaint = "taint"
	createFailureKeep  = "keep"
)

// keepOnCreateFailure reports whether a create that does not reset every
// phone returns warnings (the resource is kept) instead of errors (Terraform
// taints it).
func (m phoneResetModel) keepOnCreateFailure() bool {
	return m.OnCreateFailure.ValueString() == createFailureKeep
}

// jobAttrTypes is the object type of one jobs entry.
var jobAttrTypes = map[string]attr.Type{
	"job_id":     types.StringType,
	"request_id": types.StringType,
	"status":     types.StringType,
	"error_code": types.StringType,
	"error_msg":  types.StringType,
	"sent_at":    types.StringType,
}

var (
	jobObjectType     = types.ObjectType{AttrTypes: jobAttrTypes}
	phonePropsType    = types.MapType{ElemType: types.StringType}
	unknownJobElement = types.ObjectUnknown(jobAttrTypes)
)

// inputsKnown reports whether every input that decides a reset is known.
func (m phoneResetModel) inputsKnown() bool {
	if m.Phones.IsUnknown() || m.Properties.IsUnknown() || m.FactoryResetEnabled.IsUnknown() ||
		m.ImageID.IsUnknown() || m.Triggers.IsUnknown() {
		return false
	}
	for _, v := range m.Phones.Elements() {
		if v.IsUnknown() || !stringMapKnown(v.(types.Map)) {
			return false
		}
	}
	return stringMapKnown(m.Properties) && stringMapKnown(m.Triggers)
}

func stringMapKnown(m types.Map) bool {
	if m.IsUnknown() {
		return false
	}
	for _, v := range m.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// inputs converts the known inputs for the engine. Null map elements are
// reported by ValidateConfig and read as "".
func (m phoneResetModel) inputs() reset.Inputs {
	in := reset.Inputs{
		ImageID:      m.ImageID.ValueString(),
		FactoryReset: m.FactoryResetEnabled.ValueBool(),
		Triggers:     stringMap(m.Triggers),
		Properties:   stringMap(m.Properties),
		Phones:       make(map[string]map[string]string, len(m.Phones.Elements())),
	}
	for id, v := range m.Phones.Elements() {
		in.Phones[id] = stringMap(v.(types.Map))
	}
	return in
}

func stringMap(m types.Map) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		out[k] = v.(types.String).ValueString()
	}
	return out
}

// jobsFromState reads the recorded jobs; unknown entries are skipped.
func jobsFromState(m types.Map) map[string]reset.Job {
	out := make(map[string]reset.Job, len(m.Elements()))
	for id, v := range m.Elements() {
		obj, ok := v.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		a := obj.Attributes()
		str := func(k string) string { s, _ := a[k].(types.String); return s.ValueString() }
		sentAt, _ := time.Parse(time.RFC3339, str("sent_at"))
		out[id] = reset.Job{PhoneID: id, JobID: str("job_id"), RequestID: str("request_id"),
			Status: reset.Status(str("status")), ErrorCode: str("error_code"), ErrorMsg: str("error_msg"), SentAt: sentAt}
	}
	return out
}

func jobObject(j reset.Job) types.Object {
	return types.ObjectValueMust(jobAttrTypes, map[string]attr.Value{
		"job_id":     optionalString(j.JobID),
		"request_id": optionalString(j.RequestID),
		"status":     types.StringValue(string(j.Status)),
		"error_code": optionalString(j.ErrorCode),
		"error_msg":  optionalString(j.ErrorMsg),
		"sent_at":    optionalTime(j.SentAt),
	})
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func optionalTime(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// jobsValue renders recorded jobs for state.
func jobsValue(jobs map[string]reset.Job) types.Map {
	elems := make(map[string]attr.Value, len(jobs))
	for id, j := range jobs {
		elems[id] = jobObject(j)
	}
	return types.MapValueMust(jobObjectType, elems)
}

// requestIDsValue renders the distinct request IDs behind the jobs.
func requestIDsValue(jobs map[string]reset.Job) types.List {
	return stringList(reset.RequestIDs(jobs))
}

// incompleteValue renders the phones whose latest reset has not succeeded.
func incompleteValue(jobs map[string]reset.Job) types.List {
	return stringList(reset.Incomplete(jobs))
}

func stringList(ids []string) types.List {
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	return types.ListValueMust(types.StringType, elems)
}

// computedEqual reports whether the attributes ModifyPlan computes (id,
// jobs, request_ids, incomplete_phones) are the same in both models.
func (m *phoneResetModel) computedEqual(o phoneResetModel) bool {
	return m.ID.Equal(o.ID) && m.Jobs.Equal(o.Jobs) && m.RequestIDs.Equal(o.RequestIDs) &&
		m.IncompletePhones.Equal(o.IncompletePhones)
}

// setJobs records jobs and the attributes derived from them.
func (m *phoneResetModel) setJobs(jobs map[string]reset.Job) {
	m.Jobs, m.RequestIDs, m.IncompletePhones = jobsValue(jobs), requestIDsValue(jobs), incompleteValue(jobs)
}

// adoptedKey marks, in private state, a resource just imported: see reset.Prior.Adopted.
const adoptedKey = "adopted"

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func isAdopted(ctx context.Context, p privateGetter) bool {
	if p == nil {
		return false
	}
	b, _ := p.GetKey(ctx, adoptedKey)
	return string(b) == "true"
}

// sortedKeys returns a map's keys in order, for stable diagnostics.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// phonePath points a diagnostic at one phone of the configuration.
func phonePath(id string) path.Path { return path.Root("phones").AtMapKey(id) }
