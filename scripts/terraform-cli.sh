#!/usr/bin/env bash
# Prints the absolute path of the Terraform-compatible CLI to use.
#
#   scripts/terraform-cli.sh          any CLI, in this order:
#                                     1. $TF_ACC_TERRAFORM_PATH
#                                     2. `terraform` on PATH
#                                     3. `tofu` on PATH
#                                     4. OpenTofu built from tools/opentofu
#   scripts/terraform-cli.sh tofu     an OpenTofu: `tofu` on PATH, else 4.
#   scripts/terraform-cli.sh build    4., building it if needed (ignores PATH).
#
# Nothing is ever downloaded except Go modules: step 4 builds the OpenTofu
# version pinned in tools/opentofu/go.mod once into
# ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-cph/opentofu-<version>/tofu
# and reuses it afterwards (a cold build takes minutes). Progress goes to
# stderr; stdout carries only the path.
set -euo pipefail

usage() {
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
}

mode=${1:-auto}
case $mode in
auto | tofu | build) ;;
-h | --help | help)
	usage
	exit 0
	;;
*)
	echo "terraform-cli.sh: unknown mode '$mode'" >&2
	usage
	exit 2
	;;
esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

# abspath prints an executable's absolute path, or fails.
abspath() {
	local p=$1
	case $p in
	/*) ;;
	*/*) p="$(cd "$(dirname "$p")" && pwd -P)/$(basename "$p")" ;;
	*) p=$(command -v -- "$p") || return 1 ;;
	esac
	[[ -f $p && -x $p ]] || return 1
	printf '%s\n' "$p"
}

# path_cli prints the absolute path of a command found on PATH (skipping
# shell functions, aliases and builtins), or fails.
path_cli() {
	local p
	p=$(type -P -- "$1") || return 1
	abspath "$p"
}

opentofu_version() {
	local v
	v=$(awk '$1 == "require" && $2 == "github.com/opentofu/opentofu" { print $3 }
		$1 == "github.com/opentofu/opentofu" { print $2 }' "$repo/tools/opentofu/go.mod" | head -n 1)
	printf '%s\n' "${v:-v1.12.6}"
}

go_cmd() {
	if command -v go >/dev/null 2>&1; then
		command -v go
	elif [[ -x /usr/local/go/bin/go ]]; then
		echo /usr/local/go/bin/go
	else
		echo "terraform-cli.sh: no terraform or tofu found, and no Go toolchain to build OpenTofu with" >&2
		return 1
	fi
}

# built_tofu prints the cached OpenTofu, building it first if it is missing.
built_tofu() {
	local version cache bin go tmp start
	version=$(opentofu_version)
	cache="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-cph/opentofu-$version"
	bin="$cache/tofu"
	if [[ -x $bin ]]; then
		printf '%s\n' "$bin"
		return 0
	fi

	mkdir -p "$cache"
	# Serialise concurrent builds (two `make` runs at once): the second
	# waits, then finds the binary.
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$cache/.build.lock"
		flock 9
		if [[ -x $bin ]]; then
			printf '%s\n' "$bin"
			return 0
		fi
	fi

	go=$(go_cmd)
	tmp=$(mktemp "$cache/.tofu.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -f '$tmp'" EXIT
	start=$SECONDS
	echo "terraform-cli.sh: building OpenTofu $version into $cache (once; takes a few minutes on a cold Go cache)..." >&2
	(
		cd "$repo/tools/opentofu"
		GOWORK=off \
			"$go" build -trimpath -ldflags='-s -w' -o "$tmp" github.com/opentofu/opentofu/cmd/tofu
	) >&2
	chmod 0755 "$tmp"
	mv -f "$tmp" "$bin"
	trap - EXIT
	echo "terraform-cli.sh: built $bin in $((SECONDS - start))s" >&2
	printf '%s\n' "$bin"
}

case $mode in
auto)
	if [[ -n ${TF_ACC_TERRAFORM_PATH:-} ]]; then
		if ! abspath "$TF_ACC_TERRAFORM_PATH"; then
			echo "terraform-cli.sh: TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH is not an executable file" >&2
			exit 1
		fi
		exit 0
	fi
	path_cli terraform || path_cli tofu || built_tofu
	;;
tofu)
	path_cli tofu || built_tofu
	;;
build)
	built_tofu
	;;
esac
