#!/usr/bin/env bash
# make demo: reset a fleet of fake cloud phones through a real apply.
#
#  1. installs the provider exactly as the README's "Use a local build"
#     says (`make install GOBIN=<dir>`, here a temporary directory) and
#     builds cph-mock beside it;
#  2. starts cph-mock on a free loopback port with DEMO_PHONES seeded phones
#     and reset jobs that take DEMO_JOB_DURATION;
#  3. writes the CLI configuration as the README says
#     (scripts/dev-overrides.sh <dir>, TF_CLI_CONFIG_FILE), so no `init` and
#     no registry are needed, and works in a fresh copy of examples/demo;
#  4. applies examples/demo/ (every phone reset, two with their own
#     properties); the apply prints the job of each phone;
#  5. changes one phone's properties and applies again: only that phone is
#     reset;
#  6. prints the fake's counters, checks them, stops the fake and cleans up.
#
# The CLI is the one scripts/terraform-cli.sh picks (TF_ACC_TERRAFORM_PATH,
# terraform, tofu, else OpenTofu built once); DEMO_CLI overrides it, e.g.
# DEMO_CLI=$(scripts/terraform-cli.sh tofu) scripts/demo.sh.
# Set DEMO_KEEP=1 to keep the working directory for a look afterwards.
set -euo pipefail

phones=${DEMO_PHONES:-12}
job_duration=${DEMO_JOB_DURATION:-2s}
token=demo-token-not-a-secret
if ! [[ $phones =~ ^[0-9]+$ ]] || ((phones < 2)); then
	echo "demo: DEMO_PHONES must be a number, at least 2" >&2
	exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"

# Colour only on a terminal (CI logs stay readable).
if [[ -t 1 ]]; then
	step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
	no_color=()
else
	step() { printf '\n==> %s\n' "$*"; }
	no_color=(-no-color)
