#!/usr/bin/env bash
# The one test command (`make test`, and what CI runs): builds the Terraform and
# OpenTofu CLIs once, starts the test fleet, runs the unit tests, checks the
# fleet, runs the acceptance tests once with each CLI, checks that the
# generated docs are current, and stops the fleet again even when a test fails.
#
# Settings:
#   DFL_KEEP_FLEET=1   leave the fleet running afterwards (to rerun a test by hand)
#   DFL_CHECK_DOCS=0   skip the docs check
#   TESTARGS           extra `go test` arguments for the acceptance runs (e.g. -run TestAccHost)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

results=()
failed=0
tmp=$(mktemp -d)

say() { printf '\n== %s\n' "$*" >&2; }

# step NAME CMD...: runs one part, records how it went and how long it took,
# and carries on, so that one failing part does not hide the others.
step() {
	local name=$1 start rc
	shift
	say "$name"
	start=$(date +%s)
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		results+=("ok    $name ($(($(date +%s) - start))s)")
	else
		results+=("FAIL  $name ($(($(date +%s) - start))s, exit $rc)")
		failed=1
	fi
	return $rc
}

finish() {
	if [ -z "${DFL_KEEP_FLEET:-}" ]; then
		say "stopping the fleet"
		scripts/fleet.sh down || {
			results+=("FAIL  fleet down")
			failed=1
		}
	fi
	rm -rf "$tmp"
	printf '\n== summary\n' >&2
	printf '%s\n' "${results[@]}" >&2
	if [ $failed -ne 0 ]; then
		printf 'FAILED\n' >&2
		exit 1
	fi
	printf 'PASSED\n' >&2
}
trap finish EXIT

# cli_config writes the CLI configuration the acceptance tests run with: no
# checkpoint calls, and providers only from an empty local mirror, so nothing
# is downloaded (the provider under test is served in process).
cli_config() {
	mkdir -p "$tmp/mirror"
	cat >"$tmp/cli.tfrc" <<EOF
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path = "$tmp/mirror"
  }
}
EOF
	export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" CHECKPOINT_DISABLE=1
	export TF_ACC_PROVIDER_NAMESPACE=hashicorp
}

# acceptance CLI REGISTRY runs every acceptance test with one CLI. REGISTRY is
# the host the CLI puts in front of an unqualified source such as
# hashicorp/dockerfleet: the in-process provider must be announced under that
# address, or configurations that plugin-testing writes itself (import blocks)
# look for it in the registry.
acceptance() {
	# shellcheck disable=SC2086
	TF_ACC=1 TF_ACC_TERRAFORM_PATH="$1" TF_ACC_PROVIDER_HOST="$2" \
		go test ./internal/provider/... -count=1 -timeout 30m ${TESTARGS:-}
}

step "Terraform and OpenTofu CLIs" scripts/clis.sh >"$tmp/clis" || exit 1
terraform=$(sed -n 1p "$tmp/clis")
tofu=$(sed -n 2p "$tmp/clis")
step "fleet up" scripts/fleet.sh up || exit 1
eval "$(scripts/fleet.sh env)"
cli_config

step "unit tests" go test ./... -count=1
step "lint" make --no-print-directory lint
step "fleet check" env TF_ACC=1 go test ./internal/acctest/ -count=1 -run TestAccFleet
step "acceptance tests, Terraform $("$terraform" version | head -n1 | awk '{print $2}')" \
	acceptance "$terraform" registry.terraform.io
step "acceptance tests, OpenTofu $("$tofu" version | head -n1 | awk '{print $2}')" \
	acceptance "$tofu" registry.opentofu.org
if [ "${DFL_CHECK_DOCS:-1}" != 0 ]; then
	step "docs current" scripts/docs.sh --check
fi
