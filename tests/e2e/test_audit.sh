#!/usr/bin/env bash
# test_audit.sh: `isolab audit` against a real dockerd and a known mix of
# containers covering every check and the hard cases: privileged spelled
# out flag by flag (Docker's Privileged false), the socket :ro, under
# another name and through a bind of /run, -v /:/host:ro, capabilities
# re-added after --cap-drop ALL, shared host namespaces, accepted and blank
# reasons, isolab's own containers left out, a stopped container; a host
# disk by --device (a loop device), an rshared bind, no limits, root, the
# host's cgroup namespace, and --network host's fresh /sys. Asserted
# finding by finding from --json, plus the exit codes CI gates on.
# Needs root and an engine; under CI=true their absence is a failure.
#
# Never a real --privileged: it fails on the development machines ("unable
# to apply caps") and leaves a created container behind.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

ISOLAB=${ISOLAB:-./isolab}

[ "$(id -u)" = 0 ] || cannot_run "the audit e2e test needs root"
docker info >/dev/null 2>&1 || scripts/dockerd >/dev/null 2>&1
docker info >/dev/null 2>&1 || cannot_run "no Docker engine answers (scripts/dockerd could not start one)"
[ -x "$ISOLAB" ] || cannot_run "no isolab binary at $ISOLAB (run make, or set ISOLAB)"
command -v jq >/dev/null || cannot_run "needs jq to read JSON"

tmp=$(mktemp -d)
p=auditt-$$          # container names
label=isolab.audit-test=$$

loop=""
cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$label" 2>/dev/null)
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	mountpoint -q "$tmp/shared" 2>/dev/null && umount "$tmp/shared"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- the image: the lab image, built by isolab when missing -------------------
image=${ISOLAB_TEST_IMAGE:-}
if [ -z "$image" ]; then
	image=$(e2e_image) || cannot_run "the lab image could not be built (isolab __image build)"
fi
diag "image: $image"

# start NAME [FLAGS...]: a sleeping container, --network none unless the
# flags choose a network.
start() {
	local name=$1 net=(--network none) a out
	shift
	for a in "$@"; do case $a in --network | --network=* | --net | --net=*) net=() ;; esac; done
	if ! out=$(docker run -d --pull=never --label "$label" --name "$p-$name" "${net[@]}" "$@" \
		"$image" sleep 600 2>&1); then
		not_ok "start $name: docker run $*"
		diag "$out"
		return 1
	fi
}

apparmor=false
docker info --format '{{.SecurityOptions}}' 2>/dev/null | grep -q apparmor && apparmor=true
caps_lsm=()
$apparmor && caps_lsm=(--security-opt apparmor=unconfined)

# The privileged approximation: every capability this host grants, no
# seccomp, no masked paths, every device.
start priv --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined \
	--security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm'
start sockro -v /var/run/docker.sock:/var/run/docker.sock:ro
start sockren -v /var/run/docker.sock:/tmp/d.sock \
	--label 'isolab.reason.docker-socket=the CI runner starts build containers'
start runbind -v /run:/hostrun:ro
start rootbind -v /:/host:ro
start etc -v /etc:/host-etc:ro --label 'isolab.reason.sensitive-mount=   '
start ns --pid=host --ipc=host --uts=host --userns=host
start net --network host
start caps --cap-add SYS_ADMIN --cap-add NET_ADMIN --security-opt seccomp=unconfined "${caps_lsm[@]}"
start nice --cap-add SYS_NICE
start chown --cap-drop ALL --cap-add CHOWN
start clean --read-only --security-opt no-new-privileges --memory 64m --pids-limit 100 \
	--user 1000:1000 --cgroupns private
# A host disk: /dev/vda is refused even to root on these machines, so a
# loop device over a scratch file stands in (a block device all the same).
truncate -s 8M "$tmp/disk"
if loop=$(losetup -f --show "$tmp/disk" 2>"$tmp/losetup.err"); then
	start disk --device "$loop:/dev/xvdb"
else
	loop=""
	not_ok "losetup for the host-devices container"
	diag "$(cat "$tmp/losetup.err")"
fi
# Shared propagation needs a shared mount on the host: a scratch directory
# bound over itself and made shared (nothing else on the host changes).
mkdir -p "$tmp/shared"
if mount --bind "$tmp/shared" "$tmp/shared" && mount --make-shared "$tmp/shared"; then
	start shared -v "$tmp/shared:/shared:rshared"
	start sharedadmin -v "$tmp/shared:/shared:rshared" --cap-add SYS_ADMIN
