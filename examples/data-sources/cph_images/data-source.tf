terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

# The account's own image named "android-12-qa".
data "cph_images" "qa" {
  image_type = "private"
  name       = "android-12-qa"
}

# Reset a fleet onto it; the index fails the plan if no image has that name.
resource "cph_phone_reset" "fleet" {
  phones   = { for id in var.fleet : id => {} }
  image_id = data.cph_images.qa.ids[0]
}

variable "fleet" {
  type = list(string)
}
