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
#   scripts/terraform-cli.sh current  a Terraform >= 1.14 (the first with
#                                     actions): Terraform 1.15.9 built from
#                                     ../shared/tools/terraform when that
#                                     source is beside the repo, else
#                                     $TF_ACC_TERRAFORM_PATH or `terraform`
#                                     on PATH if it is >= 1.14. Fails with
#                                     exit status 3 and says so when none is.
#
# Nothing is ever downloaded except Go modules. Builds go once into
# ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-cph/<cli>-v<version>/
# and are reused afterwards (a cold build takes minutes); a cached binary
# whose `version` is not exactly the release (an older "-dev" build) is
# rebuilt. Progress goes to stderr; stdout carries only the path.
set -euo pipefail

usage() {
	sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2
}

mode=${1:-auto}
case $mode in
auto | tofu | build | current) ;;
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
		echo "terraform-cli.sh: no Go toolchain (go on PATH or /usr/local/go/bin/go) to build the CLI with" >&2
		return 1
	fi
}

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-cph"

# cli_version prints the version line of `<cli> version`, e.g.
# "Terraform v1.15.9", or nothing when it does not run. (Warnings about the
# CLI configuration may come first, on stdout.)
cli_version() {
	CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | awk '/^(Terraform|OpenTofu) v/ && !n++' || true
}

# cached_build BIN WANT WHAT BUILD-COMMAND... prints BIN once its `version`
# says exactly WANT, running BUILD-COMMAND <output file> first when it does
# not (missing, or an older build such as a "-dev" one). Concurrent calls
# (two `make` runs at once) are serialised with flock: the second waits,
# then finds the binary.
cached_build() {
	local bin=$1 want=$2 what=$3
	shift 3
	local dir=${bin%/*} tmp start got
	if [[ -x $bin && $(cli_version "$bin") == "$want" ]]; then
		printf '%s\n' "$bin"
		return 0
	fi
	mkdir -p "$dir"
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$dir/.build.lock"
		flock 9
		if [[ -x $bin && $(cli_version "$bin") == "$want" ]]; then
			printf '%s\n' "$bin"
			return 0
		fi
	fi
	if [[ -e $bin ]]; then
		echo "terraform-cli.sh: $bin reports \"$(cli_version "$bin")\", not \"$want\": rebuilding it" >&2
	fi
	tmp=$(mktemp "$dir/.build.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -f '$tmp'" EXIT
	start=$SECONDS
	echo "terraform-cli.sh: building $what into $dir (once; takes a few minutes on a cold Go cache)..." >&2
	"$@" "$tmp" >&2
	chmod 0755 "$tmp"
	got=$(cli_version "$tmp")
	if [[ $got != "$want" ]]; then
		echo "terraform-cli.sh: the $what just built reports \"$got\", not \"$want\"" >&2
		exit 1
	fi
	mv -f "$tmp" "$bin"
	trap - EXIT
	echo "terraform-cli.sh: built $bin in $((SECONDS - start))s" >&2
	printf '%s\n' "$bin"
}

# build_tofu OUT builds the pinned OpenTofu. The ldflag marks it a release
# build: without it OpenTofu reports "v1.12.6-dev" (opentofu/version).
build_tofu() {
	local go
	go=$(go_cmd) || return 1
	(
		cd "$repo/tools/opentofu"
		GOWORK=off "$go" build -trimpath \
			-ldflags='-s -w -X github.com/opentofu/opentofu/version.dev=no' \
			-o "$1" github.com/opentofu/opentofu/cmd/tofu
	)
}

# built_tofu prints the cached OpenTofu, building it first if needed.
built_tofu() {
	local version
	version=$(opentofu_version)
	cached_build "$cache_root/opentofu-$version/tofu" "OpenTofu $version" "OpenTofu $version" build_tofu
}

# The Terraform whose source ../shared/tools/terraform holds (its README:
# tag v1.15.9 as `git archive --prefix=terraform-1.15.9/`).
terraform_version=1.15.9
terraform_sha256=c14fc8cb359b546964b127c413c759e48b261d5f2878f0a082820cb24d59c651
terraform_src="$repo/../shared/tools/terraform/terraform-$terraform_version-src.tar.gz"

# build_terraform OUT builds Terraform from that source, with the ldflag
# that makes it report "v1.15.9" rather than "v1.15.9-dev". Its go.mod has
# replace directives, so `go install ...@version` cannot do this.
build_terraform() {
	local out=$1 go work
	go=$(go_cmd) || return 1
	if command -v sha256sum >/dev/null 2>&1 &&
		! echo "$terraform_sha256  $terraform_src" | sha256sum --check --status; then
		echo "terraform-cli.sh: $terraform_src does not have the sha256 its README gives ($terraform_sha256)" >&2
		return 1
	fi
	work=$(mktemp -d "${out%/*}/.src.XXXXXX")
	(
		# shellcheck disable=SC2064 # expand $work now
		trap "rm -rf '$work'" EXIT
		tar -xzf "$terraform_src" -C "$work"
		cd "$work/terraform-$terraform_version"
		GOWORK=off "$go" build -trimpath \
			-ldflags='-s -w -X github.com/hashicorp/terraform/version.dev=no' -o "$out" .
	)
}

# supports_actions reports whether a CLI is Terraform 1.14 or newer.
supports_actions() {
	local v major minor
	v=$(cli_version "$1")
	[[ $v =~ ^Terraform\ v([0-9]+)\.([0-9]+)\. ]] || return 1
	major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	((major > 1 || (major == 1 && minor >= 14)))
}

# current_terraform prints a Terraform >= 1.14, or says why there is none
# and exits 3.
current_terraform() {
	if [[ -f $terraform_src ]]; then
		cached_build "$cache_root/terraform-v$terraform_version/terraform" "Terraform v$terraform_version" \
			"Terraform $terraform_version" build_terraform
		return
	fi
	local cand p tried=()
	for cand in "${TF_ACC_TERRAFORM_PATH:-}" "$(type -P terraform || true)"; do
		[[ -n $cand ]] || continue
		if ! p=$(abspath "$cand"); then
			tried+=("$cand (not an executable file)")
			continue
		fi
		if supports_actions "$p"; then
			printf '%s\n' "$p"
			return 0
		fi
		tried+=("$p ($(cli_version "$p"))")
	done
	{
		echo "terraform-cli.sh: no Terraform >= 1.14 found."
		echo "  Not beside the repo: ${terraform_src#"$repo/"}"
		if ((${#tried[@]})); then
			printf '  Too old or unusable: %s\n' "${tried[@]}"
		else
			echo "  TF_ACC_TERRAFORM_PATH is unset and there is no terraform on PATH."
		fi
		echo "  Set TF_ACC_TERRAFORM_PATH to a Terraform 1.14 or newer to run these tests."
	} >&2
	exit 3
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
current)
	current_terraform
	;;
esac
