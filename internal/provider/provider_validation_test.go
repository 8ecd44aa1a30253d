package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// badProviderConfig is one invalid provider block: the attributes that
// differ from a valid token sign-in against the fake (nil removes one), the
// environment, and what the error must say.
type badProviderConfig struct {
	name    string
	attrs   map[string]any // HCL values: string, int, or nil to remove
	env     map[string]string
	summary string
	attr    string // the attribute the error points at ("" for the block)
	detail  string // a phrase of the detail, matched across line wraps
	// atValidate: reported by ValidateProviderConfig (`terraform validate`);
	// the others need the environment and the client's cross-field rules
	// and are reported at Configure (`plan`), still before any API call.
	atValidate bool
}

var badProviderConfigs = []badProviderConfig{
	{"max_retries negative", map[string]any{"max_retries": -1}, nil,
		"Invalid Attribute Value", "max_retries", "Attribute max_retries value must be between 0 and 100, got: -1", true},
	{"max_retries too large", map[string]any{"max_retries": 101}, nil,
		"Invalid Attribute Value", "max_retries", "value must be between 0 and 100, got: 101", true},
	{"batch_size zero", map[string]any{"batch_size": 0}, nil,
		"Invalid Attribute Value", "batch_size", "Attribute batch_size value must be between 1 and 1000, got: 0", true},
	{"batch_size too large", map[string]any{"batch_size": 5000}, nil,
		"Invalid Attribute Value", "batch_size", "value must be between 1 and 1000, got: 5000", true},
	{"poll_interval not a duration", map[string]any{"poll_interval": "abc"}, nil,
		"Invalid Poll Interval", "poll_interval", `poll_interval must be a duration from 1ms to 1h: a number and a unit (ns, us, ms, s, m, h), such as "10s" or "1m30s", got "abc".`, true},
	{"poll_interval negative", map[string]any{"poll_interval": "-5s"}, nil,
		"Invalid Poll Interval", "poll_interval", `got "-5s"`, true},
	{"poll_interval zero", map[string]any{"poll_interval": "0s"}, nil,
		"Invalid Poll Interval", "poll_interval", `got "0s"`, true},
	{"poll_interval too long", map[string]any{"poll_interval": "2h"}, nil,
		"Invalid Poll Interval", "poll_interval", `got "2h"`, true},
	{"endpoint without scheme", map[string]any{"endpoint": "cph.example.com"}, nil,
		"Invalid CPH Endpoint", "endpoint", `endpoint must be an absolute http or https URL`, true},
	{"endpoint ftp", map[string]any{"endpoint": "ftp://cph.example.com"}, nil,
		"Invalid CPH Endpoint", "endpoint", `got "ftp://cph.example.com"`, true},
	{"endpoint with a password", map[string]any{"endpoint": "https://me:hunter2@cph.example.com"}, nil,
		"Invalid CPH Endpoint", "endpoint", `without user information, query or fragment`, true},
	{"iam_endpoint with a query", map[string]any{"iam_endpoint": "https://iam.example.com/?region=x"}, nil,
		"Invalid IAM Endpoint", "iam_endpoint", `such as https://iam.cn-north-4.myhuaweicloud.com, got "https://iam.example.com/?region=x"`, true},
	{"region malformed", map[string]any{"region": "CN North 4"}, nil,
		"Invalid Region", "region", `region must be a region name: lowercase letters and digits in dash-separated words, such as cn-north-4, got "CN North 4".`, true},
	{"project_id short", map[string]any{"project_id": "xyz"}, nil,
		"Invalid Project ID", "project_id", `project_id must be 32 lowercase hexadecimal characters, got "xyz".`, true},
	{"project_id upper-case", map[string]any{"project_id": "0123456789ABCDEF0123456789ABCDEF"}, nil,
		"Invalid Project ID", "project_id", `got "0123456789ABCDEF0123456789ABCDEF"`, true},
	{"token beside an access key", map[string]any{"access_key": "AK", "secret_key": "SK"}, nil,
		"Conflicting Sign-In Settings", "access_key", "auth_token and access_key are both set in the provider block", true},
	{"token beside a password", map[string]any{"user_name": "u", "password": "p", "domain_name": "d"}, nil,
		"Conflicting Sign-In Settings", "user_name", "auth_token and user_name are both set", true},
	{"access key beside a password", map[string]any{"auth_token": nil, "access_key": "AK", "secret_key": "SK", "password": "p"}, nil,
		"Conflicting Sign-In Settings", "password", "access_key and password are both set", true},
	{"access key without secret key", map[string]any{"auth_token": nil, "access_key": "AK"}, nil,
		"Incomplete Credentials", "access_key", "access_key is set, so secret_key must be set too (in the provider block, or the HW_SECRET_KEY environment variable)", true},
	{"security token alone", map[string]any{"auth_token": nil, "security_token": "ST"}, nil,
		"Incomplete Credentials", "security_token", "security_token is set, so access_key and secret_key must be set too (in the provider block, or the HW_ACCESS_KEY and HW_SECRET_KEY environment variables)", true},
	{"user name without password", map[string]any{"auth_token": nil, "user_name": "u", "domain_name": "d"}, nil,
		"Incomplete Credentials", "user_name", "user_name is set, so password must be set too (in the provider block, or the HW_PASSWORD environment variable)", true},
	{"password without user name", map[string]any{"auth_token": nil, "password": "p", "domain_name": "d"}, nil,
		"Incomplete Credentials", "password", "password is set, so user_name must be set too", true},
	// Reported at Configure: they depend on the environment or on several
	// fields the client weighs together.
	{"no region, no endpoint", map[string]any{"region": nil, "endpoint": nil}, nil,
		"Missing Region", "region", "region is required: it names the default CPH endpoint. Without a region, give the CPH endpoint and the project ID", false},
	{"password with endpoint and project but no IAM endpoint nor region",
		map[string]any{"region": nil, "iam_endpoint": nil, "auth_token": nil, "user_name": "u", "password": "p", "domain_name": "d"}, nil,
		"Missing Region", "region", "it names the default IAM endpoint for password sign-in", false},
	{"token with white space", map[string]any{"auth_token": "abc def"}, nil,
		"Invalid Token", "auth_token", "auth_token must not contain white space or control characters (the value is not shown)", false},
	{"no sign-in at all", map[string]any{"auth_token": nil}, nil,
		"Missing Credentials", "", "The provider needs one way to sign in", false},
	{"HW_INSECURE not a boolean", nil, map[string]string{"HW_INSECURE": "maybe"},
		"Invalid Insecure Setting", "insecure", `HW_INSECURE must be true or false, got "maybe".`, false},
	{"HW_CPH_ENDPOINT not a URL", map[string]any{"endpoint": nil}, map[string]string{"HW_CPH_ENDPOINT": "localhost:8080"},
		"Invalid CPH Endpoint", "endpoint", `endpoint (from the HW_CPH_ENDPOINT environment variable) must be an absolute http or https URL`, false},
}

