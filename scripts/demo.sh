#!/usr/bin/env bash
# The dockerfleet demo: a database and a web tier across three Docker hosts on
# this machine, then the moves an operator makes, each shown as its plan.
#
# Usage: scripts/demo.sh        set everything up and run the demo (as root)
#        scripts/demo.sh down   destroy the application and stop the fleet
#
# Settings:
#   DOCKERFLEET_DEMO_DIR  where the demo keeps its fleet and work files
#                         (default /var/tmp/dockerfleet-demo)
#   DEMO_CLI              terraform or tofu binary to use (default: terraform on
#                         PATH, else tofu on PATH, else one built from source)
#   DEMO_SUBNET           first three octets of the demo fleet's /24 (default 10.89.0)
#   DEMO_PAUSE            seconds to pause between steps (default 0)
#
# The demo fleet has its own directory, address range and names, so it runs
# beside the test fleet of `make test` without touching it.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

DEMO_DIR=${DOCKERFLEET_DEMO_DIR:-/var/tmp/dockerfleet-demo}
WORK="$DEMO_DIR/work"
STACK="$WORK/stack"
PAUSE=${DEMO_PAUSE:-0}

# The fleet script reads these; set them here so that a shell holding the test
# fleet's settings cannot point the demo at the test fleet.
export DOCKERFLEET_FLEET_DIR="$DEMO_DIR/fleet"
export DFL_SUBNET=${DEMO_SUBNET:-10.89.0}
export DFL_PREFIX=dfdemo
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1

WEB_V1=dockerfleet-demo/web:1
WEB_V2=dockerfleet-demo/web:2

bold() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() { printf '    %s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

# run prints a command the way a user would type it, then runs it.
run() {
	printf '\033[2m$ %s\033[0m\n' "$*"
	"$@"
}

pause() { [ "$PAUSE" = 0 ] || sleep "$PAUSE"; }

need_root() {
	[ "$(id -u)" = 0 ] || die "run as root: the fleet needs network namespaces and dockerd"
	command -v go >/dev/null || die "Go is needed to build the provider and the demo images"
}

# --- set-up ----------------------------------------------------------------

fleet_up() {
	bold "Starting a fleet of three Docker hosts (each in its own network namespace)"
	scripts/fleet.sh up
	eval "$(scripts/fleet.sh env)"
	scripts/fleet.sh status | sed 's/^/    /'
	command -v curl >/dev/null || {
		say "installing curl from Debian to send the demo's HTTP requests"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl >/dev/null
	}
}

# pick_cli sets CLI to the Terraform or OpenTofu binary the demo runs.
pick_cli() {
	bold "Choosing the CLI"
	if [ -n "${DEMO_CLI:-}" ]; then
		CLI=$DEMO_CLI
	elif CLI=$(command -v terraform); then
		:
	elif CLI=$(command -v tofu); then
		:
	else
		say "neither terraform nor tofu is on PATH: building Terraform 1.5.7 from the"
		say "Go module proxy with scripts/clis.sh. This takes 3-4 minutes the first time;"
		say "the binary is cached for later runs."
		CLI=$(scripts/clis.sh terraform)
	fi
	say "using $CLI ($("$CLI" version 2>/dev/null | grep -m 1 -E '^(Terraform|OpenTofu) v'))"
	TF=$(basename "$CLI")
	case "$TF" in tofu*) TF=tofu ;; *) TF=terraform ;; esac
}

# wire_provider builds the provider and points the CLI at it with a
# dev_overrides block, in a CLI configuration file of the demo's own.
wire_provider() {
	bold "Building the provider and wiring it in with dev_overrides"
	mkdir -p "$WORK/plugins" "$WORK/empty-mirror"
	run go build -o "$WORK/plugins/terraform-provider-dockerfleet" .
	cat >"$WORK/cli.tfrc" <<EOF
disable_checkpoint = true

provider_installation {
  # The CLI runs the provider built above instead of installing one.
  dev_overrides {
    "dockerfleet/dockerfleet" = "$WORK/plugins"
  }
  # Nothing else is installed from anywhere: the demo needs no network.
  filesystem_mirror {
    path = "$WORK/empty-mirror"
  }
}
EOF
	export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc"
	say "CLI configuration: $WORK/cli.tfrc (TF_CLI_CONFIG_FILE)"
}

