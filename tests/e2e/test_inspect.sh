#!/usr/bin/env bash
# test_inspect.sh: isolab inspect and diff of real containers started with
# known flags, each asserted against what this test reads from /proc itself
# and against known facts; the engine's failures through the real binary.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ISOLAB=${ISOLAB:-./isolab}
e2e_require

image=${ISOLAB_TEST_IMAGE:-$(e2e_image)}
label=isolab.e2e=inspect-$$
names=()
TMPDIR_E2E=$(mktemp -d)
trap 'docker rm -f "${names[@]}" >/dev/null 2>&1; rm -rf "$TMPDIR_E2E"' EXIT

start() { # start NAME FLAGS...: a container of the lab image, labelled
	local name=isolab-e2e-$$-$1; shift
	docker run -d --pull=never --network none --label "$label" --name "$name" "$@" "$image" >/dev/null ||
		return 1
	names+=("$name")
}

start default
start dropall --cap-drop ALL
start netbind --cap-drop ALL --cap-add NET_BIND_SERVICE
start sysadmin --cap-add SYS_ADMIN
# Privileged as isolab approximates it on a host that cannot grant every
# capability (a real --privileged fails here).
start priv --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined \
	--security-opt apparmor=unconfined --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm'
start etcro -v /etc:/host-etc:ro
start rootbind -v /:/host
start sock -v /var/run/docker.sock:/var/run/docker.sock:ro
start hostpid --pid=host
start hostipc --ipc=host
start nnp --security-opt no-new-privileges

json=$($ISOLAB inspect --json "${names[@]}"); rc=$?
check "inspect of ${#names[@]} containers in one call exits 0" [ $rc -eq 0 ]
check "one object per container" [ "$(jq length <<<"$json")" = "${#names[@]}" ]

obj() { jq -c --arg t "isolab-e2e-$$-$1" '.[] | select(.target == $t)' <<<"$json"; }
q() { jq -r "$2" <<<"$(obj "$1")"; }
pid_of() { docker inspect -f '{{.State.Pid}}' "isolab-e2e-$$-$1"; }
status_field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
ns_id() { stat -L -c '%d:%i' "/proc/$1/ns/$2"; }
shared() { [ "$(ns_id "$1" "$2")" = "$(ns_id self "$2")" ] && echo true || echo false; }

for n in default dropall netbind sysadmin priv etcro rootbind sock hostpid hostipc nnp; do
	p=$(pid_of $n)
	check "$n: pid is docker's State.Pid" [ "$(q $n .pid)" = "$p" ]
	check "$n: container_id is docker's" [ "$(q $n .container_id)" = "$(docker inspect -f '{{.Id}}' isolab-e2e-$$-$n)" ]
	check "$n: effective hex is the kernel's" [ "$(q $n .caps.effective.hex)" = "$(status_field "$p" CapEff)" ]
	check "$n: bounding hex is the kernel's" [ "$(q $n .caps.bounding.hex)" = "$(status_field "$p" CapBnd)" ]
	ok_ns=true
	for ns in mnt pid net ipc uts user cgroup; do
		[ "$(q $n ".namespaces.$ns.shared_with_host")" = "$(shared "$p" $ns)" ] || ok_ns=false
		[ "$(q $n ".namespaces.$ns.inode")" = "$(stat -L -c %i /proc/$p/ns/$ns)" ] || ok_ns=false
	done
	check "$n: namespace inodes and sharing are the kernel's" $ok_ns
	check "$n: no_new_privs is the kernel's" \
		[ "$(q $n .no_new_privs)" = "$([ "$(status_field "$p" NoNewPrivs)" = 1 ] && echo true || echo false)" ]
	check "$n: Docker's view is there" [ "$(q $n .docker.name)" = "isolab-e2e-$$-$n" ]
done

check "default: Docker's default set" [ "$(q default .caps.effective.hex)" = 00000000a80425fb ]
check "default: 14 capabilities, none added or dropped" \
	[ "$(q default '"\(.caps.effective.names | length),\(.caps.added_vs_docker_default | length),\(.caps.dropped_vs_docker_default | length)"')" = "14,0,0" ]
