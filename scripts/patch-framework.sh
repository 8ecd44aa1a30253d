#!/usr/bin/env bash
# Writes, or checks, third_party/terraform-plugin-framework: the packages of
# github.com/hashicorp/terraform-plugin-framework this module builds, at the
# version go.mod requires, with third_party/terraform-plugin-framework/*.patch
# applied. go.mod's replace directive builds the provider with that copy
# (PATCH.md there says why, and how to drop it).
#
#   scripts/patch-framework.sh          rewrite the copy (after a framework
#                                       upgrade, or a new import of one of
#                                       its packages)
#   scripts/patch-framework.sh check    fail unless the committed copy is
#                                       exactly what the line above writes,
#                                       and unless upstream's own tests pass
#                                       on its whole source with the patches
#
# Only non-test Go files of the packages the module (tests included) imports
# are copied, with the module's LICENSE and go.mod. The upstream source comes
# from the module proxy (go mod download), nothing else.
set -euo pipefail

mode=${1:-write}
case $mode in
write | check) ;;
*)
	sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
mod=github.com/hashicorp/terraform-plugin-framework
dst=third_party/terraform-plugin-framework

version=$(go list -m -f '{{.Version}}' "$mod")
src=$(go mod download -json "$mod@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -d $src ]] || {
	echo "patch-framework.sh: go mod download $mod@$version gave no directory" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The framework's packages the module needs, listed against an unreplaced
# copy of go.mod (the copy itself may lack a package that is newly needed).
cp go.mod "$tmp/go.mod"
cp go.sum "$tmp/go.sum"
go mod edit -dropreplace="$mod" "$tmp/go.mod"
mapfile -t pkgs < <(GOFLAGS=-mod=mod go list -modfile="$tmp/go.mod" -deps -test ./... |
	sed -n "s#^$mod\(/.*\)\{0,1\}\$#.\1#p" | sort -u)
((${#pkgs[@]} > 0)) || {
	echo "patch-framework.sh: the module imports no package of $mod" >&2
	exit 1
}

out=$tmp/out
mkdir -p "$out"
cp "$src/LICENSE" "$src/go.mod" "$out/"
for p in "${pkgs[@]}"; do
	mkdir -p "$out/$p"
	for f in "$src/$p"/*.go; do
		[[ $f == *_test.go ]] || cp "$f" "$out/$p/"
	done
done
chmod -R u+w "$out"
cp "$dst/PATCH.md" "$dst"/*.patch "$out/"
# (git apply outside any repository is a plain, strict patch.)
for p in "$dst"/*.patch; do
	(cd "$out" && git apply -p1 "$repo/$p")
done

if [[ $mode == check ]]; then
	if ! diff -r "$dst" "$out" >"$tmp/diff"; then
		echo "patch-framework.sh: $dst is not $mod $version with its patches applied:" >&2
		head -n 40 "$tmp/diff" >&2
		echo "run scripts/patch-framework.sh and commit $dst" >&2
		exit 1
	fi
	echo "$dst is $mod $version (${#pkgs[@]} packages) with its patches applied"

	# The patches change the framework's own code: run the framework's own
	# test suite on its whole source with them applied. The copy lives at a
	# fixed path, keyed by version, so Go's build cache serves later runs.
	full="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-cph/framework-$version-patched"
	rm -rf "$full"
	mkdir -p "$(dirname "$full")"
	cp -R "$src" "$full"
	chmod -R u+w "$full"
	for p in "$dst"/*.patch; do
		(cd "$full" && git apply -p1 "$repo/$p")
	done
	if ! (cd "$full" && GOFLAGS=-mod=mod GOWORK=off go test ./... >"$tmp/test.log" 2>&1); then
		echo "patch-framework.sh: $mod $version's own tests fail with the patches applied:" >&2
		grep -v -e '^ok' -e 'no test files' "$tmp/test.log" | head -n 60 >&2
		exit 1
	fi
	echo "$mod $version's own tests pass with the patches applied ($(grep -c '^ok' "$tmp/test.log") packages)"
	exit 0
fi

rm -rf "$dst"
mkdir -p "$(dirname "$dst")"
cp -R "$out" "$dst"
echo "wrote $dst: $mod $version, ${#pkgs[@]} packages, $(find "$dst" -name '*.go' | wc -l) files, $(du -sh "$dst" | cut -f1)"
