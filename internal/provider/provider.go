// Package provider is the Terraform side of terraform-provider-cph: schemas,
// models, plan logic and diagnostics. The API client (internal/cph) and the
// reset engine (internal/reset) do the work; this package translates.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

var (
	_ provider.ProviderWithActions        = (*cphProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*cphProvider)(nil)
)

// New returns the provider constructor; version is set by the release build.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &cphProvider{version: version, progressEvery: defaultProgressEvery}
	}
}

type cphProvider struct {
	version string
	// now is the engine's clock; nil means time.Now. Tests set it to judge
	// lost answers against the fake's clock.
	now func() time.Time
	// progressEvery is the least time between the action's waiting
	// messages; tests shorten it.
	progressEvery time.Duration
}

// providerModel is the provider block.
type providerModel struct {
	Region        types.String `tfsdk:"region"`
	ProjectID     types.String `tfsdk:"project_id"`
	Endpoint      types.String `tfsdk:"endpoint"`
	IAMEndpoint   types.String `tfsdk:"iam_endpoint"`
	AuthToken     types.String `tfsdk:"auth_token"`
	AccessKey     types.String `tfsdk:"access_key"`
	SecretKey     types.String `tfsdk:"secret_key"`
	SecurityToken types.String `tfsdk:"security_token"`
	UserName      types.String `tfsdk:"user_name"`
	Password      types.String `tfsdk:"password"`
	DomainName    types.String `tfsdk:"domain_name"`
	Insecure      types.Bool   `tfsdk:"insecure"`
	MaxRetries    types.Int64  `tfsdk:"max_retries"`
	PollInterval  types.String `tfsdk:"poll_interval"`
	BatchSize     types.Int64  `tfsdk:"batch_size"`
}

// providerData is what resources receive from Configure.
type providerData struct {
	client *cph.Client
	reads  readAPI       // the data sources' calls (client)
	engine *reset.Engine // immutable, shared by every resource and action
}

func (p *cphProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cph"
	resp.Version = p.version
}

func (p *cphProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for _, s := range settings {
		desc := s.description
		if s.env != "" {
			desc += fmt.Sprintf(" Falls back to the `%s` environment variable.", s.env)
		}
		switch s.kind {
		case kindBool:
			attrs[s.name] = schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
		case kindInt:
			attrs[s.name] = schema.Int64Attribute{Optional: true, MarkdownDescription: desc, Validators: s.ints}
		default:
			attrs[s.name] = schema.StringAttribute{Optional: true, Sensitive: s.sensitive, MarkdownDescription: desc,
				Validators: s.strings}
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Huawei Cloud Cloud Phone (CPH) fleets. Sign in one way: a token, " +
			"an access key (permanent or temporary) or an IAM user's password. Two ways in the provider block are " +
			"an error; the provider block wins over the environment; among environment variables the first of " +
			"token, access key, password is used; sign-in variables that are set but not used are named in a warning.",
		Attributes: attrs,
	}
}

// ValidateConfig checks, at `validate`, what the attributes' own validators
// cannot: two sign-in methods in the block, and half a method that the
// environment does not complete either.
func (p *cphProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	raw := m.values()
	// Completeness is judged only once the block names one method.
	if conflicts := validateSignIn(raw); conflicts.HasError() {
		resp.Diagnostics.Append(conflicts...)
		return
	}
	resp.Diagnostics.Append(validateSignInComplete(raw, os.Getenv)...)
}

func (p *cphProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, diags := resolveSettings(m, os.Getenv, p.version)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, err := cph.New(ctx, settings.client)
	if err != nil {
		resp.Diagnostics.Append(newClientDiagnostics(err, settings.client)...)
		return
	}
	data := &providerData{
		client: client,
		reads:  client,
		engine: reset.New(client, reset.Options{BatchSize: settings.batchSize, PollInterval: settings.pollInterval, Now: p.now}),
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
}

func (p *cphProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewPhoneResetResource}
}

func (p *cphProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{func() action.Action { return newPhoneResetAction(p.progressEvery) }}
}

func (p *cphProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewPhonesDataSource, NewPhoneDataSource, NewJobsDataSource, NewImagesDataSource}
}

// newClientDiagnostics explains why cph.New failed. Its configuration was
// validated already, so what is left is the IAM look-up of the project.
func newClientDiagnostics(err error, cfg cph.Config) diag.Diagnostics {
	if len(cph.FieldErrors(err)) > 0 {
		return clientDiagnostics(err, nil)
	}
	var diags diag.Diagnostics
	if cfg.ProjectID != "" {
		diags.AddError("Could Not Create CPH Client", err.Error())
		return diags
	}
	cause := err.Error()
	var apiErr *cph.APIError
	if errors.As(err, &apiErr) {
		cause = apiErr.Error()
	}
	why := fmt.Sprintf("the provider looks up the project of region %s in IAM because project_id is not set", cfg.Region)
	const skip = " Set project_id (or the HW_PROJECT_ID environment variable) to skip the look-up."
	switch {
	case cph.IsAuth(err):
		diags.AddError("Sign-In Failed",
			"IAM refused the credentials ("+why+"): "+cause+". Check the sign-in settings and iam_endpoint.")
	case cph.IsPermission(err):
		diags.AddAttributeError(path.Root("project_id"), "Permission Denied",
			"The credentials may not list IAM projects ("+why+"): "+cause+"."+skip)
	case apiErr != nil:
		diags.AddAttributeError(path.Root("project_id"), "Could Not Look Up Project ID",
			"IAM answered with an error ("+why+"): "+cause+"."+skip)
	default:
		diags.AddAttributeError(path.Root("project_id"), "Could Not Look Up Project ID", cause+"."+skip)
	}
	return diags
}

// providerDataFrom is the Configure guard of every resource, data source and
// action: nil while the provider is not configured yet (as during
// validation), an error for anything but *providerData.
func providerDataFrom(pd any, diags *diag.Diagnostics) *providerData {
	if pd == nil {
		return nil
	}
	data, ok := pd.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", pd))
	}
	return data
}
