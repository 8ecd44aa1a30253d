#!/usr/bin/env bash
# make examples-check: every example directory passes `fmt -check` and
# `validate` against the local build, with each CLI given (default: the one
# scripts/terraform-cli.sh picks); directories with `action` blocks only
# with Terraform >= 1.14.
#
#   scripts/check-examples.sh [CLI ...]
#
# The provider is installed and found exactly as the README's "Use a local
# build" steps say: `make install GOBIN=<dir>`, `scripts/dev-overrides.sh
# <dir>` into a CLI configuration, TF_CLI_CONFIG_FILE pointing at it, and no
# `init`. Each directory is validated from a fresh copy, as a user's clean
# directory would be. Then test/validate-errors must fail `validate` with
# the errors its "expect:" lines list, each at its attribute's line.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
(($# > 0)) || set -- "$(scripts/terraform-cli.sh)"

work=$(mktemp -d "${TMPDIR:-/tmp}/cph-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The README's steps.
make --no-print-directory install GOBIN="$work/bin" 2>/dev/null
scripts/dev-overrides.sh "$work/bin" >"$work/cph-dev.tfrc"
export TF_CLI_CONFIG_FILE=$work/cph-dev.tfrc
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_DATA_DIR TF_CLI_ARGS TF_CLI_ARGS_validate TF_CLI_ARGS_fmt

mapfile -t dirs < <(find examples -name '*.tf' -printf '%h\n' | sort -u)
((${#dirs[@]} > 0)) || {
	echo "check-examples: no example directories" >&2
	exit 1
}
failed=0
for cli in "$@"; do
	label="$("$cli" version 2>/dev/null | sed -n 1p)"
	echo "==> examples with $label ($cli)"
	if ! "$cli" fmt -check -recursive -diff examples; then
		echo "FAIL fmt -check: run 'make fmt'" >&2
		failed=1
	fi
	# Actions need Terraform 1.14 or later; OpenTofu and older Terraform
	# reject `action` blocks, so such directories are validated only by a
	# CLI that knows them.
	actions=no
	if [[ $label =~ ^Terraform\ v([0-9]+)\.([0-9]+) ]] &&
		((BASH_REMATCH[1] > 1 || (BASH_REMATCH[1] == 1 && BASH_REMATCH[2] >= 14))); then
		actions=yes
	fi
	for dir in "${dirs[@]}"; do
		if [[ $actions == no ]] && grep -qE '^action[[:space:]]+"' "$dir"/*.tf; then
			echo "skip validate $dir (action blocks need Terraform >= 1.14)"
			continue
		fi
		copy=$work/validate/$(tr / _ <<<"$dir")
		rm -rf "$copy" && mkdir -p "$copy" && cp -R "$dir/." "$copy/"
		if out=$("$cli" -chdir="$copy" validate -no-color 2>&1); then
			echo "ok   validate $dir"
		else
			echo "FAIL validate $dir:" >&2
			sed 's/^/    /' <<<"$out" >&2
			failed=1
		fi
	done
	copy=$work/validate/errors
	rm -rf "$copy" && mkdir -p "$copy" && cp -R test/validate-errors/. "$copy/"
	if out=$("$cli" -chdir="$copy" validate -no-color 2>&1); then
		echo "FAIL validate test/validate-errors passed; it must not" >&2
		failed=1
	else
		while IFS='|' read -r summary line; do
			# The CLI prints "Error: <summary>", then the source line it points at.
			if grep -A4 -F "Error: $summary" <<<"$out" | grep -qF "$line"; then
				echo "ok   validate rejects: $summary at '$line'"
			else
				echo "FAIL validate test/validate-errors: no '$summary' at '$line':" >&2
				sed 's/^/    /' <<<"$out" >&2
				failed=1
			fi
		done < <(sed -n 's/^# expect: //p' test/validate-errors/main.tf)
	fi
done
exit "$failed"
