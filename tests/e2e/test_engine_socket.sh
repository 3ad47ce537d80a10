#!/usr/bin/env bash
# test_engine_socket.sh: the docker-socket step on an engine that is not
# /var/run/docker.sock (issue 11, section 3). Its container gets the socket
# of the engine isolab talks to (DOCKER_HOST here, a private dockerd), the
# mounts table calls that socket docker-socket, and the sibling the probe
# creates through it is created, and removed, on that engine. Needs root.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dockerd.sh

ISOLAB=${ISOLAB:-./isolab}
[ "$(id -u)" = 0 ] || cannot_run "needs root"
command -v dockerd >/dev/null || cannot_run "no dockerd"
command -v jq >/dev/null || cannot_run "needs jq"
tmp=$(mktemp -d)
trap 'dockerd_stop; rm -rf --one-file-system "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
export ISOLAB_SCRATCH_BASE=$tmp/run ISOLAB_DISK_BASE=$tmp/disk ISOLAB_ISOLATED_VM=1
dockerd_start || cannot_run "a private dockerd did not start"
sock=${DOCKER_HOST#unix://}
dockerd_image >/dev/null || cannot_run "the lab image could not be built"

timeout -s KILL 120 "$ISOLAB" run host-mounts --step docker-socket --json </dev/null \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
check "run --step docker-socket on DOCKER_HOST: exit 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/err" | tail -n 5
check "the container was given the engine's own socket" \
	grep -q -- "--volume=$sock:/var/run/docker.sock:ro" "$tmp/out"
check "the mounts table calls it docker-socket" \
	jq_true '[.. | objects | select(.kind? == "docker-socket" and .host_path? == "'"$sock"'")] | length > 0' \
	"$tmp/out"
check "the sibling read the canary through it" \
	jq_true '[.. | objects | select(.id? == "sibling") | .result?] | index("allowed") != null' "$tmp/out"
check "nothing labelled is left on that engine" [ "$(labelled_left isolab.session)" = 0 ]

# --- audit and inspect call a bind of that engine's socket docker-socket --------
# Its path ends in "sock", not docker.sock: only knowing the engine tells.
img=$(dockerd_image)
docker run -d --pull=never --network none --name sock-user -v "$sock:/x.sock" "$img" /bin/sleep 3600 >/dev/null
has_socket_finding() { jq -e '[.. | objects | select(.check? == "docker-socket" and .host_path? == "'"$sock"'")] | length > 0' "$1" >/dev/null; }
timeout -s KILL 60 "$ISOLAB" audit --json --container sock-user >"$tmp/audit" 2>"$tmp/err"
rc=$?
check "audit, DOCKER_HOST: exit 1 (got $rc)" [ "$rc" = 1 ]
check "audit, DOCKER_HOST: the docker-socket finding names the engine's socket" has_socket_finding "$tmp/audit"
# The same engine through a docker context of a private client configuration.
export DOCKER_CONFIG=$tmp/docker-config
docker context create isolab-test --docker "host=$DOCKER_HOST" >/dev/null 2>&1
host=$DOCKER_HOST
unset DOCKER_HOST
export DOCKER_CONTEXT=isolab-test
timeout -s KILL 60 "$ISOLAB" audit --json --container sock-user >"$tmp/audit" 2>"$tmp/err"
rc=$?
check "audit, docker context: exit 1 (got $rc)" [ "$rc" = 1 ]
check "audit, docker context: the docker-socket finding names the engine's socket" has_socket_finding "$tmp/audit"
timeout -s KILL 60 "$ISOLAB" inspect --json sock-user >"$tmp/inspect" 2>"$tmp/err"
check "inspect, docker context: the mount is of kind docker-socket" \
	jq_true '[.. | objects | select(.kind? == "docker-socket" and .host_path? == "'"$sock"'")] | length > 0' \
	"$tmp/inspect"
unset DOCKER_CONTEXT DOCKER_CONFIG
export DOCKER_HOST=$host
docker rm -f sock-user >/dev/null
tap_done
