package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// resetWithProperty resets one phone with the API itself, applying a
// property string, as a script outside Terraform would.
func (e *accEnv) resetWithProperty(id string, props map[string]string) {
	e.t.Helper()
	prop, _ := json.Marshal(props)
	body, _ := json.Marshal(map[string]any{"phones": []map[string]string{{"phone_id": id, "property": string(prop)}}})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/v1/"+e.svc.ProjectID()+"/cloud-phone/phones/batch-reset", strings.NewReader(string(body)))
	req.Header.Set("X-Auth-Token", testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	_ = resp.Body.Close()
	if p, _ := e.svc.Phone(id); resp.StatusCode != http.StatusOK || p.Property == "" {
		e.t.Fatalf("reset with property: HTTP %d, phone property %q", resp.StatusCode, p.Property)
	}
}

func TestAccPhoneDataSource_basic(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 7, Phones: 3})
	ids := env.phones(3)
	env.resetWithProperty(ids[0], map[string]string{"sys.prop.writephonenum": "13666666666", "com.cph.mainkeys": "1"})
	env.svc.SetPhoneStatus(ids[1], fakecph.StatusResetFailed)
	with, _ := env.svc.Phone(ids[0])
	cfg := env.providerBlock() + fmt.Sprintf(`
data "cph_phone" "with" {
  phone_id = %q
}
data "cph_phone" "without" {
  phone_id = %q
}
`, ids[0], ids[1])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("property"),
					knownvalue.StringExact(`{"com.cph.mainkeys":"1","sys.prop.writephonenum":"13666666666"}`)),
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("properties"), knownvalue.MapExact(map[string]knownvalue.Check{
					"com.cph.mainkeys":       knownvalue.StringExact("1"),
					"sys.prop.writephonenum": knownvalue.StringExact("13666666666"),
				})),
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("phone_name"), knownvalue.StringExact(with.PhoneName)),
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("server_id"), knownvalue.StringExact(with.ServerID)),
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("image_id"), knownvalue.StringExact(with.ImageID)),
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("imei"), knownvalue.StringExact(with.IMEI)),
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("status_text"), knownvalue.StringExact("running")),
				statecheck.ExpectKnownValue("data.cph_phone.with", tfjsonpath.New("availability_zone"), knownvalue.StringExact("cn-north-4a")),
				statecheck.ExpectKnownValue("data.cph_phone.without", tfjsonpath.New("property"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue("data.cph_phone.without", tfjsonpath.New("properties"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.cph_phone.without", tfjsonpath.New("status"), knownvalue.Int64Exact(-5)),
				statecheck.ExpectKnownValue("data.cph_phone.without", tfjsonpath.New("status_text"), knownvalue.StringExact("reset_failed")),
			},
		}},
	})
}

func TestAccPhoneDataSource_errors(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 8, Phones: 1})
	missing := strings.Repeat("0", 32)
	env.takeStats()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + `data "cph_phone" "x" { phone_id = "not-a-phone" }`,
				ExpectError: regexp.MustCompile(`(?s)phone_id.*must be 32 lowercase hexadecimal characters.*not-a-phone`),
			},
			{
				PreConfig:   env.expectNoCalls,
				Config:      env.providerBlock() + fmt.Sprintf(`data "cph_phone" "x" { phone_id = %q }`, missing),
				ExpectError: regexp.MustCompile(`(?s)Read Phone.*Phone ` + missing + ` does not exist in this project.*CPS\.0005`),
			},
			{
				PreConfig:   env.failReads,
				Config:      env.noRetryProviderBlock() + fmt.Sprintf(`data "cph_phone" "x" { phone_id = %q }`, env.phones(1)[0]),
				ExpectError: regexp.MustCompile(`(?s)Read Phone.*Reading phone ` + env.phones(1)[0] + ` failed.*HTTP 500.*CPS\.0003`),
			},
		},
	})
}
