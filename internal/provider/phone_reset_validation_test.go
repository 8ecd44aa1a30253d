package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// TestAccPhoneReset_planTimeValidation: every plan-time rule fails `plan`
// with an attribute error and makes no API call at all (the fake counts
// every request from the start of the test).
func TestAccPhoneReset_planTimeValidation(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 7, Phones: 2})
	ok := env.phones(1)[0]
	phone := func(props string) string { return fmt.Sprintf("{ %q = %s }", ok, props) }
	cases := []struct {
		name, phones, extra, want string
	}{
		{"empty phones", "{}", "", `No Phones To Reset`},
		{"malformed id", `{ "ABC" = {} }`, "", `Invalid Phone ID.*"ABC"`},
		{"upper-case id", fmt.Sprintf(`{ %q = {} }`, strings.ToUpper(ok)), "", `Invalid Phone ID`},
		{"imsi letters", phone(`{ "sys.prop.writeimsi" = "46002x" }`), "", `Phone ` + ok + `: .*sys.prop.writeimsi.*1 to 15 digits`},
		{"imsi too long", phone(`{ "sys.prop.writeimsi" = "4600216246171130" }`), "", `1 to 15 digits`},
		{"phone number", phone(`{ "sys.prop.writephonenum" = "+86123" }`), "", `writephonenum.*1 to 20 digits`},
		{"ssid characters", phone(`{}`), `  properties = { "sys.prop.writewifissid" = "caf\u00e9!" }`, `writewifissid`},
		{"ssid length", phone(`{ "sys.prop.writewifissid" = "` + strings.Repeat("w", 65) + `" }`), "", `1 to 64 characters`},
		{"flag", phone(`{ "disable.status.bar" = "yes" }`), "", `disable.status.bar.*0 or 1`},
		{"encoded too long", phone(`{ "vendor.blob" = "` + strings.Repeat("x", 2100) + `" }`), "", `Properties Too Long.*2048`},
		{"image id", phone(`{}`), `  image_id = "not-an-image"`, `Invalid Image ID`},
		{"null phone properties", fmt.Sprintf(`{ %q = null }`, ok), "", `Missing Phone Properties.*` + ok},
		{"null property value", phone(`{ "com.cph.mainkeys" = null }`), "", `Missing Property Value.*` + ok + `.*com.cph.mainkeys`},
		{"common flag", phone(`{}`), `  properties = { "ro.install.auto" = "2" }`, `Invalid Property.*ro.install.auto.*0 or 1`},
		{"bandwidth", phone(`{ "com.cph.bandwidth_limit" = "0" }`), "", `com.cph.bandwidth_limit`},
		{"id with spaces", fmt.Sprintf(`{ " %s" = {} }`, ok), "", `Invalid Phone ID`},
		{"upper-case image id", phone(`{}`), `  image_id = "` + strings.ToUpper(ok) + `"`, `Invalid Image ID`},
		{"on_create_failure", phone(`{}`), `  on_create_failure = "ignore"`, `on_create_failure.*taint.*keep.*ignore`},
		{"timeout", phone(`{}`), `  timeouts { create = "soon" }`, `(?i)timeouts|duration`},
		{"wait type", phone(`{}`), `  wait_for_completion = "maybe"`, `wait_for_completion`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config: env.providerBlock() + fmt.Sprintf(`
resource "cph_phone_reset" "fleet" {
  phones = %s
%s
}`, tc.phones, tc.extra),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)` + tc.want),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps:                    steps,
		CheckDestroy:             func(*terraform.State) error { return env.noCallsError() },
	})
}
