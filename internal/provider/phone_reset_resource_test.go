package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

const fleet = "cph_phone_reset.fleet"

// fleetConfig renders a cph_phone_reset with the given body after phones.
func fleetConfig(env *accEnv, ids []string, props map[string]map[string]string, extra string) string {
	return env.providerBlock() + fmt.Sprintf(`
resource "cph_phone_reset" "fleet" {
  phones = %s
%s
}
`, phonesHCL(ids, props), extra)
}

func jobPath(id string, attr ...string) tfjsonpath.Path {
	p := tfjsonpath.New("jobs").AtMapKey(id)
	for _, a := range attr {
		p = p.AtMapKey(a)
	}
	return p
}

// expectPlanResets asserts that the plan shows exactly the reset phones as
// unknown and keeps every other phone's job known.
func expectPlanResets(all, reset []string) []plancheck.PlanCheck {
	isReset := map[string]bool{}
	for _, id := range reset {
		isReset[id] = true
	}
	checks := []plancheck.PlanCheck{plancheck.ExpectResourceAction(fleet, plancheck.ResourceActionUpdate)}
	for _, id := range all {
		if isReset[id] {
			checks = append(checks, plancheck.ExpectUnknownValue(fleet, jobPath(id)))
		} else {
			checks = append(checks, plancheck.ExpectKnownValue(fleet, jobPath(id, "status"), knownvalue.StringExact("succeeded")))
		}
	}
	return checks
}