else
	not_ok "a shared scratch mount for the mount-propagation containers"
fi
start accepted --pid=host --cap-add NET_ADMIN \
	--label 'isolab.reason.host-pid=reads host process metrics for the dashboard' \
	--label 'isolab.reason.extra-caps=manages the VPN interface'
start lab --label isolab.session=audit-test-$$
docker run -d --pull=never --label "$label" --name "$p-stopped" --network none "$image" true >/dev/null 2>&1
docker wait "$p-stopped" >/dev/null 2>&1

# jqok ARGS...: jq -e, quietly.
jqok() { jq -e "$@" >/dev/null; }

# --- the whole host, as JSON ---------------------------------------------------
json=$("$ISOLAB" audit --json --min-severity info 2>"$tmp/err")
rc=$?
check "audit --json prints a JSON array" jqok 'type == "array"' <<<"$json"
check "an open high finding: exit 1 (got $rc)" [ "$rc" = 1 ]
[ -s "$tmp/err" ] && diag "stderr: $(cat "$tmp/err")"

# has DESC NAME CHECK [CONDITION]: at least one CHECK finding on NAME, and
# CONDITION (jq, on each) holds for all of them.
has() {
	local desc=$1 n=$p-$2 c=$3 cond=${4:-true}
	if jq -e --arg n "$n" --arg c "$c" \
		"[.[] | select(.name == \$n) | .findings[] | select(.check == \$c)] | length > 0 and all($cond)" \
		<<<"$json" >/dev/null; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "$2 $3: $(jq -c --arg n "$n" --arg c "$c" '[.[] | select(.name == $n) | .findings[] | select(.check == $c)]' <<<"$json")"
	fi
}
# hasnt DESC NAME CHECK: no CHECK finding on NAME (and NAME was audited).
hasnt() {
	local desc=$1 n=$p-$2 c=$3
	if jq -e --arg n "$n" --arg c "$c" \
		'any(.[]; .name == $n) and ([.[] | select(.name == $n) | .findings[] | select(.check == $c)] | length == 0)' \
		<<<"$json" >/dev/null; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "$2: $(jq -c --arg n "$n" '.[] | select(.name == $n) | .findings | map(.check)' <<<"$json")"
	fi
}

# Every field of the contract.
check "each container has container_id, name, image, findings" jqok --arg p "$p-" \
	'[.[] | select(.name | startswith($p))] | length > 0 and all(has("container_id") and has("name") and has("image") and (.findings | type == "array"))' <<<"$json"
check "each finding has check, severity, evidence, accepted, reason" jqok --arg p "$p-" \
	'[.[] | select(.name | startswith($p)) | .findings[]] | length > 0 and all(has("check") and has("severity") and (.evidence | type == "string") and (.accepted | type == "boolean") and has("reason"))' <<<"$json"
check "the image is named as the run named it" jqok --arg n "$p-priv" --arg i "$image" \
	'.[] | select(.name == $n) | .image == $i' <<<"$json"

# privileged, spelled out.
has "privileged in effect though Docker's Privileged is false: critical" priv privileged \
	'.severity == "critical" and .docker_privileged == false and .kernel_privileged == true and (.evidence | contains("privileged in effect, though Docker'"'"'s Privileged is false")) and .accepted == false'
has "privileged: its capabilities include cap_sys_admin and cap_sys_module" priv privileged \
	'(.capabilities | index("cap_sys_admin")) and (.capabilities | index("cap_sys_module"))'
hasnt "privileged covers extra-caps (one finding, one reason)" priv extra-caps
hasnt "privileged covers seccomp-disabled" priv seccomp-disabled

# The Docker socket.
has "docker.sock :ro is still critical" sockro docker-socket \
	'.severity == "critical" and .read_only == true and .host_path == "/run/docker.sock" and .target == "/var/run/docker.sock" and (.evidence | contains("fully usable"))'
hasnt "the socket is reported once, not as a sensitive mount too" sockro sensitive-mount
has "the socket under another name is found by its host path" sockren docker-socket \
	'.target == "/tmp/d.sock" and .host_path == "/run/docker.sock"'
has "a documented reason accepts it, shown as given" sockren docker-socket \
	'.accepted == true and .reason == "the CI runner starts build containers"'
has "a bind of /run exposes the socket" runbind docker-socket \
	'.host_path == "/run" and .socket_path == "/hostrun/docker.sock" and .severity == "critical"'
has "a bind of /run is a sensitive mount (read-only: high)" runbind sensitive-mount \
	'.host_path == "/run" and .target == "/hostrun" and .severity == "high"'

