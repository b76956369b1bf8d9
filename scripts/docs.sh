#!/usr/bin/env bash
# Generates docs/ from the schema descriptions, templates/ and examples/ with
# tfplugindocs. tfplugindocs asks a Terraform CLI for the provider schema; the
# one built by scripts/clis.sh is put first on PATH so nothing is downloaded.
#
# Usage: scripts/docs.sh          regenerate docs/
#        scripts/docs.sh --check  fail when the committed docs/ are stale
set -euo pipefail
cd "$(dirname "$0")/.."

TFPLUGINDOCS_VERSION=v0.25.0

terraform_bin=$(scripts/clis.sh terraform)
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
ln -s "$terraform_bin" "$shim/terraform"

export CHECKPOINT_DISABLE=1
PATH="$shim:$PATH" go run "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@$TFPLUGINDOCS_VERSION" \
	generate --provider-name dockerfleet --rendered-provider-name dockerfleet >/dev/null

if [ "${1:-}" = "--check" ]; then
	if ! git diff --exit-code --stat -- docs/ || [ -n "$(git ls-files --others --exclude-standard docs/)" ]; then
		echo "docs/ is stale: run 'make docs' and commit the result" >&2
		exit 1
	fi
	echo "docs/ is current"
fi
