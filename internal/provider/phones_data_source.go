package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

var _ datasource.DataSourceWithConfigure = (*phonesDataSource)(nil)

// NewPhonesDataSource is the cph_phones constructor.
func NewPhonesDataSource() datasource.DataSource { return &phonesDataSource{} }

type phonesDataSource struct {
	api readAPI // nil until the provider is configured
}

type phonesModel struct {
	ServerID  types.String `tfsdk:"server_id"`
	Status    types.Int64  `tfsdk:"status"`
	PhoneName types.String `tfsdk:"phone_name"`
	Type      types.Int64  `tfsdk:"type"`
	Phones    types.List   `tfsdk:"phones"`
	IDs       types.List   `tfsdk:"ids"`
}

// phoneAttrTypes is one phone as the list API reports it: an element of
// cph_phones' phones, and the common part of cph_phone. A plain list of
// objects, not a nested attribute: it grows with the fleet (DESIGN.md).
var phoneAttrTypes = map[string]attr.Type{
	"phone_id":          types.StringType,
	"phone_name":        types.StringType,
	"server_id":         types.StringType,
	"image_id":          types.StringType,
	"image_version":     types.StringType,
	"status":            types.Int64Type,
	"status_text":       types.StringType,
	"type":              types.Int64Type,
	"availability_zone": types.StringType,
	"create_time":       types.StringType,
	"update_time":       types.StringType,
}

var phoneObjectType = types.ObjectType{AttrTypes: phoneAttrTypes}

// phoneAttrs renders p in phoneAttrTypes.
func phoneAttrs(p cph.Phone) map[string]attr.Value {
	return map[string]attr.Value{
		"phone_id":          types.StringValue(p.PhoneID),
		"phone_name":        types.StringValue(p.PhoneName),
		"server_id":         types.StringValue(p.ServerID),
		"image_id":          types.StringValue(p.ImageID),
		"image_version":     types.StringValue(p.ImageVersion),
		"status":            types.Int64Value(int64(p.Status)),
		"status_text":       types.StringValue(cph.PhoneStatusOf(p.Status).Text),
		"type":              types.Int64Value(int64(p.Type)),
		"availability_zone": types.StringValue(p.AvailabilityZone),
		"create_time":       types.StringValue(p.CreateTime),
		"update_time":       types.StringValue(p.UpdateTime),
	}
}

// phoneFieldsMarkdown documents phoneAttrTypes.
func phoneFieldsMarkdown() string {
	return "`phone_id`, `phone_name`, `server_id`, `image_id`, `image_version`, `status` (a number, listed under " +
		"the `status` filter), `status_text` (its name, e.g. `running` or `reset_failed`), `type`, `availability_zone`, " +
		"`create_time` and `update_time` (UTC, as the API writes them, e.g. `2026-12-01T20:55:44Z`)"
}

func (d *phonesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_phones"
}

func (d *phonesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the cloud phones of the project, optionally filtered, newest first, reading every page " +
			"of the list. Feed `ids` to `cph_phone_reset` to reset a fleet selected by server, name or status.",
		Attributes: map[string]schema.Attribute{
			"server_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the phones of this cloud phone server (" + cph.IDDescription + ").",
				Validators:          []validator.String{idValidator()},
			},
			"status": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Only the phones in this status, one of " + phoneStatusesMarkdown() + ".",
				Validators:          []validator.Int64{int64validator.OneOf(phoneStatusCodes()...)},
			},
			"phone_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the phones whose name contains this text (the API's fuzzy match, " +
					"e.g. `qa-` matches `qa-001` and `eu-qa-7`).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"type": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Only the phones of this type, one of " + phoneTypesMarkdown() + ".",
				Validators:          []validator.Int64{int64validator.OneOf(phoneTypeCodes()...)},
			},
			"phones": schema.ListAttribute{
				Computed:            true,
				ElementType:         phoneObjectType,
				MarkdownDescription: "The matching phones, newest first: " + phoneFieldsMarkdown() + ".",
			},
			"ids": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The IDs of `phones`, in the same order, e.g. for " +
					"`phones = { for id in data.cph_phones.qa.ids : id => {} }`.",
			},
		},
	}
}

func (d *phonesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.api = configureDataSource(req, resp)
}

func (d *phonesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m phonesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.api == nil {
		resp.Diagnostics.AddError("Read Phones", notConfigured)
		return
	}
	in := cph.ListPhonesInput{ServerID: m.ServerID.ValueString(), PhoneName: m.PhoneName.ValueString()}
	if !m.Status.IsNull() {
		v := int(m.Status.ValueInt64())
		in.Status = &v
	}
	if !m.Type.IsNull() {
		v := int(m.Type.ValueInt64())
		in.Type = &v
	}
	phones, err := d.api.ListAllPhones(ctx, in)
	if err != nil {
		resp.Diagnostics.AddError("Read Phones", fmt.Sprintf("Listing the phones%s failed: %v", describeFilter(m), err))
		return
	}
	elems := make([]attr.Value, len(phones))
	ids := make([]attr.Value, len(phones))
	for i, p := range phones {
		elems[i] = types.ObjectValueMust(phoneAttrTypes, phoneAttrs(p))
		ids[i] = types.StringValue(p.PhoneID)
	}
	m.Phones = types.ListValueMust(phoneObjectType, elems)
	m.IDs = types.ListValueMust(types.StringType, ids)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// describeFilter names the filters set, e.g. " (server_id = "…", status = 2)".
func describeFilter(m phonesModel) string {
	var parts []string
	if !m.ServerID.IsNull() {
		parts = append(parts, fmt.Sprintf("server_id = %q", m.ServerID.ValueString()))
	}
	if !m.Status.IsNull() {
		parts = append(parts, fmt.Sprintf("status = %d", m.Status.ValueInt64()))
	}
	if !m.PhoneName.IsNull() {
		parts = append(parts, fmt.Sprintf("phone_name = %q", m.PhoneName.ValueString()))
	}
	if !m.Type.IsNull() {
		parts = append(parts, fmt.Sprintf("type = %d", m.Type.ValueInt64()))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
