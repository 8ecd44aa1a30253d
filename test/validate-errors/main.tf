# An invalid provider block that `validate` alone must reject, at each
# attribute, with no credentials or network: scripts/check-examples.sh runs
# `validate` here and expects every summary listed in an "expect:" line.
#
# expect: Invalid Attribute Value|max_retries   = -1
# expect: Invalid Poll Interval|poll_interval = "abc"
# expect: Invalid CPH Endpoint|endpoint      = "cph.example.com"
# expect: Invalid Project ID|project_id    = "XYZ"
# expect: Conflicting Sign-In Settings|access_key    = "AK"

terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

provider "cph" {
  max_retries   = -1
  poll_interval = "abc"
  endpoint      = "cph.example.com"
  project_id    = "XYZ"
  auth_token    = "token"
  access_key    = "AK"
  secret_key    = "SK"
}

# Terraform validates a provider block only when something uses it.
resource "cph_phone_reset" "fleet" {
  phones = { "0123456789abcdef0123456789abcdef" = {} }
}