// signInEnv lists every environment variable the provider reads, so tests
// start from an empty environment whatever the developer's shell holds.
func clearProviderEnv(t *testing.T) {
	for _, s := range settings {
		if s.env != "" {
			t.Setenv(s.env, "")
		}
	}
}

// providerHCL renders the provider block of a case: a valid token sign-in
// against url with the case's changes.
func (c badProviderConfig) providerHCL(url, project string) string {
	attrs := c.written(url, project)
	var b strings.Builder
	b.WriteString("provider \"cph\" {\n")
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		switch v := attrs[k].(type) {
		case string:
			fmt.Fprintf(&b, "  %s = %q\n", k, v)
		default:
			fmt.Fprintf(&b, "  %s = %v\n", k, v)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// written is the case's provider block as attribute values.
func (c badProviderConfig) written(url, project string) map[string]any {
	attrs := map[string]any{
		"endpoint": url, "iam_endpoint": url, "project_id": project, "region": "cn-north-4",
		"auth_token": testToken, "poll_interval": "20ms",
	}
	for k, v := range c.attrs {
		if v == nil {
			delete(attrs, k)
		} else {
			attrs[k] = v
		}
	}
	return attrs
}

// wantError matches the CLI's rendering of the case's error: the summary,
// the source line of the attribute it points at (the CLI shows the block's
// first line when that attribute is not written, e.g. a missing region or
// a value from the environment), then the detail (the CLI wraps long
// details, so spaces match any white space).
func (c badProviderConfig) wantError() *regexp.Regexp {
	loose := loosePhrase
	at := `provider "cph" \{`
	if _, written := c.written("", "")[c.attr]; written {
		at = `\d+:\s+` + regexp.QuoteMeta(c.attr) + `\s+=`
	}
	return regexp.MustCompile(`(?s)Error: ` + loose(c.summary) + `.*` + at + `.*` + loose(c.detail))
}

// loosePhrase matches s literally, except that each space matches any
// white space: the CLI wraps long diagnostics.
func loosePhrase(s string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`)
}

// TestAccProvider_badProviderConfig runs every invalid provider block
// through the CLI: each fails `plan` with its error at its attribute, and
// the fake sees no request at all.
func TestAccProvider_badProviderConfig(t *testing.T) {
	clearProviderEnv(t)
	env := newAccEnv(t, fakecph.Options{Seed: 5, Phones: 1})
	resourceHCL := fmt.Sprintf("resource \"cph_phone_reset\" \"fleet\" {\n  phones = { %q = {} }\n}\n", env.phones(1)[0])
	for _, c := range badProviderConfigs {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6,
				Steps: []resource.TestStep{{
					Config:      c.providerHCL(env.url, env.svc.ProjectID()) + resourceHCL,
					PlanOnly:    true,
					ExpectError: c.wantError(),
				}},
				CheckDestroy: func(*terraform.State) error { return env.noCallsError() },
			})
		})
	}
	if err := env.noCallsError(); err != nil {
		t.Error(err)
	}
}

// noCallsError says so when the fake received any request since the last
// takeStats.
func (e *accEnv) noCallsError() error {
	st := e.takeStats()
	total := 0
	for _, byStatus := range st.Calls {
		for _, n := range byStatus {
			total += n
		}
	}
	if total != 0 {
		return fmt.Errorf("invalid configurations made %d API calls (%v), want 0", total, st.Calls)
	}
	return nil
}

// TestValidateProviderConfig sends each case's block to the provider's
// ValidateProviderConfig, the RPC behind `terraform validate`: the cases
// marked atValidate must fail there, at their attribute; the others must
// pass it (they are reported at Configure, see the acceptance test).
func TestValidateProviderConfig(t *testing.T) {
	clearProviderEnv(t)
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	objType := schema.Provider.ValueType().(tftypes.Object)
	for _, c := range badProviderConfigs {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			vals := map[string]tftypes.Value{}
			attrs := map[string]any{"endpoint": "http://127.0.0.1:1", "iam_endpoint": "http://127.0.0.1:1",
				"project_id": strings.Repeat("a", 32), "region": "cn-north-4", "auth_token": testToken}
			maps.Copy(attrs, c.attrs)
			for name, typ := range objType.AttributeTypes {
				v, ok := attrs[name]
				switch {
				case !ok || v == nil:
					vals[name] = tftypes.NewValue(typ, nil)
				case typ.Is(tftypes.Number):
					vals[name] = tftypes.NewValue(typ, v.(int))
				default:
					vals[name] = tftypes.NewValue(typ, v)
				}
			}
			cfg, err := tfprotov6.NewDynamicValue(objType, tftypes.NewValue(objType, vals))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &cfg})
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, d := range resp.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errs = append(errs, fmt.Sprintf("%s at %v: %s", d.Summary, d.Attribute, d.Detail))
				}
			}
			if !c.atValidate {
				if len(errs) > 0 {
					t.Errorf("validate failed, but this case belongs to Configure: %v", errs)
				}
				return
			}
			want := fmt.Sprintf("%s at AttributeName(%q)", c.summary, c.attr)
			if len(errs) != 1 || !strings.HasPrefix(errs[0], want) || !strings.Contains(errs[0], c.detail) {
				t.Errorf("validate errors = %q, want one %q with %q", errs, want, c.detail)
			}
			if strings.Contains(strings.Join(errs, "\n"), "hunter2") {
				t.Errorf("an error shows the endpoint's password: %v", errs)
			}
		})
	}
}

// TestAccProvider_blockWinsOverEnvironment: access keys in the block sign
// in although a stale HW_AUTH_TOKEN is set (the fake accepts only the keys),
// and with endpoint and project_id neither region nor iam_endpoint is
// needed for AK/SK sign-in.
func TestAccProvider_blockWinsOverEnvironment(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv("HW_AUTH_TOKEN", "stale-token-from-the-environment")
	const ak, sk = "QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	env := newAccEnv(t, fakecph.Options{Seed: 12, Phones: 2, AccessKey: ak, SecretKey: sk})
	ids := env.phones(2)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "cph" {
  endpoint      = %q
  project_id    = %q
  access_key    = %q
  secret_key    = %q
  poll_interval = "20ms"
}
resource "cph_phone_reset" "fleet" {
  phones = %s
}
`, env.url, env.svc.ProjectID(), ak, sk, phonesHCL(ids, nil)),
			ConfigStateChecks: allSucceeded(ids),
			Check: func(s *terraform.State) error {
				calls := env.svc.Stats().Calls
				for route, byStatus := range calls {
					for status, n := range byStatus {
						if status >= 400 && n > 0 {
							return fmt.Errorf("the fake answered %s with %d %d times: the stale token was used", route, status, n)
						}
					}
				}
				if n := calls["iam_projects"]; len(n) > 0 {
					return fmt.Errorf("IAM was called (%v) although endpoint and project_id are set", n)
				}
				return env.expectResets(ids, 1)(s)
			},
		}},
	})
}