images() {
	bold "Building the demo images locally and loading them into every host"
	local h eps=() have=1
	for h in $DFL_HOSTS; do
		local var="DFL_${h^^}_UNIX"
		eps+=("${!var}")
		docker -H "${!var}" image inspect dockerfleet-demo/db:1 "$WEB_V1" "$WEB_V2" \
			>/dev/null 2>&1 || have=
	done
	if [ -n "$have" ]; then
		say "already loaded on every host"
		return
	fi
	demo/images.sh "${eps[@]}"
}

# write_vars gives the stack the fleet's endpoints: h1 and h2 over plain TCP,
# h3 over TLS with a client certificate, as in a real fleet.
write_vars() {
	mkdir -p "$STACK"
	cp demo/stack/*.tf "$STACK/"
	cat >"$STACK/fleet.auto.tfvars.json" <<EOF
{
  "hosts": {
    "h1": { "endpoint": "$DFL_H1_TCP", "zone": "zone-a" },
    "h2": { "endpoint": "$DFL_H2_TCP", "zone": "zone-b" },
    "h3": { "endpoint": "$DFL_H3_TLS", "zone": "zone-c", "auth": "tls" }
  },
  "tls": {
    "ca_file": "$DFL_TLS_CA",
    "cert_file": "$DFL_TLS_CERT",
    "key_file": "$DFL_TLS_KEY"
  }
}
EOF
	operator web_replicas 4 web_image "\"$WEB_V1\""
}

# operator writes the values an operator edits into operator.auto.tfvars.
operator() {
	: >"$STACK/operator.auto.tfvars"
	while [ $# -gt 0 ]; do
		printf '%s = %s\n' "$1" "$2" >>"$STACK/operator.auto.tfvars"
		shift 2
	done
}

# tf runs the CLI in the stack directory, printed as a user would type it.
tf() {
	printf '\033[2m$ %s %s\033[0m\n' "$TF" "$*"
	(cd "$STACK" && "$CLI" "$@")
}

# --- the demo ----------------------------------------------------------------

init_note() {
	bold "$TF init"
	say "Skipped: with dev_overrides the CLI runs the provider built above directly,"
	say "and '$TF init' would try to install it from a registry, which fails here."
	say "With a released provider, '$TF init' is the first command."
}

# plan_apply plans into a file, which prints the plan a reviewer reads, and
# applies exactly that plan.
plan_apply() {
	tf plan -input=false -out=tfplan
	pause
	tf apply -input=false tfplan
}

# prove sends one request to every web replica, on its own host and port, and
# shows that each answer holds values written to and read from the database.
prove() {
	local name host target container answer before=0 n failed=0
	printf '    %-11s %-4s %-16s %-13s %s\n' REPLICA HOST ADDRESS CONTAINER ANSWER
	while read -r name host target container; do
		answer=$(curl -sS -m 5 "http://$target/" 2>&1) || failed=1
		printf '    %-11s %-4s %-16s %-13s %s\n' "$name" "$host" "$target" "$container" "$answer"
		case "$answer" in
		*"container $container "*) ;;
		*)
			say "^ not answered by the replica's own container"
			failed=1
			;;
		esac
		n=$(sed -n 's/.*visits=\([0-9]*\).*/\1/p' <<<"$answer")
		if [ -z "$n" ] || [ "$n" -le "$before" ]; then
			say "^ the visit counter read back from the database did not go up"
			failed=1
		fi
		before=${n:-$before}
	done < <("$CLI" -chdir="$STACK" output -raw web_targets && echo)
	[ "$failed" = 0 ] || die "some replicas did not answer through the database"
	say "every replica wrote to the database on $("$CLI" -chdir="$STACK" output -raw db_endpoint)" \
		"and read the value back"
}

