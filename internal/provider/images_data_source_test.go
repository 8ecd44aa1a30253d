package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

func TestAccImagesDataSource_filters(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 11, Phones: 1, Images: 6})
	imgs := env.svc.Images()
	ids := func(is ...int) knownvalue.Check {
		var out []string
		for _, i := range is {
			out = append(out, imgs[i].ImageID)
		}
		return idsExact(out)
	}
	cfg := env.providerBlock() + `
data "cph_images" "default" {}
data "cph_images" "public" {
  image_type = "public"
}
data "cph_images" "private" {
  image_type = "private"
}
data "cph_images" "share" {
  image_type = "share"
}
data "cph_images" "named" {
  name = "cph-image-05"
}
data "cph_images" "none" {
  image_type = "public"
  name       = "cph-image-05"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cph_images.default", tfjsonpath.New("image_type"), knownvalue.StringExact("all")),
				statecheck.ExpectKnownValue("data.cph_images.default", tfjsonpath.New("ids"), ids(0, 1, 2, 3, 4, 5)),
				statecheck.ExpectKnownValue("data.cph_images.public", tfjsonpath.New("ids"), ids(0, 3)),
				statecheck.ExpectKnownValue("data.cph_images.private", tfjsonpath.New("ids"), ids(1, 4)),
				statecheck.ExpectKnownValue("data.cph_images.share", tfjsonpath.New("ids"), ids(2, 5)),
				statecheck.ExpectKnownValue("data.cph_images.named", tfjsonpath.New("images"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"image_id":    knownvalue.StringExact(imgs[4].ImageID),
						"image_name":  knownvalue.StringExact("cph-image-05"),
						"os_type":     knownvalue.StringExact("Android"),
						"os_name":     knownvalue.StringExact(imgs[4].OSName),
						"is_public":   knownvalue.Int64Exact(2),
						"image_label": knownvalue.StringExact("cloudphone"),
					}),
				})),
				statecheck.ExpectKnownValue("data.cph_images.public", tfjsonpath.New("images").AtSliceIndex(0).AtMapKey("is_public"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("data.cph_images.none", tfjsonpath.New("images"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.cph_images.none", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestAccImagesDataSource_errors(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 12, Phones: 1})
	env.takeStats()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + `data "cph_images" "x" { image_type = "mine" }`,
				ExpectError: regexp.MustCompile(`(?s)image_type.*value must be one of.*"public".*"all".*got: "mine"`),
			},
			{
				PreConfig:   func() { env.expectNoCalls(); env.failReads() },
				Config:      env.noRetryProviderBlock() + `data "cph_images" "x" { image_type = "private" }`,
				ExpectError: regexp.MustCompile(`(?s)Read Images.*Listing the private images failed.*phone-images.*HTTP 500.*CPS\.0003`),
			},
		},
	})
}
