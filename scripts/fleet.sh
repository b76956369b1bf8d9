#!/usr/bin/env bash
# The dockerfleet test fleet: N Docker engines on this machine, each in its own
# network namespace with its own address, data root and engine ID, as if they
# were separate servers. h2 is also reachable through a real sshd; h3 serves
# the Docker API over TLS only.
#
# Usage: scripts/fleet.sh up          start the fleet (idempotent; DFL_N hosts, default 3)
#        scripts/fleet.sh env         print the `export` lines the tests read
#        scripts/fleet.sh status      one line per host
#        scripts/fleet.sh down        stop everything by PID and remove all traces
#        scripts/fleet.sh stop HOST   stop HOST's dockerd (data and engine ID kept)
#        scripts/fleet.sh start HOST  start it again
#        scripts/fleet.sh wipe HOST   rebuild HOST: new data root, new engine ID
#        scripts/fleet.sh cut HOST    take HOST off the network: calls time out
#        scripts/fleet.sh heal HOST   put it back
#
# Settings (read by `up`, remembered in the fleet directory for the others):
#   DOCKERFLEET_FLEET_DIR  state directory (default /var/tmp/dockerfleet-fleet)
#   DFL_N                  number of hosts, at least 3
#   DFL_SUBNET             first three octets of the fleet's /24 (default 10.88.0)
#   DFL_PREFIX             prefix of namespace and link names (default dfl)
set -euo pipefail

FLEET_DIR=${DOCKERFLEET_FLEET_DIR:-/var/tmp/dockerfleet-fleet}
CONFIG="$FLEET_DIR/fleet.conf"
SCRIPT_PATH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

SSH_HOST=h2
TLS_HOST=h3
IMAGE_REPO=dockerfleet-test/busybox
PLAIN_PORT=2375
TLS_PORT=2376
START_TIMEOUT=60  # seconds for a daemon to answer after start
STOP_TIMEOUT=25   # seconds for a daemon to stop its containers and exit