# watch_versions polls the health endpoint of every web replica while a
# rollout runs and prints a line each time the versions answering change: the
# batches show. /health does not touch the database.
watch_versions() {
	local targets line prev="" t v
	targets=$("$CLI" -chdir="$STACK" output -raw web_targets | awk '{print $3}')
	say "versions answering, by replica ($(tr '\n' ' ' <<<"$targets"| sed 's/ $//')):"
	while :; do
		line=""
		for t in $targets; do
			v=$(curl -s -m 1 "http://$t/health" | awk '{print $3}') || v=""
			line="$line ${v:-down}"
		done
		[ "$line" = "$prev" ] || printf '    %s %s\n' "$(date +%T)" "$line"
		prev=$line
		sleep 0.25
	done
}

replica_on() {
	"$CLI" -chdir="$STACK" output -raw web_targets | awk -v h="$1" '$2 == h {print $1; exit}'
}

demo() {
	need_root
	fleet_up
	pick_cli
	wire_provider
	images
	write_vars

	bold "The configuration ($STACK)"
	say "demo/stack/main.tf: 3 hosts (for_each), network demo-app on all of them,"
	say "volume demo-db-data and service demo-db (1 replica, port 7000) on h1,"
	say "service demo-web: 4 replicas spread by zone, health check, ports 8081-8089."
	cat "$STACK/operator.auto.tfvars" | sed 's/^/    /'
	init_note
	pause

	bold "Plan and apply: the whole application"
	plan_apply

	bold "Proof: one request to every web replica, on every host"
	prove
	pause

	bold "Operator: scale the web tier from 4 to 6 replicas"
	operator web_replicas 6 web_image "\"$WEB_V1\""
	say "operator.auto.tfvars: web_replicas = 6. The plan adds two replicas and"
	say "leaves the four running ones alone."
	plan_apply
	prove
	pause

	bold "Operator: roll out web v2"
	operator web_replicas 6 web_image "\"$WEB_V2\""
	say "operator.auto.tfvars: web_image = \"$WEB_V2\". Every replica is replaced,"
	say "two at a time (update.parallelism = 2), each batch healthy before the next."
	tf plan -input=false -out=tfplan
	pause
	watch_versions &
	local watcher=$!
	tf apply -input=false tfplan || {
		kill "$watcher" 2>/dev/null
		die "the rollout failed"
	}
	sleep 0.5
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	prove
	pause

	bold "Drift: a container removed by hand on h2"
	local victim
	victim=$(replica_on h2)
	[ -n "$victim" ] || die "no web replica on h2"
	eval "$(scripts/fleet.sh env)"
	run docker -H "$DFL_H2_UNIX" rm -f "$victim"
	say "The plan names $victim only; the other replicas are untouched."
	plan_apply
	prove

	bold "Done"
	say "A last plan is empty:"
	tf plan -input=false -detailed-exitcode >/dev/null &&
		say "no changes." || die "the last plan is not empty"
	say "Look around: $TF -chdir=$STACK state list, or curl one of the addresses above."
	say "(export TF_CLI_CONFIG_FILE=$WORK/cli.tfrc first.)"
	say "Remove everything: make demo-down"
}

# --- tear-down ---------------------------------------------------------------

down() {
	need_root
	if [ -f "$STACK/terraform.tfstate" ] && [ -f "$DOCKERFLEET_FLEET_DIR/fleet.conf" ]; then
		bold "Destroying the application"
		pick_cli
		export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc"
		tf destroy -input=false -auto-approve ||
			say "destroy failed; the fleet is removed below all the same"
	fi
	bold "Stopping the demo fleet"
	scripts/fleet.sh down
	rm -rf --one-file-system "$DEMO_DIR"
	say "removed $DEMO_DIR"
}

case "${1:-}" in
"") demo ;;
down) down ;;
*)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
	;;
esac
