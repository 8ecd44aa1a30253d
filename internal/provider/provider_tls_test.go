package provider

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// TestAccProvider_tlsVerifiedUnlessInsecure fronts the fake with a
// self-signed TLS server: the provider refuses it by default, saying what
// to do, without a single API call reaching the fake, and talks to it with
// insecure = true.
func TestAccProvider_tlsVerifiedUnlessInsecure(t *testing.T) {
	svc := fakecph.New(fakecph.Options{Seed: 21, Phones: 1, AuthToken: testToken})
	srv := httptest.NewTLSServer(svc)
	t.Cleanup(srv.Close)
	srv.Config.ErrorLog = discardLogger() // the refused handshakes are expected
	phone := svc.PhoneIDs()[0]
	// No project_id: the provider discovers it from IAM while configuring,
	// so the TLS handshake happens before any plan is made.
	config := func(insecure string) string {
		return fmt.Sprintf(`
provider "cph" {
  region       = "cn-north-4"
  endpoint     = %[1]q
  iam_endpoint = %[1]q
  auth_token   = %[2]q
  %[3]s
}
resource "cph_phone_reset" "fleet" {
  phones = { %[4]q = {} }
}
`, srv.URL, testToken, insecure, phone)
	}
	noCalls := func() error {
		st := svc.Stats()
		for route := range st.Calls {
			if n := st.CallCount(route); n > 0 {
				return fmt.Errorf("the fake answered %d %s calls through an untrusted TLS connection", n, route)
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config:      config(""),
				ExpectError: regexp.MustCompile(`(?s)Could Not Look Up Project ID.*certificate.*could not be verified.*SSL_CERT_FILE.*insecure`),
			},
			{
				Config:      config("insecure = false"),
				ExpectError: regexp.MustCompile(`x509: certificate signed by\s+unknown authority`),
			},
			{
				PreConfig: func() {
					if err := noCalls(); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("insecure = true"),
				Check: func(*terraform.State) error {
					if st := svc.Stats(); st.Resets[phone] != 1 || st.ResetRequests != 1 {
						return fmt.Errorf("with insecure = true the fake reset %v in %d requests, want %s once", st.Resets, st.ResetRequests, phone)
					}
					return nil
				},
			},
		},
	})
}

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
