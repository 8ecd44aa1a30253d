package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

var _ datasource.DataSourceWithConfigure = (*phoneDataSource)(nil)

// NewPhoneDataSource is the cph_phone constructor.
func NewPhoneDataSource() datasource.DataSource { return &phoneDataSource{} }

type phoneDataSource struct {
	api readAPI // nil until the provider is configured
}

func (d *phoneDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_phone"
}

func (d *phoneDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"phone_id": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "The phone to read (" + cph.IDDescription + ").",
			Validators:          []validator.String{idValidator()},
		},
		"phone_name":        computedString("The phone's name."),
		"server_id":         computedString("The cloud phone server the phone runs on."),
		"image_id":          computedString("The image the phone runs."),
		"image_version":     computedString("That image's version."),
		"status":            schema.Int64Attribute{Computed: true, MarkdownDescription: "The phone's status, a number; see `status_text`."},
		"status_text":       computedString("The name of `status`: " + phoneStatusesMarkdown() + "."),
		"type":              schema.Int64Attribute{Computed: true, MarkdownDescription: "The phone's type: " + phoneTypesMarkdown() + "."},
		"availability_zone": computedString("The availability zone of the phone."),
		"create_time":       computedString("When the phone was created (UTC, e.g. `2026-12-01T20:55:44Z`)."),
		"update_time":       computedString("When the phone last changed (UTC)."),
		"imei":              computedString("The phone's IMEI."),
		"property": computedString("The properties applied to the phone, exactly as the API reports them: " +
			"a JSON object encoded in a string, or `\"\"` when none is set."),
		"properties": schema.MapAttribute{
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "`property` decoded: a map from property name to value (`{}` when none is set). " +
				"A value the API gives as a JSON number or boolean is shown as its JSON text, e.g. `\"1\"`. " +
				"Null, with a warning, when `property` is not a JSON object.",
		},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one cloud phone: its image, status and the properties a reset last applied to it.",
		Attributes:          attrs,
	}
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}

func (d *phoneDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.api = configureDataSource(req, resp)
}

func (d *phoneDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var id types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("phone_id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.api == nil {
		resp.Diagnostics.AddError("Read Phone", notConfigured)
		return
	}
	p, err := d.api.ShowPhone(ctx, id.ValueString())
	if err != nil {
		detail := fmt.Sprintf("Reading phone %s failed: %v", id.ValueString(), err)
		if cph.IsNotFound(err) {
			detail = fmt.Sprintf("Phone %s does not exist in this project: %v", id.ValueString(), err)
		}
		resp.Diagnostics.AddAttributeError(path.Root("phone_id"), "Read Phone", detail)
		return
	}
	values := phoneAttrs(*p)
	values["phone_id"] = id // the ID asked for, even if the answer omitted it
	values["imei"] = types.StringValue(p.IMEI)
	values["property"] = types.StringValue(p.Property)
	props, err := decodeProperty(p.Property)
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("properties"), "Undecodable Phone Property",
			fmt.Sprintf("Phone %s reports property %q, which is not a JSON object (%v); `properties` is null, `property` has the raw text.",
				id.ValueString(), p.Property, err))
		values["properties"] = types.MapNull(types.StringType)
	} else {
		values["properties"] = types.MapValueMust(types.StringType, props)
	}
	for name, v := range values {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
}

// decodeProperty decodes a phone's property string: "" is no properties;
// values that are not JSON strings keep their JSON text.
func decodeProperty(s string) (map[string]attr.Value, error) {
	out := map[string]attr.Value{}
	if s == "" {
		return out, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("it is null")
	}
	for k, v := range raw {
		var str string
		if err := json.Unmarshal(v, &str); err == nil {
			out[k] = types.StringValue(str)
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, v); err != nil {
			return nil, err
		}
		out[k] = types.StringValue(compact.String())
	}
	return out, nil
}
