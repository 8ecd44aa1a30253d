package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

var _ datasource.DataSourceWithConfigure = (*imagesDataSource)(nil)

// NewImagesDataSource is the cph_images constructor.
func NewImagesDataSource() datasource.DataSource { return &imagesDataSource{} }

type imagesDataSource struct {
	api readAPI // nil until the provider is configured
}

// defaultImageType is what an unset image_type asks for.
const defaultImageType = "all"

type imagesModel struct {
	ImageType types.String `tfsdk:"image_type"`
	Name      types.String `tfsdk:"name"`
	Images    types.List   `tfsdk:"images"`
	IDs       types.List   `tfsdk:"ids"`
}

var imageAttrTypes = map[string]attr.Type{
	"image_id":    types.StringType,
	"image_name":  types.StringType,
	"os_type":     types.StringType,
	"os_name":     types.StringType,
	"is_public":   types.Int64Type,
	"image_label": types.StringType,
}

var imageObjectType = types.ObjectType{AttrTypes: imageAttrTypes}

func (d *imagesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_images"
}

func (d *imagesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the phone images the project may reset phones onto, e.g. to pick " +
			"`cph_phone_reset`'s `image_id` by name.",
		Attributes: map[string]schema.Attribute{
			"image_type": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Which images: one of " + codeList(cph.ImageTypes) + " (Huawei's public images, " +
					"the account's own, the ones other accounts share with it, or all of them). Default `" + defaultImageType + "`.",
				Validators: []validator.String{stringvalidator.OneOf(cph.ImageTypes...)},
			},
			"name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the images with exactly this name. The API has no such filter: " +
					"the provider applies it to the list.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"images": schema.ListAttribute{
				Computed:    true,
				ElementType: imageObjectType,
				MarkdownDescription: "The images, in the API's order: `image_id`, `image_name`, `os_type`, `os_name`, " +
					fmt.Sprintf("`is_public` (`%d` public, `%d` private) and `image_label`.", cph.ImagePublic, cph.ImagePrivate),
			},
			"ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The IDs of `images`, in the same order.",
			},
		},
	}
}

func (d *imagesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.api = configureDataSource(req, resp)
}

func (d *imagesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m imagesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.api == nil {
		resp.Diagnostics.AddError("Read Images", notConfigured)
		return
	}
	if m.ImageType.IsNull() {
		m.ImageType = types.StringValue(defaultImageType)
	}
	images, err := d.api.ListImages(ctx, m.ImageType.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Read Images",
			fmt.Sprintf("Listing the %s images failed: %v", m.ImageType.ValueString(), err))
		return
	}
	elems := []attr.Value{}
	ids := []attr.Value{}
	for _, img := range images {
		if !m.Name.IsNull() && img.ImageName != m.Name.ValueString() {
			continue
		}
		elems = append(elems, types.ObjectValueMust(imageAttrTypes, map[string]attr.Value{
			"image_id":    types.StringValue(img.ImageID),
			"image_name":  types.StringValue(img.ImageName),
			"os_type":     types.StringValue(img.OSType),
			"os_name":     types.StringValue(img.OSName),
			"is_public":   types.Int64Value(int64(img.IsPublic)),
			"image_label": types.StringValue(img.ImageLabel),
		}))
		ids = append(ids, types.StringValue(img.ImageID))
	}
	m.Images = types.ListValueMust(imageObjectType, elems)
	m.IDs = types.ListValueMust(types.StringType, ids)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
