terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

# Every phone whose name contains "qa-" (the API's fuzzy match) on one server.
data "cph_phones" "qa" {
  server_id  = "0e6a5b2f4c6d4b1e8f2a9c3d7e5b1a40"
  phone_name = "qa-"
}

# Reset exactly that selection.
resource "cph_phone_reset" "qa" {
  phones = { for id in data.cph_phones.qa.ids : id => {} }
}

# Phones whose last reset failed (status -5), to look at before retrying.
data "cph_phones" "reset_failed" {
  status = -5
}

output "reset_failed" {
  value = { for p in data.cph_phones.reset_failed.phones : p.phone_name => "${p.status_text} since ${p.update_time}" }
}
