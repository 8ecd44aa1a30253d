//go:build tools

// Package opentofu pins the OpenTofu CLI version; scripts/terraform-cli.sh
// builds it with `go build github.com/opentofu/opentofu/cmd/tofu`.
package opentofu

import _ "github.com/opentofu/opentofu/cmd/tofu"
