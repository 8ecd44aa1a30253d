terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}

# Sign in one of three ways. The values below usually come from the
# environment instead (HW_AUTH_TOKEN, HW_ACCESS_KEY/HW_SECRET_KEY, or
# HW_USER_NAME/HW_PASSWORD/HW_DOMAIN_NAME); when several ways are set, the
# first complete one wins: token, then AK/SK, then password.

# 1. An IAM token, sent as X-Auth-Token.
provider "cph" {
  region     = "cn-north-4"
  auth_token = var.hw_auth_token
}

# 2. An access key and secret key (AK/SK request signing). Temporary keys
#    also need security_token.
#
# provider "cph" {
#   region         = "cn-north-4"
#   access_key     = var.hw_access_key
#   secret_key     = var.hw_secret_key
#   security_token = var.hw_security_token # temporary keys only
# }

# 3. An IAM user name and password: the provider logs in to IAM and renews
#    the token itself.
#
# provider "cph" {
#   region      = "cn-north-4"
#   project_id  = "0123456789abcdef0123456789abcdef" # optional: discovered from IAM when unset
#   user_name   = "cph-operator"
#   password    = var.hw_password
#   domain_name = "my-account"
# }

variable "hw_auth_token" {
  type      = string
  sensitive = true
}
