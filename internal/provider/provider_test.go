package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	token := func(m *providerModel) { m.AuthToken = types.StringValue("t") }
	region := map[string]string{"HW_REGION_NAME": "cn-north-4"}
	cases := map[string]struct {
		edit func(*providerModel)
		env  map[string]string
		want []string // each must appear in the diagnostics
		path string   // the attribute of the first error; "" for none
	}{
		"no credentials": {nil, region,
			[]string{"Missing Credentials", "HW_AUTH_TOKEN", "HW_ACCESS_KEY", "HW_USER_NAME"}, ""},
		"access key without secret": {func(m *providerModel) { m.AccessKey = types.StringValue("AK") }, region,
			[]string{"Incomplete Credentials", "access_key is set, so secret_key must be set too", "HW_SECRET_KEY"}, "access_key"},
		"secret from env only": {nil, map[string]string{"HW_REGION_NAME": "r", "HW_SECRET_KEY": "sk"},
			[]string{"HW_SECRET_KEY is set in the environment, so access_key must be set too", "HW_ACCESS_KEY"}, "secret_key"},
		"user without password and domain": {func(m *providerModel) { m.UserName = types.StringValue("u") }, region,
			[]string{"so password and domain_name must be set too", "HW_PASSWORD and HW_DOMAIN_NAME environment variables"}, "user_name"},
		"unknown token": {func(m *providerModel) { m.AuthToken = types.StringUnknown() }, region,
			[]string{"Unknown Provider Setting", "auth_token", "HW_AUTH_TOKEN"}, "auth_token"},
		"token and access key": {func(m *providerModel) { token(m); m.AccessKey = types.StringValue("AK") }, region,
			[]string{"Conflicting Sign-In Settings", "auth_token and access_key are both set"}, "access_key"},
		"missing region": {token, nil,
			[]string{"Missing Region", "region is required: it names the default CPH endpoint and the project to look up in IAM", "HW_REGION_NAME"}, "region"},
		"password, endpoint and project but no IAM endpoint": {func(m *providerModel) {
			m.UserName, m.Password, m.DomainName = types.StringValue("u"), types.StringValue("p"), types.StringValue("d")
			m.Endpoint, m.ProjectID = types.StringValue("http://127.0.0.1:1"), types.StringValue(strings.Repeat("a", 32))
		}, nil, []string{"Missing Region", "the default IAM endpoint for password sign-in"}, "region"},
		"bad project": {func(m *providerModel) { token(m); m.ProjectID = types.StringValue("xyz") }, region,
			[]string{"Invalid Project ID", `project_id must be 32 lowercase hexadecimal characters, got "xyz".`}, "project_id"},
		"bad endpoint from env": {token, map[string]string{"HW_REGION_NAME": "r", "HW_CPH_ENDPOINT": "cph.example.com"},
			[]string{"Invalid CPH Endpoint", `endpoint (from the HW_CPH_ENDPOINT environment variable) must be an absolute http or https URL`, `got "cph.example.com"`}, "endpoint"},
		"bad region": {func(m *providerModel) { token(m); m.Region = types.StringValue("CN North") }, nil,
			[]string{"Invalid Region", `region must be a region name`, `got "CN North"`}, "region"},
		"bad insecure env": {token, map[string]string{"HW_REGION_NAME": "r", "HW_INSECURE": "maybe"},
			[]string{"HW_INSECURE must be true or false"}, "insecure"},
		"token with a newline": {func(m *providerModel) { m.AuthToken = types.StringValue("abc\ndef") }, region,
			[]string{"Invalid Token", "auth_token must not contain white space"}, "auth_token"},
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
			text := frameworkDiagText(diags)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("diagnostics lack %q:\n%s", w, text)
				}
			}
			for _, bad := range []string{"invalid CPH client configuration", "could not set up", "abc\ndef"} {
				if strings.Contains(text, bad) {
					t.Errorf("diagnostics contain %q:\n%s", bad, text)
				}
			}
			got := ""
			if withPath, ok := diags.Errors()[0].(diag.DiagnosticWithPath); ok {
				got = withPath.Path().String()
			}
			if got != tc.path {
				t.Errorf("first error points at %q, want %q:\n%s", got, tc.path, text)
			}
		})
	}
}

func frameworkDiagText(diags diag.Diagnostics) string {
	var text strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&text, "%s: %s: %s\n", d.Severity(), d.Summary(), d.Detail())
	}
	return text.String()
}

