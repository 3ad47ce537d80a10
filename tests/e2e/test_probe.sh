#!/usr/bin/env bash
# test_probe.sh: the lab image and its probe against a real dockerd. Builds
# the image from a temporary context (Dockerfile, busybox, probe), then shows
# every experiment allowed with its capability and denied without, using a
# host witness process and a canary file this test makes and removes.
# Needs root and an engine; under CI=true their absence is a failure.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

tag=isolab-probe-test:e2e
session=e2e-probe-$$
scratch=/run/isolab-test-$$
sibling=isolab-e2e-probe-sib-$$
ctx=
dac_dir=
witness=

cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=isolab.session=$session" 2>/dev/null)
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	ids=$(docker ps -aq --filter "name=^/$sibling\$" 2>/dev/null)
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	if [ -n "$witness" ]; then
		kill "$witness" 2>/dev/null
		wait "$witness" 2>/dev/null
	fi
	if [ -d "$scratch/loop/mnt" ] && mountpoint -q "$scratch/loop/mnt"; then
		umount "$scratch/loop/mnt"
	fi
	[ -n "$ctx" ] && rm -rf "$ctx"
	[ -n "$dac_dir" ] && rm -rf "$dac_dir"
	rm -rf "$scratch"
	docker image rm "$tag" >/dev/null 2>&1
}

[ "$(id -u)" = 0 ] || cannot_run "the probe e2e test needs root"
docker info >/dev/null 2>&1 || scripts/dockerd >/dev/null 2>&1
docker info >/dev/null 2>&1 || cannot_run "no Docker engine answers (scripts/dockerd could not start one)"
[ -x image/probe ] || cannot_run "image/probe is not built (make image/probe)"
[ -x /bin/busybox ] || cannot_run "/bin/busybox is missing (apt-get install busybox-static)"
[ image/probe -nt image/probe.c ] || diag "image/probe is older than image/probe.c: testing a stale build"

trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- JSON: jq, else python3, else a grep that handles flat fields -----------
# (ISOLAB_TEST_JSON=python3 or grep forces a fallback, to test it.)
if [ -n "${ISOLAB_TEST_JSON:-}" ]; then
	json_tool=$ISOLAB_TEST_JSON
elif command -v jq >/dev/null; then
	json_tool=jq
elif command -v python3 >/dev/null; then
	json_tool=python3
else
	json_tool=grep
fi
diag "JSON checked with $json_tool"

# json_lines TEXT: every line is one JSON object.
json_lines() {
	case $json_tool in
	jq)
		local line
		while IFS= read -r line; do
			jq -e 'type == "object"' <<<"$line" >/dev/null 2>&1 || return 1
		done <<<"$1"
		;;
	python3)
		python3 -c 'import json,sys
for l in sys.stdin.read().split("\n")[:-1]:
    assert isinstance(json.loads(l), dict)' <<<"$1" 2>/dev/null
		;;
	grep)
		! grep -qvE '^\{.*\}$' <<<"$1"
		;;
	esac
}

# jget LINE KEY: a top-level field as text (strings unquoted; null as empty).
jget() {
	case $json_tool in
	jq)
		jq -r --arg k "$2" '.[$k] | if . == null then "" elif type == "string" then . else tojson end' <<<"$1"
		;;
	python3)
		python3 -c 'import json,sys