# Sensitive mounts.
has "-v /:/host:ro is one sensitive-mount finding with the host path /" rootbind sensitive-mount \
	'.host_path == "/" and .target == "/host" and .read_only == true'
has "-v /:/host:ro: critical when the mounts below stay writable, else high" rootbind sensitive-mount \
	'((.evidence | contains(":ro does not reach")) and .severity == "critical") or (.severity == "high" and ((.evidence | contains(":ro does not reach")) | not))'
check "-v /:/host:ro: exactly one sensitive-mount finding (the mounts below are folded in)" jqok \
	--arg n "$p-rootbind" '[.[] | select(.name == $n) | .findings[] | select(.check == "sensitive-mount")] | length == 1' <<<"$json"
has "-v /:/host exposes the socket through the bind of /" rootbind docker-socket \
	'.socket_path == "/host/run/docker.sock"'
has "-v /etc:/host-etc:ro is high" etc sensitive-mount \
	'.host_path == "/etc" and .target == "/host-etc" and .severity == "high" and .read_only == true'
has "a blank reason does not count" etc sensitive-mount \
	'.accepted == false and .reason == null and (.reason_rejected | type == "string")'

# Namespaces, from the kernel.
host_pid_ino=$(stat -L -c %i /proc/self/ns/pid)
has "--pid=host: host-pid, high, the host's inode" ns host-pid \
	".severity == \"high\" and .namespace == \"pid\" and .inode == $host_pid_ino"
has "--ipc=host: host-ipc, medium" ns host-ipc '.severity == "medium" and .namespace == "ipc"'
hasnt "--ipc=host: the host's /dev/shm belongs to host-ipc, not sensitive-mount" ns sensitive-mount
has "--uts=host: host-uts, low" ns host-uts '.severity == "low"'
has "--userns=host: host-userns, medium (an explicit opt-out)" ns host-userns \
	'.severity == "medium" and (.evidence | contains("0 0 4294967295"))'
has "--network host: host-net, high" net host-net '.severity == "high" and .namespace == "net"'
hasnt "a private network namespace is no finding" caps host-net

# Capabilities and seccomp.
has "--cap-add SYS_ADMIN NET_ADMIN: extra-caps, high" caps extra-caps \
	'.severity == "high" and (.capabilities | sort) == ["cap_net_admin", "cap_sys_admin"] and (.fix | contains("NET_ADMIN SYS_ADMIN"))'
hasnt "two dangerous capabilities are not privileged" caps privileged
has "seccomp=unconfined: seccomp-disabled, high" caps seccomp-disabled \
	'.severity == "high" and (.evidence | contains("Seccomp: 0"))'
has "--cap-add SYS_NICE: extra-caps, medium" nice extra-caps \
	'.severity == "medium" and .capabilities == ["cap_sys_nice"]'
hasnt "--cap-drop ALL --cap-add CHOWN is no extra capability" chown extra-caps
hasnt "--cap-drop ALL --cap-add CHOWN is not privileged" chown privileged
has "no-new-privileges missing: low" chown no-new-privs-missing '.severity == "low"'
has "a writable root: low" chown writable-rootfs '.severity == "low" and .read_only == false'

# The LSM: checked only where one is enabled.
if $apparmor; then
	has "apparmor=unconfined: lsm-unconfined, medium" caps lsm-unconfined '.severity == "medium"'
else
	check "no LSM here: lsm-unconfined is never reported" jqok \
		'[.[] | .findings[] | select(.check == "lsm-unconfined")] | length == 0' <<<"$json"
	check "no LSM here: a note says lsm-unconfined was not checked" jqok --arg n "$p-caps" \
		'.[] | select(.name == $n) | .notes | any(contains("lsm-unconfined not checked"))' <<<"$json"
fi

# The clean container: nothing above info.
check "the clean container (--read-only, no-new-privileges, limits, --user 1000, private cgroupns) has no finding above info" jqok \
	--arg n "$p-clean" '(.[] | select(.name == $n) | .findings | all(.severity == "info"))' <<<"$json"
for c in host-devices mount-propagation no-memory-limit no-pids-limit root-user host-cgroupns; do
	hasnt "the clean container: no $c" clean "$c"
done
check "the clean container: its limits and devices were read (no 'not checked' note)" jqok \
	--arg n "$p-clean" '.[] | select(.name == $n) | .notes | map(select(contains("not checked") and (contains("lsm-unconfined") | not))) | length == 0' <<<"$json"