func allSucceeded(ids []string) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for _, id := range ids {
		checks = append(checks,
			statecheck.ExpectKnownValue(fleet, jobPath(id, "status"), knownvalue.StringExact("succeeded")),
			statecheck.ExpectKnownValue(fleet, jobPath(id, "job_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))),
			statecheck.ExpectKnownValue(fleet, jobPath(id, "error_code"), knownvalue.Null()),
		)
	}
	return checks
}

// TestAccPhoneReset_lifecycle walks one fleet through every kind of change
// and checks both the state and the fake's ground truth after each apply.
func TestAccPhoneReset_lifecycle(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 1, Phones: 8, JobDuration: 60 * time.Millisecond})
	ids := env.phones(7)
	one := ids[2]
	props := map[string]map[string]string{one: {"sys.prop.writephonenum": "13666666666"}}
	changed := map[string]map[string]string{one: {"sys.prop.writephonenum": "13777777777"}}
	img := env.svc.ImageIDs()
	var firstJob string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{ // Create: 7 phones in batches of 3 → 3 requests, each phone once.
				PreConfig: func() { env.takeStats() },
				Config:    fleetConfig(env, ids, props, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fleet, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(fleet, jobPath(ids[0])),
				}},
				ConfigStateChecks: append(allSucceeded(ids),
					statecheck.ExpectKnownValue(fleet, tfjsonpath.New("request_ids"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(fleet, tfjsonpath.New("jobs"), knownvalue.MapSizeExact(7)),
				),
				Check: resource.ComposeAggregateTestCheckFunc(
					env.expectResets(ids, 3),
					func(s *terraform.State) error {
						firstJob = s.RootModule().Resources[fleet].Primary.Attributes["jobs."+ids[0]+".job_id"]
						if p, _ := env.svc.Phone(one); !strings.Contains(p.Property, "13666666666") {
							return fmt.Errorf("phone %s property = %q, want the configured number", one, p.Property)
						}
						return nil
					},
				),
			},
			{ // Unchanged configuration: empty plan, nothing reset.
				Config:           fleetConfig(env, ids, props, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            env.expectResets(nil, 0),
			},
			{ // One phone's properties: exactly that phone.
				Config:           fleetConfig(env, ids, changed, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectPlanResets(ids, []string{one})},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.expectResets([]string{one}, 1),
					resource.TestCheckResourceAttrWith(fleet, "jobs."+ids[0]+".job_id", func(v string) error {
						if v != firstJob {
							return fmt.Errorf("untouched phone's job changed from %s to %s", firstJob, v)
						}
						return nil
					}),
				),
			},
			{ // A common property: every phone whose effective properties change.
				Config:           fleetConfig(env, ids, changed, `  properties = { "sys.prop.writewifissid" = "lab_wifi" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectPlanResets(ids, ids)},
				Check:            env.expectResets(ids, 3),
			},
			{ // The image: every phone.
				Config:            fleetConfig(env, ids, changed, fmt.Sprintf("  properties = { \"sys.prop.writewifissid\" = \"lab_wifi\" }\n  image_id = %q", img[1])),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: expectPlanResets(ids, ids)},
				ConfigStateChecks: allSucceeded(ids),
				Check: resource.ComposeAggregateTestCheckFunc(env.expectResets(ids, 3), func(*terraform.State) error {
					if p, _ := env.svc.Phone(ids[4]); p.ImageID != img[1] {
						return fmt.Errorf("phone image = %s, want %s", p.ImageID, img[1])
					}
					return nil
				}),
			},
			{ // Triggers: every phone.
				Config:           fleetConfig(env, ids, changed, fmt.Sprintf("  properties = { \"sys.prop.writewifissid\" = \"lab_wifi\" }\n  image_id = %q\n  triggers = { build = \"2\" }", img[1])),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectPlanResets(ids, ids)},
				Check:            env.expectResets(ids, 3),
			},
			{ // Removing a phone and changing only wait/timeouts: nothing reset.
				Config:           fleetConfig(env, ids[:6], changed, fmt.Sprintf("  properties = { \"sys.prop.writewifissid\" = \"lab_wifi\" }\n  image_id = %q\n  triggers = { build = \"2\" }\n  wait_for_completion = false\n  timeouts {\n    update = \"5m\"\n  }", img[1])),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectPlanResets(ids[:6], nil)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fleet, tfjsonpath.New("jobs"), knownvalue.MapSizeExact(6)),
				},
				Check: env.expectResets(nil, 0),
			},
			{ // Turning on factory_reset_enabled: every phone.
				Config:           fleetConfig(env, ids[:6], changed, fmt.Sprintf("  properties = { \"sys.prop.writewifissid\" = \"lab_wifi\" }\n  image_id = %q\n  triggers = { build = \"2\" }\n  factory_reset_enabled = true", img[1])),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectPlanResets(ids[:6], ids[:6])},
				Check:            env.expectResets(ids[:6], 2),
			},
			{ // Adding a phone back: only that phone.
				Config:           fleetConfig(env, ids, changed, fmt.Sprintf("  properties = { \"sys.prop.writewifissid\" = \"lab_wifi\" }\n  image_id = %q\n  triggers = { build = \"2\" }\n  factory_reset_enabled = true", img[1])),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectPlanResets(ids, ids[6:])},
				Check:            env.expectResets(ids[6:], 1),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			st := env.takeStats()
			if n := st.CallCount(fakecph.RouteBatchReset); n != 0 {
				return fmt.Errorf("destroy sent %d batch-reset requests, want 0", n)
			}
			return nil
		},
	})
}

// TestAccPhoneReset_failures: a rejected phone and a failed job fail the
// apply with their codes, state keeps every job, and the next apply retries
// only those two phones.
func TestAccPhoneReset_failures(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 2, Phones: 6, JobDuration: 40 * time.Millisecond})
	ids := env.phones(5)
	failing, rejected := ids[1], ids[3]
	common := `  properties = { "sys.prop.writewifissid" = "v2" }`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig:         func() { env.takeStats() },
				Config:            fleetConfig(env, ids, nil, ""),
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets(ids, 2),
			},
			{ // Reset all again; one job fails, one phone is refused.
				PreConfig: func() {
					env.svc.FailResets(failing)
					env.svc.RejectResets("CPS.0022", "The phone is not available.", rejected)
				},
				Config: fleetConfig(env, ids, nil, common),
				// One error per cause, in phone order, each saying what the next
				// apply does; the CLI may wrap lines between words.
				ExpectError: regexp.MustCompile(`(?s)Phone Reset Failed.*job failed on phone ` + failing + `.*CPS\.0003.*request.*job.*` +
					`next\s+plain\s+apply\s+resets\s+only\s+the\s+2\s+phones.*` +
					`Phone Reset Rejected.*refused to reset phone ` + rejected + `.*CPS\.0022.*next\s+plain\s+apply\s+resets\s+only\s+the\s+2\s+phones`),
			},
			{ // The state kept every job and says what happened to each phone.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(fleet, "jobs."+failing+".status", "failed"),
					resource.TestCheckResourceAttrSet(fleet, "jobs."+failing+".job_id"),
					resource.TestCheckResourceAttrSet(fleet, "jobs."+failing+".error_code"),
					resource.TestCheckResourceAttr(fleet, "jobs."+rejected+".status", "rejected"),
					resource.TestCheckResourceAttr(fleet, "jobs."+rejected+".error_code", "CPS.0022"),
					resource.TestCheckNoResourceAttr(fleet, "jobs."+rejected+".job_id"),
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[0]+".status", "succeeded"),
					resource.TestCheckResourceAttr(fleet, "jobs.%", "5"),
					func(*terraform.State) error {
						// 2 requests; 4 of 5 phones accepted (one of them then failed).
						st := env.takeStats()
						if st.ResetRequests != 2 || len(st.Resets) != 4 || st.Resets[rejected] != 0 {
							return fmt.Errorf("ground truth after failed apply: %d requests, resets %v", st.ResetRequests, st.Resets)
						}
						return nil
					},
				),
			},
			{ // The next apply retries only the failed and the rejected phone.
				PreConfig: func() {
					env.svc.ClearFailures()
				},
				Config:            fleetConfig(env, ids, nil, common),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(fleet, jobPath(failing)), plancheck.ExpectUnknownValue(fleet, jobPath(rejected)), plancheck.ExpectKnownValue(fleet, jobPath(ids[0], "status"), knownvalue.StringExact("succeeded"))}},
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets([]string{failing, rejected}, 1),
			},
		},
	})
}

// TestAccPhoneReset_createPartlyFails: with the default on_create_failure,
// a create that fails for one phone fails the apply, keeps every job in
// state, and says the next apply replaces the tainted resource and resets
// all phones again; the next plain apply does exactly that.
func TestAccPhoneReset_createPartlyFails(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 8, Phones: 4})
	ids := env.phones(4)
	env.svc.FailResets(ids[2])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: fleetConfig(env, ids, nil, ""),
				ExpectError: regexp.MustCompile(`(?s)Phone Reset Failed.*` + ids[2] + `.*CPS\.\d{4}.*request.*job.*` +
					`tainted.*replaces\s+it\s+and\s+resets\s+all\s+4\s+phones\s+again,\s+whatever\s+their\s+outcome\s+now\s+\(3\s+succeeded,\s+1\s+failed\).*terraform\s+untaint`),
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // tainted: Terraform plans a replacement
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(fleet, "jobs.%", "4"),
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[2]+".status", "failed"),
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[0]+".status", "succeeded"),
					resource.TestCheckResourceAttr(fleet, "request_ids.#", "2"),
					resource.TestCheckResourceAttr(fleet, "incomplete_phones.#", "1"),
					resource.TestCheckResourceAttr(fleet, "incomplete_phones.0", ids[2]),
					func(s *terraform.State) error {
						if !s.RootModule().Resources[fleet].Primary.Tainted {
							return fmt.Errorf("a failed create with on_create_failure = \"taint\" is not tainted")
						}
						return nil
					},
					env.expectResets(ids, 2),
				),
			},
			{ // What the error said: the plain re-run replaces it and resets all 4.
				PreConfig: func() { env.svc.ClearFailures() },
				Config:    fleetConfig(env, ids, nil, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fleet, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets(ids, 2),
			},
		},
	})
}

// TestAccPhoneReset_noWait: the apply returns with running jobs, and a later
// refresh records their outcome.
func TestAccPhoneReset_noWait(t *testing.T) {
	clock := fakecph.NewFakeClock(time.Now().UTC())
	env := newAccEnv(t, fakecph.Options{Seed: 3, Phones: 4, JobDuration: time.Hour, Clock: clock})
	ids := env.phones(4)
	cfg := fleetConfig(env, ids, nil, "  wait_for_completion = false")
	running := []statecheck.StateCheck{}
	var done []resource.TestCheckFunc
	for _, id := range ids {
		running = append(running, statecheck.ExpectKnownValue(fleet, jobPath(id, "status"), knownvalue.StringExact("running")))
		done = append(done, resource.TestCheckResourceAttr(fleet, "jobs."+id+".status", "succeeded"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{PreConfig: func() { env.takeStats() }, Config: cfg, ConfigStateChecks: running, Check: env.expectResets(ids, 2)},
			{PreConfig: func() { clock.Advance(2 * time.Hour) }, RefreshState: true, Check: resource.ComposeAggregateTestCheckFunc(done...)},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}, Check: env.expectResets(nil, 0)},
		},
	})
}

// TestAccPhoneReset_import rebuilds a reset made outside Terraform from its
// request IDs, then adopts the configuration without resetting again.
func TestAccPhoneReset_import(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 4, Phones: 5})
	ids := env.phones(5)
	props := map[string]map[string]string{ids[0]: {"sys.prop.writeimsi": "460021624617113"}}
	var requestIDs []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{ // A first resource resets the fleet; its request IDs are the import input.
				Config: fleetConfig(env, ids, props, ""),
				Check: func(s *terraform.State) error {
					a := s.RootModule().Resources[fleet].Primary.Attributes
					for i := 0; a[fmt.Sprintf("request_ids.%d", i)] != ""; i++ {
						requestIDs = append(requestIDs, a[fmt.Sprintf("request_ids.%d", i)])
					}
					if len(requestIDs) != 2 {
						return fmt.Errorf("request_ids = %v, want 2", requestIDs)
					}
					return nil
				},
			},
			{ // An unknown request ID is a clear error.
				ResourceName:  fleet,
				ImportState:   true,
				ImportStateId: strings.Repeat("0", 32),
				ExpectError:   regexp.MustCompile(`(?s)no jobs for requests`),
			},
			{
				ResourceName:      fleet,
				ImportState:       true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return strings.Join(requestIDs, ","), nil },
				ImportStateVerify: true,
				// An import cannot know when the requests were sent.
				ImportStateVerifyIgnore: append([]string{"phones", "timeouts"}, sentAtKeys(ids)...),
				Check:                   env.expectResets(nil, 0),
			},
		},
	})
}

// TestAccPhoneReset_importAdopts imports a reset made with the API directly
// and applies a configuration with properties: nothing is reset again.
func TestAccPhoneReset_importAdopts(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 5, Phones: 3})
	ids := env.phones(3)
	requestID := env.directReset(ids)
	cfg := fleetConfig(env, ids, map[string]map[string]string{ids[1]: {"com.cph.mainkeys": "1"}}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig:          func() { env.takeStats() },
				Config:             cfg,
				ResourceName:       fleet,
				ImportState:        true,
				ImportStateId:      requestID,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["jobs.%"] != "3" || states[0].Attributes["request_ids.0"] != requestID {
						return fmt.Errorf("imported state = %v", states)
					}
					return nil
				},
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(fleet, jobPath(ids[1], "status"), knownvalue.StringExact("succeeded")),
				}},
				Check: env.expectResets(nil, 0),
			},
		},
	})
}

// TestAccPhoneReset_unknownAtPlan: phones known only at apply (from another
// resource) plan as unknown jobs and are reset at apply.
func TestAccPhoneReset_unknownAtPlan(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 10, Phones: 2})
	ids := env.phones(2)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			PreConfig: func() { env.takeStats() },
			Config: env.providerBlock() + fmt.Sprintf(`
resource "terraform_data" "fleet" {
  input = [%q, %q]
}
resource "cph_phone_reset" "fleet" {
  phones = { for id in terraform_data.fleet.output : id => {} }
}
`, ids[0], ids[1]),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(fleet, tfjsonpath.New("jobs")),
			}},
			ConfigStateChecks: allSucceeded(ids),
			Check:             env.expectResets(ids, 1),
		}},
	})
}

func sentAtKeys(ids []string) []string {
	var keys []string
	for _, id := range ids {
		keys = append(keys, "jobs."+id+".sent_at")
	}
	return keys
}

// TestAccPhoneReset_planChecksPhones: a plan fails for phones that do not
// exist or are in a status a reset is refused in, before any reset is sent.
func TestAccPhoneReset_planChecksPhones(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 6, Phones: 3})
	ids := env.phones(2)
	busy := env.phones(3)[2]
	missing := strings.Repeat("ab", 16)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.takeStats() },
				Config:      fleetConfig(env, append([]string{missing}, ids...), nil, ""),
				ExpectError: regexp.MustCompile(`(?s)Phone Not Found.*` + missing),
			},
			{
				PreConfig:   func() { env.svc.SetPhoneStatus(busy, 3) },
				Config:      fleetConfig(env, append([]string{busy}, ids...), nil, ""),
				ExpectError: regexp.MustCompile(`(?s)Phone Cannot Be Reset Now.*1\s+phone\s+is\s+resetting\s+\(status\s+3\).*` + busy),
			},
			{ // An image the project does not have fails the plan at image_id.
				Config:      fleetConfig(env, ids, nil, `  image_id = "`+strings.Repeat("f", 32)+`"`),
				ExpectError: regexp.MustCompile(`(?s)Image Not Found.*image_id.*` + strings.Repeat("f", 32)),
			},
			{ // Not only "resetting": a frozen phone fails the plan too.
				PreConfig:   func() { env.svc.SetPhoneStatus(busy, 6) },
				Config:      fleetConfig(env, append([]string{busy}, ids...), nil, ""),
				ExpectError: regexp.MustCompile(`(?s)Phone Cannot Be Reset Now.*1\s+phone\s+is\s+frozen\s+\(status\s+6\).*` + busy),
				Check:       env.expectResets(nil, 0),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := env.takeStats().CallCount(fakecph.RouteBatchReset); n != 0 {
				return fmt.Errorf("plans with bad phones sent %d batch-reset requests", n)
			}
			return nil
		},
	})
}

// recipeConfig is the documented pipeline recipe: keep the resource when a
// create does not reset every phone, and fail the run with a postcondition.
func recipeConfig(env *accEnv, ids []string, extra string) string {
	return fleetConfig(env, ids, nil, extra+`
  on_create_failure = "keep"
  lifecycle {
    postcondition {
      condition     = length(self.incomplete_phones) == 0
      error_message = "Not reset: ${join(", ", self.incomplete_phones)}. Run apply again to reset only these."
    }
  }`)
}

// TestAccPhoneReset_pipelineRecipe: under the recipe, a create with one
// failing phone fails the run without tainting, and a plain re-run of apply
// resets exactly that phone.
func TestAccPhoneReset_pipelineRecipe(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 14, Phones: 5})
	ids := env.phones(5)
	env.svc.FailResets(ids[3])
	cfg := recipeConfig(env, ids, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.takeStats() },
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*Not reset: ` + ids[3] + `\.`),
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the failed phone is planned for a retry
				Check: resource.ComposeAggregateTestCheckFunc(
					func(s *terraform.State) error {
						if s.RootModule().Resources[fleet].Primary.Tainted {
							return fmt.Errorf("the recipe's failed create is tainted")
						}
						return nil
					},
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[3]+".status", "failed"),
					env.expectResets(ids, 2),
				),
			},
			{ // The plain re-run resets only the phone that failed.
				PreConfig:         func() { env.svc.ClearFailures() },
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: expectPlanResets(ids, []string{ids[3]})},
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets([]string{ids[3]}, 1),
			},
		},
	})
}

