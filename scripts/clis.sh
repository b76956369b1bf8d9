#!/usr/bin/env bash
# Builds the Terraform and OpenTofu CLIs that the acceptance tests run, from the
# Go module proxy, and caches them outside the repository. No download site is
# needed: both are plain Go modules.
#
# Usage: scripts/clis.sh            build what is missing, print the two paths
#        scripts/clis.sh terraform  only Terraform
#        scripts/clis.sh tofu       only OpenTofu
set -euo pipefail

TERRAFORM_VERSION=${TERRAFORM_VERSION:-1.5.7}
TOFU_VERSION=${TOFU_VERSION:-1.12.6}
CACHE=${DOCKERFLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dockerfleet}
BIN="$CACHE/bin"
mkdir -p "$BIN"

log() { printf 'clis: %s\n' "$*" >&2; }

build_terraform() {
	local out="$BIN/terraform-$TERRAFORM_VERSION"
	if [ -x "$out" ]; then
		echo "$out"
		return
	fi
	log "building Terraform $TERRAFORM_VERSION from the Go module proxy (3-4 minutes, once)"
	local gobin
	gobin=$(mktemp -d)
	GOBIN="$gobin" GOFLAGS=-buildvcs=false go install "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
	mv "$gobin/terraform" "$out.tmp" && mv "$out.tmp" "$out"
	rm -rf "$gobin"
	echo "$out"
}

build_tofu() {
	local out="$BIN/tofu-$TOFU_VERSION"
	if [ -x "$out" ]; then
		echo "$out"
		return
	fi
	log "building OpenTofu $TOFU_VERSION from the Go module proxy (5-6 minutes, once)"
	local dir src
	dir=$(go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$dir" ] || { log "go mod download gave no directory for OpenTofu"; exit 1; }
	src=$(mktemp -d)
	cp -r "$dir/." "$src"
	chmod -R u+w "$src"
	(cd "$src" && GOFLAGS=-buildvcs=false go build -o "$out.tmp" ./cmd/tofu)
	mv "$out.tmp" "$out"
	rm -rf "$src"
	echo "$out"
}

case "${1:-all}" in
terraform) build_terraform ;;
tofu) build_tofu ;;
all)
	build_terraform
	build_tofu
	;;
*)
	log "unknown argument $1 (accepted: terraform, tofu, all)"
	exit 2
	;;
esac