check "default: seccomp filter" [ "$(q default .seccomp)" = filter ]
check "default: masked paths seen" [ "$(q default '[.mounts[] | select(.kind == "masked")] | length')" -ge 4 ]
check "default: Docker and the kernel agree" [ "$(q default '.disagreements | length')" = 0 ]
check "cap-drop ALL: empty sets" [ "$(q dropall '.caps.effective.hex + .caps.bounding.hex')" = 00000000000000000000000000000000 ]
check "cap-drop ALL: all 14 dropped" [ "$(q dropall '.caps.dropped_vs_docker_default | length')" = 14 ]
check "least privilege: only cap_net_bind_service" [ "$(q netbind '.caps.effective.names | join(",")')" = cap_net_bind_service ]
check "cap-add SYS_ADMIN: added exactly that" [ "$(q sysadmin '.caps.added_vs_docker_default | join(",")')" = cap_sys_admin ]
check "privileged (approximated): seccomp disabled" [ "$(q priv .seccomp)" = disabled ]
check "privileged (approximated): cap_sys_admin and cap_sys_module" \
	[ "$(q priv '[.caps.effective.names[] | select(. == "cap_sys_admin" or . == "cap_sys_module")] | length')" = 2 ]
check "privileged (approximated): no masked path left" [ "$(q priv '[.mounts[] | select(.kind == "masked")] | length')" = 0 ]
check "privileged (approximated): Docker's Privileged is false" [ "$(q priv .docker.privileged)" = false ]
check "-v /etc:ro: host path /etc, read-only, sensitive" \
	[ "$(q etcro '.mounts[] | select(.target == "/host-etc") | [.host_path, .read_only, .sensitive, .kind] | join(",")')" = "/etc,true,true,host-bind" ]
check "-v /:/host: host path /, writable, sensitive" \
	[ "$(q rootbind '.mounts[] | select(.target == "/host") | [.host_path, .read_only, .sensitive] | join(",")')" = "/,false,true" ]
check "socket: kind docker-socket, host path /run/docker.sock" \
	[ "$(q sock '.mounts[] | select(.target == "/var/run/docker.sock") | [.kind, .host_path, .read_only] | join(",")')" = "docker-socket,/run/docker.sock,true" ]
check "socket :ro: the disagreement is reported" [ "$(q sock '[.disagreements[].check] | index("docker-socket-ro") != null')" = true ]
check "--pid=host: pid shared with the host" [ "$(q hostpid .namespaces.pid.shared_with_host)" = true ]
check "--pid=host: Docker says PidMode host" [ "$(q hostpid .docker.pid_mode)" = host ]
check "--ipc=host: ipc shared, pid not" [ "$(q hostipc '[.namespaces.ipc.shared_with_host, .namespaces.pid.shared_with_host] | join(",")')" = "true,false" ]
check "no-new-privileges: set" [ "$(q nnp .no_new_privs)" = true ]

# By full id (as audit names them), containers are read while docker
# inspect runs, from the process their cgroup holds: the same answer as by
# name. One container whose first process has children, one that docker
# exec joined: its first process is still the one read.
multi=isolab-e2e-$$-multi
docker run -d --pull=never --network none --label "$label" --name $multi "$image" \
	sh -c 'sleep 1001 & sleep 1002 & wait' >/dev/null && names+=($multi)
docker exec -d $multi sleep 1003
sleep 0.3
ids=$(docker inspect -f '{{.Id}}' "${names[@]}")
# shellcheck disable=SC2086
by_id=$($ISOLAB inspect --json $ids); rc=$?
check "by full id: exits 0" [ $rc -eq 0 ]
by_name=$($ISOLAB inspect --json "${names[@]}")
strip='[.[] | del(.target)]'
check "by full id: the same as by name, container by container" \
	[ "$(jq -c "$strip" <<<"$by_id")" = "$(jq -c "$strip" <<<"$by_name")" ]
check "a container with children and an exec'd process: its first process" \
	[ "$(jq -r --arg id "$(docker inspect -f '{{.Id}}' $multi)" '.[] | select(.container_id == $id) | .pid' <<<"$by_id")" = "$(pid_of multi)" ]
