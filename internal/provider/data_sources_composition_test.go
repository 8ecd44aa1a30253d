package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// TestAccDataSources_selectResetAudit is the workflow the data sources
// exist for: select a fleet by name with cph_phones, reset exactly it with
// cph_phone_reset, and audit the jobs with cph_jobs, checked against what
// the fake really did.
func TestAccDataSources_selectResetAudit(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 13, Phones: 12})
	// cph-phone-001 … cph-phone-009 match "phone-00"; 010 … 012 do not.
	var selected []string
	for _, id := range env.svc.PhoneIDs() {
		p, _ := env.svc.Phone(id)
		if p.PhoneName < "cph-phone-010" {
			selected = append(selected, id)
		}
	}
	cfg := env.providerBlock() + `
data "cph_phones" "qa" {
  phone_name = "phone-00"
}

resource "cph_phone_reset" "fleet" {
  phones = { for id in data.cph_phones.qa.ids : id => {} }
}

data "cph_jobs" "audit" {
  request_ids = cph_phone_reset.fleet.request_ids
}

output "job_phones" {
  value = sort([for j in data.cph_jobs.audit.jobs : j.phone_id])
}
output "job_statuses" {
  value = distinct([for j in data.cph_jobs.audit.jobs : j.status])
}
`
	phoneChecks := make([]knownvalue.Check, len(selected))
	for i, id := range selected {
		phoneChecks[i] = knownvalue.StringExact(id)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{ // 9 phones, batches of 3: three requests, each phone once, no other phone.
				PreConfig: func() { env.takeStats() },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("job_phones", knownvalue.ListExact(phoneChecks)),
					statecheck.ExpectKnownOutputValue("job_statuses", knownvalue.ListExact([]knownvalue.Check{knownvalue.Int64Exact(2)})),
					statecheck.ExpectKnownValue("data.cph_jobs.audit", tfjsonpath.New("jobs"), knownvalue.ListSizeExact(9)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.expectResets(selected, 3),
					func(s *terraform.State) error {
						// The jobs the audit lists are the ones the resource keeps.
						attrs := s.RootModule().Resources["cph_phone_reset.fleet"].Primary.Attributes
						audit := s.RootModule().Resources["data.cph_jobs.audit"].Primary.Attributes
						for i := range 9 {
							phone := audit[fmt.Sprintf("jobs.%d.phone_id", i)]
							if got, want := audit[fmt.Sprintf("jobs.%d.job_id", i)], attrs["jobs."+phone+".job_id"]; got != want {
								return fmt.Errorf("phone %s: cph_jobs lists job %s, the resource keeps %s", phone, got, want)
							}
						}
						return nil
					},
				),
			},
			{ // Applied again: the selection is the same, nothing is reset.
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("job_phones", knownvalue.ListExact(phoneChecks))},
				Check:             env.expectResets(nil, 0),
			},
		},
	})
}
