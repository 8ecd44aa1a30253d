package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

var _ datasource.DataSourceWithConfigure = (*jobsDataSource)(nil)

// NewJobsDataSource is the cph_jobs constructor.
func NewJobsDataSource() datasource.DataSource { return &jobsDataSource{} }

type jobsDataSource struct {
	api readAPI // nil until the provider is configured
}

// auditJobAttrTypes is one element of cph_jobs' jobs: a job as the jobs
// API reports it (the resource's jobs entries are a smaller, keyed view).
var auditJobAttrTypes = map[string]attr.Type{
	"job_id":     types.StringType,
	"phone_id":   types.StringType,
	"server_id":  types.StringType,
	"request_id": types.StringType,
	"status":     types.Int64Type,
	"begin_time": types.StringType,
	"end_time":   types.StringType,
	"error_code": types.StringType,
	"error_msg":  types.StringType,
}

var auditJobObjectType = types.ObjectType{AttrTypes: auditJobAttrTypes}

func (d *jobsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_jobs"
}

func (d *jobsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the jobs that batch requests created, e.g. the resets of a `cph_phone_reset` " +
			"(its `request_ids`) or of a script: the audit trail of what ran on which phone and how it ended. " +
			fmt.Sprintf("Asks for up to %d requests and %d jobs per call and reads every page.",
				cph.MaxRequestIDsPerJobList, cph.JobsPageSize),
		Attributes: map[string]schema.Attribute{
			"request_ids": schema.ListAttribute{
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The IDs of the requests whose jobs to list (each " + cph.IDDescription +
					"); any number, duplicates are listed once.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(idValidator()),
				},
			},
			"jobs": schema.ListAttribute{
				Computed:    true,
				ElementType: auditJobObjectType,
				MarkdownDescription: "The jobs of those requests, request by request in creation order: `job_id`, " +
					"`phone_id`, `server_id`, `request_id`, `status` (`1` running, `2` succeeded, `-1` failed), " +
					"`begin_time`, `end_time` (`\"\"` while running; UTC, e.g. `2026-12-01T20:55:44Z`), " +
					"and `error_code` and `error_msg` (`\"\"` unless the job failed).",
			},
		},
	}
}

func (d *jobsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.api = configureDataSource(req, resp)
}

func (d *jobsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var ids []string
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("request_ids"), &ids)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.api == nil {
		resp.Diagnostics.AddError("Read Jobs", notConfigured)
		return
	}
	jobs, err := d.api.ListJobsByRequest(ctx, ids)
	if err != nil {
		resp.Diagnostics.AddError("Read Jobs", fmt.Sprintf("Listing the jobs of %d request(s) failed: %v", len(ids), err))
		return
	}
	elems := make([]attr.Value, len(jobs))
	for i, j := range jobs {
		elems[i] = types.ObjectValueMust(auditJobAttrTypes, map[string]attr.Value{
			"job_id":     types.StringValue(j.JobID),
			"phone_id":   types.StringValue(j.PhoneID),
			"server_id":  types.StringValue(j.ServerID),
			"request_id": types.StringValue(j.RequestID),
			"status":     types.Int64Value(int64(j.Status)),
			"begin_time": types.StringValue(j.BeginTime),
			"end_time":   types.StringValue(j.EndTime),
			"error_code": types.StringValue(j.ErrorCode),
			"error_msg":  types.StringValue(j.ErrorMsg),
		})
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("request_ids"), ids)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("jobs"), types.ListValueMust(auditJobObjectType, elems))...)
}