log() { printf 'fleet: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# --- settings --------------------------------------------------------------

# load_config takes the settings of the running fleet, if any, so that later
# commands need no environment; `up` may grow the fleet with a larger DFL_N.
load_config() {
	local fleet_n= fleet_subnet= fleet_prefix=
	if [ -f "$CONFIG" ]; then
		# shellcheck source=/dev/null
		. "$CONFIG"
	fi
	N=${fleet_n:-${DFL_N:-3}}
	if [ "${1:-}" = up ] && [ -n "${DFL_N:-}" ] && [ -n "$fleet_n" ] && [ "$DFL_N" != "$fleet_n" ]; then
		[ "$DFL_N" -gt "$fleet_n" ] 2>/dev/null ||
			die "DFL_N=$DFL_N: the fleet has $fleet_n hosts; run down first to shrink it"
		N=$DFL_N
	fi
	SUBNET=${fleet_subnet:-${DFL_SUBNET:-10.88.0}}
	PREFIX=${fleet_prefix:-${DFL_PREFIX:-dfl}}
	BRIDGE="${PREFIX}0"
	[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 3 ] && [ "$N" -le 50 ] ||
		die "DFL_N=$N: the fleet needs between 3 and 50 hosts"
	[[ "$SUBNET" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
		die "DFL_SUBNET=$SUBNET: give the first three octets of a /24, such as 10.88.0"
	[[ "$PREFIX" =~ ^[a-z][a-z0-9]{0,5}$ ]] ||
		die "DFL_PREFIX=$PREFIX: give 1-6 lower-case letters or digits, starting with a letter"
}

save_config() {
	mkdir -p "$FLEET_DIR"
	printf 'fleet_n=%s\nfleet_subnet=%s\nfleet_prefix=%s\n' "$N" "$SUBNET" "$PREFIX" >"$CONFIG"
}

hosts() {
	local i
	for ((i = 1; i <= N; i++)); do printf 'h%d\n' "$i"; done
}

index() { echo "${1#h}"; }
addr() { echo "$SUBNET.$((10 + $(index "$1")))"; }
mac() { printf '02:88:00:00:00:%02x\n' "$((10 + $(index "$1")))"; }
netns() { echo "$PREFIX-$1"; }
veth() { echo "${PREFIX}v-$1"; }
hostdir() { echo "$FLEET_DIR/$1"; }
sock() { echo "$(hostdir "$1")/docker.sock"; }
dockercli() {
	local h=$1
	shift
	docker -H "unix://$(sock "$h")" "$@"
}

check_host() {
	local h=$1
	[[ "$h" =~ ^h[0-9]+$ ]] && [ "$(index "$h")" -ge 1 ] && [ "$(index "$h")" -le "$N" ] ||
		die "unknown host '$h' (the fleet has: $(hosts | tr '\n' ' '))"
}

need_root() {
	[ "$(id -u)" = 0 ] || die "the fleet needs root (network namespaces, dockerd)"
}

# --- packages --------------------------------------------------------------

# ensure_packages installs from Debian what the fleet needs, only when
# something is missing, and keeps apt from starting system services.
ensure_packages() {
	local missing=() pair cmd pkg
	for pair in dockerd:docker.io containerd:containerd runc:runc sshd:openssh-server \
		ssh-keygen:openssh-client ip:iproute2 iptables:iptables openssl:openssl \
		nsenter:util-linux flock:util-linux findmnt:util-linux; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
	done
	command -v docker >/dev/null 2>&1 || missing+=(docker.io)
	static_busybox >/dev/null || missing+=(busybox-static)
	[ ${#missing[@]} -eq 0 ] && return

	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	log "installing ${missing[*]}"
	local policy=/usr/sbin/policy-rc.d created=
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		created=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
	[ -z "$created" ] || rm -f "$policy"
}

# static_busybox prints the path of a statically linked busybox: the test
# image holds it alone, without a libc.
static_busybox() {
	local b
	for b in /bin/busybox /usr/bin/busybox; do
		if [ -x "$b" ] && ! LC_ALL=C ldd "$b" >/dev/null 2>&1; then
			echo "$b"
			return 0
		fi
	done
	return 1
}

# --- network ---------------------------------------------------------------

ensure_bridge() {
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link add "$BRIDGE" type bridge
		ip addr add "$SUBNET.1/24" dev "$BRIDGE"
	fi
	ip link set "$BRIDGE" up
}

# ensure_netns gives a host its namespace, a veth to the bridge and a fixed
# address and MAC. The root namespace knows the MAC for good, so a cut host
# swallows packets (calls time out) instead of failing fast on ARP.
ensure_netns() {
	local h=$1 ns v
	ns=$(netns "$h")
	v=$(veth "$h")
	ip netns list | grep -qx "$ns\( .*\)\?" || ip netns add "$ns"
	ip -n "$ns" link set lo up
	if ! ip link show "$v" >/dev/null 2>&1; then
		ip -n "$ns" link del eth0 2>/dev/null || true
		ip link add "$v" type veth peer name eth0 netns "$ns"
		ip -n "$ns" link set eth0 address "$(mac "$h")"
		ip -n "$ns" addr add "$(addr "$h")/24" dev eth0
		ip link set "$v" master "$BRIDGE"
	fi
	ip -n "$ns" link set eth0 up
	ip link set "$v" up
	ip neigh replace "$(addr "$h")" lladdr "$(mac "$h")" dev "$BRIDGE" nud permanent
}

in_netns() {
	local h=$1
	shift
	nsenter --net="/run/netns/$(netns "$h")" "$@"
}

# --- certificates and keys -------------------------------------------------

ensure_tls() {
	local d="$FLEET_DIR/tls"
	[ -f "$d/done" ] && return
	mkdir -p "$d"
	local sans="DNS:localhost,IP:127.0.0.1" h
	for h in $(hosts); do sans="$sans,DNS:$h,IP:$(addr "$h")"; done

	make_ca "$d/ca" "dockerfleet test CA"
	make_ca "$d/wrong-ca" "dockerfleet unrelated CA"
	make_cert "$d/ca" "$d/server" "$TLS_HOST" "serverAuth" "subjectAltName=$sans"
	make_cert "$d/ca" "$d/client" "dockerfleet-test-client" "clientAuth"
	make_cert "$d/wrong-ca" "$d/wrong-client" "dockerfleet-wrong-client" "clientAuth"
	chmod 600 "$d"/*-key.pem
	touch "$d/done"
}

make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/CN=$2" -keyout "$1-key.pem" -out "$1.pem" 2>/dev/null
}

# make_cert CA OUT CN EKU [EXT]: a key and a certificate signed by CA.
make_cert() {
	local ca=$1 out=$2 cn=$3 eku=$4 ext=${5:-}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
		-keyout "$out-key.pem" -out "$out.csr" 2>/dev/null
	printf 'extendedKeyUsage=%s\nkeyUsage=digitalSignature,keyEncipherment\n%s\n' \
		"$eku" "$ext" >"$out.ext"
	openssl x509 -req -in "$out.csr" -CA "$ca.pem" -CAkey "$ca-key.pem" -CAcreateserial \
		-days 3650 -extfile "$out.ext" -out "$out.pem" 2>/dev/null
	rm -f "$out.csr" "$out.ext"
}

ensure_ssh() {
	local d="$FLEET_DIR/ssh" a
	a=$(addr "$SSH_HOST")
	[ -f "$d/done" ] && return
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -C dockerfleet-test -f "$d/id_ed25519"
	ssh-keygen -q -t ed25519 -N '' -C '' -f "$d/ssh_host_ed25519_key"
	ssh-keygen -q -t ed25519 -N '' -C '' -f "$d/wrong_host_key"
	cp "$d/id_ed25519.pub" "$d/authorized_keys"
	echo "$a $(cut -d' ' -f1-2 "$d/ssh_host_ed25519_key.pub")" >"$d/known_hosts"
	echo "$a $(cut -d' ' -f1-2 "$d/wrong_host_key.pub")" >"$d/known_hosts.wrong"
	cat >"$d/sshd_config" <<EOF
ListenAddress $a:22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
MaxStartups 100:30:200
MaxSessions 100
EOF
	touch "$d/done"
}

# --- daemons ---------------------------------------------------------------

pid_of() {
	local f=$1 dir=$2 pid
	[ -f "$f" ] || return 1
	pid=$(cat "$f" 2>/dev/null) || return 1
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	# A pidfile left behind may name a recycled PID: trust it only when the
	# process is one of ours, which all name their state directory.
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/" || return 1
	echo "$pid"
}

daemon_pid() { pid_of "$(hostdir "$1")/dockerd.pid" "$(hostdir "$1")"; }
answers() { dockercli "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

write_daemon_config() {
	local h=$1 d
	d=$(hostdir "$h")
	# Docker 20.10 derives the engine ID from this key; by default all daemons
	# would share /etc/docker/key.json.
	printf '{\n  "deprecated-key-path": "%s/key.json"\n}\n' "$d" >"$d/daemon.json"
}

start_daemon() {
	local h=$1 d a
	d=$(hostdir "$h")
	a=$(addr "$h")
	if daemon_pid "$h" >/dev/null; then
		return
	fi
	mkdir -p "$d/data" "$d/exec"
	rm -f "$d/dockerd.pid" "$d/docker.sock"
	write_daemon_config "$h"

	# --tls=false says plain TCP is meant: without it dockerd 20.10 sleeps 15 s
	# at start to warn about it.
	local api=(--tls=false -H "tcp://$a:$PLAIN_PORT")
	if [ "$h" = "$TLS_HOST" ]; then
		api=(--tlsverify --tlscacert "$FLEET_DIR/tls/ca.pem" --tlscert "$FLEET_DIR/tls/server.pem"
			--tlskey "$FLEET_DIR/tls/server-key.pem" -H "tcp://$a:$TLS_PORT")
	fi
	# nsenter enters the network namespace only: `ip netns exec` would also
	# remount /sys and hide the cgroup mounts dockerd needs.
	setsid nsenter --net="/run/netns/$(netns "$h")" dockerd \
		--config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
		--pidfile "$d/dockerd.pid" -H "unix://$d/docker.sock" "${api[@]}" \
		>>"$d/dockerd.log" 2>&1 </dev/null 9>&- &
}

wait_daemon() {
	local h=$1 i
	for ((i = 0; i < START_TIMEOUT * 10; i++)); do
		answers "$h" && return 0
		sleep 0.1
	done
	tail -n 20 "$(hostdir "$h")/dockerd.log" >&2 || true
	die "$h: dockerd did not answer within ${START_TIMEOUT}s (log: $(hostdir "$h")/dockerd.log)"
}

# stop_daemon lets dockerd stop its containers, then kills by PID whatever of
# the host is left: dockerd, the containerd it spawned and their shims.
stop_daemon() {
	local h=$1 d pid i
	d=$(hostdir "$h")
	if pid=$(daemon_pid "$h"); then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		# A dockerd still alive after the timeout would keep its sockets and
		# make the next start fail with "address already in use".
		if kill -0 "$pid" 2>/dev/null; then
			log "$h: dockerd $pid did not stop in ${STOP_TIMEOUT}s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		fi
	fi
	local f
	while IFS= read -r f; do
		pid=$(pid_of "$f" "$d") || continue
		log "$h: killing leftover process $pid ($f)"
		kill -KILL "$pid" 2>/dev/null || true
	done < <(find "$d/exec" -name '*.pid' 2>/dev/null)
	unmount_under "$d"
	rm -f "$d/dockerd.pid" "$d/docker.sock"
}

unmount_under() {
	local dir=$1 m
	while IFS= read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "cannot unmount $m"
	done < <(findmnt -rn -o TARGET | grep -F "$dir/" | sort -r)
}

start_sshd() {
	local d="$FLEET_DIR/ssh"
	pid_of "$d/sshd.pid" "$d" >/dev/null && return
	mkdir -p /run/sshd
	chmod 755 /run/sshd
	in_netns "$SSH_HOST" "$(command -v sshd || echo /usr/sbin/sshd)" -f "$d/sshd_config" \
		-E "$d/sshd.log" 9>&-
}

stop_sshd() {
	local d="$FLEET_DIR/ssh" pid
	pid=$(pid_of "$d/sshd.pid" "$d") || return 0
	kill -TERM "$pid" 2>/dev/null || true
}

# --- images ----------------------------------------------------------------

# build_images makes the two test images once, on the first host, and saves
# them; every host loads the same archive, so image IDs match everywhere.
# They hold busybox alone (sh, wget, nc, httpd, sleep, ...) and no CMD: tests
# give the command. Debian's busybox 1.35 `wget -T` crashes; bound a fetch
# with `timeout 5 wget -qO- URL` instead.
build_images() {
	local d="$FLEET_DIR/images" h1=h1 bb
	[ -f "$d/images.tar" ] && return
	mkdir -p "$d"
	bb=$(static_busybox) || die "no statically linked busybox (package busybox-static)"
	rm -rf "$d/rootfs"
	mkdir -p "$d/rootfs/bin" "$d/rootfs/etc" "$d/rootfs/tmp" "$d/rootfs/www"
	cp "$bb" "$d/rootfs/bin/busybox"
	# One perl (Essential on Debian) instead of 400 `ln` processes.
	(cd "$d/rootfs/bin" && "$bb" --list | grep -vx busybox |
		perl -ne 'chomp; symlink("busybox", $_) or die "$_: $!\n"')
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		>"$d/rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/rootfs/etc/group"
	chmod 1777 "$d/rootfs/tmp"

	echo 1 >"$d/rootfs/etc/dockerfleet-version"
	echo 'dockerfleet test image 1' >"$d/rootfs/www/index.html"
	tar -C "$d/rootfs" -c . | dockercli "$h1" import - "$IMAGE_REPO:1" >/dev/null
	echo 2 >"$d/rootfs/etc/dockerfleet-version"
	echo 'dockerfleet test image 2' >"$d/rootfs/www/index.html"
	tar -C "$d/rootfs" -c . | dockercli "$h1" import - "$IMAGE_REPO:2" >/dev/null

	dockercli "$h1" save -o "$d/images.tar.tmp" "$IMAGE_REPO:1" "$IMAGE_REPO:2"
	image_ids "$h1" >"$d/images.ids"
	mv "$d/images.tar.tmp" "$d/images.tar"
	rm -rf "$d/rootfs"
}

image_ids() {
	dockercli "$1" image inspect --format '{{.Id}}' "$IMAGE_REPO:1" "$IMAGE_REPO:2" 2>/dev/null
}

# load_images loads the archive unless the host already has exactly its images.
load_images() {
	local h=$1
	local want
	want=$(cat "$FLEET_DIR/images/images.ids" 2>/dev/null)
	if [ -n "$want" ] && [ "$(image_ids "$h")" = "$want" ]; then
		return
	fi
	dockercli "$h" load -q -i "$FLEET_DIR/images/images.tar" >/dev/null
}

# --- commands --------------------------------------------------------------

# parallel runs FUNC for every host at once and fails if any failed.
parallel() {
	local fn=$1 h pids=() rc=0 p
	shift
	for h in "$@"; do
		"$fn" "$h" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	return $rc
}

bring_up_host() {
	local h=$1
	start_daemon "$h"
	wait_daemon "$h"
}

cmd_up() {
	need_root
	ensure_packages
	save_config
	ensure_tls
	ensure_ssh
	ensure_bridge
	local h
	for h in $(hosts); do ensure_netns "$h"; done

	# shellcheck disable=SC2046
	parallel bring_up_host $(hosts) || die "some hosts did not start"
	start_sshd
	build_images
	# shellcheck disable=SC2046
	parallel load_images $(hosts) || die "loading the test images failed"
	check_ids
	log "up: $N hosts on $SUBNET.0/24 (eval \"\$($SCRIPT_PATH env)\")"
}

# check_ids fails when two hosts report the same engine ID: the tests tell
# hosts apart by it.
check_ids() {
	local h ids
	ids=$(for h in $(hosts); do dockercli "$h" info --format '{{.ID}}'; done)
	[ "$(sort -u <<<"$ids" | wc -l)" -eq "$N" ] || die "engine IDs are not distinct: $ids"
}

cmd_down() {
	need_root
	local h pid
	for h in $(hosts); do
		[ -d "$(hostdir "$h")" ] || continue
		stop_daemon "$h" &
	done
	stop_sshd
	wait
	for h in $(hosts); do
		local ns
		ns=$(netns "$h")
		ip netns list | grep -qx "$ns\( .*\)\?" || continue
		# Anything still living in the namespace was started by the fleet.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			log "$h: killing process $pid still in namespace $ns"
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns"
	done
	ip link del "$BRIDGE" 2>/dev/null || true
	unmount_under "$FLEET_DIR"
	if findmnt -rn -o TARGET | grep -qF "$FLEET_DIR/"; then
		die "mounts remain under $FLEET_DIR; not deleting it"
	fi
	rm -rf --one-file-system "$FLEET_DIR"
	log "down: fleet removed"
}

cmd_env() {
	[ -f "$CONFIG" ] || die "no fleet at $FLEET_DIR: run $SCRIPT_PATH up"
	local h u
	echo "export DOCKERFLEET_FLEET_DIR='$FLEET_DIR'"
	echo "export DFL_FLEET_SCRIPT='$SCRIPT_PATH'"
	echo "export DFL_HOSTS='$(hosts | tr '\n' ' ' | sed 's/ $//')'"
	for h in $(hosts); do
		u=${h^^}
		echo "export DFL_${u}_UNIX='unix://$(sock "$h")'"
		echo "export DFL_${u}_ADDR='$(addr "$h")'"
		if [ "$h" = "$TLS_HOST" ]; then
			echo "export DFL_${u}_TLS='tcp://$(addr "$h"):$TLS_PORT'"
		else
			echo "export DFL_${u}_TCP='tcp://$(addr "$h"):$PLAIN_PORT'"
		fi
	done
	local t="$FLEET_DIR/tls" s="$FLEET_DIR/ssh"
	echo "export DFL_TLS_CA='$t/ca.pem'"
	echo "export DFL_TLS_CERT='$t/client.pem'"
	echo "export DFL_TLS_KEY='$t/client-key.pem'"
	echo "export DFL_TLS_WRONG_CA='$t/wrong-ca.pem'"
	echo "export DFL_TLS_WRONG_CERT='$t/wrong-client.pem'"
	echo "export DFL_TLS_WRONG_KEY='$t/wrong-client-key.pem'"
	echo "export DFL_SSH_ENDPOINT='ssh://root@$(addr "$SSH_HOST"):22$(sock "$SSH_HOST")'"
	echo "export DFL_SSH_KEY='$s/id_ed25519'"
	echo "export DFL_SSH_KNOWN_HOSTS='$s/known_hosts'"
	echo "export DFL_SSH_WRONG_KNOWN_HOSTS='$s/known_hosts.wrong'"
	echo "export DFL_IMAGE='$IMAGE_REPO:1'"
	echo "export DFL_IMAGE_V2='$IMAGE_REPO:2'"
}

cmd_status() {
	[ -f "$CONFIG" ] || {
		echo "no fleet at $FLEET_DIR"
		return 0
	}
	local h state link id
	for h in $(hosts); do
		if daemon_pid "$h" >/dev/null; then state=running; else state=stopped; fi
		link=$(ip -o link show "$(veth "$h")" 2>/dev/null | grep -q 'state UP\|,UP' && echo up ||
			echo cut)
		id=$(dockercli "$h" version >/dev/null 2>&1 && dockercli "$h" info --format '{{.ID}}' ||
			echo -)
		printf '%-4s %-15s %-8s link=%-4s id=%s\n' "$h" "$(addr "$h")" "$state" "$link" "$id"
	done
	if pid_of "$FLEET_DIR/ssh/sshd.pid" "$FLEET_DIR/ssh" >/dev/null; then
		echo "sshd on $SSH_HOST: running"
	else
		echo "sshd on $SSH_HOST: stopped"
	fi
}

cmd_host() {
	local op=$1 h=${2:-}
	[ -n "$h" ] || die "usage: $0 $op HOST"
	need_root
	[ -f "$CONFIG" ] || die "no fleet at $FLEET_DIR: run $SCRIPT_PATH up"
	check_host "$h"
	case "$op" in
	stop) stop_daemon "$h" ;;
	start)
		# A host whose data went while it was down (a wipe cut short) gets
		# the test images back; loading is skipped when they are there.
		bring_up_host "$h"
		load_images "$h"
		;;
	wipe)
		stop_daemon "$h"
		rm -rf --one-file-system "$(hostdir "$h")"
		bring_up_host "$h"
		load_images "$h"
		;;
	cut) ip link set "$(veth "$h")" down ;;
	heal) ip link set "$(veth "$h")" up ;;
	esac
	log "$op $h: done"
}

# with_lock serialises commands that change the fleet: tests in several
# packages may stop and start hosts while another run brings the fleet up.
with_lock() {
	mkdir -p "$(dirname "$FLEET_DIR")"
	exec 9>"$FLEET_DIR.lock"
	flock 9
	"$@"
}

main() {
	load_config "${1:-}"
	case "${1:-}" in
	up) with_lock cmd_up ;;
	down)
		with_lock cmd_down
		rm -f "$FLEET_DIR.lock"
		;;
	env) cmd_env ;;
	status) cmd_status ;;
	stop | start | wipe | cut | heal)
		[ -f "$CONFIG" ] || die "no fleet at $FLEET_DIR: run $SCRIPT_PATH up"
		with_lock cmd_host "$1" "${2:-}"
		;;
	*)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
}

main "$@"
