package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// newestFirst returns the fake's phones (seeded one minute apart, the last
// newest) in the order the list API gives them, keeping those keep accepts.
func newestFirst(env *accEnv, keep func(fakecph.Phone) bool) []string {
	var phones []fakecph.Phone
	for _, id := range env.svc.PhoneIDs() {
		p, _ := env.svc.Phone(id)
		if keep == nil || keep(p) {
			phones = append(phones, p)
		}
	}
	slices.SortFunc(phones, func(a, b fakecph.Phone) int { return b.CreateTime.Compare(a.CreateTime) })
	ids := make([]string, len(phones))
	for i, p := range phones {
		ids[i] = p.PhoneID
	}
	return ids
}

func idsExact(ids []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		checks[i] = knownvalue.StringExact(id)
	}
	return knownvalue.ListExact(checks)
}

func TestAccPhonesDataSource_filters(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 3, Phones: 12, Servers: 2})
	servers := env.svc.ServerIDs()
	all := newestFirst(env, nil)
	frozen := []string{all[3], all[7]}
	for _, id := range frozen {
		env.svc.SetPhoneStatus(id, fakecph.StatusFrozen)
	}
	first, _ := env.svc.Phone(all[0])
	onServer1 := newestFirst(env, func(p fakecph.Phone) bool { return p.ServerID == servers[1] })
	frozenOnServer1 := newestFirst(env, func(p fakecph.Phone) bool {
		return p.ServerID == servers[1] && p.Status == fakecph.StatusFrozen
	})
	// cph-phone-010 … cph-phone-012, the three newest.
	named01 := all[:3]

	cfg := env.providerBlock() + fmt.Sprintf(`
data "cph_phones" "all" {}
data "cph_phones" "server" {
  server_id = %[1]q
}
data "cph_phones" "frozen" {
  status = 6
}
data "cph_phones" "named" {
  phone_name = "phone-01"
}
data "cph_phones" "frozen_on_server" {
  server_id = %[1]q
  status    = 6
}
data "cph_phones" "trial" {
  type = 1
}
`, servers[1])
	phone0 := func(attr string) tfjsonpath.Path { return tfjsonpath.New("phones").AtSliceIndex(0).AtMapKey(attr) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cph_phones.all", tfjsonpath.New("ids"), idsExact(all)),
				statecheck.ExpectKnownValue("data.cph_phones.all", tfjsonpath.New("phones"), knownvalue.ListSizeExact(12)),
				statecheck.ExpectKnownValue("data.cph_phones.all", tfjsonpath.New("phones").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"phone_id":          knownvalue.StringExact(first.PhoneID),
					"phone_name":        knownvalue.StringExact("cph-phone-012"),
					"server_id":         knownvalue.StringExact(first.ServerID),
					"image_id":          knownvalue.StringExact(first.ImageID),
					"image_version":     knownvalue.StringExact(first.ImageVersion),
					"status":            knownvalue.Int64Exact(2),
					"status_text":       knownvalue.StringExact("running"),
					"type":              knownvalue.Int64Exact(0),
					"availability_zone": knownvalue.StringExact("cn-north-4a"),
					"create_time":       knownvalue.StringExact(first.CreateTime.UTC().Format("2006-01-02T15:04:05Z")),
					"update_time":       knownvalue.StringExact(first.UpdateTime.UTC().Format("2006-01-02T15:04:05Z")),
				})),
				statecheck.ExpectKnownValue("data.cph_phones.server", tfjsonpath.New("ids"), idsExact(onServer1)),
				statecheck.ExpectKnownValue("data.cph_phones.frozen", tfjsonpath.New("ids"), idsExact(frozen)),
				statecheck.ExpectKnownValue("data.cph_phones.frozen", phone0("status"), knownvalue.Int64Exact(6)),
				statecheck.ExpectKnownValue("data.cph_phones.frozen", phone0("status_text"), knownvalue.StringExact("frozen")),
				statecheck.ExpectKnownValue("data.cph_phones.named", tfjsonpath.New("ids"), idsExact(named01)),
				statecheck.ExpectKnownValue("data.cph_phones.frozen_on_server", tfjsonpath.New("ids"), idsExact(frozenOnServer1)),
				// No trial phones: empty lists, not null.
				statecheck.ExpectKnownValue("data.cph_phones.trial", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.cph_phones.trial", tfjsonpath.New("phones"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// TestAccPhonesDataSource_paging reads 450 phones: every page, 200 at a
// time, each phone once.
func TestAccPhonesDataSource_paging(t *testing.T) {
	var calls callLog
	env := newAccEnv(t, fakecph.Options{Seed: 4, Phones: 450, Servers: 2, Log: calls.logger()})
	all := newestFirst(env, nil)
	server := env.svc.ServerIDs()[0]
	onServer := newestFirst(env, func(p fakecph.Phone) bool { return p.ServerID == server })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { calls.take("") },
				Config:    env.providerBlock() + `data "cph_phones" "all" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.cph_phones.all", tfjsonpath.New("ids"), idsExact(all)),
				},
				Check: calls.expectReads("/phones", "offset", []string{"0", "200", "400"}, url.Values{"limit": {"200"}}),
			},
			{ // 225 phones on one server: two pages, the filter on each.
				PreConfig: func() { calls.take("") },
				Config:    env.providerBlock() + fmt.Sprintf(`data "cph_phones" "server" { server_id = %q }`, server),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.cph_phones.server", tfjsonpath.New("ids"), idsExact(onServer)),
				},
				Check: calls.expectReads("/phones", "offset", []string{"0", "200"}, url.Values{"limit": {"200"}, "server_id": {server}}),
			},
		},
	})
}

func TestAccPhonesDataSource_invalidFilters(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 5, Phones: 2})
	env.takeStats()
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			Config:      env.providerBlock() + "data \"cph_phones\" \"x\" {\n" + body + "\n}",
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			step(`status = 5`, `(?s)Invalid Attribute Value Match.*status.*value must be one of.*got: 5`),
			step(`server_id = "SRV-1"`, `(?s)server_id.*must be 32 lowercase hexadecimal characters.*SRV-1`),
			step(`type = 2`, `(?s)type.*value must be one of.*got: 2`),
			step(`phone_name = ""`, `(?s)phone_name.*length must be at least 1`),
			{ // None of the above reached the API.
				PreConfig: env.expectNoCalls,
				Config:    env.providerBlock() + `data "cph_phones" "x" {}`,
				Check:     func(*terraform.State) error { return nil },
			},
		},
	})
}

func TestAccPhonesDataSource_apiError(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 6, Phones: 3})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			PreConfig:   env.failReads,
			Config:      env.noRetryProviderBlock() + `data "cph_phones" "x" { status = 2 }`,
			ExpectError: regexp.MustCompile(`(?s)Read Phones.*Listing the phones \(status = 2\) failed.*HTTP 500.*CPS\.0003.*request ID`),
		}},
	})
}