# --- the checks of issue 12 ------------------------------------------------------------------
has "--device of a host disk (a loop device): host-devices, high" disk host-devices \
	'.severity == "high" and (.evidence | contains("/dev/xvdb (block")) and (.evidence | contains("disk"))'
hasnt "no --device: no host-devices" chown host-devices
hasnt "privileged covers host-devices (one finding, one reason)" priv host-devices
has "no --memory: no-memory-limit, low" chown no-memory-limit \
	'.severity == "low" and (.evidence | contains("/sys/fs/cgroup/"))'
has "no --pids-limit: no-pids-limit, low" chown no-pids-limit '.severity == "low"'
has "root in the host's user namespace: root-user, low" chown root-user \
	'.severity == "low" and (.evidence | contains("Uid: 0 0 0 0"))'
has "root with a host bind: root-user, medium" etc root-user '.severity == "medium"'
cgv=$(docker info --format '{{.CgroupVersion}}' 2>/dev/null)
if [ "$cgv" = 2 ]; then
	start cgns --cgroupns host
	json=$("$ISOLAB" audit --json --min-severity info 2>/dev/null)
	has "--cgroupns host on cgroup v2: host-cgroupns, low" cgns host-cgroupns '.severity == "low"'
else
	has "the host's cgroup namespace on cgroup v1 (Docker's default): host-cgroupns, info" chown \
		host-cgroupns '.severity == "info" and .namespace == "cgroup"'
fi
has "an rshared bind: mount-propagation, medium" shared mount-propagation \
	'.severity == "medium" and .target == "/shared"'
has "an rshared bind with cap_sys_admin: mount-propagation, high" sharedadmin mount-propagation \
	'.severity == "high"'
hasnt "an rprivate bind (Docker's default): no mount-propagation" etc mount-propagation
hasnt "--network host: its fresh /sys is no sensitive mount (host-net covers it)" net sensitive-mount
has "the clean container still shares the host's user namespace (info)" clean host-userns \
	'.severity == "info"'

# isolab's own containers.
check "isolab's own lab container (isolab.session) is left out by default" jqok \
	--arg n "$p-lab" 'any(.[]; .name == $n) | not' <<<"$json"
check "a stopped container is not in the list of running ones" jqok \
	--arg n "$p-stopped" 'any(.[]; .name == $n) | not' <<<"$json"
inc=$("$ISOLAB" audit --json --include-isolab 2>/dev/null)
check "--include-isolab audits it" jqok --arg n "$p-lab" 'any(.[]; .name == $n)' <<<"$inc"

# --- exit codes and --container -----------------------------------------------------------
"$ISOLAB" audit --container "$p-priv" >"$tmp/out" 2>&1
rc=$?
check "--container priv: exit 1 (got $rc)" [ "$rc" = 1 ]
check "the text names the check, says OPEN and has a legend" \
	eval 'grep -q privileged "$tmp/out" && grep -q OPEN "$tmp/out" && grep -q Legend "$tmp/out"'
check "the text says privileged in effect" grep -q "privileged in effect" "$tmp/out"

two=$("$ISOLAB" audit --json --container "$p-accepted" --container "$p-sockren")
rc=$?
check "every high finding accepted: exit 0 (got $rc)" [ "$rc" = 0 ]
check "--container restricts the audit to the containers named" jqok --arg a "$p-accepted" \
	--arg b "$p-sockren" '(map(.name) | sort) == ([$a, $b] | sort)' <<<"$two"
check "the accepted container's high findings are accepted with their reasons" jqok --arg a "$p-accepted" \
	'.[] | select(.name == $a) | [.findings[] | select(.severity == "high" or .severity == "critical")] | length == 2 and all(.accepted and (.reason | length > 0))' <<<"$two"

"$ISOLAB" audit --container "$p-clean" >"$tmp/out" 2>&1
rc=$?
check "a clean container: exit 0 (got $rc)" [ "$rc" = 0 ]
check "a clean container: a clear 'No findings' line" grep -q "^No findings" "$tmp/out"

"$ISOLAB" audit --container "$p-ns" >/dev/null 2>&1
rc=$?
check "--pid=host unaccepted: exit 1 (got $rc)" [ "$rc" = 1 ]
"$ISOLAB" audit --container "$p-ns" --min-severity critical >/dev/null 2>&1
rc=$?
check "--min-severity critical gates on critical only: exit 0 (got $rc)" [ "$rc" = 0 ]

gone=$("$ISOLAB" audit --json --container "$p-stopped")
rc=$?
check "a stopped container named: reported as gone, exit 0 (got $rc)" [ "$rc" = 0 ]
check "a stopped container named: gone is true, no findings" jqok \
	'.[0].gone == true and (.[0].findings | length == 0) and (.[0].gone_reason | type == "string")' <<<"$gone"

