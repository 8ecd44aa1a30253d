package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// TestAccProvider_traceLogsHaveNoSecrets applies with TF_LOG=TRACE and each
// kind of secret, passed through the environment (so the test harness does
// not print them with the configuration), and checks that neither the
// provider's whole log nor the state (`terraform show -json`) ever contains
// one, nor the IAM token the password login was issued, while the log does
// show the API calls.
func TestAccProvider_traceLogsHaveNoSecrets(t *testing.T) {
	const (
		tempSK, securityToken = "tmp-secret-key-3f9a", "security-token-77c1e0"
		password              = "passw0rd-9b2d-x"
	)
	env := newAccEnv(t, fakecph.Options{
		Seed: 12, Phones: 2,
		TemporaryKeys: []fakecph.TemporaryKey{{AccessKey: "TMPAK", SecretKey: tempSK, SecurityToken: securityToken}},
		Users:         []fakecph.User{{Name: "bob", Password: password, Domain: "acme"}},
	})
	ids := env.phones(2)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	config := func(id string) string {
		return fmt.Sprintf(`
provider "cph" {
  region       = "cn-north-4"
  endpoint     = %[1]q
  iam_endpoint = %[1]q
}
resource "cph_phone_reset" "fleet" {
  phones = { %[2]q = {} }
}
`, env.url, id)
	}
	signIn := func(vars map[string]string) func() {
		return func() {
			for _, k := range []string{"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_USER_NAME", "HW_PASSWORD", "HW_DOMAIN_NAME"} {
				os.Unsetenv(k)
			}
			for k, v := range vars {
				t.Setenv(k, v)
			}
		}
	}
	// None of these is in the configuration, so none may be in the state.
	secrets := func() []string {
		return append([]string{tempSK, securityToken, password, "TMPAK"}, env.svc.IssuedTokens()...)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig: signIn(map[string]string{"HW_ACCESS_KEY": "TMPAK", "HW_SECRET_KEY": tempSK, "HW_SECURITY_TOKEN": securityToken}),
				Config:    config(ids[0]),
				Check:     resource.ComposeAggregateTestCheckFunc(env.expectResets(ids[:1], 1), stateHasNone(secrets)),
			},
			{
				PreConfig: signIn(map[string]string{"HW_USER_NAME": "bob", "HW_PASSWORD": password, "HW_DOMAIN_NAME": "acme"}),
				Config:    config(ids[1]),
				Check: resource.ComposeAggregateTestCheckFunc(env.expectResets(ids[1:], 1), stateHasNone(secrets), func(*terraform.State) error {
					logged, err := os.ReadFile(logPath)
					if err != nil {
						return err
					}
					text := string(logged)
					if !strings.Contains(text, "batch-reset") || !strings.Contains(text, "Signature=REDACTED") {
						return fmt.Errorf("the TRACE log (%d bytes) lacks the provider's API calls; the test is not looking at the right log", len(logged))
					}
					issued := env.svc.IssuedTokens()
					if len(issued) == 0 {
						return fmt.Errorf("the fake issued no IAM token; the password login was not tested")
					}
					for _, secret := range append([]string{tempSK, securityToken, password}, issued...) {
						if strings.Contains(text, secret) {
							return fmt.Errorf("the TRACE log contains the secret %.12q...", secret)
						}
					}
					return nil
				}),
			},
		},
	})
}

// stateHasNone checks that the state, as `terraform show -json` reports it
// (sensitive values included), contains none of the given strings.
func stateHasNone(secrets func() []string) func(*terraform.State) error {
	return func(st *terraform.State) error {
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), "cph_phone_reset.fleet") {
			return fmt.Errorf("the state (%d bytes) lacks the resource; the check is not looking at the right state", len(b))
		}
		for _, secret := range secrets() {
			if strings.Contains(string(b), secret) {
				return fmt.Errorf("the state contains the secret %.12q...", secret)
			}
		}
		return nil
	}
}
