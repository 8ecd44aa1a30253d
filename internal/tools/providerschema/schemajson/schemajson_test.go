package schemajson_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/action"
	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/tools/providerschema/schemajson"
)

// The JSON a docs generator sees for a small provider with one of each kind
// of schema: attribute flags, both description kinds, deprecation, a nested
// attribute, the timeouts block, and an action.
func TestFromProvider_JSONShape(t *testing.T) {
	t.Parallel()

	ps, err := schemajson.FromProvider(context.Background(), &tinyProvider{}, schemajson.DefaultAddress)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}

	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"format_version": "1.0",
		"provider_schemas": map[string]any{
			"registry.terraform.io/hashicorp/cph": map[string]any{
				"provider": map[string]any{
					"version": 0.0,
					"block": map[string]any{
						"description":      "Tiny provider.",
						"description_kind": "markdown",
						"attributes": map[string]any{
							"region": map[string]any{
								"type": "string", "optional": true,
								"description": "Region, e.g. `cn-north-4`.", "description_kind": "markdown",
							},
							"auth_token": map[string]any{
								"type": "string", "optional": true, "sensitive": true,
								"description": "Token.", "description_kind": "plain",
							},
						},
					},
				},
				"resource_schemas": map[string]any{
					"cph_thing": map[string]any{
						"version": 1.0,
						"block": map[string]any{
							"description_kind": "plain",
							"attributes": map[string]any{
								"id": map[string]any{"type": "string", "computed": true, "description_kind": "plain"},
								"phones": map[string]any{
									"type":     []any{"map", []any{"map", "string"}},
									"required": true, "description": "Phones.", "description_kind": "plain",
								},
								"old": map[string]any{
									"type": "bool", "optional": true, "deprecated": true,
									"description": "Gone soon.", "description_kind": "plain",
								},
								"jobs": map[string]any{
									"computed": true, "description_kind": "plain",
									"nested_type": map[string]any{
										"nesting_mode": "map",
										"attributes": map[string]any{
											"job_id": map[string]any{"type": "string", "computed": true, "description_kind": "plain"},
											"status": map[string]any{"type": "string", "computed": true, "description_kind": "plain"},
										},
									},
								},
							},
							"block_types": map[string]any{
								"timeouts": map[string]any{
									"nesting_mode": "single",
									"block": map[string]any{
										"description_kind": "plain",
										"attributes": map[string]any{
											"create": map[string]any{
												"type": "string", "optional": true, "description_kind": "plain",
												"description": timeoutDescription("create"),
											},
											"update": map[string]any{
												"type": "string", "optional": true, "description_kind": "plain",
												"description": timeoutDescription("update"),
											},
										},
									},
								},
							},
						},
					},
				},
				"data_source_schemas": map[string]any{
					"cph_phones": map[string]any{
						"version": 0.0,
						"block": map[string]any{
							"description_kind": "plain",
							"attributes": map[string]any{
								"ids": map[string]any{"type": []any{"list", "string"}, "computed": true, "description_kind": "plain"},
							},
						},
					},
				},
				"action_schemas": map[string]any{
					"cph_poke": map[string]any{
						"block": map[string]any{
							"description": "Pokes phones.", "description_kind": "plain",
							"attributes": map[string]any{
								"phone_ids": map[string]any{"type": []any{"set", "string"}, "required": true, "description_kind": "plain"},
							},
						},
					},
				},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema JSON mismatch (-want +got):\n%s", diff)
	}

	// What tfplugindocs does with the file: terraform-json's UnmarshalJSON,
	// which checks format_version, then the lookup by address.
	var back tfjson.ProviderSchemas
	if err := back.UnmarshalJSON(raw); err != nil {
		t.Fatalf("terraform-json rejects the document: %v", err)
	}
	if back.Schemas[schemajson.DefaultAddress].ActionSchemas["cph_poke"] == nil {
		t.Error("action schema lost in the round trip")
	}
}

// timeoutDescription is what terraform-plugin-framework-timeouts writes.
func timeoutDescription(string) string {
	return `A string that can be [parsed as a duration](https://pkg.go.dev/time#ParseDuration) consisting of numbers and unit suffixes, such as "30s" or "2h45m". Valid time units are "s" (seconds), "m" (minutes), "h" (hours).`
}

type tinyProvider struct{}

var (
	_ provider.Provider            = (*tinyProvider)(nil)
	_ provider.ProviderWithActions = (*tinyProvider)(nil)
)

func (*tinyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cph"
}

func (*tinyProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerschema.Schema{
		MarkdownDescription: "Tiny provider.",
		Attributes: map[string]providerschema.Attribute{
			"region":     providerschema.StringAttribute{Optional: true, MarkdownDescription: "Region, e.g. `cn-north-4`."},
			"auth_token": providerschema.StringAttribute{Optional: true, Sensitive: true, Description: "Token."},
		},
	}
}

func (*tinyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (*tinyProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &tinyResource{} }}
}

func (*tinyProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{func() datasource.DataSource { return &tinyDataSource{} }}
}

func (*tinyProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{func() action.Action { return &tinyAction{} }}
}

type tinyResource struct{}

func (*tinyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_thing"
}

func (*tinyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{
		Version: 1,
		Attributes: map[string]rschema.Attribute{
			"id":     rschema.StringAttribute{Computed: true},
			"phones": rschema.MapAttribute{Required: true, Description: "Phones.", ElementType: types.MapType{ElemType: types.StringType}},
			"old":    rschema.BoolAttribute{Optional: true, Description: "Gone soon.", DeprecationMessage: "Use nothing."},
			"jobs": rschema.MapNestedAttribute{
				Computed: true,
				NestedObject: rschema.NestedAttributeObject{Attributes: map[string]rschema.Attribute{
					"job_id": rschema.StringAttribute{Computed: true},
					"status": rschema.StringAttribute{Computed: true},
				}},
			},
		},
		Blocks: map[string]rschema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
}

func (*tinyResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (*tinyResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (*tinyResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (*tinyResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

type tinyDataSource struct{}

func (*tinyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_phones"
}

func (*tinyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dsschema.Schema{Attributes: map[string]dsschema.Attribute{
		"ids": dsschema.ListAttribute{Computed: true, ElementType: types.StringType},
	}}
}

func (*tinyDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}

type tinyAction struct{}

func (*tinyAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_poke"
}

func (*tinyAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = actionschema.Schema{
		Description: "Pokes phones.",
		Attributes: map[string]actionschema.Attribute{
			"phone_ids": actionschema.SetAttribute{Required: true, ElementType: types.StringType},
		},
	}
}

func (*tinyAction) Invoke(context.Context, action.InvokeRequest, *action.InvokeResponse) {}
