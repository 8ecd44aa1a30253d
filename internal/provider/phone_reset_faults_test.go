package provider

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// closedPort returns the URL of a local port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

// TestAccPhoneReset_connectionRefused: a create against an endpoint that
// refuses connections is a definite failure: the error says nothing was
// applied, no ID is invented and no state is kept (so nothing is tainted),
// and the next apply, once the endpoint works, creates the resource afresh
// and resets each phone once.
func TestAccPhoneReset_connectionRefused(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 18, Phones: 2})
	ids := env.phones(2)
	good := fleetConfig(env, ids, nil, "")
	refused := strings.ReplaceAll(good, env.url, closedPort(t))
	refused = strings.Replace(refused, "batch_size    = 3", "batch_size    = 3\n  max_retries   = 0", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: refused,
				ExpectError: regexp.MustCompile(`(?s)Batch Reset Not Sent.*could\s+not\s+be\s+sent,\s+so\s+nothing\s+was\s+applied.*` +
					`refused.*No\s+phone\s+was\s+reset,\s+so\s+nothing\s+is\s+saved\s+in\s+state`),
			},
			{
				PreConfig: func() { env.takeStats() },
				Config:    good,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fleet, plancheck.ResourceActionCreate), // not a replacement
				}},
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets(ids, 1),
			},
		},
	})
}

// TestAccPhoneReset_5xxNotApplied: a 5xx answer to the batch reset leaves
// its phones "unknown" (the service may have acted). Refreshes look at the
// phones: while the request is recent, nothing is decided or reset; once
// the phones have shown no change for ReconcileGrace, they are "not_sent"
// and the next apply resets each of them exactly once.
func TestAccPhoneReset_5xxNotApplied(t *testing.T) {
	clock := fakecph.NewFakeClock(time.Now().UTC())
	env := newAccEnv(t, fakecph.Options{Seed: 19, Phones: 2, JobDuration: time.Minute, Clock: clock})
	ids := env.phones(2)
	look := fleetConfig(env, ids, nil, `  on_create_failure = "keep"`)
	noWait := fleetConfig(env, ids, nil, "  on_create_failure = \"keep\"\n  wait_for_completion = false")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6At(clock.Now),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.takeStats()
					env.svc.SetFaults(fakecph.Faults{ResetErrorsBeforeApply: 1})
				},
				Config:      recipeConfig(env, ids, ""),
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` + ids[0]),
			},
			{ // Just sent: the phones show nothing yet, which proves nothing.
				PreConfig:        func() { clock.Advance(time.Minute) },
				Config:           look,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[0]+".status", "unknown"),
					resource.TestMatchResourceAttr(fleet, "jobs."+ids[0]+".error_msg", regexp.MustCompile(`may still start`)),
					env.expectResets(nil, 0), // the one request failed before the fake applied it
				),
			},
			{ // Ten minutes later, still no change: not reset, so reset now, once.
				// (Not waiting: the fake's jobs end when its clock moves.)
				PreConfig: func() { clock.Advance(15 * time.Minute) },
				Config:    noWait,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fleet, plancheck.ResourceActionUpdate),
				}},
				Check: env.expectResets(ids, 1),
			},
			{
				PreConfig:         func() { clock.Advance(time.Hour) },
				Config:            noWait,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets(nil, 0),
			},
		},
	})
}