v = json.loads(sys.argv[1]).get(sys.argv[2])
print("" if v is None else v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
		;;
	grep)
		local v
		v=$(sed -n 's/.*"'"$2"'":"\(\([^"\\]\|\\.\)*\)".*/\1/p' <<<"$1")
		[ -z "$v" ] && v=$(sed -n 's/.*"'"$2"'":\([-0-9a-z]*\).*/\1/p' <<<"$1")
		[ "$v" = null ] && v=
		v=${v//\\t/$'\t'}
		v=${v//\\\"/\"}
		printf '%s\n' "${v//\\\\/\\}"
		;;
	esac
}

# --- the image ---------------------------------------------------------------
ctx=$(mktemp -d)
cp image/Dockerfile image/probe "$ctx/" && cp /bin/busybox "$ctx/busybox"
if build_log=$(docker build -q --pull=false -t "$tag" "$ctx" 2>&1); then
	ok "the lab image builds offline from Dockerfile, busybox and probe"
else
	not_ok "the lab image builds offline from Dockerfile, busybox and probe"
	while IFS= read -r l; do diag "$l"; done <<<"$build_log"
	tap_done
	exit 1
fi
size=$(docker image inspect "$tag" -f '{{.Size}}')
diag "image size: $size bytes"
check "the image is under 5 MB ($size bytes)" [ "$size" -lt 5000000 ]

# run FLAGS... -- PROBE_ARGS...: the probe in a fresh container; stdout is
# returned, stderr kept in $run_err.
run_err=/dev/null
run() {
	local flags=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	timeout 120 docker run --rm --network none --pull=never --label "isolab.session=$session" \
		"${flags[@]}" "$tag" probe "$@" 2>>"$run_err"
}

# jq_true FILTER: the JSON on stdin satisfies FILTER.
jq_true() { jq -e "$1" >/dev/null; }

# expect NAME LINE RESULT [FIELD=VALUE...]: one JSON line for experiment
# NAME with that result and those field values.
expect() {
	local name=$1 line=$2 want=$3 kv k v got why=
	shift 3
	if [ "$(wc -l <<<"$line")" != 1 ] || ! json_lines "$line"; then
		why="not one JSON line"
	elif [ "$(jget "$line" experiment)" != "${name%% *}" ]; then
		why="experiment is $(jget "$line" experiment)"
	elif [ "$(jget "$line" result)" != "$want" ]; then
		why="result is $(jget "$line" result)"
	else
		for kv in "$@"; do
			k=${kv%%=*}
			v=${kv#*=}
			got=$(jget "$line" "$k")
			[ "$got" = "$v" ] || { why="$k is '$got', not '$v'"; break; }
		done
	fi
	if [ -z "$why" ]; then
		local keys=("${@%%=*}")
		local IFS=,
		ok "$name: $want${keys[*]:+ (}${keys[*]}${keys[*]:+)}"
	else
		not_ok "$name: $want: $why"
		diag "output: $line"
	fi
}

mkdir -p "$scratch"
chmod 0755 "$scratch"
: >"$scratch/stderr"
run_err=$scratch/stderr
nonce=$(cat /proc/sys/kernel/random/uuid)
canary_text="isolab-canary-$(cat /proc/sys/kernel/random/uuid) \"quoted\" back\\slash	tab é"
canary=$scratch/canary
printf '%s\nsecond line\n' "$canary_text" >"$canary"
env -i ISOLAB_NONCE="$nonce" "$(command -v sleep)" 600 &
witness=$!

# The shocker reaches the root of the file system that holds Docker's data
# (behind /etc/hostname) and nothing mounted on it: where /run is a tmpfs,
# its canary must live elsewhere, named by its path on that file system.
fs_path() {
	local target root rest
	read -r target root < <(findmnt -n -o TARGET,FSROOT --target "$1")
	rest=${1#"$target"}
	root=${root%/}
	printf '%s/%s\n' "$root" "${rest#/}"
}
docker_dev=$(stat -c %d "$(docker info -f '{{.DockerRootDir}}')")
dac_canary=
for d in "$scratch" /var/tmp /tmp; do
	[ "$(stat -c %d "$d")" = "$docker_dev" ] || continue
	if [ "$d" = "$scratch" ]; then
		dac_canary=$canary
	else
		dac_dir=$(mktemp -d "$d/isolab-test-$$.XXXXXX") || continue
		dac_canary=$dac_dir/canary
		cp "$canary" "$dac_canary"
	fi
	break
done

# --- self, list, usage ----------------------------------------------------------
out=$(run -- self)
check "probe self prints one JSON object" json_lines "$out"
if [ $json_tool = grep ]; then
	# "pid" is also a key inside "namespaces": anchor on the line's ends.
	check "self: uid 0, pid 1 in its own pid namespace" grep -qE '^\{"uid":0,.*,"pid":1\}$' <<<"$out"
else
	check "self: uid 0, pid 1 in its own pid namespace" [ "$(jget "$out" uid)/$(jget "$out" pid)" = 0/1 ]
fi
if [ $json_tool = jq ]; then
	check "self: five capability sets as 16 hex digits" \
		jq_true '.caps | [.CapInh, .CapPrm, .CapEff, .CapBnd, .CapAmb] | all(test("^[0-9a-f]{16}$"))' <<<"$out"
	check "self: namespaces from /proc/self/ns" jq_true '.namespaces.mnt | test("^mnt:\\[[0-9]+\\]$")' <<<"$out"
	check "self: seccomp filter mode under the default profile" jq_true '.seccomp == 2 and .no_new_privs == 0' <<<"$out"
fi

out=$(run -- list)
check "probe list prints JSON lines" json_lines "$out"
names=$(while IFS= read -r l; do jget "$l" experiment; done <<<"$out" | tr '\n' ' ')
check "list names the sixteen experiments" [ "$names" = "chown net_raw bind_low_port setuid icmp_dgram net_admin sys_admin sys_ptrace sys_module sys_boot mknod dac_read_search mount_disk setns block_device docker_socket " ]

# Bad usage exits 2 before the experiment does anything.
usage_ok=0
for args in "" "frob" "self x" "chown extra" "sys_ptrace" "sys_ptrace abc" "sys_ptrace 0" \
	"setns" "setns 1 relative/path" "dac_read_search relative" "dac_read_search /a /b" \
	"docker_socket" "docker_socket --image x --canary /c --name n" \
	"docker_socket --image x --canary /c --name 'bad name' --label a=b" \
	"docker_socket --image x --canary /c --name n --label =b" \
	"docker_socket --image x --canary /c/../etc --name n --label a=b"; do
	eval "set -- $args"
	run_err=/dev/null run -- "$@" >/dev/null
	rc=$?
	if [ $rc -ne 2 ]; then
		diag "probe $args exited $rc, not 2"
		usage_ok=1
	fi
done
check "bad usage exits 2" [ $usage_ok -eq 0 ]

# --- experiments: allowed with the capability, denied without -------------------
expect chown "$(run -- chown)" allowed errno=0 capability=cap_chown
expect chown "$(run --cap-drop CHOWN -- chown)" denied errno_name=EPERM
expect mknod "$(run -- mknod)" allowed capability=cap_mknod
expect mknod "$(run --cap-drop MKNOD -- mknod)" denied errno_name=EPERM
expect net_raw "$(run -- net_raw)" allowed capability=cap_net_raw
expect net_raw "$(run --cap-drop NET_RAW -- net_raw)" denied errno_name=EPERM
expect net_admin "$(run --cap-add NET_ADMIN -- net_admin)" allowed capability=cap_net_admin
expect net_admin "$(run -- net_admin)" denied errno_name=EPERM
expect sys_admin "$(run --cap-add SYS_ADMIN -- sys_admin)" allowed capability=cap_sys_admin
expect sys_admin "$(run -- sys_admin)" denied errno_name=EPERM
expect sys_boot "$(run --cap-add SYS_BOOT -- sys_boot)" allowed capability=cap_sys_boot syscall_errno_name=EINVAL
expect sys_boot "$(run -- sys_boot)" denied errno_name=EPERM

expect sys_module "$(run -- sys_module)" denied errno_name=EPERM capability=cap_sys_module
out=$(run --cap-add SYS_MODULE -- sys_module)
if [ "$(jget "$out" result)" = error ]; then
	# A kernel without module support (this machine's) answers ENOSYS past seccomp.
	expect "sys_module (kernel without modules)" "$out" error errno_name=ENOSYS kernel_modules=false
else
	expect sys_module "$out" allowed
fi
check "sys_module with the capability is not refused with EPERM" [ "$(jget "$out" syscall_errno_name)" != EPERM ]

if [ -n "$dac_canary" ]; then
	out=$(run --cap-add DAC_READ_SEARCH -- dac_read_search "$(fs_path "$dac_canary")")
	expect "dac_read_search canary" "$out" allowed capability=cap_dac_read_search output="$canary_text" inode=2
else
	not_ok "dac_read_search canary: no place for a canary on the file system of Docker's data"
fi
expect dac_read_search "$(run --cap-add DAC_READ_SEARCH -- dac_read_search)" allowed
expect dac_read_search "$(run -- dac_read_search "$canary")" denied errno_name=EPERM output=

expect "sys_ptrace witness" "$(run --pid=host --cap-add SYS_PTRACE -- sys_ptrace $witness)" allowed \
	capability=cap_sys_ptrace output="$nonce"
expect sys_ptrace "$(run --pid=host -- sys_ptrace $witness)" denied errno_name=EACCES output=
out=$(run -- sys_ptrace $witness)
expect "sys_ptrace without --pid=host" "$out" error errno_name=ENOENT
check "sys_ptrace: the detail says the pid namespace hides it" grep -q 'pid namespace hides' <<<"$out"

out=$(run --pid=host --cap-add SYS_ADMIN --cap-add SYS_PTRACE --security-opt seccomp=unconfined \
	-- setns $witness "$canary")
expect "setns witness" "$out" allowed capability=cap_sys_admin output="$canary_text" hostname="$(uname -n)"
out=$(run --pid=host --cap-add SYS_ADMIN -- setns $witness "$canary")
expect "setns without cap_sys_ptrace" "$out" denied errno_name=EACCES output=
check "setns: the detail names cap_sys_ptrace" grep -q 'cap_sys_ptrace' <<<"$out"
expect "setns without cap_sys_admin" "$(run --pid=host --cap-add SYS_PTRACE -- setns $witness)" denied errno_name=EPERM

# block_device. Some hosts (this development machine among them) refuse to
# open their root disk even to root on the host; there the probe must say
# the device cgroup allowed it, and the allowed path is shown on an ext4
# loop device bound over /etc/hostname instead.
privish=(--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --device-cgroup-rule 'b *:* r')
expect block_device "$(run -- block_device)" denied errno_name=EPERM capability=cap_mknod device_cgroup_allows=false
out=$(run "${privish[@]}" -- block_device)
dev=$(jget "$out" device)
host_reads=no
# Read the disk on the host through its /dev node: a node of our own under
# /run could sit on a nodev tmpfs.
devname=$(sed -n 's/^DEVNAME=//p' "/sys/dev/block/$dev/uevent" 2>/dev/null)
if [ -n "$devname" ] && [ -b "/dev/$devname" ] && head -c 2048 "/dev/$devname" >/dev/null 2>&1; then
	host_reads=yes
fi
if [ $host_reads = yes ]; then
	expect "block_device host disk" "$out" allowed magic_found=true
	[ -n "$dac_canary" ] && expect "mount_disk host disk" \
		"$(run "${privish[@]}" -- mount_disk "$(fs_path "$dac_canary")")" allowed output="$canary_text"
else
	diag "this host refuses raw reads of its disk $dev even to root on the host"
	# Under cgroup v1 the probe can read its device rules and says they allow it.
	expect "block_device (host refuses even its own root)" "$out" denied errno_name=EPERM \
		$([ -d /sys/fs/cgroup/devices ] && echo device_cgroup_allows=true)
	mkdir -p "$scratch/loop/src" "$scratch/loop/mnt"
	echo isolab-loop >"$scratch/loop/src/hostname"
	if truncate -s 4M "$scratch/loop/fs.img" && mkfs.ext4 -q -F -d "$scratch/loop/src" "$scratch/loop/fs.img" &&
		mount -o loop,ro "$scratch/loop/fs.img" "$scratch/loop/mnt"; then
		uuid=$(blkid -s UUID -o value "$scratch/loop/fs.img" 2>/dev/null)
		loopv=(-v "$scratch/loop/mnt/hostname:/etc/hostname:ro")
		expect "block_device on a loop disk" "$(run "${loopv[@]}" "${privish[@]}" -- block_device)" allowed \
			magic_found=true ${uuid:+fs_uuid=$uuid}
		expect "block_device on a loop disk, default" "$(run "${loopv[@]}" -- block_device)" denied \
			errno_name=EPERM device_cgroup_allows=false
		expect "mount_disk on a loop disk" "$(run "${loopv[@]}" "${privish[@]}" -- mount_disk /hostname)" \
			allowed output=isolab-loop fstype=ext4
		expect "mount_disk on a loop disk, default" "$(run "${loopv[@]}" -- mount_disk /hostname)" denied \
			errno_name=EPERM output=
		expect "mount_disk on a loop disk, cap_mknod alone" \
			"$(run "${loopv[@]}" --device-cgroup-rule 'b *:* r' -- mount_disk /hostname)" denied \
			errno_name=EPERM capability=cap_sys_admin
		umount "$scratch/loop/mnt"
	else
		not_ok "block_device: could not make an ext4 loop disk to show the allowed path"
	fi
fi

# The socket of the engine these tests talk to (a private one under DOCKER_HOST).
case ${DOCKER_HOST:-} in
unix://*) sock=${DOCKER_HOST#unix://} ;;
*) sock=/var/run/docker.sock; [ -S $sock ] || sock=/run/docker.sock ;;
esac
out=$(run -v $sock:/var/run/docker.sock:ro -- docker_socket --image "$tag" --canary "$canary" \
	--name "$sibling" --label "isolab.session=$session" --label 'isolab.note=a "quoted" label')
expect "docker_socket canary" "$out" allowed "capability=none (the Docker API)" output="$canary_text" \
	sibling_removed=true engine_version="$(docker version -f '{{.Server.Version}}')"
check "docker_socket: the sibling container is gone" [ -z "$(docker ps -aq --filter "name=^/$sibling\$")" ]
out=$(run -- docker_socket --image "$tag" --canary "$canary" --name "$sibling" --label "isolab.session=$session")
expect "docker_socket without the socket" "$out" error errno_name=ENOENT
check "docker_socket: the detail says no socket is mounted" grep -qi 'no Docker socket is mounted' <<<"$out"

if [ -s "$scratch/stderr" ]; then
	diag "stderr of the containers:"
	while IFS= read -r l; do diag "  $l"; done <"$scratch/stderr"
fi
tap_done