// TestResolveSettingsSignInPrecedence: the configuration wins over the
// environment; among variables a token wins, then an access key, then a
// password; every sign-in variable set but not used is named in a warning,
// never with its value.
func TestResolveSettingsSignInPrecedence(t *testing.T) {
	t.Parallel()
	allEnv := map[string]string{
		"HW_REGION_NAME": "cn-north-4", "HW_AUTH_TOKEN": "env-token-value", "HW_ACCESS_KEY": "ENVAK", "HW_SECRET_KEY": "env-sk-value",
		"HW_USER_NAME": "u", "HW_PASSWORD": "env-password-value", "HW_DOMAIN_NAME": "d",
	}
	keys := func(m *providerModel) { m.AccessKey, m.SecretKey = types.StringValue("AK"), types.StringValue("SK") }
	cases := map[string]struct {
		edit        func(*providerModel)
		env         map[string]string
		want        cph.Credentials
		wantIgnored string // the list in the warning; "" for no warning
	}{
		"keys in the block beat a stale HW_AUTH_TOKEN": {keys, map[string]string{"HW_AUTH_TOKEN": "stale-token-value"},
			cph.AKSKCredentials{AccessKey: "AK", SecretKey: "SK"}, "HW_AUTH_TOKEN"},
		"block beats every variable, the overridden ones named": {keys, allEnv,
			cph.AKSKCredentials{AccessKey: "AK", SecretKey: "SK"}, "HW_AUTH_TOKEN, HW_ACCESS_KEY, HW_SECRET_KEY, HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME"},
		"block access key completed by the environment": {func(m *providerModel) { m.AccessKey = types.StringValue("AK") },
			map[string]string{"HW_SECRET_KEY": "SK"}, cph.AKSKCredentials{AccessKey: "AK", SecretKey: "SK"}, ""},
		"token variable beats the others": {nil, allEnv, cph.TokenCredentials{Token: "env-token-value"},
			"HW_ACCESS_KEY, HW_SECRET_KEY, HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME"},
		"access key variables beat password": {nil, map[string]string{"HW_ACCESS_KEY": "A", "HW_SECRET_KEY": "S", "HW_SECURITY_TOKEN": "T", "HW_USER_NAME": "u"},
			cph.AKSKCredentials{AccessKey: "A", SecretKey: "S", SecurityToken: "T"}, "HW_USER_NAME"},
		"password from the environment alone": {nil, map[string]string{"HW_USER_NAME": "u", "HW_PASSWORD": "p", "HW_DOMAIN_NAME": "d"},
			cph.PasswordCredentials{UserName: "u", Password: "p", DomainName: "d"}, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := nullModel()
			if tc.edit != nil {
				tc.edit(&m)
			}
			env := map[string]string{"HW_REGION_NAME": "cn-north-4"}
			for k, v := range tc.env {
				env[k] = v
			}
			got, diags := resolveSettings(m, envOf(env), "1.2.3")
			if diags.HasError() {
				t.Fatal(frameworkDiagText(diags))
			}
			if diff := cmp.Diff(tc.want, got.client.Credentials); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
			warnings := diags.Warnings()
			switch {
			case tc.wantIgnored == "" && len(warnings) > 0:
				t.Errorf("unexpected warning:\n%s", frameworkDiagText(diags))
			case tc.wantIgnored != "" && (len(warnings) != 1 ||
				!strings.Contains(warnings[0].Detail(), "set but not used: "+tc.wantIgnored+".")):
				t.Errorf("want one warning naming %s, got:\n%s", tc.wantIgnored, frameworkDiagText(diags))
			}
			for _, v := range env {
				if len(v) > 5 && strings.Contains(frameworkDiagText(diags), v) {
					t.Errorf("a diagnostic shows the value %q", v)
				}
			}
		})
	}
}

func TestResolveSettingsValues(t *testing.T) {
	t.Parallel()
	m := nullModel()
	m.AuthToken = types.StringValue("tok")
	m.BatchSize = types.Int64Value(7)
	m.MaxRetries = types.Int64Value(0)
	m.PollInterval = types.StringValue("250ms")
	m.Endpoint = types.StringValue("http://127.0.0.1:9")
	m.ProjectID = types.StringValue(strings.Repeat("b", 32))
	got, diags := resolveSettings(m, envOf(map[string]string{"HW_INSECURE": "true"}), "1.2.3")
	if diags.HasError() {
		t.Fatal(frameworkDiagText(diags))
	}
	if got.batchSize != 7 || got.pollInterval != 250*time.Millisecond || got.client.MaxRetries != 0 ||
		!got.client.Insecure || got.client.UserAgent != "terraform-provider-cph/1.2.3" || got.client.Region != "" {
		t.Errorf("settings = %+v (a token with endpoint and project_id needs no region)", got)
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
