#!/bin/bash
# guest.sh: the vm layer's tests, run as root inside the lab VM by
# tests/vm/test_vm.sh through `scripts/vm run`. The host hands this file and
# tests/lib/tap.sh in at $ISOLAB_VM_IN; transcripts go back through
# $ISOLAB_VM_OUT. TAP on stdout, counted by tests/run.
#
# What it proves on a real workshop-like host (AppArmor, cgroup v2 with the
# systemd driver, a real --privileged): every lab holds, inspect agrees with
# the guest's own /proc field by field, audit finds the known mix, doctor
# names what the host changes, a SIGINT in the middle of a step leaves
# nothing, and no container labelled isolab.session remains.
set -u
. "$ISOLAB_VM_IN/tap.sh"
export ISOLAB_ISOLATED_VM=1 LANG=C.UTF-8
out=$ISOLAB_VM_OUT
suite=$(. /etc/os-release; echo "$VERSION_CODENAME")
diag "guest: $suite, kernel $(uname -r), Docker $(docker version -f '{{.Server.Version}}')"

# --- the host it is -------------------------------------------------------------
check "$suite: cgroup v2" [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
check "$suite: Docker uses the systemd cgroup driver" [ "$(docker info -f '{{.CgroupDriver}}')" = systemd ]
check "$suite: AppArmor is enabled" [ "$(cat /sys/module/apparmor/parameters/enabled)" = Y ]
check "$suite: no network device but lo" [ "$(ls /sys/class/net | grep -v -e '^lo$' -e '^docker0$' | wc -l)" = 0 ]

isolab doctor >"$out/doctor.txt" 2>&1
rc=$?
check "$suite: doctor says the labs can run (exit 0, was $rc)" [ "$rc" = 0 ]
check "$suite: doctor names AppArmor" grep -qi apparmor "$out/doctor.txt"
doctor_json=$(isolab doctor --json 2>/dev/null)

# --- the labs ---------------------------------------------------------------------
image=
for lab in capabilities host-mounts nsenter; do
	start=$(date +%s)
	isolab run --json "$lab" >"$out/$lab.json" 2>"$out/$lab.err"
	rc=$?
	diag "$lab: exit $rc in $(($(date +%s) - start)) s"
	check "$suite: $lab: isolab run exits 0 (was $rc)" [ "$rc" = 0 ]
	check "$suite: $lab: every step ran and every expectation held" \
		[ "$(jq '.held and .failed == 0' "$out/$lab.json" 2>/dev/null)" = true ]
	jq -r '.steps[] | .step as $s | .expectations[] | select(.held | not) |
		"  \($s): \(.text): saw \(.seen)"' "$out/$lab.json" 2>/dev/null | while IFS= read -r l; do diag "$l"; done
	jq -r '.steps[] | select(.error != null) | "  \(.step): \(.error)"' "$out/$lab.json" 2>/dev/null |
		while IFS= read -r l; do diag "$l"; done
done
T() { jq -r "$2" "$out/$1.json"; }
step() { printf '.steps[] | select(.step == "%s")' "$1"; }
act() { T "$1" "$(step "$2") | .actions[] | select(.id == \"$3\") | .$4"; }

# What AppArmor changes, and what the labs now show of it.
check "$suite: ptrace-host-pid: docker-default refuses the tracer" \
	[ "$(act capabilities ptrace-host-pid read-tracer result)" = denied ]
check "$suite: ptrace-host-pid: the unconfined tracer reads the witness" \
	[ "$(act capabilities ptrace-host-pid read-unconfined result)" = allowed ]
check "$suite: ptrace-host-pid: the tracer's label is docker-default (enforce)" \
	[ "$(T capabilities "$(step ptrace-host-pid) | .containers[] | select(.name == \"tracer\") | .inspect.lsm")" = "docker-default (enforce)" ]
check "$suite: which-caps: the unconfined container escapes" \
	[ "$(act nsenter which-caps setns-unconfined result)" = allowed ]
check "$suite: the step text says what this host changed" \
	[ "$(T capabilities "$(step ptrace-host-pid) | .notes | length")" = 1 ]
# A real --privileged: not approximated, unconfined, seccomp off, the disk.
priv=$(T capabilities "$(step privileged) | .containers[] | select(.name == \"priv\")")
check "$suite: --privileged is real here" [ "$(jq .privileged.approximated <<<"$priv")" = false ]
check "$suite: --privileged runs unconfined" [ "$(jq -r .inspect.lsm <<<"$priv")" = unconfined ]
ncaps=$(jq '.inspect.caps.effective.names | length' <<<"$priv")
diag "$suite: a real --privileged holds $ncaps capabilities of $(($(cat /proc/sys/kernel/cap_last_cap) + 1))"
check "$suite: host-mounts/privileged mounts the host's disk and reads the canary" \
	[ "$(act host-mounts privileged mount-disk result)" = allowed ]
check "$suite: capabilities/shocker reads the disk canary by handle" \
	[ "$(act capabilities shocker shocker-dacread result)" = allowed ]

# --- inspect against the guest's own /proc ------------------------------------------
image=isolab-lab:$(isolab --version | awk '{print $2}')
docker image inspect "$image" >/dev/null 2>&1 || isolab __image build >/dev/null 2>&1
declare -A FLAGS=(
	[default]=""
	[sysadmin]="--cap-add SYS_ADMIN"
	[dropall]="--cap-drop ALL --user 1000:1000"
	[hostpid]="--pid host --security-opt apparmor=unconfined"
	[nnp]="--security-opt no-new-privileges --read-only"
	[priv]="--privileged"
	[etcro]="-v /etc:/host-etc:ro"
)
names=()
for n in "${!FLAGS[@]}"; do
	# shellcheck disable=SC2086
	docker run -d --pull=never --network none --name "vmt-$n" --label isolab.vmtest=1 \
		${FLAGS[$n]} "$image" >/dev/null 2>"$out/run-$n.err" || diag "vmt-$n did not start: $(cat "$out/run-$n.err")"
	names+=("vmt-$n")
done
isolab inspect --json "${names[@]}" >"$out/inspect.json" 2>"$out/inspect.err"
check "$suite: inspect of ${#names[@]} containers exits 0" [ $? = 0 ]
field() { grep "^$2:" "/proc/$1/status" | awk '{print $2}'; }
for n in "${names[@]}"; do
	obj=$(jq -c --arg n "$n" '.[] | select(.target == $n)' "$out/inspect.json")
	pid=$(jq -r .pid <<<"$obj")
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || { not_ok "$suite: inspect $n: no process"; continue; }
	ok_all=1
	for set in CapEff:effective CapPrm:permitted CapInh:inheritable CapBnd:bounding CapAmb:ambient; do
		[ "$(jq -r ".caps.${set#*:}.hex" <<<"$obj")" = "$(field "$pid" "${set%%:*}")" ] ||
			{ ok_all=0; diag "$n: ${set%%:*} differs"; }
	done
	check "$suite: inspect $n: every capability set is the kernel's" [ $ok_all = 1 ]
	nnp=$(field "$pid" NoNewPrivs)
	check "$suite: inspect $n: no_new_privs" [ "$(jq .no_new_privs <<<"$obj")" = "$([ "$nnp" = 1 ] && echo true || echo false)" ]
	sc=$(field "$pid" Seccomp)
	want=$(case $sc in 0) echo disabled ;; 1) echo strict ;; 2) echo filter ;; esac)
	check "$suite: inspect $n: seccomp $want" [ "$(jq -r .seccomp <<<"$obj")" = "$want" ]
	label=$(tr -d '\0' <"/proc/$pid/attr/current" 2>/dev/null)
	check "$suite: inspect $n: lsm is attr/current (${label:-none})" \
		[ "$(jq -r .lsm <<<"$obj")" = "${label:-null}" ]
	ok_all=1
	for ns in /proc/"$pid"/ns/*; do
		k=$(basename "$ns")
		shared=false
		[ "$(stat -Lc %i "$ns")" = "$(stat -Lc %i "/proc/self/ns/$k")" ] && shared=true
		[ "$(jq -r ".namespaces[\"$k\"].inode" <<<"$obj")" = "$(stat -Lc %i "$ns")" ] &&
			[ "$(jq -r ".namespaces[\"$k\"].shared_with_host" <<<"$obj")" = $shared ] ||
			{ ok_all=0; diag "$n: ns $k differs"; }
	done
	check "$suite: inspect $n: every namespace inode and sharing" [ $ok_all = 1 ]
	check "$suite: inspect $n: one mount per mountinfo line" \
		[ "$(jq '.mounts | length' <<<"$obj")" = "$(wc -l <"/proc/$pid/mountinfo")" ]
done
etc=$(jq -c '.[] | select(.target == "vmt-etcro") | .mounts[] | select(.target == "/host-etc")' "$out/inspect.json")
check "$suite: inspect: /host-etc is the host's /etc, read-only" \
	[ "$(jq -r '"\(.host_path) \(.read_only)"' <<<"$etc")" = "/etc true" ]

# --- audit of the known mix ---------------------------------------------------------
ids=()
for n in "${names[@]}"; do ids+=(--container "$(docker inspect -f '{{.Id}}' "$n")"); done
isolab audit --json "${ids[@]}" >"$out/audit.json" 2>"$out/audit.err"
rc=$?
check "$suite: audit of the mix exits 1 (open findings; was $rc)" [ "$rc" = 1 ]
has() { jq -e --arg n "/$1" --arg n2 "$1" --arg c "$2" \
	'.[] | select(.name == $n or .name == $n2) | .findings[] | select(.check == $c)' "$out/audit.json" >/dev/null; }
check "$suite: audit: priv is privileged" has vmt-priv privileged
check "$suite: audit: sysadmin has extra-caps" has vmt-sysadmin extra-caps
check "$suite: audit: hostpid shares the host's pid namespace" has vmt-hostpid host-pid
check "$suite: audit: hostpid runs without AppArmor" has vmt-hostpid lsm-unconfined
check "$suite: audit: etcro mounts a sensitive path" has vmt-etcro sensitive-mount
check "$suite: audit: default is not privileged" bash -c '! jq -e ".[] | select(.name == \"vmt-default\" or .name == \"/vmt-default\") | .findings[] | select(.check == \"privileged\")" "$1" >/dev/null' _ "$out/audit.json"
docker rm -f "${names[@]}" >/dev/null 2>&1

# --- SIGINT in the middle of a step -------------------------------------------------
# Job control on: a background job of a script without it ignores SIGINT,
# and isolab keeps a signal ignored as it found it (as nohup expects).
set -m
isolab run capabilities --step privileged >"$out/sigint.txt" 2>&1 &
runner=$!
for _ in $(seq 300); do
	[ -n "$(docker ps -q --filter label=isolab.step=privileged)" ] && break
	sleep 0.2
done
kill -INT "$runner"
wait "$runner"
rc=$?
check "$suite: SIGINT mid-step ends with 130 (was $rc)" [ "$rc" = 130 ]

# --- nothing left -------------------------------------------------------------------
check "$suite: no container labelled isolab.session is left" \
	[ "$(docker ps -aq --filter label=isolab.session | wc -l)" = 0 ]
check "$suite: no session dir is left under /run/isolab" \
	[ "$(find /run/isolab -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)" = 0 ]
check "$suite: no session dir is left under /var/lib/isolab" \
	[ "$(find /var/lib/isolab -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)" = 0 ]
printf '%s\n' "$doctor_json" >"$out/doctor.json"
tap_done
