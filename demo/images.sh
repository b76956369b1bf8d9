#!/usr/bin/env bash
# Builds the demo images from the Go sources in demo/ and loads them into
# every given Docker host with the same image IDs. No registry is involved:
# each image is a static binary in an otherwise empty file system, imported
# from a tarball once, saved, and loaded everywhere.
#
# Usage: demo/images.sh ENDPOINT...   (such as unix:///run/h1/docker.sock)
#
# Images: dockerfleet-demo/db:1, dockerfleet-demo/web:1, dockerfleet-demo/web:2.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] || {
	echo "usage: $0 ENDPOINT..." >&2
	exit 2
}

NOBODY=65534
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { printf 'images: %s\n' "$*" >&2; }

# rootfs DIR: the few files a static binary needs to run as nobody.
rootfs() {
	local d=$1
	mkdir -p "$d/etc" "$d/tmp"
	printf 'root:x:0:0:root:/:/nonexistent\nnobody:x:%d:%d:nobody:/:/nonexistent\n' \
		"$NOBODY" "$NOBODY" >"$d/etc/passwd"
	printf 'root:x:0:\nnogroup:x:%d:\n' "$NOBODY" >"$d/etc/group"
	chmod 1777 "$d/tmp"
}

# build NAME VERSION: a static binary of demo/NAME, stamped with VERSION.
build() {
	local name=$1 version=$2 d="$work/$1-$2"
	rootfs "$d"
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" \
		-o "$d/$name" "./demo/$name"
}

# import ENDPOINT NAME VERSION TAG PORT [CHANGE...]: the rootfs as an image.
import_image() {
	local endpoint=$1 name=$2 version=$3 tag=$4 port=$5
	shift 5
	local changes=(--change "ENTRYPOINT [\"/$name\"]" --change "EXPOSE $port"
		--change "USER $NOBODY:$NOBODY")
	local c
	for c in "$@"; do changes+=(--change "$c"); done
	tar -C "$work/$name-$version" --numeric-owner -c . |
		docker -H "$endpoint" import "${changes[@]}" - "$tag" >/dev/null
}

first=$1
log "building static binaries (db, web v1, web v2)"
build db v1
build web v1
build web v2

# The database keeps its file in /data. A named volume mounted there starts
# as a copy of this directory, owner included, so nobody can write to it.
mkdir -p "$work/db-v1/data"
chown "$NOBODY:$NOBODY" "$work/db-v1/data"

import_image "$first" db v1 dockerfleet-demo/db:1 7000 "ENV DB_FILE=/data/kv.json"
import_image "$first" web v1 dockerfleet-demo/web:1 8080
import_image "$first" web v2 dockerfleet-demo/web:2 8080
docker -H "$first" save -o "$work/images.tar" \
	dockerfleet-demo/db:1 dockerfleet-demo/web:1 dockerfleet-demo/web:2

shift
pids=()
for endpoint in "$@"; do
	docker -H "$endpoint" load -q -i "$work/images.tar" >/dev/null &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

for endpoint in "$first" "$@"; do
	log "$endpoint: $(docker -H "$endpoint" image inspect --format '{{index .RepoTags 0}} {{.ID}}' \
		dockerfleet-demo/db:1 dockerfleet-demo/web:1 dockerfleet-demo/web:2 |
		sed 's/sha256:\(.\{12\}\).*/\1/' | tr '\n' ' ')"
done