// TestAccPhoneReset_pipelineRecipeTimeout: under the recipe, a create that
// times out fails the run with every job kept, and the re-run resets
// nothing that succeeded meanwhile.
func TestAccPhoneReset_pipelineRecipeTimeout(t *testing.T) {
	clock := fakecph.NewFakeClock(time.Now().UTC())
	env := newAccEnv(t, fakecph.Options{Seed: 15, Phones: 4, JobDuration: time.Hour, Clock: clock})
	ids := env.phones(4)
	cfg := recipeConfig(env, ids, `  timeouts { create = "1s" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.takeStats() },
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*Not reset: ` + ids[0]),
			},
			{ // The jobs ended meanwhile: the re-run records them and resets nothing.
				PreConfig: func() {
					if err := env.expectResets(ids, 2)(nil); err != nil {
						t.Errorf("the timed-out create: %v", err)
					}
					clock.Advance(2 * time.Hour)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets(nil, 0),
			},
		},
	})
}

// TestAccPhoneReset_lostAnswer: the fake applies a batch reset but drops the
// connection before answering. The request is not sent again; its phones
// are recorded "unknown", and refreshes settle them from what the phones
// show: while they reset, nothing is decided or reset; once the resets show
// on the phones, they are "succeeded" and never reset again.
func TestAccPhoneReset_lostAnswer(t *testing.T) {
	for name, fault := range map[string]fakecph.Faults{
		"answer dropped after applying": {DropResetResponses: 1},
		"5xx after applying":            {ResetErrorsAfterApply: 1},
	} {
		t.Run(name, func(t *testing.T) { testLostAnswer(t, fault) })
	}
}