"$ISOLAB" audit --container "$p-lab" --json >"$tmp/out" 2>&1
check "an isolab container named explicitly is audited" jqok --arg n "$p-lab" '.[0].name == $n' "$tmp/out"

"$ISOLAB" audit --container "no-such-container-$$" >/dev/null 2>"$tmp/err"
rc=$?
check "an unknown container: exit 2 (got $rc)" [ "$rc" = 2 ]
check "an unknown container: it says which" grep -q "no such container: no-such-container-$$" "$tmp/err"
"$ISOLAB" audit --min-severity severe >/dev/null 2>&1
rc=$?
check "an unknown severity: exit 2 (got $rc)" [ "$rc" = 2 ]
"$ISOLAB" audit --explain docker-socket >"$tmp/out" 2>&1
rc=$?
check "--explain docker-socket: exit 0 (got $rc)" [ "$rc" = 0 ]
check "--explain says how to accept it" grep -q "isolab.reason.docker-socket=" "$tmp/out"
"$ISOLAB" audit --explain no-such-check >/dev/null 2>"$tmp/err"
rc=$?
check "--explain of an unknown check: exit 2 (got $rc)" [ "$rc" = 2 ]
check "--explain of an unknown check lists the known ones" grep -q "writable-rootfs" "$tmp/err"
"$ISOLAB" --engine tests/fixtures/engine/bin/daemon-down audit >/dev/null 2>&1
rc=$?
check "the daemon down: exit 3 (got $rc)" [ "$rc" = 3 ]
"$ISOLAB" --engine "$tmp/no-docker-here" audit >/dev/null 2>&1
rc=$?
check "no engine binary: exit 3 (got $rc)" [ "$rc" = 3 ]

# --- a clean host: only the clean container (and isolab's own) left ------------------------
ids=$(docker ps -q --filter "label=$label")
for id in $ids; do
	n=$(docker inspect -f '{{.Name}}' "$id")
	case $n in /"$p"-clean | /"$p"-lab) ;; *) docker rm -f "$id" >/dev/null 2>&1 ;; esac
done
others=$(docker ps -q | while read -r id; do
	docker inspect -f '{{if not (index .Config.Labels "isolab.session")}}{{.Name}}{{end}}' "$id"
done | grep -v "^/$p-clean$" | grep . || true)
if [ -z "$others" ]; then
	"$ISOLAB" audit >"$tmp/out" 2>&1
	rc=$?
	check "a clean host: exit 0 (got $rc)" [ "$rc" = 0 ]
	check "a clean host: 'No findings'" grep -q "^No findings" "$tmp/out"
	check "a clean host: isolab's own left out, and said so" grep -q "isolab's own lab containers" "$tmp/out"
else
	diag "other containers run on this engine ($(tr "\n" " " <<<"$others")): the whole-host clean run is covered by --container $p-clean above"
fi

# --- containers that exit (or are removed) while isolab audits --------------------------
# Short-lived containers, half of them --rm: a run meets some between
# docker ps and docker inspect, or between inspect and /proc. Never an
# error: gone, and the exit status is the findings'.
for i in 1 2 3 4 5 6 7 8; do
	rm=()
	[ $((i % 2)) = 0 ] && rm=(--rm)
	docker run -d --pull=never --network none --label "$label" --name "$p-brief$i" "${rm[@]}" \
		"$image" sleep $(((i + 1) / 2)) >/dev/null 2>&1 &
done
wait
bad=0 runs=0 gone_seen=0
end=$((SECONDS + 5))
while [ "$SECONDS" -lt "$end" ]; do
	out=$("$ISOLAB" audit --json 2>"$tmp/err")
	rc=$?
	runs=$((runs + 1))
	if { [ "$rc" != 0 ] && [ "$rc" != 1 ]; } || ! jq -e --arg p "$p-" \
		'type == "array" and ([.[] | select(.name | startswith($p)) | select(has("error"))] | length == 0)' \
		<<<"$out" >/dev/null; then
		bad=$((bad + 1))
		diag "run $runs: exit $rc: $(head -c 300 "$tmp/err")"
	fi
	gone_seen=$((gone_seen + $(jq '[.[] | select(.gone)] | length' <<<"$out" 2>/dev/null || echo 0)))
done
check "containers exiting during $runs audits: never an error, exit 0 or 1" [ "$bad" = 0 ]
diag "containers seen gone during those runs: $gone_seen"

tap_done
