# The fleet reset that `make demo` applies (scripts/demo.sh) against
# cph-mock, a local fake of CPH and IAM. The script passes every variable
# as TF_VAR_*; run it by hand the same way.

terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

variable "endpoint" {
  description = "Base URL of the fake; it serves both CPH and IAM."
  type        = string
}

variable "auth_token" {
  description = "The fake's static token (cph-mock -auth-token)."
  type        = string
  sensitive   = true
}

variable "project_id" {
  description = "The project; null looks it up in IAM by the region's name."
  type        = string
  default     = null
}

variable "region" {
  type    = string
  default = "cn-north-4"
}

variable "phone_ids" {
  description = "Every phone to reset (from the fake's /_mock/phone-ids)."
  type        = list(string)
}

variable "first_phone_number" {
  description = "The first phone's own number; the demo changes it for its second apply."
  type        = string
  default     = "13800000001"
}

provider "cph" {
  region        = var.region
  endpoint      = var.endpoint
  iam_endpoint  = var.endpoint
  project_id    = var.project_id
  auth_token    = var.auth_token
  poll_interval = "1s"
}

locals {
  # Two phones get properties of their own; the rest only the common ones.
  own_properties = {
    (var.phone_ids[0]) = { "sys.prop.writephonenum" = var.first_phone_number }
    (var.phone_ids[1]) = { "sys.prop.writewifissid" = "demo_lab_upstairs" }
  }
}

resource "cph_phone_reset" "fleet" {
  phones = { for id in var.phone_ids : id => lookup(local.own_properties, id, {}) }

  properties = {
    "sys.prop.writewifissid" = "demo_lab"
    "persist.sys.locale"     = "en-US"
  }
}

output "jobs" {
  description = "Each phone's latest reset job and its status."
  value       = { for phone, job in cph_phone_reset.fleet.jobs : phone => "${job.status}  job ${job.job_id}" }
}
