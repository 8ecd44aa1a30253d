# The provider's source, for `validate` of this directory (make
# examples-check). It lives beside action.tf rather than in it because the
# action's acceptance test adds action.tf to a configuration of its own.
terraform {
  required_providers {
    cph = {
      source = "cph-terraform/cph"
    }
  }
}
