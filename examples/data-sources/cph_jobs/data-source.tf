terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

variable "fleet" {
  description = "IDs of the cloud phones to reset."
  type        = list(string)
}

resource "cph_phone_reset" "fleet" {
  phones = { for id in var.fleet : id => {} }
}

# Audit the jobs of a reset made by this provider...
data "cph_jobs" "fleet" {
  request_ids = cph_phone_reset.fleet.request_ids
}

# ... or by anyone else, from the request IDs their batch requests returned.
data "cph_jobs" "script" {
  request_ids = ["5d3e1f0a9b8c4d7e6f5a4b3c2d1e0f9a"]
}

output "failed_resets" {
  value = {
    for j in data.cph_jobs.fleet.jobs : j.phone_id => "${j.error_code}: ${j.error_msg}"
    if j.status == -1
  }
}
