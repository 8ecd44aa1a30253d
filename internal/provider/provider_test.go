package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

func nullModel() providerModel {
	return providerModel{
		Region: types.StringNull(), ProjectID: types.StringNull(), Endpoint: types.StringNull(), IAMEndpoint: types.StringNull(),
		AuthToken: types.StringNull(), AccessKey: types.StringNull(), SecretKey: types.StringNull(), SecurityToken: types.StringNull(),
		UserName: types.StringNull(), Password: types.StringNull(), DomainName: types.StringNull(), Insecure: types.BoolNull(),
		MaxRetries: types.Int64Null(), PollInterval: types.StringNull(), BatchSize: types.Int64Null(),
	}
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveSettingsErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit func(*providerModel)
		env  map[string]string
		want []string // each must appear in the diagnostics
	}{
		"no credentials": {nil, map[string]string{"HW_REGION_NAME": "cn-north-4"},
			[]string{"Missing Credentials", "HW_AUTH_TOKEN", "HW_ACCESS_KEY", "HW_USER_NAME"}},
		"access key without secret": {func(m *providerModel) { m.AccessKey = types.StringValue("AK") }, map[string]string{"HW_REGION_NAME": "r"},
			[]string{"Incomplete Credentials", `"secret_key" must be set`, "HW_SECRET_KEY"}},
		"secret from env only": {nil, map[string]string{"HW_REGION_NAME": "r", "HW_SECRET_KEY": "sk"},
			[]string{`"access_key" must be set`, "HW_ACCESS_KEY"}},
		"user without password and domain": {func(m *providerModel) { m.UserName = types.StringValue("u") }, map[string]string{"HW_REGION_NAME": "r"},
			[]string{`"password" must be set`, "HW_PASSWORD", `"domain_name" must be set`, "HW_DOMAIN_NAME"}},
		"unknown token": {func(m *providerModel) { m.AuthToken = types.StringUnknown() }, map[string]string{"HW_REGION_NAME": "r"},
			[]string{"Unknown Provider Setting", `"auth_token"`, "HW_AUTH_TOKEN"}},
		"missing region": {func(m *providerModel) { m.AuthToken = types.StringValue("t") }, nil,
			[]string{"Missing Region", "HW_REGION_NAME"}},
		"bad project": {func(m *providerModel) { m.AuthToken = types.StringValue("t"); m.ProjectID = types.StringValue("xyz") }, map[string]string{"HW_REGION_NAME": "r"},
			[]string{"Invalid Project ID", "HW_PROJECT_ID"}},
		"bad batch size": {func(m *providerModel) { m.AuthToken = types.StringValue("t"); m.BatchSize = types.Int64Value(0) }, map[string]string{"HW_REGION_NAME": "r"},
			[]string{"Invalid Batch Size"}},
		"bad poll interval": {func(m *providerModel) {
			m.AuthToken = types.StringValue("t")
			m.PollInterval = types.StringValue("soon")
		}, map[string]string{"HW_REGION_NAME": "r"},
			[]string{"Invalid Poll Interval", `"soon"`}},
		"bad insecure env": {func(m *providerModel) { m.AuthToken = types.StringValue("t") }, map[string]string{"HW_REGION_NAME": "r", "HW_INSECURE": "maybe"},
			[]string{"HW_INSECURE must be true or false"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := nullModel()
			if tc.edit != nil {
				tc.edit(&m)
			}
			_, diags := resolveSettings(m, envOf(tc.env), "test")
			if !diags.HasError() {
				t.Fatal("expected an error")
			}
			var text strings.Builder
			for _, d := range diags {
				fmt.Fprintf(&text, "%s: %s\n", d.Summary(), d.Detail())
			}
			for _, w := range tc.want {
				if !strings.Contains(text.String(), w) {
					t.Errorf("diagnostics lack %q:\n%s", w, text.String())
				}
			}
		})
	}
}

func TestResolveSettingsPrecedenceAndEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"HW_REGION_NAME": "cn-north-4", "HW_ACCESS_KEY": "AK", "HW_SECRET_KEY": "SK", "HW_SECURITY_TOKEN": "ST",
		"HW_USER_NAME": "u", "HW_PASSWORD": "p", "HW_DOMAIN_NAME": "d", "HW_INSECURE": "true",
	}
	m := nullModel()
	got, diags := resolveSettings(m, envOf(env), "1.2.3")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if diff := cmp.Diff(cph.AKSKCredentials{AccessKey: "AK", SecretKey: "SK", SecurityToken: "ST"}, got.client.Credentials); diff != "" {
		t.Errorf("AK/SK must win over password (-want +got):\n%s", diff)
	}
	if !got.client.Insecure || got.client.UserAgent != "terraform-provider-cph/1.2.3" || got.client.Region != "cn-north-4" {
		t.Errorf("client config = %+v", got.client)
	}
	m.AuthToken = types.StringValue("tok")
	m.BatchSize = types.Int64Value(7)
	m.PollInterval = types.StringValue("250ms")
	got, diags = resolveSettings(m, envOf(env), "1.2.3")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if got.client.Credentials != (cph.TokenCredentials{Token: "tok"}) || got.batchSize != 7 || got.pollInterval != 250*time.Millisecond {
		t.Errorf("token must win; got %+v", got)
	}
	delete(env, "HW_ACCESS_KEY")
	delete(env, "HW_SECRET_KEY")
	delete(env, "HW_SECURITY_TOKEN")
	got, _ = resolveSettings(nullModel(), envOf(env), "x")
	if got.client.Credentials != (cph.PasswordCredentials{UserName: "u", Password: "p", DomainName: "d"}) {
		t.Errorf("password sign-in from env; got %+v", got.client.Credentials)
	}
}

// TestAccProvider_signInMethods resets phones with each way to sign in,
// against a fake that verifies tokens and signatures exactly.
func TestAccProvider_signInMethods(t *testing.T) {
	const ak, sk = "QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	cases := map[string]struct {
		opts  fakecph.Options
		block string
	}{
		"token": {fakecph.Options{AuthToken: testToken}, fmt.Sprintf("auth_token = %q", testToken)},
		"ak/sk": {fakecph.Options{AccessKey: ak, SecretKey: sk}, fmt.Sprintf("access_key = %q\n  secret_key = %q", ak, sk)},
		"temporary ak/sk": {fakecph.Options{TemporaryKeys: []fakecph.TemporaryKey{{AccessKey: "TMPAK", SecretKey: "tmp-sk", SecurityToken: "sec-token"}}},
			`access_key = "TMPAK"` + "\n  secret_key = \"tmp-sk\"\n  security_token = \"sec-token\""},
		"password, project discovered": {fakecph.Options{Users: []fakecph.User{{Name: "alice", Password: "s3cret!", Domain: "acme"}}},
			`user_name = "alice"` + "\n  password = \"s3cret!\"\n  domain_name = \"acme\""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.opts.Seed, tc.opts.Phones = 11, 2
			env := newAccEnv(t, tc.opts)
			ids := env.phones(2)
			project := ""
			if !strings.HasPrefix(name, "password") {
				project = fmt.Sprintf("project_id = %q", env.svc.ProjectID())
			}
			cfg := fmt.Sprintf(`
provider "cph" {
  region        = "cn-north-4"
  endpoint      = %[1]q
  iam_endpoint  = %[1]q
  poll_interval = "20ms"
  %[2]s
  %[3]s
}
resource "cph_phone_reset" "fleet" {
  phones = %[4]s
}
`, env.url, project, tc.block, phonesHCL(ids, nil))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6,
				Steps: []resource.TestStep{{
					Config:            cfg,
					ConfigStateChecks: allSucceeded(ids),
					Check:             env.expectResets(ids, 1),
				}},
			})
		})
	}
}