func testLostAnswer(t *testing.T, fault fakecph.Faults) {
	clock := fakecph.NewFakeClock(time.Now().UTC())
	env := newAccEnv(t, fakecph.Options{Seed: 13, Phones: 2, JobDuration: time.Hour, Clock: clock})
	ids := env.phones(2)
	props := `  properties = { "sys.prop.writewifissid" = "lab" }`
	cfg := recipeConfig(env, ids, props)
	// Refreshes evaluate postconditions too: look at the state without it.
	look := fleetConfig(env, ids, nil, props+"\n  on_create_failure = \"keep\"")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.takeStats()
					env.svc.SetFaults(fault)
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` + ids[0]),
			},
			{ // The lost reset is still running: recorded unknown, not decided,
				// and the plan leaves those phones alone.
				Config:           look,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[0]+".status", "unknown"),
					resource.TestCheckResourceAttrSet(fleet, "jobs."+ids[0]+".sent_at"),
					resource.TestMatchResourceAttr(fleet, "jobs."+ids[0]+".error_msg", regexp.MustCompile(`resetting now`)),
				),
			},
			{ // Once the resets show on the phones, they are settled as succeeded.
				PreConfig:        func() { clock.Advance(2 * time.Hour) },
				Config:           look,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[0]+".status", "succeeded"),
					resource.TestCheckResourceAttr(fleet, "jobs."+ids[1]+".status", "succeeded"),
					resource.TestCheckNoResourceAttr(fleet, "jobs."+ids[0]+".job_id"),
					resource.TestCheckResourceAttr(fleet, "incomplete_phones.#", "0"),
				),
			},
			{ // And the next apply resets nothing: each phone was reset once.
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            env.expectResets(ids, 1),
			},
		},
	})
}

// TestAccPhoneReset_updateTimesOut: an update whose wait runs out fails,
// names the timeout setting and its value, keeps every job, and the next
// plain apply resets nothing that succeeded meanwhile.
func TestAccPhoneReset_updateTimesOut(t *testing.T) {
	clock := fakecph.NewFakeClock(time.Now().UTC())
	env := newAccEnv(t, fakecph.Options{Seed: 16, Phones: 3, JobDuration: time.Hour, Clock: clock})
	ids := env.phones(3)
	changed := fleetConfig(env, ids, nil, `  properties = { "sys.prop.writewifissid" = "v2" }
  timeouts { update = "1s" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{Config: fleetConfig(env, ids, nil, "  wait_for_completion = false")},
			{
				PreConfig: func() { clock.Advance(2 * time.Hour); env.takeStats() },
				Config:    changed,
				ExpectError: regexp.MustCompile(`(?s)Reset Timed Out.*timeouts\.update\s+=\s+"1s".*3\s+reset\s+jobs\s+were\s+still\s+running.*` +
					`does\s+not\s+reset\s+the\s+3\s+phones\s+still\s+running`),
			},
			{
				PreConfig: func() {
					if err := env.expectResets(ids, 1)(nil); err != nil {
						t.Errorf("the timed-out update: %v", err)
					}
					clock.Advance(2 * time.Hour)
				},
				Config:            changed,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: allSucceeded(ids),
				Check:             env.expectResets(nil, 0),
			},
		},
	})
}

// TestAccPhoneReset_wrongCredentialsFailPlan: with project_id set nothing
// is looked up in IAM, so the plan-time check is the first call; refused
// credentials fail the plan (not a warning), and nothing is reset.
func TestAccPhoneReset_wrongCredentialsFailPlan(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 17, Phones: 2})
	ids := env.phones(2)
	cfg := strings.Replace(fleetConfig(env, ids, nil, ""), testToken, "stale-token", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			PreConfig:   func() { env.takeStats() },
			Config:      cfg,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Cannot Check Phones: Access Denied.*APIG\.0301`),
		}},
		CheckDestroy: func(*terraform.State) error {
			if n := env.takeStats().CallCount(fakecph.RouteBatchReset); n != 0 {
				return fmt.Errorf("sent %d batch-reset requests with refused credentials", n)
			}
			return nil
		},
	})
}
