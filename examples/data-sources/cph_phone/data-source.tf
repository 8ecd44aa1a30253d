terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

data "cph_phone" "one" {
  phone_id = "a7f3a1c5258347d6b6f1def79e11f2bc"
}

# The properties the last reset applied, decoded.
output "phone_number" {
  value = lookup(data.cph_phone.one.properties, "sys.prop.writephonenum", null)
}

output "image" {
  value = "${data.cph_phone.one.image_id} (${data.cph_phone.one.image_version}), ${data.cph_phone.one.status_text}"
}