// TestAccProvider_projectLookUpFailures: without project_id the provider
// looks the project up in IAM while configuring, so wrong credentials fail
// the plan there, with one error, and no CPH call is made.
func TestAccProvider_projectLookUpFailures(t *testing.T) {
	clearProviderEnv(t)
	env := newAccEnv(t, fakecph.Options{Seed: 13, Phones: 1})
	id := env.phones(1)[0]
	config := func(region, token string) string {
		return fmt.Sprintf(`
provider "cph" {
  region       = %q
  endpoint     = %[3]q
  iam_endpoint = %[3]q
  auth_token   = %[2]q
}
resource "cph_phone_reset" "fleet" {
  phones = { %[4]q = {} }
}
`, region, token, env.url, id)
	}
	onlyIAM := func(*terraform.State) error {
		st := env.takeStats()
		for route, byStatus := range st.Calls {
			if route != fakecph.RouteIAMProjects {
				return fmt.Errorf("unexpected calls of %s: %v (only the IAM project look-up may run)", route, byStatus)
			}
		}
		if len(st.Calls[fakecph.RouteIAMProjects]) == 0 {
			return errors.New("the project was never looked up")
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config:   config("cn-north-4", "wrong-token"),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Error: Sign-In Failed.*` + loosePhrase(
					"IAM refused the credentials (the provider looks up the project of region cn-north-4 in IAM because "+
						"project_id is not set): GET /v3/projects: HTTP 401 APIG.0301")),
			},
			{
				Config:   config("cn-east-3", testToken),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Error: Could Not Look Up Project ID.*` + loosePhrase(
					"IAM lists no project named after region cn-east-3. Set project_id (or the HW_PROJECT_ID environment variable)")),
			},
		},
		CheckDestroy: onlyIAM,
	})
}
