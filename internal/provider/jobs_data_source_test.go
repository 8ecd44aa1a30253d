package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// TestAccJobsDataSource_paging lists the jobs of 26 requests: 20 request
// IDs per call, and the first 20 hold 169 jobs, so two pages of them.
func TestAccJobsDataSource_paging(t *testing.T) {
	var calls callLog
	env := newAccEnv(t, fakecph.Options{Seed: 9, Phones: 175, Log: calls.logger()})
	ids := env.phones(175)
	failed := ids[160]
	env.svc.FailResets(failed)
	// Request 0 resets 150 phones; requests 1..25 one phone each.
	requests := []string{env.directReset(ids[:150])}
	for _, id := range ids[150:] {
		requests = append(requests, env.directReset([]string{id}))
	}
	var want []knownvalue.Check
	for i, id := range ids {
		req := requests[max(0, i-149)]
		job := map[string]knownvalue.Check{
			"job_id":     knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`)),
			"phone_id":   knownvalue.StringExact(id),
			"server_id":  knownvalue.NotNull(),
			"request_id": knownvalue.StringExact(req),
			"status":     knownvalue.Int64Exact(2),
			"begin_time": knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
			"end_time":   knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
			"error_code": knownvalue.StringExact(""),
			"error_msg":  knownvalue.StringExact(""),
		}
		if id == failed {
			job["status"] = knownvalue.Int64Exact(-1)
			job["error_code"] = knownvalue.StringExact("CPS.0003")
			job["error_msg"] = knownvalue.StringRegexp(regexp.MustCompile(`could not be reset`))
		}
		want = append(want, knownvalue.ObjectExact(job))
	}
	quoted := make([]string, len(requests))
	for i, r := range requests {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	// Listed twice: still one job each.
	cfg := env.providerBlock() + fmt.Sprintf(`
data "cph_jobs" "audit" {
  request_ids = [%s, %q]
}
`, strings.Join(quoted, ", "), requests[3])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			PreConfig: func() { calls.take("") },
			Config:    cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cph_jobs.audit", tfjsonpath.New("jobs"), knownvalue.ListExact(want)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				calls.expectReads("/jobs", "offset", []string{"0", "100", "0"}, url.Values{"limit": {"100"}}),
				func(*terraform.State) error { // the jobs API was only read
					if st := env.takeStats(); st.ResetRequests != 26 || st.CallCount(fakecph.RouteBatchReset) != 26 {
						return fmt.Errorf("batch resets: %d requests, %d calls; want only the 26 of the setup", st.ResetRequests, st.CallCount(fakecph.RouteBatchReset))
					}
					return nil
				},
			),
		}},
	})
}

func TestAccJobsDataSource_emptyAndErrors(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 10, Phones: 2})
	unknown := strings.Repeat("ab", 16)
	env.takeStats()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + `data "cph_jobs" "x" { request_ids = [] }`,
				ExpectError: regexp.MustCompile(`(?s)request_ids.*list must contain at least 1 elements`),
			},
			{
				Config:      env.providerBlock() + `data "cph_jobs" "x" { request_ids = ["` + unknown + `", "req-1"] }`,
				ExpectError: regexp.MustCompile(`(?s)request_ids\[1\].*must be 32 lowercase hexadecimal characters.*req-1`),
			},
			{ // A request nobody made: no jobs.
				PreConfig: env.expectNoCalls,
				Config:    env.providerBlock() + `data "cph_jobs" "x" { request_ids = ["` + unknown + `"] }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.cph_jobs.x", tfjsonpath.New("jobs"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			{
				PreConfig:   env.failReads,
				Config:      env.noRetryProviderBlock() + `data "cph_jobs" "x" { request_ids = ["` + unknown + `"] }`,
				ExpectError: regexp.MustCompile(`(?s)Read Jobs.*Listing the jobs of 1 request\(s\) failed.*HTTP 500.*CPS\.0003`),
			},
		},
	})
}