fi
die() {
	echo "demo: $*" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/cph-demo.XXXXXX")
mock_pid=
cleanup() {
	local rc=$?
	if [[ -n $mock_pid ]] && kill -0 "$mock_pid" 2>/dev/null; then
		kill -TERM "$mock_pid" 2>/dev/null || true
		wait "$mock_pid" 2>/dev/null || true
	fi
	if ((rc != 0)) && [[ -s $work/mock.log ]]; then
		echo "demo: last lines of the cph-mock log:" >&2
		tail -n 20 "$work/mock.log" >&2 || true
	fi
	if [[ ${DEMO_KEEP:-} == 1 ]]; then
		echo "demo: kept $work" >&2
	else
		rm -rf "$work"
	fi
	if ((rc != 0)); then
		echo "demo: FAILED (exit $rc)" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- the CLI
cli=${DEMO_CLI:-$(scripts/terraform-cli.sh)}
cli_version=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null | sed -n 1p)
step "Using $cli_version ($cli)"

# ---------------------------------------------------------------- 1. build
step "Installing the provider (make install GOBIN=$work/bin) and building cph-mock"
mkdir -p "$work/bin"
make --no-print-directory install GOBIN="$work/bin"
go build -o "$work/bin/cph-mock" ./cmd/cph-mock

# ---------------------------------------------------------------- 2. the fake
step "Starting cph-mock ($phones phones, reset jobs take $job_duration)"
# The fake prints its base URL as its first line. Read it from a pipe, with
# a timeout per attempt and a bounded number of attempts, instead of
# sleeping and hoping; then keep draining the pipe into the log.
exec 3< <(exec "$work/bin/cph-mock" -addr 127.0.0.1:0 -seed 1 -phones "$phones" \
	-job-duration "$job_duration" -auth-token "$token" 2>"$work/mock.log")
mock_pid=$!
base_url=
for _ in $(seq 1 30); do
	if IFS= read -r -t 1 base_url <&3; then
		break
	fi
	kill -0 "$mock_pid" 2>/dev/null || die "cph-mock exited before printing its URL"
done
[[ $base_url == http://127.0.0.1:* ]] || die "cph-mock did not print its URL within 30s (got '${base_url}')"
cat <&3 >>"$work/mock.log" &
exec 3<&-
echo "cph-mock (pid $mock_pid) serves CPH and IAM at $base_url"

# http_get PATH: GET an admin endpoint of the fake (curl when there is one,
# else bash's /dev/tcp).
http_get() {
	if command -v curl >/dev/null; then
		curl -fsS "$base_url$1"
		return
	fi
	local hostport=${base_url#http://} status line
	exec 4<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
	printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$1" "$hostport" >&4
	IFS= read -r status <&4
	while IFS= read -r line <&4 && [[ $line != $'\r' && -n $line ]]; do :; done
	[[ $status == *" 200 "* ]] || die "GET $1: ${status%$'\r'}"
	cat <&4
	exec 4<&-
}

mapfile -t phone_ids < <(http_get /_mock/phone-ids)
((${#phone_ids[@]} == phones)) || die "expected $phones phone IDs from /_mock/phone-ids, got ${#phone_ids[@]}"

# ---------------------------------------------------------------- 3. CLI config
# The README's steps: dev_overrides makes the CLI use the provider just
# installed, without `init`.
step "Pointing the CLI at it (scripts/dev-overrides.sh $work/bin > $work/cph-dev.tfrc)"
scripts/dev-overrides.sh "$work/bin" >"$work/cph-dev.tfrc"
cat "$work/cph-dev.tfrc"
export TF_CLI_CONFIG_FILE=$work/cph-dev.tfrc
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_WORKSPACE TF_DATA_DIR TF_CLI_ARGS TF_CLI_ARGS_apply TF_CLI_ARGS_plan

cp -R examples/demo "$work/demo"
tf() { "$cli" -chdir="$work/demo" "$@"; }

json_list() {
	local out='[' sep='' id
	for id in "$@"; do
		out+="$sep\"$id\""
		sep=,
	done
	printf '%s]' "$out"
}
export TF_VAR_endpoint=$base_url
export TF_VAR_auth_token=$token
export TF_VAR_phone_ids
TF_VAR_phone_ids=$(json_list "${phone_ids[@]}")

# ---------------------------------------------------------------- 4. first apply
step "Apply 1: reset all $phones phones (phones ${phone_ids[0]} and ${phone_ids[1]} with their own properties)"
# The apply prints the jobs output itself: no second `terraform output`.
tf apply -auto-approve -input=false "${no_color[@]}"

# ---------------------------------------------------------------- 5. second apply
export TF_VAR_first_phone_number=13800000099
step "Apply 2: change phone ${phone_ids[0]}'s number to $TF_VAR_first_phone_number; only that phone is reset"
tf apply -auto-approve -input=false "${no_color[@]}"

# ---------------------------------------------------------------- 6. the fake's view
step "What cph-mock saw (GET /_mock/stats)"
stats=$(http_get /_mock/stats)
if command -v python3 >/dev/null; then
	python3 -m json.tool <<<"$stats"
else
	echo "$stats"
fi

# The resets per phone, from {"resets":{"<phone>":n,...}}.
resets_json=$(grep -o '"resets":{[^}]*}' <<<"$stats" || true)
total=0
twice=()
for id in "${phone_ids[@]}"; do
	n=$(grep -o "\"$id\":[0-9]*" <<<"$resets_json" | cut -d: -f2 || true)
	total=$((total + ${n:-0}))
	if ((${n:-0} > 1)); then twice+=("$id"); fi
done
echo
echo "Resets accepted by the fake: $total for $phones phones; reset twice: ${twice[*]:-none}"
if ((total != phones + 1)) || [[ ${twice[*]:-} != "${phone_ids[0]}" ]]; then
	die "expected $((phones + 1)) resets, with only ${phone_ids[0]} reset twice"
fi
step "Demo finished: $phones phones reset, then only the one whose properties changed"
