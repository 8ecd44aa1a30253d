terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

variable "fleet" {
  description = "IDs of the cloud phones to return to a clean state."
  type        = list(string)
}

# Reset a whole fleet onto a new image. Every phone gets the common
# properties; one phone also gets its own phone number.
resource "cph_phone_reset" "test_fleet" {
  phones = merge(
    { for id in var.fleet : id => {} },
    {
      "a7f3a1c5258347d6b6f1def79e11f2bc" = {
        "sys.prop.writephonenum" = "13666666666"
      }
    },
  )

  properties = {
    "sys.prop.writewifissid" = "lab_wifi"
    "persist.sys.locale"     = "en-US"
  }

  image_id = "1564567b8bab40f34711234cb80d8574"

  # Change this value to reset every phone again.
  triggers = {
    nightly = "2026-11-27"
  }

  timeouts {
    create = "45m"
  }
}

output "reset_jobs" {
  value = { for phone, job in cph_phone_reset.test_fleet.jobs : phone => "${job.status} (${job.job_id})" }
}
