# Terraform 1.14 or later only: OpenTofu has no actions, so keep action
# blocks in files of their own.

# Reset the lab phones onto a new image, every time the action is invoked.
action "cph_phone_reset" "lab" {
  config {
    phones = {
      "a7f3a1c5258347d6b6f1def79e11f2bc" = { "sys.prop.writephonenum" = "13666666666" }
      "1678567b8bab40f93711234cb80d0764" = {}
    }
    properties = { "sys.prop.writewifissid" = "lab_wifi" }
    image_id   = "1564567b8bab40f34711234cb80d8574"

    timeouts {
      invoke = "45m"
    }
  }
}

# Run it by hand, without changing any resource:
#   terraform apply -invoke=action.cph_phone_reset.lab
#
# Or run it whenever a resource is created or changes, e.g. after every new
# build:
resource "terraform_data" "build" {
  input = var.build_id

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.cph_phone_reset.lab]
    }
  }
}

variable "build_id" {
  type = string
}
