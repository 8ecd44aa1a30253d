#!/usr/bin/env bash
# Prints a Terraform/OpenTofu CLI configuration that makes the CLI use the
# provider binary in DIR (where `make install` put it) instead of a registry:
#
#   scripts/dev-overrides.sh DIR > cph-dev.tfrc
#   export TF_CLI_CONFIG_FILE=$PWD/cph-dev.tfrc
#
# The key "cph-terraform/cph" has no host, so each CLI reads it with its own
# default registry: registry.terraform.io/cph-terraform/cph for Terraform,
# registry.opentofu.org/cph-terraform/cph for OpenTofu. It matches
# configurations that declare `source = "cph-terraform/cph"`; one that
# declares no source asks for hashicorp/cph instead, which this file does not
# override. With dev_overrides no `init` is needed (nor possible: the
# provider is not in any registry); `plan`, `apply` and `validate` run as is.
set -euo pipefail
if (($# != 1)); then
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
dir=$(cd "$1" && pwd -P)
[[ -x $dir/terraform-provider-cph ]] || {
	echo "dev-overrides.sh: no terraform-provider-cph in $dir (run: make install GOBIN=$dir)" >&2
	exit 1
}
cat <<EOT
provider_installation {
  dev_overrides {
    "cph-terraform/cph" = "$dir"
  }
  direct {}
}
EOT