if command -v strace >/dev/null; then
	# shellcheck disable=SC2086
	# One log per thread (-ff): no call is split across lines.
	strace -ff -qq -e trace=openat -o "$TMPDIR_E2E/open" $ISOLAB inspect --json $ids >/dev/null
	n=$(wc -w <<<"$ids")
	opened() { cat "$TMPDIR_E2E"/open.* | grep -c "$1\", O_RDONLY[^=]*= [0-9]"; }
	check "by full id: each container looked up in its cgroup" [ "$(opened cgroup.procs)" -eq "$n" ]
	check "by full id: each container's mountinfo read once (plus isolab's own)" \
		[ "$(opened '"mountinfo')" -eq $((n + 1)) ]
else
	not_ok "strace is needed to see how containers are read (scripts/bootstrap --test installs it)"
fi

# The text rendering carries Docker's view and the disagreements.
text=$($ISOLAB --no-color inspect isolab-e2e-$$-sock)
check "text: what Docker says" grep -q "What Docker says about isolab-e2e-$$-sock" <<<"$text"
check "text: the :ro disagreement" grep -q 'docker-socket-ro' <<<"$text"

# diff by name
d=$($ISOLAB diff --json isolab-e2e-$$-default isolab-e2e-$$-sysadmin)
check "diff default sysadmin: + cap_sys_admin in effective" [ "$(jq -r '.caps.effective.added | join(",")' <<<"$d")" = cap_sys_admin ]
d=$($ISOLAB diff --json isolab-e2e-$$-default isolab-e2e-$$-hostpid)
check "diff default hostpid: pid sharing differs" [ "$(jq -r '[.namespaces[].name] | index("pid") != null' <<<"$d")" = true ]
d=$($ISOLAB diff --json isolab-e2e-$$-default isolab-e2e-$$-rootbind)
check "diff default rootbind: /host only in B" [ "$(jq -r '[.mounts.only_in_b[].target] | index("/host") != null' <<<"$d")" = true ]
check "diff default rootbind: nothing only in A" [ "$(jq '.mounts.only_in_a | length' <<<"$d")" = 0 ]

# A mix of a container and a process; an unknown container; a stopped one.
j=$($ISOLAB inspect --json pid:$$ isolab-e2e-$$-default)
check "a process and a container together" [ "$(jq -r '[.[0].docker, .[1].docker.name] | map(tostring) | join(",")' <<<"$j")" = "null,isolab-e2e-$$-default" ]
err=$($ISOLAB inspect no-such-container-$$ 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$err" == *"no-such-container-$$"* ]]; check "an unknown container exits 2, naming it" [ $? -eq 0 ]
docker stop -t 0 isolab-e2e-$$-nnp >/dev/null
err=$($ISOLAB inspect isolab-e2e-$$-nnp 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$err" == *"not running"* ]]; check "a stopped container: exit 2, 'not running'" [ $? -eq 0 ]

# The engine's failures, through the binary (stand-in engines).
fx=tests/fixtures/engine/bin
err=$($ISOLAB --engine $fx/daemon-down inspect x 2>&1); rc=$?
[ $rc -eq 3 ] && [[ "$err" == *"daemon is not running"* ]]; check "daemon down: exit 3 and what to do" [ $? -eq 0 ]
err=$($ISOLAB --engine $fx/socket-permission inspect x 2>&1); rc=$?
[ $rc -eq 3 ] && [[ "$err" == *"docker group"* ]]; check "socket permission: exit 3 and what to do" [ $? -eq 0 ]
err=$($ISOLAB --engine /nonexistent/docker inspect x 2>&1); rc=$?
[ $rc -eq 3 ] && [[ "$err" == *"install Docker"* ]]; check "no engine binary: exit 3 and what to do" [ $? -eq 0 ]
err=$(ISOLAB_ENGINE=$fx/daemon-down $ISOLAB inspect x 2>&1); rc=$?
check "ISOLAB_ENGINE is honoured" [ $rc -eq 3 ]
# pid targets never need the engine
$ISOLAB --engine /nonexistent/docker inspect pid:$$ >/dev/null; check "pid:N works without an engine" [ $? -eq 0 ]

tap_done
